//! The fast load: stored attributes → the struct, read by `validate`'s
//! one deserializer (`validate::de`, the one `validate::from_value` runs
//! at the end of the report path), of which this module gives the nodes:
//! `top.rs` the item, `value.rs` one attribute, `map.rs` a map's entries.
//!
//! - [`checked`] (fast): each attribute held to its field's validator on
//!   the way — as it is handed over where the validator is plain all the
//!   way down (`Check::stored`), else through the field's report check
//!   first (its validator passes it unchanged). It is the report load run
//!   cheaper, not other rules: an absent set is read as an empty set and
//!   a field without a plain rule is normalized as there; anything it
//!   cannot take (extras to keep, anything invalid) gives `None`, and the
//!   report path decides and reports.
//! - the report path's last step (a validated `Value` → the struct) is
//!   `validate::from_value`, the same deserializer over a `Value`;
//!   [`written`] reads attributes the save checked.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use smallvec::SmallVec;
use validate::de::{Deserializer, EntryAccess};
use validate::{Extra, Segment};

use crate::codec::fast::loaded;
use crate::codec::{self, sets};
use crate::model::{Model, ModelInfo};
use map::Entries;
use top::Stored;
use value::De;

/// Stored attributes → struct, checked and deserialized where they lie;
/// `None` when the report path must decide.
pub(crate) fn checked<T: Model>(attributes: &codec::Attributes, info: &ModelInfo) -> Option<T> {
    if info.schema.extra_policy() == Extra::Allow {
        return None; // Extras are kept as `Value`s: the field path does it.
    }
    // Fields without a plain rule take their report check first; the
    // values it normalizes are read from here. A list stored where such
    // a field declares a set is refused here (its validator might take
    // the list as a set); a checked field refuses it by its plain check,
    // so a fast load never passes an item `sets::misstored` would name.
    let mut normalized: SmallVec<[(usize, AttributeValue); 2]> = SmallVec::new();
    for &at in &info.fast.report {
        let slot = info.fast.slots.get(at)?;
        let name = slot.field.name();
        let Some(attribute) = attributes.get(name) else {
            continue;
        };
        if slot.holds_sets && sets::is_misstored(attribute, slot.field.validator()) {
            return None;
        }
        if let Some(value) = loaded(slot.field.validator(), attribute, name)? {
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
pub(crate) fn written<T: Model>(
    attributes: &codec::Attributes,
    info: &ModelInfo,
) -> Result<T, validate::Error> {
    let schema = &info.schema;
    let extras = schema.extra_policy() == Extra::Allow;
    let version = info.migrations.map(|plan| plan.version_attribute());
    let known = attributes
        .iter()
        .filter(|(name, _)| {
            schema.get(name).is_some()
                || (extras && Some(name.as_str()) != version && info.is_unknown(name))
        })
        .map(|(name, attribute)| (name.as_str(), attribute));
    let absent_sets = sets::absent(attributes, info);
    T::deserialize(Fields(EntryAccess::new(Entries::new(
        known.chain(absent_sets),
        None,
    ))))
}

/// The error that sends the item to the next path: an attribute its
/// check or report path says no to. Its text is never shown.
#[cold]
#[inline(never)]
fn refused() -> validate::Error {
    de::Error::custom("left to the report path")
}

/// The value of the key just handed over (`key`, for the path of an error
/// in it).
fn value_of<'de, S: DeserializeSeed<'de>>(
    pending: &mut Option<(&str, De<'_>)>,
    seed: S,
) -> Result<S::Value, validate::Error> {
    let (key, value) = pending
        .take()
        .ok_or_else(|| <validate::Error as de::Error>::custom("value asked before key"))?;
    seed.deserialize(Deserializer(value))
        .map_err(|e| e.within(Segment::key(key)))
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

mod map;
mod top;
mod value;

#[cfg(test)]
mod tests;
