//! [`Value`] ⇄ DynamoDB `AttributeValue`, both ways, every type: the
//! report path's conversion, and the public one for `Value`s.
//!
//! DynamoDB rejects empty sets, so an empty set in a map (and at the top
//! level of an item) is written as an absent attribute; the load path reads
//! it back as an empty set when the schema says the attribute is a set.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use validate::{Map, Number, PathNode, Set, Value};

use super::Attributes;
use super::number::number_text;
use super::sets::is_empty_set;
use crate::error::CodecError;

/// Converts a value to an attribute value.
///
/// # Errors
/// An empty set inside a list, which DynamoDB cannot store (validation
/// catches it first for schema-checked values).
pub fn to_attribute(value: &Value) -> Result<AttributeValue, CodecError> {
    into_attribute(value.clone())
}

/// Converts a value to an attribute value, moving its strings and bytes
/// instead of copying them.
///
/// # Errors
/// As [`to_attribute`].
pub fn into_attribute(value: Value) -> Result<AttributeValue, CodecError> {
    into_attr(value, &PathNode::ROOT)
}

fn into_attr(value: Value, path: &PathNode<'_>) -> Result<AttributeValue, CodecError> {
    Ok(match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(b),
        Value::Number(n) => AttributeValue::N(number_text(n)),
        Value::String(s) => AttributeValue::S(s),
        Value::Binary(b) => AttributeValue::B(Blob::new(b)),
        Value::List(items) => AttributeValue::L(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    if is_empty_set(&v) {
                        return Err(CodecError::new(
                            path.index(i).to_path(),
                            "an empty set cannot be stored inside a list",
                        ));
                    }
                    into_attr(v, &path.index(i))
                })
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(map) => AttributeValue::M(into_attrs(map, path)?),
        Value::StringSet(s) => AttributeValue::Ss(s.into_vec()),
        Value::NumberSet(s) => AttributeValue::Ns(s.iter().map(ToString::to_string).collect()),
        Value::BinarySet(s) => AttributeValue::Bs(s.into_iter().map(Blob::new).collect()),
    })
}

fn into_attrs(map: Map, path: &PathNode<'_>) -> Result<Attributes, CodecError> {
    let mut out = HashMap::with_capacity(map.len());
    for (k, v) in map {
        if is_empty_set(&v) {
            continue;
        }
        let attribute = into_attr(v, &path.key(&k))?;
        out.insert(k, attribute);
    }
    Ok(out)
}

/// Converts a map value (an item) to DynamoDB attributes; empty sets are left out.
///
/// # Errors
/// A value that is not a map, or an empty set inside a list.
pub fn to_item(value: &Value) -> Result<Attributes, CodecError> {
    into_item(value.clone())
}

/// Converts a map value (an item) to DynamoDB attributes, moving its
/// strings and bytes instead of copying them; empty sets are left out.
///
/// # Errors
/// As [`to_item`].
pub fn into_item(value: Value) -> Result<Attributes, CodecError> {
    match value {
        Value::Map(map) => into_attrs(map, &PathNode::ROOT),
        other => Err(CodecError::new(
            validate::Path::root(),
            format!("an item must be a map, got {}", other.value_type()),
        )),
    }
}

/// Converts an attribute value read from DynamoDB to a value.
///
/// # Errors
/// A number DynamoDB should never have stored, or an attribute type this
/// version of the SDK does not know.
pub fn from_attribute(attr: &AttributeValue) -> Result<Value, CodecError> {
    from_attr(attr, &PathNode::ROOT)
}

fn number(text: &str, path: &PathNode<'_>) -> Result<Number, CodecError> {
    text.parse()
        .map_err(|e: validate::Error| CodecError::new(path.to_path(), e.to_string()))
}

