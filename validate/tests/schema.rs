//! Schemas: required/optional/defaults, extra-key policies, nesting, and
//! every error reported with its path (the Onctuous bug this crate fixes).

mod common;

use common::v;
use serde_json::json;
use validate::*;

fn doom_map() -> Schema {
    Schema::new()
        .required("episode", int().range(1..=4))
        .required("map", int().range(1..=9))
        .required("name", str().length(1..=64))
        .with_default("cheats", set_of(str().matches(r"^id[a-z]+$")), ["Konami"])
}

#[test]
fn a_map_with_several_bad_values_reports_each_and_nothing_spurious() {
    let item = v(
        json!({"episode": 0, "map": "e1m1", "name": "", "cheats": ["idkfa", "iddqd!"], "rating": 5}),
    );
    let errors = doom_map().validate(item).unwrap_err();
    let found: Vec<(String, ErrorKind)> = errors
        .iter()
        .map(|e| (e.path.to_string(), e.kind.clone()))
        .collect();
    assert_eq!(
        found,
        [
            ("cheats[1]".to_owned(), ErrorKind::Pattern),
            ("episode".to_owned(), ErrorKind::Range),
            ("map".to_owned(), ErrorKind::Type),
            ("name".to_owned(), ErrorKind::Length),
            ("rating".to_owned(), ErrorKind::ExtraKey),
        ]
    );
    // Present keys are never reported as missing (Onctuous's bug).
    assert!(errors.iter().all(|e| e.kind != ErrorKind::Required));
    assert_eq!(
        errors.to_string(),
        "cheats[1]: \"iddqd!\" does not match ^id[a-z]+$\n\
         episode: 0 is out of range 1..=4\n\
         map: expected an integer, got string \"e1m1\"\n\
         name: length 0 is out of range 1..=64\n\
         rating: extra key not allowed"
    );
}

#[test]
fn missing_required_keys_are_each_reported() {
    let errors = doom_map()
        .validate(v(json!({"name": "Hangar"})))
        .unwrap_err();
    assert_eq!(
        errors.to_string(),
        "episode: required key not provided\nmap: required key not provided"
    );
    assert!(errors.iter().all(|e| e.kind == ErrorKind::Required));
}

#[test]
fn defaults_fill_absent_keys_without_being_validated() {
    let out = doom_map()
        .validate(v(json!({"episode": 1, "map": 1, "name": "Hangar"})))
        .unwrap();
    // "Konami" does not match the cheat pattern: defaults are the programmer's values.
    assert_eq!(
        out["cheats"],
        Value::StringSet(Set::from(["Konami".to_owned()]))
    );
    // A present value is validated and kept.
    let out = doom_map()
        .validate(v(
            json!({"episode": 1, "map": 1, "name": "Hangar", "cheats": ["idkfa"]}),
        ))
        .unwrap();
    assert_eq!(
        out["cheats"],
        Value::StringSet(Set::from(["idkfa".to_owned()]))
    );
    let counter = std::sync::atomic::AtomicI64::new(0);
    let counter = std::sync::Arc::new(counter);
    let c = counter.clone();
    let s = Schema::new().with_default_fn("id", int(), move || {
        Value::from(c.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    });
    assert_eq!(s.validate(v(json!({}))).unwrap()["id"], Value::from(0));
    assert_eq!(s.validate(v(json!({}))).unwrap()["id"], Value::from(1));
}

#[test]
fn optional_keys_may_be_absent_but_are_checked_when_present() {
    let s = Schema::new().optional("nick", str());
    assert_eq!(s.validate(v(json!({}))).unwrap(), v(json!({})));
    let errors = s.validate(v(json!({"nick": 3}))).unwrap_err();
    assert_eq!(errors.to_string(), "nick: expected a string, got number 3");
}

#[test]
fn extra_key_policies() {
    let item = v(json!({"a": 1, "zzz": true, "b": 2}));
    let base = Schema::new().required("a", int()).required("b", int());
    let errors = base.clone().validate(item.clone()).unwrap_err();
    assert_eq!(errors.to_string(), "zzz: extra key not allowed");
    assert_eq!(
        base.clone()
            .extra(Extra::Allow)
            .validate(item.clone())
            .unwrap(),
        item
    );
    assert_eq!(
        base.extra(Extra::Remove).validate(item).unwrap(),
        v(json!({"a": 1, "b": 2}))
    );
}

#[test]
fn nested_schemas_report_full_paths() {
    let s = Schema::new()
        .required(
            "meta",
            Schema::new().required("owner", Schema::new().required("id", int())),
        )
        .required(
            "levels",
            list_of(
                Schema::new()
                    .required("name", str())
                    .optional("secret", bool()),
            ),
        );
    let item = v(json!({
        "meta": {"owner": {"id": "x"}},
        "levels": [{"name": "Hangar"}, {"name": 2, "secret": "no"}, {"extra": 1}]
    }));
    let errors = s.validate(item).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "levels[1].name: expected a string, got number 2\n\
         levels[1].secret: expected a boolean, got string \"no\"\n\
         levels[2].extra: extra key not allowed\n\
         levels[2].name: required key not provided\n\
         meta.owner.id: expected an integer, got string \"x\""
    );
    let under: Vec<String> = errors
        .under(&"levels[1]".parse().unwrap())
        .map(|e| e.path.to_string())
        .collect();
    assert_eq!(under, ["levels[1].name", "levels[1].secret"]);
    assert_eq!(errors.at("meta.owner.id").count(), 1);
}

