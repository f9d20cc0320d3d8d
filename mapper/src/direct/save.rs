//! The fast save: each field serialized straight to its `AttributeValue`,
//! as `to_value` and the codec would give it, and held to its field's
//! validator where it lies (checked as written, or through the field's
//! report path).
//!
//! It is the whole-item save run cheaper, not other rules: anything it
//! cannot take (an extra attribute to keep, an enum with fields, a number
//! `to_value` refuses, anything invalid) gives `None`, and the whole-item
//! path decides and reports.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser::{self, Impossible, Serialize};
use validate::{Extra, Lengths, Number, Presence, ValueType};

use super::check::{Check, MapCheck};
use super::order::Cursor;
use super::report::normalized;
use super::slot::Slot;
use crate::codec::attribute_size;
use crate::codec::{self, float_text, int_text, key_hash, number_text};
use crate::encode::Encoded;
use crate::key::COUNTER_KEY;
use crate::model::{Model, ModelInfo};

/// struct → validated attributes, serialized where they lie, and their
/// size as `batch::item_size` counts it, summed while they are written; `None`
/// when the whole-item path must decide.
pub(crate) fn encode<T: Model>(model: &T, info: &ModelInfo) -> Option<Encoded> {
    let schema = &info.schema;
    if schema.extra_policy() == Extra::Allow {
        return None; // Extras are kept as they come: the whole-item path does it.
    }
    let Encoded {
        mut attributes,
        mut size,
        key_hash,
    } = model
        .serialize(Top {
            info,
            attributes: HashMap::with_capacity(schema.fields().len()),
            size: 0,
            key_hash: 0,
            fields: Cursor::new(&info.fast.order),
        })
        .ok()?;
    // Only the schema's fields are in `attributes` (each once): fewer
    // means some are absent.
    if attributes.len() < schema.fields().len() {
        for field in schema.fields() {
            if attributes.contains_key(field.name()) {
                continue;
            }
            // A generated key: the whole-item path makes it (and hashes it).
            if slot_is_key(info, field.name()) {
                return None;
            }
            match field.presence() {
                Presence::Required => return None,
                Presence::Optional => {}
                Presence::Default(default) => {
                    let value = default.make();
                    if !codec::is_empty_set(&value) {
                        let attribute = codec::into_attribute(value).ok()?;
                        size += field.name().len() + attribute_size(&attribute);
                        attributes.insert(field.name().to_owned(), attribute);
                    }
                }
            }
        }
    }
    if T::AUTO_INCREMENT
        && attributes.get(&info.hash.name) == Some(&AttributeValue::N(COUNTER_KEY.to_string()))
    {
        return None;
    }
    Some(Encoded {
        attributes,
        size,
        key_hash,
    })
}

/// The answer whenever this path cannot take the item.
#[derive(Debug)]
struct Bail;

impl std::fmt::Display for Bail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to the whole-item path")
    }
}

impl std::error::Error for Bail {}

impl ser::Error for Bail {
    fn custom<M: std::fmt::Display>(_message: M) -> Bail {
        Bail
    }
}

type Out = Result<Option<AttributeValue>, Bail>;

/// Whether `name` is the table's hash or range key.
fn slot_is_key(info: &ModelInfo, name: &str) -> bool {
    info.hash.name == name || info.range.as_ref().is_some_and(|r| r.name == name)
}

/// A list the schema turns into a set, as `set_of` would turn it: sorted,
/// without duplicates; `None` for an empty one (an absent attribute).
fn into_set(
    attribute: AttributeValue,
    set_type: ValueType,
) -> Result<Option<AttributeValue>, Bail> {
    let AttributeValue::L(items) = attribute else {
        return Ok(Some(attribute));
    };
    if items.is_empty() {
        return Ok(None);
    }
    Ok(Some(match set_type {
        ValueType::StringSet => {
            let mut set = items
                .into_iter()
                .map(|item| match item {
                    AttributeValue::S(s) => Ok(s),
                    _ => Err(Bail),
                })
                .collect::<Result<Vec<_>, _>>()?;
            set.sort_unstable();
            set.dedup();
            AttributeValue::Ss(set)
        }
        ValueType::NumberSet => {
            let mut set = items
                .iter()
                .map(|item| match item {
                    AttributeValue::N(text) => text.parse::<Number>().map_err(|_| Bail),
                    _ => Err(Bail),
                })
                .collect::<Result<Vec<_>, _>>()?;
            set.sort_unstable();
            set.dedup();
            AttributeValue::Ns(set.iter().map(ToString::to_string).collect())
        }
        _ => return Err(Bail),
    }))
}

