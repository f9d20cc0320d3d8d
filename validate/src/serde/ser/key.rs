//! Map keys and text: what a serializer writes where DynamoDB needs a
//! string (a map's key, a string set's element, a [`Number`]'s digits).
//!
//! [`Number`]: crate::Number

use std::marker::PhantomData;

use serde::ser::{self, Impossible, Serialize};

/// A map key: text, with integers and unit variants spelled out (as
/// `serde_json` writes them).
///
/// # Errors
/// Anything else: no key DynamoDB can hold.
pub fn key<V: Serialize + ?Sized, E: ser::Error>(value: &V) -> Result<String, E> {
    value.serialize(KeySerializer {
        spell: true,
        error: PhantomData,
    })
}

/// Text only: a string or a `char`.
///
/// # Errors
/// Anything else.
pub fn text<V: Serialize + ?Sized, E: ser::Error>(value: &V) -> Result<String, E> {
    value.serialize(KeySerializer {
        spell: false,
        error: PhantomData,
    })
}

struct KeySerializer<E> {
    /// Integers, unit variants and newtypes around them are spelled out.
    spell: bool,
    error: PhantomData<E>,
}

impl<E: ser::Error> KeySerializer<E> {
    fn spelled(self, v: impl ToString) -> Result<String, E> {
        if self.spell {
            Ok(v.to_string())
        } else {
            Err(not_text())
        }
    }
}

/// A key that is no text, integer or variant.
#[cold]
fn no_key<E: ser::Error>() -> E {
    E::custom("map keys must be strings or integers")
}

/// Where only text will do.
#[cold]
fn not_text<E: ser::Error>() -> E {
    E::custom("expected a string")
}

macro_rules! spelled {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<String, E> {
            self.spelled(v)
        }
    )*};
}

/// Serializer methods that refuse their input.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $out:ty),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$out, E> {
            Err(if self.spell { no_key() } else { not_text() })
        }
    )*};
}

impl<E: ser::Error> ser::Serializer for KeySerializer<E> {
    type Ok = String;
    type Error = E;
    type SerializeSeq = Impossible<String, E>;
    type SerializeTuple = Impossible<String, E>;
    type SerializeTupleStruct = Impossible<String, E>;
    type SerializeTupleVariant = Impossible<String, E>;
    type SerializeMap = Impossible<String, E>;
    type SerializeStruct = Impossible<String, E>;
    type SerializeStructVariant = Impossible<String, E>;

    fn serialize_str(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn serialize_char(self, v: char) -> Result<String, E> {
        Ok(v.to_string())
    }
    spelled!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
    );
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, E> {
        self.spelled(variant)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &V,
    ) -> Result<String, E> {
        if self.spell {
            value.serialize(self)
        } else {
            Err(not_text())
        }
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _value: &V) -> Result<String, E> {
        Err(if self.spell { no_key() } else { not_text() })
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Result<String, E> {
        Err(if self.spell { no_key() } else { not_text() })
    }
    refuse!(
        serialize_bool(bool) -> String,
        serialize_f32(f32) -> String,
        serialize_f64(f64) -> String,
        serialize_bytes(&[u8]) -> String,
        serialize_none() -> String,
        serialize_unit() -> String,
        serialize_unit_struct(&'static str) -> String,
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct(&'static str, usize) -> Self::SerializeStruct,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant,
    );
}
