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
use validate::{Extra, Number, PathNode, Presence, ValueType};

use super::vouch::vouch;
use crate::codec;
use crate::model::{Model, ModelInfo};
use crate::save::COUNTER_KEY;

/// struct → validated attributes, serialized where they lie; `None` when
/// the field-by-field or whole-item path must decide.
pub(crate) fn encode<T: Model>(model: &T, info: &ModelInfo) -> Option<codec::Item> {
    let schema = &info.schema;
    if schema.extra_policy() == Extra::Allow {
        return None; // Extras are kept as they come: the field path does it.
    }
    let mut attributes = model
        .serialize(Top {
            info,
            attributes: HashMap::with_capacity(schema.fields().len()),
        })
        .ok()?;
    // Only the schema's fields are in `attributes` (each once): fewer
    // means some are absent.
    if attributes.len() < schema.fields().len() {
        for field in schema.fields() {
            if attributes.contains_key(field.name()) {
                continue;
            }
            match field.presence() {
                Presence::Required => return None,
                Presence::Optional => {}
                Presence::Default(default) => {
                    let value = default.make();
                    if !codec::is_empty_set(&value) {
                        let attribute = codec::into_attribute(value).ok()?;
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
    Some(attributes)
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
}

impl ser::SerializeStruct for Top<'_> {
    type Ok = codec::Item;
    type Error = Bail;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Bail> {
        // `None` fields are absent attributes, as in `to_value`.
        let Some(mut attribute) = value.serialize(AttrSer)? else {
            return Ok(());
        };
        let Some(field) = self.info.schema.get(name) else {
            return match self.info.schema.extra_policy() {
                Extra::Remove => Ok(()),
                _ => Err(Bail),
            };
        };
        // Only a list can become a set (`into_set` leaves the rest).
        if matches!(attribute, AttributeValue::L(_))
            && let Some(set_type) = self.info.set_type(name)
        {
            if !field.validator().takes_lists_as_sets() {
                return Err(Bail);
            }
            match into_set(attribute, set_type)? {
                Some(set) => attribute = set,
                // An empty set is an absent attribute (a default may fill it).
                None => return Ok(()),
            }
        }
        if !vouch(field.validator(), &attribute, &PathNode::ROOT.key(name)) {
            return Err(Bail);
        }
        self.attributes.insert(name.to_owned(), attribute);
        Ok(())
    }

    fn end(self) -> Result<codec::Item, Bail> {
        Ok(self.attributes)
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
    type Ok = codec::Item;
    type Error = Bail;
    type SerializeSeq = Impossible<codec::Item, Bail>;
    type SerializeTuple = Impossible<codec::Item, Bail>;
    type SerializeTupleStruct = Impossible<codec::Item, Bail>;
    type SerializeTupleVariant = Impossible<codec::Item, Bail>;
    type SerializeMap = Impossible<codec::Item, Bail>;
    type SerializeStruct = Top<'a>;
    type SerializeStructVariant = Impossible<codec::Item, Bail>;

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Top<'a>, Bail> {
        Ok(self)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &V,
    ) -> Result<codec::Item, Bail> {
        if name == validate::set::MARKER {
            return Err(Bail);
        }
        value.serialize(self)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, _value: &V) -> Result<codec::Item, Bail> {
        Err(Bail)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &V,
    ) -> Result<codec::Item, Bail> {
        Err(Bail)
    }
    bail!(
        serialize_bool(bool) -> codec::Item,
        serialize_i8(i8) -> codec::Item,
        serialize_i16(i16) -> codec::Item,
        serialize_i32(i32) -> codec::Item,
        serialize_i64(i64) -> codec::Item,
        serialize_u8(u8) -> codec::Item,
        serialize_u16(u16) -> codec::Item,
        serialize_u32(u32) -> codec::Item,
        serialize_u64(u64) -> codec::Item,
        serialize_f32(f32) -> codec::Item,
        serialize_f64(f64) -> codec::Item,
        serialize_char(char) -> codec::Item,
        serialize_str(&str) -> codec::Item,
        serialize_bytes(&[u8]) -> codec::Item,
        serialize_none() -> codec::Item,
        serialize_unit() -> codec::Item,
        serialize_unit_struct(&'static str) -> codec::Item,
        serialize_unit_variant(&'static str, u32, &'static str) -> codec::Item,
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
            n(v.to_string())
        }
    )*};
}

/// One value → its attribute, as `to_value` and then the codec give it;
/// `Ok(None)` for `Option::None` itself (an absent struct field, a NULL
/// anywhere else).
struct AttrSer;

fn n(text: String) -> Out {
    Ok(Some(AttributeValue::N(text)))
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
        return Ok(v.to_string());
    }
    Number::try_from(v)
        .map(codec::number_text)
        .map_err(|_| Bail)
}

impl ser::Serializer for AttrSer {
    type Ok = Option<AttributeValue>;
    type Error = Bail;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = Impossible<Option<AttributeValue>, Bail>;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = Impossible<Option<AttributeValue>, Bail>;

    fn serialize_bool(self, v: bool) -> Out {
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
        n(codec::number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_u64(self, v: u64) -> Out {
        n(codec::number_text(Number::from(v)))
    }
    fn serialize_u128(self, v: u128) -> Out {
        n(codec::number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_f32(self, v: f32) -> Out {
        n(codec::number_text(Number::try_from(v).map_err(|_| Bail)?))
    }
    fn serialize_f64(self, v: f64) -> Out {
        n(float_text(v)?)
    }
    fn serialize_char(self, v: char) -> Out {
        Ok(Some(AttributeValue::S(v.to_string())))
    }
    fn serialize_str(self, v: &str) -> Out {
        Ok(Some(AttributeValue::S(v.to_owned())))
    }
    fn serialize_bytes(self, v: &[u8]) -> Out {
        Ok(Some(AttributeValue::B(Blob::new(v))))
    }
    fn serialize_none(self) -> Out {
        Ok(None)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Out {
        present(value).map(Some)
    }
    fn serialize_unit(self) -> Out {
        Ok(Some(AttributeValue::Null(true)))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out {
        Ok(Some(AttributeValue::Null(true)))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Out {
        Ok(Some(AttributeValue::S(variant.to_owned())))
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, name: &'static str, value: &V) -> Out {
        if name == validate::set::MARKER {
            return Err(Bail); // A set where the schema may not say so.
        }
        present(value).map(Some)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &V,
    ) -> Out {
        let inner = present(value)?;
        Ok(Some(AttributeValue::M(HashMap::from([(
            variant.to_owned(),
            inner,
        )]))))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, Bail> {
        Ok(SeqSer(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, Bail> {
        Ok(SeqSer(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer, Bail> {
        Ok(SeqSer(Vec::with_capacity(len)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSer, Bail> {
        Ok(MapSer {
            map: HashMap::with_capacity(len.unwrap_or(0)),
            key: None,
            skip_none: false,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSer, Bail> {
        Ok(MapSer {
            map: HashMap::with_capacity(len),
            key: None,
            skip_none: true,
        })
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
/// `None`) is NULL, as in `to_value`.
fn present<V: Serialize + ?Sized>(value: &V) -> Result<AttributeValue, Bail> {
    Ok(value
        .serialize(AttrSer)?
        .unwrap_or(AttributeValue::Null(true)))
}

struct SeqSer(Vec<AttributeValue>);

impl SeqSer {
    fn push<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        self.0.push(present(value)?);
        Ok(())
    }
}

/// The three sequence shapes serde has, all lists.
macro_rules! seq_shapes {
    ($($shape:ident::$method:ident),*) => {$(
        impl ser::$shape for SeqSer {
            type Ok = Option<AttributeValue>;
            type Error = Bail;
            fn $method<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
                self.push(value)
            }
            fn end(self) -> Out {
                Ok(Some(AttributeValue::L(self.0)))
            }
        }
    )*};
}

seq_shapes!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

struct MapSer {
    map: codec::Item,
    key: Option<String>,
    /// Struct fields holding `None` are left out; map entries keep NULL.
    skip_none: bool,
}

impl MapSer {
    fn insert<V: Serialize + ?Sized>(&mut self, key: String, value: &V) -> Result<(), Bail> {
        let attribute = match value.serialize(AttrSer)? {
            Some(attribute) => attribute,
            None if self.skip_none => return Ok(()),
            None => AttributeValue::Null(true),
        };
        self.map.insert(key, attribute);
        Ok(())
    }
}

impl ser::SerializeMap for MapSer {
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
        Ok(Some(AttributeValue::M(self.map)))
    }
}

impl ser::SerializeStruct for MapSer {
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
        Ok(Some(AttributeValue::M(self.map)))
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
                .required(
                    "meta",
                    Schema::new()
                        .required("unit", str().one_of(["C", "F"]))
                        .required("scale", int().range(1..=9))
                        .optional("note", str().length(..=3)),
                )
                .optional("maybe", int())
                .optional("nested", maybe(int()))
                .optional("code", str().length(1..=3))
                .required(
                    "mode",
                    validate::any([str().one_of(["Fast", "Slow"]), map_of(str(), int())]),
                )
                .required("extra", map_of(str(), maybe(validate::bool())))
                .required("flag", validate::bool())
        }
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
                ("[CFK]", 0i64..11, proptest::option::of("[a-z]{0,4}")),
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
        )
            .prop_map(
                |(
                    (id, tags, sizes, value, small, notes),
                    ((unit, scale, note), maybe, nested, code, mode, extra, flag),
                )| Wide {
                    id,
                    tags,
                    sizes,
                    value,
                    small,
                    notes,
                    meta: Meta { unit, scale, note },
                    maybe,
                    nested,
                    code,
                    mode,
                    extra,
                    flag,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn direct_save_matches_the_whole_item_path(model in wide()) {
            let info = ModelInfo::of::<Wide>().map_err(|e| TestCaseError::fail(e.to_string()))?;
            if let Some(direct) = encode(&model, &info) {
                let whole = encode_whole(&model, &info, "wide").map(|w| w.attributes);
                prop_assert_eq!(Ok(&direct), whole.as_ref().map_err(|e| e.to_string()));
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
        fn floats_are_written_as_numbers_write_them(v in any_float()) {
            let expected = Number::try_from(v).map(codec::number_text).ok();
            prop_assert_eq!(float_text(v).ok(), expected);
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
        };
        let direct = encode(&model, &info).ok_or_else(|| crate::Error::Schema {
            table: "wide".into(),
            message: "refused".into(),
        })?;
        assert_eq!(direct, encode_whole(&model, &info, "wide")?.attributes);
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
