//! [`Validator`]: a pipeline of rules, each feeding its output to the next.
//!
//! Validators compose both ways: as functions (`all([int(), range(1..=4)])`)
//! and as chained builders (`int().range(1..=4)`). The common rules are enum
//! variants dispatched by `match`; everything else is a [`Rule`] object.

mod bounds;
mod collection;
mod combinator;
mod format;
mod plain;
mod scalar;
mod tagged;
mod text;

use std::sync::Arc;

use crate::error::Errors;
use crate::number::Number;
use crate::path::PathNode;
use crate::schema::Schema;
use crate::value::{Value, ValueType};

pub use bounds::{clamp, length, range};
pub use collection::{list_of, map_of, set_of};
pub use combinator::{
    Invalid, all, any, custom, is_false, is_true, literal, maybe, msg, not_one_of, one_of,
    transform,
};
pub use format::{email, url};
pub use scalar::{anything, bool, boolean, bytes, float, int, null, number, str};
pub use tagged::tagged;
pub use text::{capitalize, lower, matches, strip, sub, title, upper};

pub use bounds::{Bounds, IntoBounds, Lengths, ToBound};
pub use plain::{Plain, Text};
pub(crate) use scalar::TypeCheck;

/// What a validator requires of a number ([`Validator::number_rule`]).
#[derive(Clone, Debug)]
pub struct NumberRule {
    /// Whether the number must be an integer.
    pub integer: bool,
    /// Ranges it must be within, all of them.
    pub bounds: Vec<Bounds>,
}

impl NumberRule {
    /// Whether `n` keeps the rule.
    pub fn allows(&self, n: &Number) -> bool {
        (!self.integer || n.is_integer()) && self.bounds.iter().all(|b| b.contains(n))
    }
}

/// Marks a failed check; the reasons are in the [`Errors`] passed along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failed;

/// The result of one check.
pub type Outcome = Result<(), Failed>;

/// DynamoDB nests lists and maps at most 32 levels deep.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-attributes>
pub const MAX_NESTING: u32 = 32;

/// A validation rule of your own: checks (and may normalize) a value in place.
///
/// On failure, record at least one error with [`Errors::push`] at `path` (or
/// below it) and return `Err(Failed)`.
pub trait Rule: std::any::Any + Send + Sync {
    /// Checks `value`, normalizing it in place.
    ///
    /// # Errors
    /// `Failed` after recording why in `errors`.
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome;

    /// The type every value that passes has, when known (used by the mapper
    /// to pick key attribute types and to read absent sets back as empty).
    fn output_type(&self) -> Option<ValueType> {
        None
    }
}

#[derive(Clone)]
pub(crate) enum Step {
    Type(TypeCheck, bool),
    Range(Arc<Bounds>),
    Clamp(Bounds),
    Length(Lengths),
    Pattern(text::Pattern),
    Schema(Arc<Schema>),
    ListOf(Arc<Validator>),
    SetOf(Arc<Validator>),
    MapOf(Arc<Validator>, Arc<Validator>),
    Rule(Arc<dyn Rule>),
}

/// A composable validator: a pipeline of checks and normalizations.
#[derive(Clone)]
pub struct Validator {
    pub(crate) steps: Vec<Step>,
    /// The steps in plain terms, derived whenever they change.
    plain: Option<Arc<Plain>>,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Validator({} steps)", self.steps.len())
    }
}

impl Validator {
    pub(crate) fn step(step: Step) -> Validator {
        Validator::of_steps(vec![step])
    }

    pub(crate) fn of_steps(steps: Vec<Step>) -> Validator {
        let plain = Plain::of(&steps).map(Arc::new);
        Validator { steps, plain }
    }

    /// This validator in plain terms, when every step has them: what a
    /// value must be to pass unchanged, for a codec checking values as it
    /// writes or reads them. See [`Plain`].
    pub fn plain(&self) -> Option<&Plain> {
        self.plain.as_deref()
    }

    /// A validator from a [`Rule`] of your own.
    pub fn rule(rule: impl Rule) -> Validator {
        Validator::step(Step::Rule(Arc::new(rule)))
    }

    /// Runs `next` on this validator's output (like [`all`]).
    #[must_use]
    pub fn then(mut self, next: impl Into<Validator>) -> Validator {
        self.steps.extend(next.into().steps);
        Validator::of_steps(self.steps)
    }

