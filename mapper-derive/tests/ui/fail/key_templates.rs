use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", pk = "A#{id}", sk = "{note}#{price}#{missing}#{version}#{name:3}")]
struct Fields {
    #[model(hash_key)]
    id: String,
    note: Option<String>,
    price: f64,
    name: String,
    #[model(version)]
    version: i64,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", pk = "{a}{b}", index(name = "g", hash = "a", pk = "G#{a}"))]
struct Shapes {
    a: String,
    b: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "t", pk = "X#{a}", pk_attribute = "a", sk_attribute = "s")]
struct Attributes {
    a: String,
}

fn main() {}
