//! What a write's attempts tell about its outcome. The SDK resends a
//! request whose answer was lost (a timeout, a 5xx, a broken connection):
//! the first send may have been applied. A conditional write resent after
//! that and then refused by its condition cannot tell its own write from
//! another's equal one, so it reports [`Error::OutcomeUnknown`] instead of
//! a success it cannot prove or a conflict that invites the caller to
//! apply a change twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_sdk_dynamodb::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::codec;
use crate::error::{ConditionFailure, Error, KeyDisplay, refused_with};

/// Watches the attempts of one request: set once an attempt ended with no
/// answer from DynamoDB or a 5xx, after which the request may have been
/// applied whatever later attempts say. Installed per request
/// (`customize().interceptor(..)`), on conditional writes only.
#[derive(Clone, Debug, Default)]
pub(crate) struct Watch(Arc<AtomicBool>);

impl Watch {
    /// Whether an attempt may have been applied without its answer.
    pub(crate) fn lost(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for Watch {
    fn name(&self) -> &'static str {
        "mapper: lost answers"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let failed = matches!(context.output_or_error(), Some(Err(_)));
        // A 4xx is DynamoDB refusing the request: nothing was applied.
        // No answer at all, or a 5xx, may follow an applied request.
        let answered = context
            .response()
            .is_some_and(|r| !r.status().is_server_error());
        if failed && !answered {
            self.0.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
}

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

/// The error of a conditional write that failed with `e`, its attempts
/// watched by `watch`: `refused` judges a refusal by its condition (given
/// the item stored then) when no answer was lost; after a lost answer,
/// a refusal or a failure leaves the outcome unknown.
pub(crate) fn judged<E>(
    e: SdkError<E, HttpResponse>,
    watch: &Watch,
    table: &str,
    key: KeyDisplay,
    operation: &'static str,
    refused: impl FnOnce(Option<&codec::Attributes>, KeyDisplay) -> Error,
) -> Error
where
    E: ProvideErrorMetadata + ConditionFailure + std::error::Error + Send + Sync + 'static,
{
    match (refused_with(&e), watch.lost()) {
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
