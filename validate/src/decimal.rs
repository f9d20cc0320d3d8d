//! `rust_decimal::Decimal` fields (feature `rust_decimal`), exact, stored
//! as DynamoDB numbers: `#[serde(with = "validate::decimal")]` on the
//! field (or `validate::decimal::option` on an `Option<Decimal>`).
//!
//! The helpers write and read a `Decimal` through [`Number`]: digit for
//! digit, never through a float. DynamoDB keeps a number's value, not its
//! scale: `1.50` is stored and read back as `1.5`. A stored number outside
//! a `Decimal`'s range (28 significant digits, about ±7.9·10²⁸) is an
//! error naming its path, never rounded.
//!
//! Without the helper, `Decimal`'s own serde form is text; the field's
//! rule refuses it with a message saying to add the helper, so no decimal
//! is ever stored as text or read back through a float.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{ErrorKind, Errors};
use crate::number::Number;
use crate::path::PathNode;
use crate::typed::Typed;
use crate::validator::{Failed, Outcome, Rule, Validator, type_error};
use crate::value::{Value, ValueType};

/// The `Decimal` a number is, exactly; `None` past a `Decimal`'s range.
fn exact(n: &Number) -> Option<Decimal> {
    let text = n.to_string();
    Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
        .filter(|d| d.to_string().parse::<Number>().ok().as_ref() == Some(n))
}

/// The number a `Decimal` is, exactly (a `Decimal` has at most 29 digits).
fn number(d: &Decimal) -> Result<Number, String> {
    d.normalize()
        .to_string()
        .parse()
        .map_err(|e: crate::Error| e.to_string())
}

/// A `Decimal` as a number, exactly (every `Decimal` is one).
impl From<Decimal> for Number {
    fn from(d: Decimal) -> Number {
        // A Decimal's text has at most 29 digits and no exponent: always
        // a number; zero stands in for the impossible.
        number(&d).unwrap_or_default()
    }
}

/// A `Decimal` as a value: a number, exactly.
impl From<Decimal> for Value {
    fn from(d: Decimal) -> Value {
        Value::Number(Number::from(d))
    }
}

/// Writes the decimal as a number, digit for digit.
///
/// # Errors
/// None for any `Decimal`; the serializer's own.
pub fn serialize<S: Serializer>(d: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    number(d)
        .map_err(serde::ser::Error::custom)?
        .serialize(serializer)
}

/// Reads the decimal from a number (or its text), exactly.
///
/// # Errors
/// A value that is no number, or one past a `Decimal`'s range.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let n = Number::deserialize(deserializer)?;
    exact(&n).ok_or_else(|| {
        serde::de::Error::custom(format!("{n} is out of a Decimal's range (28 digits)"))
    })
}

/// Serde helpers for an `Option<Decimal>` stored as a number
/// (`#[serde(with = "validate::decimal::option", default, skip_serializing_if = "Option::is_none")]`).
pub mod option {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// One decimal, through the helpers.
    struct Exact(Decimal);

    impl Serialize for Exact {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            super::serialize(&self.0, serializer)
        }
    }

    impl<'de> Deserialize<'de> for Exact {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            super::deserialize(deserializer).map(Exact)
        }
    }

    /// Writes `Some` as a number, `None` as none.
    ///
    /// # Errors
    /// The serializer's own.
    pub fn serialize<S: Serializer>(d: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => serializer.serialize_some(&Exact(*d)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads a decimal exactly, or none.
    ///
    /// # Errors
    /// A value that is no number, or one past a `Decimal`'s range.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Option::<Exact>::deserialize(deserializer).map(|d| d.map(|d| d.0))
    }
}

/// The rule of a `Decimal` field: a number a `Decimal` holds exactly.
struct InDecimalRange;

impl Rule for InDecimalRange {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        match value {
            Value::Number(n) if exact(n).is_some() => Ok(()),
            Value::Number(n) => {
                errors.push(
                    path,
                    ErrorKind::Range,
                    format!("{n} is out of a Decimal's range (28 significant digits)"),
                );
                Err(Failed)
            }
            Value::String(text) if Decimal::from_str(text).is_ok() => {
                errors.push(
                    path,
                    ErrorKind::Type,
                    format!(
                        "a Decimal field is stored as a number: add #[serde(with = \"validate::decimal\")] to it (got the text {text:?})"
                    ),
                );
                Err(Failed)
            }
            other => type_error("a number", other, path, errors),
        }
    }

    fn output_type(&self) -> Option<ValueType> {
        Some(ValueType::Number)
    }
}

/// A number a `Decimal` holds exactly (through the helpers of this module).
impl Typed for Decimal {
    fn validator() -> Validator {
        Validator::rule(InDecimalRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_trip_digit_for_digit() -> Result<(), Box<dyn std::error::Error>> {
        for text in [
            "0",
            "1.5",
            "-0.000000000000000000000000001",
            "79228162514264337593543950335",
            "12345678901234567.89",
        ] {
            let d = Decimal::from_str(text)?;
            let n = number(&d)?;
            assert_eq!(n, text.parse::<Number>()?, "{text}");
            assert_eq!(exact(&n), Some(d), "{text}");
        }
        // The scale is not kept: DynamoDB keeps values, not scales.
        assert_eq!(number(&Decimal::from_str("1.50")?)?.to_string(), "1.5");
        Ok(())
    }

    #[test]
    fn numbers_past_a_decimal_are_refused_not_rounded() -> Result<(), Box<dyn std::error::Error>> {
        for text in [
            "1E+29",
            "79228162514264337593543950336",
            "1E-29",
            "0.12345678901234567890123456789",
        ] {
            let n: Number = text.parse()?;
            assert_eq!(exact(&n), None, "{text}");
            let err = Decimal::validator()
                .validate(Value::Number(n))
                .err()
                .ok_or("out of range taken")?;
            assert!(err.to_string().contains("Decimal's range"), "{err}");
        }
        let err = Decimal::validator()
            .validate(Value::from("1.23"))
            .err()
            .ok_or("text taken")?;
        assert!(err.to_string().contains("validate::decimal"), "{err}");
        Ok(())
    }
}
