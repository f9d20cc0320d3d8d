//! `delete` (with conflict detection) and `delete_key` (blind).

use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

use crate::codec;
use crate::encode;
use crate::error::{Error, KeyDisplay, Result};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::key::{IntoKey, Key};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::trace::{capacity, op_span, send};
use crate::write::outcome;
use crate::write::plan::{key_unchanged, loaded_state, within_limits};

/// A conflict-detecting delete, ready to send: the key as loaded, and the
/// condition that the stored item is as loaded (or at the loaded version),
/// or absent for an item never loaded. The one rule for single deletes and
/// transactions.
pub(crate) struct DeletePlan {
    pub(crate) key: Key,
    pub(crate) key_attributes: codec::Attributes,
    pub(crate) shown: KeyDisplay,
    pub(crate) condition: String,
    pub(crate) placeholders: Placeholders,
}

/// Plans the delete of `item` ([`DeletePlan`]).
///
/// # Errors
/// [`Error::Validation`] for a key edited since the item was loaded, or
/// a model that does not convert.
pub(crate) fn delete_plan<T: Model>(item: &Item<T>, info: &ModelInfo) -> Result<DeletePlan> {
    let table = info.table.as_str();
    let value = encode::as_value(&item.model, table)?;
    let key = Key::of_item(&value, info);
    let shown = key.display(info);
    let key_attributes = key.to_attributes(info, table)?;
    let mut placeholders = Placeholders::default();
    let conditions = match (&item.stored, T::VERSION) {
        (None, _) => vec![format!(
            "attribute_not_exists({})",
            placeholders.name(&info.hash.name)
        )],
        (Some(stored), version) => {
            key_unchanged(&key_attributes, stored, info, table, &shown)?;
            let mut conditions = loaded_state(stored, info, version, &mut placeholders);
            conditions.extend(crate::entity::own(info, &mut placeholders));
            conditions
        }
    };
    let condition = conditions.join(" AND ");
    within_limits(&condition, false, "delete's condition", table, &shown)?;
    Ok(DeletePlan {
        key,
        key_attributes,
        shown,
        condition,
        placeholders,
    })
}

impl Mapper {
    /// Deletes an item with conflict detection, by its key as loaded.
    ///
    /// A loaded item is deleted only if the stored item is still as loaded
    /// (or, with a version attribute, at the loaded version). An item never
    /// stored is known as absent: the call deletes nothing and fails with
    /// [`Error::Conflict`] if anything is stored under its key. On success
    /// the item is new again, so [`Mapper::save`] writes it back as a
    /// create ([`Error::Overwrite`] if the key was taken meanwhile).
    /// [`Mapper::delete_key`] is the blind delete.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the stored item is not as expected, or
    /// already gone (another writer deleted it; nothing is deleted),
    /// [`Error::Validation`] when the item's key was edited since it was
    /// loaded, [`Error::Service`]; [`Error::OutcomeUnknown`] when an answer
    /// was lost and the delete sent again was refused (the first send may
    /// have deleted the item).
    pub async fn delete<T: Model>(&self, item: &mut Item<T>) -> Result<()> {
        let info = self.model_info::<T>()?;
        let DeletePlan {
            key_attributes,
            shown,
            condition,
            placeholders,
            ..
        } = delete_plan(item, &info)?;
        self.delete_attributes(&info, key_attributes, shown, Some(condition), placeholders)
            .await?;
        item.stored = None;
        Ok(())
    }

    /// Deletes the item with `key`, whatever it holds (absent is fine).
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad key, [`Error::Service`].
    pub async fn delete_key<T: Model>(&self, key: impl IntoKey) -> Result<()> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let key = key.into_key();
        let attributes = key.to_attributes(&info, table)?;
        // Never another entity type's item sharing the table.
        let mut placeholders = Placeholders::default();
        let condition = crate::entity::absent_or_own(&info, &mut placeholders);
        self.delete_attributes(
            &info,
            attributes,
            key.display(&info),
            condition,
            placeholders,
        )
        .await
    }

    async fn delete_attributes(
        &self,
        info: &ModelInfo,
        key: codec::Attributes,
        shown: KeyDisplay,
        condition: Option<String>,
        mut placeholders: Placeholders,
    ) -> Result<()> {
        let table = info.table();
        let span = op_span!("DeleteItem", table, self.traced(&shown));
        let request = self
            .client()
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            .set_condition_expression(condition)
            .set_expression_attribute_names(placeholders.names())
            .set_expression_attribute_values(placeholders.values())
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .set_return_consumed_capacity(capacity(&span));
        let result = send!(request, span);
        let Err(e) = result else {
            return Ok(());
        };
        // An item found gone is no proof of this call's delete: another
        // writer may have deleted it (and then the item had changed).
        Err(outcome::judged(
            e,
            table,
            shown,
            "DeleteItem",
            |stored, key| {
                crate::entity::refused(stored, info, table, &key).unwrap_or(Error::Conflict {
                    table: table.to_owned(),
                    key,
                })
            },
        ))
    }
}
