//! The deserializer: the struct straight from the stored attributes,
//! checked ([`load`], the fast load) or unchecked ([`from_value`], the
//! report path's last step, and [`model`] for attributes the save checked).
//!
//! Checked, each attribute is held to its field's validator on the way:
//! as it is handed over where the validator is plain all the way down
//! ([`Check::stored`]), else through the field's report path first (its
//! validator passes it unchanged). It is the whole-item load run cheaper,
//! not other rules: an absent set is read as an empty set and a field
//! without a plain rule takes its report path (which may normalize it), as
//! there; anything it cannot take (extras to keep, anything invalid) gives
//! `None`, and the whole-item path decides and reports.

use std::collections::hash_map;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use smallvec::SmallVec;
use validate::{Extra, Presence, Segment, Value};

use super::check::{Check, Inner, MapCheck};
use super::report::loaded;
use crate::codec::{self, read_decimal};
use crate::model::{Model, ModelInfo};

/// Stored attributes → struct, checked and deserialized where they lie;
/// `None` when the whole-item path must decide.
pub(crate) fn load<T: Model>(attributes: &codec::Attributes, info: &ModelInfo) -> Option<T> {
    if info.schema.extra_policy() == Extra::Allow {
        return None; // Extras are kept as `Value`s: the field path does it.
    }
    // Fields without a plain rule take their report path first; the
    // values it normalizes are read from here.
    let mut normalized: SmallVec<[(usize, AttributeValue); 2]> = SmallVec::new();
    for &at in &info.fast.report {
        let slot = info.fast.slots.get(at)?;
        let name = slot.field.name();
        if let Some(attribute) = attributes.get(name)
            && let Some(value) = loaded(slot.field.validator(), attribute, name)?
        {
            normalized.push((at, value));
        }
    }
    let mut item = Stored {
        entries: attributes.iter(),
        attributes,
        normalized: &normalized,
        info,
        pending: None,
        needed: 0,
        sets: 0,
        next_set: 0,
        finished: false,
    };
    let model = T::deserialize(Fields(&mut item)).ok()?;
    // A `Deserialize` that stopped early left attributes unchecked.
    item.finished.then_some(model)
}

/// The model from attributes the save path wrote (the item as written,
/// either path): deserialized where they lie, unchecked, as a load reads
/// the same item — an absent set as an empty set; attributes the schema
/// does not know (kept from the stored item) left out, but for an
/// `Extra::Allow` model's own extras; the stored version not the model's.
pub(crate) fn model<T: Model>(
    attributes: &codec::Attributes,
    info: &ModelInfo,
) -> Result<T, validate::Error> {
    let schema = &info.schema;
    let extras = schema.extra_policy() == Extra::Allow;
    let version = info.migrations.map(|plan| plan.version_attribute());
    let known = attributes
        .iter()
        .filter(|(name, _)| match schema.get(name) {
            Some(_) => true,
            None => extras && Some(name.as_str()) != version,
        })
        .map(|(name, attribute)| (name.as_str(), attribute));
    let absent_sets = info
        .sets
        .iter()
        .filter(|(name, _)| !attributes.contains_key(name))
        .filter_map(|(name, set_type)| Some((name.as_str(), empty_set(*set_type)?)));
    T::deserialize(Fields(Entries::new(known.chain(absent_sets), None)))
}

/// A validated item as a `Value` → the model: the report path's last
/// step, by this same deserializer, unchecked (every attribute of the
/// value is the model's, extras of an `Extra::Allow` model included).
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, validate::Error> {
    let attribute = codec::as_read(value).map_err(<validate::Error as de::Error>::custom)?;
    T::deserialize(De::trusted(&attribute))
}

/// The error that sends the item to the next path: an attribute its
/// check or report path says no to. Its text is never shown.
#[cold]
#[inline(never)]
fn refused() -> validate::Error {
    de::Error::custom("left to the whole-item path")
}

