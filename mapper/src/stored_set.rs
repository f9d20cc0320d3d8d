//! The rule that a set is stored as a set. DynamoDB keeps a list's order
//! and duplicates; a set has neither, so a list read where the schema
//! declares a set would lose elements silently. Saving a list into a set
//! attribute stays allowed (that is how serde hands collections over):
//! the save path writes it as a set.

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{ErrorKind, Errors, PathNode, Schema, Validator};

use crate::codec;
use crate::model::ModelInfo;

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
