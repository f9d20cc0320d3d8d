//! One action of a transaction: encoded, with what the report and the
//! refresh after the send need, and how DynamoDB's refusal of its
//! condition is read ([`Cause`]).

use std::sync::Arc;

use aws_sdk_dynamodb::types::{
    Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use crate::codec;
use crate::error::{Cause, Error, KeyDisplay, Result, build_error};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::key::Key;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::write::plan::{Expect, PartialSave};

/// One action, encoded, with what the report and the refresh need.
pub(super) struct Planned<'a> {
    pub(super) item: TransactWriteItem,
    /// The model's facts: its table, and how to show the key (only when
    /// an error needs it).
    pub(super) info: Arc<ModelInfo>,
    /// The key's hash ([`key_hash`](crate::key::hash)), to find two actions on one item.
    pub(super) hash: u64,
    /// The key, for messages and to confirm two actions on one item (the
    /// action itself goes into the request).
    pub(super) key: Key,
    pub(super) size: usize,
    /// Runs after a successful send: the `Item` the action saved or
    /// deleted takes the state now stored.
    pub(super) refresh: Option<Box<dyn FnOnce() -> Result<()> + Send + 'a>>,
    /// How a refusal of its condition is read.
    pub(super) judge: Judge,
}

/// How a refused condition of an action is read ([`Cause`]).
pub(super) enum Judge {
    /// A state as loaded or a version: a conflict (or an item newer code
    /// rewrote).
    Loaded,
    /// A free key: taken.
    Free,
    /// An update: its guards and the caller's condition, judged on the
    /// item stored then, as [`Mapper::update_if`]'s.
    Update(Vec<crate::write::guard::Guard>),
    /// The caller's condition check.
    Check,
}

impl Judge {
    pub(super) fn of(expect: Expect) -> Judge {
        match expect {
            Expect::Anything => Judge::Loaded,
            Expect::Absent | Expect::Fresh => Judge::Free,
        }
    }

    /// What DynamoDB's `code` for the action means, `item` stored then.
    pub(super) fn cause(
        &self,
        code: &str,
        item: Option<&codec::Attributes>,
        action: &Planned<'_>,
    ) -> Cause {
        match code {
            "TransactionConflict" => return Cause::Conflict,
            "ConditionalCheckFailed" => {}
            _ => return Cause::Other,
        }
        let (info, table) = (&action.info, action.table());
        match self {
            Judge::Loaded => item
                .and_then(|item| {
                    crate::schema_version::not_newer(item, info, table, &action.key()).err()
                })
                .map_or(Cause::Conflict, |e| Cause::Version(e.to_string())),
            Judge::Free => Cause::Taken,
            Judge::Check => Cause::Condition,
            Judge::Update(guards) => {
                match crate::ops::update::refused(
                    item,
                    info,
                    guards,
                    table.to_owned(),
                    action.key(),
                ) {
                    Error::NotFound { .. } => Cause::NotFound,
                    Error::Validation { errors, .. } => Cause::Rule(errors),
                    Error::ConditionFailed { .. } => Cause::Condition,
                    other => Cause::Version(other.to_string()),
                }
            }
        }
    }
}

impl Planned<'_> {
    pub(super) fn table(&self) -> &str {
        &self.info.table
    }

    /// The key, for messages.
    pub(super) fn key(&self) -> KeyDisplay {
        self.key.display(&self.info)
    }

    /// Whether `other` acts on the same item (same table, same key).
    pub(super) fn same_item(&self, other: &Planned<'_>) -> bool {
        self.table() == other.table() && self.key == other.key
    }
}

/// A put of `attributes` under `condition`, asking for the stored item
/// when the condition fails.
pub(super) fn put_item(
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

/// The update of a plan ([`PartialSave`]), asking for the stored item
/// when its condition fails.
pub(super) fn update_item(table: &str, plan: PartialSave) -> Result<TransactWriteItem> {
    let PartialSave {
        key_attributes,
        expression,
        condition,
        mut placeholders,
        ..
    } = plan;
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(key_attributes))
        .update_expression(expression)
        .set_condition_expression(condition)
        .set_expression_attribute_names(placeholders.names())
        .set_expression_attribute_values(placeholders.values())
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(build_error(table))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

pub(super) fn delete_item(
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
pub(super) fn refresh_saved<'a, T: Model>(
    mapper: &'a Mapper,
    item: &'a mut Item<T>,
    prepared: crate::codec::Encoded,
    info: Arc<ModelInfo>,
) -> Box<dyn FnOnce() -> Result<()> + Send + 'a> {
    Box::new(move || {
        let warnings = std::mem::take(&mut item.warnings);
        *item = mapper.stored_item(prepared, &info, &info.table, warnings)?;
        Ok(())
    })
}
