//! [`Number`] as a serde type: exact, up to 38 digits. It serializes as a
//! newtype struct named [`NUMBER_MARKER`] around its text, which
//! [`to_value`](crate::to_value) and the mapper's codec store as a number
//! (DynamoDB's `N`), digit for digit; other serializers see the text (as
//! serde_json's arbitrary-precision numbers do). It deserializes from the
//! marked newtype, from text, or from any integer or float.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::Number;

/// The newtype-struct name a [`Number`] serializes under.
pub const NUMBER_MARKER: &str = "\u{0}validate::number";

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(NUMBER_MARKER, &self.to_string())
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Number, D::Error> {
        deserializer.deserialize_newtype_struct(NUMBER_MARKER, NumberVisitor)
    }
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number (up to 38 digits), or its text")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<Number, D::Error> {
        inner.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Number, E> {
        text.parse().map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
        Ok(Number::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
        Ok(Number::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Number, E> {
        Number::try_from(v).map_err(E::custom)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Number, E> {
        Number::try_from(v).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
        Number::try_from(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Number, Value, from_value, to_value};

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Priced {
        price: Number,
    }

    #[test]
    fn a_number_keeps_every_digit_through_values_and_elsewhere_is_text() {
        let digits = "12345678901234567890.123456789012345678";
        let priced = Priced {
            price: digits.parse().unwrap(),
        };
        let value = to_value(&priced).unwrap();
        assert_eq!(value["price"], Value::Number(digits.parse().unwrap()));
        assert_eq!(from_value::<Priced>(value).unwrap(), priced);
        // Another serializer sees the text, and any number reads back.
        let json = serde_json::to_string(&priced).unwrap();
        assert_eq!(json, format!("{{\"price\":\"{digits}\"}}"));
        assert_eq!(serde_json::from_str::<Priced>(&json).unwrap(), priced);
        let from_float: Priced = serde_json::from_str("{\"price\": 12.5}").unwrap();
        assert_eq!(from_float.price, "12.5".parse().unwrap());
        assert!(serde_json::from_str::<Priced>("{\"price\": \"twelve\"}").is_err());
    }
}
