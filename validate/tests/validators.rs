//! Table-driven ok and failing cases for every validator.

mod common;

use common::{fails, ok, v};
use serde_json::json;
use validate::*;

#[test]
fn type_checks() {
    ok(&int(), v(json!(3)), v(json!(3)));
    ok(&int(), v(json!(3.0)), v(json!(3)));
    fails(
        &int(),
        v(json!(3.5)),
        ErrorKind::Type,
        "(root)",
        "expected an integer, got number 3.5",
    );
    fails(
        &int(),
        v(json!("3")),
        ErrorKind::Type,
        "(root)",
        "expected an integer, got string \"3\"",
    );
    ok(&number(), v(json!(3.5)), v(json!(3.5)));
    ok(&float(), v(json!(-2)), v(json!(-2)));
    fails(
        &number(),
        Value::Null,
        ErrorKind::Type,
        "(root)",
        "expected a number, got null",
    );
    ok(&str(), v(json!("a")), v(json!("a")));
    fails(
        &str(),
        v(json!(1)),
        ErrorKind::Type,
        "(root)",
        "expected a string, got number 1",
    );
    ok(&bool(), v(json!(true)), v(json!(true)));
    fails(
        &bool(),
        v(json!("yes")),
        ErrorKind::Type,
        "(root)",
        "expected a boolean, got string \"yes\"",
    );
    ok(
        &bytes(),
        Value::Binary(vec![1, 2]),
        Value::Binary(vec![1, 2]),
    );
    // A list of bytes (a plain `Vec<u8>` serialized) is binary; other lists are not.
    ok(&bytes(), v(json!([1, 255])), Value::Binary(vec![1, 255]));
    fails(
        &bytes(),
        v(json!([1, -1])),
        ErrorKind::Type,
        "(root)",
        "expected binary, got list [1, -1]",
    );
    ok(&null(), Value::Null, Value::Null);
    fails(
        &null(),
        v(json!(0)),
        ErrorKind::Type,
        "(root)",
        "expected null, got number 0",
    );
    ok(&anything(), v(json!({"a": [1]})), v(json!({"a": [1]})));
}

#[test]
fn long_values_are_truncated_in_messages() {
    let long = "x".repeat(500);
    let err = int().validate(Value::from(long.as_str())).unwrap_err();
    let message = err.iter().next().unwrap().message.to_string();
    assert!(message.len() < 80, "{message}");
    assert!(message.ends_with('…'), "{message}");
}

#[test]
fn coercion_is_exact() {
    ok(&int().coerce(), v(json!("42")), v(json!(42)));
    ok(&int().coerce(), v(json!(" 7 ")), v(json!(7)));
    ok(&int().coerce(), v(json!(true)), v(json!(1)));
    fails(
        &int().coerce(),
        v(json!("4.5")),
        ErrorKind::Type,
        "(root)",
        "cannot coerce string \"4.5\" to an integer: it is not a whole number",
    );
    fails(
        &int().coerce(),
        v(json!(4.5)),
        ErrorKind::Type,
        "(root)",
        "cannot coerce number 4.5 to an integer: it has a fractional part",
    );
    fails(
        &int().coerce(),
        v(json!("abc")),
        ErrorKind::Type,
        "(root)",
        "cannot coerce string \"abc\" to an integer: it is not a number",
    );
    fails(
        &number().coerce(),
        v(json!("1e999")),
        ErrorKind::Range,
        "(root)",
        "cannot coerce string \"1e999\" to a number: it is outside DynamoDB's range 1E-130 to 9.99E+125",
    );
    ok(&number().coerce(), v(json!("2.50")), v(json!(2.5)));
    ok(&str().coerce(), v(json!(12.5)), v(json!("12.5")));
    ok(&str().coerce(), v(json!(false)), v(json!("false")));
    fails(
        &str().coerce(),
        v(json!([1])),
        ErrorKind::Type,
        "(root)",
        "expected a string, got list [1]",
    );
    ok(
        &bytes().coerce(),
        v(json!("hi")),
        Value::Binary(b"hi".to_vec()),
    );
}

#[test]
fn boolean_reads_human_words() {
    for (word, expected) in [
        ("yes", true),
        ("No", false),
        ("ON", true),
        ("off", false),
        ("1", true),
        ("0", false),
        ("true", true),
        ("False", false),
        ("enable", true),
        ("n", false),
    ] {
        ok(&boolean(), v(json!(word)), Value::Bool(expected));
    }
    ok(&boolean(), v(json!(1)), Value::Bool(true));
    ok(&boolean(), v(json!(false)), Value::Bool(false));
    fails(
        &boolean(),
        v(json!("maybe")),
        ErrorKind::Format,
        "(root)",
        "expected a boolean (true/false, yes/no, on/off, 1/0), got string \"maybe\"",
    );
    fails(
        &boolean(),
        v(json!(2)),
        ErrorKind::Format,
        "(root)",
        "expected a boolean (true/false, yes/no, on/off, 1/0), got number 2",
    );
}

