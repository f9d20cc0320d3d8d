//! [`Error`]: everything the mapper can report, each naming table and key.

use std::fmt;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use validate::{Errors, Path};

/// `Result` with the mapper's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An item key as shown in messages: `episode=1, map=2` (or what an
/// error is about when it is no one item: `batch of 30 writes`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyDisplay(String);

impl KeyDisplay {
    /// What an error names in place of a key.
    pub(crate) fn new(shown: impl Into<String>) -> KeyDisplay {
        KeyDisplay(shown.into())
    }

    /// The key as text (empty when there is none).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("(no key)")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// A value that has no DynamoDB representation, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CodecError {
    /// Where in the item.
    pub path: Path,
    /// What is wrong.
    pub message: String,
}

impl CodecError {
    pub(crate) fn new(path: Path, message: impl Into<String>) -> CodecError {
        CodecError {
            path,
            message: message.into(),
        }
    }
}

/// What a canceled action's reason means, read from the item stored then.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Cause {
    /// Someone changed the item since it was loaded (a save, delete or
    /// check as loaded; a version), or another transaction held it: read
    /// again and retry, it may succeed.
    Conflict,
    /// A new item's key is taken.
    Taken,
    /// The item the action needs does not exist (an update).
    NotFound,
    /// The update would break these rules of the schema on the stored
    /// item (e.g. `stock` below `range = 0..`): each named with its path.
    /// A retry fails the same way until the item changes.
    Rule(Errors),
    /// The condition the caller gave is false on the stored item.
    Condition,
    /// The stored item is at a schema version this code does not write
    /// (migrations): what was found.
    Version(String),
    /// Anything else DynamoDB said (throttling, a validation error): see
    /// the reason's `code` and `message`.
    Other,
}

/// Why DynamoDB canceled one action of a transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct CancelReason {
    /// The action's position in the transaction, as the caller added it.
    pub index: usize,
    /// Its table.
    pub table: String,
    /// Its item's key.
    pub key: KeyDisplay,
    /// DynamoDB's code: `ConditionalCheckFailed`, `TransactionConflict`,
    /// `ThrottlingError`, `ValidationError`, …
    pub code: String,
    /// DynamoDB's message.
    pub message: Option<String>,
    /// The item as stored, when a condition failed.
    pub item: Option<crate::codec::Attributes>,
    /// What it means: a conflict, or a condition that is false.
    pub cause: Cause,
}

impl CancelReason {
    /// Whether sending again may succeed (a conflict with another
    /// transaction, or throttling).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"
        )
    }
}

