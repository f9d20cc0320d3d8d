//! The fast load against the report load, on a model with nested
//! lists, maps, sets and options, and arbitrary stored items.

use std::collections::{BTreeSet, HashMap};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use validate::{Errors, Schema, float, int, list_of, maybe, set_of, str};

use super::*;
use crate::decode::report as load_report;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Nested {
    id: i64,
    tags: BTreeSet<String>,
    /// Absent reads as empty here, as in the whole path: which the
    /// schema refuses.
    #[serde(default)]
    sizes: BTreeSet<i64>,
    value: f64,
    notes: Vec<String>,
    meta: Meta,
    maybe: Option<i64>,
    #[serde(default)]
    code: Option<String>,
    /// Normalized by its validator (no plain form): its report check runs
    /// inside the fast load.
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Meta {
    unit: String,
    scale: i64,
    /// Absent reads as `None` here; the schema needs it.
    #[serde(default)]
    note: Option<String>,
}

impl Model for Nested {
    const TABLE: &'static str = "nested";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", int().range(0..))
            .required("tags", set_of(str().length(1..=4)))
            .optional("sizes", set_of(int()).length(1..))
            .required("value", float())
            .required("notes", list_of(str()))
            .required(
                "meta",
                Schema::new()
                    .required("unit", str().one_of(["C", "F"]))
                    .required("scale", int().range(1..=9))
                    .required("note", str()),
            )
            .required("maybe", maybe(int()))
            .optional("code", str().length(1..=3))
            .optional("kind", str().strip().lower().length(1..))
    }
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.to_owned())
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn valid() -> codec::Attributes {
    HashMap::from([
        ("id".to_owned(), n("7")),
        (
            "tags".to_owned(),
            AttributeValue::Ss(vec!["b".into(), "a".into()]),
        ),
        (
            "sizes".to_owned(),
            AttributeValue::Ns(vec!["3".into(), "1".into()]),
        ),
        ("value".to_owned(), n("21.5")),
        ("notes".to_owned(), AttributeValue::L(vec![s("x"), s("y")])),
        (
            "meta".to_owned(),
            AttributeValue::M(HashMap::from([
                ("unit".to_owned(), s("C")),
                ("scale".to_owned(), n("3")),
                ("note".to_owned(), s("n")),
            ])),
        ),
        ("maybe".to_owned(), AttributeValue::Null(true)),
    ])
}

#[test]
fn a_valid_item_loads_directly_as_the_whole_path_loads_it() -> Result<(), crate::Error> {
    let info = ModelInfo::of::<Nested>()?;
    let direct = checked::<Nested>(&valid(), &info);
    let whole = load_report::<Nested>(valid(), &info, "nested", Errors::new())?.into_inner();
    assert_eq!(direct.as_ref(), Some(&whole));
    assert_eq!(whole.tags, ["a", "b"].map(String::from).into());
    Ok(())
}

#[test]
fn what_is_not_certain_is_left_to_the_other_paths() -> Result<(), crate::Error> {
    let info = ModelInfo::of::<Nested>()?;
    let mut long = valid();
    long.insert("code".to_owned(), s("abcd"));
    assert_eq!(checked::<Nested>(&long, &info), None);
    let mut extra = valid();
    extra.insert(
        "meta".to_owned(),
        AttributeValue::M(HashMap::from([
            ("unit".to_owned(), s("C")),
            ("scale".to_owned(), n("3")),
            ("note".to_owned(), s("n")),
            ("extra".to_owned(), n("3")),
        ])),
    );
    assert_eq!(checked::<Nested>(&extra, &info), None);
    let mut sizes = valid();
    sizes.insert("sizes".to_owned(), AttributeValue::Ns(vec!["1.5".into()]));
    assert_eq!(checked::<Nested>(&sizes, &info), None);
    let mut bad = valid();
    bad.insert("value".to_owned(), n("not a number"));
    assert_eq!(checked::<Nested>(&bad, &info), None);
    let mut no_sizes = valid();
    no_sizes.remove("sizes");
    assert!(load_report::<Nested>(no_sizes.clone(), &info, "nested", Errors::new()).is_err());
    assert_eq!(
        checked::<Nested>(&no_sizes, &info),
        None,
        "an absent set reads as the empty set, which the schema refuses"
    );
    Ok(())
}

/// A model that reads fewer attributes than its schema holds it to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Fewer {
    id: i64,
}

