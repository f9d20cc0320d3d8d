use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct SharedKey {
    #[model(hash_key, default = "same")]
    id: String,
}

fn main() {}
