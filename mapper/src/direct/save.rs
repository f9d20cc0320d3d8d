//! struct → attributes without `Value`s: each field serialized straight
//! to its `AttributeValue`, as `to_value` and the codec would give it, and
//! vouched for by its field's validator where it lies.
//!
//! Like `fields::encode`, it is a shortcut of the whole-item save, not
//! other rules: anything it cannot vouch for (a value to normalize, an
//! extra attribute to keep, an enum with fields, a number `to_value`
//! refuses, anything invalid) gives `None`, and the next path decides and
//! reports.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::ser::{self, Impossible, Serialize};
use validate::{Extra, Lengths, Number, PathNode, Presence, Text, ValueType};

use super::check::{Check, MapCheck};
use super::order::Cursor;
use super::slot::Slot;
use super::vouch::vouch;
use crate::batch::attribute_size;
use crate::model::{Model, ModelInfo};
use crate::save::{COUNTER_KEY, Encoded};
use crate::{codec, key_hash};

/// struct → validated attributes, serialized where they lie, and their
/// size as `batch::item_size` counts it, summed while they are written; `None`
/// when the field-by-field or whole-item path must decide.
pub(crate) fn encode<T: Model>(model: &T, info: &ModelInfo) -> Option<Encoded> {
    let schema = &info.schema;
    if schema.extra_policy() == Extra::Allow {
        return None; // Extras are kept as they come: the field path does it.
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
            fields: Cursor::new(&info.order),
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

/// The answer whenever this path cannot vouch for the item.
#[derive(Debug)]
struct Bail;

impl std::fmt::Display for Bail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("left to the Value path")
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
    attributes: codec::Item,
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
            .and_then(|at| info.slots.get(at));
        let check = match found {
            Some(slot) if slot.writes_checked => {
                slot.field.validator().plain().map(Check::attribute)
            }
            _ => None,
        };
        (found, check)
    }

    /// A field's serialized attribute (of `size`), vouched for unless it
    /// was checked as it was written, and added. Kept out of line: one
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
        if !checked
            && !vouch(
                slot.field.validator(),
                &attribute,
                &PathNode::ROOT.key(name),
            )
        {
            return Err(Bail);
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
        self.n_checked(codec::int_text(v))
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

/// An `f64` as `to_value` and the codec write it: for everyday magnitudes
/// the shortest decimal that reads back as the same `f64`, which is what
/// `Display` prints (checked against `Number` by a property test);
/// `Number` itself for the rest.
fn float_text(v: f64) -> Result<String, Bail> {
    if v == 0.0 {
        return Ok("0".to_owned()); // `Number` has no negative zero.
    }
    if (1e-7..1e15).contains(&v.abs()) {
        return Ok(short_decimal(v).unwrap_or_else(|| v.to_string()));
    }
    Number::try_from(v)
        .map(codec::number_text)
        .map_err(|_| Bail)
}

/// `Display`'s text of `v` when `v` is the `f64` of a decimal with at most
/// six places and 15 significant digits (`21.625`, `19.99`), found with
/// integer arithmetic; `None` for the rest.
///
/// A decimal of at most 15 significant digits is the only one that short
/// which reads back as its `f64` (15 digits survive the round trip), so
/// it is the shortest text, which `Display` prints. `m / 10^p`, both
/// exact in an `f64`, rounds once: it is `v` exactly when the decimal
/// reads back as `v`.
fn short_decimal(v: f64) -> Option<String> {
    const POW10: [f64; 7] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];
    let magnitude = v.abs();
    for (places, scale) in POW10.iter().enumerate() {
        let scaled = magnitude * scale;
        if scaled >= 1e15 {
            return None;
        }
        let m = scaled as u64;
        if m as f64 != scaled || m as f64 / scale != magnitude {
            continue;
        }
        let divisor = 10u64.pow(places as u32);
        let (whole, mut fraction) = (m / divisor, m % divisor);
        let mut text = String::with_capacity(24);
        if v < 0.0 {
            text.push('-');
        }
        text.push_str(itoa::Buffer::new().format(whole));
        if fraction != 0 {
            let mut digits = places;
            while fraction % 10 == 0 {
                fraction /= 10;
                digits -= 1;
            }
            let mut buffer = itoa::Buffer::new();
            let printed = buffer.format(fraction);
            text.push('.');
            text.extend(std::iter::repeat_n('0', digits - printed.len()));
            text.push_str(printed);
        }
        return Some(text);
    }
    None
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
        self.n(codec::number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_u64(self, v: u64) -> Out {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.n(codec::number_text(Number::from(v))),
        }
    }
    fn serialize_u128(self, v: u128) -> Out {
        self.n(codec::number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_f32(self, v: f32) -> Out {
        self.n(codec::number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_f64(self, v: f64) -> Out {
        self.n(float_text(v)?)
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

/// A field the schema makes a string set, serialized as `AttrSer` and
/// `into_set` would give it, the strings collected as the set's own:
/// sorted, without duplicates, `None` when empty. Any other shape is left
/// to the next path. Under a check, each string passes as it comes, and
/// the set's size at the end.
struct StrSetSer<'p>(Option<Check<'p>>);

/// The strings of a [`StrSetSer`] sequence, and the checks they pass.
struct StrSeq<'p> {
    strings: Vec<String>,
    check: Option<(Lengths, &'p Text)>,
}

impl<'p> StrSetSer<'p> {
    fn seq(self, len: usize) -> Result<StrSeq<'p>, Bail> {
        let check = match self.0 {
            Some(check) => Some(check.str_set().ok_or(Bail)?),
            None => None,
        };
        Ok(StrSeq {
            strings: Vec::with_capacity(len),
            check,
        })
    }
}

impl<'p> ser::Serializer for StrSetSer<'p> {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    type SerializeSeq = StrSeq<'p>;
    type SerializeTuple = StrSeq<'p>;
    type SerializeTupleStruct = Impossible<Option<AttributeValue>, Bail>;
    type SerializeTupleVariant = Impossible<Option<AttributeValue>, Bail>;
    type SerializeMap = Impossible<Option<AttributeValue>, Bail>;
    type SerializeStruct = Impossible<Option<AttributeValue>, Bail>;
    type SerializeStructVariant = Impossible<Option<AttributeValue>, Bail>;

    fn serialize_seq(self, len: Option<usize>) -> Result<StrSeq<'p>, Bail> {
        self.seq(len.unwrap_or(0))
    }
    fn serialize_tuple(self, len: usize) -> Result<StrSeq<'p>, Bail> {
        self.seq(len)
    }
    fn serialize_none(self) -> Out {
        Ok(None)
    }
    // `Some(None)` and a newtype around `None` are NULL, which is no set.
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Out {
        value.serialize(self)?.map(Some).ok_or(Bail)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, name: &'static str, value: &V) -> Out {
        if name == validate::set::MARKER {
            return Err(Bail);
        }
        value.serialize(self)?.map(Some).ok_or(Bail)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Out {
        Err(Bail)
    }
    bail!(
        serialize_bool(bool) -> Option<AttributeValue>,
        serialize_i8(i8) -> Option<AttributeValue>,
        serialize_i16(i16) -> Option<AttributeValue>,
        serialize_i32(i32) -> Option<AttributeValue>,
        serialize_i64(i64) -> Option<AttributeValue>,
        serialize_u8(u8) -> Option<AttributeValue>,
        serialize_u16(u16) -> Option<AttributeValue>,
        serialize_u32(u32) -> Option<AttributeValue>,
        serialize_u64(u64) -> Option<AttributeValue>,
        serialize_f32(f32) -> Option<AttributeValue>,
        serialize_f64(f64) -> Option<AttributeValue>,
        serialize_char(char) -> Option<AttributeValue>,
        serialize_str(&str) -> Option<AttributeValue>,
        serialize_bytes(&[u8]) -> Option<AttributeValue>,
        serialize_unit() -> Option<AttributeValue>,
        serialize_unit_struct(&'static str) -> Option<AttributeValue>,
        serialize_unit_variant(&'static str, u32, &'static str) -> Option<AttributeValue>,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct(&'static str, usize) -> Self::SerializeStruct,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant,
    );
}

impl StrSeq<'_> {
    fn push<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        let s = value.serialize(KeySer)?;
        passes(self.check, |(_, text)| text.fits(&s))?;
        self.strings.push(s);
        Ok(())
    }

    fn finish(self) -> Out {
        let mut set = self.strings;
        if set.is_empty() {
            return Ok(None);
        }
        // A `BTreeSet` comes sorted and unique already.
        if !set.is_sorted_by(|a, b| a < b) {
            set.sort_unstable();
            set.dedup();
        }
        passes(self.check, |(lengths, _)| lengths.fits(set.len()))?;
        Ok(Some(AttributeValue::Ss(set)))
    }
}

seq_shapes!(
    StrSeq<'_>:
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element
);

/// A map: three bytes, and each entry's key and value. Under a check,
/// each key is one its schema knows and each value passes its field's
/// check as it comes; at the end, every key the schema needs is there.
struct MapSer<'s> {
    map: codec::Item,
    key: Option<String>,
    /// Struct fields holding `None` are left out; map entries keep NULL.
    skip_none: bool,
    size: &'s mut usize,
    check: Option<MapCheck<'s>>,
}

impl<'s> MapSer<'s> {
    fn new(
        len: usize,
        skip_none: bool,
        size: &'s mut usize,
        check: Option<Check<'s>>,
    ) -> Result<MapSer<'s>, Bail> {
        let check = match check {
            Some(check) => Some(check.map().ok_or(Bail)?),
            None => None,
        };
        *size += 3;
        Ok(MapSer {
            map: HashMap::with_capacity(len),
            key: None,
            skip_none,
            size,
            check,
        })
    }

    fn insert<V: Serialize + ?Sized>(&mut self, key: String, value: &V) -> Result<(), Bail> {
        let mut size = 0;
        let (check, needed) = self.entry(&key)?;
        let attribute = match value.serialize(AttrSer::new(&mut size, check))? {
            Some(attribute) => attribute,
            None if self.skip_none => return Ok(()),
            None => null(&mut size, check)?,
        };
        self.put(key, attribute, size, needed)
    }

    /// The check of the value at `key` (if checked), and whether its key
    /// is one the schema needs. Out of line: one copy for every type.
    #[inline(never)]
    fn entry(&self, key: &str) -> Result<(Option<Check<'s>>, bool), Bail> {
        Ok(match &self.check {
            Some(map) => {
                let (check, needed) = map.entry(key).ok_or(Bail)?;
                (Some(check), needed)
            }
            None => (None, false),
        })
    }

    /// An entry's attribute (of `size`) added.
    #[inline(never)]
    fn put(
        &mut self,
        key: String,
        attribute: AttributeValue,
        size: usize,
        needed: bool,
    ) -> Result<(), Bail> {
        let key_len = key.len();
        *self.size += key_len + size;
        // A key given twice (by a hand-written `Serialize`) counts once,
        // and is not followed by checks.
        if let Some(old) = self.map.insert(key, attribute) {
            *self.size -= key_len + attribute_size(&old);
            if self.check.is_some() {
                return Err(Bail);
            }
        }
        if needed && let Some(map) = &mut self.check {
            map.given();
        }
        Ok(())
    }

    fn finish(self) -> Out {
        passes(self.check, |map| map.complete())?;
        Ok(Some(AttributeValue::M(self.map)))
    }
}

impl ser::SerializeMap for MapSer<'_> {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    fn serialize_key<V: Serialize + ?Sized>(&mut self, key: &V) -> Result<(), Bail> {
        self.key = Some(key.serialize(KeySer)?);
        Ok(())
    }
    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        let key = self.key.take().ok_or(Bail)?;
        self.insert(key, value)
    }
    fn end(self) -> Out {
        self.finish()
    }
}

