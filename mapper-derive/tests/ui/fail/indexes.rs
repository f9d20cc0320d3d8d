use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(
    table = "t",
    index(hash = "status"),
    index(name = "no_hash"),
    local_index(name = "with_hash", hash = "id", range = "at"),
    local_index(name = "no_range"),
    index(name = "twice", hash = "status"),
    index(name = "twice", hash = "status"),
    index(name = "unknown", hash = "stauts")
)]
struct Indexes {
    #[model(hash_key)]
    id: String,
    #[model(range_key)]
    at: i64,
    status: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", local_index(name = "by_at", range = "at"))]
struct LocalWithoutRangeKey {
    #[model(hash_key)]
    id: String,
    at: i64,
}

fn main() {}
