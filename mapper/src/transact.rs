//! Native transactions over models: [`TransactWrite`]
//! (`TransactWriteItems`) and [`TransactGet`](crate::TransactGet) (`TransactGetItems`). Every
//! action goes through the same save, delete and update rules as the
//! single operations (validation, conflict conditions, versions, the
//! schema's guards), is encoded before anything is sent, and is refused
//! locally when DynamoDB would refuse the whole transaction.

use std::collections::HashSet;
use std::sync::Arc;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update as UpdateAction,
};

use crate::codec;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec::key_hash;
use crate::commit::{Transaction, TransactionStatus};
use crate::delete::{DeletePlan, delete_plan};
use crate::error::{CancelReason, Cause, Error, KeyDisplay, Result, build_error};
use crate::expr::{Condition, Placeholders, Update};
use crate::item::Item;
use crate::key::{IntoKey, Key};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::put::Expect;
use crate::trace::{capacity, op_span, send};
use crate::update::{UpdatePlan, update_plan};
use crate::write_plan::{Change, change_plan, keep_unknown, put_condition};

/// DynamoDB's limit on the actions of one transaction.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html>
pub const TRANSACT_LIMIT: usize = 100;
/// DynamoDB's limit on the size of one transaction (4 MB).
pub const TRANSACT_BYTES: usize = 4 * 1024 * 1024;
/// DynamoDB's limit on an idempotency token's length.
const TOKEN_CHARS: usize = 36;

/// One action, encoded, with what the report and the refresh need.
struct Planned<'a> {
    item: TransactWriteItem,
    /// The model's facts: its table, and how to show the key (only when
    /// an error needs it).
    info: Arc<ModelInfo>,
    /// The key's hash ([`key_hash`]), to find two actions on one item.
    hash: u64,
    /// The key, for messages and to confirm two actions on one item (the
    /// action itself goes into the request).
    key: Key,
    size: usize,
    /// Runs after a successful send: the `Item` the action saved or
    /// deleted takes the state now stored.
    refresh: Option<Box<dyn FnOnce() -> Result<()> + Send + 'a>>,
    /// How a refusal of its condition is read.
    judge: Judge,
}

/// How a refused condition of an action is read ([`Cause`]).
enum Judge {
    /// A state as loaded or a version: a conflict (or an item newer code
    /// rewrote).
    Loaded,
    /// A free key: taken.
    Free,
    /// An update: its guards and the caller's condition, judged on the
    /// item stored then, as [`Mapper::update_if`]'s.
    Update(Vec<crate::guard::Guard>),
    /// The caller's condition check.
    Check,
}

impl Judge {
    fn of(expect: Expect) -> Judge {
        match expect {
            Expect::Anything => Judge::Loaded,
            Expect::Absent | Expect::Fresh => Judge::Free,
        }
    }

    /// What DynamoDB's `code` for the action means, `item` stored then.
    fn cause(&self, code: &str, item: Option<&codec::Attributes>, action: &Planned<'_>) -> Cause {
        match code {
            "TransactionConflict" => return Cause::Conflict,
            "ConditionalCheckFailed" => {}
            _ => return Cause::Other,
        }
        let (info, table) = (&action.info, action.table());
        match self {
            Judge::Loaded => item
                .and_then(|item| {
                    crate::migration::not_newer(item, info, table, &action.key()).err()
                })
                .map_or(Cause::Conflict, |e| Cause::Version(e.to_string())),
            Judge::Free => Cause::Taken,
            Judge::Check => Cause::Condition,
            Judge::Update(guards) => {
                match crate::update::refused(item, info, guards, table.to_owned(), action.key()) {
                    Error::NotFound { .. } => Cause::NotFound,
                    Error::Validation { errors, .. } => Cause::Rule(errors),
                    Error::ConditionFailed { .. } => Cause::Condition,
                    other => Cause::Version(other.to_string()),
                }
            }
        }
    }
}

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
    mapper: &'a Mapper,
    actions: Vec<Planned<'a>>,
    /// Actions that could not be encoded, by position.
    errors: Vec<(usize, Error)>,
    token: Option<String>,
}

impl Mapper {
    /// A write transaction ([`TransactWrite`]).
    pub fn transact_write(&self) -> TransactWrite<'_> {
        TransactWrite {
            mapper: self,
            actions: Vec::new(),
            errors: Vec::new(),
            token: None,
        }
    }
}

