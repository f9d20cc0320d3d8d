//! [`Number`]: an exact decimal with DynamoDB's precision and magnitude rules.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use crate::error::{Error, NumberProblem};

/// DynamoDB keeps up to 38 significant digits.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number>
pub const MAX_DIGITS: u32 = 38;
/// Smallest decimal exponent of a non-zero DynamoDB number (1E-130).
pub const MIN_EXPONENT: i32 = -130;
/// Largest decimal exponent of a DynamoDB number (9.99…E+125).
pub const MAX_EXPONENT: i32 = 125;

const TEN_POW_38: u128 = 10u128.pow(MAX_DIGITS);

/// An exact decimal number, the way DynamoDB stores it.
///
/// The value is `mantissa × 10^exponent`, kept normalized (no trailing zeros
/// in the mantissa, zero is `0 × 10^0`), so `1.0 == 1` and `Hash`, `Eq` and
/// `Ord` agree with numeric value. Construction enforces DynamoDB's limits:
/// at most 38 significant digits and a magnitude between 1E-130 and
/// 9.99…E+125; nothing is rounded.
///
/// ```
/// use validate::Number;
/// let a: Number = "1.50".parse()?;
/// let b: Number = "15e-1".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "1.5");
/// assert_eq!(Number::from(42).as_i64(), Some(42));
/// assert_eq!(a.as_i64(), None);
/// # Ok::<(), validate::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    // Stored as magnitude + sign rather than i128 so the type is 8-byte
    // aligned, which keeps `Value` at 32 bytes.
    mantissa: [u64; 2],
    exponent: i16,
    negative: bool,
    /// Decimal digits of the mantissa, cached: ordering needs it on the hot path.
    digits: u8,
}

impl Number {
    /// Zero.
    pub const ZERO: Number = Number {
        mantissa: [0, 0],
        exponent: 0,
        negative: false,
        digits: 1,
    };

    fn magnitude(&self) -> u128 {
        (u128::from(self.mantissa[1]) << 64) | u128::from(self.mantissa[0])
    }

    /// Builds `±magnitude × 10^exponent`, normalizing and checking DynamoDB's limits.
    fn from_parts(
        negative: bool,
        mut magnitude: u128,
        mut exponent: i64,
    ) -> Result<Number, NumberProblem> {
        if magnitude == 0 {
            return Ok(Number::ZERO);
        }
        if let Ok(mut small) = u64::try_from(magnitude) {
            // u128 division is a library call; most numbers fit a u64.
            while small.is_multiple_of(10) {
                small /= 10;
                exponent += 1;
            }
            magnitude = u128::from(small);
        } else {
            while magnitude.is_multiple_of(10) {
                magnitude /= 10;
                exponent += 1;
            }
        }
        if magnitude >= TEN_POW_38 {
            return Err(NumberProblem::Precision);
        }
        let digits = digits(magnitude);
        let adjusted = exponent + i64::from(digits) - 1;
        if adjusted > i64::from(MAX_EXPONENT) || adjusted < i64::from(MIN_EXPONENT) {
            return Err(NumberProblem::Magnitude);
        }
        Ok(Number {
            mantissa: [magnitude as u64, (magnitude >> 64) as u64],
            // `adjusted` is within -130..=125 and digits ≤ 38, so this fits.
            exponent: exponent as i16,
            negative,
            digits: digits as u8,
        })
    }

    /// Whether the number has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.exponent >= 0
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether the number is zero.
    pub fn is_zero(&self) -> bool {
        self.magnitude() == 0
    }

    /// The exact sum, or `None` when it is past DynamoDB's number limits
    /// (38 significant digits, magnitude 1E-130..9.99E+125).
    ///
    /// ```
    /// use validate::Number;
    /// let a: Number = "100".parse()?;
    /// let b: Number = "0.25".parse()?;
    /// assert_eq!(a.checked_add(b), Some("100.25".parse()?));
    /// assert_eq!(a.checked_sub(b), Some("99.75".parse()?));
    /// # Ok::<(), validate::Error>(())
    /// ```
    pub fn checked_add(self, other: Number) -> Option<Number> {
        let exponent = self.exponent.min(other.exponent);
        let scaled = |n: &Number| -> Option<i128> {
            let shift = u32::try_from(n.exponent - exponent).ok()?;
            let magnitude = i128::try_from(n.magnitude())
                .ok()?
                .checked_mul(10i128.checked_pow(shift)?)?;
            Some(if n.negative { -magnitude } else { magnitude })
        };
        let sum = scaled(&self)?.checked_add(scaled(&other)?)?;
        Number::from_parts(sum < 0, sum.unsigned_abs(), i64::from(exponent)).ok()
    }

