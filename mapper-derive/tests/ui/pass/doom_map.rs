use std::collections::BTreeSet;
use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, Model)]
#[model(table = "doom_map")]
struct DoomMap {
    #[model(hash_key, range = 1..=4)]
    episode: i64,
    #[model(range_key, range = 1..=9)]
    map: i64,
    #[model(length = 1..=64)]
    name: String,
    #[model(default = ["Konami"])]
    cheats: BTreeSet<String>,
}

fn main() {
    assert_eq!(DoomMap::TABLE, "doom_map");
    assert_eq!(DoomMap::RANGE_KEY, Some("map"));
    assert_eq!(DoomMap::schema().fields().len(), 4);
}
