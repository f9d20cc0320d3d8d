//! [`Typed`]: the validator a Rust type implies, which `#[derive(Model)]`
//! and `#[derive(Schema)]` start each field from.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::datetime::datetime;
use crate::validator::{Validator, bool, bytes, int, list_of, map_of, number, set_of, str};

/// The validator a Rust type implies: what every value of the type passes,
/// as DynamoDB stores it. An integer type keeps its own bounds (a `u8`
/// field refuses 300 with a range error, not a failure inside serde), a
/// collection of strings, numbers or bytes in a `BTreeSet` or `HashSet` is
/// a DynamoDB set, `Option<T>` is `T`'s (the derive makes it optional).
///
/// Implement it for your own types to use them as derived fields:
///
/// ```
/// use validate::{Typed, Validator, str};
/// struct Sku(String);
/// impl Typed for Sku {
///     fn validator() -> Validator {
///         str().matches(r"^[A-Z]{3}-\d{4}$")
///     }
/// }
/// assert!(Sku::validator().validate("ABC-1234".into()).is_ok());
/// assert_eq!(<u8 as Typed>::validator().validate(300.into()).unwrap_err().to_string(),
///            "(root): 300 is out of range 0..=255");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no validator: it cannot be a field of a model",
    label = "a model field of type `{Self}`",
    note = "for a struct stored as a nested map, or an enum of unit variants stored as text, add `#[derive(mapper::Schema)]` to `{Self}`",
    note = "for any other type, give the field its rule: `#[model(validate = …)]`"
)]
pub trait Typed {
    /// The validator for values of this type.
    fn validator() -> Validator;
}

macro_rules! bounded_int {
    ($($t:ty),*) => {$(
        impl Typed for $t {
            fn validator() -> Validator {
                int().range(<$t>::MIN..=<$t>::MAX)
            }
        }
    )*};
}
bounded_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl Typed for i128 {
    fn validator() -> Validator {
        // Every integer DynamoDB stores (38 digits) fits an i128.
        int()
    }
}

impl Typed for u128 {
    fn validator() -> Validator {
        int().range(0..)
    }
}

impl Typed for f32 {
    fn validator() -> Validator {
        number().range(f64::from(f32::MIN)..=f64::from(f32::MAX))
    }
}

impl Typed for f64 {
    fn validator() -> Validator {
        number()
    }
}

/// Exact, up to 38 digits: stored as DynamoDB's `N` digit for digit.
impl Typed for crate::Number {
    fn validator() -> Validator {
        number()
    }
}

impl Typed for bool {
    fn validator() -> Validator {
        bool()
    }
}

impl Typed for String {
    fn validator() -> Validator {
        str()
    }
}

impl Typed for str {
    fn validator() -> Validator {
        str()
    }
}

impl<T: Typed + ?Sized> Typed for &T {
    fn validator() -> Validator {
        T::validator()
    }
}

impl<T: Typed> Typed for Box<T> {
    fn validator() -> Validator {
        T::validator()
    }
}

impl<T: Typed> Typed for Option<T> {
    fn validator() -> Validator {
        T::validator()
    }
}

impl<T: Typed> Typed for Vec<T> {
    fn validator() -> Validator {
        list_of(T::validator())
    }
}

impl<T: Typed> Typed for BTreeSet<T> {
    fn validator() -> Validator {
        set_of(T::validator())
    }
}

impl<T: Typed, S> Typed for HashSet<T, S> {
    fn validator() -> Validator {
        set_of(T::validator())
    }
}

impl<T: Typed> Typed for BTreeMap<String, T> {
    fn validator() -> Validator {
        map_of(str(), T::validator())
    }
}

impl<T: Typed, S> Typed for HashMap<String, T, S> {
    fn validator() -> Validator {
        map_of(str(), T::validator())
    }
}

impl Typed for serde_bytes::ByteBuf {
    fn validator() -> Validator {
        bytes()
    }
}

impl Typed for serde_bytes::Bytes {
    fn validator() -> Validator {
        bytes()
    }
}

impl Typed for time::OffsetDateTime {
    fn validator() -> Validator {
        datetime()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Value, ValueType};

    #[test]
    fn types_imply_their_dynamodb_shape_and_bounds() {
        let cases: Vec<(Validator, Option<ValueType>)> = vec![
            (<u8 as Typed>::validator(), Some(ValueType::Number)),
            (<f64 as Typed>::validator(), Some(ValueType::Number)),
            (<String as Typed>::validator(), Some(ValueType::String)),
            (<bool as Typed>::validator(), Some(ValueType::Bool)),
            (<Vec<String> as Typed>::validator(), Some(ValueType::List)),
            (
                <BTreeSet<String> as Typed>::validator(),
                Some(ValueType::StringSet),
            ),
            (
                <HashSet<i64> as Typed>::validator(),
                Some(ValueType::NumberSet),
            ),
            (
                <BTreeSet<serde_bytes::ByteBuf> as Typed>::validator(),
                Some(ValueType::BinarySet),
            ),
            (
                <HashMap<String, u8> as Typed>::validator(),
                Some(ValueType::Map),
            ),
            (
                <serde_bytes::ByteBuf as Typed>::validator(),
                Some(ValueType::Binary),
            ),
            (
                <time::OffsetDateTime as Typed>::validator(),
                Some(ValueType::String),
            ),
            (<Option<u16> as Typed>::validator(), Some(ValueType::Number)),
        ];
        for (i, (validator, output)) in cases.iter().enumerate() {
            assert_eq!(validator.output_type(), *output, "case {i}");
        }
        assert!(
            <u8 as Typed>::validator()
                .validate(Value::from(255))
                .is_ok()
        );
        assert!(
            <u8 as Typed>::validator()
                .validate(Value::from(-1))
                .is_err()
        );
        assert!(
            <i64 as Typed>::validator()
                .validate(Value::from(i64::MIN))
                .is_ok()
        );
        let map = <HashMap<String, u8> as Typed>::validator();
        let errors = map
            .validate(Value::Map([("a".to_owned(), Value::from(256))].into()))
            .unwrap_err();
        assert_eq!(errors.to_string(), "a: 256 is out of range 0..=255");
    }
}