impl Planned<'_> {
    fn table(&self) -> &str {
        &self.info.table
    }

    /// The key, for messages.
    fn key(&self) -> KeyDisplay {
        self.key.display(&self.info)
    }

    /// Whether `other` acts on the same item (same table, same key).
    fn same_item(&self, other: &Planned<'_>) -> bool {
        self.table() == other.table() && self.key == other.key
    }
}

impl<'a> TransactWrite<'a> {
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
        let mut prepared = self.mapper.prepare(model, &info, table)?;
        let mut placeholders = Placeholders::default();
        let condition = put_condition::<T>(&info, table, &mut prepared, expect, &mut placeholders)?;
        let hash = key_hash::of_item(Some(&prepared.attributes), &info);
        let (key, size) = (prepared.key, prepared.size);
        let put = put_item(table, prepared.attributes, condition, &mut placeholders)?;
        Ok(Planned {
            size,
            item: TransactWriteItem::builder().put(put).build(),
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
            let mut prepared = crate::encode::prepare_value::<R>(value, &info, table)?;
            if let Some(targets) = targets {
                prepared.attributes.insert(
                    TARGETS_ATTRIBUTE.to_owned(),
                    AttributeValue::L(targets.into_iter().map(AttributeValue::S).collect()),
                );
            }
            let mut placeholders = Placeholders::default();
            let condition =
                put_condition::<R>(&info, table, &mut prepared, expect, &mut placeholders)?;
            let hash = key_hash::of_item(Some(&prepared.attributes), &info);
            let key = prepared.key;
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
        let mut prepared = mapper.prepare(&item.model, &info, &table)?;
        let hash = key_hash::of_item(Some(&prepared.attributes), &info);
        let key = prepared.key.clone();
        let Some(stored) = &item.stored else {
            let mut placeholders = Placeholders::default();
            let condition = put_condition::<T>(
                &info,
                &table,
                &mut prepared,
                Expect::Absent,
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
        let action = match change_plan::<T>(&info, &table, &mut prepared, stored, whole)? {
            Some(Change {
                key_attributes,
                expression,
                condition,
                mut placeholders,
                ..
            }) => {
                let update = UpdateAction::builder()
                    .table_name(&table)
                    .set_key(Some(key_attributes))
                    .update_expression(expression)
                    .condition_expression(condition)
                    .set_expression_attribute_names(placeholders.names())
                    .set_expression_attribute_values(placeholders.values())
                    .return_values_on_condition_check_failure(
                        ReturnValuesOnConditionCheckFailure::AllOld,
                    )
                    .build()
                    .map_err(build_error(&table))?;
                TransactWriteItem::builder().update(update).build()
            }
            // Unchanged: the transaction still depends on it as loaded.
            None => {
                let mut placeholders = Placeholders::default();
                let conditions = match T::VERSION {
                    Some(version) => {
                        vec![crate::write_plan::unchanged(
                            stored,
                            version,
                            &mut placeholders,
                        )]
                    }
                    None => crate::write_plan::as_loaded(stored, &info, &mut placeholders),
                };
                let mut conditions = conditions;
                if let Some(plan) = info.migrations {
                    conditions.push(crate::write_plan::unchanged(
                        stored,
                        plan.version_attribute(),
                        &mut placeholders,
                    ));
                }
                let conditions = conditions.join(" AND ");
                crate::write_plan::within_limits(
                    &conditions,
                    false,
                    "check as loaded",
                    &table,
                    &key.display(&info),
                )?;
                let check = ConditionCheck::builder()
                    .table_name(&table)
                    .set_key(Some(key_of(&prepared.attributes, &info)))
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
        } = update_plan::<T>(&key, update, condition.as_ref(), &info)?;
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

    /// Deletes the item with `key`, whatever it holds.
    pub fn delete_key<T: Model>(mut self, key: impl IntoKey) -> Self {
        let planned = (|| {
            let info = self.mapper.model_info::<T>()?;
            let table = info.table.as_str();
            let key = key.into_key();
            let key_attributes = key.to_attributes(&info, table)?;
            Ok(Planned {
                hash: key_hash::of_item(Some(&key_attributes), &info),
                size: crate::codec::item_size(&key_attributes),
                key,
                item: delete_item(table, key_attributes, None, &mut Placeholders::default())?,
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

    /// Sends the transaction: all actions apply, or none.
    ///
    /// Cancellations for transaction conflicts or throttling only, and
    /// unknown outcomes (timeouts, 5xx, a transaction still in progress),
    /// are resent with the same token by the client's retry strategy (its
    /// backoff and attempts; see [`TransactionRetries`](crate::TransactionRetries)); a failed
    /// condition is returned at once.
    ///
    /// # Errors
    /// [`Error::Validation`] listing every bad action (paths start with the
    /// action's position, `[2].balance`), [`Error::InvalidTransaction`]
    /// for what DynamoDB would refuse whole (more than 100 actions, over
    /// 4 MB, two actions on one item, a token over 36 characters, a token
    /// reused with other parameters), [`Error::TransactionCanceled`] with
    /// the reasons in the order of the actions, [`Error::MaxRetriesExceeded`],
    /// [`Error::Service`]: nothing is applied on these errors. When an
    /// answer was lost and DynamoDB's last answer does not say (a 5xx, a
    /// timeout, throttling), [`Error::OutcomeUnknown`] carries the token:
    /// the same actions sent again with it ([`TransactWrite::token`])
    /// within ten minutes are applied at most once, and answered with
    /// success if the first send was applied. `update_once` and `commit`
    /// do that themselves.
    /// Each canceled action's [`Cause`] tells a conflict (retry) from a
    /// condition that is false (a schema rule, the caller's condition).
    pub async fn send(self) -> Result<()> {
        let TransactWrite {
            mapper,
            actions,
            errors,
            token,
        } = self;
        refuse_bad_actions(errors)?;
        let table = actions
            .first()
            .map(|a| a.table().to_owned())
            .unwrap_or_default();
        let invalid = |message: String| Error::InvalidTransaction {
            table: table.clone(),
            message,
        };
        if actions.is_empty() {
            return Err(invalid(
                "a transaction needs at least one action".to_owned(),
            ));
        }
        if actions.len() > TRANSACT_LIMIT {
            return Err(invalid(format!(
                "a transaction holds at most {TRANSACT_LIMIT} actions; this one has {}",
                actions.len()
            )));
        }
        // Two actions on one item: same table and key hash, then the same key.
        let mut seen: HashSet<(&str, u64)> = HashSet::with_capacity(actions.len());
        for (index, action) in actions.iter().enumerate() {
            if !seen.insert((action.table(), action.hash))
                && actions[..index].iter().any(|a| a.same_item(action))
            {
                return Err(invalid(format!(
                    "two actions on one item: [{index}] on table {} ({})",
                    action.table(),
                    action.key()
                )));
            }
        }
        let size: usize = actions.iter().map(|a| a.size).sum();
        if size > TRANSACT_BYTES {
            return Err(invalid(format!(
                "the transaction is about {size} bytes; DynamoDB's limit is {TRANSACT_BYTES}"
            )));
        }
        if token
            .as_ref()
            .is_some_and(|t| t.chars().count() > TOKEN_CHARS)
        {
            return Err(invalid(format!(
                "an idempotency token has at most {TOKEN_CHARS} characters"
            )));
        }
        let mut actions = actions;
        // The SDK's retry strategy resends the request (same token) on
        // throttling, 5xx, timeouts, and, through
        // [`TransactionRetries`](crate::TransactionRetries), conflicts.
        // The token is the mapper's own when the caller gave none, so that
        // an outcome left unknown is resolved by sending it again: with
        // the token of an applied transaction DynamoDB answers success
        // without applying it again; of one not applied, it runs it.
        let token = token.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let items: Vec<TransactWriteItem> = actions
            .iter_mut()
            .map(|a| std::mem::replace(&mut a.item, TransactWriteItem::builder().build()))
            .collect();
        let span = op_span!("TransactWriteItems", table, items.len());
        let result = send!(
            mapper
                .transaction_client()
                .transact_write_items()
                .set_transact_items(Some(items))
                .client_request_token(&token)
                .set_return_consumed_capacity(capacity(&span)),
            span
        );
        let e = match result {
            Ok(_) => {
                for action in actions {
                    if let Some(refresh) = action.refresh {
                        refresh()?;
                    }
                }
                return Ok(());
            }
            Err(e) => e,
        };
        // A cancellation or a token mismatch is DynamoDB's answer on this
        // token: a transaction that was applied, sent again with its token
        // within ten minutes, is answered with success (DynamoDB's
        // idempotency contract), so nothing was applied. Any other failure
        // after a lost answer leaves the outcome unknown: the token, sent
        // again with the same actions, tells ([`Mapper::until_known`]).
        let answered = matches!(
            e.as_service_error(),
            Some(
                TransactWriteItemsError::TransactionCanceledException(_)
                    | TransactWriteItemsError::IdempotentParameterMismatchException(_)
            )
        );
        if crate::outcome::lost(&e) && !answered {
            let key = actions.first().map(Planned::key).unwrap_or_default();
            return Err(crate::outcome::unknown(
                &table,
                key,
                "TransactWriteItems",
                crate::outcome::failed_after_lost(
                    &aws_smithy_types::error::display::DisplayErrorContext(&e),
                ),
                Some(token),
            ));
        }
        Err(match e.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                let reasons = c
                    .cancellation_reasons()
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.code().is_some_and(|code| code != "None"))
                    .map(|(index, r)| {
                        let action = actions.get(index);
                        let code = r.code().unwrap_or_default();
                        CancelReason {
                            index,
                            table: action.map(|a| a.table().to_owned()).unwrap_or_default(),
                            key: action.map(Planned::key).unwrap_or_default(),
                            code: code.to_owned(),
                            message: r.message().map(str::to_owned),
                            item: r.item().cloned(),
                            cause: action
                                .map_or(Cause::Other, |a| a.judge.cause(code, r.item(), a)),
                        }
                    })
                    .collect();
                Error::TransactionCanceled { table, reasons }
            }
            Some(TransactWriteItemsError::IdempotentParameterMismatchException(_)) => {
                invalid("the idempotency token was used before with other actions".to_owned())
            }
            _ => Error::service(&table, "TransactWriteItems", e),
        })
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
    let mut value = crate::encode::model_value(record, table)?;
    if let Some(map) = value.as_map_mut() {
        map.insert(R::STATUS.to_owned(), validate::Value::from(status));
        map.insert(R::DATETIME.to_owned(), validate::Value::from(now));
    }
    Ok(value)
}

/// The attribute of a non-atomic commit's record that lists its targets.
pub const TARGETS_ATTRIBUTE: &str = "__targets__";

/// The key attributes of an item to write.
fn key_of(attributes: &codec::Attributes, info: &ModelInfo) -> codec::Attributes {
    std::iter::once(&info.hash)
        .chain(&info.range)
        .filter_map(|k| attributes.get(&k.name).map(|v| (k.name.clone(), v.clone())))
        .collect()
}

/// A put of `attributes` under `condition`, asking for the stored item
/// when the condition fails.
fn put_item(
    table: &str,
    attributes: codec::Attributes,
    condition: Option<String>,
    placeholders: &mut Placeholders,
) -> Result<Put> {
    let on_failure = condition
        .is_some()
        .then_some(ReturnValuesOnConditionCheckFailure::AllOld);
    Put::builder()
        .table_name(table)
        .set_item(Some(attributes))
        .set_condition_expression(condition)
        .set_expression_attribute_names(placeholders.names())
        .set_expression_attribute_values(placeholders.values())
        .set_return_values_on_condition_check_failure(on_failure)
        .build()
        .map_err(build_error(table))
}

fn delete_item(
    table: &str,
    key: codec::Attributes,
    condition: Option<String>,
    placeholders: &mut Placeholders,
) -> Result<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key))
        .set_condition_expression(condition)
        .set_expression_attribute_names(placeholders.names())
        .set_expression_attribute_values(placeholders.values())
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(build_error(table))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// After the send: `item` holds what was written.
fn refresh_saved<'a, T: Model>(
    mapper: &'a Mapper,
    item: &'a mut Item<T>,
    prepared: crate::encode::Prepared,
    info: Arc<ModelInfo>,
) -> Box<dyn FnOnce() -> Result<()> + Send + 'a> {
    Box::new(move || {
        let warnings = std::mem::take(&mut item.warnings);
        *item = mapper.stored_item(prepared, &info, &info.table, warnings)?;
        Ok(())
    })
}

/// Every action that could not be encoded, as one error: validation
/// failures together, each path under its action's position.
fn refuse_bad_actions(errors: Vec<(usize, Error)>) -> Result<()> {
    let mut found = validate::Errors::new();
    let mut table = String::new();
    for (index, error) in errors {
        match error {
            Error::Validation {
                table: t, errors, ..
            } => {
                table = t;
                for violation in errors.prefixed(&validate::Path::root().index(index)) {
                    found.push_violation(violation);
                }
            }
            other => return Err(other),
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation {
            table,
            key: KeyDisplay("transaction".to_owned()),
            errors: found,
        })
    }
}