    /// The exact difference, or `None` as for [`Number::checked_add`].
    pub fn checked_sub(self, other: Number) -> Option<Number> {
        let negated = Number {
            negative: !other.negative && !other.is_zero(),
            ..other
        };
        self.checked_add(negated)
    }

    /// The integer value, if the number is an integer that fits an `i128`.
    pub fn as_i128(&self) -> Option<i128> {
        if self.exponent < 0 {
            return None;
        }
        let scale = 10i128.checked_pow(u32::try_from(self.exponent).ok()?)?;
        let magnitude = i128::try_from(self.magnitude()).ok()?.checked_mul(scale)?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The number times `10^places`, its fraction beyond that dropped
    /// (toward zero), if it fits an `i128`: epoch seconds as nanoseconds.
    pub(crate) fn scaled(&self, places: i64) -> Option<i128> {
        let exponent = i64::from(self.exponent) + places;
        let magnitude = i128::try_from(self.magnitude()).ok()?;
        let scaled = if exponent >= 0 {
            magnitude.checked_mul(10i128.checked_pow(u32::try_from(exponent).ok()?)?)?
        } else {
            match u32::try_from(-exponent)
                .ok()
                .and_then(|e| 10i128.checked_pow(e))
            {
                Some(divisor) => magnitude / divisor,
                None => 0,
            }
        };
        Some(if self.negative { -scaled } else { scaled })
    }

    /// `units × 10^-places` exactly (nanoseconds as epoch seconds), if
    /// within DynamoDB's number limits.
    pub(crate) fn from_scaled(units: i128, places: i64) -> Option<Number> {
        Number::from_parts(units < 0, units.unsigned_abs(), -places).ok()
    }

    /// The integer value, if the number is an integer that fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The integer value, if the number is a non-negative integer that fits a `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128().and_then(|v| u64::try_from(v).ok())
    }

    /// The value as an `f64`, if that `f64` prints back as exactly this number.
    ///
    /// `0.1` converts (the nearest double prints as `0.1`); a number with more
    /// significant digits than a double keeps does not.
    pub fn as_f64(&self) -> Option<f64> {
        // Fast path (Clinger): at most 15 digits and a power of ten that a
        // double holds exactly give one correctly rounded operation, and 15
        // digits always print back as themselves (f64 has 15.95).
        if self.digits <= 15 && (-22..=22).contains(&self.exponent) {
            let mantissa = self.mantissa[0] as f64;
            let scale = POW10_F64[usize::from(self.exponent.unsigned_abs())];
            let magnitude = if self.exponent >= 0 {
                mantissa * scale
            } else {
                mantissa / scale
            };
            if magnitude.is_finite() {
                return Some(if self.negative { -magnitude } else { magnitude });
            }
        }
        let float: f64 = self.to_string().parse().ok()?;
        (Number::try_from(float).ok()? == *self).then_some(float)
    }

    /// Clamps into `[low, high]`.
    pub(crate) fn clamp_to(self, low: Option<Number>, high: Option<Number>) -> Number {
        match (low, high) {
            (Some(low), _) if self < low => low,
            (_, Some(high)) if self > high => high,
            _ => self,
        }
    }

    fn adjusted_exponent(&self) -> i32 {
        i32::from(self.exponent) + i32::from(self.digits) - 1
    }
}

/// Number of decimal digits of a non-zero magnitude.
fn digits(magnitude: u128) -> u32 {
    match u64::try_from(magnitude) {
        Ok(small) => small.checked_ilog10().map_or(1, |d| d + 1),
        Err(_) => magnitude.checked_ilog10().map_or(1, |d| d + 1),
    }
}

