//! The item's top level as the fast load reads it: the stored attributes
//! as the model's map, each held to its field's check as it is handed over.

use std::collections::hash_map;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess};
use validate::Presence;

use super::value::De;
use super::{refused, value_of};
use crate::codec::fast::{Check, loaded};
use crate::codec::{self, sets};
use crate::model::ModelInfo;

/// The stored item's attributes, as the model's map: each known one held
/// to its field's validator as it is handed over, the others (kept in
/// the stored snapshot) left out, once they read as a `Value` as in the
/// report path. When they run out, every attribute the schema needs
/// and every set must have come: an absent set reads as an empty set,
/// which its validator must see.
pub(super) struct Stored<'a> {
    pub(super) entries: hash_map::Iter<'a, String, AttributeValue>,
    pub(super) attributes: &'a codec::Attributes,
    /// The attributes their report check normalized, by slot.
    pub(super) normalized: &'a [(usize, AttributeValue)],
    pub(super) info: &'a ModelInfo,
    pub(super) pending: Option<(&'a str, De<'a>)>,
    /// The attributes so far that the schema needs.
    pub(super) needed: usize,
    /// The sets so far.
    pub(super) sets: usize,
    /// Where the hand-over of absent sets (as empty ones) is, in
    /// `ModelInfo::sets`.
    pub(super) next_set: usize,
    /// Whether every attribute was handed over and the item is complete.
    pub(super) finished: bool,
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
                // Absent sets read as empty sets, as in the report
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
                    let empty = sets::empty_attribute(*set_type).ok_or_else(refused)?;
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
                if !info.is_computed(name) {
                    codec::from_attribute(attribute).map_err(|_| refused())?;
                }
                continue;
            };
            let field = &slot.field;
            if !matches!(field.presence(), Presence::Optional) {
                self.needed += 1;
            }
            if slot.set_type.is_some() {
                self.sets += 1;
            }
            // Checked where it lies, or already by its report check (which
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