/// The item's top level: a struct, field by field.
struct Top<'a> {
    info: &'a ModelInfo,
    attributes: codec::Attributes,
    /// The attributes' size so far.
    size: usize,
    /// The hash of the key attributes so far.
    key_hash: u64,
    /// Finds each field's place in the schema.
    fields: Cursor<'a>,
}

impl<'a> Top<'a> {
    /// The slot of the field named `name`, and the check its values pass
    /// as they are written (if they are checked so). Inline: a field
    /// where it came the first time is one comparison.
    #[inline]
    fn field(&mut self, name: &'static str) -> (Option<&'a Slot>, Option<Check<'a>>) {
        let info = self.info;
        let found = self
            .fields
            .place(name, &info.schema)
            .and_then(|at| info.fast.slots.get(at));
        let check = match found {
            Some(slot) if slot.writes_checked => {
                slot.field.validator().plain().map(Check::attribute)
            }
            _ => None,
        };
        (found, check)
    }

    /// A field's serialized attribute (of `size`), through its report path
    /// unless it was checked as it was written, and added. Kept out of line: one
    /// copy for every field type, which keeps the per-type code small.
    #[inline(never)]
    fn add(
        &mut self,
        name: &'static str,
        found: Option<&Slot>,
        attribute: Option<AttributeValue>,
        mut size: usize,
        checked: bool,
    ) -> Result<(), Bail> {
        // `None` fields are absent attributes, as in `to_value`.
        let Some(mut attribute) = attribute else {
            return Ok(());
        };
        let Some(slot) = found else {
            return match self.info.schema.extra_policy() {
                Extra::Remove => Ok(()),
                _ => Err(Bail),
            };
        };
        // Only a list can become a set (`into_set` leaves the rest).
        if matches!(attribute, AttributeValue::L(_))
            && let Some(set_type) = slot.set_type
        {
            if !slot.lists_as_sets {
                return Err(Bail);
            }
            match into_set(attribute, set_type)? {
                Some(set) => {
                    size = attribute_size(&set);
                    attribute = set;
                }
                // An empty set is an absent attribute (a default may fill it).
                None => return Ok(()),
            }
        }
        if !checked {
            // The field's own report path: its validator on the `Value`.
            let value = normalized(slot.field.validator(), &attribute, name).ok_or(Bail)?;
            if codec::is_empty_set(&value) {
                return Ok(()); // Absent (a default may fill it).
            }
            attribute = codec::into_attribute(value).map_err(|_| Bail)?;
            size = attribute_size(&attribute);
        }
        if let Some(side) = slot.key {
            self.key_hash ^= key_hash::part(side, &attribute);
        }
        // A field serialized twice (by a hand-written `Serialize`) counts once.
        if let Some(old) = self.attributes.insert(name.to_owned(), attribute) {
            self.size -= name.len() + attribute_size(&old);
            if let Some(side) = slot.key {
                self.key_hash ^= key_hash::part(side, &old);
            }
        }
        self.size += name.len() + size;
        Ok(())
    }
}

impl ser::SerializeStruct for Top<'_> {
    type Ok = Encoded;
    type Error = Bail;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Bail> {
        let (found, check) = self.field(name);
        let mut size = 0;
        let attribute = match found {
            // Strings straight into the set, no list in between.
            Some(slot) if slot.lists_as_sets && slot.set_type == Some(ValueType::StringSet) => {
                let set = value.serialize(StrSetSer(check))?;
                size = set.as_ref().map_or(0, attribute_size);
                set
            }
            _ => value.serialize(AttrSer::new(&mut size, check))?,
        };
        self.add(name, found, attribute, size, check.is_some())
    }

    fn end(self) -> Result<Encoded, Bail> {
        self.fields.finish();
        Ok(Encoded {
            attributes: self.attributes,
            size: self.size,
            key_hash: self.key_hash,
        })
    }
}

macro_rules! bail {
    ($($method:ident($($arg:ty),* $(,)?) -> $ok:ty),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ok, Bail> {
            Err(Bail)
        }
    )*};
}

