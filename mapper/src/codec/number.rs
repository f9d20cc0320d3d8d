//! Number text both ways, as the `Value` path writes and reads it, for
//! the fast paths: integers through itoa, everyday floats as the shortest
//! decimal that reads back as the same `f64`, short decimals read without
//! a `Number` in between.

use validate::Number;

/// An integer's text, as `Number` prints it (itoa's digits: no
/// formatting machinery).
pub(crate) fn int_text(i: i64) -> String {
    itoa::Buffer::new().format(i).to_owned()
}

/// A number's text; integers that fit an i64 skip the formatting machinery.
pub(crate) fn number_text(n: Number) -> String {
    match n.as_i64() {
        Some(i) => int_text(i),
        None => n.to_string(),
    }
}

/// An `f64` as `to_value` and the codec write it: for everyday magnitudes
/// the shortest decimal that reads back as the same `f64`, which is what
/// `Display` prints (checked against `Number` by a property test);
/// `Number` itself for the rest.
pub(crate) fn float_text(v: f64) -> Option<String> {
    if v == 0.0 {
        return Some("0".to_owned()); // `Number` has no negative zero.
    }
    if (1e-7..1e15).contains(&v.abs()) {
        return Some(decimal_text(v).unwrap_or_else(|| v.to_string()));
    }
    Number::try_from(v).map(number_text).ok()
}

/// `Display`'s text of `v` when `v` is the `f64` of a decimal with at most
/// six places and 15 significant digits (`21.625`, `19.99`), found with
/// integer arithmetic; `None` for the rest.
///
/// A decimal of at most 15 significant digits is the only one that short
/// which reads back as its `f64` (15 digits survive the round trip), so
/// it is the shortest text, which `Display` prints. `m / 10^p`, both
/// exact in an `f64`, rounds once: it is `v` exactly when the decimal
/// reads back as `v`.
pub(crate) fn decimal_text(v: f64) -> Option<String> {
    const POW10: [f64; 7] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];
    let magnitude = v.abs();
    for (places, scale) in POW10.iter().enumerate() {
        let scaled = magnitude * scale;
        if scaled >= 1e15 {
            return None;
        }
        let m = scaled as u64;
        if m as f64 != scaled || m as f64 / scale != magnitude {
            continue;
        }
        let divisor = 10u64.pow(places as u32);
        let (whole, mut fraction) = (m / divisor, m % divisor);
        let mut text = String::with_capacity(24);
        if v < 0.0 {
            text.push('-');
        }
        text.push_str(itoa::Buffer::new().format(whole));
        if fraction != 0 {
            let mut digits = places;
            while fraction % 10 == 0 {
                fraction /= 10;
                digits -= 1;
            }
            let mut buffer = itoa::Buffer::new();
            let printed = buffer.format(fraction);
            text.push('.');
            text.extend(std::iter::repeat_n('0', digits - printed.len()));
            text.push_str(printed);
        }
        return Some(text);
    }
    None
}

/// A plain decimal (`-12.75`: no exponent, at most 15 digits) as the
/// `f64` the `Value` path gives it: both round the same decimal correctly,
/// and 15 digits always convert exactly back. Zero is +0, as a `Number`.
pub(crate) fn read_decimal(text: &str) -> Option<f64> {
    let mut digits = 0;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' | b'-' => {}
            _ => return None,
        }
    }
    if digits == 0 || digits > 15 {
        return None;
    }
    let f: f64 = text.parse().ok()?;
    Some(if f == 0.0 { 0.0 } else { f })
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Decimals with up to nine places, as people write them, and floats
    /// a few ulps off them.
    fn short_float() -> impl Strategy<Value = f64> {
        (-10_000_000_000i64..10_000_000_000, 0u32..10, -2i64..=2).prop_map(|(m, places, ulps)| {
            let decimal = m as f64 / 10f64.powi(places as i32);
            f64::from_bits(decimal.to_bits().wrapping_add_signed(ulps))
        })
    }

    /// Floats of every kind, the edges included (also used by the fast
    /// save's tests).
    pub(crate) fn any_float() -> impl Strategy<Value = f64> {
        prop_oneof![
            -1e3f64..1e3,
            Just(0.0),
            Just(-0.0),
            Just(1e-8),
            Just(1e-7),
            Just(123_456_789_012_345.67),
            Just(1e15),
            Just(1e300),
            Just(f64::NAN),
            any::<f64>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn floats_are_written_as_numbers_write_them(v in prop_oneof![any_float(), short_float()]) {
            let expected = Number::try_from(v).map(number_text).ok();
            prop_assert_eq!(float_text(v), expected);
        }

        #[test]
        fn short_decimals_read_as_the_value_path_reads_them(
            text in "-?[0-9]{1,9}(\\.[0-9]{1,8})?",
        ) {
            let number: Number = text.parse().map_err(|e: validate::Error| TestCaseError::fail(e.to_string()))?;
            let expected = number.as_f64().map(f64::to_bits);
            prop_assert_eq!(read_decimal(&text).map(f64::to_bits).or(expected), expected);
            prop_assert!(text.len() > 16 || read_decimal(&text).is_some());
        }
    }

    #[test]
    fn short_decimals_are_written_as_display_writes_them() {
        for v in [
            21.625,
            -0.5,
            19.99,
            0.000_001,
            3.0,
            -100.0,
            123_456_789.123_456,
            999_999_999_999_999.0,
        ] {
            assert_eq!(decimal_text(v), Some(v.to_string()));
        }
        // Too many digits, or places, for the short way: `Display` writes them.
        // Two a few ulps off a short decimal, which they are not, though
        // scaled they round to its digits.
        for v in [
            0.1 + 0.2,
            1.0 / 3.0,
            0.000_012_5,
            2.5e-7,
            1e15,
            51_913.503_000_000_004,
            8_247_537.699_999_999,
        ] {
            assert_eq!(decimal_text(v), None, "{v}");
            assert_eq!(float_text(v), Number::try_from(v).map(number_text).ok());
        }
    }
}