#[test]
fn ranges_and_clamps() {
    let r = int().range(1..=4);
    ok(&r, v(json!(1)), v(json!(1)));
    ok(&r, v(json!(4)), v(json!(4)));
    fails(
        &r,
        v(json!(5)),
        ErrorKind::Range,
        "(root)",
        "5 is out of range 1..=4",
    );
    fails(
        &r,
        v(json!(0)),
        ErrorKind::Range,
        "(root)",
        "0 is out of range 1..=4",
    );
    let half_open = number().range(0.0..10.0);
    ok(&half_open, v(json!(9.99)), v(json!(9.99)));
    fails(
        &half_open,
        v(json!(10)),
        ErrorKind::Range,
        "(root)",
        "10 is out of range 0..10",
    );
    fails(
        &range(5..),
        v(json!(4)),
        ErrorKind::Range,
        "(root)",
        "4 is out of range 5..",
    );
    fails(
        &range(..=-1),
        v(json!(0)),
        ErrorKind::Range,
        "(root)",
        "0 is out of range ..=-1",
    );
    fails(
        &range(1..=4),
        v(json!("2")),
        ErrorKind::Type,
        "(root)",
        "expected a number, got string \"2\"",
    );
    let c = number().clamp(0..=10);
    ok(&c, v(json!(-3)), v(json!(0)));
    ok(&c, v(json!(11.5)), v(json!(10)));
    ok(&c, v(json!(5)), v(json!(5)));
    ok(&clamp(..=1.5), v(json!(2)), v(json!(1.5)));
}

#[test]
fn lengths_count_characters_bytes_and_elements() {
    let l = length(1..=3);
    ok(&l, v(json!("abc")), v(json!("abc")));
    ok(&l, v(json!("ééé")), v(json!("ééé")));
    fails(
        &l,
        v(json!("")),
        ErrorKind::Length,
        "(root)",
        "length 0 is out of range 1..=3",
    );
    fails(
        &l,
        v(json!("abcd")),
        ErrorKind::Length,
        "(root)",
        "length 4 is out of range 1..=3",
    );
    fails(
        &l,
        v(json!([1, 2, 3, 4])),
        ErrorKind::Length,
        "(root)",
        "length 4 is out of range 1..=3",
    );
    fails(
        &l,
        v(json!({})),
        ErrorKind::Length,
        "(root)",
        "length 0 is out of range 1..=3",
    );
    ok(&l, Value::Binary(vec![0; 3]), Value::Binary(vec![0; 3]));
    ok(
        &length(2..),
        Value::StringSet(Set::from(["a".to_owned(), "b".to_owned()])),
        Value::StringSet(Set::from(["a".to_owned(), "b".to_owned()])),
    );
    fails(
        &l,
        v(json!(12)),
        ErrorKind::Type,
        "(root)",
        "expected a string, binary or collection, got number 12",
    );
}

#[test]
fn patterns_and_substitution() {
    let m = str().matches(r"^id[a-z]+$");
    ok(&m, v(json!("idkfa")), v(json!("idkfa")));
    fails(
        &m,
        v(json!("IDKFA")),
        ErrorKind::Pattern,
        "(root)",
        "\"IDKFA\" does not match ^id[a-z]+$",
    );
    fails(
        &m,
        v(json!("idkfa!")),
        ErrorKind::Pattern,
        "(root)",
        "\"idkfa!\" does not match ^id[a-z]+$",
    );
    // Searched, as Regex::is_match: unanchored patterns match inside.
    ok(&matches("kfa"), v(json!("idkfa")), v(json!("idkfa")));
    // Patterns the DFA cannot take still work through the full engine.
    let word = matches(r"\bdoom\b");
    ok(&word, v(json!("the doom map")), v(json!("the doom map")));
    fails(
        &word,
        v(json!("doomed")),
        ErrorKind::Pattern,
        "(root)",
        "\"doomed\" does not match \\bdoom\\b",
    );
    ok(&matches(r"^\p{Greek}+$"), v(json!("αβγ")), v(json!("αβγ")));
    ok(&sub(r"\s+", " "), v(json!("a  b \t c")), v(json!("a b c")));
    ok(
        &sub(r"(\d+)-(\d+)", "$2-$1"),
        v(json!("1-2")),
        v(json!("2-1")),
    );
    fails(
        &sub("a", "b"),
        v(json!(1)),
        ErrorKind::Type,
        "(root)",
        "expected a string, got number 1",
    );
}

