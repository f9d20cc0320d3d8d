//! Whether a field's validator would pass an attribute unchanged
//! ([`Validator::accepts`]'s verdict), asked as cheaply as the validator
//! allows: against its [`Plain`] form where it has one (an integer range
//! against the `i64` the text reads as, a length against the string where
//! it lies), through an [`Attr`] view otherwise.
//!
//! The plain checks give `accepts`' verdict, except where they are not
//! certain (an integer outside `i64`, a number in exponent form, which
//! they leave to the other paths by saying no). Property tests compare
//! the two.

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{Lengths, MAX_NESTING, Number, PathNode, Plain, Presence, Schema, Seen, Validator};

use super::attr::Attr;
use crate::codec;

/// Whether `validator` accepts `attribute`, found at `path`, unchanged.
pub(super) fn vouch(
    validator: &Validator,
    attribute: &AttributeValue,
    path: &PathNode<'_>,
) -> bool {
    match validator.plain() {
        Some(plain) => fits(plain, attribute, path),
        None => Attr::of(attribute).is_some_and(|view| validator.accepts_at(&view, path)),
    }
}

fn fits(plain: &Plain, attribute: &AttributeValue, path: &PathNode<'_>) -> bool {
    match (plain, attribute) {
        (Plain::List(length, item), AttributeValue::L(items)) => {
            path.depth() <= MAX_NESTING
                && all_of(length, items, |i, a| vouch(item, a, &path.index(i)))
        }
        (Plain::Set(length, item), AttributeValue::Ss(set)) => {
            !set.is_empty() && all_of(length, set, |i, s| str_element(item, s, &path.index(i)))
        }
        (Plain::Set(length, item), AttributeValue::Ns(set)) => {
            !set.is_empty() && all_of(length, set, |i, n| number_element(item, n, &path.index(i)))
        }
        (Plain::Set(length, item), AttributeValue::Bs(set)) => {
            !set.is_empty()
                && all_of(length, set, |i, b| {
                    item.accepts_at(&Seen::Bytes(b.as_ref()), &path.index(i))
                })
        }
        (Plain::Map(schema), AttributeValue::M(map)) => {
            path.depth() <= MAX_NESTING && map_fits(schema, map, path)
        }
        _ => scalar_fits(plain, attribute),
    }
}

/// A scalar attribute (string, number, boolean, null, binary) under
/// `plain`; `false` for a type the plain form does not take, and for
/// any other shape.
pub(super) fn scalar_fits(plain: &Plain, attribute: &AttributeValue) -> bool {
    match (plain, attribute) {
        (Plain::Str(text), AttributeValue::S(s)) => text.fits(s),
        (_, AttributeValue::N(text)) => number_fits(plain, text),
        (Plain::Bool, AttributeValue::Bool(_)) | (Plain::Null, AttributeValue::Null(_)) => true,
        (Plain::Bytes(length), AttributeValue::B(b)) => length.fits(b.as_ref().len()),
        _ => false,
    }
}

/// Whether the collection's size fits and `element` passes each element
/// (with its index).
fn all_of<E>(length: &Lengths, elements: &[E], mut element: impl FnMut(usize, &E) -> bool) -> bool {
    length.fits(elements.len()) && elements.iter().enumerate().all(|(i, e)| element(i, e))
}

/// A string set's element: only a string check passes a string.
fn str_element(item: &Validator, s: &str, path: &PathNode<'_>) -> bool {
    match item.plain() {
        Some(Plain::Str(text)) => text.fits(s),
        Some(_) => false,
        None => item.accepts_at(&Seen::Str(s), path),
    }
}

/// A number's text under an `Int` or `Number` check.
#[inline]
pub(super) fn number_fits(plain: &Plain, text: &str) -> bool {
    match *plain {
        Plain::Int { min, max } => int_fits(min, max, text),
        Plain::Number => is_number(text),
        _ => false,
    }
}

/// A number set's element, as its text.
fn number_element(item: &Validator, text: &str, path: &PathNode<'_>) -> bool {
    match item.plain() {
        Some(plain) => number_fits(plain, text),
        None => text
            .parse::<Number>()
            .is_ok_and(|n| item.accepts_at(&Seen::Number(n), path)),
    }
}

/// A map checked by `schema`, which keeps no extra keys: every key known
/// and accepted, every key it needs present.
fn map_fits(schema: &Schema, map: &codec::Item, path: &PathNode<'_>) -> bool {
    let mut needed = 0;
    map.iter().all(|(key, attribute)| match schema.get(key) {
        Some(field) => {
            if !matches!(field.presence(), Presence::Optional) {
                needed += 1;
            }
            vouch(field.validator(), attribute, &path.key(key))
        }
        None => false,
    }) && needed == schema.needed_keys()
}

