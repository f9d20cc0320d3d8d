//! Datetimes: the [`datetime`](crate::datetime()) validator, the forms a
//! datetime is stored in ([`DateFormat`]), and serde helpers for
//! `time::OffsetDateTime` fields (`#[serde(with = "validate::datetime")]`).
//!
//! Every form is read, whatever the validator stores: RFC 3339 with any
//! offset and 0 to 9 fraction digits (dynamodb-mapper 1.8's
//! `2012-05-31T12:00:00.000042+00:00` is one), PynamoDB's
//! `1993-12-10T12:00:00.000042+0000`, a naive `2012-05-31T12:00:00[.ffffff]`
//! (read as UTC, as dynamodb-mapper did), and, for the epoch forms, numbers.
//! What is written is the validator's one [`DateFormat`]: the text forms
//! are fixed width, so stored datetimes sort in time order.

use serde::{Deserializer, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::error::{ErrorKind, Errors};
use crate::number::Number;
use crate::path::PathNode;
use crate::validator::{Failed, Outcome, Rule, Step, Validator, type_error};
use crate::value::{Value, ValueType};

/// How a datetime is stored; every form is read whatever the choice.
///
/// The default is RFC 3339 in UTC with nanoseconds: the standard text
/// form, lossless for `time::OffsetDateTime`, and what this crate always
/// wrote. Choose the form of the mapper that shares the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateFormat {
    /// `2012-05-31T12:00:00.000042000Z`: RFC 3339, UTC, nanoseconds.
    #[default]
    Rfc3339Nanos,
    /// `2012-05-31T12:00:00.000042Z`: RFC 3339, UTC, microseconds (finer
    /// digits are dropped).
    Rfc3339Micros,
    /// `2012-05-31T12:00:00.000042+00:00`: Python dynamodb-mapper 1.8
    /// (its parser reads at most 6 fraction digits).
    DynamodbMapper,
    /// `2012-05-31T12:00:00.000042+0000`: PynamoDB's `UTCDateTimeAttribute`
    /// (which reads nothing else).
    PynamoDb,
    /// Seconds since 1970-01-01 UTC as a number (`1338465600.000042`),
    /// whole for whole seconds: DynamoDB's TTL attributes.
    EpochSeconds,
    /// Milliseconds since 1970-01-01 UTC as a number (`1338465600000`):
    /// JavaScript's `Date`, and many JavaScript mappers.
    EpochMillis,
    /// Whole seconds since 1970-01-01 UTC as a number (`1338465600`), the
    /// fraction dropped (toward the past): what DynamoDB's TTL reads.
    EpochWholeSeconds,
}

impl DateFormat {
    /// The DynamoDB type of the stored form.
    pub fn value_type(self) -> ValueType {
        match self {
            DateFormat::EpochSeconds | DateFormat::EpochMillis | DateFormat::EpochWholeSeconds => {
                ValueType::Number
            }
            _ => ValueType::String,
        }
    }

    /// Decimal places of a second the epoch forms count in.
    fn epoch_places(self) -> Option<i64> {
        match self {
            DateFormat::EpochSeconds | DateFormat::EpochWholeSeconds => Some(0),
            DateFormat::EpochMillis => Some(3),
            _ => None,
        }
    }

    /// `at` in this form.
    ///
    /// # Errors
    /// A year outside 0000..=9999 in a text form (it would not sort as text).
    pub fn write(self, at: OffsetDateTime) -> Result<Value, String> {
        // `to_offset` panics where UTC falls past year 9999; the checked
        // form says so instead.
        let at = at
            .checked_to_offset(UtcOffset::UTC)
            .ok_or_else(|| "the instant in UTC is outside the years time can hold".to_owned())?;
        if self == DateFormat::EpochWholeSeconds {
            return Ok(Value::Number(Number::from(at.unix_timestamp())));
        }
        if let Some(places) = self.epoch_places() {
            return Number::from_scaled(at.unix_timestamp_nanos(), 9 - places)
                .map(Value::Number)
                .ok_or_else(|| "out of DynamoDB's number range".to_owned());
        }
        if !(0..=9999).contains(&at.year()) {
            return Err("the year must be within 0000..=9999 to sort as text".to_owned());
        }
        let text = match self {
            DateFormat::Rfc3339Nanos => at.format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
            )),
            DateFormat::Rfc3339Micros => at.format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
            )),
            DateFormat::DynamodbMapper => at.format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
            )),
            _ => at.format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+0000"
            )),
        };
        text.map(Value::String).map_err(|e| e.to_string())
    }

    /// The instant `value` holds: any text form, or for the epoch forms a
    /// number in this form's unit.
    ///
    /// # Errors
    /// Why `value` is not a datetime.
    pub fn read(self, value: &Value) -> Result<OffsetDateTime, String> {
        match (value, self.epoch_places()) {
            (Value::String(s), _) => parse(s),
            (Value::Number(n), Some(places)) => from_epoch(n, places),
            (Value::Number(_), None) => Err(
                "a number is a datetime only for the epoch forms (DateFormat::EpochSeconds, EpochMillis)"
                    .to_owned(),
            ),
            _ => Err("expected text or a number".to_owned()),
        }
    }
}

