//! The save pipeline: struct → validated attributes ([`model`], the one
//! entry), at one of two speeds — fast (`codec::ser::checked`: serialized
//! where it lies, each field held to its validator as it is written) or
//! report (the same serializer into a `Value`, `validate::to_value`,
//! validated, every error with its path) — plus DynamoDB's own rules on
//! an item (its size, its key values) and the stored version of a model
//! with migrations. Every write (`put`, `save`, batches, transactions,
//! auto-increment, the original's transactions) starts here.

use validate::{ErrorKind, PathNode, Value};

use crate::codec::{self, Encoded, sets};
use crate::error::{Error, KeyDisplay, Result};
use crate::key::{self, Key};
use crate::limits::MAX_ITEM_BYTES;
use crate::model::{Model, ModelInfo};
use crate::schema_version;

/// struct → validated attributes, the one save entry: straight (the fast
/// speed), else struct → `Value` → validated, normalized `Value` →
/// attributes (the report speed), the value consumed. An item the fast
/// speed cannot send (too large, a key DynamoDB refuses or one left empty
/// to be generated) takes the report path, which generates or names it.
pub(crate) fn model<T: Model>(model: &T, info: &ModelInfo, table: &str) -> Result<Encoded> {
    before_save(model, table)?;
    if let Some(mut encoded) = codec::ser::checked(model, info) {
        encoded.size += schema_version::stamp(&mut encoded.attributes, info);
        encoded.size += crate::entity::stamp(&mut encoded.attributes, info);
        if !info.templates.is_empty() {
            // Keys built from fields: written now, hashed once written.
            let Ok(size) = key::template::stamp(&mut encoded.attributes, info) else {
                return report(model, info, table);
            };
            encoded.size += size;
            encoded.key_hash = key::hash::of_item(Some(&encoded.attributes), info);
        }
        if encoded.size <= MAX_ITEM_BYTES && keys_fit(&encoded.attributes, info) {
            return Ok(encoded);
        }
    }
    report(model, info, table)
}

/// The model's own check before a save ([`Model::before_save`]), its
/// errors a validation error naming the table (and the key, as the model
/// holds it). Every save of a model runs it: [`model`], and the saves
/// that start from a `Value` (`insert_auto`, the original's records).
pub(crate) fn before_save<T: Model>(model: &T, table: &str) -> Result<()> {
    model.before_save().map_err(|errors| {
        let key = as_value(model, table)
            .map(|value| Key::of_named(&value, T::HASH_KEY, T::RANGE_KEY))
            .map_or_else(
                |_| KeyDisplay::default(),
                |key| key.shown(T::HASH_KEY, T::RANGE_KEY),
            );
        Error::Validation {
            table: table.to_owned(),
            key,
            errors,
        }
    })
}

/// Whether an item's key values pass DynamoDB's key rules; when not, the
/// report path names them.
fn keys_fit(attributes: &codec::Attributes, info: &ModelInfo) -> bool {
    let mut errors = validate::Errors::new();
    key::check_item_keys(attributes, info, &mut errors);
    errors.is_empty()
}

/// The report path from the model's `Value` on: validated and normalized
/// (every error reported), the value's strings moved into the attributes,
/// the version stamped, DynamoDB's rules on the item checked. Entered
/// here by what starts from a `Value` (auto-increment keys, the original's
/// transactions).
pub(crate) fn value<T: Model>(value: Value, info: &ModelInfo, table: &str) -> Result<Encoded> {
    let (value, mut key) = validated::<T>(value, info, table)?;
    let mut attributes =
        codec::into_item(value).map_err(|e| Error::convert(table, key.display(info), e))?;
    schema_version::stamp(&mut attributes, info);
    crate::entity::stamp(&mut attributes, info);
    if !info.templates.is_empty() {
        let stamped = key::template::stamp(&mut attributes, info);
        key = Key::of_attributes(&attributes, info);
        stamped.map_err(|errors| Error::Validation {
            table: table.to_owned(),
            key: key.display(info),
            errors,
        })?;
    }
    let size = admit(
        &attributes,
        codec::item_size(&attributes),
        &key,
        info,
        table,
    )?;
    let key_hash = key::hash::of_item(Some(&attributes), info);
    Ok(Encoded {
        attributes,
        size,
        key_hash,
    })
}