#[test]
fn normalization_flows_through_nested_values() {
    let s = Schema::new()
        .required("episode", int().coerce())
        .required("tags", set_of(str().strip().lower()))
        .required("when", datetime());
    let out = s.validate(v(json!({"episode": "3", "tags": [" Doom ", "doom", "QUAKE"], "when": "1993-12-10T12:00:00-05:00"}))).unwrap();
    assert_eq!(out["episode"], Value::from(3));
    assert_eq!(
        out["tags"],
        Value::StringSet(Set::from(["doom".to_owned(), "quake".to_owned()]))
    );
    assert_eq!(out["when"], Value::from("1993-12-10T17:00:00.000000000Z"));
}

#[test]
fn a_non_map_is_a_type_error() {
    let errors = doom_map().validate(v(json!([1]))).unwrap_err();
    assert_eq!(errors.to_string(), "(root): expected a map, got list [1]");
}

#[test]
fn fields_are_introspectable() {
    let s = doom_map();
    let names: Vec<&str> = s.fields().map(Field::name).collect();
    assert_eq!(names, ["cheats", "episode", "map", "name"]);
    let cheats = s.get("cheats").unwrap();
    assert!(!cheats.is_required());
    assert_eq!(cheats.validator().output_type(), Some(ValueType::StringSet));
    assert_eq!(
        cheats.default_value(),
        Some(Value::StringSet(Set::from(["Konami".to_owned()])))
    );
    assert!(s.get("episode").unwrap().is_required());
    assert!(s.get("nope").is_none());
}

#[test]
fn validate_in_place_normalizes_where_the_value_stands() {
    let mut item = v(json!({"episode": 1, "map": 2, "name": "Nuclear Plant"}));
    doom_map().validate_in_place(&mut item).unwrap();
    assert!(item["cheats"].is_set());
}

#[test]
fn keys_that_share_their_first_bytes_are_told_apart() {
    let long = "x".repeat(263);
    let schema = Schema::new()
        .required("attribute_one", int())
        .optional("attribute_two", str())
        .optional("a", bool())
        .optional("ab", bool())
        .optional(long.clone(), int())
        .with_default("attribute", int(), 1);
    let name = |key: &str| schema.get(key).map(|f| f.name().to_owned());
    for key in ["attribute_one", "attribute_two", "attribute", "a", "ab"] {
        assert_eq!(name(key).as_deref(), Some(key));
    }
    assert_eq!(name(&long), Some(long.clone()));
    // Same length modulo 256 and same first bytes as the long key.
    assert_eq!(name(&"x".repeat(7)), None);
    assert_eq!(name("attribute_six"), None);
    assert_eq!(name("attribut"), None);
    assert_eq!(name(""), None);
    assert_eq!(
        schema.needed_keys(),
        2,
        "the required key and the defaulted one"
    );
}

proptest::proptest! {
    /// Whatever the names (short, long, sharing first bytes), `get` finds
    /// each field by its name and nothing by any other.
    #[test]
    fn every_field_is_found_by_its_name_only(
        names in proptest::collection::btree_set("[ab_]{0,9}", 1..40),
        probes in proptest::collection::vec("[ab_]{0,9}", 0..20),
    ) {
        let schema = names
            .iter()
            .fold(Schema::new(), |schema, name| schema.optional(name.as_str(), int()));
        for name in &names {
            proptest::prop_assert_eq!(schema.get(name).map(|f| f.name()), Some(name.as_str()));
        }
        for probe in probes.iter().filter(|p| !names.contains(*p)) {
            proptest::prop_assert!(schema.get(probe).is_none(), "{probe:?} found");
        }
    }
}
