//! [`Plain`]: a validator in plain terms, for codecs that hold values in
//! another form and check them as they write or read them, in a few
//! instructions.
//!
//! Most validators of a model are simple (`int().range(0..)`,
//! `str().length(1..=64)`, `set_of(str())`, a nested [`Schema`]); for
//! those, [`Validator::plain`] says what they require as data, and the
//! codec checks its own representation against it directly: an integer
//! range against the `i64` it parsed, a length against the string it
//! holds.
//!
//! A `Plain` is derived once, when the validator is built, and only for
//! pipelines whose every step is understood here; every other validator
//! has none, and codecs run [`Validator::check`] on the value as a
//! [`Value`](crate::Value).

use std::any::Any;
use std::sync::Arc;

use super::combinator::OneOf;
use super::text::Pattern;
use super::{Lengths, Step, TypeCheck, Validator};
use crate::schema::{Extra, Schema};

/// What a validator requires of a value it passes unchanged, in plain
/// terms; see [`Validator::plain`].
///
/// A value fits its `Plain` exactly when [`Validator::check`] passes it
/// unchanged, except that an integer outside `i64` is left to `check`
/// (the `Int` bounds are `i64`s).
///
/// ```
/// use validate::plain::Plain;
/// use validate::{int, set_of, str};
///
/// let small = int().range(1..=4);
/// assert!(matches!(small.plain(), Some(Plain::Int { min: 1, max: 4 })));
/// let short = str().length(1..=3);
/// let Some(Plain::Str(text)) = short.plain() else { panic!("a plain string check") };
/// assert!(text.fits("abc") && !text.fits("abcd"));
/// assert!(matches!(set_of(str()).plain(), Some(Plain::Set(..))));
/// // Normalizing rules have no plain form.
/// assert!(str().lower().plain().is_none());
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Plain {
    /// A string passing the [`Text`] checks.
    Str(Text),
    /// An integer from `min` to `max`, both included.
    Int {
        /// The smallest integer accepted.
        min: i64,
        /// The largest integer accepted.
        max: i64,
    },
    /// Any number.
    Number,
    /// A boolean.
    Bool,
    /// Null.
    Null,
    /// Binary whose length in bytes fits.
    Bytes(Lengths),
    /// A list whose length fits and whose every element the validator
    /// accepts (the list at most [`MAX_NESTING`](crate::MAX_NESTING) deep).
    List(Lengths, Arc<Validator>),
    /// A non-empty string, number or binary set whose size fits and whose
    /// every element the validator accepts.
    Set(Lengths, Arc<Validator>),
    /// A map this schema accepts: every key known, every key it needs
    /// present, every value accepted by its field's validator, the map at
    /// most [`MAX_NESTING`](crate::MAX_NESTING) deep. Never a schema that
    /// keeps extra keys ([`Extra::Allow`]).
    Map(Arc<Schema>),
}

/// The checks a [`Plain::Str`] makes of a string.
#[derive(Clone, Debug)]
pub struct Text {
    length: Lengths,
    one_of: Option<Arc<[String]>>,
    patterns: Vec<Pattern>,
}

impl Text {
    /// Whether `s` passes: its length in characters fits, it is one of the
    /// allowed strings (if listed) and it matches every pattern.
    #[inline]
    pub fn fits(&self, s: &str) -> bool {
        self.length.fits_str(s)
            && self
                .one_of
                .as_deref()
                .is_none_or(|allowed| allowed.iter().any(|a| a == s))
            && self.patterns.iter().all(|p| p.is_match(s))
    }

    /// Whether every string fits: no length, list or pattern to check.
    pub fn is_any(&self) -> bool {
        self.length.min() == 0
            && self.length.max().is_none()
            && self.one_of.is_none()
            && self.patterns.is_empty()
    }
}

/// What the steps seen so far require; `None` once a step is not
/// understood or two steps disagree on the type.
#[derive(Default)]
struct Draft {
    kind: Option<Kind>,
    min: i64,
    max: i64,
    length: Option<Lengths>,
    one_of: Option<Arc<[String]>>,
    patterns: Vec<Pattern>,
}

