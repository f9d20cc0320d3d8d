//! A map, entry by entry.

use std::borrow::Cow;
use std::collections::hash_map;

use aws_sdk_dynamodb::types::AttributeValue;

use super::refused;
use super::value::De;
use crate::codec::fast::MapCheck;

/// A map's entries, each held to `check` (if the map has one) as it is
/// handed over: every key known to the map's schema, every key it needs
/// given, and the map read to its end.
pub(super) struct Entries<'a, I> {
    entries: I,
    check: Option<MapCheck<'a>>,
    /// Whether the entries ran out (and, checked, were complete).
    finished: bool,
}

impl<'a, I> Entries<'a, I> {
    pub(super) fn new(entries: I, check: Option<MapCheck<'a>>) -> Entries<'a, I> {
        Entries {
            entries,
            check,
            finished: false,
        }
    }
}

impl<'a, I: Iterator<Item = (&'a str, &'a AttributeValue)>> validate::de::Entries<'a, De<'a>>
    for Entries<'a, I>
{
    fn next_entry(&mut self) -> Result<Option<(Cow<'a, str>, De<'a>)>, validate::Error> {
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
        Ok(Some((Cow::Borrowed(key), value)))
    }

    fn left(&self) -> Option<usize> {
        match self.entries.size_hint() {
            (low, Some(high)) if low == high => Some(low),
            _ => None,
        }
    }

    /// A visitor that stopped early left entries unchecked.
    fn done(&self) -> Result<(), validate::Error> {
        match self.check {
            Some(_) if !self.finished => Err(refused()),
            _ => Ok(()),
        }
    }
}

/// A stored map's entries, keys as text.
pub(super) struct Keys<'a>(pub(super) hash_map::Iter<'a, String, AttributeValue>);

impl<'a> Iterator for Keys<'a> {
    type Item = (&'a str, &'a AttributeValue);
    fn next(&mut self) -> Option<Self::Item> {
        self.0
            .next()
            .map(|(key, attribute)| (key.as_str(), attribute))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
