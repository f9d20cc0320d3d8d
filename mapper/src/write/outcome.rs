//! What a write's attempts tell about its outcome. The SDK resends a
//! request whose answer was lost (a timeout, a 5xx, a broken connection):
//! the first send may have been applied. A conditional write resent after
//! that and then refused by its condition cannot tell its own write from
//! another's equal one, so it reports [`Error::OutcomeUnknown`] instead of
//! a success it cannot prove or a conflict that invites the caller to
//! apply a change twice.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::codec;
use crate::error::{ConditionFailure, Error, KeyDisplay, refused_with};
pub(crate) use crate::mapper::answers::lost;

/// The error of a write whose outcome is unknown: an answer was lost, and
/// what came after cannot tell whether the write was applied (`why`).
pub(crate) fn unknown(
    table: &str,
    key: KeyDisplay,
    operation: &'static str,
    why: impl Into<String>,
    token: Option<String>,
) -> Error {
    Error::OutcomeUnknown {
        table: table.to_owned(),
        key,
        operation,
        message: why.into(),
        token,
    }
}

/// The error of a conditional write that failed with `e`: `refused`
/// judges a refusal by its condition (given the item stored then) when no
/// answer was [`lost`]; after a lost answer, a refusal or a failure leaves
/// the outcome unknown.
pub(crate) fn judged<E>(
    e: SdkError<E, HttpResponse>,
    table: &str,
    key: KeyDisplay,
    operation: &'static str,
    refused: impl FnOnce(Option<&codec::Attributes>, KeyDisplay) -> Error,
) -> Error
where
    E: ProvideErrorMetadata + ConditionFailure + std::error::Error + Send + Sync + 'static,
{
    match (refused_with(&e), lost(&e)) {
        (Some(stored), false) => refused(stored, key),
        (Some(_), true) => unknown(table, key, operation, REFUSED_AFTER_LOST, None),
        (None, true) => unknown(
            table,
            key,
            operation,
            failed_after_lost(&DisplayErrorContext(&e)),
            None,
        ),
        (None, false) => Error::service(table, operation, e),
    }
}

/// Why, for a conditional write refused after a lost answer.
const REFUSED_AFTER_LOST: &str = "an attempt's answer was lost and the request sent \
    again was refused by its condition: the first may have been applied (and the item found then \
    would be its own) or not (and another writer changed the item)";

/// Why, for a write whose last attempt failed after a lost answer.
pub(crate) fn failed_after_lost(last: &dyn std::fmt::Display) -> String {
    format!(
        "an attempt's answer was lost and the last attempt failed ({last}): it may have been applied"
    )
}

/// Sends again a transaction whose outcome was left unknown, with its
/// token, up to [`Backoff::default`](crate::Backoff)'s attempts: the same
/// actions under the same token are applied at most once, and answered
/// with success if the first send was applied. Until DynamoDB answers
/// (success, a cancellation, a token mismatch), the outcome stays
/// unknown, whatever the sends after the first fail with.
#[derive(Default)]
pub(crate) struct Resends {
    done: u32,
    /// The unknown outcome that started the resends.
    unknown: Option<Error>,
}

impl Resends {
    /// `Ok(token)`, after a pause, when the outcome is still unknown and
    /// worth sending again with that token; `Err(result)` otherwise (the
    /// first unknown outcome when the attempts ran out).
    pub(crate) async fn again(
        &mut self,
        result: crate::Result<()>,
    ) -> Result<String, crate::Result<()>> {
        let unknown = match result {
            Err(e @ Error::OutcomeUnknown { .. }) => self.unknown.take().unwrap_or(e),
            Err(e) if !answered(&e) => match self.unknown.take() {
                Some(earlier) => earlier,
                None => return Err(Err(e)),
            },
            other => return Err(other),
        };
        let Error::OutcomeUnknown {
            token: Some(token), ..
        } = &unknown
        else {
            return Err(Err(unknown));
        };
        let token = token.clone();
        let backoff = crate::Backoff::default();
        if self.done + 1 >= backoff.attempts {
            return Err(Err(unknown));
        }
        self.done += 1;
        self.unknown = Some(unknown);
        tokio::time::sleep(backoff.delay(self.done)).await;
        Ok(token)
    }
}

/// Whether DynamoDB answered a transaction (it ran and was canceled, or
/// its token was used with other actions): nothing was applied.
fn answered(e: &Error) -> bool {
    matches!(
        e,
        Error::TransactionCanceled { .. } | Error::InvalidTransaction { .. }
    )
}