/// The instant in any accepted text form. Byte positions are only cut
/// where the bytes around them are ASCII, so any text is safe to give.
fn parse(s: &str) -> Result<OffsetDateTime, String> {
    if let Ok(at) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(at);
    }
    let bytes = s.as_bytes();
    let n = bytes.len();
    // PynamoDB's offset has no colon: `+0000` (five ASCII bytes, so the
    // cut before the last two is on a character boundary).
    if n > 5 && matches!(bytes[n - 5], b'+' | b'-') && bytes[n - 4..].iter().all(u8::is_ascii_digit)
    {
        let (head, minutes) = s.split_at(n - 2);
        let with_colon = format!("{head}:{minutes}");
        return OffsetDateTime::parse(&with_colon, &Rfc3339).map_err(|e| e.to_string());
    }
    // Naive: no offset at all, read as UTC. The date and time are 19
    // ASCII bytes; anything else there is no datetime.
    let naive = match s.get(19..) {
        Some(rest) => {
            bytes[..19].is_ascii() && !s.ends_with(['Z', 'z']) && !rest.contains(['+', '-'])
        }
        None => false,
    };
    if naive {
        return OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339).map_err(|e| e.to_string());
    }
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| e.to_string())
}

/// The instant `n` seconds × 10^-places after 1970-01-01 UTC.
fn from_epoch(n: &Number, places: i64) -> Result<OffsetDateTime, String> {
    let nanos = n.scaled(9 - places).ok_or("out of range")?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|e| e.to_string())
}

/// The `datetime()` rule: reads every form, writes `format`'s.
struct DateTime {
    format: DateFormat,
}

impl Rule for DateTime {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        if !matches!(value, Value::String(_) | Value::Number(_)) {
            return type_error("a datetime", value, path, errors);
        }
        let written = self.format.read(value).and_then(|at| self.format.write(at));
        match written {
            Ok(stored) => {
                if *value != stored {
                    *value = stored;
                }
                Ok(())
            }
            Err(why) => {
                errors.push(
                    path,
                    ErrorKind::Format,
                    format!("{} is not a datetime: {why}", value.shown()),
                );
                Err(Failed)
            }
        }
    }

    fn output_type(&self) -> Option<ValueType> {
        Some(self.format.value_type())
    }
}

/// A datetime, normalized to its stored form: by default RFC 3339 in UTC
/// with nanoseconds (`2026-11-24T07:30:00.000000000Z`), fixed width so
/// that it sorts in time order; [`Validator::stored_as`] picks another.
/// Every form of [`DateFormat`] is read (see the [module](mod@crate::datetime)).
///
/// ```
/// use validate::{DateFormat, Value, datetime};
/// let stored = datetime().validate(Value::from("2026-11-24T08:30:00+01:00"))?;
/// assert_eq!(stored, Value::from("2026-11-24T07:30:00.000000000Z"));
/// let seed = datetime().stored_as(DateFormat::DynamodbMapper);
/// assert_eq!(seed.validate(Value::from("2012-05-31T12:00:00.000042+0000"))?,
///            Value::from("2012-05-31T12:00:00.000042+00:00"));
/// # Ok::<(), validate::Errors>(())
/// ```
pub fn datetime() -> Validator {
    Validator::rule(DateTime {
        format: DateFormat::default(),
    })
}

