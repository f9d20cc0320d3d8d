//! [`Error`]: what can go wrong finding an item's version or upgrading it,
//! each naming the versions involved.

use validate::Errors;

/// `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the migration engine reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The plan itself is wrong (a programming error found by
    /// [`Plan::check`](crate::Plan::check)).
    #[error("migration plan: {message}")]
    Plan {
        /// What is wrong.
        message: String,
        /// Where.
        culprit: crate::plan::Culprit,
    },
    /// No version attribute, and no detector recognized the item.
    #[error("no detector recognized the item (tried versions {tried:?})")]
    Undetected {
        /// The versions whose detectors were tried, highest first.
        tried: Vec<u32>,
    },
    /// The item was written by newer code: never upgraded nor written back
    /// (a reader running older code during a rolling deploy must not
    /// clobber it).
    #[error("the item is at version {found}, newer than this code's {current}")]
    Newer {
        /// The stored version.
        found: u32,
        /// The code's current version.
        current: u32,
    },
    /// A write that needs the item at the current version (an update)
    /// found it older: load it (which migrates it) and save it first.
    #[error(
        "the item is at version {found}, not the current {current}: load and save it (or run the bulk migration) before updating it"
    )]
    Stale {
        /// The stored version.
        found: u32,
        /// The code's current version.
        current: u32,
    },
    /// The version attribute holds something that is not a version.
    #[error("the version attribute {attribute} holds {found}, not a version number")]
    BadVersion {
        /// The attribute.
        attribute: &'static str,
        /// What it holds, as shown.
        found: String,
    },
    /// No step leaves a version the item is at (a plan not checked).
    #[error("no migration from version {from}")]
    NoStep {
        /// The version without a step.
        from: u32,
    },
    /// A step refused the item.
    #[error("migration {step} ({from} -> {to}) failed:\n{errors}")]
    StepFailed {
        /// The version the step starts from.
        from: u32,
        /// The version it leads to.
        to: u32,
        /// The step's name.
        step: &'static str,
        /// Why, with paths.
        errors: Errors,
    },
}
