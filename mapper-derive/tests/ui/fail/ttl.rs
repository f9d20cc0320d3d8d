use mapper::Model;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct TextTtl {
    #[model(hash_key)]
    id: String,
    #[model(ttl)]
    expires: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct DatetimeAsText {
    #[model(hash_key)]
    id: String,
    #[model(ttl)]
    #[serde(with = "validate::datetime")]
    expires: OffsetDateTime,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t")]
struct TwoAndKeyed {
    #[model(hash_key, ttl)]
    id: i64,
    #[model(ttl)]
    until: i64,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", expired = "keep")]
struct BadOption {
    #[model(hash_key)]
    id: String,
}

fn main() {}
