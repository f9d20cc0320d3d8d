//! The deserializer: DynamoDB's types → serde's data model, one mapping
//! for every crate, read from a [`Node`].
//!
//! The mapping is here, once: a list or a set reads as a sequence, a map
//! as a map (a struct), NULL as `None` or a unit, a number converts
//! exactly or fails (no silent truncation or rounding), a [`Number`]
//! reads its exact digits, binary reads as bytes or as a sequence of
//! them, an enum from its name or a map of one entry, and every error
//! carries its path.
//!
//! Where each value lies is the node's: an owned [`Value`] for
//! [`from_value`], a stored attribute for the mapper, which also holds
//! each attribute to its field's check as it hands it over.
//!
//! [`Number`]: crate::Number

use std::borrow::Cow;

use serde::de::{self, DeserializeOwned, IgnoredAny, Visitor};

use crate::error::{Error, Result};
use crate::value::Value;

mod access;
mod node;
mod scalar;

pub use access::{EntryAccess, ListAccess};
pub use node::NoEntries;

/// Converts a [`Value`] into any `Deserialize` type.
///
/// Sets read as sequences (into `HashSet`, `BTreeSet`, `Vec`, …); numbers
/// convert exactly or fail (no silent truncation or rounding); an absent
/// `Option` field is `None`.
///
/// # Errors
/// A value of the wrong shape for `T`, with the path where it was found.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    T::deserialize(Deserializer(value))
}

/// A value the [`Deserializer`] reads, where it lies: an owned [`Value`],
/// a string set's element (`&str`), the mapper's stored attribute. A node
/// may refuse to be read (the mapper holds each attribute to its check
/// before handing anything of it over).
pub trait Node<'a>: Sized {
    /// A list's elements.
    type Elements: ExactSizeIterator<Item = Self>;
    /// A map's entries.
    type Entries: Entries<'a, Self>;
    /// A string set's elements, sorted and unique, read where they lie.
    type Strings: ExactSizeIterator<Item = &'a str>;

    /// What the node holds, by the shape it is read in.
    ///
    /// # Errors
    /// The node refuses to be read.
    fn open(self) -> Result<Open<'a, Self>>;

    /// The node as a `Value`, for the shapes read by their `Value`
    /// (numbers but the common ones, binary, sets, enums).
    ///
    /// # Errors
    /// The node refuses to be read, or has no `Value`.
    fn value(self) -> Result<Value>;

    /// An integer that fits an `i64`, read where it lies; `None` to read
    /// the node's `Value`.
    ///
    /// # Errors
    /// The node refuses the integer.
    fn int(&self) -> Result<Option<i64>> {
        Ok(None)
    }

    /// A number read as an `f64` where it lies, when that is exact; `None`
    /// to read the node's `Value`.
    ///
    /// # Errors
    /// The node refuses to be read.
    fn float(&self) -> Result<Option<f64>> {
        Ok(None)
    }

    /// A number's exact digits; `None` for any other shape.
    ///
    /// # Errors
    /// The node refuses to be read.
    fn digits(&self) -> Result<Option<Cow<'a, str>>>;

    /// Whether the node is NULL.
    ///
    /// # Errors
    /// The node refuses to be read.
    fn is_null(&self) -> Result<bool>;

    /// Whether the node is binary.
    fn is_binary(&self) -> bool;

    /// The node, skipped by the model (an unknown field, `IgnoredAny`).
    ///
    /// # Errors
    /// The node refuses it (the mapper checks what is skipped too).
    fn skip(self) -> Result<()> {
        Ok(())
    }
}

/// What a [`Node`] holds, by the shape it is read in.
pub enum Open<'a, N: Node<'a>> {
    /// A list.
    List(N::Elements),
    /// A map.
    Map(N::Entries),
    /// A string set, sorted and unique.
    Strings(N::Strings),
    /// A string, read where it lies.
    Str(&'a str),
    /// A number that is an `i64`.
    Int(i64),
    /// Anything else, as its `Value` (which is no list or map).
    Value(Value),
}

/// A map's entries, for the [`Deserializer`].
pub trait Entries<'a, N> {
    /// The next entry.
    ///
    /// # Errors
    /// The map refuses the entry (or, at the end, to be complete).
    fn next_entry(&mut self) -> Result<Option<(Cow<'a, str>, N)>>;

    /// How many entries are left, if known.
    fn left(&self) -> Option<usize>;

    /// After the model's `Deserialize` read the map: whether what it read
    /// is enough (a checked map must be read to its end).
    ///
    /// # Errors
    /// The map refuses the read.
    fn done(&self) -> Result<()> {
        Ok(())
    }
}

/// Serde's deserializer over a [`Node`].
#[derive(Clone, Copy, Debug)]
pub struct Deserializer<N>(pub N);

/// Methods read from the node's `Value` by the scalar rules.
macro_rules! by_value {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            scalar::$method(self.0.value()?, visitor)
        }
    )*};
}

impl<'de, 'a, N: Node<'a>> de::Deserializer<'de> for Deserializer<N> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0.open()? {
            Open::List(items) => access::visit_seq(items.map(Deserializer), visitor),
            Open::Map(entries) => access::visit_map(entries, visitor),
            Open::Strings(strings) => access::visit_seq(strings.map(Deserializer), visitor),
            Open::Str(s) => visitor.visit_string(s.to_owned()),
            Open::Int(i) => visitor.visit_i64(i),
            Open::Value(value) => scalar::deserialize_any(value, visitor),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0.int()? {
            Some(i) => visitor.visit_i64(i),
            None => scalar::deserialize_i64(self.0.value()?, visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0.float()? {
            Some(f) => visitor.visit_f64(f),
            None => scalar::deserialize_f64(self.0.value()?, visitor),
        }
    }

    by_value! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_bytes deserialize_byte_buf
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.0.is_null()? {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// A newtype wraps the value itself; a [`Number`](crate::Number)
    /// reads its own digits, exact, whatever its size.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == super::NUMBER_MARKER {
            match self.0.digits()? {
                Some(Cow::Borrowed(digits)) => return visitor.visit_str(digits),
                Some(Cow::Owned(digits)) => return visitor.visit_string(digits),
                None => {}
            }
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        scalar::deserialize_enum(self.0.value()?, name, variants, visitor)
    }

    /// Binary read as a sequence is its bytes: a plain `Vec<u8>` field
    /// reads back what `bytes()` stored.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.0.is_binary() {
            scalar::deserialize_seq(self.0.value()?, visitor)
        } else {
            self.deserialize_any(visitor)
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.0.skip()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool char str string unit unit_struct tuple tuple_struct map struct identifier
    }
}

/// A node read whole and thrown away, each part held to its check: what a
/// checked node's [`Node::skip`] runs.
///
/// # Errors
/// The node refuses some part of it.
pub fn read_whole<'a, N: Node<'a>>(node: N) -> Result<()> {
    de::Deserializer::deserialize_any(Deserializer(node), IgnoredAny).map(|_| ())
}
