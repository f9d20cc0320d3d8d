//! The crate's [`Error`], and [`Errors`]: every validation failure with its path.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::number::Number;
use crate::validator::Bounds;

use crate::path::{Path, PathNode};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A number outside DynamoDB's rules, or one that does not fit the target type.
    #[error("number {input} {problem}")]
    Number {
        /// The offending input, as text.
        input: String,
        /// What is wrong with it.
        problem: NumberProblem,
    },
    /// A value did not pass validation.
    #[error("{0}")]
    Invalid(Errors),
    /// A value could not be converted to or from a Rust type.
    #[error("{path}: {message}")]
    Convert {
        /// Where in the value.
        path: Path,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn number(input: impl fmt::Display, problem: NumberProblem) -> Error {
        Error::Number {
            input: truncate(&input.to_string()),
            problem,
        }
    }

    /// The validation errors, if this is [`Error::Invalid`].
    pub fn errors(&self) -> Option<&Errors> {
        match self {
            Error::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl From<Errors> for Error {
    fn from(errors: Errors) -> Error {
        Error::Invalid(errors)
    }
}

/// Why a number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberProblem {
    /// Not decimal or scientific notation.
    #[error("is not a number")]
    Syntax,
    /// More than 38 significant digits.
    #[error("has more than 38 significant digits")]
    Precision,
    /// Outside 1E-130 ..= 9.99…E+125 in magnitude.
    #[error("is outside DynamoDB's range 1E-130 to 9.99E+125")]
    Magnitude,
    /// NaN or infinite.
    #[error("is not finite")]
    NotFinite,
    /// Has a fractional part where an integer is needed.
    #[error("is not an integer")]
    NotInteger,
    /// Does not fit the named integer type.
    #[error("does not fit {0}")]
    Overflow(&'static str),
    /// Cannot be represented exactly by the named float type.
    #[error("cannot be represented exactly as {0}")]
    Inexact(&'static str),
}

/// What rule a [`Violation`] broke: machine-readable, stable across message wording.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A required key is absent.
    Required,
    /// A key the schema does not know, under the forbid policy.
    ExtraKey,
    /// The value has the wrong type.
    Type,
    /// A number outside a range (or outside DynamoDB's number limits).
    Range,
    /// A string, binary or collection of the wrong length.
    Length,
    /// A string that does not match a pattern.
    Pattern,
    /// A value not among the allowed ones.
    NotOneOf,
    /// A value among the forbidden ones.
    OneOf,
    /// A malformed value of a known format (URL, email, datetime, boolean).
    Format,
    /// A set that DynamoDB could not store (empty where it cannot be omitted,
    /// or elements of mixed types).
    Set,
    /// Nesting deeper than DynamoDB's 32 levels.
    Depth,
    /// A value that failed [`is_true`](crate::is_true) / [`is_false`](crate::is_false).
    Truth,
    /// No alternative of an [`any`](crate::any) passed.
    NoneMatched,
    /// A rule of the user's, with the code it gave.
    Custom(Cow<'static, str>),
}

impl ErrorKind {
    /// A short stable name: `required`, `type`, …, or the custom code.
    pub fn code(&self) -> &str {
        match self {
            ErrorKind::Required => "required",
            ErrorKind::ExtraKey => "extra_key",
            ErrorKind::Type => "type",
            ErrorKind::Range => "range",
            ErrorKind::Length => "length",
            ErrorKind::Pattern => "pattern",
            ErrorKind::NotOneOf => "not_one_of",
            ErrorKind::OneOf => "one_of",
            ErrorKind::Format => "format",
            ErrorKind::Set => "set",
            ErrorKind::Depth => "depth",
            ErrorKind::Truth => "truth",
            ErrorKind::NoneMatched => "none_matched",
            ErrorKind::Custom(code) => code,
        }
    }
}

/// One failure: where, which rule, and a message naming the rule and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where in the value.
    pub path: Path,
    /// Which rule.
    pub kind: ErrorKind,
    /// Human-readable explanation, naming the rule and the offending value.
    pub message: Message,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The message of a [`Violation`]. Common messages keep their parts and are
/// rendered when displayed, so recording an error costs no formatting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message(Repr);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Repr {
    Static(&'static str),
    Owned(String),
    Shared(Arc<str>),
    OutOfRange { value: Number, bounds: Arc<Bounds> },
    NoMatch { value: String, pattern: Arc<str> },
}

impl Message {
    pub(crate) fn shared(text: Arc<str>) -> Message {
        Message(Repr::Shared(text))
    }

    pub(crate) fn out_of_range(value: Number, bounds: &Arc<Bounds>) -> Message {
        Message(Repr::OutOfRange {
            value,
            bounds: Arc::clone(bounds),
        })
    }

    pub(crate) fn no_match(value: &str, pattern: &Arc<str>) -> Message {
        // Keep only what the display shows.
        let kept = value
            .char_indices()
            .nth(SHOWN_VALUE_CHARS)
            .map_or(value, |(at, _)| &value[..at]);
        Message(Repr::NoMatch {
            value: kept.to_owned(),
            pattern: Arc::clone(pattern),
        })
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Static(text) => f.write_str(text),
            Repr::Owned(text) => f.write_str(text),
            Repr::Shared(text) => f.write_str(text),
            Repr::OutOfRange { value, bounds } => write!(f, "{value} is out of range {bounds}"),
            Repr::NoMatch { value, pattern } => {
                write!(f, "{} does not match {pattern}", Shown::str(value))
            }
        }
    }
}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        match &self.0 {
            Repr::Static(text) => *text == other,
            Repr::Owned(text) => text == other,
            Repr::Shared(text) => &**text == other,
            _ => self.to_string().as_str() == other,
        }
    }
}

impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl From<&'static str> for Message {
    fn from(text: &'static str) -> Message {
        Message(Repr::Static(text))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message(Repr::Owned(text))
    }
}