impl Validator {
    /// A [`datetime`](crate::datetime()) validator storing `format`
    /// instead of its default (this validator's datetime rule replaced;
    /// one is added when it has none).
    #[must_use]
    pub fn stored_as(mut self, format: DateFormat) -> Validator {
        let rule: std::sync::Arc<dyn Rule> = std::sync::Arc::new(DateTime { format });
        let place = self.steps.iter().rposition(
            |step| matches!(step, Step::Rule(r) if (&**r as &dyn std::any::Any).is::<DateTime>()),
        );
        match place {
            Some(at) => {
                let mut steps = std::mem::take(&mut self.steps);
                steps[at] = Step::Rule(rule);
                Validator::of_steps(steps)
            }
            None => self.then(Validator::step(Step::Rule(rule))),
        }
    }
}

/// Writes a `time::OffsetDateTime` as RFC 3339 text (nanoseconds, UTC);
/// the field's validator then stores it in its form.
///
/// # Errors
/// A year outside 0000..=9999.
pub fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    match DateFormat::Rfc3339Nanos.write(*at) {
        Ok(Value::String(text)) => serializer.serialize_str(&text),
        Ok(_) => Err(serde::ser::Error::custom("a datetime's text form is text")),
        Err(why) => Err(serde::ser::Error::custom(why)),
    }
}

/// Reads a `time::OffsetDateTime` from any text form. A number is refused
/// (seconds or milliseconds cannot be told apart): an epoch form's field
/// uses [`epoch_seconds`] or [`epoch_millis`].
///
/// # Errors
/// Text that is no datetime, or a number.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
    read(deserializer, DateFormat::Rfc3339Nanos)
}

fn read<'de, D: Deserializer<'de>>(
    deserializer: D,
    format: DateFormat,
) -> Result<OffsetDateTime, D::Error> {
    let value = deserializer.deserialize_any(Scalar)?;
    let value = match (value, format.epoch_places()) {
        // A number that no `f64` holds exactly comes as its text.
        (Value::String(text), Some(_)) if parse(&text).is_err() => text
            .parse::<Number>()
            .map(Value::Number)
            .map_err(serde::de::Error::custom)?,
        (value, _) => value,
    };
    format.read(&value).map_err(serde::de::Error::custom)
}

/// Text or a number, as a [`Value`].
struct Scalar;

impl serde::de::Visitor<'_> for Scalar {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a datetime")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        Number::try_from(v).map(Value::Number).map_err(E::custom)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Number::try_from(v).map(Value::Number).map_err(E::custom)
    }
}

/// An `Option<OffsetDateTime>` through a form's helpers: `None` as serde's
/// none (skip it with `skip_serializing_if = "Option::is_none"`), `Some`
/// as the form writes and reads an instant.
macro_rules! optional_module {
    ($doc:expr, $format:expr) => {
        #[doc = $doc]
        pub mod option {
            use serde::{Deserialize, Deserializer, Serialize, Serializer};
            use time::OffsetDateTime;

            /// One instant, in this form.
            struct Instant(OffsetDateTime);

            impl Serialize for Instant {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    $crate::datetime::serialize(&self.0, serializer)
                }
            }

            impl<'de> Deserialize<'de> for Instant {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    $crate::datetime::read(deserializer, $format).map(Instant)
                }
            }

            /// Writes `Some` as the form does, `None` as none.
            ///
            /// # Errors
            /// A year outside 0000..=9999.
            pub fn serialize<S: Serializer>(
                at: &Option<OffsetDateTime>,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                match at {
                    Some(at) => serializer.serialize_some(&Instant(*at)),
                    None => serializer.serialize_none(),
                }
            }

            /// Reads an instant as the form does, or none.
            ///
            /// # Errors
            /// A value that is no datetime.
            pub fn deserialize<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Option<OffsetDateTime>, D::Error> {
                Option::<Instant>::deserialize(deserializer).map(|at| at.map(|at| at.0))
            }
        }
    };
}

optional_module!(
    "Serde helpers for an `Option<OffsetDateTime>` stored as RFC 3339 text (`#[serde(with = \"validate::datetime::option\", default, skip_serializing_if = \"Option::is_none\")]`).",
    crate::datetime::DateFormat::Rfc3339Nanos
);

