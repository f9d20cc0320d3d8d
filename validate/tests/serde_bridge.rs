//! The serde bridge and JSON conversion: examples and round-trip properties.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use validate::{Error, Number, Schema, Set, Value, from_value, int, set_of, str, to_value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Difficulty {
    Easy,
    Nightmare { respawn: bool },
    Custom(u8),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Level {
    episode: u8,
    map: i64,
    name: String,
    #[serde(with = "validate::set")]
    cheats: BTreeSet<String>,
    #[serde(with = "validate::set")]
    scores: BTreeSet<i64>,
    tags: Vec<String>,
    rating: f64,
    secret: Option<String>,
    #[serde(with = "serde_bytes")]
    thumbnail: Vec<u8>,
    difficulty: Difficulty,
    extra: BTreeMap<String, i32>,
    flag: bool,
}

fn level() -> Level {
    Level {
        episode: 1,
        map: 1,
        name: "Hangar".into(),
        cheats: ["idkfa".to_owned(), "iddqd".to_owned()].into(),
        scores: [3, 1].into(),
        tags: vec!["a".into(), "a".into()],
        rating: 0.1,
        secret: None,
        thumbnail: vec![0, 255],
        difficulty: Difficulty::Nightmare { respawn: true },
        extra: [("k".to_owned(), -1)].into(),
        flag: false,
    }
}

#[test]
fn structs_map_to_dynamodb_types() {
    let value = to_value(&level()).unwrap();
    assert_eq!(
        value["cheats"],
        Value::StringSet(Set::from(["iddqd".to_owned(), "idkfa".to_owned()]))
    );
    assert_eq!(
        value["scores"],
        Value::NumberSet(Set::from([Number::from(1), Number::from(3)]))
    );
    assert!(value["tags"].is_list());
    assert_eq!(value["thumbnail"], Value::Binary(vec![0, 255]));
    assert_eq!(
        value["rating"].as_number().map(ToString::to_string),
        Some("0.1".to_owned())
    );
    // None is an absent attribute, not NULL.
    assert!(value.get("secret").is_none());
    assert_eq!(
        value["difficulty"]["Nightmare"]["respawn"],
        Value::Bool(true)
    );
    assert_eq!(from_value::<Level>(value).unwrap(), level());
}

#[test]
fn hash_sets_without_the_helper_become_sets_through_the_schema() {
    #[derive(Serialize)]
    struct Plain {
        cheats: HashSet<String>,
    }
    let value = to_value(&Plain {
        cheats: ["idkfa".to_owned()].into(),
    })
    .unwrap();
    assert!(value["cheats"].is_list());
    let normalized = Schema::new()
        .required("cheats", set_of(str()))
        .validate(value)
        .unwrap();
    assert_eq!(
        normalized["cheats"],
        Value::StringSet(Set::from(["idkfa".to_owned()]))
    );
}

#[test]
fn a_plain_vec_of_bytes_is_binary_where_the_schema_says_bytes() {
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Blob {
        data: Vec<u8>,
    }
    let schema = Schema::new().required("data", validate::bytes());
    let blob = Blob {
        data: vec![0, 7, 255],
    };
    let stored = schema.validate(to_value(&blob).unwrap()).unwrap();
    assert_eq!(stored["data"], Value::Binary(vec![0, 7, 255]));
    assert_eq!(from_value::<Blob>(stored).unwrap(), blob);
    // Not bytes: a number past 255 is an error, not a wrapped byte.
    let bad = Value::List(vec![Value::from(256)]);
    let errors = validate::bytes().validate(bad).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "(root): expected binary, got list [256]"
    );
}

#[test]
fn numbers_convert_exactly_or_fail_loudly() {
    #[derive(Debug, Deserialize)]
    struct Small {
        #[allow(dead_code)]
        n: u8,
    }
    let err =
        from_value::<Small>(Value::Map([("n".to_owned(), Value::from(300))].into())).unwrap_err();
    assert_eq!(err.to_string(), "n: number 300 does not fit u8");
    let err = from_value::<Small>(Value::Map(
        [("n".to_owned(), Value::Number("1.5".parse().unwrap()))].into(),
    ))
    .unwrap_err();
    assert_eq!(err.to_string(), "n: number 1.5 is not an integer");
    let precise: Number = "0.1234567890123456789".parse().unwrap();
    assert!(from_value::<f64>(Value::Number(precise)).is_err());
    assert!(matches!(to_value(&f64::NAN), Err(Error::Number { .. })));
    assert_eq!(
        from_value::<f32>(Value::Number("0.1".parse().unwrap())).unwrap(),
        0.1f32
    );
}

#[test]
fn errors_name_the_path() {
    #[derive(Debug, Deserialize)]
    struct Outer {
        #[allow(dead_code)]
        levels: Vec<Inner>,
    }
    #[derive(Debug, Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        map: i64,
    }
    let value: Value = serde_json::json!({"levels": [{"map": 1}, {"map": "two"}]})
        .try_into()
        .unwrap();
    let err = from_value::<Outer>(value).unwrap_err();
    assert_eq!(
        err.to_string(),
        "levels[1].map: invalid type: string \"two\", expected i64"
    );
}

