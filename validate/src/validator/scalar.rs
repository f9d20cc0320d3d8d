//! Type checks (`int()`, `str()`, …), with optional exact coercion.

use super::{Failed, Outcome, Step, Validator, check_depth, type_error};
use crate::error::{ErrorKind, Errors, NumberProblem};
use crate::number::Number;
use crate::path::PathNode;
use crate::value::{Value, ValueType};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TypeCheck {
    Int,
    Number,
    Str,
    Bool,
    Bytes,
    Null,
    Any,
}

impl TypeCheck {
    fn expected(self) -> &'static str {
        match self {
            TypeCheck::Int => "an integer",
            TypeCheck::Number => "a number",
            TypeCheck::Str => "a string",
            TypeCheck::Bool => "a boolean",
            TypeCheck::Bytes => "binary",
            TypeCheck::Null => "null",
            TypeCheck::Any => "any value",
        }
    }

    pub(crate) fn output_type(self) -> Option<ValueType> {
        match self {
            TypeCheck::Int | TypeCheck::Number => Some(ValueType::Number),
            TypeCheck::Str => Some(ValueType::String),
            TypeCheck::Bool => Some(ValueType::Bool),
            TypeCheck::Bytes => Some(ValueType::Binary),
            TypeCheck::Null => Some(ValueType::Null),
            TypeCheck::Any => None,
        }
    }

    #[inline]
    pub(crate) fn check(
        self,
        coerce: bool,
        value: &mut Value,
        path: &PathNode<'_>,
        errors: &mut Errors,
    ) -> Outcome {
        let ok = match (self, &*value) {
            (TypeCheck::Int, Value::Number(n)) => n.is_integer(),
            (TypeCheck::Number, Value::Number(_))
            | (TypeCheck::Str, Value::String(_))
            | (TypeCheck::Bool, Value::Bool(_))
            | (TypeCheck::Bytes, Value::Binary(_))
            | (TypeCheck::Null, Value::Null) => true,
            (TypeCheck::Any, v) => {
                return check_depth(v.nesting().saturating_sub(1), path, errors);
            }
            _ => false,
        };
        if ok {
            return Ok(());
        }
        // A plain `Vec<u8>` serializes as a list of numbers: where binary is
        // declared, such a list is the bytes, stored as binary.
        if let (TypeCheck::Bytes, Value::List(items)) = (self, &*value)
            && let Some(bytes) = byte_list(items)
        {
            *value = Value::Binary(bytes);
            return Ok(());
        }
        if coerce {
            return self.coerce(value, path, errors);
        }
        type_error(self.expected(), value, path, errors)
    }

    fn coerce(self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let converted = match (self, &*value) {
            (TypeCheck::Int | TypeCheck::Number, Value::String(s)) => {
                match s.trim().parse::<Number>() {
                    Ok(n) if self == TypeCheck::Number || n.is_integer() => Value::Number(n),
                    Ok(_) => {
                        return cannot_coerce(
                            self,
                            value,
                            "it is not a whole number",
                            path,
                            errors,
                        );
                    }
                    Err(crate::Error::Number { problem, .. }) => {
                        return number_problem(self, value, problem, path, errors);
                    }
                    Err(_) => {
                        return cannot_coerce(self, value, "it is not a number", path, errors);
                    }
                }
            }
            (TypeCheck::Int | TypeCheck::Number, Value::Bool(b)) => Value::from(u8::from(*b)),
            (TypeCheck::Int, Value::Number(_)) => {
                return cannot_coerce(self, value, "it has a fractional part", path, errors);
            }
            (TypeCheck::Str, Value::Number(n)) => Value::String(n.to_string()),
            (TypeCheck::Str, Value::Bool(b)) => Value::String(b.to_string()),
            (TypeCheck::Bool, _) => match truth_word(value) {
                Some(b) => Value::Bool(b),
                None => {
                    errors.push(
                        path,
                        ErrorKind::Format,
                        format!(
                            "expected a boolean (true/false, yes/no, on/off, 1/0), got {}",
                            value.described()
                        ),
                    );
                    return Err(Failed);
                }
            },
            (TypeCheck::Bytes, Value::String(s)) => Value::Binary(s.as_bytes().to_vec()),
            _ => return type_error(self.expected(), value, path, errors),
        };
        *value = converted;
        Ok(())
    }
}

/// The bytes of a list of integers 0..=255, if it is one.
fn byte_list(items: &[Value]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|item| match item {
            Value::Number(n) => n.as_u64().and_then(|b| u8::try_from(b).ok()),
            _ => None,
        })
        .collect()
}

fn cannot_coerce(
    ty: TypeCheck,
    value: &Value,
    why: &str,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    errors.push(
        path,
        ErrorKind::Type,
        format!(
            "cannot coerce {} to {}: {why}",
            value.described(),
            ty.expected()
        ),
    );
    Err(Failed)
}

fn number_problem(
    ty: TypeCheck,
    value: &Value,
    problem: NumberProblem,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    let kind = match problem {
        NumberProblem::Precision | NumberProblem::Magnitude => ErrorKind::Range,
        _ => ErrorKind::Type,
    };
    errors.push(
        path,
        kind,
        format!(
            "cannot coerce {} to {}: it {problem}",
            value.described(),
            ty.expected()
        ),
    );
    Err(Failed)
}

/// Human-readable booleans, as Onctuous's `Boolean`.
fn truth_word(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.is_zero() => Some(false),
        Value::Number(n) if *n == Number::from(1) => Some(true),
        Value::String(s) => {
            let s = s.trim();
            const TRUE: [&str; 6] = ["1", "true", "yes", "on", "enable", "y"];
            const FALSE: [&str; 6] = ["0", "false", "no", "off", "disable", "n"];
            if TRUE.iter().any(|w| s.eq_ignore_ascii_case(w)) {
                Some(true)
            } else if FALSE.iter().any(|w| s.eq_ignore_ascii_case(w)) {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn type_check(ty: TypeCheck) -> Validator {
    Validator::step(Step::Type(ty, false))
}

/// An integer (a number without fractional part).
pub fn int() -> Validator {
    type_check(TypeCheck::Int)
}

/// Any number.
pub fn number() -> Validator {
    type_check(TypeCheck::Number)
}

/// Any number (alias of [`number`], for readers coming from `float`).
pub fn float() -> Validator {
    number()
}

/// A string.
pub fn str() -> Validator {
    type_check(TypeCheck::Str)
}

/// A boolean.
pub fn bool() -> Validator {
    type_check(TypeCheck::Bool)
}

/// Binary data.
pub fn bytes() -> Validator {
    type_check(TypeCheck::Bytes)
}

/// Null.
pub fn null() -> Validator {
    type_check(TypeCheck::Null)
}

/// Any value (still refused when nested deeper than DynamoDB allows).
pub fn anything() -> Validator {
    type_check(TypeCheck::Any)
}

/// A human-readable boolean: `true`/`false`, `yes`/`no`, `on`/`off`,
/// `enable`/`disable`, `y`/`n`, `1`/`0` (any case), normalized to a boolean.
pub fn boolean() -> Validator {
    Validator::step(Step::Type(TypeCheck::Bool, true))
}
