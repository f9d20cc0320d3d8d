//! Helpers shared by the validate tests.
#![allow(dead_code, unreachable_pub)]

use validate::{ErrorKind, Validator, Value};

/// Parses JSON into a `Value`.
pub fn v(json: serde_json::Value) -> Value {
    Value::try_from(json).expect("test JSON fits DynamoDB")
}

/// Asserts `validator` accepts `input` and normalizes it to `expected`.
pub fn ok(validator: &Validator, input: Value, expected: Value) {
    match validator.validate(input.clone()) {
        Ok(out) => assert_eq!(out, expected, "input {input}"),
        Err(e) => panic!("input {input} rejected:\n{e}"),
    }
}

/// Asserts `validator` rejects `input` with exactly one error of `kind`,
/// at `path`, whose message is `message`.
pub fn fails(validator: &Validator, input: Value, kind: ErrorKind, path: &str, message: &str) {
    match validator.validate(input.clone()) {
        Ok(out) => panic!("input {input} accepted as {out}"),
        Err(errors) => {
            assert_eq!(errors.len(), 1, "input {input}: {errors}");
            let e = errors.iter().next().expect("one error");
            assert_eq!(e.kind, kind, "input {input}: {e}");
            assert_eq!(e.path.to_string(), path, "input {input}");
            assert_eq!(e.message.to_string(), message, "input {input}");
        }
    }
}
