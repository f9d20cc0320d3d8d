use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", index(name = "by_tags", hash = "tags"))]
struct Tagged {
    #[model(hash_key)]
    id: String,
    tags: Vec<String>,
}

fn main() {}