    /// Checks `value` in place, recording every failure in `errors`.
    ///
    /// # Errors
    /// `Failed` if any rule failed; the reasons are in `errors`.
    #[inline]
    pub fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        for step in &self.steps {
            step.check(value, path, errors)?;
        }
        Ok(())
    }

    /// Whether every step only inspects strings (type, length, pattern), so
    /// set elements can be checked where they lie, without wrapping each
    /// one in a `Value` and back.
    fn checks_str_in_place(&self) -> bool {
        self.steps.iter().all(|s| {
            matches!(
                s,
                Step::Type(TypeCheck::Str, _)
                    | Step::Type(TypeCheck::Any, _)
                    | Step::Length(_)
                    | Step::Pattern(_)
            )
        })
    }

    /// [`Validator::check`] for a string, when [`Self::checks_str_in_place`].
    fn check_str(&self, s: &str, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        for step in &self.steps {
            match step {
                Step::Length(lengths) => lengths.check_str(s, path, errors)?,
                Step::Pattern(pattern) => text::check_str_pattern(pattern, s, path, errors)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Validates `value`, returning it normalized or every error found.
    ///
    /// # Errors
    /// [`Errors`] listing every failure with its path.
    pub fn validate(&self, mut value: Value) -> Result<Value, Errors> {
        let mut errors = Errors::new();
        match self.check(&mut value, &PathNode::ROOT, &mut errors) {
            Ok(()) => Ok(value),
            Err(Failed) => Err(errors),
        }
    }

    /// The type every passing value has, when the pipeline fixes it.
    pub fn output_type(&self) -> Option<ValueType> {
        self.steps.iter().rev().find_map(Step::output_type)
    }

    /// The schema this validator applies to maps, if it is (or ends in) one.
    pub fn schema(&self) -> Option<&Schema> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::Schema(schema) => Some(&**schema),
            _ => None,
        })
    }

    /// The element validator, if this validator is (or ends in) a `list_of`.
    pub fn list_element(&self) -> Option<&Validator> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::ListOf(element) => Some(&**element),
            _ => None,
        })
    }

    /// The element validator, if this validator is (or ends in) a `set_of`.
    pub fn set_element(&self) -> Option<&Validator> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::SetOf(element) => Some(&**element),
            _ => None,
        })
    }

    /// What this validator requires of a number, when that is all it
    /// does: a type check (integer or any number) and ranges, no
    /// normalization. For callers that change a stored number without
    /// seeing it (an update's arithmetic), which must keep the rule.
    ///
    /// ```
    /// use validate::{int, number, str};
    /// let rule = int().range(0..=100).number_rule().expect("a plain number rule");
    /// assert!(rule.integer && rule.bounds.len() == 1);
    /// assert!(number().number_rule().is_some_and(|r| !r.integer && r.bounds.is_empty()));
    /// assert!(int().clamp(0..=9).number_rule().is_none());
    /// assert!(str().number_rule().is_none());
    /// ```
    pub fn number_rule(&self) -> Option<NumberRule> {
        let mut rule = NumberRule {
            integer: false,
            bounds: Vec::new(),
        };
        let mut typed = false;
        for step in &self.steps {
            match step {
                Step::Type(TypeCheck::Int, _) => (typed, rule.integer) = (true, true),
                Step::Type(TypeCheck::Number, _) => typed = true,
                Step::Range(bounds) => rule.bounds.push((**bounds).clone()),
                _ => return None,
            }
        }
        typed.then_some(rule)
    }

    /// The lengths this validator allows a list or set, when it is a
    /// `list_of` or `set_of` with at most length rules after it (element
    /// rules are the element validator's). For callers that grow or
    /// shrink a stored collection without seeing it.
    pub fn collection_lengths(&self) -> Option<Lengths> {
        let mut lengths = Lengths::ANY;
        let (first, rest) = self.steps.split_first()?;
        if !matches!(first, Step::ListOf(_) | Step::SetOf(_)) {
            return None;
        }
        for step in rest {
            match step {
                Step::Length(l) if lengths.min() == 0 && lengths.max().is_none() => lengths = *l,
                _ => return None,
            }
        }
        Some(lengths)
    }

    /// Whether this validator starts with a `set_of`: a list it is given
    /// becomes a set (its elements checked, sorted and deduplicated) before
    /// any other step sees it.
    pub fn takes_lists_as_sets(&self) -> bool {
        matches!(self.steps.first(), Some(Step::SetOf(_)))
    }

    /// Makes the nearest preceding type check convert compatible values
    /// (`"42"` → 42 for `int()`, `7` → `"7"` for `str()`, `"yes"` → true for
    /// `bool()`) instead of rejecting them. The conversion is exact: `"1.5"`
    /// is not coerced to an integer.
    #[must_use]
    pub fn coerce(mut self) -> Validator {
        if let Some(Step::Type(_, coerce)) = self
            .steps
            .iter_mut()
            .rev()
            .find(|s| matches!(s, Step::Type(..)))
        {
            *coerce = true;
        }
        self
    }

    /// Requires a number within `bounds` (`1..=4`, `0.0..10.0`, `5..`).
    #[must_use]
    pub fn range<B: bounds::IntoBounds>(self, bounds: B) -> Validator {
        self.then(range(bounds))
    }

    /// Moves a number into `bounds` instead of failing.
    #[must_use]
    pub fn clamp<B: bounds::IntoBounds>(self, bounds: B) -> Validator {
        self.then(clamp(bounds))
    }

    /// Requires a length (characters of a string, bytes of binary, elements
    /// of a collection) within `bounds`.
    #[must_use]
    pub fn length(self, bounds: impl std::ops::RangeBounds<usize>) -> Validator {
        self.then(length(bounds))
    }

    /// Requires a string matching `pattern` (searched; anchor it with `^…$`).
    ///
    /// # Panics
    /// If `pattern` is not a valid regular expression (a programming error).
    #[must_use]
    pub fn matches(self, pattern: &str) -> Validator {
        self.then(matches(pattern))
    }

    /// Replaces every match of `pattern` with `replacement` (`$1` expands).
    ///
    /// # Panics
    /// If `pattern` is not a valid regular expression (a programming error).
    #[must_use]
    pub fn sub(self, pattern: &str, replacement: &str) -> Validator {
        self.then(sub(pattern, replacement))
    }

    /// Lower-cases a string.
    #[must_use]
    pub fn lower(self) -> Validator {
        self.then(lower())
    }

    /// Upper-cases a string.
    #[must_use]
    pub fn upper(self) -> Validator {
        self.then(upper())
    }

    /// Title-cases a string (`"doom map"` → `"Doom Map"`).
    #[must_use]
    pub fn title(self) -> Validator {
        self.then(title())
    }

    /// Capitalizes a string (`"doom MAP"` → `"Doom map"`).
    #[must_use]
    pub fn capitalize(self) -> Validator {
        self.then(capitalize())
    }

    /// Trims surrounding whitespace.
    #[must_use]
    pub fn strip(self) -> Validator {
        self.then(strip())
    }

    /// Requires one of `allowed`.
    #[must_use]
    pub fn one_of<V: Into<Value>>(self, allowed: impl IntoIterator<Item = V>) -> Validator {
        self.then(one_of(allowed))
    }

    /// Forbids every one of `forbidden`.
    #[must_use]
    pub fn not_one_of<V: Into<Value>>(self, forbidden: impl IntoIterator<Item = V>) -> Validator {
        self.then(not_one_of(forbidden))
    }

    /// Replaces the message of every error this validator reports.
    #[must_use]
    pub fn msg(self, message: impl Into<String>) -> Validator {
        msg(self, message)
    }

    /// Accepts what this validator or `other` accepts (like [`any`]).
    #[must_use]
    pub fn or(self, other: impl Into<Validator>) -> Validator {
        any([self, other.into()])
    }
}

