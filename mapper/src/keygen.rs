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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_distinct_and_well_formed() {
        let (a, b) = (uuid(), uuid());
        assert_ne!(a, b);
        assert_eq!(a.as_str().map(str::len), Some(36));
        let (x, y) = (ulid(), ulid());
        assert_ne!(x, y);
        assert_eq!(x.as_str().map(str::len), Some(26));
    }
}