#[test]
fn json_round_trips() {
    let json = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
    let value = Value::try_from(json.clone()).unwrap();
    assert_eq!(value.to_json().unwrap(), json);
    let set = Value::NumberSet(Set::from([Number::from(2), Number::from(1)]));
    assert_eq!(set.to_json().unwrap(), serde_json::json!([1, 2]));
    assert_eq!(
        Value::Binary(b"hi".to_vec()).to_json().unwrap(),
        serde_json::json!("aGk=")
    );
    let deep: Value = [(
        "n",
        Value::Number("1.23456789012345678901234567890".parse().unwrap()),
    )]
    .into_iter()
    .collect();
    assert_eq!(
        deep.to_json().unwrap_err().to_string(),
        "n: number 1.2345678901234567890123456789 cannot be represented exactly as a JSON number (f64)"
    );
}

#[test]
fn serde_json_value_round_trips_through_value() {
    let json = serde_json::json!({"k": [1, {"z": false}], "s": "t"});
    let value = to_value(&json).unwrap();
    let back: serde_json::Value = from_value(value).unwrap();
    assert_eq!(back, json);
}

#[test]
fn schema_output_deserializes() {
    let s = Schema::new().required("map", int().coerce());
    #[derive(Deserialize)]
    struct M {
        map: i32,
    }
    let m: M = from_value(
        s.validate(serde_json::json!({"map": "7"}).try_into().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(m.map, 7);
}

fn arb_difficulty() -> impl Strategy<Value = Difficulty> {
    prop_oneof![
        Just(Difficulty::Easy),
        any::<bool>().prop_map(|respawn| Difficulty::Nightmare { respawn }),
        any::<u8>().prop_map(Difficulty::Custom)
    ]
}

prop_compose! {
    fn arb_level()(
        episode in any::<u8>(),
        map in any::<i64>(),
        name in ".*",
        cheats in prop::collection::btree_set("[a-z]{0,8}", 0..5),
        scores in prop::collection::btree_set(any::<i64>(), 0..5),
        tags in prop::collection::vec(".{0,4}", 0..4),
        rating in prop::num::f64::NORMAL.prop_filter("within DynamoDB's range", |f| f.abs() < 1e120 && f.abs() > 1e-120),
        secret in proptest::option::of(".{0,6}"),
        thumbnail in prop::collection::vec(any::<u8>(), 0..16),
        difficulty in arb_difficulty(),
        extra in prop::collection::btree_map("[a-z]{1,4}", any::<i32>(), 0..4),
        flag in any::<bool>(),
    ) -> Level {
        Level { episode, map, name, cheats, scores, tags, rating, secret, thumbnail, difficulty, extra, flag }
    }
}

proptest! {
    #[test]
    fn from_value_inverts_to_value(level in arb_level()) {
        let value = to_value(&level).unwrap();
        prop_assert_eq!(from_value::<Level>(value).unwrap(), level);
    }

    #[test]
    fn number_text_round_trips(mantissa in any::<i64>(), scale in -60i32..60, extra in 0u32..20) {
        let text = format!("{mantissa}{}e{scale}", "0".repeat(extra as usize));
        let n: Number = text.parse().unwrap();
        let printed = n.to_string();
        prop_assert_eq!(printed.parse::<Number>().unwrap(), n);
        // Printing is canonical: equal numbers print alike.
        let again: Number = format!("{mantissa}e{}", scale + extra as i32).parse().unwrap();
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn number_order_matches_f64_order(a in -1e15f64..1e15, b in -1e15f64..1e15) {
        let (x, y) = (Number::try_from(a).unwrap(), Number::try_from(b).unwrap());
        prop_assert_eq!(x.cmp(&y), a.partial_cmp(&b).unwrap());
    }

    #[test]
    fn integers_round_trip_exactly(i in any::<i64>(), u in any::<u64>()) {
        prop_assert_eq!(Number::from(i).as_i64(), Some(i));
        prop_assert_eq!(Number::from(u).as_u64(), Some(u));
        prop_assert_eq!(Number::from(i).to_string(), i.to_string());
    }

    #[test]
    fn floats_round_trip_exactly(f in prop::num::f64::NORMAL.prop_filter("range", |f| f.abs() < 1e120 && f.abs() > 1e-120)) {
        let n = Number::try_from(f).unwrap();
        prop_assert_eq!(n.as_f64(), Some(f));
    }

    #[test]
    fn as_f64_agrees_with_printing_and_parsing(mantissa in -999_999_999_999_999i64..1_000_000_000_000_000, scale in -40i32..40) {
        // The fast path must give exactly what the definition says: the f64
        // the text parses to, when that f64 prints back as the same number.
        let n: Number = format!("{mantissa}e{scale}").parse().unwrap();
        let parsed: f64 = n.to_string().parse().unwrap();
        let expected = (Number::try_from(parsed).ok() == Some(n)).then_some(parsed);
        prop_assert_eq!(n.as_f64(), expected);
    }

    #[test]
    fn dfa_and_regex_agree(s in "[a-zA-Z0-9 !é]{0,12}") {
        for pattern in [r"^id[a-z]+$", r"[0-9]{2}", r"^$", r"é|!", r"^\w+$"] {
            let expected = regex::Regex::new(pattern).unwrap().is_match(&s);
            let got = validate::matches(pattern).validate(Value::from(s.as_str())).is_ok();
            prop_assert_eq!(got, expected, "pattern {} on {:?}", pattern, s);
        }
    }
}
