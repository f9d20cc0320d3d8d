//! The original dynamodb-mapper's migration scenario, with the test kit:
//! a `User` at versions 1, 2 and 11, detectors of exact attribute sets as
//! the original wrote them, `mail` renamed to `email` from 2 to 11.

use migrate::testing::{assert_chain, assert_current_unchanged, assert_migrates, assert_valid};
use migrate::{Error, Plan};
use serde_json::json;
use validate::{Errors, Schema, Value, int, str};

/// The attribute names of an item, sorted.
fn names(item: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = item
        .as_map()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names
}

fn looks_v1(item: &Value) -> bool {
    names(item) == ["id", "mail"] && item.get("mail").is_some_and(Value::is_string)
}

fn looks_v2(item: &Value) -> bool {
    names(item) == ["id", "mail", "name"]
}

fn to_v2(mut item: Value) -> Result<Value, Errors> {
    if let Some(map) = item.as_map_mut() {
        map.insert("name".to_owned(), Value::from(""));
    }
    Ok(item)
}

fn rename_mail(mut item: Value) -> Result<Value, Errors> {
    if let Some(map) = item.as_map_mut()
        && let Some(mail) = map.remove("mail")
    {
        map.insert("email".to_owned(), mail);
    }
    Ok(item)
}

fn plan() -> Plan {
    Plan::new(11)
        .step(1, 2, "to_v2", to_v2)
        .step(2, 11, "rename_mail", rename_mail)
        .detect(1, "looks_v1", looks_v1)
        .detect(2, "looks_v2", looks_v2)
}

fn current_schema() -> Schema {
    Schema::new()
        .required("id", int())
        .required("email", str())
        .required("name", str())
}

#[test]
fn the_chain_is_well_formed() {
    assert_chain(&plan());
}

#[test]
fn legacy_items_migrate_to_the_current_version() {
    assert_migrates(
        &plan(),
        json!({"id": 1, "mail": "a@b.c"}),
        1,
        json!({"id": 1, "email": "a@b.c", "name": "", "__schema_version__": 11}),
    );
    assert_migrates(
        &plan(),
        json!({"id": 2, "mail": "d@e.f", "name": "Ann"}),
        2,
        json!({"id": 2, "email": "d@e.f", "name": "Ann", "__schema_version__": 11}),
    );
    assert_valid(
        &plan(),
        &current_schema(),
        json!({"id": 1, "mail": "a@b.c"}),
    );
    assert_current_unchanged(
        &plan(),
        json!({"id": 3, "email": "g@h.i", "name": "Bo", "__schema_version__": 11}),
    );
}

#[test]
fn a_v1_shaped_item_with_a_mail_of_the_wrong_type_is_undetectable() {
    let item = Value::try_from(json!({"id": 1, "mail": 42})).unwrap_or_default();
    let err = plan().migrate(item).err();
    assert!(
        matches!(err, Some(Error::Undetected { ref tried }) if tried == &[2, 1]),
        "{err:?}"
    );
}

#[test]
fn a_newer_item_is_refused_not_downgraded() {
    let item = Value::try_from(json!({"id": 1, "__schema_version__": 12})).unwrap_or_default();
    assert!(matches!(
        plan().migrate(item),
        Err(Error::Newer {
            found: 12,
            current: 11
        })
    ));
}

#[test]
#[should_panic(expected = "the fixture migrated")]
fn the_kit_reports_a_fixture_that_migrates_to_something_else() {
    assert_migrates(
        &plan(),
        json!({"id": 1, "mail": "a@b.c"}),
        1,
        json!({"id": 1, "mail": "a@b.c", "__schema_version__": 11}),
    );
}
