use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct LineItem {
    sku: String,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "orders")]
struct Order {
    #[model(hash_key)]
    id: String,
    item: LineItem,
}

fn main() {}
