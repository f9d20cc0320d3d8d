//! `put`, `put_only` and `create`: whole items written, blindly (with the
//! version check when the model has one) or only where the key is free.

use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

use crate::codec::Encoded;
use crate::error::{Error, Result, refused_with};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::timestamps::{Created, Stamps};
use crate::trace::{capacity, op_span, send};
use crate::write::outcome;
use crate::write::plan::{Expect, put_condition};

/// How often a blind put sends again for a `created_at` it learned
/// (each time, the item was deleted or created meanwhile).
const MAX_CREATED_RESENDS: usize = 4;

/// Why a put did not go through.
enum Refused {
    /// Its `created_at` condition failed: send again with this one.
    Created(Created, Error),
    /// Any other error.
    Error(Error),
}

impl From<Error> for Refused {
    fn from(e: Error) -> Refused {
        Refused::Error(e)
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
        prepared: Encoded,
        expect: Expect,
        keep: bool,
    ) -> Result<Encoded> {
        let stamps = Stamps::of::<T>(self.now(), info)?;
        // A blind put of a model with `created_at` may learn the stored
        // one from a refusal and send again with it: from the same item.
        let again = (stamps.created().is_some() && matches!(expect, Expect::Anything))
            .then(|| prepared.clone());
        let mut created = Created::Guessed;
        let mut prepared = prepared;
        let mut resends = 0;
        loop {
            match self
                .write_once::<T>(info, table, prepared, expect, keep, &stamps, &created)
                .await
            {
                Ok(written) => return Ok(written),
                Err(Refused::Created(next, _))
                    if resends < MAX_CREATED_RESENDS && again.is_some() =>
                {
                    resends += 1;
                    created = next;
                    prepared = again.clone().unwrap_or_default();
                }
                Err(Refused::Created(_, e) | Refused::Error(e)) => return Err(e),
            }
        }
    }

    /// One put of a prepared item under `expect`, `created_at` as
    /// `created` says.
    #[allow(clippy::too_many_arguments)]
    async fn write_once<T: Model>(
        &self,
        info: &ModelInfo,
        table: &str,
        mut prepared: Encoded,
        expect: Expect,
        keep: bool,
        stamps: &Stamps,
        created: &Created,
    ) -> std::result::Result<Encoded, Refused> {
        let mut placeholders = Placeholders::default();
        let condition = put_condition::<T>(
            info,
            table,
            &mut prepared,
            expect,
            stamps,
            created,
            &mut placeholders,
        )?;
        let span = op_span!(
            "PutItem",
            table,
            self.traced(&prepared.key(info).display(info))
        );
        // A fresh key's put keeps what it wrote, to recognize it stored;
        // a blind put with `created_at`, to tell its refusal.
        let item = if keep || matches!(expect, Expect::Fresh) || stamps.created().is_some() {
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
        // Refused for its `created_at` alone (not after a lost answer,
        // where this call's own first send may be what is stored): the
        // stored one is known now.
        let retry = match refused_with(&e) {
            Some(stored) if !outcome::lost(&e) && matches!(expect, Expect::Anything) => {
                stamps.retry(&prepared.attributes, stored)
            }
            _ => None,
        };
        let key = prepared.key(info).display(info);
        let error = outcome::judged(e, table, key, "PutItem", |stored, key| {
            let newer =
                stored.and_then(|s| crate::schema_version::not_newer(s, info, table, &key).err());
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
        });
        Err(match retry {
            Some(next) => Refused::Created(next, error),
            None => Refused::Error(error),
        })
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
