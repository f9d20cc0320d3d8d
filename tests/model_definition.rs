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
