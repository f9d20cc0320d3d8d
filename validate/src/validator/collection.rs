//! `list_of`, `set_of` and `map_of`: every element checked, every failure kept.

use std::sync::Arc;

use super::{Failed, Outcome, Step, Validator, check_depth, type_error};
use crate::error::{ErrorKind, Errors};
use crate::number::Number;
use crate::path::PathNode;
use crate::sets::Set;
use crate::value::{Map, Value, ValueType};

/// A list whose every element passes `item`.
pub fn list_of(item: impl Into<Validator>) -> Validator {
    Validator::step(Step::ListOf(Arc::new(item.into())))
}

/// A string, number or binary set whose every element passes `item`.
///
/// A list is accepted too and becomes a set (duplicates merge, as in any
/// set), which is how `HashSet`s serialized by serde arrive. The set type
/// follows the elements: strings make a string set, numbers a number set.
/// An empty set is valid where DynamoDB can omit it (a map entry) and an
/// error where it cannot (inside a list).
pub fn set_of(item: impl Into<Validator>) -> Validator {
    Validator::step(Step::SetOf(Arc::new(item.into())))
}

/// A map whose every key passes `key` (checked as a string value) and every
/// value passes `value`.
pub fn map_of(key: impl Into<Validator>, value: impl Into<Validator>) -> Validator {
    Validator::step(Step::MapOf(Arc::new(key.into()), Arc::new(value.into())))
}

pub(crate) fn set_type(element: Option<ValueType>) -> ValueType {
    match element {
        Some(ValueType::Number) => ValueType::NumberSet,
        Some(ValueType::Binary) => ValueType::BinarySet,
        _ => ValueType::StringSet,
    }
}

pub(crate) fn check_list(
    item: &Validator,
    value: &mut Value,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    let Value::List(items) = value else {
        return type_error("a list", value, path, errors);
    };
    check_depth(0, path, errors)?;
    let mut outcome = Ok(());
    for (i, element) in items.iter_mut().enumerate() {
        if item.check(element, &path.index(i), errors).is_err() {
            outcome = Err(Failed);
        }
    }
    outcome
}

pub(crate) fn check_map(
    key: &Validator,
    item: &Validator,
    value: &mut Value,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    let Value::Map(map) = value else {
        return type_error("a map", value, path, errors);
    };
    check_depth(0, path, errors)?;
    let mut outcome = Ok(());
    let mut rebuilt = Map::new();
    for (k, mut v) in std::mem::take(map) {
        let child = path.key(&k);
        let mut key_value = Value::String(k.clone());
        if key.check(&mut key_value, &child, errors).is_err() {
            outcome = Err(Failed);
        }
        if item.check(&mut v, &child, errors).is_err() {
            outcome = Err(Failed);
        }
        match key_value {
            Value::String(normalized) => {
                rebuilt.insert(normalized, v);
            }
            other => {
                errors.push(
                    &child,
                    ErrorKind::Type,
                    format!(
                        "map keys must stay strings, the key validator made {}",
                        other.described()
                    ),
                );
                outcome = Err(Failed);
                rebuilt.insert(k, v);
            }
        }
    }
    *map = rebuilt;
    outcome
}

