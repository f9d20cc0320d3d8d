//! Bad model definitions are typed schema errors, found before any request.

use mapper::{Mapper, Model};
use serde::{Deserialize, Serialize};
use validate::{Schema, int, str};

#[derive(Serialize, Deserialize)]
struct AutoWithRange {
    id: i64,
    at: i64,
}

impl Model for AutoWithRange {
    const TABLE: &'static str = "bad";
    const HASH_KEY: &'static str = "id";
    const RANGE_KEY: Option<&'static str> = Some("at");
    const AUTO_INCREMENT: bool = true;
    fn schema() -> Schema {
        Schema::new().required("id", int()).required("at", int())
    }
}

#[derive(Serialize, Deserialize)]
struct KeyNotInSchema {
    id: String,
}

impl Model for KeyNotInSchema {
    const TABLE: &'static str = "bad";
    const HASH_KEY: &'static str = "uuid";
    fn schema() -> Schema {
        Schema::new().required("id", str())
    }
}

#[derive(Serialize, Deserialize)]
struct OptionalKey {
    id: Option<String>,
}

impl Model for OptionalKey {
    const TABLE: &'static str = "bad";
    const HASH_KEY: &'static str = "id";
    fn schema() -> Schema {
        Schema::new().optional("id", str())
    }
}

#[derive(Serialize, Deserialize)]
struct ConstantKey {
    id: Option<String>,
}

impl Model for ConstantKey {
    const TABLE: &'static str = "bad";
    const HASH_KEY: &'static str = "id";
    fn schema() -> Schema {
        Schema::new().with_default("id", str(), "same")
    }
}

fn mapper() -> Mapper {
    // No request is sent: model checks come first.
    Mapper::new(test_support::client("http://127.0.0.1:9"))
}

#[test]
fn auto_increment_with_a_range_key_is_a_schema_error() {
    let err = mapper().model_info::<AutoWithRange>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad model for table bad: an auto-increment hash key cannot be combined with a range key"
    );
}

#[test]
fn keys_must_be_required_scalar_schema_attributes() {
    let err = mapper().model_info::<KeyNotInSchema>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad model for table bad: hash key \"uuid\" is not in the schema"
    );
    let err = mapper().model_info::<OptionalKey>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad model for table bad: hash key \"id\" must be a required attribute (or have a default function)"
    );
    let err = mapper().model_info::<ConstantKey>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad model for table bad: hash key \"id\" has a constant default: every item would share it (use a default function such as mapper::keygen::uuid)"
    );
}

macro_rules! named {
    ($name:ident, $table:expr) => {
        #[derive(Serialize, Deserialize)]
        struct $name {
            id: String,
        }

        impl Model for $name {
            const TABLE: &'static str = $table;
            const HASH_KEY: &'static str = "id";
            fn schema() -> Schema {
                Schema::new().required("id", str())
            }
        }
    };
}

named!(NoName, "");
named!(Spaced, "my table");
named!(Short, "ab");

/// A table name DynamoDB would refuse is a model error before any
/// request, whatever the prefix (regression: an empty name was accepted
/// when the mapper had a prefix, which made it a valid name).
#[test]
fn a_table_name_dynamodb_refuses_is_a_model_error_whatever_the_prefix() {
    for m in [mapper(), mapper().with_prefix("staging_")] {
        let err = m.model_info::<NoName>().err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("must be 1 to 255 characters")),
            "{err:?}"
        );
        let err = m.model_info::<Spaced>().err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("holds ' '")),
            "{err:?}"
        );
    }
    // Two characters are a name once prefixed, not alone.
    let err = mapper().model_info::<Short>().err().map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("prefix included") && e.contains("3 to 255")),
        "{err:?}"
    );
    assert!(mapper().with_prefix("p_").model_info::<Short>().is_ok());
    let long = "x".repeat(254);
    let err = mapper().with_prefix(long).model_info::<Short>().err();
    assert!(err.is_some(), "a prefix past 255 characters in all");
}
