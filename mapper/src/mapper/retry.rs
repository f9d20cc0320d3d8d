//! [`TransactionRetries`]: the SDK's retry strategy taught that a
//! transaction canceled by a conflict is worth sending again.

use aws_sdk_dynamodb::config::interceptors::InterceptorContext;
use aws_sdk_dynamodb::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

/// Tells the SDK's retry strategy that a `TransactWriteItems` canceled
/// only for conflicts with other transactions or throttling, or still in
/// progress, is worth sending again: the SDK then resends the same
/// request, with the same idempotency token, after its backoff. Installed
/// on the client the mapper sends transactions with
/// ([`Mapper::new`](crate::Mapper::new)); it has no opinion on any other
/// answer.
#[derive(Debug)]
pub struct TransactionRetries;

impl ClassifyRetry for TransactionRetries {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let Some(error) = error
            .as_operation_error()
            .and_then(|e| e.downcast_ref::<TransactWriteItemsError>())
        else {
            return RetryAction::NoActionIndicated;
        };
        match error {
            TransactWriteItemsError::TransactionInProgressException(_) => {
                RetryAction::transient_error()
            }
            TransactWriteItemsError::TransactionCanceledException(c) => {
                let codes: Vec<&str> = c
                    .cancellation_reasons()
                    .iter()
                    .filter_map(|r| r.code())
                    .filter(|code| *code != "None")
                    .collect();
                let passing = |code: &&str| {
                    matches!(
                        *code,
                        "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"
                    )
                };
                if codes.is_empty() || !codes.iter().all(passing) {
                    RetryAction::NoActionIndicated
                } else if codes.contains(&"TransactionConflict") {
                    RetryAction::transient_error()
                } else {
                    RetryAction::throttling_error()
                }
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "mapper: transactions canceled by conflicts"
    }
}