macro_rules! epoch_module {
    ($name:ident, $format:expr, $unit:literal) => {
        #[doc = concat!("Serde helpers for a `time::OffsetDateTime` stored as ", $unit, " since 1970 (`#[serde(with = \"validate::datetime::", stringify!($name), "\")]`); text forms are read too.")]
        pub mod $name {
            use serde::{Deserializer, Serializer};
            use time::OffsetDateTime;


            /// Writes the instant as RFC 3339 text, exact; the field's
            /// `datetime().stored_as(..)` validator stores it as a number.
            ///
            /// # Errors
            /// A year outside 0000..=9999.
            pub fn serialize<S: Serializer>(
                at: &OffsetDateTime,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                super::serialize(at, serializer)
            }

            /// Reads the instant from a number in this unit, or any text form.
            ///
            /// # Errors
            /// A value that is no datetime.
            pub fn deserialize<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<OffsetDateTime, D::Error> {
                super::read(deserializer, $format)
            }

            optional_module!(
                concat!("Serde helpers for an `Option<OffsetDateTime>` stored as ", $unit, " since 1970 (`#[serde(with = \"validate::datetime::", stringify!($name), "::option\", default, skip_serializing_if = \"Option::is_none\")]`)."),
                $format
            );
        }
    };
}

epoch_module!(
    epoch_seconds,
    crate::datetime::DateFormat::EpochSeconds,
    "seconds"
);
epoch_module!(
    epoch_millis,
    crate::datetime::DateFormat::EpochMillis,
    "milliseconds"
);
epoch_module!(
    epoch_whole_seconds,
    crate::datetime::DateFormat::EpochWholeSeconds,
    "whole seconds (DynamoDB's TTL)"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> OffsetDateTime {
        parse(text).unwrap()
    }

    #[test]
    fn every_form_is_read_and_each_is_written_exactly() {
        let instant = at("2012-05-31T12:00:00.000042Z");
        for text in [
            "2012-05-31T12:00:00.000042+00:00",
            "2012-05-31T12:00:00.000042+0000",
            "2012-05-31T14:00:00.000042+02:00",
            "2012-05-31T12:00:00.000042",
            "2012-05-31T12:00:00.000042000Z",
        ] {
            assert_eq!(at(text), instant, "{text}");
        }
        let cases = [
            (
                DateFormat::Rfc3339Nanos,
                Value::from("2012-05-31T12:00:00.000042000Z"),
            ),
            (
                DateFormat::Rfc3339Micros,
                Value::from("2012-05-31T12:00:00.000042Z"),
            ),
            (
                DateFormat::DynamodbMapper,
                Value::from("2012-05-31T12:00:00.000042+00:00"),
            ),
            (
                DateFormat::PynamoDb,
                Value::from("2012-05-31T12:00:00.000042+0000"),
            ),
            (
                DateFormat::EpochSeconds,
                Value::Number("1338465600.000042".parse().unwrap()),
            ),
            (
                DateFormat::EpochMillis,
                Value::Number("1338465600000.042".parse().unwrap()),
            ),
        ];
        for (format, stored) in cases {
            assert_eq!(format.write(instant).unwrap(), stored, "{format:?}");
            assert_eq!(format.read(&stored).unwrap(), instant, "{format:?}");
        }
        let whole = at("2012-05-31T12:00:00Z");
        assert_eq!(
            DateFormat::EpochSeconds.write(whole).unwrap(),
            Value::from(1_338_465_600)
        );
        assert!(DateFormat::PynamoDb.read(&Value::from(1)).is_err());
        assert!(parse("2012-13-31T12:00:00Z").is_err());
        assert!(parse("yesterday").is_err());
    }

    #[test]
    fn whole_seconds_drop_the_fraction_toward_the_past() {
        let form = DateFormat::EpochWholeSeconds;
        assert_eq!(
            form.write(at("2012-05-31T12:00:00.999Z")),
            Ok(Value::from(1_338_465_600i64))
        );
        assert_eq!(
            form.write(at("1969-12-31T23:59:59.5Z")),
            Ok(Value::from(-1i64))
        );
        assert_eq!(
            form.read(&Value::from(1_338_465_600i64)),
            Ok(at("2012-05-31T12:00:00Z"))
        );
        assert_eq!(form.value_type(), ValueType::Number);
    }
}