#[test]
fn case_and_whitespace_transforms() {
    ok(&lower(), v(json!("DooM")), v(json!("doom")));
    ok(&upper(), v(json!("DooM")), v(json!("DOOM")));
    ok(&title(), v(json!("doom MAP two")), v(json!("Doom Map Two")));
    ok(&capitalize(), v(json!("doom MAP")), v(json!("Doom map")));
    ok(&strip(), v(json!("  doom \n")), v(json!("doom")));
    ok(
        &str().strip().lower(),
        v(json!(" IDKFA ")),
        v(json!("idkfa")),
    );
    fails(
        &lower(),
        v(json!(true)),
        ErrorKind::Type,
        "(root)",
        "expected a string, got boolean true",
    );
}

#[test]
fn membership() {
    let o = one_of(["a", "b"]);
    ok(&o, v(json!("a")), v(json!("a")));
    fails(
        &o,
        v(json!("c")),
        ErrorKind::NotOneOf,
        "(root)",
        "\"c\" is not one of [\"a\", \"b\"]",
    );
    ok(&literal(7), v(json!(7)), v(json!(7)));
    fails(
        &literal(7),
        v(json!(7.5)),
        ErrorKind::NotOneOf,
        "(root)",
        "7.5 is not one of [7]",
    );
    let n = not_one_of(["root", "admin"]);
    ok(&n, v(json!("doomguy")), v(json!("doomguy")));
    fails(
        &n,
        v(json!("root")),
        ErrorKind::OneOf,
        "(root)",
        "\"root\" is one of the forbidden [\"root\", \"admin\"]",
    );
    // Every allowed value, none cut (regression: the list was cut after
    // 40 characters, `["pending", "paid", "shipped", "cancelled…]`).
    let status = one_of(["pending", "paid", "shipped", "cancelled", "refunded"]);
    fails(
        &status,
        v(json!("lost")),
        ErrorKind::NotOneOf,
        "(root)",
        "\"lost\" is not one of [\"pending\", \"paid\", \"shipped\", \"cancelled\", \"refunded\"]",
    );
    let many: Vec<String> = (0..25).map(|i| format!("v{i}")).collect();
    let err = one_of(many)
        .validate(v(json!("x")))
        .err()
        .map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("\"v19\", and 5 more]")),
        "{err:?}"
    );
}

#[test]
fn combinators() {
    let a = all([coerce_int(), range(1..=4)]);
    ok(&a, v(json!("3")), v(json!(3)));
    fails(
        &a,
        v(json!("9")),
        ErrorKind::Range,
        "(root)",
        "9 is out of range 1..=4",
    );
    let either = any([int(), str().matches("^[0-9]+$")]);
    ok(&either, v(json!(3)), v(json!(3)));
    ok(&either, v(json!("12")), v(json!("12")));
    fails(
        &either,
        v(json!("x")),
        ErrorKind::NoneMatched,
        "(root)",
        "no alternative matched: expected an integer, got string \"x\"; \"x\" does not match ^[0-9]+$",
    );
    // The first alternative that passes gives the output.
    ok(&any([int().coerce(), str()]), v(json!("5")), v(json!(5)));
    ok(&int().or(null()), Value::Null, Value::Null);
    let m = maybe(int());
    ok(&m, Value::Null, Value::Null);
    ok(&m, v(json!(2)), v(json!(2)));
    fails(
        &m,
        v(json!("2")),
        ErrorKind::Type,
        "(root)",
        "expected an integer, got string \"2\"",
    );
    let custom_message = msg(int().range(1..=4), "episode must be 1 to 4");
    fails(
        &custom_message,
        v(json!(9)),
        ErrorKind::Range,
        "(root)",
        "episode must be 1 to 4",
    );
    fails(
        &int().msg("whole numbers only"),
        v(json!(1.5)),
        ErrorKind::Type,
        "(root)",
        "whole numbers only",
    );
}

fn coerce_int() -> Validator {
    int().coerce()
}