/// The report path on the whole model.
pub(crate) fn report<T: Model>(model: &T, info: &ModelInfo, table: &str) -> Result<Encoded> {
    value::<T>(as_value(model, table)?, info, table)
}

/// The model as a `Value` (`validate::to_value`: the one serializer,
/// into a `Value`),
/// the first step of the report path. A value with
/// no DynamoDB form (a NaN, a number past 38 digits, a map with keys that
/// are not strings) is a validation error at its path, reported like any
/// other bad attribute.
pub(crate) fn as_value<T: serde::Serialize>(model: &T, table: &str) -> Result<Value> {
    validate::to_value(model).map_err(|e| {
        let (path, message) = match e {
            validate::Error::Convert { path, message } => (path, message),
            other => (validate::Path::root(), other.to_string()),
        };
        let mut errors = validate::Errors::new();
        errors.push_violation(validate::Violation {
            path,
            kind: ErrorKind::Custom("unrepresentable".into()),
            message: message.into(),
        });
        Error::Validation {
            table: table.to_owned(),
            key: KeyDisplay::default(),
            errors,
        }
    })
}

/// The save path's checks on the model's `Value`: empty sets become
/// absent (so defaults fill them), the schema validates and normalizes, and
/// the auto-increment counter's key stays reserved.
pub(crate) fn validated<T: Model>(
    mut value: Value,
    info: &ModelInfo,
    table: &str,
) -> Result<(Value, Key)> {
    if let Some(map) = value.as_map_mut() {
        sets::empty_as_absent(map, info);
        // A key with a default (a generator: constant key defaults are
        // refused with the model) left empty is not set yet: generated,
        // so a plain `String` key works as an `Option<String>` one does.
        // No item can hold an empty key, so nothing else is meant by it.
        for part in info.key_parts() {
            let generated = info
                .schema
                .get(&part.name)
                .is_some_and(|f| matches!(f.presence(), validate::Presence::Default(_)));
            let empty = match map.get(&part.name) {
                Some(Value::String(s)) => s.is_empty(),
                Some(Value::Binary(b)) => b.is_empty(),
                _ => false,
            };
            if generated && empty {
                map.remove(&part.name);
            }
        }
    }
    if let Err(errors) = info.schema.validate_in_place(&mut value) {
        return Err(Error::Validation {
            table: table.to_owned(),
            key: shown_key(&value, info),
            errors,
        });
    }
    let key = Key::of_item(&value, info);
    if T::AUTO_INCREMENT && key.is_counter() {
        let mut errors = validate::Errors::new();
        errors.push(
            &PathNode::ROOT.key(&info.hash.name),
            ErrorKind::Custom("reserved_key".into()),
            "hash key -1 is reserved for the auto-increment counter",
        );
        return Err(Error::Validation {
            table: table.to_owned(),
            key: key.display(info),
            errors,
        });
    }
    Ok((value, key))
}

/// The key of an item's `Value`, for an error: its key attributes, or for
/// keys built from templates, what the templates make of the fields they
/// can read.
fn shown_key(value: &Value, info: &ModelInfo) -> KeyDisplay {
    if info.templates.is_empty() {
        return Key::of_item(value, info).display(info);
    }
    let Ok(mut attributes) = codec::into_item(value.clone()) else {
        return KeyDisplay::default();
    };
    let _ = key::template::stamp(&mut attributes, info);
    Key::of_attributes(&attributes, info).display(info)
}

/// DynamoDB's rules on a whole item to write, checked before it is sent:
/// its size (`size`) within the item limit, and its table and index key
/// values within the key rules; every broken rule is reported.
pub(crate) fn admit(
    attributes: &codec::Attributes,
    size: usize,
    key: &Key,
    info: &ModelInfo,
    table: &str,
) -> Result<usize> {
    let mut errors = validate::Errors::new();
    if size > MAX_ITEM_BYTES {
        errors.push(
            &PathNode::ROOT,
            ErrorKind::Length,
            format!("item is about {size} bytes; DynamoDB's limit is {MAX_ITEM_BYTES}"),
        );
    }
    key::check_item_keys(attributes, info, &mut errors);
    if errors.is_empty() {
        Ok(size)
    } else {
        Err(Error::Validation {
            table: table.to_owned(),
            key: key.display(info),
            errors,
        })
    }
}
