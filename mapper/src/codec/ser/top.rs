//! The item's top level: the model's struct, field by field, each field
//! to its slot of the schema.

use serde::ser::{self, Impossible, Serialize};
use validate::ser::Serializer;

use super::*;

/// The item's top level: a struct, field by field.
pub(super) struct Top<'a> {
    pub(super) info: &'a ModelInfo,
    pub(super) attributes: codec::Attributes,
    /// The attributes' size so far.
    pub(super) size: usize,
    /// The hash of the key attributes so far.
    pub(super) key_hash: u64,
    /// Finds each field's place in the schema.
    pub(super) fields: Walk<'a>,
}

impl<'a> Top<'a> {
    /// The slot of the field named `name`, and the check its values pass
    /// as they are written (if they are checked so). Inline: a field
    /// where it came the first time is one comparison.
    #[inline]
    fn field(&mut self, name: &'static str) -> (Option<&'a FieldSlot>, Option<Check<'a>>) {
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

    /// A field's serialized attribute (of `size`), through its report check
    /// unless it was checked as it was written, and added. Kept out of line: one
    /// copy for every field type, which keeps the per-type code small.
    #[inline(never)]
    fn add(
        &mut self,
        name: &'static str,
        found: Option<&FieldSlot>,
        written: Option<Counted>,
        checked: bool,
    ) -> Result<(), Bail> {
        // `None` fields are absent attributes, as in `to_value`.
        let Some(Counted {
            mut attribute,
            mut size,
        }) = written
        else {
            return Ok(());
        };
        let Some(slot) = found else {
            return match self.info.schema.extra_policy() {
                Extra::Remove => Ok(()),
                _ => Err(REFUSED),
            };
        };
        // Only a list can become a set (`into_set` leaves the rest).
        if matches!(attribute, AttributeValue::L(_))
            && let Some(set_type) = slot.set_type
        {
            if !slot.lists_as_sets {
                return Err(REFUSED);
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
            // The field's own report check: its validator on the `Value`.
            let value = normalized(slot.field.validator(), &attribute, name).ok_or(REFUSED)?;
            if codec::sets::is_empty_set(&value) {
                return Ok(()); // Absent (a default may fill it).
            }
            attribute = codec::into_attribute(value).map_err(|_| REFUSED)?;
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
        let written = match found {
            // Strings straight into the set, no list in between.
            Some(slot) if slot.lists_as_sets && slot.set_type == Some(ValueType::StringSet) => {
                value.serialize(StrSetSer(check))?
            }
            _ => value.serialize(Serializer(Checked(check)))?,
        };
        self.add(name, found, written, check.is_some())
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
            return Err(REFUSED);
        }
        value.serialize(self)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _value: &V) -> Result<Encoded, Bail> {
        Err(REFUSED)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Result<Encoded, Bail> {
        Err(REFUSED)
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