impl fmt::Display for CancelReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {} ({}): {}",
            self.index, self.table, self.key, self.code
        )?;
        match &self.cause {
            Cause::Conflict if self.code == "ConditionalCheckFailed" => {
                f.write_str(" (the item changed since it was loaded)")?;
            }
            Cause::Taken => f.write_str(" (the key is taken)")?,
            Cause::NotFound => f.write_str(" (no such item)")?,
            Cause::Rule(errors) => write!(
                f,
                " (the update would break: {})",
                errors.to_string().replace('\n', "; ")
            )?,
            Cause::Condition => f.write_str(" (the condition given is false)")?,
            Cause::Version(found) => write!(f, " ({found})")?,
            Cause::Conflict | Cause::Other => {}
        }
        if let Some(message) = &self.message {
            write!(f, " ({message})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in the mapper.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An item failed its schema before anything was sent.
    #[error("invalid item for table {table} ({key}):\n{errors}")]
    Validation {
        /// The table.
        table: String,
        /// The item's key, as far as it is known.
        key: KeyDisplay,
        /// Every failure, with its attribute path.
        errors: Errors,
    },
    /// A stored item does not match the model (strict read policy).
    #[error("stored item in table {table} ({key}) does not match the model:\n{errors}")]
    Stored {
        /// The table.
        table: String,
        /// The item's key.
        key: KeyDisplay,
        /// Every failure, with its attribute path.
        errors: Errors,
    },
    /// A stored item's version could not be found or upgraded (no detector
    /// recognized it, a step failed, it was written by newer code), or a
    /// write needs it at the current version.
    #[error("migration of item in table {table} ({key}): {error}")]
    Migration {
        /// The table.
        table: String,
        /// The item's key.
        key: KeyDisplay,
        /// What went wrong, naming the versions and the step.
        #[source]
        error: migrate::Error,
    },
    /// A bulk migration's checkpoint file cannot be read or written, or
    /// belongs to another run.
    #[error("migration checkpoint {}: {message}", path.display())]
    Checkpoint {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A conditional write found the item changed since it was loaded.
    #[error("conflict in table {table} ({key}): the item changed since it was loaded")]
    Conflict {
        /// The table.
        table: String,
        /// The item's key.
        key: KeyDisplay,
    },
    /// A condition the caller gave ([`Mapper::update_if`](crate::Mapper::update_if),
    /// a transaction's condition check) is false on the stored item. Unlike
    /// a [`Error::Conflict`], sending again will fail the same way until
    /// the item changes.
    #[error(
        "condition failed in table {table} ({key}): the condition given is false on the stored item"
    )]
    ConditionFailed {
        /// The table.
        table: String,
        /// The item's key.
        key: KeyDisplay,
    },
    /// A write that may or may not have been applied: an answer was lost
    /// (a timeout, a 5xx, a broken connection) and what came after cannot
    /// tell. Neither a success (it may not have been applied) nor a
    /// conflict (it may have been: applying the change again could apply
    /// it twice). Read the item to find out before writing again; a
    /// transaction carries its idempotency `token`: sent again with it
    /// within 10 minutes of the first send ([`TransactWrite::token`](crate::TransactWrite::token)),
    /// DynamoDB applies it at most once and answers whether it was.
    #[error("{operation} on table {table} ({key}): the outcome is unknown: {message}{}", token.as_ref().map(|t| format!("; idempotency token {t}")).unwrap_or_default())]
    OutcomeUnknown {
        /// The table.
        table: String,
        /// The item's key (for a transaction, its first action's).
        key: KeyDisplay,
        /// The DynamoDB operation.
        operation: &'static str,
        /// What happened.
        message: String,
        /// A transaction's idempotency token.
        token: Option<String>,
    },
    /// The write was applied, but reading the item back afterwards failed
    /// (`update_once`): do not write it again; read it with `get`.
    #[error(
        "in table {table} ({key}) the write was applied, but reading the item back failed: {source}"
    )]
    ReadBack {
        /// The table.
        table: String,
        /// The item's key.
        key: KeyDisplay,
        /// Why the read failed.
        #[source]
        source: Box<Error>,
    },
    /// Saving a new item found one with the same key.
    #[error("item already exists in table {table} ({key})")]
    Overwrite {
        /// The table.
        table: String,
        /// The item's key.
        key: KeyDisplay,
    },
    /// The item under the key is of another entity type than the model's
    /// (or of none): it is not read as this model, and a write of this
    /// model onto it was refused (nothing written).
    #[error("the item in table {table} ({key}) is of entity type {}, not {expected:?}: not read as it, nothing written", match found { Some(found) => format!("{found:?}"), None => "none".to_owned() })]
    OtherEntity {
        /// The table.
        table: String,
        /// The item's key.
        key: KeyDisplay,
        /// The model's entity type.
        expected: String,
        /// The stored item's, if it has one.
        found: Option<String>,
    },
    /// No item has that key.
    #[error("no item in table {table} ({key})")]
    NotFound {
        /// The table.
        table: String,
        /// The key looked up.
        key: KeyDisplay,
    },
    /// The model definition is wrong: keys, indexes, the version
    /// attribute, migrations (a programming error, found when the model is
    /// first used).
    #[error("bad model for table {table}: {message}")]
    Model {
        /// The table.
        table: String,
        /// What is wrong.
        message: String,
    },
    /// A call the model does not allow: an index it does not declare, a
    /// range key or condition without a range key, `insert_auto` without
    /// an auto-increment key, a scan segment out of range, a bulk
    /// migration of a model without migrations.
    #[error("invalid call on table {table}: {message}")]
    Usage {
        /// The table.
        table: String,
        /// What is wrong.
        message: String,
    },
    /// The SDK could not build a request (a part it requires is missing).
    #[error("could not build a request for table {table}: {message}")]
    Build {
        /// The table.
        table: String,
        /// The SDK's reason.
        message: String,
    },
    /// A value could not be converted to or from DynamoDB or the model type.
    #[error("cannot convert item for table {table} ({key}): {source}")]
    Convert {
        /// The table.
        table: String,
        /// The item's key, as far as it is known.
        key: KeyDisplay,
        /// The underlying failure.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A retried operation ran out of attempts. It is raised only for
    /// passing causes (throttled or unprocessed requests, taken
    /// auto-increment keys, a table still being created), so it is
    /// retryable; permanent failures surface as their own error.
    #[error("{operation} on table {table} gave up after {attempts} attempts")]
    MaxRetriesExceeded {
        /// The table.
        table: String,
        /// What was retried.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
    },
    /// A batch write ended with items not written; exactly these keys.
    #[error("batch write to table {table} wrote {written} items but not {} ({reason})", unwritten.len())]
    BatchIncomplete {
        /// The table.
        table: String,
        /// How many operations were applied.
        written: usize,
        /// The keys whose operation was not applied, one per write (a put
        /// whose model failed to serialize when its request had to be built
        /// again is named by a key of `Null` parts).
        unwritten: Vec<crate::key::Key>,
        /// The last error, or that the retry budget ran out.
        reason: String,
        /// Whether sending the unwritten writes again may succeed: `true`
        /// when every chunk stopped on throttling, 5xx or the retry budget,
        /// `false` when one stopped on a permanent error (a missing table,
        /// a request DynamoDB refuses, a write that could not be built).
        retryable: bool,
    },
    /// A cursor that does not belong to this query or scan, or is damaged.
    #[error("invalid cursor for table {table}: {message}")]
    InvalidCursor {
        /// The table.
        table: String,
        /// Why it was refused.
        message: String,
    },
    /// A transaction DynamoDB would refuse whole, refused before sending
    /// (or a token reused with other actions).
    #[error("invalid transaction on table {table}: {message}")]
    InvalidTransaction {
        /// The table of the first action.
        table: String,
        /// What is wrong.
        message: String,
    },
    /// DynamoDB canceled a transaction: nothing was applied.
    #[error("transaction on table {table} canceled: {}", reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    TransactionCanceled {
        /// The table of the first action.
        table: String,
        /// Why, for each action that failed, in the order of the actions.
        reasons: Vec<CancelReason>,
    },
    /// DynamoDB or the network refused a request.
    #[error("{operation} on table {table} failed: {message}")]
    Service {
        /// The table.
        table: String,
        /// The DynamoDB operation.
        operation: &'static str,
        /// The service's error code and message.
        message: String,
        /// Whether retrying may succeed (throttling, 5xx, timeouts).
        retryable: bool,
        /// The SDK error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// Whether a conditional write found the item changed since it was
    /// loaded, so that reading again and retrying may succeed (for a
    /// transaction: an action's item changed since it was loaded, or
    /// another transaction held it, and no action failed for a reason a
    /// retry meets again: a schema rule, the caller's condition, a taken
    /// key, a missing item). [`Error::ConditionFailed`] is not a conflict.
    pub fn is_conflict(&self) -> bool {
        match self {
            Error::Conflict { .. } => true,
            Error::TransactionCanceled { reasons, .. } => {
                reasons.iter().any(|r| r.cause == Cause::Conflict)
                    && reasons
                        .iter()
                        .all(|r| matches!(r.cause, Cause::Conflict | Cause::Other))
            }
            _ => false,
        }
    }

    /// Whether the write may or may not have been applied
    /// ([`Error::OutcomeUnknown`]).
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// Whether a new item's key was taken (for a transaction: an
    /// action's, [`Cause::Taken`]).
    pub fn is_overwrite(&self) -> bool {
        match self {
            Error::Overwrite { .. } => true,
            Error::TransactionCanceled { reasons, .. } => {
                reasons.iter().any(|r| r.cause == Cause::Taken)
            }
            _ => false,
        }
    }

    /// Whether no item had the key.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether a stored item failed the model (a load error of one item:
    /// [`Error::Stored`], [`Error::Migration`], [`Error::Convert`]), as
    /// opposed to an error of the call.
    pub fn is_stored_item(&self) -> bool {
        matches!(
            self,
            Error::Stored { .. }
                | Error::Migration { .. }
                | Error::Convert { .. }
                | Error::OtherEntity { .. }
        )
    }

    /// Whether the item failed validation (before a write, or as stored).
    pub fn is_invalid(&self) -> bool {
        matches!(self, Error::Validation { .. } | Error::Stored { .. })
    }

    /// Whether retrying the same call may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service { retryable, .. } => *retryable,
            Error::MaxRetriesExceeded { .. } => true,
            Error::BatchIncomplete { retryable, .. } => *retryable,
            Error::TransactionCanceled { reasons, .. } => {
                !reasons.is_empty() && reasons.iter().all(CancelReason::is_retryable)
            }
            _ => false,
        }
    }

    /// The validation failures, for [`Error::Validation`] and [`Error::Stored`].
    pub fn errors(&self) -> Option<&Errors> {
        match self {
            Error::Validation { errors, .. } | Error::Stored { errors, .. } => Some(errors),
            _ => None,
        }
    }

    pub(crate) fn convert(
        table: &str,
        key: KeyDisplay,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Convert {
            table: table.to_owned(),
            key,
            source: Box::new(source),
        }
    }

    pub(crate) fn service<E>(
        table: &str,
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
    ) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let (message, retryable) = match &err {
            SdkError::ServiceError(service) => {
                let code = service.err().code().unwrap_or("unknown");
                let retryable = service.raw().status().is_server_error()
                    || matches!(
                        code,
                        "ProvisionedThroughputExceededException"
                            | "ThrottlingException"
                            | "RequestLimitExceeded"
                            | "InternalServerError"
                            | "ServiceUnavailable"
                            | "LimitExceededException"
                    );
                (
                    format!("{code}: {}", service.err().message().unwrap_or("")),
                    retryable,
                )
            }
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => (
                format!(
                    "{}",
                    aws_smithy_types::error::display::DisplayErrorContext(&err)
                ),
                true,
            ),
            _ => (
                format!(
                    "{}",
                    aws_smithy_types::error::display::DisplayErrorContext(&err)
                ),
                false,
            ),
        };
        Error::Service {
            table: table.to_owned(),
            operation,
            message,
            retryable,
            source: Box::new(err),
        }
    }
}

