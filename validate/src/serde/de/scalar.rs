//! The rules of the shapes read by their `Value`: numbers (exact or an
//! error), binary, sets, enums, and any shape asked of a value that is
//! not it (an error naming both).

use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, Unexpected, VariantAccess, Visitor,
};

use super::Deserializer;
use super::access::{visit_map, visit_seq};
use crate::NumberProblem;
use crate::error::{Error, Result};
use crate::number::Number;
use crate::path::Segment;
use crate::value::Value;

impl Value {
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Unexpected::Signed(i),
                None => n
                    .as_f64()
                    .map_or(Unexpected::Other("number"), Unexpected::Float),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Binary(b) => Unexpected::Bytes(b),
            Value::List(_) => Unexpected::Seq,
            Value::Map(_) => Unexpected::Map,
            Value::StringSet(_) => Unexpected::Other("string set"),
            Value::NumberSet(_) => Unexpected::Other("number set"),
            Value::BinarySet(_) => Unexpected::Other("binary set"),
        }
    }

    fn invalid_type<E: de::Error>(&self, exp: &dyn de::Expected) -> E {
        de::Error::invalid_type(self.unexpected(), exp)
    }
}

/// Values, each read by the [`Deserializer`].
fn nodes<I: IntoIterator<Item = Value>>(
    items: I,
) -> impl ExactSizeIterator<Item = Deserializer<Value>>
where
    I::IntoIter: ExactSizeIterator,
{
    items.into_iter().map(Deserializer)
}

pub(super) fn deserialize_any<'de, V: Visitor<'de>>(value: Value, visitor: V) -> Result<V::Value> {
    match value {
        Value::Null => visitor.visit_unit(),
        Value::Bool(b) => visitor.visit_bool(b),
        Value::Number(n) => visit_number(n, visitor),
        Value::String(s) => visitor.visit_string(s),
        Value::Binary(b) => visitor.visit_byte_buf(b),
        Value::List(items) => visit_seq(nodes(items), visitor),
        Value::Map(map) => visit_map(map.into_iter(), visitor),
        Value::StringSet(s) => visit_seq(nodes(s.into_iter().map(Value::String)), visitor),
        Value::NumberSet(s) => visit_seq(nodes(s.into_iter().map(Value::Number)), visitor),
        Value::BinarySet(s) => visit_seq(nodes(s.into_iter().map(Value::Binary)), visitor),
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: Number, visitor: V) -> Result<V::Value> {
    if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i128() {
        visitor.visit_i128(i)
    } else if let Some(f) = n.as_f64() {
        visitor.visit_f64(f)
    } else {
        // Neither an integer nor exactly a double: hand over the exact text.
        visitor.visit_string(n.to_string())
    }
}

macro_rules! numbers {
    ($($method:ident => $t:ty, $visit:ident;)*) => {$(
        pub(super) fn $method<'de, V: Visitor<'de>>(value: Value, visitor: V) -> Result<V::Value> {
            match value {
                Value::Number(n) => visitor.$visit(<$t>::try_from(n)?),
                other => Err(other.invalid_type(&visitor)),
            }
        }
    )*};
}

numbers! {
    deserialize_i8 => i8, visit_i8;
    deserialize_i16 => i16, visit_i16;
    deserialize_i32 => i32, visit_i32;
    deserialize_i64 => i64, visit_i64;
    deserialize_i128 => i128, visit_i128;
    deserialize_u8 => u8, visit_u8;
    deserialize_u16 => u16, visit_u16;
    deserialize_u32 => u32, visit_u32;
    deserialize_u64 => u64, visit_u64;
    deserialize_f64 => f64, visit_f64;
}

pub(super) fn deserialize_u128<'de, V: Visitor<'de>>(value: Value, visitor: V) -> Result<V::Value> {
    match value {
        Value::Number(n) => visitor.visit_u128(
            u128::try_from(i128::try_from(n)?)
                .map_err(|_| Error::number(n, NumberProblem::Overflow("u128")))?,
        ),
        other => Err(other.invalid_type(&visitor)),
    }
}

pub(super) fn deserialize_f32<'de, V: Visitor<'de>>(value: Value, visitor: V) -> Result<V::Value> {
    match value {
        Value::Number(n) => {
            let wide = f64::try_from(n)?;
            let narrow = wide as f32;
            // Exact as f32 when the f32 prints back as the same number.
            match Number::try_from(narrow) {
                Ok(back) if back == n => visitor.visit_f32(narrow),
                _ => Err(Error::number(n, NumberProblem::Inexact("f32"))),
            }
        }
        other => Err(other.invalid_type(&visitor)),
    }
}

pub(super) fn deserialize_bytes<'de, V: Visitor<'de>>(
    value: Value,
    visitor: V,
) -> Result<V::Value> {
    match value {
        Value::Binary(b) => visitor.visit_byte_buf(b),
        Value::String(s) => visitor.visit_string(s),
        other => deserialize_any(other, visitor),
    }
}

pub(super) fn deserialize_byte_buf<'de, V: Visitor<'de>>(
    value: Value,
    visitor: V,
) -> Result<V::Value> {
    deserialize_bytes(value, visitor)
}

/// Binary read as a sequence is its bytes.
pub(super) fn deserialize_seq<'de, V: Visitor<'de>>(value: Value, visitor: V) -> Result<V::Value> {
    match value {
        Value::Binary(b) => visit_seq(nodes(b.into_iter().map(Value::from)), visitor),
        other => deserialize_any(other, visitor),
    }
}

/// An enum: a unit variant from its name, any other from a map of one
/// entry, the variant's name to its value.
pub(super) fn deserialize_enum<'de, V: Visitor<'de>>(
    value: Value,
    _name: &'static str,
    _variants: &'static [&'static str],
    visitor: V,
) -> Result<V::Value> {
    match value {
        Value::String(variant) => visitor.visit_enum(Variant {
            variant,
            value: None,
        }),
        Value::Map(map) if map.len() == 1 => {
            let Some((variant, value)) = map.into_iter().next() else {
                return Err(de::Error::custom("an enum map must have exactly one key"));
            };
            visitor.visit_enum(Variant {
                variant,
                value: Some(value),
            })
        }
        other => Err(de::Error::invalid_type(
            other.unexpected(),
            &"a string or a map with one key",
        )),
    }
}

/// An enum's variant, and its value (none for a unit variant by name).
struct Variant {
    variant: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = Variant;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Variant)> {
        let variant = seed.deserialize(IntoDeserializer::<Error>::into_deserializer(
            self.variant.as_str(),
        ))?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for Variant {
    type Error = Error;
    fn unit_variant(self) -> Result<()> {
        match self.value {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(
                other.unexpected(),
                &"a unit variant",
            )),
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        let value = self.value.unwrap_or(Value::Null);
        seed.deserialize(Deserializer(value))
            .map_err(|e| e.within(Segment::key(self.variant)))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        match self.value {
            Some(Value::List(items)) => {
                visit_seq(nodes(items), visitor).map_err(|e| e.within(Segment::key(self.variant)))
            }
            other => Err(de::Error::invalid_type(
                other.as_ref().map_or(Unexpected::Unit, Value::unexpected),
                &"a list",
            )),
        }
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.value {
            Some(Value::Map(map)) => visit_map(map.into_iter(), visitor)
                .map_err(|e| e.within(Segment::key(self.variant))),
            other => Err(de::Error::invalid_type(
                other.as_ref().map_or(Unexpected::Unit, Value::unexpected),
                &"a map",
            )),
        }
    }
}
