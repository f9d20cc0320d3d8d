//! One value → its attribute, as `to_value` and the codec give it, held
//! to its check (if any) as it is written.

use aws_sdk_dynamodb::primitives::Blob;
use serde::ser::{self, Serialize};

use super::*;

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
pub(super) struct AttrSer<'s> {
    size: &'s mut usize,
    check: Option<Check<'s>>,
}

impl<'s> AttrSer<'s> {
    pub(super) fn new(size: &'s mut usize, check: Option<Check<'s>>) -> AttrSer<'s> {
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

    /// An enum variant with fields: a map of one key, the variant, whose
    /// own size (three bytes and the key) is counted here; refused under a
    /// check, which does not follow it. The size counter for its fields.
    fn variant(self, variant: &str) -> Result<&'s mut usize, Bail> {
        if self.check.is_some() {
            return Err(REFUSED);
        }
        *self.size += 3 + variant.len();
        Ok(self.size)
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
    type SerializeTupleVariant = Variant<SeqSer<'s>>;
    type SerializeMap = MapSer<'s>;
    type SerializeStruct = MapSer<'s>;
    type SerializeStructVariant = Variant<MapSer<'s>>;

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
        self.n(number_text(
            Number::try_from(v).map_err(Bail::unrepresentable)?,
        ))
    }
    fn serialize_u64(self, v: u64) -> Out {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.n(number_text(Number::from(v))),
        }
    }
    fn serialize_u128(self, v: u128) -> Out {
        self.n(number_text(
            Number::try_from(v).map_err(Bail::unrepresentable)?,
        ))
    }
    fn serialize_f32(self, v: f32) -> Out {
        self.n(number_text(
            Number::try_from(v).map_err(Bail::unrepresentable)?,
        ))
    }
    fn serialize_f64(self, v: f64) -> Out {
        match float_text(v) {
            Some(text) => self.n(text),
            // What is wrong with it, in the number's own words.
            None => Err(Number::try_from(v)
                .err()
                .map_or(REFUSED, Bail::unrepresentable)),
        }
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
            if self.check.is_some() {
                return Err(REFUSED); // A set where the schema may not say so.
            }
            return marked_set(value, self.size).map(Some);
        }
        if name == validate::NUMBER_MARKER {
            // A `validate::Number`: its digits, exact, as `N`.
            let text = value.serialize(super::map::KeySer::TEXT)?;
            let number: Number = text.parse().map_err(Bail::unrepresentable)?;
            return self.n(number_text(number));
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
        let size = self.variant(variant)?;
        let inner = present(value, size, None).map_err(|e| e.within(|| Segment::key(variant)))?;
        Ok(Some(one_entry(variant, inner)))
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
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<SeqSer<'s>>, Bail> {
        let fields = SeqSer::new(len, self.variant(variant)?, None)?;
        Ok(Variant { variant, fields })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<MapSer<'s>>, Bail> {
        let fields = MapSer::new(len, true, self.variant(variant)?, None)?;
        Ok(Variant { variant, fields })
    }
}

/// A value that is there: `None` inside it (`Some(None)`, a newtype around
/// `None`) is NULL, as in `to_value`. Its size is added to `size`.
pub(super) fn present<'s, V: Serialize + ?Sized>(
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
pub(super) fn null(size: &mut usize, check: Option<Check<'_>>) -> Result<AttributeValue, Bail> {
    passes(check, Check::null)?;
    *size += 1;
    Ok(AttributeValue::Null(true))
}

/// An enum variant with fields (`Variant::Tuple(a, b)`, `Variant { a, b }`):
/// a map of one key, the variant, around them, as in `to_value`.
pub(super) struct Variant<S> {
    variant: &'static str,
    fields: S,
}

impl ser::SerializeTupleVariant for Variant<SeqSer<'_>> {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    fn serialize_field<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        let variant = self.variant;
        self.fields
            .push(value)
            .map_err(|e| e.within(|| Segment::key(variant)))
    }
    fn end(self) -> Out {
        Ok(self
            .fields
            .finish()?
            .map(|fields| one_entry(self.variant, fields)))
    }
}

impl ser::SerializeStructVariant for Variant<MapSer<'_>> {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Bail> {
        let variant = self.variant;
        self.fields
            .insert(name.to_owned(), value)
            .map_err(|e| e.within(|| Segment::key(variant)))
    }
    fn end(self) -> Out {
        Ok(self
            .fields
            .finish()?
            .map(|fields| one_entry(self.variant, fields)))
    }
}

/// A map of one entry (an enum variant around its value).
fn one_entry(key: &str, value: AttributeValue) -> AttributeValue {
    AttributeValue::M(HashMap::from([(key.to_owned(), value)]))
}

/// A collection the model marks a set (`#[serde(with = "validate::set")]`):
/// which elements make which set is `to_value`'s rule, so it is asked.
/// Unchecked paths only (a checked field's schema says what set it is).
#[cold]
#[inline(never)]
fn marked_set<V: Serialize + ?Sized>(value: &V, size: &mut usize) -> Result<AttributeValue, Bail> {
    struct Marked<'v, V: ?Sized>(&'v V);
    impl<V: Serialize + ?Sized> Serialize for Marked<'_, V> {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            validate::set::serialize(self.0, serializer)
        }
    }
    let set = validate::to_value(&Marked(value)).map_err(Bail::from_validate)?;
    let attribute = codec::into_attribute(set).map_err(Bail::unrepresentable)?;
    *size += attribute_size(&attribute);
    Ok(attribute)
}
