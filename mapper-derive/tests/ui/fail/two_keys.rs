use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct TwoKeys {
    #[model(hash_key)]
    a: String,
    #[model(hash_key)]
    b: String,
    #[model(range_key)]
    c: i64,
    #[model(range_key)]
    d: i64,
}

fn main() {}
