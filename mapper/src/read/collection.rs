//! [`Collection`]: several entity types sharing a table, read together by
//! one query — `#[derive(Collection)] enum CustomerPage { Customer(Customer),
//! Order(Item<Order>) }` and [`Mapper::query_collection`]. Each item is
//! routed by its entity type to its own model and loaded through that
//! model's load path (validated, migrated, `after_load`); an item of a type
//! the collection does not name is an error for that item alone
//! ([`Error::OtherEntity`]; `all_loaded()` gives the others and the errors
//! apart), not the end of the query.

use crate::codec::Attributes;
use crate::decode::load;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::key::{IntoKey, KeyPart};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::read::pages::Output;
use crate::read::query::Query;

/// An enum of the entity types sharing a table, one variant a type
/// (`Customer(Customer)` or `Customer(Item<Customer>)`), written by
/// `#[derive(Collection)]`.
pub trait Collection: Output {
    /// The first variant's model: its table and keys are the query's.
    type Anchor: Model;
    /// Each variant's table, entity attribute and entity type, to check
    /// that they share the anchor's table and attribute.
    fn members() -> Vec<(&'static str, &'static str, Option<&'static str>)>;
}

impl Mapper {
    /// A query of one partition of the table `C`'s entity types share,
    /// each item read as the variant of its entity type, in key order;
    /// filters, ranges (`begins_with` on a sort-key prefix reads one
    /// type), pages and cursors as for [`Mapper::query`].
    pub fn query_collection<C: Collection>(&self, hash: impl KeyPart) -> Query<'_, C::Anchor, C> {
        self.query_of(hash)
    }

    /// The item with `key` as the variant of its entity type, whichever
    /// of `C`'s it is: an enum of entity types read as one polymorphic
    /// model (each variant written as its own model). Eventually
    /// consistent.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::OtherEntity`] for an item of a type
    /// `C` does not name; the variant's load errors; [`Error::Model`] for
    /// members that do not share a table.
    pub async fn get_any<C: Collection>(&self, key: impl IntoKey) -> Result<C> {
        let key = key.into_key();
        match self.find_any::<C>(key.clone()).await? {
            Some(found) => Ok(found),
            None => {
                let info = self.model_info::<C::Anchor>()?;
                Err(Error::NotFound {
                    table: info.table().to_owned(),
                    key: key.display(&info),
                })
            }
        }
    }

    /// Like [`Mapper::get_any`], absence `Ok(None)`.
    ///
    /// # Errors
    /// As [`Mapper::get_any`], but for absence.
    pub async fn find_any<C: Collection>(&self, key: impl IntoKey) -> Result<Option<C>> {
        let info = self.model_info::<C::Anchor>()?;
        C::check(&info)?;
        let Some(attributes) = self.raw_item::<C::Anchor>(&key.into_key(), false).await? else {
            return Ok(None);
        };
        C::decode(attributes, &info, info.table(), self).map(Some)
    }
}

/// Checks that `C`'s members share the anchor's table and entity
/// attribute, and each has an entity type.
#[doc(hidden)]
pub fn check_members<C: Collection>(table: &str) -> Result<()> {
    let anchor = (
        <C::Anchor as Model>::TABLE,
        <C::Anchor as Model>::ENTITY_ATTRIBUTE,
    );
    for (member_table, attribute, entity) in C::members() {
        if (member_table, attribute) != anchor || entity.is_none() {
            return Err(Error::Model {
                table: table.to_owned(),
                message: format!(
                    "a collection's members share one table and entity attribute ({:?}, {:?}) and each has an entity type; one has ({member_table:?}, {attribute:?}, {entity:?})",
                    anchor.0, anchor.1
                ),
            });
        }
    }
    Ok(())
}

/// The entity type stored in `attributes`, under `attribute`.
#[doc(hidden)]
pub fn entity_of<'a>(attributes: &'a Attributes, attribute: &str) -> Option<&'a str> {
    attributes
        .get(attribute)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// `attributes` loaded as an item of member `M` (its own load path):
/// with `info`, the facts of the collection's anchor `A`, when `M` is the
/// anchor, else with `M`'s facts from the mapper's cache.
#[doc(hidden)]
pub fn load_member<M: Model, A: Model>(
    mapper: &Mapper,
    info: &ModelInfo,
    attributes: Attributes,
    table: &str,
) -> Result<Item<M>> {
    if std::any::TypeId::of::<M>() == std::any::TypeId::of::<A>() {
        return load(attributes, info, table);
    }
    let info = mapper.model_info::<M>()?;
    load(attributes, &info, table)
}

/// An item of none of the collection's entity types.
#[doc(hidden)]
pub fn not_a_member(
    attributes: &Attributes,
    info: &ModelInfo,
    table: &str,
    expected: &str,
    attribute: &str,
) -> Error {
    Error::OtherEntity {
        table: table.to_owned(),
        key: crate::key::Key::of_attributes(attributes, info).display(info),
        expected: expected.to_owned(),
        found: entity_of(attributes, attribute).map(str::to_owned),
    }
}
