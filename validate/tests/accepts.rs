//! `Validator::accepts` vouches only for what `check` passes unchanged.

use proptest::prelude::*;
use validate::{
    Extra, Schema, Validator, Value, boolean, float, int, list_of, map_of, maybe, not_one_of, null,
    one_of, set_of, str,
};

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-300i64..300).prop_map(Value::from),
        (-300i64..300, 0u32..3)
            .prop_map(|(m, e)| Value::Number(format!("{m}e-{e}").parse().expect("a number"))),
        "[a-cA-C 1]{0,5}".prop_map(Value::String),
        prop::collection::vec(any::<u8>(), 0..3).prop_map(Value::Binary),
        prop::collection::vec("[a-c]{0,3}", 0..3)
            .prop_map(|v| Value::StringSet(v.into_iter().collect())),
        prop::collection::vec(-5i64..5, 0..3)
            .prop_map(|v| Value::NumberSet(v.into_iter().map(Into::into).collect())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::btree_map("[a-e]", inner, 0..5).prop_map(Value::Map),
        ]
    })
}

fn schema(extra: Extra) -> Schema {
    Schema::new()
        .required("a", int().range(0..=100))
        .optional("b", str().length(1..=3))
        .with_default("c", float(), 2)
        .optional("d", set_of(str().length(..=2)))
        .extra(extra)
}

fn validators() -> Vec<(&'static str, Validator)> {
    vec![
        ("int", int()),
        ("int coerce", int().coerce()),
        ("float range", float().range(-1.5..=2.5)),
        ("clamp", int().clamp(-10..=10)),
        ("str", str()),
        ("str coerce", str().coerce()),
        ("str length", str().length(1..=3)),
        ("str lower", str().lower()),
        ("str matches", str().matches("^[a-c]+$")),
        ("bool", boolean()),
        ("null", null()),
        ("anything", validate::anything()),
        ("one_of", str().one_of(["a", "B", "c"])),
        (
            "not_one_of",
            not_one_of([Value::from("a"), Value::List(vec![])]),
        ),
        ("one_of list", one_of([Value::List(vec![Value::Null])])),
        ("maybe", maybe(int())),
        ("any", validate::any([int(), str().lower()])),
        ("any changing first", validate::any([str().upper(), str()])),
        ("msg", int().range(0..=5).msg("small")),
        ("list_of", list_of(int())),
        ("list length", list_of(validate::anything()).length(1..=2)),
        ("set_of", set_of(str())),
        ("set_of int", set_of(int())),
        ("set_of lower", set_of(str().lower())),
        ("map_of", map_of(str().length(1..=1), int())),
        ("schema forbid", schema(Extra::Forbid).into()),
        ("schema allow", schema(Extra::Allow).into()),
        ("schema remove", schema(Extra::Remove).into()),
        ("nested", list_of(schema(Extra::Forbid))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn what_is_accepted_passes_unchanged(value in arb_value()) {
        for (name, validator) in validators() {
            if validator.accepts(&value) {
                let checked = validator.validate(value.clone());
                prop_assert_eq!(checked.as_ref().ok(), Some(&value), "{} vouched for {:?}: {:?}", name, value, checked);
            }
        }
    }
}

#[test]
fn valid_values_are_vouched_for() {
    let item = Value::Map(
        [
            ("a".to_owned(), Value::from(7)),
            ("b".to_owned(), Value::from("xy")),
            ("c".to_owned(), Value::from(3)),
            (
                "d".to_owned(),
                Value::StringSet(["p", "q"].map(String::from).into_iter().collect()),
            ),
        ]
        .into(),
    );
    assert!(Validator::from(schema(Extra::Forbid)).accepts(&item));
    assert!(list_of(schema(Extra::Forbid)).accepts(&Value::List(vec![item.clone()])));
    assert!(str().one_of(["a", "B"]).accepts(&Value::from("B")));
    assert!(maybe(int()).accepts(&Value::Null));
    assert!(int().clamp(0..=9).accepts(&Value::from(9)));
}

#[test]
fn what_check_would_change_or_refuse_is_not_vouched_for() {
    let mut item = Value::Map([("a".to_owned(), Value::from(7))].into());
    // "c" would be filled with its default.
    assert!(!Validator::from(schema(Extra::Forbid)).accepts(&item));
    if let Some(map) = item.as_map_mut() {
        map.insert("c".to_owned(), Value::from(1));
        map.insert("zz".to_owned(), Value::from(1));
    }
    assert!(!Validator::from(schema(Extra::Forbid)).accepts(&item));
    assert!(!Validator::from(schema(Extra::Remove)).accepts(&item));
    assert!(Validator::from(schema(Extra::Allow)).accepts(&item));
    assert!(!int().coerce().accepts(&Value::from("7")));
    assert!(!str().lower().accepts(&Value::from("abc")));
    assert!(!int().clamp(0..=9).accepts(&Value::from(10)));
    assert!(!not_one_of([Value::List(vec![])]).accepts(&Value::List(vec![])));
    assert!(!set_of(str()).accepts(&Value::List(vec![Value::from("a")])));
}
