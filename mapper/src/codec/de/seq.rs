//! Lists and string sets, element by element.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use validate::{Segment, Value};

use super::value::De;
use crate::codec::fast::Check;

/// A list's elements, each held to `check` (if the list has one) as it is
/// handed over.
pub(super) struct Elements<'a> {
    pub(super) items: std::slice::Iter<'a, AttributeValue>,
    pub(super) check: Option<Check<'a>>,
    /// The next element's index, for the path of an error in it.
    pub(super) index: usize,
}

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = validate::Error;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, validate::Error> {
        let (check, index) = (self.check, self.index);
        self.index += 1;
        self.items
            .next()
            .map(|attribute| {
                seed.deserialize(De { attribute, check })
                    .map_err(|e| e.within(Segment::Index(index)))
            })
            .transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A string set's element as a serde deserializer, giving what the same
/// element as a `Value::String` gives, without the `Value` in between.
/// The set was checked whole before its first element is handed over.
pub(super) struct Str<'a>(&'a str);

impl Str<'_> {
    /// The element as a `Value`, for the requests a string cannot meet
    /// (numbers, enums): the `Value` deserializer gives the answer.
    #[cold]
    #[inline(never)]
    fn value(&self) -> Result<Value, validate::Error> {
        Ok(Value::String(self.0.to_owned()))
    }
}

impl<'de> de::Deserializer<'de> for Str<'_> {
    type Error = validate::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        visitor.visit_string(self.0.to_owned())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, validate::Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, validate::Error> {
        visitor.visit_newtype_struct(self)
    }

    same_as_value!();

    as_value! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    serde::forward_to_deserialize_any! {
        bool char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier
    }
}

pub(super) struct Strings<'a>(pub(super) std::slice::Iter<'a, String>);

impl<'de> SeqAccess<'de> for Strings<'_> {
    type Error = validate::Error;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, validate::Error> {
        self.0.next().map(|s| seed.deserialize(Str(s))).transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}
