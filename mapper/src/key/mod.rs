//! Item keys: what `get`, `delete` and `query` take.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{Number, PathNode, Value};

use crate::codec;

pub(crate) mod hash;
pub(crate) mod template;
use crate::error::{Error, KeyDisplay, Result};
use crate::limits::{MAX_HASH_KEY_BYTES, MAX_RANGE_KEY_BYTES};
use crate::model::{KeyAttribute, KeyType, ModelInfo};
pub use template::KeyTemplate;

/// The hash key value reserved for the auto-increment counter item.
pub const COUNTER_KEY: i64 = -1;
/// The counter item's attribute holding the last key handed out (the
/// original dynamodb-mapper's name, so tables stay compatible).
pub const COUNTER_ATTRIBUTE: &str = "__max_hash_key__";

/// Whether `hash` (a hash key attribute) is the auto-increment counter
/// item's: reserved in an auto-increment model's table, never an item of
/// the model.
pub(crate) fn is_counter(hash: Option<&AttributeValue>) -> bool {
    matches!(hash, Some(AttributeValue::N(n)) if n.parse::<i64>() == Ok(COUNTER_KEY))
}

/// The key attributes of an item's attributes (those it has).
pub(crate) fn attributes_of(attributes: &codec::Attributes, info: &ModelInfo) -> codec::Attributes {
    info.key_parts()
        .filter_map(|k| attributes.get(&k.name).map(|v| (k.name.clone(), v.clone())))
        .collect()
}

/// The counter item's hash key, as an attribute.
pub(crate) fn counter_attribute() -> AttributeValue {
    AttributeValue::N(COUNTER_KEY.to_string())
}

/// A hash key, and a range key for tables that have one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The hash key value.
    pub hash: Value,
    /// The range key value.
    pub range: Option<Value>,
}

/// The key's values, `"ann"` or `"ann", 7`: what an item is found by.
impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.range {
            None => write!(f, "{}", self.hash),
            Some(range) => write!(f, "{}, {range}", self.hash),
        }
    }
}

/// Anything usable as a key: a scalar (`1`, `"abc"`) for a hash key, a
/// pair (`(1, 5)`) for hash and range.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an item's key",
    label = "not a key",
    note = "a key is a string, a number or bytes (`\"abc\"`, `7`), or a pair of them for a hash and a range key (`(\"abc\", 7)`)"
)]
pub trait IntoKey {
    /// The key.
    fn into_key(self) -> Key;
}

impl IntoKey for Key {
    fn into_key(self) -> Key {
        self
    }
}

/// A scalar usable as one part of a key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a key",
    label = "not a key part",
    note = "a key part is a string, an integer or bytes; for another type, pass the value it is stored as"
)]
pub trait KeyPart {
    /// The part as a value.
    fn into_part(self) -> Value;
}

/// A value given for a key part whose field type is `K` (a typed
/// handle's key, `Order::PRIMARY.key(…)`, `query_index(…)`): a `K`, or
/// text for a `String` key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of the key's type `{K}`",
    label = "expected a `{K}` here",
    note = "a typed handle (`Order::PRIMARY`, `Order::BY_STATUS`) takes its key fields' own types; `mapper.get::<Order>(…)` and `mapper.query::<Order>(…)` take any key part"
)]
pub trait PartFor<K> {
    /// The part as a value.
    fn into_part_for(self) -> Value;
}

impl<K: KeyPart> PartFor<K> for K {
    fn into_part_for(self) -> Value {
        self.into_part()
    }
}

impl PartFor<String> for &str {
    fn into_part_for(self) -> Value {
        Value::from(self)
    }
}

impl PartFor<String> for &String {
    fn into_part_for(self) -> Value {
        Value::from(self.as_str())
    }
}

macro_rules! key_part {
    ($($t:ty),*) => {$(
        impl KeyPart for $t {
            fn into_part(self) -> Value {
                Value::from(self)
            }
        }
        impl IntoKey for $t {
            fn into_key(self) -> Key {
                Key { hash: Value::from(self), range: None }
            }
        }
    )*};
}
key_part!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    usize,
    isize,
    Number,
    String,
    &str,
    Vec<u8>
);

impl KeyPart for Value {
    fn into_part(self) -> Value {
        self
    }
}

impl IntoKey for Value {
    fn into_key(self) -> Key {
        Key {
            hash: self,
            range: None,
        }
    }
}

