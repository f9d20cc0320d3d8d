//! Models shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeSet;

use mapper::{Model, ReadPolicy};
use serde::{Deserialize, Serialize};
use validate::{Schema, int, number, set_of, str};

/// The original README's model, declared with the derive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "doom_map")]
pub struct DoomMap {
    #[model(hash_key, range = 1..=4)]
    pub episode: i64,
    #[model(range_key, range = 1..=9)]
    pub map: i64,
    #[model(length = 1..=64)]
    pub name: String,
    #[model(default = ["Konami"])]
    pub cheats: BTreeSet<String>,
}

pub fn doom_map(episode: i64, map: i64, name: &str, cheats: &[&str]) -> DoomMap {
    DoomMap {
        episode,
        map,
        name: name.into(),
        cheats: cheats.iter().map(|c| c.to_string()).collect(),
    }
}

/// The same table read leniently, with the `Model` written by hand (the
/// builder the derive writes for the others).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LenientMap {
    pub episode: i64,
    pub map: i64,
    pub name: String,
    pub cheats: BTreeSet<String>,
    pub rating: Option<f64>,
}

impl Model for LenientMap {
    const TABLE: &'static str = "doom_map";
    const HASH_KEY: &'static str = "episode";
    const RANGE_KEY: Option<&'static str> = Some("map");
    const READ_POLICY: ReadPolicy = ReadPolicy::Lenient;

    fn schema() -> Schema {
        Schema::new()
            .required("episode", int())
            .required("map", int())
            .with_default("name", str().length(1..=64), "Untitled")
            .with_default("cheats", set_of(str()), ["Konami"])
            .optional("rating", number().range(0..=10))
    }
}

/// An auto-increment model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "post")]
pub struct Post {
    #[model(hash_key, auto_increment)]
    pub id: i64,
    #[model(length = 1..)]
    pub title: String,
}

/// A model with optimistic locking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "account")]
pub struct Account {
    #[model(hash_key)]
    pub id: String,
    pub balance: i64,
    #[model(version)]
    pub version: u64,
}

/// A model with secondary indexes, for queries, scans and cursors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "score",
    index(name = "by_team", hash = "team", range = "points"),
    local_index(name = "by_points", range = "points"),
    index(name = "by_status", hash = "status", keys_only)
)]
pub struct Score {
    #[model(hash_key)]
    pub player: String,
    #[model(range_key)]
    pub game: i64,
    #[model(range = 0..)]
    pub points: i64,
    pub team: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    #[model(default = "")]
    pub padding: String,
}

pub fn score(player: &str, game: i64, points: i64, team: &str) -> Score {
    Score {
        player: player.into(),
        game,
        points,
        team: team.into(),
        status: None,
        padding: String::new(),
    }
}