pub(crate) fn check_set(
    item: &Validator,
    value: &mut Value,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    let rebuild = match value {
        Value::StringSet(set) if item.checks_str_in_place() => {
            let mut outcome = Ok(());
            for (i, element) in set.iter().enumerate() {
                if item.check_str(element, &path.index(i), errors).is_err() {
                    outcome = Err(Failed);
                }
            }
            outcome.map(|()| None)
        }
        Value::StringSet(set) => {
            check_elements(set, item, Value::String, path, errors, |v| match v {
                Value::String(s) => Ok(s),
                other => Err(other),
            })
        }
        Value::NumberSet(set) => {
            check_elements(set, item, Value::Number, path, errors, |v| match v {
                Value::Number(n) => Ok(n),
                other => Err(other),
            })
        }
        Value::BinarySet(set) => {
            check_elements(set, item, Value::Binary, path, errors, |v| match v {
                Value::Binary(b) => Ok(b),
                other => Err(other),
            })
        }
        Value::List(items) => {
            let mut outcome = Ok(());
            for (i, element) in items.iter_mut().enumerate() {
                if item.check(element, &path.index(i), errors).is_err() {
                    outcome = Err(Failed);
                }
            }
            outcome.map(|()| Some(std::mem::take(items)))
        }
        _ => return type_error("a set", value, path, errors),
    }?;
    // Elements changed type (a coercion) or came as a list: rebuild the set.
    if let Some(elements) = rebuild {
        *value = build_set(elements, item.output_type(), path, errors)?;
    }
    let empty = match value {
        Value::StringSet(s) => s.is_empty(),
        Value::NumberSet(s) => s.is_empty(),
        Value::BinarySet(s) => s.is_empty(),
        _ => false,
    };
    if empty && path.is_index() {
        // A map entry holding an empty set is stored by omitting it; a list
        // element cannot be omitted, and DynamoDB rejects empty sets.
        errors.push(
            path,
            ErrorKind::Set,
            "an empty set cannot be stored inside a list",
        );
        return Err(Failed);
    }
    Ok(())
}

/// Checks each element in place. Returns the elements as values when one
/// of them changed type, so the caller can rebuild the set.
fn check_elements<T: Ord + Default>(
    set: &mut Set<T>,
    item: &Validator,
    wrap: fn(T) -> Value,
    path: &PathNode<'_>,
    errors: &mut Errors,
    unwrap: fn(Value) -> Result<T, Value>,
) -> Result<Option<Vec<Value>>, Failed> {
    let mut outcome = Ok(());
    let mut changed_type: Option<Vec<(usize, Value)>> = None;
    let elements = set.elements_mut();
    for (i, slot) in elements.iter_mut().enumerate() {
        let mut element = wrap(std::mem::take(slot));
        if item.check(&mut element, &path.index(i), errors).is_err() {
            outcome = Err(Failed);
        }
        match unwrap(element) {
            Ok(v) => *slot = v,
            Err(other) => changed_type.get_or_insert_with(Vec::new).push((i, other)),
        }
    }
    outcome?;
    match changed_type {
        None => {
            set.normalize();
            Ok(None)
        }
        Some(changed) => {
            let mut all: Vec<Value> = std::mem::take(set.elements_mut())
                .into_iter()
                .map(wrap)
                .collect();
            for (i, v) in changed {
                all[i] = v;
            }
            Ok(Some(all))
        }
    }
}

fn build_set(
    elements: Vec<Value>,
    element_type: Option<ValueType>,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Result<Value, Failed> {
    let first = elements.first().map(Value::value_type).or(element_type);
    let mixed = |errors: &mut Errors| {
        errors.push(
            path,
            ErrorKind::Set,
            "set elements must be all strings, all numbers or all binary",
        );
        Failed
    };
    Ok(match set_type(first) {
        _ if first.is_some_and(|t| {
            !matches!(t, ValueType::String | ValueType::Number | ValueType::Binary)
        }) =>
        {
            return Err(mixed(errors));
        }
        ValueType::NumberSet => Value::NumberSet(
            elements
                .into_iter()
                .map(|v| match v {
                    Value::Number(n) => Ok(n),
                    _ => Err(()),
                })
                .collect::<Result<Set<Number>, ()>>()
                .map_err(|()| mixed(errors))?,
        ),
        ValueType::BinarySet => Value::BinarySet(
            elements
                .into_iter()
                .map(|v| match v {
                    Value::Binary(b) => Ok(b),
                    _ => Err(()),
                })
                .collect::<Result<Set<Vec<u8>>, ()>>()
                .map_err(|()| mixed(errors))?,
        ),
        _ => Value::StringSet(
            elements
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(()),
                })
                .collect::<Result<Set<String>, ()>>()
                .map_err(|()| mixed(errors))?,
        ),
    })
}
