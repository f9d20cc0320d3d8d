//! What the serializer writes into: how each DynamoDB type is built, and
//! where a value may be refused.

use crate::number::Number;
use crate::path::Segment;
use crate::value::Value;

/// Where the [`Serializer`](super::Serializer) writes a value: one method
/// per DynamoDB type. A target may refuse a value (the mapper holds each
/// one to its field's check as it is written); the mapping itself is the
/// serializer's, the same for every target.
///
/// A target is small and copied: the target of a list's elements or a
/// map's entries comes from its [`ListTarget`] or [`MapTarget`].
pub trait Target: Copy {
    /// A value as written (`Value`, an attribute and its size).
    type Item;
    /// Why serializing stopped.
    type Error: TargetError;
    /// Collects a list's elements.
    type List: ListTarget<Self>;
    /// Collects a map's entries.
    type Map: MapTarget<Self>;

    /// A boolean.
    ///
    /// # Errors
    /// The target refuses it.
    fn bool(self, v: bool) -> Result<Self::Item, Self::Error>;
    /// An integer of up to 64 bits that fits an `i64`.
    ///
    /// # Errors
    /// The target refuses it.
    fn int(self, v: i64) -> Result<Self::Item, Self::Error>;
    /// Any other number: wider integers, `f32`, a [`Number`] itself.
    ///
    /// # Errors
    /// The target refuses it.
    fn number(self, v: Number) -> Result<Self::Item, Self::Error>;
    /// An `f64`, which may have no DynamoDB form (NaN, infinities).
    ///
    /// # Errors
    /// The target refuses it, or it has no DynamoDB form.
    fn float(self, v: f64) -> Result<Self::Item, Self::Error>;
    /// A string (a `char`, a unit variant's name).
    ///
    /// # Errors
    /// The target refuses it.
    fn string(self, v: &str) -> Result<Self::Item, Self::Error>;
    /// Binary.
    ///
    /// # Errors
    /// The target refuses it.
    fn bytes(self, v: &[u8]) -> Result<Self::Item, Self::Error>;
    /// NULL: a unit, or `None` where it is not left out.
    ///
    /// # Errors
    /// The target refuses it.
    fn null(self) -> Result<Self::Item, Self::Error>;
    /// A value made whole by `validate` (a marked set).
    ///
    /// # Errors
    /// The target refuses it.
    fn value(self, v: Value) -> Result<Self::Item, Self::Error>;
    /// A list of about `len` elements.
    ///
    /// # Errors
    /// The target refuses a list here.
    fn list(self, len: usize) -> Result<Self::List, Self::Error>;
    /// A map of about `len` entries.
    ///
    /// # Errors
    /// The target refuses a map here.
    fn map(self, len: usize) -> Result<Self::Map, Self::Error>;
    /// The target of an enum variant's value, which [`tagged`](Self::tagged)
    /// then wraps.
    ///
    /// # Errors
    /// The target refuses an enum with fields here.
    fn variant(self) -> Result<Self, Self::Error>;
    /// An enum variant with its value: a map of one entry.
    fn tagged(variant: &'static str, item: Self::Item) -> Self::Item;
}

/// Collects a list's elements.
pub trait ListTarget<T: Target> {
    /// The target of the next element.
    fn element(&self) -> T;
    /// The next element, as written.
    ///
    /// # Errors
    /// The target refuses it.
    fn push(&mut self, item: T::Item) -> Result<(), T::Error>;
    /// The list.
    ///
    /// # Errors
    /// The target refuses it whole (its length).
    fn finish(self) -> Result<T::Item, T::Error>;
}

/// Collects a map's entries.
pub trait MapTarget<T: Target> {
    /// What [`entry`](Self::entry) found out about a key, for
    /// [`insert`](Self::insert).
    type Entry: Copy;
    /// The target of the value at `key`.
    ///
    /// # Errors
    /// The target refuses the key.
    fn entry(&self, key: &str) -> Result<(T, Self::Entry), T::Error>;
    /// The value at `key`, as written.
    ///
    /// # Errors
    /// The target refuses it (a key given twice, say).
    fn insert(&mut self, key: String, item: T::Item, entry: Self::Entry) -> Result<(), T::Error>;
    /// The map.
    ///
    /// # Errors
    /// The target refuses it whole (a key it needs is missing).
    fn finish(self) -> Result<T::Item, T::Error>;
}

/// A target's error: serde's, which also grows its path as it bubbles out.
pub trait TargetError: serde::ser::Error {
    /// The error, bubbling out of the value at `segment` in its parent.
    #[must_use]
    fn within(self, segment: impl FnOnce() -> Segment) -> Self;
    /// `validate`'s error (a number DynamoDB cannot hold, …), at the root
    /// of what is serialized.
    fn from_error(error: crate::Error) -> Self;
}

impl TargetError for crate::Error {
    fn within(self, segment: impl FnOnce() -> Segment) -> Self {
        crate::Error::within(self, segment())
    }
    fn from_error(error: crate::Error) -> Self {
        error
    }
}
