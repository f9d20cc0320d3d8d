//! Number ranges (`range`, `clamp`) and lengths (`length`).

use std::fmt;
use std::ops::{
    Bound, Range, RangeBounds, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive,
};
use std::sync::Arc;

use super::{Failed, Outcome, Step, Validator, type_error};
use crate::error::{ErrorKind, Errors, Message};
use crate::number::Number;
use crate::path::PathNode;
use crate::value::Value;

/// A number usable as a range bound: any integer, `f32`/`f64`, or [`Number`].
pub trait ToBound: Copy {
    /// The bound as an exact number.
    ///
    /// # Panics
    /// For a NaN, infinite or out-of-range float: bounds are written by the
    /// programmer, so this is a programming error.
    fn to_bound(self) -> Number;
}

macro_rules! int_bound {
    ($($t:ty),*) => {$(
        impl ToBound for $t {
            fn to_bound(self) -> Number {
                Number::from(self)
            }
        }
    )*};
}
int_bound!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl ToBound for f64 {
    fn to_bound(self) -> Number {
        match Number::try_from(self) {
            Ok(n) => n,
            Err(e) => panic!("invalid range bound: {e}"),
        }
    }
}

impl ToBound for f32 {
    fn to_bound(self) -> Number {
        f64::from(self).to_bound()
    }
}

impl ToBound for Number {
    fn to_bound(self) -> Number {
        self
    }
}

/// A Rust range of numbers: `1..=4`, `0.0..10.0`, `5..`, `..=9`, `..`.
pub trait IntoBounds {
    /// Converts into the internal bounds.
    #[doc(hidden)]
    fn into_bounds(self) -> Bounds;
}

fn bound<T: ToBound>(b: Bound<&T>) -> Bound<Number> {
    match b {
        Bound::Included(v) => Bound::Included(v.to_bound()),
        Bound::Excluded(v) => Bound::Excluded(v.to_bound()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

macro_rules! into_bounds {
    ($($r:ident),*) => {$(
        impl<T: ToBound> IntoBounds for $r<T> {
            fn into_bounds(self) -> Bounds {
                Bounds { low: bound(self.start_bound()), high: bound(self.end_bound()) }
            }
        }
    )*};
}
into_bounds!(Range, RangeInclusive, RangeFrom, RangeTo, RangeToInclusive);

impl IntoBounds for RangeFull {
    fn into_bounds(self) -> Bounds {
        Bounds {
            low: Bound::Unbounded,
            high: Bound::Unbounded,
        }
    }
}

/// Lower and upper bounds on a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bounds {
    low: Bound<Number>,
    high: Bound<Number>,
}

impl Bounds {
    /// The lower bound.
    pub fn low(&self) -> Bound<&Number> {
        self.low.as_ref()
    }

    /// The upper bound.
    pub fn high(&self) -> Bound<&Number> {
        self.high.as_ref()
    }

    /// Whether `n` is within these bounds.
    pub fn contains(&self, n: &Number) -> bool {
        (match &self.low {
            Bound::Included(l) => n >= l,
            Bound::Excluded(l) => n > l,
            Bound::Unbounded => true,
        }) && (match &self.high {
            Bound::Included(h) => n <= h,
            Bound::Excluded(h) => n < h,
            Bound::Unbounded => true,
        })
    }

    /// `n` moved into these bounds.
    pub(crate) fn clamped(&self, n: Number) -> Number {
        let edge = |b: &Bound<Number>| match b {
            Bound::Included(v) | Bound::Excluded(v) => Some(*v),
            Bound::Unbounded => None,
        };
        n.clamp_to(edge(&self.low), edge(&self.high))
    }

    /// The `i64`s within these bounds, as `(min, max)` (empty when
    /// `min > max`); `None` when a bound is not an integer.
    pub(crate) fn i64_span(&self) -> Option<(i64, i64)> {
        // A bound past the `i64`s keeps them all, or none.
        let whole = |n: &Number| match n.as_i64() {
            Some(i) => Some(i128::from(i)),
            None if n.is_integer() => Some(if n.is_negative() {
                i128::MIN
            } else {
                i128::MAX
            }),
            None => None,
        };
        let low = match &self.low {
            Bound::Included(l) => whole(l)?,
            Bound::Excluded(l) => whole(l)?.saturating_add(1),
            Bound::Unbounded => i128::MIN,
        };
        let high = match &self.high {
            Bound::Included(h) => whole(h)?,
            Bound::Excluded(h) => whole(h)?.saturating_sub(1),
            Bound::Unbounded => i128::MAX,
        };
        let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
        Some((clamp(low), clamp(high)))
    }

    #[inline]
    pub(crate) fn check_range(
        this: &Arc<Bounds>,
        value: &mut Value,
        path: &PathNode<'_>,
        errors: &mut Errors,
    ) -> Outcome {
        let Value::Number(n) = value else {
            return type_error("a number", value, path, errors);
        };
        if this.contains(n) {
            return Ok(());
        }
        errors.push(path, ErrorKind::Range, Message::out_of_range(*n, this));
        Err(Failed)
    }

    pub(crate) fn clamp(
        &self,
        value: &mut Value,
        path: &PathNode<'_>,
        errors: &mut Errors,
    ) -> Outcome {
        let Value::Number(n) = value else {
            return type_error("a number", value, path, errors);
        };
        *n = self.clamped(*n);
        Ok(())
    }
}

impl fmt::Display for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Bound::Included(l) | Bound::Excluded(l) = &self.low {
            write!(f, "{l}")?;
        }
        match &self.low {
            Bound::Excluded(_) => f.write_str("<..")?,
            _ => f.write_str("..")?,
        }
        match &self.high {
            Bound::Included(h) => write!(f, "={h}"),
            Bound::Excluded(h) => write!(f, "{h}"),
            Bound::Unbounded => Ok(()),
        }
    }
}

