//! A key of a type the derive cannot see into (an alias, a newtype with
//! its own validator) compiles: its validator decides, and the mapper
//! checks it when the model is first used.

use mapper::Model;
use serde::{Deserialize, Serialize};

type CustomerId = String;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
struct Sku(String);

impl validate::Typed for Sku {
    fn validator() -> validate::Validator {
        validate::str().length(1..=32).into()
    }
}

#[derive(Serialize, Deserialize, Model)]
#[model(table = "orders")]
struct Order {
    #[model(hash_key)]
    customer: CustomerId,
    #[model(range_key)]
    sku: Sku,
}

fn main() {
    let info = mapper::model::ModelInfo::of::<Order>();
    assert!(info.is_ok(), "{:?}", info.err());
}