/// 10^0 ..= 10^38.
const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// 1e0 ..= 1e22: the powers of ten a double holds exactly.
const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl Ord for Number {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Same exponent (every small integer, zero included): the signed
        // mantissas decide, no alignment needed.
        if self.exponent == other.exponent {
            return match (self.negative, other.negative) {
                (false, true) => Ordering::Greater,
                (true, false) => Ordering::Less,
                (false, false) => self.magnitude().cmp(&other.magnitude()),
                (true, true) => other.magnitude().cmp(&self.magnitude()),
            };
        }
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => {
                return if other.negative {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
            }
            (false, true) => {
                return if self.negative {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            _ => {}
        }
        match (self.negative, other.negative) {
            (false, true) => return Ordering::Greater,
            (true, false) => return Ordering::Less,
            _ => {}
        }
        let magnitude_order = if self.exponent == other.exponent {
            self.magnitude().cmp(&other.magnitude())
        } else {
            match self.adjusted_exponent().cmp(&other.adjusted_exponent()) {
                Ordering::Equal => {
                    // Same leading position: align mantissas; both have ≤ 38
                    // digits, so scaling the one with fewer digits fits u128.
                    let (a, b) = (self.magnitude(), other.magnitude());
                    let (da, db) = (usize::from(self.digits), usize::from(other.digits));
                    if da >= db {
                        a.cmp(&(b * POW10[da - db]))
                    } else {
                        (a * POW10[db - da]).cmp(&b)
                    }
                }
                order => order,
            }
        };
        if self.negative {
            magnitude_order.reverse()
        } else {
            magnitude_order
        }
    }
}

impl PartialOrd for Number {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Number {
    type Err = Error;

    /// Parses decimal or scientific notation (`-12.5`, `1.25E+3`).
    fn from_str(input: &str) -> Result<Number, Error> {
        parse(input).map_err(|problem| Error::number(input, problem))
    }
}

fn parse(input: &str) -> Result<Number, NumberProblem> {
    let bytes = input.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut small: u64 = 0;
    let mut magnitude: u128 = 0;
    let mut significant: u32 = 0;
    let mut pending_zeros: u32 = 0;
    let mut fraction_digits: i64 = 0;
    let mut any_digit = false;
    let mut seen_point = false;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => {
                any_digit = true;
                let d = bytes[i] - b'0';
                if seen_point {
                    fraction_digits += 1;
                }
                if d == 0 {
                    if significant > 0 {
                        pending_zeros += 1;
                    }
                } else {
                    significant += pending_zeros + 1;
                    if significant > MAX_DIGITS {
                        return Err(NumberProblem::Precision);
                    }
                    let shift = POW10[(pending_zeros + 1) as usize];
                    if significant <= 19 {
                        // Up to 19 digits fit a u64, whose arithmetic is cheaper.
                        small = small * shift as u64 + u64::from(d);
                    } else {
                        if magnitude == 0 {
                            magnitude = u128::from(small);
                        }
                        magnitude = magnitude * shift + u128::from(d);
                    }
                    pending_zeros = 0;
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => break,
            _ => return Err(NumberProblem::Syntax),
        }
        i += 1;
    }
    if !any_digit {
        return Err(NumberProblem::Syntax);
    }
    let mut exponent: i64 = 0;
    if i < bytes.len() {
        i += 1; // the 'e'
        let (sign, start) = match bytes.get(i) {
            Some(b'-') => (-1, i + 1),
            Some(b'+') => (1, i + 1),
            _ => (1, i),
        };
        let digits = &bytes[start..];
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(NumberProblem::Syntax);
        }
        for &d in digits {
            // Saturate: anything this large is out of DynamoDB's range anyway.
            exponent = (exponent * 10 + i64::from(d - b'0')).min(1_000_000);
        }
        exponent *= sign;
    }
    if significant <= 19 {
        magnitude = u128::from(small);
    }
    Number::from_parts(
        negative,
        magnitude,
        exponent + i64::from(pending_zeros) - fraction_digits,
    )
}

impl fmt::Display for Number {
    /// Plain decimal notation for everyday magnitudes, scientific (`1.5E+100`) otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.magnitude();
        if magnitude == 0 {
            return f.write_str("0");
        }
        let sign = if self.negative { "-" } else { "" };
        let mut buffer = [0u8; 40];
        let digits = render_digits(magnitude, &mut buffer);
        let exponent = i32::from(self.exponent);
        let adjusted = self.adjusted_exponent();
        if (-7..=40).contains(&adjusted) {
            if exponent >= 0 {
                // The common case (integers) without the formatting machinery.
                f.write_str(sign)?;
                f.write_str(digits)?;
                for _ in 0..exponent {
                    f.write_str("0")?;
                }
                Ok(())
            } else if adjusted >= 0 {
                let (int, frac) = digits.split_at((adjusted + 1) as usize);
                write!(f, "{sign}{int}.{frac}")
            } else {
                write!(
                    f,
                    "{sign}0.{:0<width$}{digits}",
                    "",
                    width = (-adjusted - 1) as usize
                )
            }
        } else {
            let (lead, rest) = digits.split_at(1);
            let point = if rest.is_empty() { "" } else { "." };
            write!(f, "{sign}{lead}{point}{rest}E{adjusted:+}")
        }
    }
}