impl<'a> ser::Serializer for Top<'a> {
    type Ok = Encoded;
    type Error = Bail;
    type SerializeSeq = Impossible<Encoded, Bail>;
    type SerializeTuple = Impossible<Encoded, Bail>;
    type SerializeTupleStruct = Impossible<Encoded, Bail>;
    type SerializeTupleVariant = Impossible<Encoded, Bail>;
    type SerializeMap = Impossible<Encoded, Bail>;
    type SerializeStruct = Top<'a>;
    type SerializeStructVariant = Impossible<Encoded, Bail>;

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Top<'a>, Bail> {
        Ok(self)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &V,
    ) -> Result<Encoded, Bail> {
        if name == validate::set::MARKER {
            return Err(Bail);
        }
        value.serialize(self)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _value: &V) -> Result<Encoded, Bail> {
        Err(Bail)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Result<Encoded, Bail> {
        Err(Bail)
    }
    bail!(
        serialize_bool(bool) -> Encoded,
        serialize_i8(i8) -> Encoded,
        serialize_i16(i16) -> Encoded,
        serialize_i32(i32) -> Encoded,
        serialize_i64(i64) -> Encoded,
        serialize_u8(u8) -> Encoded,
        serialize_u16(u16) -> Encoded,
        serialize_u32(u32) -> Encoded,
        serialize_u64(u64) -> Encoded,
        serialize_f32(f32) -> Encoded,
        serialize_f64(f64) -> Encoded,
        serialize_char(char) -> Encoded,
        serialize_str(&str) -> Encoded,
        serialize_bytes(&[u8]) -> Encoded,
        serialize_none() -> Encoded,
        serialize_unit() -> Encoded,
        serialize_unit_struct(&'static str) -> Encoded,
        serialize_unit_variant(&'static str, u32, &'static str) -> Encoded,
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant,
    );
}

macro_rules! integers {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Out {
            self.int(i64::from(v))
        }
    )*};
}

/// One value → its attribute, as `to_value` and then the codec give it;
/// `Ok(None)` for `Option::None` itself (an absent struct field, a NULL
/// anywhere else). The attribute's size, as [`attribute_size`] counts it,
/// is added to `size`. With a [`Check`], the value is held to it as it
/// is written, and anything that fails it is refused (`Bail`).
struct AttrSer<'s> {
    size: &'s mut usize,
    check: Option<Check<'s>>,
}

/// Whether an optional check passes (no check passes everything).
fn passes<C>(check: Option<C>, test: impl FnOnce(C) -> bool) -> Result<(), Bail> {
    match check.map(test) {
        Some(false) => Err(Bail),
        _ => Ok(()),
    }
}

impl<'s> AttrSer<'s> {
    fn new(size: &'s mut usize, check: Option<Check<'s>>) -> AttrSer<'s> {
        AttrSer { size, check }
    }

    /// An integer: checked before it becomes text.
    fn int(self, v: i64) -> Out {
        passes(self.check, |c| c.int(v))?;
        self.n_checked(int_text(v))
    }

    fn n(self, text: String) -> Out {
        passes(self.check, |c| c.number(&text))?;
        self.n_checked(text)
    }

    fn n_checked(self, text: String) -> Out {
        *self.size += text.len();
        Ok(Some(AttributeValue::N(text)))
    }

    fn s(self, text: &str) -> Out {
        passes(self.check, |c| c.str(text))?;
        *self.size += text.len();
        Ok(Some(AttributeValue::S(text.to_owned())))
    }

    /// NULL counts one byte.
    fn null(self) -> Out {
        passes(self.check, Check::null)?;
        *self.size += 1;
        Ok(Some(AttributeValue::Null(true)))
    }
}

impl<'s> ser::Serializer for AttrSer<'s> {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    type SerializeSeq = SeqSer<'s>;
    type SerializeTuple = SeqSer<'s>;
    type SerializeTupleStruct = SeqSer<'s>;
    type SerializeTupleVariant = Impossible<Option<AttributeValue>, Bail>;
    type SerializeMap = MapSer<'s>;
    type SerializeStruct = MapSer<'s>;
    type SerializeStructVariant = Impossible<Option<AttributeValue>, Bail>;

