use mapper::{Model, Schema};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
enum NotAStruct {
    A,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct Tuple(String);

#[derive(Serialize, Deserialize, Schema)]
enum WithData {
    A(i64),
}

#[derive(Serialize, Deserialize, Schema)]
#[model(strict)]
struct UnknownOption {
    n: i64,
}

#[derive(Serialize, Deserialize, Schema)]
struct Nested {
    #[model(hash_key, version)]
    id: i64,
}

#[derive(Schema)]
union Both {
    a: u32,
    b: f32,
}

#[derive(Serialize, Deserialize, Schema)]
struct Inner {
    n: i64,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct Flattened {
    #[model(hash_key)]
    id: String,
    #[serde(flatten)]
    inner: Inner,
}

fn main() {}
