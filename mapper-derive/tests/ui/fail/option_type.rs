use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct Misfit {
    #[model(hash_key, length = 1..=9)]
    id: i64,
    #[model(range = 1..=9)]
    name: String,
    #[model(matches = "^a")]
    count: u32,
}

fn main() {}
