//! The [`Value`] target: [`to_value`].

use serde::Serialize;

use super::{ListTarget, MapTarget, Serializer, Target};
use crate::error::{Error, Result};
use crate::number::Number;
use crate::sets::Set;
use crate::value::{Map, Value, ValueType};

/// Converts any `Serialize` type into a [`Value`].
///
/// Structs become maps; an `Option::None` field is left out (an absent
/// attribute, not NULL); `Vec<u8>` through `serde_bytes` becomes binary;
/// enums are externally tagged, as in `serde_json`. Collections become lists
/// unless the field uses [`set`](crate::set) (a schema's
/// [`set_of`](crate::set_of) also turns lists into sets).
///
/// # Errors
/// A number DynamoDB cannot store (NaN, more than 38 digits, …) or a map key
/// that is not a string, with the path where it was found.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    Ok(value.serialize(Serializer(Values))?.unwrap_or(Value::Null))
}

/// Writes [`Value`]s, refusing nothing.
#[derive(Clone, Copy, Debug)]
struct Values;

impl Target for Values {
    type Item = Value;
    type Error = Error;
    type List = Vec<Value>;
    type Map = Map;

    fn bool(self, v: bool) -> Result<Value> {
        Ok(Value::Bool(v))
    }
    fn int(self, v: i64) -> Result<Value> {
        Ok(Value::from(v))
    }
    fn number(self, v: Number) -> Result<Value> {
        Ok(Value::Number(v))
    }
    fn float(self, v: f64) -> Result<Value> {
        Number::try_from(v).map(Value::Number)
    }
    fn string(self, v: &str) -> Result<Value> {
        Ok(Value::String(v.to_owned()))
    }
    fn bytes(self, v: &[u8]) -> Result<Value> {
        Ok(Value::Binary(v.to_vec()))
    }
    fn null(self) -> Result<Value> {
        Ok(Value::Null)
    }
    fn value(self, v: Value) -> Result<Value> {
        Ok(v)
    }
    fn list(self, len: usize) -> Result<Vec<Value>> {
        Ok(Vec::with_capacity(len))
    }
    fn map(self, _len: usize) -> Result<Map> {
        Ok(Map::new())
    }
    fn variant(self) -> Result<Values> {
        Ok(self)
    }
    fn tagged(variant: &'static str, item: Value) -> Value {
        Value::Map(Map::from([(variant.to_owned(), item)]))
    }
}

impl ListTarget<Values> for Vec<Value> {
    fn element(&self) -> Values {
        Values
    }
    fn push(&mut self, item: Value) -> Result<()> {
        Vec::push(self, item);
        Ok(())
    }
    fn finish(self) -> Result<Value> {
        Ok(Value::List(self))
    }
}

impl MapTarget<Values> for Map {
    type Entry = ();
    fn entry(&self, _key: &str) -> Result<(Values, ())> {
        Ok((Values, ()))
    }
    fn insert(&mut self, key: String, item: Value, _entry: ()) -> Result<()> {
        Map::insert(self, key, item);
        Ok(())
    }
    fn finish(self) -> Result<Value> {
        Ok(Value::Map(self))
    }
}

/// Turns the list a `#[serde(with = "validate::set")]` field produced into
/// a set, of the first element's type (an empty list is an empty string
/// set); anything but a list is left as it is.
pub(crate) fn into_set(value: Value) -> Result<Value> {
    let Value::List(items) = value else {
        return Ok(value);
    };
    /// The elements, each taken by `take` (all of one type, or an error).
    fn elements<T: Ord>(items: Vec<Value>, take: fn(Value) -> Option<T>) -> Result<Set<T>> {
        items
            .into_iter()
            .map(|item| {
                take(item).ok_or_else(|| Error::Convert {
                    path: crate::Path::root(),
                    message: "set elements must be all strings, all numbers or all binary"
                        .to_owned(),
                })
            })
            .collect()
    }
    Ok(match items.first().map(Value::value_type) {
        None | Some(ValueType::String) => Value::StringSet(elements(items, |v| match v {
            Value::String(s) => Some(s),
            _ => None,
        })?),
        Some(ValueType::Number) => Value::NumberSet(elements(items, |v| match v {
            Value::Number(n) => Some(n),
            _ => None,
        })?),
        Some(ValueType::Binary) => Value::BinarySet(elements(items, |v| match v {
            Value::Binary(b) => Some(b),
            _ => None,
        })?),
        Some(_) => Value::StringSet(elements(items, |_| None)?),
    })
}