impl From<Schema> for Validator {
    fn from(schema: Schema) -> Validator {
        Validator::step(Step::Schema(Arc::new(schema)))
    }
}

impl Step {
    #[inline]
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        match self {
            Step::Type(ty, coerce) => ty.check(*coerce, value, path, errors),
            Step::Range(bounds) => Bounds::check_range(bounds, value, path, errors),
            Step::Clamp(bounds) => bounds.clamp(value, path, errors),
            Step::Length(lengths) => lengths.check(value, path, errors),
            Step::Pattern(regex) => text::check_pattern(regex, value, path, errors),
            Step::Schema(schema) => schema.check(value, path, errors),
            Step::ListOf(item) => collection::check_list(item, value, path, errors),
            Step::SetOf(item) => collection::check_set(item, value, path, errors),
            Step::MapOf(key, item) => collection::check_map(key, item, value, path, errors),
            Step::Rule(rule) => rule.check(value, path, errors),
        }
    }

    fn output_type(&self) -> Option<ValueType> {
        match self {
            Step::Type(ty, _) => ty.output_type(),
            Step::Range(_) | Step::Clamp(_) => Some(ValueType::Number),
            Step::Schema(_) | Step::MapOf(..) => Some(ValueType::Map),
            Step::ListOf(_) => Some(ValueType::List),
            Step::SetOf(item) => Some(collection::set_type(item.output_type())),
            Step::Rule(rule) => rule.output_type(),
            Step::Length(_) | Step::Pattern(_) => None,
        }
    }
}

/// Records a type error: `expected an integer, got string "x"`.
pub(crate) fn type_error(
    expected: &str,
    value: &Value,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    errors.push(
        path,
        crate::ErrorKind::Type,
        format!("expected {expected}, got {}", value.described()),
    );
    Err(Failed)
}

/// Records a nesting error when a container at `path` would exceed DynamoDB's limit.
pub(crate) fn check_depth(extra: u32, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
    if path.depth() + extra > MAX_NESTING {
        errors.push(
            path,
            crate::ErrorKind::Depth,
            format!(
                "nesting of {} levels exceeds DynamoDB's limit of {MAX_NESTING}",
                path.depth() + extra
            ),
        );
        return Err(Failed);
    }
    Ok(())
}
