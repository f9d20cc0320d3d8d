//! Lost answers, watched on every request of the mapper's clients: an
//! attempt that ended without an answer from DynamoDB (a timeout, a broken
//! connection) or with a 5xx may have been applied, whatever later
//! attempts say. `write/outcome.rs` reads what this records.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::config::interceptors::{
    FinalizerInterceptorContextMut, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::{BoxError, SdkError};
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// The header [`LostAnswers`] puts on the last answer of a request one of
/// whose earlier attempts went unanswered.
const LOST_MARK: &str = "x-mapper-answer-lost";

/// Watches every request's attempts: one that ended with no answer from
/// DynamoDB, or with a 5xx, may have been applied, whatever later attempts
/// say. The request's last answer then carries [`LOST_MARK`], which
/// [`lost`] reads. Installed once on the mapper's clients
/// ([`Mapper::new`](crate::Mapper::new)): nothing is allocated per
/// request, and nothing is done for an attempt that was answered.
#[derive(Debug)]
pub(crate) struct LostAnswers;

/// An attempt of this request went unanswered (kept in its config bag).
#[derive(Debug)]
struct Unanswered;

impl Storable for Unanswered {
    type Storer = StoreReplace<Self>;
}

impl Intercept for LostAnswers {
    fn name(&self) -> &'static str {
        "mapper: lost answers"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let failed = matches!(context.output_or_error(), Some(Err(_)));
        // A 4xx is DynamoDB refusing the request: nothing was applied.
        // No answer at all, or a 5xx, may follow an applied request.
        let answered = context
            .response()
            .is_some_and(|r| !r.status().is_server_error());
        if failed && !answered {
            cfg.interceptor_state().store_put(Unanswered);
        }
        Ok(())
    }

    fn modify_before_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<Unanswered>().is_some()
            && let Some(response) = context.response_mut()
        {
            // A constant name and value: valid, so never refused.
            let _ = response.headers_mut().try_insert(LOST_MARK, "1");
        }
        Ok(())
    }
}

/// Whether the request that failed with `e` may have been applied without
/// its answer: no answer at all, a 5xx, or an earlier attempt unanswered.
pub(crate) fn lost<E>(e: &SdkError<E, HttpResponse>) -> bool {
    match e {
        SdkError::ConstructionFailure(_) => false,
        SdkError::ServiceError(service) => {
            let raw = service.raw();
            raw.status().is_server_error() || raw.headers().get(LOST_MARK).is_some()
        }
        _ => true,
    }
}