/// An integer within `min..=max`; text that is not an `i64` (a larger
/// integer, `1.0`) is not vouched for here.
fn int_fits(min: i64, max: i64, text: &str) -> bool {
    text.parse::<i64>().is_ok_and(|i| min <= i && i <= max)
}

/// Text that reads as a [`Number`]. A plain decimal of at most 38 digits
/// always does, and is told apart without reading it.
fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let mut digits = 0;
    let mut points = 0;
    for b in unsigned.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return text.parse::<Number>().is_ok(),
        }
    }
    (1..=38).contains(&digits) && points <= 1 || text.parse::<Number>().is_ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use validate::{
        Extra, Value, View, boolean, float, int, list_of, map_of, null, number, set_of, str,
    };

    use super::*;

    fn accepts(validator: &Validator, attribute: &AttributeValue) -> bool {
        Attr::of(attribute).is_some_and(|view: Attr<'_>| validator.accepts(&view as &dyn View))
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-300i64..300).prop_map(Value::from),
            (-12i64..12).prop_map(Value::from),
            (-300i64..300, 0u32..3)
                .prop_map(|(m, e)| Value::Number(format!("{m}e-{e}").parse().expect("a number"))),
            "[a-cé 1]{0,5}".prop_map(Value::String),
            prop::collection::vec(any::<u8>(), 0..3).prop_map(Value::Binary),
            prop::collection::vec("[a-c]{0,3}", 1..4)
                .prop_map(|v| Value::StringSet(v.into_iter().collect())),
            prop::collection::vec(-3i64..3, 1..4)
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
            ("int range", int().range(-10..10)),
            ("number", number()),
            ("float range", float().range(-1.5..=2.5)),
            ("str", str()),
            ("str length", str().length(1..=3)),
            ("str one_of", str().one_of(["a", "b c", "é"])),
            ("str matches", str().matches("^[a-c]+$")),
            ("str lower", str().lower()),
            ("bool", boolean()),
            ("null", null()),
            ("bytes", validate::bytes().length(..=1)),
            ("list_of", list_of(int())),
            ("list length", list_of(str()).length(1..=2)),
            ("list of anything", list_of(validate::anything())),
            ("set_of str", set_of(str().length(..=2))),
            ("set_of int", set_of(int().range(-2..=2))),
            ("set_of number", set_of(number())),
            ("set_of bytes", set_of(validate::bytes())),
            ("set length", set_of(str()).length(..=2)),
            ("map_of", map_of(str(), int())),
            ("schema forbid", schema(Extra::Forbid).into()),
            ("schema remove", schema(Extra::Remove).into()),
            ("schema allow", schema(Extra::Allow).into()),
            ("nested", list_of(schema(Extra::Forbid))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// On attributes whose numbers are `i64`s or short decimals (what
        /// the mapper writes and DynamoDB returns), the plain checks give
        /// exactly `accepts`' verdict.
        #[test]
        fn vouch_gives_the_verdict_of_accepts(value in arb_value()) {
            let attribute = codec::to_attribute(&value).expect("an attribute");
            for (name, validator) in validators() {
                prop_assert_eq!(
                    vouch(&validator, &attribute, &PathNode::ROOT),
                    accepts(&validator, &attribute),
                    "{} on {:?}", name, attribute
                );
            }
        }
    }

    #[test]
    fn what_the_plain_checks_cannot_read_is_left_unvouched() {
        let n = |t: &str| AttributeValue::N(t.to_owned());
        let huge = n("123456789012345678901234567890");
        assert!(accepts(&int(), &huge) && !vouch(&int(), &huge, &PathNode::ROOT));
        let exponent = n("1E+3");
        assert!(accepts(&number(), &exponent));
        assert!(vouch(&number(), &exponent, &PathNode::ROOT), "read in full");
        let garbage = n("1.2.3");
        assert!(!vouch(&number(), &garbage, &PathNode::ROOT));
        assert!(!vouch(&int(), &garbage, &PathNode::ROOT));
        assert!(!vouch(&number(), &n("-"), &PathNode::ROOT));
    }

    #[test]
    fn lists_deeper_than_dynamodb_nests_are_not_vouched_for() {
        let mut attribute = AttributeValue::L(vec![]);
        let mut validator = list_of(int());
        for _ in 0..=MAX_NESTING {
            attribute = AttributeValue::L(vec![attribute]);
            validator = list_of(validator);
        }
        assert_eq!(
            vouch(&validator, &attribute, &PathNode::ROOT),
            accepts(&validator, &attribute)
        );
        assert!(!vouch(&validator, &attribute, &PathNode::ROOT));
    }
}
