//! Entities sharing a table (`#[model(entity = "order")]`): the entity
//! type is written on every write, in one attribute
//! ([`Model::ENTITY_ATTRIBUTE`], `_et` by default), and checked on every
//! load and every write that could land on an existing item:
//!
//! - a load of an item of another entity type (or of none) is
//!   [`Error::OtherEntity`], never decoded as this one;
//! - queries and scans read only this entity's items (a filter on the
//!   attribute);
//! - a blind put, a partial save, an update and a delete are conditioned on
//!   the item being absent or of this entity: another entity's item under
//!   the same key is never overwritten, changed or deleted
//!   ([`Error::OtherEntity`], nothing written).
//!
//! A model without an entity type is as before: nothing is written or
//! checked.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec::Attributes;
use crate::error::{Error, KeyDisplay, Result};
use crate::expr::{Condition, Placeholders, attr};
use crate::key::Key;
use crate::model::{EntityTag as Tag, ModelInfo};

/// Writes the model's entity type into `attributes`; the bytes it adds.
#[inline]
pub(crate) fn stamp(attributes: &mut Attributes, info: &ModelInfo) -> usize {
    let Some(tag) = info.entity() else {
        return 0;
    };
    attributes.insert(tag.attribute.clone(), AttributeValue::S(tag.name.clone()));
    tag.attribute.len() + tag.name.len()
}

/// The entity type stored in `item`, if any.
fn stored_name<'a>(item: &'a Attributes, tag: &Tag) -> Option<&'a str> {
    item.get(&tag.attribute)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// The error for `item`, of another entity type than the model's.
fn other(item: &Attributes, tag: &Tag, table: &str, key: KeyDisplay) -> Error {
    Error::OtherEntity {
        table: table.to_owned(),
        key,
        expected: tag.name.clone(),
        found: stored_name(item, tag).map(str::to_owned),
    }
}

/// Checks that a loaded item is of the model's entity type (the
/// attribute stays in the item: the decoders skip it, the as-loaded
/// snapshot keeps it).
///
/// # Errors
/// [`Error::OtherEntity`] for an item of another type or of none.
pub(crate) fn check(item: &Attributes, info: &ModelInfo, table: &str) -> Result<()> {
    let Some(tag) = info.entity() else {
        return Ok(());
    };
    if stored_name(item, tag) != Some(tag.name.as_str()) {
        let key = Key::of_attributes(item, info).display(info);
        return Err(other(item, tag, table, key));
    }
    Ok(())
}

/// The condition of a write onto an item that may exist: absent, or of
/// this entity type (`None` for a model without one).
pub(crate) fn absent_or_own(info: &ModelInfo, p: &mut Placeholders) -> Option<String> {
    let tag = info.entity()?;
    let h = p.name(&info.hash_key().name);
    let e = p.name(&tag.attribute);
    let v = p.value(AttributeValue::S(tag.name.clone()));
    Some(format!("(attribute_not_exists({h}) OR {e} = {v})"))
}

/// The condition of a write onto an item that must exist: of this entity
/// type (`None` for a model without one).
pub(crate) fn own(info: &ModelInfo, p: &mut Placeholders) -> Option<String> {
    let tag = info.entity()?;
    let e = p.name(&tag.attribute);
    let v = p.value(AttributeValue::S(tag.name.clone()));
    Some(format!("{e} = {v}"))
}

/// A query's or scan's filter, restricted to the model's entity type.
pub(crate) fn filter(info: &ModelInfo, filter: Option<&Condition>) -> Option<Condition> {
    let Some(tag) = info.entity() else {
        return filter.cloned();
    };
    let own = attr(tag.attribute.clone()).eq(tag.name.as_str());
    Some(match filter {
        Some(filter) => own.and(filter.clone()),
        None => own,
    })
}

/// A refused write's error when the item stored then is of another entity
/// type (`None` when it is not: the write's own judgement applies).
pub(crate) fn refused(
    stored: Option<&Attributes>,
    info: &ModelInfo,
    table: &str,
    key: &KeyDisplay,
) -> Option<Error> {
    let tag = info.entity()?;
    let stored = stored?;
    (stored_name(stored, tag) != Some(tag.name.as_str()))
        .then(|| other(stored, tag, table, key.clone()))
}
