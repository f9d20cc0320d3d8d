//! Models shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeSet;

use mapper::{Model, ReadPolicy};
use serde::{Deserialize, Serialize};
use validate::{Schema, int, number, set_of, str};

/// The original README's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoomMap {
    pub episode: i64,
    pub map: i64,
    pub name: String,
    pub cheats: BTreeSet<String>,
}

impl Model for DoomMap {
    const TABLE: &'static str = "doom_map";
    const HASH_KEY: &'static str = "episode";
    const RANGE_KEY: Option<&'static str> = Some("map");

    fn schema() -> Schema {
        Schema::new()
            .required("episode", int().range(1..=4))
            .required("map", int().range(1..=9))
            .required("name", str().length(1..=64))
            .with_default("cheats", set_of(str()), ["Konami"])
    }
}

pub fn doom_map(episode: i64, map: i64, name: &str, cheats: &[&str]) -> DoomMap {
    DoomMap {
        episode,
        map,
        name: name.into(),
        cheats: cheats.iter().map(|c| c.to_string()).collect(),
    }
}

/// The same table read leniently.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: i64,
    pub title: String,
}

impl Model for Post {
    const TABLE: &'static str = "post";
    const HASH_KEY: &'static str = "id";
    const AUTO_INCREMENT: bool = true;

    fn schema() -> Schema {
        Schema::new()
            .required("id", int())
            .required("title", str().length(1..))
    }
}

/// A model with optimistic locking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub balance: i64,
    pub version: u64,
}

impl Model for Account {
    const TABLE: &'static str = "account";
    const HASH_KEY: &'static str = "id";
    const VERSION: Option<&'static str> = Some("version");

    fn schema() -> Schema {
        Schema::new()
            .required("id", str())
            .required("balance", int())
            .required("version", int().range(0..))
    }
}

/// A model with secondary indexes, for queries, scans and cursors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub player: String,
    pub game: i64,
    pub points: i64,
    pub team: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub padding: String,
}

impl Model for Score {
    const TABLE: &'static str = "score";
    const HASH_KEY: &'static str = "player";
    const RANGE_KEY: Option<&'static str> = Some("game");
    const INDEXES: &'static [mapper::Index] = &[
        mapper::Index::global("by_team", "team", Some("points")),
        mapper::Index::local("by_points", "points"),
        mapper::Index::global("by_status", "status", None)
            .projection(mapper::IndexProjection::KeysOnly),
    ];

    fn schema() -> Schema {
        Schema::new()
            .required("player", str())
            .required("game", int())
            .required("points", int().range(0..))
            .required("team", str())
            .optional("status", str())
            .with_default("padding", str(), "")
    }
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
