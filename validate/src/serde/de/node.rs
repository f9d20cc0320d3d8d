//! The nodes `validate` reads: an owned [`Value`], and a string set's
//! element where it lies.

use std::borrow::Cow;
use std::collections::btree_map;

use super::{Entries, Node, Open};
use crate::error::Result;
use crate::value::Value;

impl<'a> Node<'a> for Value {
    type Elements = std::vec::IntoIter<Value>;
    type Entries = btree_map::IntoIter<String, Value>;
    type Strings = std::iter::Empty<&'a str>;

    fn open(self) -> Result<Open<'a, Value>> {
        Ok(match self {
            Value::List(items) => Open::List(items.into_iter()),
            Value::Map(map) => Open::Map(map.into_iter()),
            other => Open::Value(other),
        })
    }
    fn value(self) -> Result<Value> {
        Ok(self)
    }
    fn digits(&self) -> Result<Option<Cow<'a, str>>> {
        Ok(match self {
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        })
    }
    fn is_null(&self) -> Result<bool> {
        Ok(matches!(self, Value::Null))
    }
    fn is_binary(&self) -> bool {
        matches!(self, Value::Binary(_))
    }
}

impl<'a> Entries<'a, Value> for btree_map::IntoIter<String, Value> {
    fn next_entry(&mut self) -> Result<Option<(Cow<'a, str>, Value)>> {
        Ok(self.next().map(|(key, value)| (Cow::Owned(key), value)))
    }
    fn left(&self) -> Option<usize> {
        Some(self.len())
    }
}

/// A string set's element, read where it lies: what the same element as
/// a `Value::String` reads as.
impl<'a> Node<'a> for &'a str {
    type Elements = std::iter::Empty<&'a str>;
    type Entries = NoEntries;
    type Strings = std::iter::Empty<&'a str>;

    fn open(self) -> Result<Open<'a, &'a str>> {
        Ok(Open::Str(self))
    }
    fn value(self) -> Result<Value> {
        Ok(Value::String(self.to_owned()))
    }
    fn digits(&self) -> Result<Option<Cow<'a, str>>> {
        Ok(None)
    }
    fn is_null(&self) -> Result<bool> {
        Ok(false)
    }
    fn is_binary(&self) -> bool {
        false
    }
}

/// The entries of a node that is never a map.
#[derive(Debug)]
pub struct NoEntries;

impl<'a, N> Entries<'a, N> for NoEntries {
    fn next_entry(&mut self) -> Result<Option<(Cow<'a, str>, N)>> {
        Ok(None)
    }
    fn left(&self) -> Option<usize> {
        Some(0)
    }
}

/// Each method of a `Value` as a deserializer, by the [`Deserializer`].
///
/// [`Deserializer`]: super::Deserializer
macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            super::Deserializer(self).$method(visitor)
        }
    )*};
}

/// A `Value` is a deserializer itself, as [`from_value`](super::from_value)
/// reads it.
impl<'de> serde::de::Deserializer<'de> for Value {
    type Error = crate::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        super::Deserializer(self).deserialize_unit_struct(name, visitor)
    }
    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        super::Deserializer(self).deserialize_newtype_struct(name, visitor)
    }
    fn deserialize_tuple<V: serde::de::Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        super::Deserializer(self).deserialize_tuple(len, visitor)
    }
    fn deserialize_tuple_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        super::Deserializer(self).deserialize_tuple_struct(name, len, visitor)
    }
    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        super::Deserializer(self).deserialize_struct(name, fields, visitor)
    }
    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        super::Deserializer(self).deserialize_enum(name, variants, visitor)
    }
}
