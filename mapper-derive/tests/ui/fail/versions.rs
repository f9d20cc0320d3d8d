use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct TwoVersions {
    #[model(hash_key)]
    id: String,
    #[model(version)]
    a: i64,
    #[model(version)]
    b: i64,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct FloatVersion {
    #[model(hash_key)]
    id: String,
    #[model(version)]
    v: f64,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct CounterNotOnHashKey {
    #[model(hash_key)]
    id: i64,
    #[model(auto_increment)]
    n: i64,
}

fn main() {}