/// The stored item's attributes, as the model's map: each known one held
/// to its field's validator as it is handed over, the others (kept in
/// the stored snapshot) left out, once they read as a `Value` as in the
/// whole-item path. When they run out, every attribute the schema needs
/// and every set must have come: an absent set reads as an empty set,
/// which its validator must see.
struct Stored<'a> {
    entries: hash_map::Iter<'a, String, AttributeValue>,
    attributes: &'a codec::Attributes,
    /// The attributes their report path normalized, by slot.
    normalized: &'a [(usize, AttributeValue)],
    info: &'a ModelInfo,
    pending: Option<(&'a str, De<'a>)>,
    /// The attributes so far that the schema needs.
    needed: usize,
    /// The sets so far.
    sets: usize,
    /// Where the hand-over of absent sets (as empty ones) is, in
    /// `ModelInfo::sets`.
    next_set: usize,
    /// Whether every attribute was handed over and the item is complete.
    finished: bool,
}

impl<'de> MapAccess<'de> for Stored<'_> {
    type Error = validate::Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, validate::Error> {
        let (info, schema) = (self.info, &self.info.schema);
        loop {
            let Some((name, attribute)) = self.entries.next() else {
                // Absent sets read as empty sets, as in the whole-item
                // path; their validators judge them.
                while let Some((name, set_type)) = info.sets.get(self.next_set) {
                    self.next_set += 1;
                    if self.attributes.contains_key(name) {
                        continue;
                    }
                    let slot = schema
                        .position(name)
                        .and_then(|at| info.fast.slots.get(at))
                        .ok_or_else(refused)?;
                    let empty = empty_set(*set_type).ok_or_else(refused)?;
                    if loaded(slot.field.validator(), empty, name) != Some(None) {
                        return Err(refused());
                    }
                    if !matches!(slot.field.presence(), Presence::Optional) {
                        self.needed += 1;
                    }
                    self.sets += 1;
                    self.pending = Some((name, De::trusted(empty)));
                    return seed
                        .deserialize(name.as_str().into_deserializer())
                        .map(Some);
                }
                if self.needed < schema.needed_keys() || self.sets < info.sets.len() {
                    return Err(refused());
                }
                self.finished = true;
                return Ok(None);
            };
            let Some((at, slot)) = schema
                .position(name)
                .and_then(|at| info.fast.slots.get(at).map(|slot| (at, slot)))
            else {
                // Not the model's: it stays in the stored snapshot.
                codec::from_attribute(attribute).map_err(|_| refused())?;
                continue;
            };
            let field = &slot.field;
            if !matches!(field.presence(), Presence::Optional) {
                self.needed += 1;
            }
            if slot.set_type.is_some() {
                self.sets += 1;
            }
            // Checked where it lies, or already by its report path (which
            // may have normalized it).
            let (attribute, check) = match field.validator().plain() {
                Some(plain) if slot.reads_checked => (attribute, Some(Check::attribute(plain))),
                _ => match self.normalized.iter().find(|(n, _)| *n == at) {
                    Some((_, value)) => (value, None),
                    None => (attribute, None),
                },
            };
            self.pending = Some((name, De { attribute, check }));
            return seed
                .deserialize(name.as_str().into_deserializer())
                .map(Some);
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, validate::Error> {
        value_of(&mut self.pending, seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The empty set of `set_type`, as an attribute (DynamoDB stores none: an
/// absent set attribute is read as one).
fn empty_set(set_type: validate::ValueType) -> Option<&'static AttributeValue> {
    static STRINGS: AttributeValue = AttributeValue::Ss(Vec::new());
    static NUMBERS: AttributeValue = AttributeValue::Ns(Vec::new());
    static BINARIES: AttributeValue = AttributeValue::Bs(Vec::new());
    match set_type {
        validate::ValueType::StringSet => Some(&STRINGS),
        validate::ValueType::NumberSet => Some(&NUMBERS),
        validate::ValueType::BinarySet => Some(&BINARIES),
        _ => None,
    }
}

/// The value of the key just handed over (`key`, for the path of an error
/// in it), for either map.
fn value_of<'de, S: DeserializeSeed<'de>>(
    pending: &mut Option<(&str, De<'_>)>,
    seed: S,
) -> Result<S::Value, validate::Error> {
    let (key, value) = pending
        .take()
        .ok_or_else(|| <validate::Error as de::Error>::custom("value asked before key"))?;
    seed.deserialize(value)
        .map_err(|e| e.within(Segment::key(key)))
}

/// An attribute as a serde deserializer, giving what the same attribute
/// as a `Value` gives. Lists and maps are walked where they lie; every
/// other shape is read as a `Value` (one string copy, as the raw client
/// makes) and handed to the `Value` deserializer, so the rules are its own.
///
/// With a [`Check`], the attribute is held to it before anything of it is
/// handed over, and its elements or entries to theirs as they are.
struct De<'a> {
    attribute: &'a AttributeValue,
    check: Option<Check<'a>>,
}

impl<'a> De<'a> {
    /// An attribute already checked (by its report path).
    fn trusted(attribute: &'a AttributeValue) -> De<'a> {
        De {
            attribute,
            check: None,
        }
    }

    /// Holds the attribute to its check, if it has one: the checks of its
    /// contents, or `Ok(None)` when it has none (checked already).
    fn admit(&self) -> Result<Option<Inner<'a>>, validate::Error> {
        match self.check {
            None => Ok(None),
            Some(check) => check.stored(self.attribute).map(Some).ok_or_else(refused),
        }
    }

    /// The attribute, held to its check, as a `Value`, for the shapes not
    /// read where they lie.
    #[cold]
    #[inline(never)]
    fn value(&self) -> Result<Value, validate::Error> {
        self.admit()?;
        self.read()
    }

    /// The attribute as a `Value`, once it passed its check. Cold: the
    /// common shapes are read where they lie, and this keeps each
    /// visitor's code short.
    #[cold]
    #[inline(never)]
    fn read(&self) -> Result<Value, validate::Error> {
        codec::from_attribute(self.attribute).map_err(de::Error::custom)
    }
}

macro_rules! as_value {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
            self.value()?.$method(visitor)
        }
    )*};
}

/// The methods the `Value` deserializer answers the same way for every
/// shape: a newtype wraps the value itself, an enum is read from the
/// `Value`.
macro_rules! same_as_value {
    () => {
        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, validate::Error> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, validate::Error> {
            self.value()?.deserialize_enum(name, variants, visitor)
        }
    };
}

/// Each element of a list or set has been handed over: one left over
/// means the visitor wanted fewer than there are.
fn all_taken<T>(out: T, left: usize, len: usize) -> Result<T, validate::Error> {
    if left == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements"))
    }
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = validate::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        let inner = self.admit()?;
        match self.attribute {
            AttributeValue::L(items) => {
                let check = match inner {
                    Some(Inner::Elements(check)) => Some(check),
                    _ => None,
                };
                let mut seq = Elements {
                    items: items.iter(),
                    check,
                    index: 0,
                };
                let out = visitor.visit_seq(&mut seq)?;
                all_taken(out, seq.items.len(), items.len())
            }
            AttributeValue::M(map) => {
                let check = match inner {
                    Some(Inner::Entries(check)) => Some(check),
                    _ => None,
                };
                let mut entries = Entries::new(map.iter().map(|(k, a)| (k.as_str(), a)), check);
                let out = visitor.visit_map(&mut entries)?;
                // A visitor that stopped early left entries unchecked.
                match entries.check {
                    Some(_) if !entries.finished => Err(refused()),
                    _ => Ok(out),
                }
            }
            // Already as a `Set` keeps it (sorted, unique): walked where it
            // lies, each element read as the `Value` path reads it.
            AttributeValue::Ss(set) if set.windows(2).all(|w| w[0] < w[1]) => {
                let mut seq = Strings(set.iter());
                let out = visitor.visit_seq(&mut seq)?;
                all_taken(out, seq.0.len(), set.len())
            }
            AttributeValue::S(s) => visitor.visit_string(s.clone()),
            AttributeValue::N(text) => match text.parse::<i64>() {
                // What the `Value` path gives an integer that fits an i64.
                Ok(i) => visitor.visit_i64(i),
                Err(_) => self.read()?.deserialize_any(visitor),
            },
            _ => self.read()?.deserialize_any(visitor),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            // Read once, and checked as the integer it reads as.
            AttributeValue::N(text) if let Ok(i) = text.parse::<i64>() => match self.check {
                Some(check) if !check.int(i) => Err(refused()),
                _ => visitor.visit_i64(i),
            },
            _ => self.value()?.deserialize_i64(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            AttributeValue::N(text) if let Some(f) = read_decimal(text) => {
                self.admit()?;
                visitor.visit_f64(f)
            }
            _ => self.value()?.deserialize_f64(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            AttributeValue::Null(_) => {
                self.admit()?;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    /// Binary read as a sequence is its bytes, as the `Value` deserializer
    /// reads it: a plain `Vec<u8>` field reads back what `bytes()` stored.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        match self.attribute {
            AttributeValue::B(_) => self.value()?.deserialize_seq(visitor),
            _ => self.deserialize_any(visitor),
        }
    }

    /// Nothing, once checked: every attribute passes its check, read or not.
    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, validate::Error> {
        if self.check.is_some() {
            self.deserialize_any(IgnoredAny)?;
        }
        visitor.visit_unit()
    }

    same_as_value!();

    as_value! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_bytes deserialize_byte_buf
    }

    serde::forward_to_deserialize_any! {
        bool char str string unit unit_struct tuple tuple_struct map struct identifier
    }
}

/// A list's elements, each held to `check` (if the list has one) as it is
/// handed over.
struct Elements<'a> {
    items: std::slice::Iter<'a, AttributeValue>,
    check: Option<Check<'a>>,
    /// The next element's index, for the path of an error in it.
    index: usize,
}

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = validate::Error;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, validate::Error> {
        let (check, index) = (self.check, self.index);
        self.index += 1;
        self.items
            .next()
            .map(|attribute| {
                seed.deserialize(De { attribute, check })
                    .map_err(|e| e.within(Segment::Index(index)))
            })
            .transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A string set's element as a serde deserializer, giving what the same
/// element as a `Value::String` gives, without the `Value` in between.
/// The set was checked whole before its first element is handed over.
struct Str<'a>(&'a str);

