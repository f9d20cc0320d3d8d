//! Generated keys, for use as schema defaults:
//! `.with_default_fn("id", str(), mapper::keygen::uuid)`.

use validate::Value;

/// A random UUID (v4) as a string value.
pub fn uuid() -> Value {
    Value::String(uuid::Uuid::new_v4().to_string())
}

/// A ULID (time-ordered, sortable as text) as a string value.
pub fn ulid() -> Value {
    Value::String(ulid_text())
}

/// A new ULID as text: a time-ordered id for a field a key is built
/// from (`sk = "#ORDER#{order_id}"`), so newer items sort after older
/// ones. Monotonic within the process: two made in one millisecond still
/// sort in the order they were made.
pub fn ulid_text() -> String {
    static MONOTONIC: std::sync::Mutex<ulid::Generator> =
        std::sync::Mutex::new(ulid::Generator::new());
    let made = match MONOTONIC.lock() {
        Ok(mut generator) => generator.generate().ok(),
        Err(_) => None,
    };
    made.unwrap_or_else(ulid::Ulid::new).to_string()
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
        let ids: Vec<String> = (0..1000).map(|_| ulid_text()).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "made in order, sorted in order"
        );
    }
}
