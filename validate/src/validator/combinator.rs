//! Combinators (`all`, `any`, `maybe`, `msg`), membership (`one_of`,
//! `literal`, `not_one_of`), truth checks and your own rules (`custom`,
//! `transform`).

use std::borrow::Cow;
use std::sync::Arc;

use super::{Failed, Outcome, Rule, Validator};
use crate::error::{ErrorKind, Errors, Message, truncate};
use crate::path::PathNode;
use crate::value::{Value, ValueType};

/// Runs every validator in turn, each on the previous one's output; stops at
/// the first failure.
pub fn all(validators: impl IntoIterator<Item = Validator>) -> Validator {
    let mut validators = validators.into_iter();
    let first = validators.next().unwrap_or_else(super::anything);
    validators.fold(first, Validator::then)
}

struct Any(Vec<Validator>);

impl Rule for Any {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let mark = errors.len();
        let mut reasons = Vec::with_capacity(self.0.len());
        for alternative in &self.0 {
            let mut candidate = value.clone();
            if alternative.check(&mut candidate, path, errors).is_ok() {
                errors.truncate(mark);
                *value = candidate;
                return Ok(());
            }
            if let Some(first) = errors.iter().nth(mark) {
                reasons.push(first.message.to_string());
            }
            errors.truncate(mark);
        }
        errors.push(
            path,
            ErrorKind::NoneMatched,
            format!("no alternative matched: {}", reasons.join("; ")),
        );
        Err(Failed)
    }

    fn output_type(&self) -> Option<ValueType> {
        let mut types = self.0.iter().map(Validator::output_type);
        let first = types.next()??;
        types.all(|t| t == Some(first)).then_some(first)
    }
}

/// Accepts the output of the first validator that passes. When none does,
/// one `NoneMatched` error lists each alternative's reason.
pub fn any(validators: impl IntoIterator<Item = Validator>) -> Validator {
    Validator::rule(Any(validators.into_iter().collect()))
}

struct Maybe(Validator);

impl Rule for Maybe {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        if value.is_null() {
            return Ok(());
        }
        self.0.check(value, path, errors)
    }
}

/// Null, or a value that passes `validator`.
pub fn maybe(validator: impl Into<Validator>) -> Validator {
    Validator::rule(Maybe(validator.into()))
}

struct Msg(Validator, Arc<str>);

impl Rule for Msg {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let mark = errors.len();
        let outcome = self.0.check(value, path, errors);
        for violation in errors.since_mut(mark) {
            violation.message = Message::shared(Arc::clone(&self.1));
        }
        outcome
    }

    fn output_type(&self) -> Option<ValueType> {
        self.0.output_type()
    }
}

/// `validator`, with `message` replacing the message of every error it
/// reports (kinds and paths are kept).
pub fn msg(validator: impl Into<Validator>, message: impl Into<String>) -> Validator {
    Validator::rule(Msg(validator.into(), Arc::from(message.into())))
}

pub(super) struct OneOf {
    values: Vec<Value>,
    allowed: bool,
}

