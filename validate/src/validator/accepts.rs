//! [`Validator::accepts`]: whether a value seen through a [`View`] passes
//! unchanged, without building a [`Value`](crate::Value). It is the
//! conservative twin of `check`: `true` only when `check` would pass and
//! leave the value as it is; `false` whenever that is not certain
//! (coercions, defaults to fill, extra keys to drop, rules of your own), so
//! callers fall back to `check` and its full error report.

use super::{MAX_NESTING, Step, TypeCheck, Validator};
use crate::path::PathNode;
use crate::schema::{Extra, Presence, Schema};
use crate::value::ValueType;
use crate::view::{Seen, View, nesting};

impl Validator {
    /// Whether `value`, read as a [`Value`](crate::Value), passes this
    /// validator unchanged. `false` means "not certain": run
    /// [`Validator::check`] for the verdict and the errors.
    ///
    /// ```
    /// use validate::{Value, str};
    /// assert!(str().length(1..=3).accepts(&Value::from("abc")));
    /// assert!(!str().length(1..=2).accepts(&Value::from("abc")));
    /// // Passes, but only after a change: not vouched for.
    /// assert!(!str().lower().accepts(&Value::from("abc")));
    /// ```
    pub fn accepts(&self, value: &dyn View) -> bool {
        self.accepts_at(value, &PathNode::ROOT)
    }

    /// [`Validator::accepts`] for a value found at `path` (nesting limits
    /// count from there).
    pub fn accepts_at(&self, value: &dyn View, path: &PathNode<'_>) -> bool {
        self.steps.iter().all(|step| step.accepts(value, path))
    }
}

impl Step {
    fn accepts(&self, value: &dyn View, path: &PathNode<'_>) -> bool {
        match self {
            Step::Type(ty, _) => ty.accepts(value, path),
            Step::Range(bounds) => value.number_seen().is_some_and(|n| bounds.contains(&n)),
            Step::Clamp(bounds) => value.number_seen().is_some_and(|n| bounds.clamped(n) == n),
            Step::Length(lengths) => match value.value_type_seen() {
                Some(ValueType::String) => value.str_seen().is_some_and(|s| lengths.fits_str(s)),
                Some(ValueType::Binary) => {
                    value.bytes_seen().is_some_and(|b| lengths.fits(b.len()))
                }
                Some(
                    ValueType::List
                    | ValueType::Map
                    | ValueType::StringSet
                    | ValueType::NumberSet
                    | ValueType::BinarySet,
                ) => lengths.fits(value.len_seen()),
                _ => false,
            },
            Step::Pattern(pattern) => value.str_seen().is_some_and(|s| pattern.is_match(s)),
            Step::Schema(schema) => schema.accepts(value, path),
            Step::ListOf(item) => {
                value.value_type_seen() == Some(ValueType::List)
                    && path.depth() <= MAX_NESTING
                    && all_indexed(value, path, item)
            }
            Step::SetOf(item) => {
                matches!(
                    value.value_type_seen(),
                    Some(ValueType::StringSet | ValueType::NumberSet | ValueType::BinarySet)
                ) && value.len_seen() > 0
                    && all_indexed(value, path, item)
            }
            Step::MapOf(key, item) => {
                value.value_type_seen() == Some(ValueType::Map)
                    && path.depth() <= MAX_NESTING
                    && value.all_entries(&mut |k, v| {
                        key.accepts_at(&Seen::Str(k), &path.key(k))
                            && item.accepts_at(v, &path.key(k))
                    })
            }
            Step::Rule(rule) => rule.accepts(value, path),
        }
    }
}

fn all_indexed(value: &dyn View, path: &PathNode<'_>, item: &Validator) -> bool {
    let mut i = 0;
    value.all_elements(&mut |e| {
        let ok = item.accepts_at(e, &path.index(i));
        i += 1;
        ok
    })
}

impl TypeCheck {
    /// A type check passes unchanged exactly when the type already fits
    /// (coercion only ever changes a value).
    fn accepts(self, value: &dyn View, path: &PathNode<'_>) -> bool {
        match (self, value.value_type_seen()) {
            (TypeCheck::Int, Some(ValueType::Number)) => {
                value.number_seen().is_some_and(|n| n.is_integer())
            }
            (TypeCheck::Number, Some(ValueType::Number)) => value.number_seen().is_some(),
            (TypeCheck::Str, Some(ValueType::String))
            | (TypeCheck::Bool, Some(ValueType::Bool))
            | (TypeCheck::Bytes, Some(ValueType::Binary))
            | (TypeCheck::Null, Some(ValueType::Null)) => true,
            (TypeCheck::Any, _) => readable_within(value, path),
            _ => false,
        }
    }
}

/// Readable as a `Value` and within DynamoDB's nesting limit at `path`.
fn readable_within(value: &dyn View, path: &PathNode<'_>) -> bool {
    nesting(value).is_some_and(|n| path.depth() + n.saturating_sub(1) <= MAX_NESTING)
}

impl Schema {
    /// [`Validator::accepts`] for a map checked by this schema: every key
    /// known (or kept, under [`Extra::Allow`]) and passing unchanged, every
    /// required and defaulted key present.
    pub(crate) fn accepts(&self, value: &dyn View, path: &PathNode<'_>) -> bool {
        if value.value_type_seen() != Some(ValueType::Map) || path.depth() > MAX_NESTING {
            return false;
        }
        let mut needed = 0;
        let all = value.all_entries(&mut |key, item| match self.get(key) {
            Some(field) => {
                if !matches!(field.presence(), Presence::Optional) {
                    needed += 1;
                }
                field.validator().accepts_at(item, &path.key(key))
            }
            None => self.extra_policy() == Extra::Allow && nesting(item).is_some(),
        });
        all && needed == self.needed_keys()
    }
}
