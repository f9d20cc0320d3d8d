//! `from_value`: a [`Value`] into any `Deserialize` type.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};

use crate::error::{Error, Result};
use crate::number::Number;
use crate::path::Segment;
use crate::value::{Map, Value};

/// Converts a [`Value`] into any `Deserialize` type.
///
/// Sets read as sequences (into `HashSet`, `BTreeSet`, `Vec`, …); numbers
/// convert exactly or fail (no silent truncation or rounding); an absent
/// `Option` field is `None`.
///
/// # Errors
/// A value of the wrong shape for `T`, with the path where it was found.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    T::deserialize(value)
}

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

macro_rules! deserialize_number {
    ($($method:ident => $t:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self {
                Value::Number(n) => visitor.$visit(<$t>::try_from(n)?),
                other => Err(other.invalid_type(&visitor)),
            }
        }
    )*};
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

impl<'de> de::Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Binary(b) => visitor.visit_byte_buf(b),
            Value::List(items) => visit_seq(items, visitor),
            Value::Map(map) => visitor.visit_map(MapDeserializer::new(map)),
            Value::StringSet(s) => visit_seq(s.into_iter().map(Value::String), visitor),
            Value::NumberSet(s) => visit_seq(s.into_iter().map(Value::Number), visitor),
            Value::BinarySet(s) => visit_seq(s.into_iter().map(Value::Binary), visitor),
        }
    }

    deserialize_number! {
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

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Value::Number(n) => visitor.visit_u128(
                u128::try_from(i128::try_from(n)?)
                    .map_err(|_| Error::number(n, crate::NumberProblem::Overflow("u128")))?,
            ),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Value::Number(n) => {
                let wide = f64::try_from(n)?;
                let narrow = wide as f32;
                // Exact as f32 when the f32 prints back as the same number.
                match Number::try_from(narrow) {
                    Ok(back) if back == n => visitor.visit_f32(narrow),
                    _ => Err(Error::number(n, crate::NumberProblem::Inexact("f32"))),
                }
            }
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        // A `Number` reads its own text: exact, whatever its size.
        if name == super::NUMBER_MARKER
            && let Value::Number(n) = &self
        {
            return visitor.visit_string(n.to_string());
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self {
            Value::String(variant) => visitor.visit_enum(EnumDeserializer {
                variant,
                value: None,
            }),
            Value::Map(map) if map.len() == 1 => {
                let Some((variant, value)) = map.into_iter().next() else {
                    return Err(de::Error::custom("an enum map must have exactly one key"));
                };
                visitor.visit_enum(EnumDeserializer {
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

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Value::Binary(b) => visitor.visit_byte_buf(b),
            Value::String(s) => visitor.visit_string(s),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    /// Binary read as a sequence is its bytes: a plain `Vec<u8>` field
    /// reads back what `bytes()` stored.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Value::Binary(b) => visit_seq(b.into_iter().map(Value::from), visitor),
            other => other.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool char str string unit unit_struct tuple tuple_struct map struct identifier
    }
}

fn visit_seq<'de, V, I>(items: I, visitor: V) -> Result<V::Value>
where
    V: Visitor<'de>,
    I: IntoIterator<Item = Value>,
    I::IntoIter: ExactSizeIterator,
{
    let items = items.into_iter();
    let len = items.len();
    let mut seq = SeqDeserializer { items, index: 0 };
    let out = visitor.visit_seq(&mut seq)?;
    if seq.items.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements"))
    }
}

struct SeqDeserializer<I> {
    items: I,
    index: usize,
}

impl<'de, I: ExactSizeIterator<Item = Value>> SeqAccess<'de> for SeqDeserializer<I> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(item)
            .map(Some)
            .map_err(|e| e.within(Segment::Index(index)))
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDeserializer<I, K> {
    entries: I,
    pending: Option<(K, Value)>,
}

impl MapDeserializer<std::collections::btree_map::IntoIter<String, Value>, String> {
    fn new(map: Map) -> Self {
        MapDeserializer {
            entries: map.into_iter(),
            pending: None,
        }
    }
}

impl<'de, I, K> MapAccess<'de> for MapDeserializer<I, K>
where
    I: Iterator<Item = (K, Value)>,
    K: AsRef<str>,
{
    type Error = Error;
    fn next_key_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let out = seed
            .deserialize(key.as_ref().into_deserializer())
            .map_err(|e: Error| e.within(Segment::key(key.as_ref())))?;
        self.pending = Some((key, value));
        Ok(Some(out))
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (key, value) = self
            .pending
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("value asked before key"))?;
        seed.deserialize(value)
            .map_err(|e| e.within(Segment::key(key.as_ref())))
    }
    fn size_hint(&self) -> Option<usize> {
        match self.entries.size_hint() {
            (low, Some(high)) if low == high => Some(low),
            _ => None,
        }
    }
}

struct EnumDeserializer {
    variant: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for EnumDeserializer {
    type Error = Error;
    type Variant = VariantDeserializer;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDeserializer)> {
        let variant = seed.deserialize(IntoDeserializer::<Error>::into_deserializer(
            self.variant.as_str(),
        ))?;
        Ok((
            variant,
            VariantDeserializer {
                variant: self.variant,
                value: self.value,
            },
        ))
    }
}

struct VariantDeserializer {
    variant: String,
    value: Option<Value>,
}

impl<'de> VariantAccess<'de> for VariantDeserializer {
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
        seed.deserialize(value)
            .map_err(|e| e.within(Segment::key(self.variant)))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        match self.value {
            Some(Value::List(items)) => {
                visit_seq(items, visitor).map_err(|e| e.within(Segment::key(self.variant)))
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
            Some(Value::Map(map)) => visitor
                .visit_map(MapDeserializer::new(map))
                .map_err(|e| e.within(Segment::key(self.variant))),
            other => Err(de::Error::invalid_type(
                other.as_ref().map_or(Unexpected::Unit, Value::unexpected),
                &"a map",
            )),
        }
    }
}
