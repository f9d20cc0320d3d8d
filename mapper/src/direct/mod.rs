//! The mapper's one mapping between Rust values and DynamoDB attributes:
//! a serde serializer (`save.rs`, one file per part under `save/`) and a
//! deserializer (`load.rs`), each run at two speeds.
//!
//! Checked (the fast paths, [`encode`] and [`load`]): each value held to
//! its field's validator where it lies — as serde hands it over where the
//! validator is plain all the way down (`check.rs`), else through the
//! field's own report path (`report.rs`: the validator on the field as a
//! `Value`, the one implementation of its rules). What each path needs of
//! a field is found once per model (`slot.rs`). Anything they cannot take
//! as it lies gives `None`, and the whole-item path decides and reports
//! every error.
//!
//! Unchecked (the report paths' ends, [`to_value`] and [`from_value`]):
//! every shape serde has, a value DynamoDB cannot hold named with its
//! path. Property tests check that the checked paths give what the report
//! paths give.

mod check;
mod load;
mod order;
mod report;
mod save;
mod slot;

pub(crate) use load::{from_value, load, model};
use order::FieldOrder;
pub(crate) use save::{encode, to_value};
pub(crate) use slot::Layout;
