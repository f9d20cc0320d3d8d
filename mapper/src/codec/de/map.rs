//! A map, entry by entry.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess};

use super::value::De;
use super::{refused, value_of};
use crate::codec::fast::MapCheck;

/// A map's entries, each held to `check` (if the map has one) as it is
/// handed over: every key known to the map's schema, every key it needs
/// given.
pub(super) struct Entries<'a, I> {
    pub(super) entries: I,
    pub(super) pending: Option<(&'a str, De<'a>)>,
    pub(super) check: Option<MapCheck<'a>>,
    /// Whether the entries ran out (and, checked, were complete).
    pub(super) finished: bool,
}

impl<'a, I> Entries<'a, I> {
    pub(super) fn new(entries: I, check: Option<MapCheck<'a>>) -> Entries<'a, I> {
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
