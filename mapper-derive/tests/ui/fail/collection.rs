use mapper::Model;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Model)]
#[model(table = "shop", entity = "customer")]
struct Customer {
    #[model(hash_key)]
    pk: String,
}

#[derive(mapper::Collection)]
struct NotAnEnum {
    customer: Customer,
}

#[derive(mapper::Collection)]
enum Shapes {
    Customer { customer: Customer },
    Two(Customer, Customer),
}

#[derive(mapper::Collection)]
enum Empty {}

fn main() {}