impl<H: KeyPart, R: KeyPart> IntoKey for (H, R) {
    fn into_key(self) -> Key {
        Key {
            hash: self.0.into_part(),
            range: Some(self.1.into_part()),
        }
    }
}

/// Whether a key attribute is a partition or a sort key (of the table or
/// of an index): the two have different size limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Hash,
    Range,
}

impl Role {
    fn max_bytes(self) -> usize {
        match self {
            Role::Hash => MAX_HASH_KEY_BYTES,
            Role::Range => MAX_RANGE_KEY_BYTES,
        }
    }
}

/// DynamoDB's rules for a key attribute's value, table or index key: a
/// string or binary is not empty and fits the role's size limit. Records
/// the broken rule at `path`.
pub(crate) fn check_key_value(
    value: &AttributeValue,
    role: Role,
    path: &PathNode<'_>,
    errors: &mut validate::Errors,
) -> bool {
    let bytes = match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        _ => return true,
    };
    let max = role.max_bytes();
    if bytes == 0 {
        errors.push(
            path,
            validate::ErrorKind::Length,
            "a key attribute cannot be an empty string or binary",
        );
        false
    } else if bytes > max {
        let which = match role {
            Role::Hash => "partition",
            Role::Range => "sort",
        };
        errors.push(
            path,
            validate::ErrorKind::Length,
            format!("a {which} key value is {bytes} bytes; DynamoDB's limit is {max}"),
        );
        false
    } else {
        true
    }
}

/// Checks the key attributes of an item to write, the table's and every
/// index's, against [`check_key_value`]; a missing index key is fine
/// (the item is not indexed).
pub(crate) fn check_item_keys(
    attributes: &codec::Attributes,
    info: &ModelInfo,
    errors: &mut validate::Errors,
) {
    let indexes = info.indexes.iter().flat_map(|i| {
        std::iter::once((&i.hash, Role::Hash)).chain(i.range.iter().map(|r| (r, Role::Range)))
    });
    check_parts(attributes, table_parts(info).chain(indexes), errors);
}

/// Checks the table's key attributes of stored or written attributes
/// against [`check_key_value`].
pub(crate) fn check_table_keys(
    attributes: &codec::Attributes,
    info: &ModelInfo,
    errors: &mut validate::Errors,
) {
    check_parts(attributes, table_parts(info), errors);
}

/// The table's key attributes with their roles.
fn table_parts(info: &ModelInfo) -> impl Iterator<Item = (&KeyAttribute, Role)> {
    std::iter::once((&info.hash, Role::Hash)).chain(info.range.iter().map(|r| (r, Role::Range)))
}

/// [`check_key_value`] on each of `parts` present in `attributes`. A
/// number key is not looked up: the rule is about the bytes of a string
/// or binary (a number is never empty, and its 38 digits are within any
/// key limit), so it always passes.
fn check_parts<'a>(
    attributes: &codec::Attributes,
    parts: impl Iterator<Item = (&'a KeyAttribute, Role)>,
    errors: &mut validate::Errors,
) {
    let root = PathNode::ROOT;
    for (attr, role) in parts.filter(|(attr, _)| attr.key_type != KeyType::Number) {
        if let Some(value) = attributes.get(&attr.name) {
            check_key_value(value, role, &root.key(&attr.name), errors);
        }
    }
}

/// Checks one key part through its schema validator (so `"7"` works for
/// a coercing number key) and DynamoDB's key rules, and converts it;
/// every failure is recorded.
fn check_part(
    info: &ModelInfo,
    attr: &KeyAttribute,
    role: Role,
    value: &Value,
    errors: &mut validate::Errors,
) -> Option<AttributeValue> {
    let root = PathNode::ROOT;
    let path = root.key(&attr.name);
    if info.template(&attr.name).is_some() {
        // Built from fields: a key as the template made it, text.
        let Value::String(text) = value else {
            errors.push(
                &path,
                validate::ErrorKind::Type,
                format!("the key {} is built from a template: it is text", attr.name),
            );
            return None;
        };
        let checked = AttributeValue::S(text.clone());
        return check_key_value(&checked, role, &path, errors).then_some(checked);
    }
    let Some(field) = info.schema.get(&attr.name) else {
        errors.push(
            &path,
            validate::ErrorKind::Required,
            "the key attribute is not in the schema",
        );
        return None;
    };
    let mut value = value.clone();
    field.validator().check(&mut value, &path, errors).ok()?;
    match codec::to_attribute(&value) {
        Ok(checked) => check_key_value(&checked, role, &path, errors).then_some(checked),
        Err(e) => {
            errors.push(&path, validate::ErrorKind::Type, e.message);
            None
        }
    }
}

