//! [`Value`]: DynamoDB's data model.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::Shown;
use crate::number::Number;
use crate::sets::Set;

/// A map attribute (and an item): keys in sorted order.
pub type Map = BTreeMap<String, Value>;

/// Any value DynamoDB can store.
///
/// Accessors follow `serde_json::Value`: `is_*`, `as_*`, and `get` by key or
/// index.
///
/// ```
/// use validate::{Value, Number};
/// let item: Value = [("episode", Value::from(1)), ("name", Value::from("Hangar"))]
///     .into_iter()
///     .collect();
/// assert_eq!(item.get("episode").and_then(Value::as_i64), Some(1));
/// assert_eq!(item["name"].as_str(), Some("Hangar"));
/// assert!(item.get("missing").is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// `NULL`.
    #[default]
    Null,
    /// `BOOL`.
    Bool(bool),
    /// `N`.
    Number(Number),
    /// `S`.
    String(String),
    /// `B`.
    Binary(Vec<u8>),
    /// `L`.
    List(Vec<Value>),
    /// `M`.
    Map(Map),
    /// `SS`.
    StringSet(Set<String>),
    /// `NS`.
    NumberSet(Set<Number>),
    /// `BS`.
    BinarySet(Set<Vec<u8>>),
}

/// The type of a [`Value`], for messages and schema introspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// `NULL`.
    Null,
    /// `BOOL`.
    Bool,
    /// `N`.
    Number,
    /// `S`.
    String,
    /// `B`.
    Binary,
    /// `L`.
    List,
    /// `M`.
    Map,
    /// `SS`.
    StringSet,
    /// `NS`.
    NumberSet,
    /// `BS`.
    BinarySet,
}

impl ValueType {
    /// A short English name: `string`, `number set`, …
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Null => "null",
            ValueType::Bool => "boolean",
            ValueType::Number => "number",
            ValueType::String => "string",
            ValueType::Binary => "binary",
            ValueType::List => "list",
            ValueType::Map => "map",
            ValueType::StringSet => "string set",
            ValueType::NumberSet => "number set",
            ValueType::BinarySet => "binary set",
        }
    }

    /// Whether this is one of the three set types.
    pub fn is_set(self) -> bool {
        matches!(
            self,
            ValueType::StringSet | ValueType::NumberSet | ValueType::BinarySet
        )
    }

    /// The empty value of a set type (what an absent set attribute reads as).
    pub fn empty_set(self) -> Option<Value> {
        match self {
            ValueType::StringSet => Some(Value::StringSet(Set::new())),
            ValueType::NumberSet => Some(Value::NumberSet(Set::new())),
            ValueType::BinarySet => Some(Value::BinarySet(Set::new())),
            _ => None,
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

static NULL: Value = Value::Null;

/// Type and value of a [`Value`] for messages: `string "abc"`, `null`.
pub(crate) struct Described<'a>(&'a Value);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            v => write!(f, "{} {}", v.value_type(), v.shown()),
        }
    }
}

impl Value {
    /// The type of this value.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::Null => ValueType::Null,
            Value::Bool(_) => ValueType::Bool,
            Value::Number(_) => ValueType::Number,
            Value::String(_) => ValueType::String,
            Value::Binary(_) => ValueType::Binary,
            Value::List(_) => ValueType::List,
            Value::Map(_) => ValueType::Map,
            Value::StringSet(_) => ValueType::StringSet,
            Value::NumberSet(_) => ValueType::NumberSet,
            Value::BinarySet(_) => ValueType::BinarySet,
        }
    }

    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// Whether this is a boolean.
    pub fn is_bool(&self) -> bool {
        matches!(self, Value::Bool(_))
    }
    /// Whether this is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }
    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }
    /// Whether this is binary.
    pub fn is_binary(&self) -> bool {
        matches!(self, Value::Binary(_))
    }
    /// Whether this is a list.
    pub fn is_list(&self) -> bool {
        matches!(self, Value::List(_))
    }
    /// Whether this is a map.
    pub fn is_map(&self) -> bool {
        matches!(self, Value::Map(_))
    }
    /// Whether this is a string, number or binary set.
    pub fn is_set(&self) -> bool {
        self.value_type().is_set()
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    /// The number as `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }
    /// The number as `u64`, if it is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }
    /// The number as `f64`, if exactly representable (see [`Number::as_f64`]).
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// The bytes, if this is binary.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Binary(b) => Some(b),
            _ => None,
        }
    }
    /// The elements, if this is a list.
    pub fn as_list(&self) -> Option<&Vec<Value>> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    /// The elements, if this is a list.
    pub fn as_list_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    /// The entries, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    /// The entries, if this is a map.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    /// The elements, if this is a string set.
    pub fn as_string_set(&self) -> Option<&Set<String>> {
        match self {
            Value::StringSet(s) => Some(s),
            _ => None,
        }
    }
    /// The elements, if this is a number set.
    pub fn as_number_set(&self) -> Option<&Set<Number>> {
        match self {
            Value::NumberSet(s) => Some(s),
            _ => None,
        }
    }
    /// The elements, if this is a binary set.
    pub fn as_binary_set(&self) -> Option<&Set<Vec<u8>>> {
        match self {
            Value::BinarySet(s) => Some(s),
            _ => None,
        }
    }

    /// A map entry (`value.get("name")`) or a list element (`value.get(2)`).
    pub fn get<I: Index>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    /// Mutable form of [`Value::get`].
    pub fn get_mut<I: Index>(&mut self, index: I) -> Option<&mut Value> {
        index.index_into_mut(self)
    }

    /// Takes the value out, leaving `Null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// How many container levels (lists and maps) this value nests.
    pub fn nesting(&self) -> u32 {
        match self {
            Value::List(items) => 1 + items.iter().map(Value::nesting).max().unwrap_or(0),
            Value::Map(map) => 1 + map.values().map(Value::nesting).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Python-like truthiness: null, false, zero and empty things are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => !n.is_zero(),
            Value::String(s) => !s.is_empty(),
            Value::Binary(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::StringSet(s) => !s.is_empty(),
            Value::NumberSet(s) => !s.is_empty(),
            Value::BinarySet(s) => !s.is_empty(),
        }
    }

    /// The value rendered for an error message, cut to a bounded length.
    pub(crate) fn shown(&self) -> Shown<'_> {
        Shown::Value(self)
    }

    /// `string "abc"`, `number 5`: type and value, for type errors.
    pub(crate) fn described(&self) -> Described<'_> {
        Described(self)
    }
}

