//! The serializer: serde's data model → DynamoDB's, one mapping for
//! every crate, written into a [`Target`].
//!
//! The mapping is here, once: a struct is a map whose `None` fields are
//! left out (absent attributes), a map keeps NULL for `None`, an enum is
//! externally tagged (a unit variant its name, a variant with fields a map
//! of one entry), integers are written as `Number` prints them, bytes are
//! binary, a `#[serde(with = "validate::set")]` collection a set, a
//! [`Number`] its exact digits, and every error carries its path.
//!
//! What each DynamoDB type is built as is the target's: [`Value`] for
//! [`to_value`](crate::to_value), the mapper's attributes for its codec,
//! which also holds each value to its field's check as it is written and
//! counts the item's size. (The layout follows serde_dynamo's `generic/`.)
//!
//! [`Value`]: crate::Value

use serde::ser::{self, Serialize};

use super::{NUMBER_MARKER, SET_MARKER};
use crate::number::Number;
use crate::path::Segment;
use crate::value::Value;

mod compound;
mod key;
mod target;
mod value;

pub use compound::{Entries, Seq, Variant};
pub use key::{key, text};
pub use target::{ListTarget, MapTarget, Target, TargetError};
pub(crate) use value::into_set;
pub use value::to_value;

/// Serde's serializer into a [`Target`]: `Ok(None)` for `Option::None`
/// itself (an absent struct field, NULL anywhere else, see [`present`]).
#[derive(Clone, Copy, Debug)]
pub struct Serializer<T>(pub T);

/// A value that is there, into `target`: `None` inside it (`Some(None)`, a
/// newtype around `None`) is NULL.
///
/// # Errors
/// Whatever the target refuses, and a value with no DynamoDB form.
pub fn present<T: Target, V: Serialize + ?Sized>(
    value: &V,
    target: T,
) -> Result<T::Item, T::Error> {
    match value.serialize(Serializer(target))? {
        Some(item) => Ok(item),
        None => target.null(),
    }
}

/// A `validate` error (a number DynamoDB cannot hold, a marked set's
/// elements) as the target's.
fn convert<E: TargetError>(error: crate::Error) -> E {
    E::from_error(error)
}

macro_rules! integers {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<Option<T::Item>, T::Error> {
            self.0.int(i64::from(v)).map(Some)
        }
    )*};
}

impl<T: Target> ser::Serializer for Serializer<T> {
    type Ok = Option<T::Item>;
    type Error = T::Error;
    type SerializeSeq = Seq<T>;
    type SerializeTuple = Seq<T>;
    type SerializeTupleStruct = Seq<T>;
    type SerializeTupleVariant = Variant<Seq<T>>;
    type SerializeMap = Entries<T>;
    type SerializeStruct = Entries<T>;
    type SerializeStructVariant = Variant<Entries<T>>;

    fn serialize_bool(self, v: bool) -> Result<Option<T::Item>, T::Error> {
        self.0.bool(v).map(Some)
    }
    // Integers up to 64 bits print as `Number` prints them.
    integers!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
    );
    fn serialize_u64(self, v: u64) -> Result<Option<T::Item>, T::Error> {
        match i64::try_from(v) {
            Ok(v) => self.0.int(v),
            Err(_) => self.0.number(Number::from(v)),
        }
        .map(Some)
    }
    fn serialize_i128(self, v: i128) -> Result<Option<T::Item>, T::Error> {
        self.0
            .number(Number::try_from(v).map_err(convert)?)
            .map(Some)
    }
    fn serialize_u128(self, v: u128) -> Result<Option<T::Item>, T::Error> {
        self.0
            .number(Number::try_from(v).map_err(convert)?)
            .map(Some)
    }
    fn serialize_f32(self, v: f32) -> Result<Option<T::Item>, T::Error> {
        self.0
            .number(Number::try_from(v).map_err(convert)?)
            .map(Some)
    }
    fn serialize_f64(self, v: f64) -> Result<Option<T::Item>, T::Error> {
        self.0.float(v).map(Some)
    }
    fn serialize_char(self, v: char) -> Result<Option<T::Item>, T::Error> {
        self.0.string(v.encode_utf8(&mut [0; 4])).map(Some)
    }
    fn serialize_str(self, v: &str) -> Result<Option<T::Item>, T::Error> {
        self.0.string(v).map(Some)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Option<T::Item>, T::Error> {
        self.0.bytes(v).map(Some)
    }
    fn serialize_none(self) -> Result<Option<T::Item>, T::Error> {
        Ok(None)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<Option<T::Item>, T::Error> {
        present(value, self.0).map(Some)
    }
    fn serialize_unit(self) -> Result<Option<T::Item>, T::Error> {
        self.0.null().map(Some)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Option<T::Item>, T::Error> {
        self.0.null().map(Some)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Option<T::Item>, T::Error> {
        self.0.string(variant).map(Some)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &V,
    ) -> Result<Option<T::Item>, T::Error> {
        if name == SET_MARKER {
            return self.0.value(marked_set(value).map_err(convert)?).map(Some);
        }
        if name == NUMBER_MARKER {
            // A `Number`: its digits, exact.
            let number: Number = text::<_, T::Error>(value)?.parse().map_err(convert)?;
            return self.0.number(number).map(Some);
        }
        present(value, self.0).map(Some)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &V,
    ) -> Result<Option<T::Item>, T::Error> {
        let inner =
            present(value, self.0.variant()?).map_err(|e| e.within(|| Segment::key(variant)))?;
        Ok(Some(T::tagged(variant, inner)))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<T>, T::Error> {
        Seq::new(self.0, len.unwrap_or(0))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<T>, T::Error> {
        Seq::new(self.0, len)
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<T>, T::Error> {
        Seq::new(self.0, len)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Seq<T>>, T::Error> {
        Ok(Variant::new(variant, Seq::new(self.0.variant()?, len)?))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Entries<T>, T::Error> {
        Entries::new(self.0, len.unwrap_or(0), false)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Entries<T>, T::Error> {
        Entries::new(self.0, len, true)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Entries<T>>, T::Error> {
        Ok(Variant::new(
            variant,
            Entries::new(self.0.variant()?, len, true)?,
        ))
    }
}

/// A collection the model marks a set (`#[serde(with = "validate::set")]`):
/// its elements as a list, made a set by the first one's type.
#[cold]
#[inline(never)]
fn marked_set<V: Serialize + ?Sized>(value: &V) -> crate::Result<Value> {
    into_set(to_value(value)?)
}
