//! What makes the fast speed fast, shared by the serializer (`ser/`) and
//! the deserializer (`de/`): each value held to its field's validator
//! where it lies, through the validator's plain form (`check.rs`); a
//! field without one through its report check (`report.rs`: its validator
//! on that field as a `Value`, the one implementation of its rules); what
//! each field needs, found once per model (`slot.rs`), and the order the
//! model's `Serialize` gives its fields in (`order.rs`).
//!
//! The two speeds are defined in `docs/architecture.md`: *fast* is the
//! report path run cheaper, never other rules; anything it cannot take as
//! it lies is left to *report*, which decides and names every error.

mod check;
mod order;
mod report;
mod slot;

pub(in crate::codec) use check::{Check, Inner, MapCheck};
pub(in crate::codec) use order::{FieldOrder, Walk};
pub(in crate::codec) use report::{loaded, normalized};
pub(in crate::codec) use slot::FieldSlot;
pub(crate) use slot::Layout;
