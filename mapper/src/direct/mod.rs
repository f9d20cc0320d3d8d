//! The fast save and load paths, without `Value`s: a struct serialized
//! straight to attributes and deserialized straight from them, each value
//! held to its field's validator where it lies — checked as serde hands it
//! over where the validator is plain all the way down (`check.rs`), else
//! through the field's own report path (`report.rs`: the validator on the
//! field as a `Value`, the one implementation of its rules). What each
//! path needs of a field is found once per model (`slot.rs`).
//!
//! They are the whole-item paths (`save.rs`, `load.rs`) run cheaper, not
//! other rules: anything they cannot take as it lies gives `None`, and the
//! whole-item path decides and reports every error. Property tests check
//! that both give the same items.

mod check;
mod load;
mod order;
mod report;
mod save;
mod slot;

pub(crate) use load::{load, model};
use order::FieldOrder;
pub(crate) use save::encode;
pub(crate) use slot::Layout;
