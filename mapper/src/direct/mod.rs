//! The save and load paths without `Value`s, for the common case: a
//! struct serialized straight to attributes and deserialized straight
//! from them, each value held to its field's validator where it lies:
//! checked as serde hands it over where the validator is plain all the
//! way down (`check.rs`), else vouched for (`vouch.rs`:
//! [`Validator::accepts`](validate::Validator::accepts)'s verdict that the
//! validator would pass it unchanged, read off the validator's
//! [`Plain`](validate::Plain) form where it has one). What each path needs
//! of a field is found once per model (`slot.rs`).
//!
//! They are shortcuts of the `Value` paths (`fields.rs`, and the
//! whole-item paths in `save.rs` and `load.rs`), not other rules: anything
//! they cannot vouch for gives `None`, and the next path decides and
//! reports every error. Property tests compare them with the whole-item
//! paths.

mod attr;
mod check;
mod load;
mod order;
mod save;
mod slot;
mod vouch;

pub(crate) use load::{load, model};
pub(crate) use order::FieldOrder;
pub(crate) use save::encode;
pub(crate) use slot::{Slot, slots};