impl Model for Fewer {
    const TABLE: &'static str = "fewer";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new().required("id", int()).required(
            "kept",
            list_of(Schema::new().required("code", str().length(1..=2))),
        )
    }
}

#[test]
fn attributes_the_model_does_not_read_are_checked_all_the_same() -> Result<(), crate::Error> {
    let info = ModelInfo::of::<Fewer>()?;
    let item = |code: &str| -> codec::Attributes {
        HashMap::from([
            ("id".to_owned(), n("1")),
            (
                "kept".to_owned(),
                AttributeValue::L(vec![AttributeValue::M(HashMap::from([(
                    "code".to_owned(),
                    s(code),
                )]))]),
            ),
        ])
    };
    assert_eq!(checked::<Fewer>(&item("ab"), &info), Some(Fewer { id: 1 }));
    assert!(load_report::<Fewer>(item("abc"), &info, "fewer", Errors::new()).is_err());
    assert_eq!(
        checked::<Fewer>(&item("abc"), &info),
        None,
        "too long, unread"
    );
    Ok(())
}

/// String set elements read into other shapes than `String`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Shapes {
    id: i64,
    colors: BTreeSet<Color>,
    names: Vec<Name>,
    maybe: Vec<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Color {
    Blue,
    Red,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Name(String);

impl Model for Shapes {
    const TABLE: &'static str = "shapes";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", int())
            .required("colors", set_of(str()))
            .required("names", set_of(str()))
            .required("maybe", set_of(str()))
    }
}

#[test]
fn string_set_elements_read_as_enums_newtypes_and_options_as_the_whole_path_reads_them()
-> Result<(), crate::Error> {
    let info = ModelInfo::of::<Shapes>()?;
    let set = |items: &[&str]| AttributeValue::Ss(items.iter().map(|i| (*i).to_owned()).collect());
    let item = |colors: &[&str]| -> codec::Attributes {
        HashMap::from([
            ("id".to_owned(), n("1")),
            ("colors".to_owned(), set(colors)),
            ("names".to_owned(), set(&["ann", "bo"])),
            ("maybe".to_owned(), set(&["x"])),
        ])
    };
    let good = item(&["Blue", "Red"]);
    let direct = checked::<Shapes>(&good, &info);
    let whole = load_report::<Shapes>(good, &info, "shapes", Errors::new())?.into_inner();
    assert_eq!(direct.as_ref(), Some(&whole));
    assert_eq!(whole.names, [Name("ann".into()), Name("bo".into())]);
    assert_eq!(whole.maybe, [Some("x".to_owned())]);
    // Not a variant: neither path reads it.
    let bad = item(&["Green"]);
    assert_eq!(checked::<Shapes>(&bad, &info), None);
    assert!(load_report::<Shapes>(bad, &info, "shapes", Errors::new()).is_err());
    Ok(())
}

fn mutated(attribute: AttributeValue) -> impl Strategy<Value = Option<AttributeValue>> {
    prop_oneof![
        8 => Just(Some(attribute)),
        1 => Just(None),
        1 => prop_oneof![
            Just(n("2.5")),
            Just(n("0")),
            Just(n("-4")),
            Just(n("1e400")),
            Just(n("-0")),
            Just(n("0.1")),
            Just(n("1234567890.12345")),
            Just(n("123456789012345.67")),
            Just(n("99999999999999999999")),
            Just(s("")),
            Just(s("F")),
            Just(s("abcde")),
            Just(AttributeValue::Null(true)),
            Just(AttributeValue::Bool(true)),
            Just(AttributeValue::Ss(vec!["abcdef".into()])),
            Just(AttributeValue::Ss(vec!["a".into(), "c".into()])),
            Just(AttributeValue::Ss(vec!["c".into(), "a".into()])),
            Just(AttributeValue::Ss(vec!["a".into(), "a".into()])),
            Just(AttributeValue::Ns(vec!["1.5".into()])),
            Just(AttributeValue::L(vec![n("1"), s("a")])),
            Just(AttributeValue::M(HashMap::from([("unit".to_owned(), s("K"))]))),
            Just(AttributeValue::M(HashMap::from([
                ("unit".to_owned(), s("F")),
                ("scale".to_owned(), n("2")),
            ]))),
            Just(AttributeValue::M(HashMap::from([
                ("unit".to_owned(), s("F")),
                ("scale".to_owned(), n("9")),
                ("extra".to_owned(), n("1")),
            ]))),
        ]
        .prop_map(Some),
    ]
}

