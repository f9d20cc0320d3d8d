//! The save pipeline: struct → validated attributes, at one of two
//! speeds — fast (`direct`: serialized where it lies, each field held to
//! its validator as it is written) or report (the same serializer
//! unchecked, the whole item as a `Value`, validated, every error with its
//! path) — plus DynamoDB's own rules on an
//! item (its size, its key values) and the stored version of a model with
//! migrations. The operations (`put`, `save`, batches, transactions) start
//! here.

use validate::{ErrorKind, PathNode, Value};

use crate::codec::{self, MAX_ITEM_BYTES, key_hash};
use crate::direct;
use crate::error::{Error, KeyDisplay, Result};
use crate::key::{COUNTER_KEY, Key};
use crate::mapper::Mapper;
use crate::migration;
use crate::model::{Model, ModelInfo};

/// A validated item ready to write.
pub(crate) struct Prepared {
    pub(crate) attributes: codec::Attributes,
    pub(crate) key: Key,
    /// The item's size as DynamoDB counts it, as written.
    pub(crate) size: usize,
}

/// A validated item as attributes only: the normalized value's strings
/// moved into them (batch writes, [`Mapper::to_attributes`]).
#[derive(Debug, PartialEq)]
pub(crate) struct Encoded {
    pub(crate) attributes: codec::Attributes,
    /// The item's size as DynamoDB counts it, estimated once.
    pub(crate) size: usize,
    /// The hash of its key ([`key_hash`](crate::codec::key_hash)).
    pub(crate) key_hash: u64,
}

impl Mapper {
    /// [`Mapper::encode`], with the item's key (for single writes and
    /// transactions).
    pub(crate) fn prepare<T: Model>(
        &self,
        model: &T,
        info: &ModelInfo,
        table: &str,
    ) -> Result<Prepared> {
        let Encoded {
            attributes, size, ..
        } = self.encode(model, info, table)?;
        let key = Key::of_attributes(&attributes, info);
        Ok(Prepared {
            attributes,
            key,
            size,
        })
    }

    /// struct → validated attributes: straight (the fast path), else
    /// struct → `Value` → validated, normalized `Value` → attributes (the
    /// report path), the value consumed. An item the fast path cannot
    /// send (too large, a key DynamoDB refuses or one left empty to be
    /// generated) takes the report path, which generates or names it.
    pub(crate) fn encode<T: Model>(
        &self,
        model: &T,
        info: &ModelInfo,
        table: &str,
    ) -> Result<Encoded> {
        if let Some(mut encoded) = direct::encode(model, info) {
            encoded.size += migration::stamp(&mut encoded.attributes, info);
            if encoded.size <= MAX_ITEM_BYTES && keys_fit(&encoded.attributes, info) {
                return Ok(encoded);
            }
        }
        encode_whole(model, info, table)
    }
}

/// Whether an item's key values pass DynamoDB's key rules; when not, the
/// whole-item path reports them.
fn keys_fit(attributes: &codec::Attributes, info: &ModelInfo) -> bool {
    let mut errors = validate::Errors::new();
    crate::key::check_item_keys(attributes, info, &mut errors);
    errors.is_empty()
}

/// The report path from the model's `Value` on: validated and normalized
/// (every error reported), the value's strings moved into the attributes,
/// the version stamped, DynamoDB's rules on the item checked.
pub(crate) fn prepare_value<T: Model>(
    value: Value,
    info: &ModelInfo,
    table: &str,
) -> Result<Prepared> {
    let (value, key) = validated::<T>(value, info, table)?;
    let mut attributes =
        codec::into_item(value).map_err(|e| Error::convert(table, key.display(info), e))?;
    migration::stamp(&mut attributes, info);
    let size = checked_size(&attributes, &key, info, table)?;
    Ok(Prepared {
        attributes,
        key,
        size,
    })
}

/// The report path on the whole item, for batches: its attributes, size
/// and key hash.
pub(crate) fn encode_whole<T: Model>(model: &T, info: &ModelInfo, table: &str) -> Result<Encoded> {
    let Prepared {
        attributes, size, ..
    } = prepare_value::<T>(model_value(model, table)?, info, table)?;
    let key_hash = key_hash::of_item(Some(&attributes), info);
    Ok(Encoded {
        attributes,
        size,
        key_hash,
    })
}

/// The model as a `Value` (serialized unchecked by the one serializer),
/// the first step of the report path. A value with
/// no DynamoDB form (a NaN, a number past 38 digits, a map with keys that
/// are not strings) is a validation error at its path, reported like any
/// other bad attribute.
pub(crate) fn model_value<T: serde::Serialize>(model: &T, table: &str) -> Result<Value> {
    direct::to_value(model).map_err(|e| {
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
        // An empty set is an absent attribute in DynamoDB, and the other
        // way round: a default (the original's `cheats = {"Konami"}`)
        // fills it, and a required set is there, empty (stored absent,
        // as a load reads it back), for its validator to judge.
        for (name, set_type) in &info.sets {
            let empty = map.get(name).is_none_or(is_empty_collection);
            if !empty {
                continue;
            }
            let required = info
                .schema
                .get(name)
                .is_some_and(|f| matches!(f.presence(), validate::Presence::Required));
            match set_type.empty_set() {
                Some(set) if required => {
                    map.insert(name.clone(), set);
                }
                _ => {
                    map.remove(name);
                }
            }
        }
        // A key with a default (a generator: constant key defaults are
        // refused with the model) left empty is not set yet: generated,
        // so a plain `String` key works as an `Option<String>` one does.
        // No item can hold an empty key, so nothing else is meant by it.
        for part in std::iter::once(&info.hash).chain(&info.range) {
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
            key: Key::of_item(&value, info).display(info),
            errors,
        });
    }
    let key = Key::of_item(&value, info);
    if T::AUTO_INCREMENT && key.hash == Value::from(COUNTER_KEY) {
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

/// An empty list or set: what a set attribute is when it has nothing
/// (stored absent).
fn is_empty_collection(value: &Value) -> bool {
    match value {
        Value::List(items) => items.is_empty(),
        other => other.is_set() && !other.is_truthy(),
    }
}

/// The item's size as DynamoDB counts it, refused above its item limit.
fn checked_size(
    attributes: &codec::Attributes,
    key: &Key,
    info: &ModelInfo,
    table: &str,
) -> Result<usize> {
    admit(
        attributes,
        crate::codec::item_size(attributes),
        key,
        info,
        table,
    )
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
    crate::key::check_item_keys(attributes, info, &mut errors);
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
