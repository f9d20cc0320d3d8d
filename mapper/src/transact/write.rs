//! Native transactions over models: [`TransactWrite`]
//! (`TransactWriteItems`) and [`TransactGet`](crate::TransactGet) (`TransactGetItems`). Every
//! action goes through the same save, delete and update rules as the
//! single operations (validation, conflict conditions, versions, the
//! schema's guards), is encoded before anything is sent, and is refused
//! locally when DynamoDB would refuse the whole transaction.

use std::sync::Arc;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update as UpdateAction,
};

use crate::error::{Error, Result, build_error};
use crate::expr::{Condition, Placeholders, Update};
use crate::item::Item;
use crate::key::IntoKey;
use crate::key::hash as key_hash;
use crate::mapper::Mapper;
use crate::model::Model;
use crate::ops::delete::{DeletePlan, delete_plan};
use crate::ops::update::{UpdatePlan, update_plan};
use crate::timestamps::Stamps;
use crate::transact::commit::{Transaction, TransactionStatus};
use crate::write::plan::Expect;
use crate::write::plan::{change_plan, keep_unknown, put_condition, upsert_plan};

use super::action::{Judge, Planned, delete_item, put_item, refresh_saved, update_item};

/// A write transaction: up to 100 actions over any models, applied all or
/// none ([`Mapper::transact_write`]).
///
/// ```no_run
/// # use mapper::{Mapper, Model, Update, attr};
/// # #[derive(serde::Serialize, serde::Deserialize, Model)]
/// # #[model(table = "account")]
/// # struct Account { #[model(hash_key)] id: String, #[model(range = 0..)] balance: i64 }
/// # async fn run(mapper: Mapper) -> mapper::Result<()> {
/// mapper
///     .transact_write()
///     .update::<Account>("alice", &Update::new().decrement("balance", 10), None)
///     .update::<Account>("bob", &Update::new().increment("balance", 10), None)
///     .send()
///     .await?; // alice's balance stays ≥ 0 (the schema's range), or nothing is applied
/// # Ok(()) }
/// ```
#[must_use = "a transaction does nothing until sent"]
pub struct TransactWrite<'a> {
    pub(super) mapper: &'a Mapper,
    pub(super) actions: Vec<Planned<'a>>,
    /// Actions that could not be encoded, by position.
    pub(super) errors: Vec<(usize, Error)>,
    pub(super) token: Option<String>,
    /// The time of its timestamps, the same for each send of it.
    pub(super) now: time::OffsetDateTime,
}

impl Mapper {
    /// A write transaction ([`TransactWrite`]).
    pub fn transact_write(&self) -> TransactWrite<'_> {
        TransactWrite {
            mapper: self,
            actions: Vec::new(),
            errors: Vec::new(),
            token: None,
            now: self.now(),
        }
    }
}

impl<'a> TransactWrite<'a> {
    /// The same transaction with its timestamps at `now`: a transaction
    /// sent again with its token is the same request.
    pub(crate) fn at(mut self, now: time::OffsetDateTime) -> Self {
        self.now = now;
        self
    }

    fn push(&mut self, planned: Result<Planned<'a>>) {
        match planned {
            Ok(planned) => self.actions.push(planned),
            Err(e) => self
                .errors
                .push((self.actions.len() + self.errors.len(), e)),
        }
    }

