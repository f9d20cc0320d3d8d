//! The codec: Rust values ⇄ DynamoDB attributes, and [`Value`] ⇄
//! attributes.
//!
//! - `ser/`: the fast save, a model → its attributes (`ser::checked`),
//!   `validate`'s one serializer into attributes (the report path starts
//!   from `validate::to_value`, the same serializer into a `Value`);
//! - `de/`: the fast load, attributes → a model (`de::checked`),
//!   `validate`'s one deserializer over stored attributes (the report
//!   path ends with `validate::from_value`, the same deserializer over a
//!   `Value`);
//! - `fast/`: what the fast speed shares between the two (plain checks,
//!   per-field slots, the fields' order, a field's report check);
//! - `value.rs`: [`Value`] ⇄ `AttributeValue`, the report path's
//!   conversion and the public one;
//! - `sets.rs`: the rules of sets (empty ⇄ absent, stored as sets);
//! - `number.rs`, `size.rs`: number text and an item's size as DynamoDB
//!   counts them.
//!
//! The two speeds, *fast* and *report*, are defined in
//! `docs/architecture.md`.
//!
//! [`Value`]: validate::Value

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

pub(crate) mod de;
pub(crate) mod fast;
mod number;
pub(crate) mod ser;
pub(crate) mod sets;
mod size;
pub(crate) mod value;

#[cfg(test)]
pub(crate) use number::tests::any_float;
pub(crate) use number::{float_text, int_text, number_text, read_decimal};
pub(crate) use size::{attribute_size, item_size};
pub(crate) use value::stored_datetime;
pub use value::{from_attribute, from_item, into_attribute, into_item, to_attribute, to_item};

/// A DynamoDB item: attribute names to attribute values.
pub type Attributes = HashMap<String, AttributeValue>;

/// A model's item as the save wrote it (either speed): its attributes,
/// its size as DynamoDB counts it, and the hash of its key
/// ([`key::hash`](crate::key)).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Encoded {
    pub(crate) attributes: Attributes,
    /// The item's size as DynamoDB counts it, summed as it is written.
    pub(crate) size: usize,
    /// The hash of its key, as batches compare keys.
    pub(crate) key_hash: u64,
}

impl Encoded {
    /// The item's key, read from its attributes.
    pub(crate) fn key(&self, info: &crate::model::ModelInfo) -> crate::key::Key {
        crate::key::Key::of_attributes(&self.attributes, info)
    }
}
