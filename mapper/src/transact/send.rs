//! Sending a [`TransactWrite`]: what DynamoDB would refuse whole is
//! refused first; the answer is read into a cancellation with each
//! action's cause, or an unknown outcome when an answer was lost.

use std::collections::HashSet;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;

use crate::error::{CancelReason, Cause, Error, KeyDisplay, Result};
use crate::trace::{capacity, op_span, send};

use super::TransactWrite;
use super::action::Planned;
use crate::limits::{MAX_TOKEN_CHARS, TRANSACT_BYTES, TRANSACT_LIMIT};

impl TransactWrite<'_> {
    /// Sends the transaction: all actions apply, or none.
    ///
    /// Cancellations for transaction conflicts or throttling only, and
    /// unknown outcomes (timeouts, 5xx, a transaction still in progress),
    /// are resent with the same token by the client's retry strategy (its
    /// backoff and attempts; see [`TransactionRetries`](crate::transact::TransactionRetries)); a failed
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
            now: _,
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
            .is_some_and(|t| t.chars().count() > MAX_TOKEN_CHARS)
        {
            return Err(invalid(format!(
                "an idempotency token has at most {MAX_TOKEN_CHARS} characters"
            )));
        }
        let mut actions = actions;
        // The SDK's retry strategy resends the request (same token) on
        // throttling, 5xx, timeouts, and, through
        // [`TransactionRetries`](crate::transact::TransactionRetries), conflicts.
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
        if crate::write::outcome::lost(&e) && !answered {
            let key = actions.first().map(Planned::key).unwrap_or_default();
            return Err(crate::write::outcome::unknown(
                &table,
                key,
                "TransactWriteItems",
                crate::write::outcome::failed_after_lost(
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
            key: KeyDisplay::new("transaction"),
            errors: found,
        })
    }
}
