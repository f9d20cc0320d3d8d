use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct BadKeyType {
    #[model(hash_key)]
    id: Vec<String>,
}

fn main() {}
