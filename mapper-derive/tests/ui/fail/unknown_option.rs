use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", shard = "x")]
struct Unknown {
    #[model(hash_key, primary)]
    id: String,
}

fn main() {}