impl OneOf {
    /// The allowed values, when this rule allows (not forbids) and every
    /// value is a string (what [`Plain`](super::Plain) can say of it).
    pub(super) fn allowed_strings(&self) -> Option<Arc<[String]>> {
        if !self.allowed {
            return None;
        }
        self.values
            .iter()
            .map(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// The values, each whole (one cut only when it is itself long), the
    /// first [`LISTED`] of them: they come from the schema, and a message
    /// that cuts the list hides the one value the reader looks for.
    fn listed(&self) -> String {
        let mut all: Vec<String> = self
            .values
            .iter()
            .take(LISTED)
            .map(|v| truncate(&v.to_string()))
            .collect();
        if self.values.len() > LISTED {
            all.push(format!("and {} more", self.values.len() - LISTED));
        }
        all.join(", ")
    }
}

/// How many of a `one_of` list's values an error message lists.
const LISTED: usize = 20;

impl Rule for OneOf {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let found = self.values.contains(value);
        if found == self.allowed {
            return Ok(());
        }
        let (kind, rule) = if self.allowed {
            (ErrorKind::NotOneOf, "is not one of")
        } else {
            (ErrorKind::OneOf, "is one of the forbidden")
        };
        errors.push(
            path,
            kind,
            format!("{} {rule} [{}]", value.shown(), self.listed()),
        );
        Err(Failed)
    }

    fn output_type(&self) -> Option<ValueType> {
        let first = self.values.first()?.value_type();
        (self.allowed && self.values.iter().all(|v| v.value_type() == first)).then_some(first)
    }
}

/// Requires a value equal to one of `allowed`.
pub fn one_of<V: Into<Value>>(allowed: impl IntoIterator<Item = V>) -> Validator {
    Validator::rule(OneOf {
        values: allowed.into_iter().map(Into::into).collect(),
        allowed: true,
    })
}

/// Requires a value equal to `expected`.
pub fn literal(expected: impl Into<Value>) -> Validator {
    one_of([expected.into()])
}

/// Requires a value equal to none of `forbidden`.
pub fn not_one_of<V: Into<Value>>(forbidden: impl IntoIterator<Item = V>) -> Validator {
    Validator::rule(OneOf {
        values: forbidden.into_iter().map(Into::into).collect(),
        allowed: false,
    })
}

struct Truth(bool);

impl Rule for Truth {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        if value.is_truthy() == self.0 {
            return Ok(());
        }
        errors.push(
            path,
            ErrorKind::Truth,
            format!(
                "{} is not {}",
                value.shown(),
                if self.0 { "true" } else { "false" }
            ),
        );
        Err(Failed)
    }
}

/// Requires a truthy value: not null, false, zero or empty.
pub fn is_true() -> Validator {
    Validator::rule(Truth(true))
}

/// Requires a falsy value: null, false, zero or empty.
pub fn is_false() -> Validator {
    Validator::rule(Truth(false))
}

/// Why a [`custom`] or [`transform`] rule refused a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    code: Cow<'static, str>,
    message: String,
}

impl Invalid {
    /// A refusal with the code `custom`.
    pub fn new(message: impl Into<String>) -> Invalid {
        Invalid {
            code: Cow::Borrowed("custom"),
            message: message.into(),
        }
    }

    /// A refusal with a machine-readable code of yours (see [`ErrorKind::Custom`]).
    pub fn with_code(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Invalid {
        Invalid {
            code: code.into(),
            message: message.into(),
        }
    }

    fn record(self, path: &PathNode<'_>, errors: &mut Errors) -> Failed {
        errors.push(path, ErrorKind::Custom(self.code), self.message);
        Failed
    }
}

impl From<String> for Invalid {
    fn from(message: String) -> Invalid {
        Invalid::new(message)
    }
}

impl From<&str> for Invalid {
    fn from(message: &str) -> Invalid {
        Invalid::new(message)
    }
}

struct Custom<F>(F);

impl<F, E> Rule for Custom<F>
where
    F: Fn(&Value) -> Result<(), E> + Send + Sync + 'static,
    E: Into<Invalid>,
{
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        (self.0)(value).map_err(|e| e.into().record(path, errors))
    }
}

/// A check of your own: `Err` becomes an error of kind
/// [`ErrorKind::Custom`] at the value's path.
///
/// ```
/// use validate::{custom, int, Invalid, Value};
/// let even = int().then(custom(|v: &Value| match v.as_i64() {
///     Some(n) if n % 2 == 0 => Ok(()),
///     _ => Err(Invalid::with_code("even", "must be even")),
/// }));
/// assert!(even.validate(Value::from(4)).is_ok());
/// assert_eq!(even.validate(Value::from(3)).unwrap_err().to_string(), "(root): must be even");
/// ```
pub fn custom<F, E>(check: F) -> Validator
where
    F: Fn(&Value) -> Result<(), E> + Send + Sync + 'static,
    E: Into<Invalid>,
{
    Validator::rule(Custom(check))
}

struct Transform<F>(F);

impl<F, E> Rule for Transform<F>
where
    F: Fn(Value) -> Result<Value, E> + Send + Sync + 'static,
    E: Into<Invalid>,
{
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let converted = (self.0)(value.clone()).map_err(|e| e.into().record(path, errors))?;
        *value = converted;
        Ok(())
    }
}

/// A normalization of your own: the closure's output replaces the value.
pub fn transform<F, E>(convert: F) -> Validator
where
    F: Fn(Value) -> Result<Value, E> + Send + Sync + 'static,
    E: Into<Invalid>,
{
    Validator::rule(Transform(convert))
}