/// Writes the decimal digits of `magnitude` into `buffer`, without allocating.
fn render_digits(mut magnitude: u128, buffer: &mut [u8; 40]) -> &str {
    let mut at = buffer.len();
    if let Ok(mut small) = u64::try_from(magnitude) {
        // u128 division is a library call; most numbers fit a u64.
        loop {
            at -= 1;
            buffer[at] = b'0' + (small % 10) as u8;
            small /= 10;
            if small == 0 {
                break;
            }
        }
        return std::str::from_utf8(&buffer[at..]).unwrap_or("0");
    }
    loop {
        at -= 1;
        buffer[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buffer[at..]).unwrap_or("0")
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Number {
                // At most 20 digits: always within DynamoDB's limits.
                let negative = v < 0 as $t;
                let magnitude = (v as i128).unsigned_abs();
                Number::from_parts(negative, magnitude, 0).unwrap_or(Number::ZERO)
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl TryFrom<i128> for Number {
    type Error = Error;
    fn try_from(v: i128) -> Result<Number, Error> {
        Number::from_parts(v < 0, v.unsigned_abs(), 0).map_err(|p| Error::number(v, p))
    }
}

impl TryFrom<u128> for Number {
    type Error = Error;
    fn try_from(v: u128) -> Result<Number, Error> {
        Number::from_parts(false, v, 0).map_err(|p| Error::number(v, p))
    }
}

impl TryFrom<f64> for Number {
    type Error = Error;
    /// Converts through the shortest decimal that reads back as the same `f64`
    /// (`0.1` becomes `0.1`, not `0.1000000000000000055…`).
    fn try_from(v: f64) -> Result<Number, Error> {
        if !v.is_finite() {
            return Err(Error::number(v, NumberProblem::NotFinite));
        }
        if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
            // An integer below 2^53 is exact as i64.
            return Ok(Number::from(v as i64));
        }
        let mut text = StackText::default();
        write!(text, "{v:e}").map_err(|_| Error::number(v, NumberProblem::Syntax))?;
        parse(text.as_str()).map_err(|p| Error::number(v, p))
    }
}

/// A small text buffer on the stack, for formatting floats without allocating.
struct StackText {
    bytes: [u8; 48],
    len: usize,
}

impl Default for StackText {
    fn default() -> StackText {
        StackText {
            bytes: [0; 48],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl TryFrom<f32> for Number {
    type Error = Error;
    fn try_from(v: f32) -> Result<Number, Error> {
        if !v.is_finite() {
            return Err(Error::number(v, NumberProblem::NotFinite));
        }
        parse(&format!("{v:e}")).map_err(|p| Error::number(v, p))
    }
}

macro_rules! try_into_int {
    ($($t:ty),*) => {$(
        impl TryFrom<Number> for $t {
            type Error = Error;
            fn try_from(n: Number) -> Result<$t, Error> {
                if !n.is_integer() {
                    return Err(Error::number(n, NumberProblem::NotInteger));
                }
                n.as_i128()
                    .and_then(|v| <$t>::try_from(v).ok())
                    .ok_or_else(|| Error::number(n, NumberProblem::Overflow(stringify!($t))))
            }
        }
    )*};
}
try_into_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

impl TryFrom<Number> for f64 {
    type Error = Error;
    fn try_from(n: Number) -> Result<f64, Error> {
        n.as_f64()
            .ok_or_else(|| Error::number(n, NumberProblem::Inexact("f64")))
    }
}

impl Default for Number {
    fn default() -> Number {
        Number::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_normalizes() {
        let cases = [
            ("0", "0"),
            ("-0.000", "0"),
            ("1.0", "1"),
            ("+1", "1"),
            ("100", "100"),
            ("1e2", "100"),
            ("0.001", "0.001"),
            ("-12.50", "-12.5"),
            ("1.5E+100", "1.5E+100"),
            ("1E-130", "1E-130"),
            (
                "9.9999999999999999999999999999999999999E+125",
                "9.9999999999999999999999999999999999999E+125",
            ),
            (
                "12345678901234567890123456789012345678",
                "12345678901234567890123456789012345678",
            ),
            ("0.00000001", "1E-8"),
            ("000123.4500", "123.45"),
        ];
        for (input, shown) in cases {
            assert_eq!(n(input).to_string(), shown, "{input}");
            assert_eq!(n(shown), n(input), "{input} round trip");
        }
    }

    #[test]
    fn rejects_what_dynamodb_rejects() {
        let cases = [
            ("", NumberProblem::Syntax),
            ("-", NumberProblem::Syntax),
            ("1.2.3", NumberProblem::Syntax),
            ("1e", NumberProblem::Syntax),
            (" 1", NumberProblem::Syntax),
            ("NaN", NumberProblem::Syntax),
            (
                "123456789012345678901234567890123456789",
                NumberProblem::Precision,
            ),
            (
                "1.00000000000000000000000000000000000001",
                NumberProblem::Precision,
            ),
            ("1E+126", NumberProblem::Magnitude),
            ("1E-131", NumberProblem::Magnitude),
            ("1e999999999999", NumberProblem::Magnitude),
        ];
        for (input, problem) in cases {
            match input.parse::<Number>() {
                Err(Error::Number { problem: got, .. }) => assert_eq!(got, problem, "{input:?}"),
                other => panic!("{input:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn trailing_zeros_are_not_precision() {
        assert_eq!(n("1000000000000000000000000000000000000000000"), n("1e42"));
    }

    #[test]
    fn orders_numerically() {
        let sorted = [
            "-1e10", "-2.5", "-1", "0", "1E-130", "0.5", "1", "1.5", "2", "10", "1e125",
        ];
        for pair in sorted.windows(2) {
            assert!(n(pair[0]) < n(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(n("2.50").cmp(&n("2.5")), Ordering::Equal);
    }

    #[test]
    fn integer_conversions_fail_loudly() {
        assert_eq!(i64::try_from(n("9223372036854775807")).unwrap(), i64::MAX);
        assert!(i64::try_from(n("9223372036854775808")).is_err());
        assert!(u64::try_from(n("-1")).is_err());
        assert!(i32::try_from(n("1.5")).is_err());
        assert_eq!(u8::try_from(n("2e2")).unwrap(), 200);
        assert!(Number::try_from(i128::MAX).is_err());
        assert_eq!(
            Number::try_from(-(10i128.pow(37))).unwrap().to_string(),
            format!("-1{}", "0".repeat(37))
        );
    }

    #[test]
    fn float_conversions_are_exact_or_fail() {
        assert_eq!(Number::try_from(0.1).unwrap(), n("0.1"));
        assert_eq!(f64::try_from(n("0.1")).unwrap(), 0.1);
        assert_eq!(f64::try_from(n("-2.5e10")).unwrap(), -2.5e10);
        assert!(f64::try_from(n("0.12345678901234567890123")).is_err());
        assert!(Number::try_from(f64::NAN).is_err());
        assert!(Number::try_from(f64::INFINITY).is_err());
        assert!(Number::try_from(1e300).is_err());
        assert!(Number::try_from(5e-324).is_err());
    }

    proptest::proptest! {
        /// Integers of every width, through the u64 and the u128 paths of
        /// `parse`, read as the number built from their parts; so do the
        /// same digits written with a point and an exponent.
        #[test]
        fn parsed_digits_are_the_number_they_spell(
            digits in "[1-9][0-9]{0,37}",
            zeros in "0{0,3}",
            negative in proptest::bool::ANY,
            point in 0usize..40,
        ) {
            let magnitude: u128 = digits.parse().map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}")))?;
            let expected = Number::from_parts(negative, magnitude, 0).ok();
            let sign = if negative { "-" } else { "" };
            proptest::prop_assert_eq!(parse(&format!("{sign}{zeros}{digits}")).ok(), expected);
            let at = point.min(digits.len());
            let (int, frac) = digits.split_at(at);
            let shifted = format!("{sign}{int}.{frac}{zeros}e{}", digits.len() - at);
            proptest::prop_assert_eq!(parse(&shifted).ok(), expected);
        }
    }
}
