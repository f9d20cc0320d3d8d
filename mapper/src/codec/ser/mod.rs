//! The serializer: each field straight to its `AttributeValue`, checked
//! ([`encode`], the fast save: held to its field's validator where it lies,
//! checked as written or through the field's report check) or unchecked
//! ([`to_value`], where the report path starts).
//!
//! Checked, it is the report save run cheaper, not other rules:
//! anything it cannot take (an extra attribute to keep, an enum with
//! fields, anything invalid) gives `None`, and the report path decides
//! and reports.
//!
//! One file per part of the serializer: `top` (the model's struct, field
//! by field, checked only), `value` (one value), `seq` (lists), `map`
//! (nested maps and their keys), `set` (sets).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Serialize, ser};
use validate::{Extra, Lengths, Number, Path, Presence, Segment, Value, ValueType};

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

/// A value as the report path starts from it: serialized by this same
/// serializer, unchecked (every shape serde has, each to the attribute
/// the fast path writes for it), then read as a `Value`. A value with no
/// DynamoDB form is an error with its path (`[2].value`).
pub(crate) fn unchecked<T: Serialize + ?Sized>(value: &T) -> Result<Value, validate::Error> {
    let attribute = present(value, &mut 0, None).map_err(Bail::into_error)?;
    codec::from_attribute(&attribute).map_err(|e| validate::Error::Convert {
        path: Path::root(),
        message: e.to_string(),
    })
}

/// Why the serializer stopped: the value is refused by its check (the
/// report path then decides; no allocation), or it has no DynamoDB
/// form (a NaN, a number past 38 digits, a map key that is no text), said
/// with its path, which grows as the error bubbles out.
#[derive(Debug)]
pub(crate) struct Bail(Option<Box<validate::Error>>);

/// A value its check refuses.
const REFUSED: Bail = Bail(None);

impl Bail {
    /// A value with no DynamoDB form, at the root of what is serialized.
    #[cold]
    fn unrepresentable(message: impl std::fmt::Display) -> Bail {
        Bail::from_validate(validate::Error::Convert {
            path: Path::root(),
            message: message.to_string(),
        })
    }

    /// `validate`'s conversion error, its path kept.
    #[cold]
    fn from_validate(error: validate::Error) -> Bail {
        Bail(Some(Box::new(error)))
    }

    /// The error, bubbling out of the value at `segment` in its parent.
    #[cold]
    fn within(self, segment: impl FnOnce() -> Segment) -> Bail {
        match self.0 {
            Some(error) => Bail::from_validate(error.within(segment())),
            None => REFUSED,
        }
    }

    /// As the crate's conversion error (a refusal never reaches one: only
    /// the checked paths refuse).
    fn into_error(self) -> validate::Error {
        match self.0 {
            Some(error) => *error,
            None => validate::Error::Convert {
                path: Path::root(),
                message: "refused".to_owned(),
            },
        }
    }
}

impl std::fmt::Display for Bail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(error) => error.fmt(f),
            None => f.write_str("left to the report path"),
        }
    }
}

impl std::error::Error for Bail {}

impl ser::Error for Bail {
    fn custom<M: std::fmt::Display>(message: M) -> Bail {
        Bail::unrepresentable(message)
    }
}

type Out = Result<Option<AttributeValue>, Bail>;

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
            type Ok = Option<AttributeValue>;
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

mod map;
mod seq;
mod set;
#[cfg(test)]
mod tests;
mod top;
mod value;

use map::MapSer;
use seq::SeqSer;
use set::{StrSetSer, into_set};
use top::Top;
use value::{AttrSer, null, present};
