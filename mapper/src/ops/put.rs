//! `put`, `put_only` and `create`: whole items written, blindly (with the
//! version check when the model has one) or only where the key is free.

use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};

use crate::codec::Encoded;
use crate::error::{Error, Result, refused_with};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::timestamps::Stamps;
use crate::trace::{capacity, op_span, send};
use crate::write::outcome;
use crate::write::plan::{Expect, PartialSave, put_condition, upsert_plan};

/// The error of a put refused by its condition, from the item stored
/// then: written by newer code, a taken key, or a conflict.
fn put_refused(
    stored: Option<&crate::codec::Attributes>,
    info: &ModelInfo,
    table: &str,
    key: crate::error::KeyDisplay,
    expect: Expect,
) -> Error {
    // A create finds the key taken, whoever holds it: an overwrite.
    if matches!(expect, Expect::Anything)
        && let Some(other) = crate::entity::refused(stored, info, table, &key)
    {
        return other;
    }
    let newer = stored.and_then(|s| crate::schema_version::not_newer(s, info, table, &key).err());
    match (newer, expect) {
        (Some(newer), _) => newer,
        (None, Expect::Absent | Expect::Fresh) => Error::Overwrite {
            table: table.to_owned(),
            key,
        },
        (None, Expect::Anything) => Error::Conflict {
            table: table.to_owned(),
            key,
        },
    }
}

impl Mapper {
    /// Writes a prepared item under `expect`, plus the version check when
    /// the model has a version attribute; gives it back as written, its
    /// attributes kept only when `keep` says so (else they go to the
    /// request without a copy). One `async` layer under the public
    /// operations: each layer copies the request future (several KB) once
    /// more.
    pub(crate) async fn write<T: Model>(
        &self,
        info: &ModelInfo,
        table: &str,
        mut prepared: Encoded,
        expect: Expect,
        keep: bool,
    ) -> Result<Encoded> {
        let stamps = Stamps::of::<T>(self.now(), info)?;
        if stamps.created().is_some() && matches!(expect, Expect::Anything) {
            return self.upsert::<T>(info, table, prepared, &stamps, keep).await;
        }
        let mut placeholders = Placeholders::default();
        let condition = put_condition::<T>(
            info,
            table,
            &mut prepared,
            expect,
            &stamps,
            &mut placeholders,
        )?;
        let span = op_span!(
            "PutItem",
            table,
            self.traced(&prepared.key(info).display(info))
        );
        // A fresh key's put keeps what it wrote, to recognize it stored.
        let item = if keep || matches!(expect, Expect::Fresh) {
            prepared.attributes.clone()
        } else {
            std::mem::take(&mut prepared.attributes)
        };
        // Each builder call moves the whole request: only the parts that
        // are there are set.
        let mut request = self
            .client()
            .put_item()
            .table_name(table)
            .set_item(Some(item));
        if let Some(condition) = condition {
            request = request
                .condition_expression(condition)
                .set_expression_attribute_names(placeholders.names())
                .set_expression_attribute_values(placeholders.values())
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
        }
        if let Some(capacity) = capacity(&span) {
            request = request.return_consumed_capacity(capacity);
        }
        let result = send!(request, span);
        let Err(e) = result else {
            return Ok(prepared);
        };
        // A key issued to this call alone, found holding exactly what it
        // wrote after a lost answer: its own put, sent again.
        if matches!(expect, Expect::Fresh)
            && outcome::lost(&e)
            && refused_with(&e) == Some(Some(&prepared.attributes))
        {
            return Ok(prepared);
        }
        let key = prepared.key(info).display(info);
        Err(outcome::judged(e, table, key, "PutItem", |stored, key| {
            put_refused(stored, info, table, key, expect)
        }))
    }

    /// A blind put of a model with `created_at`, as one `UpdateItem`
    /// ([`upsert_plan`]): the stored `created_at` is kept in the same
    /// request. When `keep`, the item given back is the item stored after
    /// it (`ALL_NEW`).
    async fn upsert<T: Model>(
        &self,
        info: &ModelInfo,
        table: &str,
        mut prepared: Encoded,
        stamps: &Stamps,
        keep: bool,
    ) -> Result<Encoded> {
        let PartialSave {
            key,
            key_attributes,
            expression,
            condition,
            mut placeholders,
        } = upsert_plan::<T>(info, table, &mut prepared, stamps)?;
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
                .return_values(if keep {
                    ReturnValue::AllNew
                } else {
                    ReturnValue::None
                })
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld
                )
                .set_return_consumed_capacity(capacity(&span)),
            span
        );
        match result {
            Ok(out) => {
                // The item as stored now, when it is to be given back.
                prepared.attributes = out.attributes.unwrap_or_default();
                Ok(prepared)
            }
            Err(e) => Err(outcome::judged(
                e,
                table,
                key,
                "UpdateItem",
                |stored, key| put_refused(stored, info, table, key, Expect::Anything),
            )),
        }
    }

    /// Writes `model` whatever is stored under its key (a blind put; with a
    /// version attribute, the stored version must still match). Returns the
    /// item as stored: normalized, defaults filled.
    ///
    /// # Errors
    /// [`Error::Validation`] with every bad attribute (nothing is sent),
    /// [`Error::Conflict`] on a version mismatch, [`Error::Service`].
    pub async fn put<T: Model>(&self, model: &T) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let prepared = crate::encode::model(model, &info, table)?;
        let written = self
            .write::<T>(&info, table, prepared, Expect::Anything, true)
            .await?;
        self.stored_item(written, &info, table, Default::default())
    }

    /// Writes `model` as [`Mapper::put`] does, without giving the stored
    /// item back: the attributes go into the request without a copy kept,
    /// and no model is read back from them. For writers that keep nothing
    /// of what they wrote (a stream of events, an import).
    ///
    /// # Errors
    /// As [`Mapper::put`].
    pub async fn put_only<T: Model>(&self, model: &T) -> Result<()> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let prepared = crate::encode::model(model, &info, table)?;
        self.write::<T>(&info, table, prepared, Expect::Anything, false)
            .await?;
        Ok(())
    }

    /// Writes `model` only if no item has its key.
    ///
    /// # Errors
    /// [`Error::Overwrite`] if the key is taken (the stored item is left
    /// unchanged), [`Error::Validation`], [`Error::Service`];
    /// [`Error::OutcomeUnknown`] when an answer was lost and the create
    /// sent again found the key taken: by this call's first send, or by
    /// another writer (an identical item is no proof either way).
    pub async fn create<T: Model>(&self, model: &T) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let prepared = crate::encode::model(model, &info, table)?;
        let written = self
            .write::<T>(&info, table, prepared, Expect::Absent, true)
            .await?;
        self.stored_item(written, &info, table, Default::default())
    }

    /// The item as written, read back from the attributes sent (as a
    /// load reads them), whichever path made them.
    pub(crate) fn stored_item<T: Model>(
        &self,
        written: Encoded,
        info: &ModelInfo,
        table: &str,
        warnings: validate::Errors,
    ) -> Result<Item<T>> {
        let mut model = crate::codec::de::written::<T>(&written.attributes, info)
            .map_err(|e| Error::convert(table, written.key(info).display(info), e))?;
        model.after_load();
        Ok(Item {
            model,
            stored: Some(written.attributes),
            warnings,
            upgraded: None,
        })
    }
}
