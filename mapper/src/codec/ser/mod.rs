//! The fast save ([`checked`]): each field straight to its
//! `AttributeValue`, held to its field's validator where it lies (checked
//! as written, or through the field's report check).
//!
//! The mapping is `validate`'s one serializer (`validate::ser`), the one
//! `validate::to_value` runs where the report path starts: this module is
//! its target for attributes, not a second mapping. Checked, it is the
//! report save run cheaper, not other rules: anything it cannot take (an
//! extra attribute to keep, an enum with fields, anything invalid or with
//! no DynamoDB form) gives `None`, and the report path decides and
//! reports.
//!
//! One file per part: `top` (the model's struct, field by field, into
//! its slots), `target` (one value, list or map as an attribute, held to
//! its check), `set` (a field the schema makes a set).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser;
use validate::ser::TargetError;
use validate::{Extra, Lengths, Number, Presence, Segment, Value, ValueType};

use super::fast::{Check, FieldSlot, MapCheck, Walk, normalized};
use crate::codec::attribute_size;
use crate::codec::{self, Encoded, float_text, int_text, number_text, sets};
use crate::key;
use crate::key::hash as key_hash;
use crate::model::{Model, ModelInfo};

/// struct → validated attributes, serialized where they lie, and their
/// size as `batch::item_size` counts it, summed while they are written; `None`
/// when the report path must decide.
pub(crate) fn checked<T: Model>(model: &T, info: &ModelInfo) -> Option<Encoded> {
    let schema = &info.schema;
    if schema.extra_policy() == Extra::Allow {
        return None; // Extras are kept as they come: the report path does it.
    }
    let Encoded {
        mut attributes,
        mut size,
        key_hash,
    } = model
        .serialize(Top {
            info,
            attributes: HashMap::with_capacity(schema.fields().len()),
            size: 0,
            key_hash: 0,
            fields: Walk::new(&info.fast.order),
        })
        .ok()?;
    // Only the schema's fields are in `attributes` (each once): fewer
    // means some are absent.
    if attributes.len() < schema.fields().len() {
        for field in schema.fields() {
            if attributes.contains_key(field.name()) {
                continue;
            }
            // A generated key: the report path makes it (and hashes it).
            if slot_is_key(info, field.name()) {
                return None;
            }
            match field.presence() {
                Presence::Required => return None,
                Presence::Optional => {}
                Presence::Default(default) => {
                    let value = default.make();
                    if !sets::is_empty_set(&value) {
                        let attribute = codec::into_attribute(value).ok()?;
                        size += field.name().len() + attribute_size(&attribute);
                        attributes.insert(field.name().to_owned(), attribute);
                    }
                }
            }
        }
    }
    if T::AUTO_INCREMENT && key::is_counter(attributes.get(&info.hash.name)) {
        return None;
    }
    Some(Encoded {
        attributes,
        size,
        key_hash,
    })
}

/// Why the serializer stopped: the value is refused by its check, or has
/// no DynamoDB form (a NaN, a number past 38 digits, a map key that is no
/// text). Either way the report path decides and names the error, so
/// nothing is allocated here.
#[derive(Debug)]
pub(crate) struct Bail;

/// A value the serializer stops at.
const REFUSED: Bail = Bail;

impl std::fmt::Display for Bail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to the report path")
    }
}

impl std::error::Error for Bail {}

impl ser::Error for Bail {
    fn custom<M: std::fmt::Display>(_message: M) -> Bail {
        REFUSED
    }
}

impl TargetError for Bail {
    fn within(self, _segment: impl FnOnce() -> Segment) -> Bail {
        self
    }
    fn from_error(_error: validate::Error) -> Bail {
        REFUSED
    }
}

type Out = Result<Option<Counted>, Bail>;

/// Whether an optional check passes (no check passes everything).
fn passes<C>(check: Option<C>, test: impl FnOnce(C) -> bool) -> Result<(), Bail> {
    match check.map(test) {
        Some(false) => Err(REFUSED),
        _ => Ok(()),
    }
}

/// Serializer methods that stop with `REFUSED` (or the error given first).
macro_rules! bail {
    ($error:expr; $($method:ident($($arg:ty),* $(,)?) -> $ok:ty),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ok, Bail> {
            Err($error)
        }
    )*};
    ($($method:ident($($arg:ty),* $(,)?) -> $ok:ty),* $(,)?) => {
        bail!(REFUSED; $($method($($arg),*) -> $ok),*);
    };
}

/// Whether `name` is the table's hash or range key.
fn slot_is_key(info: &ModelInfo, name: &str) -> bool {
    info.hash.name == name || info.range.as_ref().is_some_and(|r| r.name == name)
}

/// Sequence shapes of serde for a collector with `push` and `finish`.
macro_rules! seq_shapes {
    ($collector:ty: $($shape:ident::$method:ident),*) => {$(
        impl ser::$shape for $collector {
            type Ok = Option<Counted>;
            type Error = Bail;
            fn $method<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
                self.push(value)
            }
            fn end(self) -> Out {
                self.finish()
            }
        }
    )*};
}

mod set;
mod target;
#[cfg(test)]
mod tests;
mod top;

use set::{StrSetSer, into_set};
use target::{Checked, Counted};
use top::Top;
