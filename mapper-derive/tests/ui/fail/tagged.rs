use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, mapper::Schema)]
#[serde(tag = "type")]
enum Tuple {
    Card(String),
    Invoice,
}

#[derive(Serialize, Deserialize, mapper::Schema)]
#[serde(tag = "type", content = "data")]
enum Adjacent {
    Card { last4: String },
}

#[derive(Serialize, Deserialize, mapper::Schema)]
#[serde(tag = "type")]
enum Clash {
    Card {
        #[serde(rename = "type")]
        kind: String,
    },
}

#[derive(Serialize, Deserialize, mapper::Schema)]
#[serde(tag = "type")]
enum Keyed {
    Card {
        #[model(hash_key)]
        id: String,
        #[model(range = 1..)]
        name: String,
    },
}

fn main() {}
