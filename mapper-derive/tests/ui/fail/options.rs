use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", read_policy = "loose", write_back = "now")]
struct ModelOptions {
    #[model(hash_key)]
    id: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", index(name = "i", hash = "n", sparse))]
struct IndexOption {
    #[model(hash_key)]
    id: String,
    n: i64,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", extra = "keep")]
struct FieldOptions {
    #[model(hash_key)]
    id: String,
    #[model(default = 1, default_fn = make)]
    both: i64,
    #[model(length = 1..=3, matches = "^[0-9]+$")]
    count: i64,
}

fn make() -> i64 {
    1
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
#[serde(rename_all = "SHOUTY")]
struct Renamed {
    #[model(hash_key)]
    id: String,
}

fn main() {}

#[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "t", stream = "everything")]
struct BadStream {
    #[model(hash_key)]
    id: String,
}

#[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "t", entity = "")]
struct EmptyEntity {
    #[model(hash_key)]
    id: String,
}

#[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "t", entity = "order")]
struct EntityClash {
    #[model(hash_key)]
    id: String,
    _et: String,
}

#[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "t", entity_attribute = "kind")]
struct NoEntity {
    #[model(hash_key)]
    id: String,
}
