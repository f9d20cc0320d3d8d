//! A test kit for a model's migrations, no table needed: the plan is well
//! formed, golden fixtures migrate to what they should, a current item
//! passes through unchanged, and a migrated fixture passes the current
//! schema. Each function panics with what differs, as `assert_eq!` does.

use validate::{Schema, Value};

use crate::plan::Plan;

fn value(json: serde_json::Value) -> Value {
    match Value::try_from(json) {
        Ok(value) => value,
        Err(e) => panic!("the fixture is not a DynamoDB value: {e}"),
    }
}

/// The plan chains from its first version to its current one
/// ([`Plan::check`]).
///
/// # Panics
/// With the plan's mistake.
pub fn assert_chain(plan: &Plan) {
    if let Err(e) = plan.check() {
        panic!("{e}");
    }
}

/// `from` (a stored item, as JSON) migrates to exactly `to` (its version
/// attribute included) and says it came from `version`.
///
/// # Panics
/// When it does not.
pub fn assert_migrates(plan: &Plan, from: serde_json::Value, version: u32, to: serde_json::Value) {
    let migrated = match plan.migrate(value(from)) {
        Ok(migrated) => migrated,
        Err(e) => panic!("the fixture does not migrate: {e}"),
    };
    assert_eq!(migrated.from, version, "the fixture's version as found");
    assert_eq!(migrated.value, value(to), "the fixture migrated");
}

/// An item at the current version comes back as it was.
///
/// # Panics
/// When it is changed or refused.
pub fn assert_current_unchanged(plan: &Plan, current: serde_json::Value) {
    let item = value(current);
    match plan.migrate(item.clone()) {
        Ok(migrated) => {
            assert_eq!(migrated.from, plan.current(), "the item's version");
            assert_eq!(migrated.value, item, "a current item is left as it is");
        }
        Err(e) => panic!("a current item is refused: {e}"),
    }
}

/// `from` migrated passes `schema` (the model's current schema; the
/// version attribute is left out of the check, being the mapper's).
///
/// # Panics
/// With every error and its path.
pub fn assert_valid(plan: &Plan, schema: &Schema, from: serde_json::Value) {
    let mut migrated = match plan.migrate(value(from)) {
        Ok(migrated) => migrated.value,
        Err(e) => panic!("the fixture does not migrate: {e}"),
    };
    if let Some(map) = migrated.as_map_mut() {
        map.remove(plan.version_attribute());
    }
    if let Err(errors) = schema.validate(migrated) {
        panic!("the migrated fixture fails the current schema:\n{errors}");
    }
}
