use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct TextCounter {
    #[model(hash_key, auto_increment)]
    id: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct WithRange {
    #[model(hash_key, auto_increment)]
    id: i64,
    #[model(range_key)]
    at: i64,
}

fn main() {}
