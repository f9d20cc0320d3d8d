//! One attribute as a serde deserializer.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{self, IgnoredAny, Visitor};
use validate::Value;

use super::map::Entries;
use super::refused;
use super::seq::{Elements, Strings};
use crate::codec::fast::{Check, Inner};
use crate::codec::{self, read_decimal};

/// An attribute as a serde deserializer, giving what the same attribute
/// as a `Value` gives. Lists and maps are walked where they lie; every
/// other shape is read as a `Value` (one string copy, as the raw client
/// makes) and handed to the `Value` deserializer, so the rules are its own.
///
/// With a [`Check`], the attribute is held to it before anything of it is
/// handed over, and its elements or entries to theirs as they are.
pub(super) struct De<'a> {
    pub(super) attribute: &'a AttributeValue,
    pub(super) check: Option<Check<'a>>,
}

impl<'a> De<'a> {
    /// An attribute already checked (by its report check).
    pub(super) fn trusted(attribute: &'a AttributeValue) -> De<'a> {
        De {
            attribute,
            check: None,
        }
    }

    /// Holds the attribute to its check, if it has one: the checks of its
    /// contents, or `Ok(None)` when it has none (checked already).
    fn held(&self) -> Result<Option<Inner<'a>>, validate::Error> {
        match self.check {
            None => Ok(None),
            Some(check) => check.stored(self.attribute).map(Some).ok_or_else(refused),
        }
    }

    /// The stored digits of a number attribute, held to its check; `None`
    /// for another shape.
    pub(super) fn number_text(&self) -> Result<Option<&'a str>, validate::Error> {
        match self.attribute {
            AttributeValue::N(text) => {
                self.held()?;
                Ok(Some(text))
            }
            _ => Ok(None),
        }
    }

    /// The attribute, held to its check, as a `Value`, for the shapes not
    /// read where they lie.
    #[cold]
    #[inline(never)]
    fn value(&self) -> Result<Value, validate::Error> {
        self.held()?;
        self.read()
    }

    /// The attribute as a `Value`, once it passed its check. Cold: the
    /// common shapes are read where they lie, and this keeps each
    /// visitor's code short.
    #[cold]
    #[inline(never)]
    fn read(&self) -> Result<Value, validate::Error> {
        codec::from_attribute(self.attribute).map_err(de::Error::custom)
    }
}

/// Each element of a list or set has been handed over: one left over
/// means the visitor wanted fewer than there are.
fn all_taken<T>(out: T, left: usize, len: usize) -> Result<T, validate::Error> {
    if left == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements"))
    }
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = validate::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        let inner = self.held()?;
        match self.attribute {
            AttributeValue::L(items) => {
                let check = match inner {
                    Some(Inner::Elements(check)) => Some(check),
                    _ => None,
                };
                let mut seq = Elements {
                    items: items.iter(),
                    check,
                    index: 0,
                };
                let out = visitor.visit_seq(&mut seq)?;
                all_taken(out, seq.items.len(), items.len())
            }
            AttributeValue::M(map) => {
                let check = match inner {
                    Some(Inner::Entries(check)) => Some(check),
                    _ => None,
                };
                let mut entries = Entries::new(map.iter().map(|(k, a)| (k.as_str(), a)), check);
                let out = visitor.visit_map(&mut entries)?;
                // A visitor that stopped early left entries unchecked.
                match entries.check {
                    Some(_) if !entries.finished => Err(refused()),
                    _ => Ok(out),
                }
            }
            // Already as a `Set` keeps it (sorted, unique): walked where it
            // lies, each element read as the `Value` path reads it.
            AttributeValue::Ss(set) if set.windows(2).all(|w| w[0] < w[1]) => {
                let mut seq = Strings(set.iter());
                let out = visitor.visit_seq(&mut seq)?;
                all_taken(out, seq.0.len(), set.len())
            }
            AttributeValue::S(s) => visitor.visit_string(s.clone()),
            AttributeValue::N(text) => match text.parse::<i64>() {
                // What the `Value` path gives an integer that fits an i64.
                Ok(i) => visitor.visit_i64(i),
                Err(_) => self.read()?.deserialize_any(visitor),
            },
            _ => self.read()?.deserialize_any(visitor),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            // Read once, and checked as the integer it reads as.
            AttributeValue::N(text) if let Ok(i) = text.parse::<i64>() => match self.check {
                Some(check) if !check.int(i) => Err(refused()),
                _ => visitor.visit_i64(i),
            },
            _ => self.value()?.deserialize_i64(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            AttributeValue::N(text) if let Some(f) = read_decimal(text) => {
                self.held()?;
                visitor.visit_f64(f)
            }
            _ => self.value()?.deserialize_f64(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            AttributeValue::Null(_) => {
                self.held()?;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    /// Binary read as a sequence is its bytes, as the `Value` deserializer
    /// reads it: a plain `Vec<u8>` field reads back what `bytes()` stored.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            AttributeValue::B(_) => self.value()?.deserialize_seq(visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    /// Nothing, once checked: every attribute passes its check, read or not.
    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, validate::Error> {
        if self.check.is_some() {
            self.deserialize_any(IgnoredAny)?;
        }
        visitor.visit_unit()
    }

    /// A newtype wraps the attribute itself; a `validate::Number` reads
    /// the stored digits, exact.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, validate::Error> {
        if name == validate::NUMBER_MARKER
            && let Some(text) = self.number_text()?
        {
            return visitor.visit_str(text);
        }
        visitor.visit_newtype_struct(self)
    }

    same_as_value!();

    as_value! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_bytes deserialize_byte_buf
    }

    serde::forward_to_deserialize_any! {
        bool char str string unit unit_struct tuple tuple_struct map struct identifier
    }
}