#[derive(Clone)]
enum Kind {
    /// A scalar type, as its type check names it (never `Any`).
    Scalar(TypeCheck),
    List(Arc<Validator>),
    Set(Arc<Validator>),
    Map(Arc<Schema>),
}

impl Plain {
    /// The plain form of a pipeline, when every step has one. The steps
    /// of `check` all see the same unchanged value, so their order does
    /// not matter: the plain form is their conjunction.
    pub(super) fn of(steps: &[Step]) -> Option<Plain> {
        let mut draft = Draft {
            min: i64::MIN,
            max: i64::MAX,
            ..Draft::default()
        };
        for step in steps {
            draft.add(step)?;
        }
        draft.finish()
    }
}

/// The kind a pattern or a list of allowed strings requires.
const STR: Kind = Kind::Scalar(TypeCheck::Str);

impl Draft {
    fn add(&mut self, step: &Step) -> Option<()> {
        match step {
            Step::Type(TypeCheck::Any, _) => None,
            Step::Type(ty, _) => self.kind(Kind::Scalar(*ty)),
            Step::Range(bounds) => {
                let (min, max) = bounds.i64_span()?;
                self.min = self.min.max(min);
                self.max = self.max.min(max);
                Some(())
            }
            Step::Length(lengths) => {
                if self.length.is_some() {
                    return None;
                }
                self.length = Some(*lengths);
                Some(())
            }
            Step::Pattern(pattern) => {
                self.patterns.push(pattern.clone());
                self.kind(STR)
            }
            Step::Schema(schema) if schema.extra_policy() != Extra::Allow => {
                self.kind(Kind::Map(Arc::clone(schema)))
            }
            Step::ListOf(item) => self.kind(Kind::List(Arc::clone(item))),
            Step::SetOf(item) => self.kind(Kind::Set(Arc::clone(item))),
            Step::Rule(rule) => {
                let one_of = (&**rule as &dyn Any).downcast_ref::<OneOf>()?;
                let allowed = one_of.allowed_strings()?;
                if self.one_of.is_some() {
                    return None;
                }
                self.one_of = Some(allowed);
                self.kind(STR)
            }
            Step::Schema(_) | Step::Clamp(_) | Step::MapOf(..) => None,
        }
    }

    /// Records the type a step requires: an integer is a number; any other
    /// pair of different types can pass nothing, which is left to `check`.
    fn kind(&mut self, kind: Kind) -> Option<()> {
        use TypeCheck::{Int, Number, Str};
        self.kind = match (self.kind.take(), kind) {
            (None, k) => Some(k),
            (Some(Kind::Scalar(Int)), Kind::Scalar(Int | Number))
            | (Some(Kind::Scalar(Number)), Kind::Scalar(Int)) => Some(Kind::Scalar(Int)),
            (Some(Kind::Scalar(a)), Kind::Scalar(b)) if a == b && matches!(a, Number | Str) => {
                Some(Kind::Scalar(a))
            }
            _ => return None,
        };
        Some(())
    }

