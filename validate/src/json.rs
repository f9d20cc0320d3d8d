//! Conversion between [`Value`] and `serde_json::Value`.

use base64::Engine as _;

use crate::error::{Error, NumberProblem, Result};
use crate::number::Number;
use crate::path::Path;
use crate::value::Value;

impl TryFrom<serde_json::Value> for Value {
    type Error = Error;

    /// JSON null, bool, string, array and object map to the same DynamoDB
    /// types; JSON numbers must fit DynamoDB's number limits.
    fn try_from(json: serde_json::Value) -> Result<Value> {
        Ok(match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n.to_string().parse()?),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => Value::List(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        Value::try_from(v).map_err(|e| e.within(crate::Segment::Index(i)))
                    })
                    .collect::<Result<_>>()?,
            ),
            serde_json::Value::Object(map) => Value::Map(
                map.into_iter()
                    .map(|(k, v)| match Value::try_from(v) {
                        Ok(v) => Ok((k, v)),
                        Err(e) => Err(e.within(crate::Segment::key(k))),
                    })
                    .collect::<Result<_>>()?,
            ),
        })
    }
}

fn json_number(n: &Number) -> Result<serde_json::Value> {
    if let Some(i) = n.as_i64() {
        return Ok(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Ok(u.into());
    }
    n.as_f64()
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
        .ok_or_else(|| Error::number(n, NumberProblem::Inexact("a JSON number (f64)")))
}

fn bytes(b: &[u8]) -> serde_json::Value {
    serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(b))
}

impl Value {
    /// This value as JSON: sets become arrays, binary becomes base64 text.
    ///
    /// # Errors
    /// A number that no JSON number (i64, u64 or f64) represents exactly.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        Ok(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => json_number(n)?,
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Binary(b) => bytes(b),
            Value::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v.to_json().map_err(|e| in_path(e, Path::root().index(i))))
                    .collect::<Result<_>>()?,
            ),
            Value::Map(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        Ok((
                            k.clone(),
                            v.to_json()
                                .map_err(|e| in_path(e, Path::root().key(k.as_str())))?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
            Value::StringSet(s) => s
                .iter()
                .map(|x| serde_json::Value::String(x.clone()))
                .collect(),
            Value::NumberSet(s) => s.iter().map(json_number).collect::<Result<_>>()?,
            Value::BinarySet(s) => s.iter().map(|b| bytes(b)).collect(),
        })
    }
}

fn in_path(error: Error, path: Path) -> Error {
    match error {
        Error::Number { input, problem } => Error::Convert {
            path,
            message: format!("number {input} {problem}"),
        },
        Error::Convert {
            path: inner,
            message,
        } => Error::Convert {
            path: inner.prefixed(&path),
            message,
        },
        other => other,
    }
}
