use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
struct NoTable {
    #[model(hash_key)]
    id: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "orders and more")]
struct BadTableName {
    #[model(hash_key)]
    id: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct BothKeys {
    #[model(hash_key, range_key)]
    id: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct NeverKeys {
    #[model(hash_key)]
    active: bool,
    #[model(range_key)]
    tags: Vec<String>,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct OptionalKey {
    #[model(hash_key)]
    id: Option<String>,
}

fn main() {}