fn from_attr(attr: &AttributeValue, path: &PathNode<'_>) -> Result<Value, CodecError> {
    Ok(match attr {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => Value::Number(number(n, path)?),
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::B(b) => Value::Binary(b.as_ref().to_vec()),
        AttributeValue::L(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, a)| from_attr(a, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        AttributeValue::M(map) => Value::Map(from_attrs(map, path)?),
        AttributeValue::Ss(s) => Value::StringSet(s.iter().cloned().collect()),
        AttributeValue::Ns(s) => Value::NumberSet(
            s.iter()
                .map(|n| number(n, path))
                .collect::<Result<Set<_>, _>>()?,
        ),
        AttributeValue::Bs(s) => Value::BinarySet(s.iter().map(|b| b.as_ref().to_vec()).collect()),
        other => {
            return Err(CodecError::new(
                path.to_path(),
                format!("unsupported attribute type {other:?}"),
            ));
        }
    })
}

fn from_attrs(map: &Attributes, path: &PathNode<'_>) -> Result<Map, CodecError> {
    map.iter()
        .map(|(k, a)| Ok((k.clone(), from_attr(a, &path.key(k))?)))
        .collect()
}

/// Converts a DynamoDB item to a map value.
///
/// # Errors
/// As [`from_attribute`], naming the attribute path.
pub fn from_item(item: &Attributes) -> Result<Value, CodecError> {
    from_attrs(item, &PathNode::ROOT).map(Value::Map)
}

/// `at` as attribute `name` stores a datetime: through its validator.
pub(crate) fn stored_datetime(
    schema: &validate::Schema,
    name: &str,
    at: time::OffsetDateTime,
) -> std::result::Result<AttributeValue, String> {
    let field = schema.get(name).ok_or("not in the schema")?;
    let text = at
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| e.to_string())?;
    let value = field
        .validator()
        .validate(Value::from(text))
        .map_err(|e| format!("its rule refuses a datetime: {e}"))?;
    to_attribute(&value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_number() -> impl Strategy<Value = Number> {
        (any::<i64>(), -100i64..100).prop_map(|(m, e)| format!("{m}e{e}").parse().unwrap())
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            arb_number().prop_map(Value::Number),
            ".{0,8}".prop_map(Value::String),
            prop::collection::vec(any::<u8>(), 0..8).prop_map(Value::Binary),
            prop::collection::vec(".{0,4}", 1..4)
                .prop_map(|v| Value::StringSet(v.into_iter().collect())),
            prop::collection::vec(arb_number(), 1..4)
                .prop_map(|v| Value::NumberSet(v.into_iter().collect())),
            prop::collection::vec(prop::collection::vec(any::<u8>(), 0..4), 1..4)
                .prop_map(|v| Value::BinarySet(v.into_iter().collect())),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
                prop::collection::btree_map("[a-z]{1,5}", inner, 0..4).prop_map(Value::Map),
            ]
        })
    }

    proptest! {
        #[test]
        fn attribute_round_trip(value in arb_value()) {
            let attr = to_attribute(&value).unwrap();
            prop_assert_eq!(from_attribute(&attr).unwrap(), value);
        }
    }

    #[test]
    fn types_are_dynamodb_types() {
        let v: Value = [
            ("s", Value::StringSet(Set::from(["a".to_owned()]))),
            ("n", Value::from(5)),
            ("e", Value::StringSet(Set::new())),
        ]
        .into_iter()
        .collect();
        let item = to_item(&v).unwrap();
        assert!(matches!(item["s"], AttributeValue::Ss(_)));
        assert_eq!(item["n"], AttributeValue::N("5".into()));
        // Empty sets are absent attributes.
        assert!(!item.contains_key("e"));
    }

    #[test]
    fn empty_set_in_list_is_an_error_with_path() {
        let v: Value = [("l", Value::List(vec![Value::StringSet(Set::new())]))]
            .into_iter()
            .collect();
        assert_eq!(
            to_item(&v).unwrap_err().to_string(),
            "l[0]: an empty set cannot be stored inside a list"
        );
    }

    #[test]
    fn bad_stored_numbers_are_errors_not_panics() {
        let item: Attributes = [("n".to_owned(), AttributeValue::N("12abc".into()))].into();
        assert_eq!(
            from_item(&item).unwrap_err().to_string(),
            "n: number 12abc is not a number"
        );
    }
}