/// Whether an SDK error is DynamoDB's `ConditionalCheckFailedException`.
pub(crate) fn is_condition_failed<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error().and_then(ProvideErrorMetadata::code)
        == Some("ConditionalCheckFailedException")
}

/// A conditional write's service error that may carry the stored item
/// (`ReturnValuesOnConditionCheckFailure::AllOld`).
pub(crate) trait ConditionFailure {
    /// The item stored when the condition failed (`None` when it was
    /// absent, or for another error).
    fn stored_item(&self) -> Option<&crate::codec::Attributes>;
}

macro_rules! condition_failure {
    ($($error:path),*) => {$(
        impl ConditionFailure for $error {
            fn stored_item(&self) -> Option<&crate::codec::Attributes> {
                match self {
                    Self::ConditionalCheckFailedException(c) => c.item(),
                    _ => None,
                }
            }
        }
    )*};
}

condition_failure!(
    aws_sdk_dynamodb::operation::put_item::PutItemError,
    aws_sdk_dynamodb::operation::update_item::UpdateItemError,
    aws_sdk_dynamodb::operation::delete_item::DeleteItemError
);

/// For a write refused by its condition, the item stored then (`Some(None)`
/// when there was none); `None` for any other error. The one reading of a
/// refused conditional write, for puts, updates and deletes.
pub(crate) fn refused_with<E: ProvideErrorMetadata + ConditionFailure, R>(
    err: &SdkError<E, R>,
) -> Option<Option<&crate::codec::Attributes>> {
    is_condition_failed(err).then(|| {
        err.as_service_error()
            .and_then(ConditionFailure::stored_item)
            .filter(|item| !item.is_empty())
    })
}

/// The error of an SDK request builder, for `table`.
pub(crate) fn build_error(
    table: &str,
) -> impl Fn(aws_sdk_dynamodb::error::BuildError) -> Error + '_ {
    move |e| Error::Build {
        table: table.to_owned(),
        message: e.to_string(),
    }
}
