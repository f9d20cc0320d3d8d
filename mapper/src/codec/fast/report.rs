//! The report check of one field, inside the fast paths: a field whose
//! validator has no plain form all the way down (`email()`, `lower()`, a
//! `custom` rule, a binary set) is read as a `Value` and run through its
//! validator — the one implementation of its rules — while the rest of the
//! item stays on the fast path. A field that fails sends the whole item
//! to the report path, which reports every error.

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{Errors, PathNode, Validator, Value};

use crate::codec;

/// The field's attribute as its validator normalizes it; `None` when the
/// validator refuses it (or it has no `Value` form).
pub(in crate::codec) fn normalized(
    validator: &Validator,
    attribute: &AttributeValue,
    name: &str,
) -> Option<Value> {
    checked(validator, codec::from_attribute(attribute).ok()?, name)
}

/// What a load reads for a stored attribute: `Some(None)` when the
/// validator passes it unchanged (read where it lies), `Some(Some(a))`
/// with the attribute it normalizes it to, `None` when the validator
/// refuses it (the report path then reports).
pub(in crate::codec) fn loaded(
    validator: &Validator,
    attribute: &AttributeValue,
    name: &str,
) -> Option<Option<AttributeValue>> {
    let stored = codec::from_attribute(attribute).ok()?;
    let value = checked(validator, stored.clone(), name)?;
    if value == stored {
        return Some(None);
    }
    codec::into_attribute(value).ok().map(Some)
}

/// `value` as the field's validator leaves it; `None` when it refuses it.
fn checked(validator: &Validator, mut value: Value, name: &str) -> Option<Value> {
    let mut errors = Errors::new();
    validator
        .check(&mut value, &PathNode::ROOT.key(name), &mut errors)
        .ok()?;
    Some(value)
}
