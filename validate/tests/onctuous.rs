//! Every behaviour of Onctuous's README, in this crate's terms.

mod common;

use common::{fails, ok, v};
use serde_json::json;
use validate::*;

#[test]
fn scalars_check_their_type() {
    ok(&int(), v(json!(1)), v(json!(1)));
    fails(
        &int(),
        v(json!("1")),
        ErrorKind::Type,
        "(root)",
        "expected an integer, got string \"1\"",
    );
    ok(&str(), v(json!("1")), v(json!("1")));
    // A literal value must equal itself.
    ok(&literal("foo"), v(json!("foo")), v(json!("foo")));
    fails(
        &literal("foo"),
        v(json!("bar")),
        ErrorKind::NotOneOf,
        "(root)",
        "\"bar\" is not one of [\"foo\"]",
    );
}

#[test]
fn lists_accept_elements_of_the_listed_validators() {
    // Onctuous's [int, str]: each element is one of those types.
    let l = list_of(any([int(), str()]));
    ok(&l, v(json!([1, "a", 2])), v(json!([1, "a", 2])));
    let errors = l.validate(v(json!([1, true]))).unwrap_err();
    assert_eq!(errors.iter().next().unwrap().path.to_string(), "[1]");
    ok(&list_of(int()), v(json!([])), v(json!([])));
}

#[test]
fn dictionaries_with_required_optional_and_extra() {
    let s = Schema::new()
        .required("q", str())
        .optional("per_page", int())
        .optional("page", int());
    ok(
        &s.clone().into(),
        v(json!({"q": "hello"})),
        v(json!({"q": "hello"})),
    );
    let errors = s.clone().validate(v(json!({"per_page": 10}))).unwrap_err();
    assert_eq!(errors.to_string(), "q: required key not provided");
    let errors = s
        .clone()
        .validate(v(json!({"q": "x", "limit": 1})))
        .unwrap_err();
    assert_eq!(errors.to_string(), "limit: extra key not allowed");
    assert!(
        s.extra(Extra::Allow)
            .validate(v(json!({"q": "x", "limit": 1})))
            .is_ok()
    );
}

#[test]
fn defaults_as_in_onctuous_required_with_default() {
    let s = Schema::new().with_default("per_page", int(), 5);
    assert_eq!(s.validate(v(json!({}))).unwrap(), v(json!({"per_page": 5})));
}

#[test]
fn msg_replaces_the_message() {
    let s = Schema::new().required("q", msg(int(), "should be an int"));
    let errors = s.validate(v(json!({"q": "x"}))).unwrap_err();
    assert_eq!(errors.to_string(), "q: should be an int");
}

#[test]
fn coerce_converts_types() {
    let s = Schema::new().required("per_page", all([int().coerce(), range(1..=20)]));
    assert_eq!(
        s.clone().validate(v(json!({"per_page": "10"}))).unwrap(),
        v(json!({"per_page": 10}))
    );
    let errors = s.validate(v(json!({"per_page": "30"}))).unwrap_err();
    assert_eq!(errors.to_string(), "per_page: 30 is out of range 1..=20");
}

#[test]
fn all_and_any() {
    ok(&all([str(), length(1..=3)]), v(json!("ab")), v(json!("ab")));
    fails(
        &all([str(), length(1..=3)]),
        v(json!(12)),
        ErrorKind::Type,
        "(root)",
        "expected a string, got number 12",
    );
    ok(
        &any([literal("true"), literal("false"), bool()]),
        v(json!(true)),
        v(json!(true)),
    );
    ok(
        &any([literal("true"), literal("false"), bool()]),
        v(json!("false")),
        v(json!("false")),
    );
}

#[test]
fn match_length_inrange_clamp_boolean_url() {
    ok(
        &matches(r"^0x[A-F0-9]+$"),
        v(json!("0xDEADBEEF")),
        v(json!("0xDEADBEEF")),
    );
    fails(
        &matches(r"^0x[A-F0-9]+$"),
        v(json!("0xdeadbeef")),
        ErrorKind::Pattern,
        "(root)",
        "\"0xdeadbeef\" does not match ^0x[A-F0-9]+$",
    );
    ok(&length(..=5), v(json!([1, 2])), v(json!([1, 2])));
    fails(
        &length(..=1),
        v(json!([1, 2])),
        ErrorKind::Length,
        "(root)",
        "length 2 is out of range 0..=1",
    );
    ok(&range(1..=10), v(json!(5)), v(json!(5)));
    fails(
        &range(1..=10),
        v(json!(11)),
        ErrorKind::Range,
        "(root)",
        "11 is out of range 1..=10",
    );
    ok(&clamp(1..=10), v(json!(15)), v(json!(10)));
    ok(&clamp(1..=10), v(json!(0)), v(json!(1)));
    ok(&boolean(), v(json!("1")), v(json!(true)));
    ok(&boolean(), v(json!("off")), v(json!(false)));
    ok(&url(), v(json!("http://w3.org")), v(json!("http://w3.org")));
    fails(
        &url(),
        v(json!("ftp:")),
        ErrorKind::Format,
        "(root)",
        "\"ftp:\" is not a URL: empty host",
    );
}
