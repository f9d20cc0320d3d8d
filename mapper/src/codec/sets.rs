//! The rules of sets, in one place, for both speeds and both directions.
//!
//! - **An empty set is an absent attribute.** DynamoDB stores no empty
//!   set: a save leaves an empty set out (a default may fill it; a
//!   required set stays, empty, for its validator to judge), a load reads
//!   an absent set attribute as an empty set, and an empty set inside a
//!   list cannot be stored at all.
//! - **A set is stored as a set.** DynamoDB keeps a list's order and
//!   duplicates; a set has neither, so a list read where the schema
//!   declares a set would lose elements silently ([`misstored`]). Saving a
//!   list into a set attribute stays allowed (that is how serde hands
//!   collections over): the save writes it as a set.

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{ErrorKind, Errors, Map, PathNode, Presence, Schema, Validator, Value, ValueType};

use crate::codec;
use crate::model::ModelInfo;

/// Whether `value` is an empty set (stored as an absent attribute).
pub(crate) fn is_empty_set(value: &Value) -> bool {
    match value {
        Value::StringSet(s) => s.is_empty(),
        Value::NumberSet(s) => s.is_empty(),
        Value::BinarySet(s) => s.is_empty(),
        _ => false,
    }
}

/// The empty set of `set_type`, as an attribute: what a load reads for an
/// absent set attribute.
pub(crate) fn empty_attribute(set_type: ValueType) -> Option<&'static AttributeValue> {
    static STRINGS: AttributeValue = AttributeValue::Ss(Vec::new());
    static NUMBERS: AttributeValue = AttributeValue::Ns(Vec::new());
    static BINARIES: AttributeValue = AttributeValue::Bs(Vec::new());
    match set_type {
        ValueType::StringSet => Some(&STRINGS),
        ValueType::NumberSet => Some(&NUMBERS),
        ValueType::BinarySet => Some(&BINARIES),
        _ => None,
    }
}

/// The model's set attributes absent from `attributes`, each as the empty
/// set a load reads for it.
pub(crate) fn absent<'a>(
    attributes: &'a codec::Attributes,
    info: &'a ModelInfo,
) -> impl Iterator<Item = (&'a str, &'a AttributeValue)> {
    info.sets
        .iter()
        .filter(|(name, _)| !attributes.contains_key(name))
        .filter_map(|(name, set_type)| {
            let empty: &'a AttributeValue = empty_attribute(*set_type)?;
            Some((name.as_str(), empty))
        })
}

/// A load (report speed): each absent set attribute of the model read as
/// its empty set, for its validator to judge.
pub(crate) fn fill_absent(map: &mut Map, info: &ModelInfo) {
    for (name, set_type) in &info.sets {
        if !map.contains_key(name)
            && let Some(empty) = set_type.empty_set()
        {
            map.insert(name.clone(), empty);
        }
    }
}

/// A save (report speed): each empty set (or empty list given for a set)
/// of the model made absent, so a default fills it; a required one stays,
/// as an empty set (stored absent, as a load reads it back), for its
/// validator to judge.
pub(crate) fn empty_as_absent(map: &mut Map, info: &ModelInfo) {
    for (name, set_type) in &info.sets {
        if !map.get(name).is_none_or(is_empty_collection) {
            continue;
        }
        let required = info
            .schema
            .get(name)
            .is_some_and(|f| matches!(f.presence(), Presence::Required));
        match set_type.empty_set() {
            Some(set) if required => {
                map.insert(name.clone(), set);
            }
            _ => {
                map.remove(name);
            }
        }
    }
}

/// An empty list or set: what a set attribute is when it has nothing.
fn is_empty_collection(value: &Value) -> bool {
    match value {
        Value::List(items) => items.is_empty(),
        other => other.is_set() && !other.is_truthy(),
    }
}

/// Whether `validator` declares a set anywhere: itself, or inside the
/// maps and lists it checks.
pub(crate) fn holds_sets(validator: &Validator) -> bool {
    validator.output_type().is_some_and(|t| t.is_set())
        || validator
            .schema()
            .is_some_and(|s| s.fields().any(|f| holds_sets(f.validator())))
        || validator.list_element().is_some_and(holds_sets)
}

/// Every place in `attributes` where the schema declares a set and the
/// item stores a list, each recorded as a type error.
pub(crate) fn misstored(attributes: &codec::Attributes, info: &ModelInfo) -> Errors {
    let mut errors = Errors::new();
    let root = PathNode::ROOT;
    for name in &info.holding_sets {
        if let (Some(attribute), Some(field)) = (attributes.get(name), info.schema.get(name)) {
            check(attribute, field.validator(), &root.key(name), &mut errors);
        }
    }
    errors
}

/// Whether one stored attribute holds a list where `validator` declares
/// a set, at any depth ([`misstored`] for one field).
pub(crate) fn is_misstored(attribute: &AttributeValue, validator: &Validator) -> bool {
    let mut errors = Errors::new();
    check(attribute, validator, &PathNode::ROOT, &mut errors);
    !errors.is_empty()
}

fn check_map(map: &codec::Attributes, schema: &Schema, path: &PathNode<'_>, errors: &mut Errors) {
    for field in schema.fields() {
        if let Some(attribute) = map.get(field.name()) {
            check(
                attribute,
                field.validator(),
                &path.key(field.name()),
                errors,
            );
        }
    }
}

fn check(
    attribute: &AttributeValue,
    validator: &Validator,
    path: &PathNode<'_>,
    errors: &mut Errors,
) {
    match attribute {
        AttributeValue::L(items) => {
            if let Some(set) = validator.output_type().filter(|t| t.is_set()) {
                errors.push(
                    path,
                    ErrorKind::Type,
                    format!(
                        "stored as a list where the schema declares a {set}; a list may hold duplicates a set would drop"
                    ),
                );
            } else if let Some(element) = validator.list_element() {
                for (i, item) in items.iter().enumerate() {
                    check(item, element, &path.index(i), errors);
                }
            }
        }
        AttributeValue::M(map) => {
            if let Some(schema) = validator.schema() {
                check_map(map, schema, path, errors);
            }
        }
        _ => {}
    }
}
