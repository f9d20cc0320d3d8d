//! Generated keys, for use as schema defaults:
//! `.with_default_fn("id", str(), mapper::keygen::uuid)`.

use validate::Value;

/// A random UUID (v4) as a string value.
pub fn uuid() -> Value {
    Value::String(uuid::Uuid::new_v4().to_string())
}

/// A ULID (time-ordered, sortable as text) as a string value.
pub fn ulid() -> Value {
    Value::String(ulid::Ulid::new().to_string())
}