fn stored() -> impl Strategy<Value = codec::Attributes> {
    let mut entries: Vec<(String, AttributeValue)> = valid().into_iter().collect();
    entries.push(("code".to_owned(), s("AB")));
    entries.push(("kind".to_owned(), s(" Fast ")));
    entries.push(("stray".to_owned(), n("1")));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
        .into_iter()
        .map(|(name, a)| mutated(a).prop_map(move |m| m.map(|m| (name.clone(), m))))
        .collect::<Vec<_>>()
        .prop_map(|entries| entries.into_iter().flatten().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn direct_load_matches_the_whole_item_path(attributes in stored()) {
        let info = ModelInfo::of::<Nested>().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let whole = load_report::<Nested>(attributes.clone(), &info, "nested", Errors::new());
        match checked::<Nested>(&attributes, &info) {
            Some(direct) => {
                let whole = whole.map(|w| w.into_inner()).map_err(|e| e.to_string());
                prop_assert_eq!(Ok(direct), whole);
            }
            // The fast load refuses only what the report path refuses.
            None => prop_assert!(whole.is_err(), "the fast load refused a valid item: {:?}", attributes),
        }
    }
}

#[test]
fn a_value_the_model_cannot_read_is_named_with_its_path() {
    let mut attributes = valid();
    attributes.insert(
        "meta".to_owned(),
        AttributeValue::M(HashMap::from([
            ("unit".to_owned(), s("C")),
            ("scale".to_owned(), s("high")),
        ])),
    );
    attributes.insert("notes".to_owned(), AttributeValue::L(vec![s("a"), n("1")]));
    for (name, path) in [("meta", "meta.scale: "), ("notes", "notes[1]: ")] {
        let mut item = valid();
        item.insert(name.to_owned(), attributes[name].clone());
        let value = codec::from_item(&item).map(|v| validate::from_value::<Nested>(v).map(|_| ()));
        let error = value.map(|r| r.map_err(|e| e.to_string()));
        assert!(
            matches!(&error, Ok(Err(e)) if e.starts_with(path)),
            "{name}: {error:?}"
        );
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Sets {
    id: i64,
    plain: BTreeSet<String>,
    normalized: BTreeSet<String>,
    inner: Inner,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Inner {
    set: BTreeSet<i64>,
}

impl Model for Sets {
    const TABLE: &'static str = "sets";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", int())
            .required("plain", set_of(str()))
            // No plain form: read by its report check, which would take a
            // list as a set.
            .required("normalized", set_of(str().lower()))
            .required("inner", Schema::new().required("set", set_of(int())))
    }
}

/// The fast load passes no item `sets::misstored` would name (so the walk
/// for one runs only when it refuses): a list stored where a checked
/// field, a nested field or a field read by its report check declares a
/// set is refused.
#[test]
fn a_list_stored_for_a_set_is_never_loaded_fast() -> Result<(), crate::Error> {
    let info = ModelInfo::of::<Sets>()?;
    let set = |items: &[&str]| AttributeValue::Ss(items.iter().map(|s| (*s).to_owned()).collect());
    let good = HashMap::from([
        ("id".to_owned(), n("1")),
        ("plain".to_owned(), set(&["a"])),
        ("normalized".to_owned(), set(&["b"])),
        (
            "inner".to_owned(),
            AttributeValue::M(HashMap::from([(
                "set".to_owned(),
                AttributeValue::Ns(vec!["1".into()]),
            )])),
        ),
    ]);
    assert!(checked::<Sets>(&good, &info).is_some());
    assert!(sets::misstored(&good, &info).is_empty());
    let listed = AttributeValue::L(vec![s("a"), s("a")]);
    let nested_list = AttributeValue::M(HashMap::from([(
        "set".to_owned(),
        AttributeValue::L(vec![n("1"), n("1")]),
    )]));
    for (name, stored) in [
        ("plain", listed.clone()),
        ("normalized", listed),
        ("inner", nested_list),
    ] {
        let mut bad = good.clone();
        bad.insert(name.to_owned(), stored);
        assert_eq!(checked::<Sets>(&bad, &info), None, "{name}");
        assert!(!sets::misstored(&bad, &info).is_empty(), "{name}");
    }
    Ok(())
}
