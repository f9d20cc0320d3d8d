//! `save`: conflict-detecting writes of items as loaded — a new item
//! whole where its key is free, a loaded one as a partial update of what
//! changed, on the condition that the stored item is still as loaded.

use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

use crate::codec;
use crate::codec::Encoded;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::timestamps::Stamps;
use crate::trace::{capacity, op_span, send};
use crate::write::outcome;
use crate::write::plan::Expect;
use crate::write::plan::{PartialSave, change_plan, keep_unknown};

impl Mapper {
    /// Saves an item with conflict detection. A new item is written whole,
    /// only if its key is free. A loaded item is a partial save: only the
    /// attributes that changed since it was loaded are sent (SET or
    /// REMOVE), on the condition that those attributes are still as loaded
    /// — or, with a version attribute, that the version is — so writers of
    /// different attributes do not conflict. Nothing is sent when nothing
    /// changed. The whole item is still validated first. Attributes the
    /// model does not know are kept unless the schema removes extras. On
    /// success the item holds what is stored.
    ///
    /// A model with migrations writes only over the schema version it
    /// loaded: never into an item that code of another version rewrote.
    ///
    /// # Errors
    /// [`Error::Conflict`], [`Error::Overwrite`], [`Error::Validation`],
    /// [`Error::Migration`] (the item was rewritten by newer code),
    /// [`Error::Service`]; [`Error::OutcomeUnknown`] when an answer was
    /// lost and the request sent again was refused (the save may have been
    /// applied by the first send, or not): read the item before saving
    /// again. On error the item is unchanged.
    pub async fn save<T: Model>(&self, item: &mut Item<T>) -> Result<()> {
        let info = self.model_info::<T>()?;
        let stamps = Stamps::of::<T>(self.now(), &info)?;
        self.save_stamped(item, info, stamps).await
    }

    /// The save of a migrated item written back: its timestamps as stored
    /// (a migration rewrites the stored form of the same data).
    pub(crate) async fn save_migrated<T: Model>(&self, item: &mut Item<T>) -> Result<()> {
        let info = self.model_info::<T>()?;
        self.save_stamped(item, info, Stamps::default()).await
    }

    async fn save_stamped<T: Model>(
        &self,
        item: &mut Item<T>,
        info: std::sync::Arc<ModelInfo>,
        stamps: Stamps,
    ) -> Result<()> {
        let table = info.table.as_str();
        let mut prepared = crate::encode::model(&item.model, &info, table)?;
        let written = match &item.stored {
            None => {
                self.write::<T>(&info, table, prepared, Expect::Absent, true)
                    .await?
            }
            Some(stored) => {
                // A migrated item keeps the unknown attributes of its
                // migrated form (those its steps dropped are removed), and
                // its save is conditioned on the whole raw item as loaded.
                let upgraded = item.upgraded.as_ref();
                keep_unknown(&mut prepared, upgraded.map_or(stored, |u| &u.kept), &info);
                self.write_changes::<T>(&info, table, prepared, stored, upgraded.is_some(), &stamps)
                    .await?
            }
        };
        *item = self.stored_item(written, &info, table, item.warnings.clone())?;
        Ok(())
    }

    /// Partial save: only the attributes that differ from `stored` are sent
    /// (SET or REMOVE), on the condition that those attributes are still as
    /// loaded (or, with a version attribute, that the version is). Nothing
    /// is sent when nothing changed.
    async fn write_changes<T: Model>(
        &self,
        info: &ModelInfo,
        table: &str,
        mut prepared: Encoded,
        stored: &codec::Attributes,
        whole: bool,
        stamps: &Stamps,
    ) -> Result<Encoded> {
        let Some(change) = change_plan::<T>(info, table, &mut prepared, stored, whole, stamps)?
        else {
            return Ok(prepared);
        };
        let PartialSave {
            key,
            key_attributes,
            expression,
            condition,
            mut placeholders,
        } = change;
        let span = op_span!("UpdateItem", table, self.traced(&key));
        let result = send!(
            self.client()
                .update_item()
                .table_name(table)
                .set_key(Some(key_attributes))
                .update_expression(expression)
                .set_condition_expression(condition)
                .set_expression_attribute_names(placeholders.names())
                .set_expression_attribute_values(placeholders.values())
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld
                )
                .set_return_consumed_capacity(capacity(&span)),
            span
        );
        let Err(e) = result else {
            return Ok(prepared);
        };
        // Equal values prove nothing: two writers that increment from the
        // same value write equal values. After a lost answer a refusal
        // cannot tell this call's write from another's.
        Err(outcome::judged(e, table, key, "UpdateItem", |now, key| {
            if let Some(other) = crate::entity::refused(now, info, table, &key) {
                return other;
            }
            now.and_then(|now| crate::schema_version::not_newer(now, info, table, &key).err())
                .unwrap_or(Error::Conflict {
                    table: table.to_owned(),
                    key,
                })
        }))
    }
}
