//! [`Item`]: a model value plus what the mapper remembers about it.

use std::ops::{Deref, DerefMut};

use validate::Errors;

use serde::de::DeserializeOwned;
use validate::Value;

use crate::codec;
use crate::error::{Error, KeyDisplay, Result};

/// A model value as loaded from (or saved to) its table.
///
/// Derefs to the model, so fields read and write as usual. It remembers the
/// attributes as they were loaded, untouched by later edits or migrations:
/// [`Mapper::save`](crate::Mapper::save) and
/// [`Mapper::delete`](crate::Mapper::delete) send a condition that the
/// stored item is still that way, and saving keeps attributes the model
/// does not know (written by newer code, say).
#[derive(Clone, Debug)]
pub struct Item<T> {
    pub(crate) model: T,
    /// The item's attributes as last read from or written to the table.
    pub(crate) stored: Option<codec::Attributes>,
    pub(crate) warnings: Errors,
    /// What the load migrated, until the item is saved.
    pub(crate) upgraded: Option<Upgraded>,
}

impl<T> Item<T> {
    /// A new item, never stored: saving it fails with
    /// [`Error::Overwrite`](crate::Error::Overwrite) if the key is taken.
    pub fn new(model: T) -> Item<T> {
        Item {
            model,
            stored: None,
            warnings: Errors::new(),
            upgraded: None,
        }
    }

    /// Whether the item came from (or was saved to) the table.
    pub fn is_stored(&self) -> bool {
        self.stored.is_some()
    }

    /// What a lenient load had to repair (empty for a clean item).
    pub fn warnings(&self) -> &Errors {
        &self.warnings
    }

    /// The version a load migrated the item from (`None` for an item
    /// stored at the current version, or new): it is written at the
    /// current version by its next save (or at once, under
    /// [`WriteBack::Immediately`](crate::WriteBack::Immediately)).
    pub fn migrated_from(&self) -> Option<u32> {
        self.upgraded.as_ref().map(|u| u.from)
    }

    /// The attributes as loaded or last saved: for a migrated item, the
    /// raw item as stored, before its migration.
    pub fn stored_attributes(&self) -> Option<&codec::Attributes> {
        self.stored.as_ref()
    }

    /// The model value, forgetting the stored state.
    pub fn into_inner(self) -> T {
        self.model
    }
}

impl<T: crate::Model> Item<T> {
    /// The item's key, as the model holds it now: what `get` finds it by.
    ///
    /// # Errors
    /// [`Error::Validation`] when the model has no DynamoDB form (a NaN
    /// where a number goes); a missing key part reads as `Null`.
    pub fn key(&self) -> Result<crate::Key> {
        let value = crate::encode::as_value(&self.model, T::TABLE)?;
        Ok(crate::Key::of_named(&value, T::HASH_KEY, T::RANGE_KEY))
    }
}

impl<T: DeserializeOwned> Item<T> {
    /// The stored state of a validated value: the value becomes the model,
    /// the attributes its as-stored snapshot.
    pub(crate) fn stored(
        value: Value,
        attributes: codec::Attributes,
        warnings: Errors,
        table: &str,
        key: impl FnOnce(&codec::Attributes) -> KeyDisplay,
    ) -> Result<Item<T>> {
        let model =
            validate::from_value(value).map_err(|e| Error::convert(table, key(&attributes), e))?;
        Ok(Item {
            model,
            stored: Some(attributes),
            warnings,
            upgraded: None,
        })
    }
}

impl<T> Deref for Item<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.model
    }
}

impl<T> DerefMut for Item<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.model
    }
}

/// What a load migrated: the version it found, and the attributes the
/// migrated item holds that the model does not know (kept by a save, in
/// place of the raw item's, so that attributes a step dropped are removed).
#[derive(Clone, Debug)]
pub(crate) struct Upgraded {
    pub(crate) from: u32,
    pub(crate) kept: codec::Attributes,
}
