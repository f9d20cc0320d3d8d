use mapper::{Model, Schema, Update};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Serialize, Deserialize, Schema)]
enum Status {
    Pending,
    Paid,
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "orders", index(name = "by_status", hash = "status"))]
struct Order {
    #[model(hash_key)]
    id: String,
    name: String,
    status: Status,
    points: i64,
    items: Vec<String>,
}

fn main() {
    // A misspelt field.
    let _ = Order::STAUTS;
    // A value of another type than the field's.
    let _ = Order::STATUS.eq(5);
    let _ = Update::new().set(Order::POINTS, "ten");
    // Increment on a string, delete on a list, begins_with on a number.
    let _ = Update::new().increment(Order::NAME, 1);
    let _ = Update::new().delete(Order::ITEMS, "a");
    let _ = Order::POINTS.begins_with("1");
}

/// An index queried with a value of another type than its hash key's.
fn query(mapper: &mapper::Mapper) {
    let _ = mapper.query_index(Order::BY_STATUS, "paid");
}

/// A key of another type than the key field's, and a secondary index's
/// handle used as an item's key.
fn keys() {
    let _ = Order::PRIMARY.key(5);
    let _ = Order::BY_STATUS.key(Status::Paid);
}