/// Something that indexes into a [`Value`]: a `&str` key or a `usize` position.
pub trait Index: private::Sealed {
    #[doc(hidden)]
    fn index_into(self, value: &Value) -> Option<&Value>;
    #[doc(hidden)]
    fn index_into_mut(self, value: &mut Value) -> Option<&mut Value>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for &str {}
    impl Sealed for &String {}
}

impl Index for usize {
    fn index_into(self, value: &Value) -> Option<&Value> {
        value.as_list()?.get(self)
    }
    fn index_into_mut(self, value: &mut Value) -> Option<&mut Value> {
        value.as_list_mut()?.get_mut(self)
    }
}

impl Index for &str {
    fn index_into(self, value: &Value) -> Option<&Value> {
        value.as_map()?.get(self)
    }
    fn index_into_mut(self, value: &mut Value) -> Option<&mut Value> {
        value.as_map_mut()?.get_mut(self)
    }
}

impl Index for &String {
    fn index_into(self, value: &Value) -> Option<&Value> {
        self.as_str().index_into(value)
    }
    fn index_into_mut(self, value: &mut Value) -> Option<&mut Value> {
        self.as_str().index_into_mut(value)
    }
}

impl<I: Index> std::ops::Index<I> for Value {
    type Output = Value;
    /// Like `serde_json`: a missing key or index gives `Null`, never a panic.
    fn index(&self, index: I) -> &Value {
        index.index_into(self).unwrap_or(&NULL)
    }
}

fn write_bytes(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    use base64::Engine as _;
    write!(
        f,
        "b64:{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn write_set<T>(
    f: &mut fmt::Formatter<'_>,
    items: &Set<T>,
    each: impl Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_str("<<")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    f.write_str(">>")
}

impl fmt::Display for Value {
    /// JSON-like, with sets written PartiQL-style as `<<"a", "b">>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Binary(b) => write_bytes(f, b),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?}: {v}")?;
                }
                f.write_str("}")
            }
            Value::StringSet(s) => write_set(f, s, |f, x| write!(f, "{x:?}")),
            Value::NumberSet(s) => write_set(f, s, |f, x| write!(f, "{x}")),
            Value::BinarySet(s) => write_set(f, s, |f, x| write_bytes(f, x)),
        }
    }
}

macro_rules! from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Number(Number::from(v))
            }
        }
    )*};
}
from_number!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<Number> for Value {
    fn from(v: Number) -> Value {
        Value::Number(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::String(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::String(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Binary(v)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::List(v)
    }
}
impl From<Map> for Value {
    fn from(v: Map) -> Value {
        Value::Map(v)
    }
}
impl From<Set<String>> for Value {
    fn from(v: Set<String>) -> Value {
        Value::StringSet(v)
    }
}
impl From<Set<Number>> for Value {
    fn from(v: Set<Number>) -> Value {
        Value::NumberSet(v)
    }
}
impl From<Set<Vec<u8>>> for Value {
    fn from(v: Set<Vec<u8>>) -> Value {
        Value::BinarySet(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    /// Collects pairs into a map.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Value {
        Value::Map(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_small() {
        assert!(
            std::mem::size_of::<Value>() <= 32,
            "{}",
            std::mem::size_of::<Value>()
        );
    }

    #[test]
    fn indexes_like_serde_json() {
        let v: Value = [("a", Value::List(vec![Value::from(1), Value::from("x")]))]
            .into_iter()
            .collect();
        assert_eq!(v["a"][1].as_str(), Some("x"));
        assert!(v["b"][7].is_null());
        assert_eq!(
            v.get("a").and_then(|a| a.get(0)).and_then(Value::as_i64),
            Some(1)
        );
    }

    #[test]
    fn displays_sets_partiql_style() {
        let v = Value::StringSet(Set::from(["b".to_owned(), "a".to_owned()]));
        assert_eq!(v.to_string(), r#"<<"a", "b">>"#);
        let n = Value::NumberSet(Set::from([Number::from(2), Number::from(10)]));
        assert_eq!(n.to_string(), "<<2, 10>>");
    }

    #[test]
    fn number_sets_deduplicate_numerically() {
        let s: Set<Number> = ["1", "1.0", "1e0", "2"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(s.len(), 2);
    }
}