    fn serialize_bool(self, v: bool) -> Out {
        passes(self.check, Check::bool)?;
        *self.size += 1;
        Ok(Some(AttributeValue::Bool(v)))
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
    fn serialize_i128(self, v: i128) -> Out {
        self.n(number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_u64(self, v: u64) -> Out {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.n(number_text(Number::from(v))),
        }
    }
    fn serialize_u128(self, v: u128) -> Out {
        self.n(number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_f32(self, v: f32) -> Out {
        self.n(number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_f64(self, v: f64) -> Out {
        self.n(float_text(v).ok_or(Bail)?)
    }
    fn serialize_char(self, v: char) -> Out {
        self.s(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Out {
        self.s(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Out {
        passes(self.check, |c| c.bytes(v.len()))?;
        *self.size += v.len();
        Ok(Some(AttributeValue::B(Blob::new(v))))
    }
    fn serialize_none(self) -> Out {
        Ok(None)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Out {
        present(value, self.size, self.check).map(Some)
    }
    fn serialize_unit(self) -> Out {
        self.null()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out {
        self.null()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Out {
        self.s(variant)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, name: &'static str, value: &V) -> Out {
        if name == validate::set::MARKER {
            return Err(Bail); // A set where the schema may not say so.
        }
        present(value, self.size, self.check).map(Some)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &V,
    ) -> Out {
        if self.check.is_some() {
            return Err(Bail); // A map of one key, which checks do not follow.
        }
        let inner = present(value, self.size, None)?;
        *self.size += 3 + variant.len();
        Ok(Some(AttributeValue::M(HashMap::from([(
            variant.to_owned(),
            inner,
        )]))))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer<'s>, Bail> {
        SeqSer::new(len.unwrap_or(0), self.size, self.check)
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'s>, Bail> {
        SeqSer::new(len, self.size, self.check)
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer<'s>, Bail> {
        SeqSer::new(len, self.size, self.check)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSer<'s>, Bail> {
        MapSer::new(len.unwrap_or(0), false, self.size, self.check)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSer<'s>, Bail> {
        MapSer::new(len, true, self.size, self.check)
    }
    bail!(
        serialize_tuple_variant(
            &'static str,
            u32,
            &'static str,
            usize,
        ) -> Self::SerializeTupleVariant,
        serialize_struct_variant(
            &'static str,
            u32,
            &'static str,
            usize,
        ) -> Self::SerializeStructVariant,
    );
}

/// A value that is there: `None` inside it (`Some(None)`, a newtype around
/// `None`) is NULL, as in `to_value`. Its size is added to `size`.
fn present<'s, V: Serialize + ?Sized>(
    value: &V,
    size: &'s mut usize,
    check: Option<Check<'s>>,
) -> Result<AttributeValue, Bail> {
    match value.serialize(AttrSer::new(&mut *size, check))? {
        Some(attribute) => Ok(attribute),
        None => null(size, check),
    }
}

/// NULL in place of a value that is not there, where it must pass `check`.
fn null(size: &mut usize, check: Option<Check<'_>>) -> Result<AttributeValue, Bail> {
    passes(check, Check::null)?;
    *size += 1;
    Ok(AttributeValue::Null(true))
}

/// A list: three bytes, and one more per element besides its own size.
/// Under a check, each element passes the element check as it comes, and
/// the length passes at the end.
struct SeqSer<'s> {
    items: Vec<AttributeValue>,
    size: &'s mut usize,
    check: Option<(Lengths, Check<'s>)>,
}

impl<'s> SeqSer<'s> {
    fn new(len: usize, size: &'s mut usize, check: Option<Check<'s>>) -> Result<SeqSer<'s>, Bail> {
        let check = match check {
            Some(check) => Some(check.list().ok_or(Bail)?),
            None => None,
        };
        *size += 3;
        Ok(SeqSer {
            items: Vec::with_capacity(len),
            size,
            check,
        })
    }

    fn push<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        *self.size += 1;
        let element = self.check.map(|(_, element)| element);
        self.items.push(present(value, self.size, element)?);
        Ok(())
    }

    fn finish(self) -> Out {
        passes(self.check.map(|(lengths, _)| lengths), |lengths| {
            lengths.fits(self.items.len())
        })?;
        Ok(Some(AttributeValue::L(self.items)))
    }
}

/// Sequence shapes of serde for a collector with `push` and `finish`.
macro_rules! seq_shapes {
    ($collector:ty: $($shape:ident::$method:ident),*) => {$(
        impl ser::$shape for $collector {
            type Ok = Option<AttributeValue>;
            type Error = Bail;
            fn $method<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
                self.push(value)
            }
            fn end(self) -> Out {
                self.finish()
            }
        }
    )*};
}

// The three shapes all make lists.
seq_shapes!(
    SeqSer<'_>:
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

mod map;
mod str_set;
#[cfg(test)]
mod tests;

use map::MapSer;
use str_set::StrSetSer;
