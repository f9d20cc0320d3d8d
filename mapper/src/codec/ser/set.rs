//! Sets: a list the schema turns into a set, and a field the schema makes
//! a string set, collected as the set's own.

use serde::ser::{self, Impossible, Serialize};
use validate::Lengths;
use validate::plain::Text;

use super::*;

/// A field the schema makes a string set, serialized as the attribute target and
/// `into_set` would give it, the strings collected as the set's own:
/// sorted, without duplicates, `None` when empty. Any other shape is left
/// to the next path. Under a check, each string passes as it comes, and
/// the set's size at the end.
pub(super) struct StrSetSer<'p>(pub(super) Option<Check<'p>>);

/// The strings of a [`StrSetSer`] sequence, and the checks they pass.
pub(super) struct StrSeq<'p> {
    strings: Vec<String>,
    check: Option<(Lengths, &'p Text)>,
}

impl<'p> StrSetSer<'p> {
    fn seq(self, len: usize) -> Result<StrSeq<'p>, Bail> {
        let check = self.0.map(|c| c.str_set().ok_or(REFUSED)).transpose()?;
        Ok(StrSeq {
            strings: Vec::with_capacity(len),
            check,
        })
    }
}

impl<'p> ser::Serializer for StrSetSer<'p> {
    type Ok = Option<Counted>;
    type Error = Bail;
    type SerializeSeq = StrSeq<'p>;
    type SerializeTuple = StrSeq<'p>;
    type SerializeTupleStruct = Impossible<Option<Counted>, Bail>;
    type SerializeTupleVariant = Impossible<Option<Counted>, Bail>;
    type SerializeMap = Impossible<Option<Counted>, Bail>;
    type SerializeStruct = Impossible<Option<Counted>, Bail>;
    type SerializeStructVariant = Impossible<Option<Counted>, Bail>;

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
        value.serialize(self)?.map(Some).ok_or(REFUSED)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, name: &'static str, value: &V) -> Out {
        if name == validate::set::MARKER {
            return Err(REFUSED);
        }
        value.serialize(self)?.map(Some).ok_or(REFUSED)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Out {
        Err(REFUSED)
    }
    bail!(
        serialize_bool(bool) -> Option<Counted>,
        serialize_i8(i8) -> Option<Counted>,
        serialize_i16(i16) -> Option<Counted>,
        serialize_i32(i32) -> Option<Counted>,
        serialize_i64(i64) -> Option<Counted>,
        serialize_u8(u8) -> Option<Counted>,
        serialize_u16(u16) -> Option<Counted>,
        serialize_u32(u32) -> Option<Counted>,
        serialize_u64(u64) -> Option<Counted>,
        serialize_f32(f32) -> Option<Counted>,
        serialize_f64(f64) -> Option<Counted>,
        serialize_char(char) -> Option<Counted>,
        serialize_str(&str) -> Option<Counted>,
        serialize_bytes(&[u8]) -> Option<Counted>,
        serialize_unit() -> Option<Counted>,
        serialize_unit_struct(&'static str) -> Option<Counted>,
        serialize_unit_variant(&'static str, u32, &'static str) -> Option<Counted>,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct(&'static str, usize) -> Self::SerializeStruct,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant,
    );
}

impl StrSeq<'_> {
    fn push<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        let s = validate::ser::text::<_, Bail>(value)?;
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
        let attribute = AttributeValue::Ss(set);
        Ok(Some(Counted {
            size: attribute_size(&attribute),
            attribute,
        }))
    }
}

seq_shapes!(
    StrSeq<'_>:
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element
);

/// A list the schema turns into a set, as `set_of` would turn it: sorted,
/// without duplicates; `None` for an empty one (an absent attribute).
pub(super) fn into_set(
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
                    _ => Err(REFUSED),
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
                    AttributeValue::N(text) => text.parse::<Number>().map_err(|_| REFUSED),
                    _ => Err(REFUSED),
                })
                .collect::<Result<Vec<_>, _>>()?;
            set.sort_unstable();
            set.dedup();
            AttributeValue::Ns(set.iter().map(ToString::to_string).collect())
        }
        _ => return Err(REFUSED),
    }))
}