impl ser::SerializeStruct for MapSer<'_> {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), Bail> {
        self.insert(key.to_owned(), value)
    }
    fn end(self) -> Out {
        self.finish()
    }
}

/// A map key: text only. `to_value` also spells out numbers and variants,
/// which the `Value` path keeps doing.
struct KeySer;

impl ser::Serializer for KeySer {
    type Ok = String;
    type Error = Bail;
    type SerializeSeq = Impossible<String, Bail>;
    type SerializeTuple = Impossible<String, Bail>;
    type SerializeTupleStruct = Impossible<String, Bail>;
    type SerializeTupleVariant = Impossible<String, Bail>;
    type SerializeMap = Impossible<String, Bail>;
    type SerializeStruct = Impossible<String, Bail>;
    type SerializeStructVariant = Impossible<String, Bail>;

    fn serialize_str(self, v: &str) -> Result<String, Bail> {
        Ok(v.to_owned())
    }
    fn serialize_char(self, v: char) -> Result<String, Bail> {
        Ok(v.to_string())
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _value: &V) -> Result<String, Bail> {
        Err(Bail)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _value: &V,
    ) -> Result<String, Bail> {
        Err(Bail)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Result<String, Bail> {
        Err(Bail)
    }
    bail!(
        serialize_bool(bool) -> String,
        serialize_i8(i8) -> String,
        serialize_i16(i16) -> String,
        serialize_i32(i32) -> String,
        serialize_i64(i64) -> String,
        serialize_u8(u8) -> String,
        serialize_u16(u16) -> String,
        serialize_u32(u32) -> String,
        serialize_u64(u64) -> String,
        serialize_f32(f32) -> String,
        serialize_f64(f64) -> String,
        serialize_bytes(&[u8]) -> String,
        serialize_none() -> String,
        serialize_unit() -> String,
        serialize_unit_struct(&'static str) -> String,
        serialize_unit_variant(&'static str, u32, &'static str) -> String,
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct(&'static str, usize) -> Self::SerializeStruct,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant,
    );
}

#[cfg(test)]
mod tests {
    //! The direct save against the whole-item save, on a model with nested
    //! lists, maps, sets, options and enums, and arbitrary values.

    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use validate::{Schema, float, int, list_of, map_of, maybe, set_of, str};

    use super::*;
    use crate::save::encode_whole;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    enum Mode {
        Fast,
        Slow,
        Tuned(i64),
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Meta {
        unit: String,
        scale: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Wide {
        id: u64,
        tags: BTreeSet<String>,
        /// A set the struct keeps as a list: duplicates, any order.
        sizes: Vec<i64>,
        value: f64,
        small: f32,
        notes: Vec<Option<String>>,
        meta: Meta,
        maybe: Option<i64>,
        nested: Option<Option<i64>>,
        code: Option<String>,
        mode: Mode,
        extra: BTreeMap<String, Option<bool>>,
        flag: bool,
        /// Checked as written: a list of plain strings, lists of lists.
        words: Vec<String>,
        grid: Vec<Vec<i64>>,
        metas: Vec<Meta>,
    }

    fn meta_schema() -> Schema {
        Schema::new()
            .required("unit", str().one_of(["C", "F"]))
            .required("scale", int().range(1..=9))
            .optional("note", str().length(..=3))
    }

    impl Model for Wide {
        const TABLE: &'static str = "wide";
        const HASH_KEY: &'static str = "id";

        fn schema() -> Schema {
            Schema::new()
                .required("id", int().range(0..))
                .with_default("tags", set_of(str().length(1..=4)), ["dflt"])
                .optional("sizes", set_of(int().range(-50..=50)))
                .required("value", float())
                .required("small", float())
                .required("notes", list_of(maybe(str())))
                .required("meta", meta_schema())
                .optional("maybe", int())
                .optional("nested", maybe(int()))
                .optional("code", str().length(1..=3))
                .required(
                    "mode",
                    validate::any([str().one_of(["Fast", "Slow"]), map_of(str(), int())]),
                )
                .required("extra", map_of(str(), maybe(validate::bool())))
                .required("flag", validate::bool())
                .required("words", list_of(str().length(..=2)).length(..=2))
                .required("grid", list_of(list_of(int().range(0..=5))))
                .required("metas", list_of(meta_schema()))
        }
    }

    /// Decimals with up to nine places, as people write them, and floats
    /// a few ulps off them.
    fn short_float() -> impl Strategy<Value = f64> {
        (-10_000_000_000i64..10_000_000_000, 0u32..10, -2i64..=2).prop_map(|(m, places, ulps)| {
            let decimal = m as f64 / 10f64.powi(places as i32);
            f64::from_bits(decimal.to_bits().wrapping_add_signed(ulps))
        })
    }

    fn any_float() -> impl Strategy<Value = f64> {
        prop_oneof![
            -1e3f64..1e3,
            Just(0.0),
            Just(-0.0),
            Just(1e-8),
            Just(1e-7),
            Just(123_456_789_012_345.67),
            Just(1e15),
            Just(1e300),
            Just(f64::NAN),
            any::<f64>(),
        ]
    }

    fn wide() -> impl Strategy<Value = Wide> {
        (
            (
                0u64..3,
                proptest::collection::btree_set("[a-z]{0,5}", 0..4),
                proptest::collection::vec(-60i64..60, 0..4),
                any_float(),
                any::<f32>(),
                proptest::collection::vec(proptest::option::of("[a-z]{0,2}"), 0..3),
            ),
            (
                meta(),
                proptest::option::of(-2i64..3),
                proptest::option::of(proptest::option::of(-2i64..3)),
                proptest::option::of("[a-z]{0,4}"),
                prop_oneof![
                    Just(Mode::Fast),
                    Just(Mode::Slow),
                    (0i64..3).prop_map(Mode::Tuned)
                ],
                proptest::collection::btree_map(
                    "[a-c]{0,2}",
                    proptest::option::of(any::<bool>()),
                    0..3,
                ),
                any::<bool>(),
            ),
            (
                // Mostly valid: too many words, a long one, a cell
                // out of range, now and then.
                (
                    proptest::collection::vec(
                        prop_oneof![12 => "[a-z]{0,2}", 1 => Just("abc".to_owned())],
                        0..3,
                    ),
                    prop_oneof![8 => Just(false), 1 => Just(true)],
                )
                    .prop_map(|(mut words, one_more)| {
                        if one_more {
                            words.extend(["x", "y", "z"].map(String::from));
                        }
                        words
                    }),
                proptest::collection::vec(
                    proptest::collection::vec(prop_oneof![20 => 0i64..6, 1 => Just(6i64)], 0..3),
                    0..3,
                ),
                proptest::collection::vec(
                    prop_oneof![
                        8 => ("[CF]", 1i64..10).prop_map(|(unit, scale)| Meta {
                            unit,
                            scale,
                            note: None
                        }),
                        1 => meta()
                    ],
                    0..3,
                ),
            ),
        )
            .prop_map(
                |(
                    (id, tags, sizes, value, small, notes),
                    (meta, maybe, nested, code, mode, extra, flag),
                    (words, grid, metas),
                )| Wide {
                    id,
                    tags,
                    sizes,
                    value,
                    small,
                    notes,
                    meta,
                    maybe,
                    nested,
                    code,
                    mode,
                    extra,
                    flag,
                    words,
                    grid,
                    metas,
                },
            )
    }

    fn meta() -> impl Strategy<Value = Meta> {
        ("[CFK]", 0i64..11, proptest::option::of("[a-z]{0,4}"))
            .prop_map(|(unit, scale, note)| Meta { unit, scale, note })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn direct_save_matches_the_whole_item_path(model in wide()) {
            let info = ModelInfo::of::<Wide>().map_err(|e| TestCaseError::fail(e.to_string()))?;
            if let Some(Encoded { attributes: direct, size, key_hash }) = encode(&model, &info) {
                // The same attributes, and the size summed and the key hashed
                // while writing them are the size counted and the key hashed
                // on them afterwards.
                let whole = encode_whole(&model, &info, "wide")
                    .map(|w| (w.attributes, w.size, w.key_hash));
                prop_assert_eq!(
                    Ok((&direct, size, key_hash)),
                    whole.as_ref().map(|(a, s, k)| (a, *s, *k)).map_err(|e| e.to_string())
                );
                // What `put` returns: the model as written, read back where
                // it lies, as the `Value` path reads its normalized value.
                let value = validate::to_value(&model).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let (value, _) = crate::save::validated::<Wide>(value, &info, "wide")
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let expected: Result<Wide, _> = validate::from_value(value);
                prop_assert_eq!(
                    super::super::model::<Wide>(&direct, &info).map_err(|e| e.to_string()),
                    expected.map_err(|e| e.to_string())
                );
            }
        }

        #[test]
        fn floats_are_written_as_numbers_write_them(v in prop_oneof![any_float(), short_float()]) {
            let expected = Number::try_from(v).map(codec::number_text).ok();
            prop_assert_eq!(float_text(v).ok(), expected);
        }
    }

    #[test]
    fn short_decimals_are_written_as_display_writes_them() {
        for v in [
            21.625,
            -0.5,
            19.99,
            0.000_001,
            3.0,
            -100.0,
            123_456_789.123_456,
            999_999_999_999_999.0,
        ] {
            assert_eq!(short_decimal(v), Some(v.to_string()));
        }
        // Too many digits, or places, for the short way: `Display` writes them.
        // Two a few ulps off a short decimal, which they are not, though
        // scaled they round to its digits.
        for v in [
            0.1 + 0.2,
            1.0 / 3.0,
            0.000_012_5,
            2.5e-7,
            1e15,
            51_913.503_000_000_004,
            8_247_537.699_999_999,
        ] {
            assert_eq!(short_decimal(v), None, "{v}");
            assert_eq!(
                float_text(v).ok(),
                Number::try_from(v).map(codec::number_text).ok()
            );
        }
    }

    #[test]
    fn most_valid_items_take_the_direct_path() -> Result<(), crate::Error> {
        use proptest::strategy::ValueTree;
        let info = ModelInfo::of::<Wide>()?;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut valid, mut direct) = (0, 0);
        for _ in 0..500 {
            let model = wide()
                .new_tree(&mut runner)
                .map_err(|e| crate::Error::Schema {
                    table: "wide".into(),
                    message: e.to_string(),
                })?
                .current();
            if encode_whole(&model, &info, "wide").is_ok() {
                valid += 1;
                direct += usize::from(encode(&model, &info).is_some());
            }
        }
        assert!(valid > 50, "{valid} valid items");
        assert!(
            direct * 2 > valid,
            "{direct} of {valid} valid items taken directly"
        );
        Ok(())
    }

    /// A map that gives one key twice, as a hand-written `Serialize` may.
    struct TwiceKeyed;

    impl Serialize for TwiceKeyed {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(3))?;
            map.serialize_entry("key", "a long first value")?;
            map.serialize_entry("other", &1)?;
            map.serialize_entry("key", "b")?;
            map.end()
        }
    }

    #[test]
    fn a_key_given_twice_counts_once_in_the_size() -> Result<(), Bail> {
        let mut size = 0;
        let attribute = TwiceKeyed
            .serialize(AttrSer::new(&mut size, None))?
            .ok_or(Bail)?;
        assert_eq!(size, attribute_size(&attribute));
        let AttributeValue::M(map) = &attribute else {
            panic!("not a map: {attribute:?}");
        };
        assert_eq!(map["key"], AttributeValue::S("b".into()));
        Ok(())
    }

    /// A model whose hand-written `Serialize` gives its key twice.
    #[derive(Deserialize)]
    struct TwiceId {
        id: i64,
    }

    impl Serialize for TwiceId {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeStruct;
            let mut item = serializer.serialize_struct("TwiceId", 2)?;
            item.serialize_field("id", &(self.id + 1))?;
            item.serialize_field("id", &self.id)?;
            item.end()
        }
    }

    impl Model for TwiceId {
        const TABLE: &'static str = "twice";
        const HASH_KEY: &'static str = "id";
        fn schema() -> Schema {
            Schema::new().required("id", int())
        }
    }

    #[test]
    fn a_key_given_twice_is_hashed_as_the_one_kept() -> Result<(), crate::Error> {
        let info = ModelInfo::of::<TwiceId>()?;
        let encoded = encode(&TwiceId { id: 7 }, &info).ok_or_else(|| crate::Error::Schema {
            table: "twice".into(),
            message: "refused".into(),
        })?;
        assert_eq!(encoded.attributes["id"], AttributeValue::N("7".into()));
        assert_eq!(
            encoded.key_hash,
            key_hash::of_item(Some(&encoded.attributes), &info)
        );
        Ok(())
    }

    #[test]
    fn a_valid_item_is_written_directly() -> Result<(), crate::Error> {
        let info = ModelInfo::of::<Wide>()?;
        let model = Wide {
            id: 7,
            tags: BTreeSet::new(),
            sizes: vec![3, -1, 3],
            value: 21.5,
            small: 0.5,
            notes: vec![Some("x".into()), None],
            meta: Meta {
                unit: "C".into(),
                scale: 3,
                note: None,
            },
            maybe: None,
            nested: Some(None),
            code: Some("ab".into()),
            mode: Mode::Fast,
            extra: BTreeMap::from([("a".to_owned(), None)]),
            flag: true,
            words: vec!["ab".into()],
            grid: vec![vec![0, 5], vec![]],
            metas: vec![],
        };
        let Encoded {
            attributes: direct,
            size,
            ..
        } = encode(&model, &info).ok_or_else(|| crate::Error::Schema {
            table: "wide".into(),
            message: "refused".into(),
        })?;
        assert_eq!(direct, encode_whole(&model, &info, "wide")?.attributes);
        assert_eq!(size, crate::batch::item_size(&direct));
        // The empty set took its default; the list became a sorted set.
        assert_eq!(direct["tags"], AttributeValue::Ss(vec!["dflt".into()]));
        assert_eq!(
            direct["sizes"],
            AttributeValue::Ns(vec!["-1".into(), "3".into()])
        );
        assert_eq!(direct["nested"], AttributeValue::Null(true));
        assert!(!direct.contains_key("maybe"));
        Ok(())
    }

    #[test]
    fn what_is_not_certain_is_left_to_the_other_paths() -> Result<(), crate::Error> {
        let info = ModelInfo::of::<Wide>()?;
        let model = Wide {
            id: 1,
            tags: BTreeSet::from(["abcdef".to_owned()]),
            sizes: vec![],
            value: 1.0,
            small: 1.0,
            notes: vec![],
            meta: Meta {
                unit: "C".into(),
                scale: 3,
                note: None,
            },
            maybe: None,
            nested: None,
            code: None,
            mode: Mode::Tuned(1),
            extra: BTreeMap::new(),
            flag: false,
            words: vec![],
            grid: vec![],
            metas: vec![],
        };
        assert_eq!(encode(&model, &info), None, "a tag too long");
        let nan = Wide {
            value: f64::NAN,
            tags: BTreeSet::new(),
            ..model.clone()
        };
        assert_eq!(encode(&nan, &info), None, "a number DynamoDB cannot store");
        let tuned = Wide {
            tags: BTreeSet::new(),
            ..model
        };
        assert_eq!(encode(&tuned, &info), None, "only any's first rule vouches");
        let fine = Wide {
            mode: Mode::Slow,
            ..tuned
        };
        assert!(encode(&fine, &info).is_some());
        Ok(())
    }
}