/// The length of `s` in characters.
fn chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Bounds on a length (characters of a string, bytes of binary, elements
/// of a collection), inclusive; what [`Validator::length`] requires.
#[derive(Clone, Copy, Debug)]
pub struct Lengths {
    low: usize,
    high: Option<usize>,
}

impl Lengths {
    /// Any length.
    pub const ANY: Lengths = Lengths { low: 0, high: None };

    fn new(bounds: impl RangeBounds<usize>) -> Lengths {
        let low = match bounds.start_bound() {
            Bound::Included(&l) => l,
            Bound::Excluded(&l) => l.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let high = match bounds.end_bound() {
            Bound::Included(&h) => Some(h),
            Bound::Excluded(&h) => Some(h.saturating_sub(1)),
            Bound::Unbounded => None,
        };
        Lengths { low, high }
    }

    #[inline]
    pub(crate) fn check(
        &self,
        value: &mut Value,
        path: &PathNode<'_>,
        errors: &mut Errors,
    ) -> Outcome {
        let len = match value {
            Value::String(s) => return self.check_str(s, path, errors),
            Value::Binary(b) => b.len(),
            Value::List(l) => l.len(),
            Value::Map(m) => m.len(),
            Value::StringSet(s) => s.len(),
            Value::NumberSet(s) => s.len(),
            Value::BinarySet(s) => s.len(),
            _ => return type_error("a string, binary or collection", value, path, errors),
        };
        self.check_len(len, path, errors)
    }

    #[inline]
    pub(crate) fn check_str(&self, s: &str, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        if self.fits_str(s) {
            return Ok(());
        }
        self.check_len(chars(s), path, errors)
    }

    /// The smallest length allowed.
    pub fn min(&self) -> usize {
        self.low
    }

    /// The largest length allowed, if any.
    pub fn max(&self) -> Option<usize> {
        self.high
    }

    /// Whether `len` is within these bounds.
    #[inline]
    pub fn fits(&self, len: usize) -> bool {
        len >= self.low && self.high.is_none_or(|h| len <= h)
    }

    /// Whether the length of `s` in characters is within these bounds.
    /// A string of `n` bytes has from `n / 4` (rounded up) to `n`
    /// characters: when both ends fit, so does the count, untaken.
    #[inline]
    pub fn fits_str(&self, s: &str) -> bool {
        let n = s.len();
        (self.fits(n) && self.fits(n.div_ceil(4))) || self.fits(chars(s))
    }

    #[inline]
    fn check_len(&self, len: usize, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        if self.fits(len) {
            return Ok(());
        }
        errors.push(
            path,
            ErrorKind::Length,
            format!("length {len} is out of range {self}"),
        );
        Err(Failed)
    }
}

impl fmt::Display for Lengths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.high {
            Some(h) => write!(f, "{}..={h}", self.low),
            None => write!(f, "{}..", self.low),
        }
    }
}

/// Requires a number within `bounds` (`1..=4`, `0.0..10.0`, `5..`, `..=9`).
///
/// # Panics
/// For a NaN or infinite float bound (a programming error).
pub fn range<B: IntoBounds>(bounds: B) -> Validator {
    Validator::step(Step::Range(Arc::new(bounds.into_bounds())))
}

/// Moves a number into `bounds` (each bound taken as inclusive) instead of failing.
///
/// # Panics
/// For a NaN or infinite float bound (a programming error).
pub fn clamp<B: IntoBounds>(bounds: B) -> Validator {
    Validator::step(Step::Clamp(bounds.into_bounds()))
}

/// Requires a length within `bounds`: characters of a string, bytes of
/// binary, elements of a list, map or set.
pub fn length(bounds: impl RangeBounds<usize>) -> Validator {
    Validator::step(Step::Length(Lengths::new(bounds)))
}