    fn put_action<T: Model>(&self, model: &T, expect: Expect) -> Result<Planned<'a>> {
        let info = self.mapper.model_info::<T>()?;
        let table = info.table.as_str();
        let mut prepared = crate::encode::model(model, &info, table)?;
        let stamps = Stamps::of::<T>(self.now, &info)?;
        let (hash, size, key) = (prepared.key_hash, prepared.size, prepared.key(&info));
        let item = if stamps.created().is_some() && matches!(expect, Expect::Anything) {
            // A blind put keeping a stored `created_at`: an update.
            update_item(
                table,
                upsert_plan::<T>(&info, table, &mut prepared, &stamps)?,
            )?
        } else {
            let mut placeholders = Placeholders::default();
            let condition = put_condition::<T>(
                &info,
                table,
                &mut prepared,
                expect,
                &stamps,
                &mut placeholders,
            )?;
            let put = put_item(table, prepared.attributes, condition, &mut placeholders)?;
            TransactWriteItem::builder().put(put).build()
        };
        Ok(Planned {
            size,
            item,
            hash,
            key,
            info,
            refresh: None,
            judge: Judge::of(expect),
        })
    }

    /// The record of a committed [`Transaction`]: created (its key must be
    /// free), with its status done and its datetime `now`.
    pub(crate) fn record<R: Transaction>(self, record: &R, now: &str) -> Self {
        self.record_as(record, now, TransactionStatus::Done, None, Expect::Absent)
    }

    /// The record of a [`Transaction`] with `status` and datetime `now`,
    /// and the descriptions of its `targets` when given (the trace a
    /// non-atomic commit leaves), written under `expect`.
    pub(crate) fn record_as<R: Transaction>(
        mut self,
        record: &R,
        now: &str,
        status: TransactionStatus,
        targets: Option<Vec<String>>,
        expect: Expect,
    ) -> Self {
        let planned = (|| {
            let info = self.mapper.model_info::<R>()?;
            let table = info.table.as_str();
            let value = marked::<R>(record, table, now, status)?;
            let mut prepared = crate::encode::value::<R>(value, &info, table)?;
            if let Some(targets) = targets {
                prepared.attributes.insert(
                    TARGETS_ATTRIBUTE.to_owned(),
                    AttributeValue::L(targets.into_iter().map(AttributeValue::S).collect()),
                );
            }
            let mut placeholders = Placeholders::default();
            let stamps = Stamps::of::<R>(self.now, &info)?;
            let condition = put_condition::<R>(
                &info,
                table,
                &mut prepared,
                expect,
                &stamps,
                &mut placeholders,
            )?;
            let hash = prepared.key_hash;
            let key = prepared.key(&info);
            let put = put_item(table, prepared.attributes, condition, &mut placeholders)?;
            Ok(Planned {
                size: crate::codec::item_size(put.item()),
                item: TransactWriteItem::builder().put(put).build(),
                hash,
                key,
                info: Arc::clone(&info),
                refresh: None,
                judge: Judge::of(expect),
            })
        })();
        self.push(planned);
        self
    }

    /// Writes `model` whatever is stored under its key (the version, if
    /// any, checked and bumped), as [`Mapper::put`].
    pub fn put<T: Model>(mut self, model: &T) -> Self {
        let planned = self.put_action(model, Expect::Anything);
        self.push(planned);
        self
    }

    /// Writes `model` only if no item has its key, as [`Mapper::create`].
    pub fn create<T: Model>(mut self, model: &T) -> Self {
        let planned = self.put_action(model, Expect::Absent);
        self.push(planned);
        self
    }

    /// Saves `item` as [`Mapper::save`] does: a new item is created (key
    /// must be free), a loaded one updated in its changed attributes on the
    /// condition that they (or the version) are as loaded; an unchanged
    /// loaded item is checked to be still as loaded. On success `item`
    /// holds what is stored.
    pub fn save<T: Model>(mut self, item: &'a mut Item<T>) -> Self {
        let planned = self.save_action(item, false);
        self.push(planned);
        self
    }

    /// [`TransactWrite::save`] conditioned on the whole item as loaded
    /// (or its version), not only on the changed attributes: the
    /// original's transactors, for which any change by another writer is a
    /// conflict.
    pub(crate) fn save_whole<T: Model>(mut self, item: &'a mut Item<T>) -> Self {
        let planned = self.save_action(item, true);
        self.push(planned);
        self
    }

    fn save_action<T: Model>(&self, item: &'a mut Item<T>, whole: bool) -> Result<Planned<'a>> {
        let mapper = self.mapper;
        let info = mapper.model_info::<T>()?;
        let table = info.table.clone();
        let mut prepared = crate::encode::model(&item.model, &info, &table)?;
        let stamps = Stamps::of::<T>(self.now, &info)?;
        let hash = prepared.key_hash;
        let key = prepared.key(&info);
        let Some(stored) = &item.stored else {
            let mut placeholders = Placeholders::default();
            let condition = put_condition::<T>(
                &info,
                &table,
                &mut prepared,
                Expect::Absent,
                &stamps,
                &mut placeholders,
            )?;
            let put = put_item(
                &table,
                prepared.attributes.clone(),
                condition,
                &mut placeholders,
            )?;
            return Ok(Planned {
                size: crate::codec::item_size(put.item()),
                item: TransactWriteItem::builder().put(put).build(),
                hash,
                key,
                info: Arc::clone(&info),
                refresh: Some(refresh_saved(mapper, item, prepared, info)),
                judge: Judge::Free,
            });
        };
        let upgraded = item.upgraded.as_ref();
        keep_unknown(&mut prepared, upgraded.map_or(stored, |u| &u.kept), &info);
        let whole = whole || upgraded.is_some();
        let action = match change_plan::<T>(&info, &table, &mut prepared, stored, whole, &stamps)? {
            Some(plan) => update_item(&table, plan)?,
            // Unchanged: the transaction still depends on it as loaded.
            None => {
                let mut placeholders = Placeholders::default();
                let conditions =
                    crate::write::plan::loaded_state(stored, &info, T::VERSION, &mut placeholders);
                let conditions = conditions.join(" AND ");
                crate::write::plan::within_limits(
                    &conditions,
                    false,
                    "check as loaded",
                    &table,
                    &key.display(&info),
                )?;
                let check = ConditionCheck::builder()
                    .table_name(&table)
                    .set_key(Some(crate::key::attributes_of(&prepared.attributes, &info)))
                    .condition_expression(conditions)
                    .set_expression_attribute_names(placeholders.names())
                    .set_expression_attribute_values(placeholders.values())
                    .return_values_on_condition_check_failure(
                        ReturnValuesOnConditionCheckFailure::AllOld,
                    )
                    .build()
                    .map_err(build_error(&table))?;
                TransactWriteItem::builder().condition_check(check).build()
            }
        };
        Ok(Planned {
            size: crate::codec::item_size(&prepared.attributes),
            item: action,
            hash,
            key,
            info: Arc::clone(&info),
            refresh: Some(refresh_saved(mapper, item, prepared, info)),
            judge: Judge::Loaded,
        })
    }

    /// Applies `update` to the item with `key`, as [`Mapper::update_if`]
    /// (the item must exist; the schema's rules kept; the version bumped).
    pub fn update<T: Model>(
        mut self,
        key: impl IntoKey,
        update: &Update,
        condition: Option<Condition>,
    ) -> Self {
        let planned = self.update_action::<T>(key, update, condition);
        self.push(planned);
        self
    }

    fn update_action<T: Model>(
        &self,
        key: impl IntoKey,
        update: &Update,
        condition: Option<Condition>,
    ) -> Result<Planned<'a>> {
        let info = self.mapper.model_info::<T>()?;
        let table = info.table.as_str();
        let key = key.into_key();
        let UpdatePlan {
            key_attributes,
            expression,
            condition,
            mut placeholders,
            guards,
            ..
        } = update_plan::<T>(
            &key,
            update,
            condition.as_ref(),
            &info,
            &Stamps::of::<T>(self.now, &info)?,
        )?;
        let hash = key_hash::of_item(Some(&key_attributes), &info);
        let values = placeholders.values();
        let size = crate::codec::item_size(&key_attributes)
            + values.as_ref().map_or(0, crate::codec::item_size);
        let action = UpdateAction::builder()
            .table_name(table)
            .set_key(Some(key_attributes))
            .set_update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names(placeholders.names())
            .set_expression_attribute_values(values)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(build_error(table))?;
        Ok(Planned {
            item: TransactWriteItem::builder().update(action).build(),
            hash,
            key,
            info,
            size,
            refresh: None,
            judge: Judge::Update(guards),
        })
    }

    /// Deletes `item` as [`Mapper::delete`] does (only as loaded, or at
    /// the loaded version; an item never loaded must be absent). On
    /// success `item` is new again.
    pub fn delete<T: Model>(mut self, item: &'a mut Item<T>) -> Self {
        let planned = self.delete_action(item);
        self.push(planned);
        self
    }

    fn delete_action<T: Model>(&self, item: &'a mut Item<T>) -> Result<Planned<'a>> {
        let info = self.mapper.model_info::<T>()?;
        let table = info.table.as_str();
        let DeletePlan {
            key,
            key_attributes,
            condition,
            mut placeholders,
            ..
        } = delete_plan(item, &info)?;
        Ok(Planned {
            hash: key_hash::of_item(Some(&key_attributes), &info),
            size: crate::codec::item_size(&key_attributes),
            key,
            item: delete_item(table, key_attributes, Some(condition), &mut placeholders)?,
            info: Arc::clone(&info),
            refresh: Some(Box::new(move || {
                item.stored = None;
                Ok(())
            })),
            judge: Judge::Loaded,
        })
    }

    /// Deletes the item with `key`, whatever it holds (of `T`'s entity
    /// type, for a model sharing its table).
    pub fn delete_key<T: Model>(mut self, key: impl IntoKey) -> Self {
        let planned = (|| {
            let info = self.mapper.model_info::<T>()?;
            let table = info.table.as_str();
            let key = key.into_key();
            let key_attributes = key.to_attributes(&info, table)?;
            // Never another entity type's item sharing the table.
            let mut placeholders = Placeholders::default();
            let condition = crate::entity::absent_or_own(&info, &mut placeholders);
            Ok(Planned {
                hash: key_hash::of_item(Some(&key_attributes), &info),
                size: crate::codec::item_size(&key_attributes),
                key,
                item: delete_item(table, key_attributes, condition, &mut placeholders)?,
                info: Arc::clone(&info),
                refresh: None,
                judge: Judge::Loaded,
            })
        })();
        self.push(planned);
        self
    }

    /// Requires `condition` of the item with `key` (a `ConditionCheck`):
    /// the transaction applies only if it holds.
    pub fn check<T: Model>(mut self, key: impl IntoKey, condition: Condition) -> Self {
        let planned = (|| {
            let info = self.mapper.model_info::<T>()?;
            let table = info.table.as_str();
            let key = key.into_key();
            let shown = key.display(&info);
            let key_attributes = key.to_attributes(&info, table)?;
            let mut placeholders = Placeholders::default();
            let expression = condition
                .render(&mut placeholders)
                .map_err(|e| Error::convert(table, shown.clone(), e))?;
            let check = ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(key_attributes))
                .condition_expression(expression)
                .set_expression_attribute_names(placeholders.names())
                .set_expression_attribute_values(placeholders.values())
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .map_err(build_error(table))?;
            Ok(Planned {
                hash: key_hash::of_item(Some(check.key()), &info),
                size: crate::codec::item_size(check.key()),
                key,
                item: TransactWriteItem::builder().condition_check(check).build(),
                info: Arc::clone(&info),
                refresh: None,
                judge: Judge::Check,
            })
        })();
        self.push(planned);
        self
    }

    /// The idempotency token (`ClientRequestToken`, at most 36
    /// characters): the same token sent again within ten minutes is applied
    /// once. Without one, the mapper makes a fresh token per call (and
    /// names it in [`Error::OutcomeUnknown`]); give your own to make a
    /// retry of the whole call (by another process, say) safe too.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }
}

/// A transaction record with `status` and time `now` (then validated with
/// the rest).
pub(crate) fn marked<R: Transaction>(
    record: &R,
    table: &str,
    now: &str,
    status: TransactionStatus,
) -> Result<validate::Value> {
    let status = match status {
        TransactionStatus::Pending => "pending",
        TransactionStatus::Running => "running",
        TransactionStatus::Done => "done",
    };
    crate::encode::before_save(record, table)?;
    let mut value = crate::encode::as_value(record, table)?;
    if let Some(map) = value.as_map_mut() {
        map.insert(R::STATUS.to_owned(), validate::Value::from(status));
        map.insert(R::DATETIME.to_owned(), validate::Value::from(now));
    }
    Ok(value)
}

/// The attribute of a non-atomic commit's record that lists its targets.
pub const TARGETS_ATTRIBUTE: &str = "__targets__";