impl Str<'_> {
    /// The element as a `Value`, for the requests a string cannot meet
    /// (numbers, enums): the `Value` deserializer gives the answer.
    #[cold]
    #[inline(never)]
    fn value(&self) -> Result<Value, validate::Error> {
        Ok(Value::String(self.0.to_owned()))
    }
}

impl<'de> de::Deserializer<'de> for Str<'_> {
    type Error = validate::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        visitor.visit_string(self.0.to_owned())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, validate::Error> {
        visitor.visit_unit()
    }

    same_as_value!();

    as_value! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    serde::forward_to_deserialize_any! {
        bool char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier
    }
}

struct Strings<'a>(std::slice::Iter<'a, String>);

impl<'de> SeqAccess<'de> for Strings<'_> {
    type Error = validate::Error;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, validate::Error> {
        self.0.next().map(|s| seed.deserialize(Str(s))).transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// A map's entries, each held to `check` (if the map has one) as it is
/// handed over: every key known to the map's schema, every key it needs
/// given.
struct Entries<'a, I> {
    entries: I,
    pending: Option<(&'a str, De<'a>)>,
    check: Option<MapCheck<'a>>,
    /// Whether the entries ran out (and, checked, were complete).
    finished: bool,
}

impl<'a, I> Entries<'a, I> {
    fn new(entries: I, check: Option<MapCheck<'a>>) -> Entries<'a, I> {
        Entries {
            entries,
            pending: None,
            check,
            finished: false,
        }
    }
}

impl<'de, 'a, I: Iterator<Item = (&'a str, &'a AttributeValue)>> MapAccess<'de> for Entries<'a, I> {
    type Error = validate::Error;
    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, validate::Error> {
        let Some((key, attribute)) = self.entries.next() else {
            if self.check.as_ref().is_some_and(|map| !map.complete()) {
                return Err(refused());
            }
            self.finished = true;
            return Ok(None);
        };
        let value = match &mut self.check {
            None => De::trusted(attribute),
            Some(map) => {
                let (check, needed) = map.entry(key).ok_or_else(refused)?;
                if needed {
                    map.given();
                }
                De {
                    attribute,
                    check: Some(check),
                }
            }
        };
        self.pending = Some((key, value));
        seed.deserialize(key.into_deserializer()).map(Some)
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, validate::Error> {
        value_of(&mut self.pending, seed)
    }
    fn size_hint(&self) -> Option<usize> {
        match self.entries.size_hint() {
            (low, Some(high)) if low == high => Some(low),
            _ => None,
        }
    }
}

/// The item's top level: a map, whatever the target type asks for (as
/// `from_value` of the item as a map).
struct Fields<M>(M);

impl<'de, M: MapAccess<'de, Error = validate::Error>> de::Deserializer<'de> for Fields<M> {
    type Error = validate::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, validate::Error> {
        visitor.visit_map(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests;