/// Every failure of one validation, in the order found. `Display` prints one
/// `path: message` per line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errors(Vec<Violation>);

impl Errors {
    /// No errors yet.
    pub fn new() -> Errors {
        Errors(Vec::new())
    }

    /// Records a failure at `path`.
    pub fn push(&mut self, path: &PathNode<'_>, kind: ErrorKind, message: impl Into<Message>) {
        self.0.push(Violation {
            path: path.to_path(),
            kind,
            message: message.into(),
        });
    }

    /// Records an already built violation.
    pub fn push_violation(&mut self, violation: Violation) {
        self.0.push(violation);
    }

    /// How many failures.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The failures in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }

    /// The failures at `prefix` or below it.
    pub fn under<'a>(&'a self, prefix: &'a Path) -> impl Iterator<Item = &'a Violation> + 'a {
        self.0.iter().filter(move |v| v.path.starts_with(prefix))
    }

    /// The failures whose path prints as `path` exactly.
    pub fn at<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Violation> + 'a {
        self.0.iter().filter(move |v| v.path.to_string() == path)
    }

    /// Prepends `prefix` to every path (for errors of a nested validation).
    pub fn prefixed(self, prefix: &Path) -> Errors {
        Errors(
            self.0
                .into_iter()
                .map(|v| Violation {
                    path: v.path.prefixed(prefix),
                    ..v
                })
                .collect(),
        )
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    pub(crate) fn since_mut(&mut self, mark: usize) -> &mut [Violation] {
        &mut self.0[mark..]
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

impl IntoIterator for Errors {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Errors {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Longest rendering of an offending value kept in a message.
pub(crate) const SHOWN_VALUE_CHARS: usize = 40;

/// A value or string rendered for a message, cut after
/// [`SHOWN_VALUE_CHARS`] characters, written straight into the formatter.
pub(crate) enum Shown<'a> {
    Value(&'a crate::Value),
    Str(&'a str),
}

impl<'a> Shown<'a> {
    pub(crate) fn str(s: &'a str) -> Shown<'a> {
        Shown::Str(s)
    }
}

/// Passes at most `left` characters through, then writes `…` and stops the
/// rendering early with an error that [`Shown`] swallows.
struct Limit<'a, 'b> {
    out: &'a mut fmt::Formatter<'b>,
    left: usize,
    cut: bool,
}

impl fmt::Write for Limit<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match s.char_indices().nth(self.left) {
            None => {
                self.left -= s.chars().count();
                self.out.write_str(s)
            }
            Some((at, _)) => {
                self.out.write_str(&s[..at])?;
                self.out.write_str("…")?;
                self.cut = true;
                Err(fmt::Error)
            }
        }
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut limit = Limit {
            out: f,
            left: SHOWN_VALUE_CHARS,
            cut: false,
        };
        let written = match self {
            Shown::Value(v) => fmt::write(&mut limit, format_args!("{v}")),
            Shown::Str(s) => fmt::write(&mut limit, format_args!("{s:?}")),
        };
        if limit.cut { Ok(()) } else { written }
    }
}

/// Cuts long renderings so one huge attribute does not flood the message.
pub(crate) fn truncate(shown: &str) -> String {
    match shown.char_indices().nth(SHOWN_VALUE_CHARS) {
        None => shown.to_owned(),
        Some((cut, _)) => format!("{}…", &shown[..cut]),
    }
}
