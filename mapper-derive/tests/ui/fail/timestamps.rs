use mapper::Model;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct TextStamp {
    #[model(hash_key)]
    id: String,
    #[model(created_at)]
    created: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct TwoAndBoth {
    #[model(hash_key)]
    id: String,
    #[model(created_at, updated_at)]
    #[serde(with = "validate::datetime")]
    at: OffsetDateTime,
    #[model(updated_at)]
    #[serde(with = "validate::datetime")]
    changed: OffsetDateTime,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct KeyStamp {
    #[model(hash_key, created_at)]
    #[serde(with = "validate::datetime")]
    id: OffsetDateTime,
}

fn main() {}