    fn finish(self) -> Option<Plain> {
        let any = Lengths::ANY;
        let length = self.length;
        // Bounds on numbers that may have fractions are for `check`.
        let int = matches!(self.kind, Some(Kind::Scalar(TypeCheck::Int)));
        if !int && (self.min, self.max) != (i64::MIN, i64::MAX) {
            return None;
        }
        Some(match self.kind? {
            Kind::Scalar(TypeCheck::Str) => Plain::Str(Text {
                length: length.unwrap_or(any),
                one_of: self.one_of,
                patterns: self.patterns,
            }),
            Kind::Scalar(TypeCheck::Int) if length.is_none() => Plain::Int {
                min: self.min,
                max: self.max,
            },
            Kind::Scalar(TypeCheck::Number) if length.is_none() => Plain::Number,
            Kind::Scalar(TypeCheck::Bool) if length.is_none() => Plain::Bool,
            Kind::Scalar(TypeCheck::Null) if length.is_none() => Plain::Null,
            Kind::Scalar(TypeCheck::Bytes) => Plain::Bytes(length.unwrap_or(any)),
            Kind::List(item) => Plain::List(length.unwrap_or(any), item),
            Kind::Set(item) => Plain::Set(length.unwrap_or(any), item),
            Kind::Map(schema) if length.is_none() => Plain::Map(schema),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Extra, custom, float, int, list_of, literal, map_of, matches, not_one_of, number, range,
        set_of, str,
    };

    fn int_span(v: &Validator) -> Option<(i64, i64)> {
        match v.plain() {
            Some(Plain::Int { min, max }) => Some((*min, *max)),
            _ => None,
        }
    }

    #[test]
    fn integer_ranges_become_inclusive_i64_spans() {
        assert_eq!(int_span(&int()), Some((i64::MIN, i64::MAX)));
        assert_eq!(int_span(&int().range(0..)), Some((0, i64::MAX)));
        assert_eq!(int_span(&int().range(1..5)), Some((1, 4)));
        assert_eq!(int_span(&int().range(-3..=3).range(0..10)), Some((0, 3)));
        assert_eq!(int_span(&range(2..=4).then(int())), Some((2, 4)));
        assert_eq!(
            int_span(&int().range(..="1e30".parse::<crate::Number>().expect("a number"))),
            Some((i64::MIN, i64::MAX))
        );
        // A range on numbers that may have fractions, or with a fractional
        // bound, is left to `check`.
        assert!(int().range(0.5..).plain().is_none());
        assert!(number().range(0..=10).plain().is_none());
        assert!(range(1..=4).plain().is_none());
        assert!(int().clamp(0..=1).plain().is_none());
    }

    #[test]
    fn strings_keep_every_check() {
        let v = str()
            .length(1..=3)
            .one_of(["ab", "abcd", "é"])
            .matches("^a");
        let Some(Plain::Str(text)) = v.plain() else {
            panic!("a plain string check, got {:?}", v.plain());
        };
        assert!(text.fits("ab"));
        assert!(!text.fits("abcd"), "too long although listed");
        assert!(!text.fits("é"), "listed but does not match");
        assert!(!text.fits("a"), "matches but is not listed");
        assert!(matches!(matches("x").plain(), Some(Plain::Str(_))));
        // Lengths count characters, not bytes.
        let two = str().length(2..=2);
        let Some(Plain::Str(text)) = two.plain() else {
            panic!("a plain string check");
        };
        for (s, fits) in [
            ("ab", true),
            ("éé", true),
            ("日本", true),
            ("é", false),
            ("a日本", false),
        ] {
            assert_eq!(text.fits(s), fits, "{s:?}");
        }
        assert!(matches!(literal("x").plain(), Some(Plain::Str(_))));
    }

    #[test]
    fn what_is_not_plain_has_no_plain_form() {
        assert!(str().lower().plain().is_none());
        assert!(str().one_of(["a"]).one_of(["b"]).plain().is_none());
        assert!(not_one_of(["a"]).plain().is_none());
        assert!(literal(5).plain().is_none());
        assert!(int().then(str()).plain().is_none());
        assert!(int().length(1..2).plain().is_none());
        assert!(map_of(str(), int()).plain().is_none());
        assert!(crate::anything().plain().is_none());
        assert!(custom(|_| Ok::<(), &str>(())).plain().is_none());
        let keeps = Schema::new().required("a", int()).extra(Extra::Allow);
        assert!(Validator::from(keeps).plain().is_none());
    }

    #[test]
    fn collections_name_their_element_validators() {
        let short = list_of(int()).length(1..=2);
        let Some(Plain::List(length, item)) = short.plain() else {
            panic!("a plain list");
        };
        assert!(length.fits(2) && !length.fits(3) && !length.fits(0));
        assert!(matches!(item.plain(), Some(Plain::Int { .. })));
        assert!(matches!(set_of(float()).plain(), Some(Plain::Set(..))));
        let forbids = Schema::new().required("a", int());
        assert!(matches!(
            Validator::from(forbids).plain(),
            Some(Plain::Map(_))
        ));
    }
}
