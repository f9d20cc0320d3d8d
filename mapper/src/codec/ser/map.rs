//! A nested map (a struct or a map field), each entry checked against its
//! schema as serde hands it over, and its keys.

use serde::ser::{self, Impossible, Serialize};

use super::*;

/// A map: three bytes, and each entry's key and value. Under a check,
/// each key is one its schema knows and each value passes its field's
/// check as it comes; at the end, every key the schema needs is there.
pub(super) struct MapSer<'s> {
    map: codec::Attributes,
    key: Option<String>,
    /// Struct fields holding `None` are left out; map entries keep NULL.
    skip_none: bool,
    size: &'s mut usize,
    check: Option<MapCheck<'s>>,
}

impl<'s> MapSer<'s> {
    pub(super) fn new(
        len: usize,
        skip_none: bool,
        size: &'s mut usize,
        check: Option<Check<'s>>,
    ) -> Result<MapSer<'s>, Bail> {
        let check = match check {
            Some(check) => Some(check.map().ok_or(REFUSED)?),
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

    pub(super) fn insert<V: Serialize + ?Sized>(
        &mut self,
        key: String,
        value: &V,
    ) -> Result<(), Bail> {
        let mut size = 0;
        let (check, needed) = self.entry(&key)?;
        let serialized = value
            .serialize(AttrSer::new(&mut size, check))
            .map_err(|e| e.within(|| Segment::key(&key)))?;
        let attribute = match serialized {
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
                let (check, needed) = map.entry(key).ok_or(REFUSED)?;
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
                return Err(REFUSED);
            }
        }
        if needed && let Some(map) = &mut self.check {
            map.given();
        }
        Ok(())
    }

    pub(super) fn finish(self) -> Out {
        passes(self.check, |map| map.complete())?;
        Ok(Some(AttributeValue::M(self.map)))
    }
}

impl ser::SerializeMap for MapSer<'_> {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    fn serialize_key<V: Serialize + ?Sized>(&mut self, key: &V) -> Result<(), Bail> {
        self.key = Some(key.serialize(KeySer::MAP)?);
        Ok(())
    }
    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Bail::unrepresentable("map value without a key"))?;
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

/// A map key (`KeySer::MAP`): text, with integers and unit variants
/// spelled out, as `to_value` writes them; anything else is no key
/// DynamoDB can hold. A string set's element (`KeySer::TEXT`): text only.
pub(super) struct KeySer {
    spell: bool,
}

impl KeySer {
    pub(super) const MAP: KeySer = KeySer { spell: true };
    pub(super) const TEXT: KeySer = KeySer { spell: false };

    fn spelled(self, v: impl ToString) -> Result<String, Bail> {
        if self.spell {
            Ok(v.to_string())
        } else {
            Err(REFUSED)
        }
    }
}

/// A key that is no text, integer or variant.
#[cold]
fn no_key() -> Bail {
    Bail::unrepresentable("map keys must be strings or integers")
}

macro_rules! spelled {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<String, Bail> {
            self.spelled(v)
        }
    )*};
}

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
    ) -> Result<String, Bail> {
        self.spelled(variant)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &V,
    ) -> Result<String, Bail> {
        if self.spell {
            value.serialize(self)
        } else {
            Err(REFUSED)
        }
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _value: &V) -> Result<String, Bail> {
        Err(no_key())
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Result<String, Bail> {
        Err(no_key())
    }
    bail!(no_key();
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