#[test]
fn truth() {
    ok(&is_true(), v(json!(1)), v(json!(1)));
    ok(&is_true(), v(json!("x")), v(json!("x")));
    fails(
        &is_true(),
        v(json!([])),
        ErrorKind::Truth,
        "(root)",
        "[] is not true",
    );
    ok(&is_false(), v(json!(0)), v(json!(0)));
    ok(&is_false(), Value::Null, Value::Null);
    fails(
        &is_false(),
        v(json!("no")),
        ErrorKind::Truth,
        "(root)",
        "\"no\" is not false",
    );
}

#[test]
fn formats() {
    ok(
        &url(),
        v(json!("https://example.com/a?b=c")),
        v(json!("https://example.com/a?b=c")),
    );
    fails(
        &url(),
        v(json!("example.com")),
        ErrorKind::Format,
        "(root)",
        "\"example.com\" is not a URL: relative URL without a base",
    );
    fails(
        &url(),
        v(json!("mailto:a@b.c")),
        ErrorKind::Format,
        "(root)",
        "\"mailto:a@b.c\" is not a URL: it has no host",
    );
    ok(
        &email(),
        v(json!("doom.guy+1@id-software.com")),
        v(json!("doom.guy+1@id-software.com")),
    );
    for bad in [
        "doomguy",
        "@id.com",
        "a b@id.com",
        "a@id",
        "a@-id.com",
        "a@id..com",
    ] {
        let errors = email().validate(v(json!(bad))).unwrap_err();
        assert_eq!(
            errors.iter().next().unwrap().kind,
            ErrorKind::Format,
            "{bad}"
        );
    }
    ok(
        &datetime(),
        v(json!("2026-11-24T08:30:00+01:00")),
        v(json!("2026-11-24T07:30:00.000000000Z")),
    );
    ok(
        &datetime(),
        v(json!("1993-12-10T00:00:00.5Z")),
        v(json!("1993-12-10T00:00:00.500000000Z")),
    );
    fails(
        &datetime(),
        v(json!("2026-13-01T00:00:00Z")),
        ErrorKind::Format,
        "(root)",
        "\"2026-13-01T00:00:00Z\" is not a datetime: month must be in the range 1..=12",
    );
}

#[test]
fn datetimes_sort_as_text_in_time_order() {
    let times = [
        "1999-12-31T23:59:59.999Z",
        "2000-01-01T00:00:00Z",
        "2000-01-01T00:30:00+01:00",
        "2000-01-01T00:00:01Z",
    ];
    let normalized: Vec<String> = times
        .iter()
        .map(|t| {
            datetime()
                .validate(v(json!(t)))
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // 00:30+01:00 is 23:30 on Dec 31st.
    let mut sorted = normalized.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            normalized[2].clone(),
            normalized[0].clone(),
            normalized[1].clone(),
            normalized[3].clone()
        ]
    );
}

#[test]
fn custom_rules_and_transforms() {
    let even = int().then(custom(|v: &Value| match v.as_i64() {
        Some(n) if n % 2 == 0 => Ok(()),
        _ => Err(Invalid::with_code("even", "must be even")),
    }));
    ok(&even, v(json!(4)), v(json!(4)));
    fails(
        &even,
        v(json!(3)),
        ErrorKind::Custom("even".into()),
        "(root)",
        "must be even",
    );
    let plain = custom(|v: &Value| if v.is_null() { Err("no nulls") } else { Ok(()) });
    fails(
        &plain,
        Value::Null,
        ErrorKind::Custom("custom".into()),
        "(root)",
        "no nulls",
    );
    let doubled = int().then(transform(|v: Value| match v.as_i64() {
        Some(n) => Ok(Value::from(n * 2)),
        None => Err(Invalid::new("not an integer")),
    }));
    ok(&doubled, v(json!(21)), v(json!(42)));
}

#[test]
fn lists_report_every_bad_element() {
    let l = list_of(int().range(0..=9));
    ok(&l, v(json!([1, 2])), v(json!([1, 2])));
    let errors = l.validate(v(json!([1, "x", 10, 3]))).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "[1]: expected an integer, got string \"x\"\n[2]: 10 is out of range 0..=9"
    );
    fails(
        &l,
        v(json!({"a": 1})),
        ErrorKind::Type,
        "(root)",
        "expected a list, got map {\"a\": 1}",
    );
}

