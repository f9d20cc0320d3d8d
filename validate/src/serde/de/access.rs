//! Lists and maps as serde's `SeqAccess` and `MapAccess`, each element or
//! entry read by the [`Deserializer`](super::Deserializer), its errors at
//! its index or key.

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::{Deserializer, Entries, Node};
use crate::error::{Error, Result};
use crate::path::Segment;

/// A list's elements, each a deserializer, for a visitor.
pub struct ListAccess<I> {
    items: I,
    index: usize,
}

impl<'de, I, D> SeqAccess<'de> for ListAccess<I>
where
    I: ExactSizeIterator<Item = D>,
    D: de::Deserializer<'de, Error = Error>,
{
    type Error = Error;
    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(item)
            .map(Some)
            .map_err(|e| e.within(Segment::Index(index)))
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The visitor's sequence: every element must be taken (one left over
/// means the visitor wanted fewer than there are).
pub(super) fn visit_seq<'de, V, I, D>(items: I, visitor: V) -> Result<V::Value>
where
    V: Visitor<'de>,
    I: ExactSizeIterator<Item = D>,
    D: de::Deserializer<'de, Error = Error>,
{
    let len = items.len();
    let mut seq = ListAccess { items, index: 0 };
    let out = visitor.visit_seq(&mut seq)?;
    if seq.items.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements"))
    }
}

/// A map's entries, for a visitor: each key as text, each value by the
/// [`Deserializer`].
pub struct EntryAccess<'a, N, E> {
    entries: E,
    pending: Option<(Cow<'a, str>, N)>,
}

impl<'a, N, E> EntryAccess<'a, N, E> {
    /// The entries, for a visitor's `visit_map`.
    pub fn new(entries: E) -> EntryAccess<'a, N, E> {
        EntryAccess {
            entries,
            pending: None,
        }
    }
}

impl<'de, 'a, N: Node<'a>, E: Entries<'a, N>> MapAccess<'de> for EntryAccess<'a, N, E> {
    type Error = Error;
    fn next_key_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        let Some((key, node)) = self.entries.next_entry()? else {
            return Ok(None);
        };
        let out = seed
            .deserialize(key.as_ref().into_deserializer())
            .map_err(|e: Error| e.within(Segment::key(key.as_ref())))?;
        self.pending = Some((key, node));
        Ok(Some(out))
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        let (key, node) = self
            .pending
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("value asked before key"))?;
        seed.deserialize(Deserializer(node))
            .map_err(|e| e.within(Segment::key(key.as_ref())))
    }
    fn size_hint(&self) -> Option<usize> {
        self.entries.left()
    }
}

/// The visitor's map, and the map's word on what the visitor read.
pub(super) fn visit_map<'de, 'a, V, N, E>(entries: E, visitor: V) -> Result<V::Value>
where
    V: Visitor<'de>,
    N: Node<'a>,
    E: Entries<'a, N>,
{
    let mut access = EntryAccess::new(entries);
    let out = visitor.visit_map(&mut access)?;
    access.entries.done()?;
    Ok(out)
}