/// One key part (a query's hash value or range bound) checked and converted.
pub(crate) fn part_attribute(
    info: &ModelInfo,
    table: &str,
    attr: &KeyAttribute,
    role: Role,
    value: &Value,
) -> Result<AttributeValue> {
    let mut errors = validate::Errors::new();
    match check_part(info, attr, role, value, &mut errors) {
        Some(checked) => Ok(checked),
        None => Err(Error::Validation {
            table: table.to_owned(),
            key: KeyDisplay::new(format!("{}={value}", attr.name)),
            errors,
        }),
    }
}

impl Key {
    /// `episode=1, map=2`, for messages.
    pub(crate) fn display(&self, info: &ModelInfo) -> KeyDisplay {
        self.shown(
            &info.hash.name,
            info.range.as_ref().map(|r| r.name.as_str()),
        )
    }

    /// The key shown with its attributes' names, `hash=…, range=…`: the
    /// one way a key is written in a message.
    pub(crate) fn shown(&self, hash: &str, range: Option<&str>) -> KeyDisplay {
        let mut shown = format!("{hash}={}", self.hash);
        if let (Some(range), Some(value)) = (range, &self.range) {
            shown.push_str(&format!(", {range}={value}"));
        }
        KeyDisplay::new(shown)
    }

    /// Checks the key against the model (each part through its schema
    /// validator, so `"7"` for a coercing number key works) and converts it.
    pub(crate) fn to_attributes(
        &self,
        info: &ModelInfo,
        table: &str,
    ) -> Result<HashMap<String, AttributeValue>> {
        let mut errors = validate::Errors::new();
        let mut out = HashMap::with_capacity(2);
        let mut part = |attr: &KeyAttribute, role, value: &Value, errors: &mut validate::Errors| {
            if let Some(checked) = check_part(info, attr, role, value, errors) {
                out.insert(attr.name.clone(), checked);
            }
        };
        part(&info.hash, Role::Hash, &self.hash, &mut errors);
        match (&info.range, &self.range) {
            (Some(attr), Some(value)) => part(attr, Role::Range, value, &mut errors),
            (Some(attr), None) => {
                let root = PathNode::ROOT;
                errors.push(
                    &root.key(&attr.name),
                    validate::ErrorKind::Required,
                    "the range key is required",
                );
            }
            (None, Some(_)) => {
                return Err(Error::Usage {
                    table: table.to_owned(),
                    message: "a range key was given but the table has none".to_owned(),
                });
            }
            (None, None) => {}
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Error::Validation {
                table: table.to_owned(),
                key: self.display(info),
                errors,
            })
        }
    }

    /// The key parts of an item's attributes (`NULL` for a missing or
    /// unreadable one): the one place a key is read from attributes.
    pub(crate) fn of_attributes(attributes: &codec::Attributes, info: &ModelInfo) -> Key {
        let part = |name: &str| {
            attributes
                .get(name)
                .and_then(|a| codec::from_attribute(a).ok())
                .unwrap_or_default()
        };
        Key {
            hash: part(&info.hash.name),
            range: info.range.as_ref().map(|r| part(&r.name)),
        }
    }

    /// The auto-increment counter item's key.
    pub(crate) fn counter() -> Key {
        Key {
            hash: Value::from(COUNTER_KEY),
            range: None,
        }
    }

    /// Whether this is the counter item's key ([`is_counter`]).
    pub(crate) fn is_counter(&self) -> bool {
        self.hash == Value::from(COUNTER_KEY)
    }

    /// The key of a validated item value.
    pub(crate) fn of_item(value: &Value, info: &ModelInfo) -> Key {
        Key::of_named(
            value,
            &info.hash.name,
            info.range.as_ref().map(|r| r.name.as_str()),
        )
    }

    /// The key of an item value keyed on `hash` (and `range`); a missing
    /// part is `Null`.
    pub(crate) fn of_named(value: &Value, hash: &str, range: Option<&str>) -> Key {
        let part = |name: &str| value.get(name).cloned().unwrap_or_default();
        Key {
            hash: part(hash),
            range: range.map(part),
        }
    }
}