#[test]
fn sets_of_strings_numbers_and_binary() {
    let s = set_of(str().matches("^id"));
    let cheats = Value::StringSet(Set::from([
        "iddqd".to_owned(),
        "konami".to_owned(),
        "idkfa".to_owned(),
        "xyzzy".to_owned(),
    ]));
    let errors = s.validate(cheats).unwrap_err();
    // Sets are sorted: iddqd, idkfa, konami, xyzzy.
    assert_eq!(
        errors.to_string(),
        "[2]: \"konami\" does not match ^id\n[3]: \"xyzzy\" does not match ^id"
    );
    // Lists become sets, duplicates merge.
    ok(
        &s,
        v(json!(["idb", "ida", "idb"])),
        Value::StringSet(Set::from(["ida".to_owned(), "idb".to_owned()])),
    );
    ok(
        &set_of(int()),
        v(json!([3, 1, 1.0])),
        Value::NumberSet(Set::from([Number::from(1), Number::from(3)])),
    );
    ok(
        &set_of(bytes()),
        Value::List(vec![Value::Binary(vec![2]), Value::Binary(vec![1])]),
        Value::BinarySet(Set::from([vec![1], vec![2]])),
    );
    // Element normalization that merges elements keeps a set.
    ok(
        &set_of(str().lower()),
        Value::StringSet(Set::from(["A".to_owned(), "a".to_owned()])),
        Value::StringSet(Set::from(["a".to_owned()])),
    );
    // Coercion can change the set's type.
    ok(
        &set_of(int().coerce()),
        Value::StringSet(Set::from(["2".to_owned(), "10".to_owned()])),
        Value::NumberSet(Set::from([Number::from(2), Number::from(10)])),
    );
    fails(
        &set_of(anything()),
        v(json!([1, "a"])),
        ErrorKind::Set,
        "(root)",
        "set elements must be all strings, all numbers or all binary",
    );
    fails(
        &set_of(anything()),
        v(json!([[1]])),
        ErrorKind::Set,
        "(root)",
        "set elements must be all strings, all numbers or all binary",
    );
    fails(
        &s,
        v(json!("iddqd")),
        ErrorKind::Type,
        "(root)",
        "expected a set, got string \"iddqd\"",
    );
    // An empty list becomes the set type the elements would have.
    ok(
        &set_of(number()),
        v(json!([])),
        Value::NumberSet(Set::new()),
    );
}

#[test]
fn empty_sets_are_refused_only_where_dynamodb_cannot_omit_them() {
    let in_map = Schema::new().required("tags", set_of(str()));
    let expected: Value = [("tags", Value::StringSet(Set::new()))]
        .into_iter()
        .collect();
    ok(&in_map.into(), v(json!({"tags": []})), expected);
    let in_list = list_of(set_of(str()));
    fails(
        &in_list,
        v(json!([["a"], []])),
        ErrorKind::Set,
        "[1]",
        "an empty set cannot be stored inside a list",
    );
}

#[test]
fn maps_of_keys_and_values() {
    let m = map_of(str().matches("^[a-z]+$"), int());
    ok(&m, v(json!({"a": 1, "b": 2})), v(json!({"a": 1, "b": 2})));
    let errors = m.validate(v(json!({"A": 1, "b": "x"}))).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "A: \"A\" does not match ^[a-z]+$\nb: expected an integer, got string \"x\""
    );
    ok(
        &map_of(str().lower(), int()),
        v(json!({"Key": 1})),
        v(json!({"key": 1})),
    );
}

#[test]
fn nesting_deeper_than_dynamodb_allows_is_refused() {
    let mut deep = json!(1);
    for _ in 0..33 {
        deep = json!([deep]);
    }
    let errors = Schema::new()
        .required("deep", anything())
        .validate(v(json!({ "deep": deep })))
        .unwrap_err();
    let e = errors.iter().next().unwrap();
    assert_eq!(e.kind, ErrorKind::Depth);
    assert_eq!(e.path.to_string(), "deep");
    let mut ok_deep = json!(1);
    for _ in 0..32 {
        ok_deep = json!([ok_deep]);
    }
    assert!(
        Schema::new()
            .required("deep", anything())
            .validate(v(json!({ "deep": ok_deep })))
            .is_ok()
    );
}

#[test]
fn output_types_describe_the_normalized_value() {
    assert_eq!(int().range(1..=4).output_type(), Some(ValueType::Number));
    assert_eq!(str().coerce().output_type(), Some(ValueType::String));
    assert_eq!(set_of(str()).output_type(), Some(ValueType::StringSet));
    assert_eq!(set_of(int()).output_type(), Some(ValueType::NumberSet));
    assert_eq!(set_of(bytes()).output_type(), Some(ValueType::BinarySet));
    assert_eq!(
        Validator::from(Schema::new()).output_type(),
        Some(ValueType::Map)
    );
    assert_eq!(any([int(), str()]).output_type(), None);
    assert_eq!(anything().output_type(), None);
}
