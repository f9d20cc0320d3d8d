//! The save and load paths field by field, for items the direct paths
//! (`direct/`) cannot vouch for as they lie (a value to normalize, a
//! default to fill on load, extras to keep): each top-level attribute is a `Value` of its own, checked by its field's
//! validator where it lies, with no `Map` of the whole item and no copies
//! of attribute names.
//!
//! They are shortcuts of the whole-item paths in `save.rs` and `load.rs`
//! (struct → `Value` → validate → attributes and back), not other rules:
//! each accepts exactly what the whole-item path accepts, and on anything
//! else gives `None`, so that the whole-item path runs and reports every
//! error with its path. The integration tests compare both on the same
//! items.

use std::collections::HashMap;
use std::ops::ControlFlow;

use aws_sdk_dynamodb::types::AttributeValue;
use smallvec::SmallVec;
use validate::{Errors, Extra, PathNode, Presence, Value};

use crate::codec;
use crate::model::{Model, ModelInfo};
use crate::save::COUNTER_KEY;

/// struct → validated attributes, field by field; `None` when the
/// whole-item path must decide (an invalid field, a struct serialized as a
/// map, a missing required field, the reserved auto-increment key).
pub(crate) fn encode<T: Model>(model: &T, info: &ModelInfo) -> Option<codec::Item> {
    let schema = &info.schema;
    let mut attributes: codec::Item = HashMap::with_capacity(schema.fields().len());
    let mut errors = Errors::new();
    // Fields validated (a valid value may still be an empty set, absent).
    let mut seen: SmallVec<[&'static str; 16]> = SmallVec::new();
    let flow = validate::to_fields(model, |name, mut value| {
        let Some(field) = schema.get(name) else {
            return match schema.extra_policy() {
                Extra::Forbid => ControlFlow::Break(()),
                Extra::Remove => ControlFlow::Continue(()),
                Extra::Allow => insert(&mut attributes, name, value),
            };
        };
        if info.set_type(name).is_some() && is_empty_collection(&value) {
            // An empty set is an absent attribute (a default may fill it).
            return ControlFlow::Continue(());
        }
        let path = PathNode::ROOT.key(name);
        if field
            .validator()
            .check(&mut value, &path, &mut errors)
            .is_err()
        {
            return ControlFlow::Break(());
        }
        seen.push(name);
        insert(&mut attributes, name, value)
    })
    .ok()?;
    if flow.is_break() {
        return None;
    }
    if seen.len() < schema.fields().len() {
        for field in schema.fields() {
            if seen.contains(&field.name()) {
                continue;
            }
            match field.presence() {
                Presence::Required => return None,
                Presence::Optional => {}
                Presence::Default(default) => {
                    if insert(&mut attributes, field.name(), default.make()).is_break() {
                        return None;
                    }
                }
            }
        }
    }
    if T::AUTO_INCREMENT
        && attributes.get(&info.hash.name) == Some(&AttributeValue::N(COUNTER_KEY.to_string()))
    {
        return None;
    }
    Some(attributes)
}

/// Adds a validated top-level value; an empty set stays absent.
fn insert(attributes: &mut codec::Item, name: &str, value: Value) -> ControlFlow<()> {
    if codec::is_empty_set(&value) {
        return ControlFlow::Continue(());
    }
    match codec::into_attribute(value) {
        Ok(attribute) => {
            attributes.insert(name.to_owned(), attribute);
            ControlFlow::Continue(())
        }
        Err(_) => ControlFlow::Break(()),
    }
}

/// An empty list or set: what an empty collection field serializes to.
/// For a set attribute it means absent, on both save paths.
pub(crate) fn is_empty_collection(value: &Value) -> bool {
    match value {
        Value::List(items) => items.is_empty(),
        other => other.is_set() && !other.is_truthy(),
    }
}

/// The strict load of a model without upgrades, attribute by attribute:
/// each stored attribute becomes a `Value` checked by its field's
/// validator where it lies, and the struct is built from the checked
/// fields, with no `Map` and no copies of attribute names. It accepts
/// exactly what the strict whole-item load accepts on the whole item (the tests compare
/// the two); on anything else it gives `None`, and the whole-item path
/// then reports every error.
pub(crate) fn load<T: Model>(attributes: &codec::Item, info: &ModelInfo) -> Option<T> {
    let schema = &info.schema;
    let keep_extra = schema.extra_policy() == Extra::Allow;
    let mut fields: SmallVec<[(&str, Value); 16]> = SmallVec::with_capacity(attributes.len());
    let mut errors = Errors::new();
    let mut known = 0;
    for (name, attribute) in attributes {
        let field = schema.get(name);
        // Every attribute must read as a `Value`, as in the whole-item path
        // (which hands the whole item to upgrades).
        let mut value = codec::from_attribute(attribute).ok()?;
        if field.is_none() && !keep_extra {
            // Not the model's (see `load`): stays in the stored snapshot.
            continue;
        }
        if let Some(field) = field {
            let path = PathNode::ROOT.key(name);
            field
                .validator()
                .check(&mut value, &path, &mut errors)
                .ok()?;
            known += 1;
        }
        fields.push((name.as_str(), value));
    }
    if known < schema.fields().len() {
        for field in schema.fields() {
            if attributes.contains_key(field.name()) {
                continue;
            }
            let empty_set = info.set_type(field.name()).and_then(|t| t.empty_set());
            match (empty_set, field.presence()) {
                (Some(mut value), _) => {
                    let path = PathNode::ROOT.key(field.name());
                    field
                        .validator()
                        .check(&mut value, &path, &mut errors)
                        .ok()?;
                    fields.push((field.name(), value));
                }
                (None, Presence::Optional) => {}
                // Required, or a default (which belongs to new items only).
                (None, _) => return None,
            }
        }
    }
    validate::from_fields(fields).ok()
}

#[cfg(test)]
mod tests {
    //! The field-by-field paths against the whole-item paths, on arbitrary
    //! items valid and invalid, under each extra-key policy.

    use std::collections::BTreeSet;

    use aws_sdk_dynamodb::types::AttributeValue;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use validate::{Extra, Schema, float, int, set_of, str};

    use super::*;
    use crate::load::load_whole;
    use crate::save::encode_whole;

    /// `P` picks the extra-key policy: 0 forbid, 1 remove, 2 allow.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Probe<const P: u8> {
        id: i64,
        name: String,
        note: Option<String>,
        #[serde(default)]
        tags: BTreeSet<String>,
        score: f64,
        /// Defaulted in the struct too: only the schema says it must be stored.
        #[serde(default)]
        level: i64,
        /// Not in the schema: an extra attribute.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stray: Option<String>,
    }

    impl<const P: u8> Model for Probe<P> {
        const TABLE: &'static str = "probe";
        const HASH_KEY: &'static str = "id";

        fn schema() -> Schema {
            Schema::new()
                .required("id", int().range(0..))
                .required("name", str().length(1..=8))
                .optional("note", str())
                .with_default("tags", set_of(str().length(1..=3)), ["x"])
                .required("score", float())
                .with_default("level", int().range(0..=9), 1)
                .extra(match P {
                    0 => Extra::Forbid,
                    1 => Extra::Remove,
                    _ => Extra::Allow,
                })
        }
    }

    fn probe<const P: u8>() -> impl Strategy<Value = Probe<P>> {
        (
            -1i64..4,
            "[a-z]{0,10}",
            proptest::option::of("[a-z]{0,3}"),
            proptest::collection::btree_set("[a-z]{0,4}", 0..4),
            -1e6f64..1e6,
            -2i64..12,
            proptest::option::of("[a-z]{1,3}"),
        )
            .prop_map(|(id, name, note, tags, score, level, stray)| Probe {
                id,
                name,
                note,
                tags,
                score,
                level,
                stray,
            })
    }

    fn attribute() -> impl Strategy<Value = AttributeValue> {
        prop_oneof![
            (-3i64..12).prop_map(|n| AttributeValue::N(n.to_string())),
            Just(AttributeValue::N("2.5".into())),
            Just(AttributeValue::N("not a number".into())),
            "[a-z]{0,9}".prop_map(AttributeValue::S),
            proptest::collection::vec("[a-z]{0,4}", 1..3).prop_map(AttributeValue::Ss),
            Just(AttributeValue::L(vec![AttributeValue::S("a".into())])),
            Just(AttributeValue::Null(true)),
        ]
    }

    /// A stored attribute: mostly of the type the schema wants (valid or
    /// not), sometimes of any type, sometimes absent.
    fn stored_attribute(
        typed: BoxedStrategy<AttributeValue>,
    ) -> impl Strategy<Value = Option<AttributeValue>> {
        prop_oneof![
            6 => typed.prop_map(Some),
            1 => attribute().prop_map(Some),
            1 => Just(None),
        ]
    }

    /// Stored items, mostly close to what the model expects.
    fn stored() -> impl Strategy<Value = codec::Item> {
        let number = |range: std::ops::Range<i64>| {
            range.prop_map(|n| AttributeValue::N(n.to_string())).boxed()
        };
        let text = |pattern: &'static str| pattern.prop_map(AttributeValue::S).boxed();
        let typed = [
            ("id", number(-1..4)),
            ("name", text("[a-z]{0,10}")),
            ("note", text("[a-z]{0,3}")),
            (
                "tags",
                proptest::collection::vec("[a-z]{1,4}", 1..3)
                    .prop_map(AttributeValue::Ss)
                    .boxed(),
            ),
            (
                "score",
                (-1e6f64..1e6)
                    .prop_map(|f| AttributeValue::N(f.to_string()))
                    .boxed(),
            ),
            ("level", number(-2..12)),
            ("stray", text("[a-z]{1,3}")),
        ];
        typed
            .map(|(name, strategy)| stored_attribute(strategy).prop_map(move |a| (name, a)))
            .prop_map(|entries| {
                entries
                    .into_iter()
                    .filter_map(|(name, value)| Some((name.to_owned(), value?)))
                    .collect()
            })
    }

    fn same_save<const P: u8>(model: &Probe<P>) -> Result<(), TestCaseError> {
        let info = ModelInfo::of::<Probe<P>>().map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Some(direct) = crate::direct::encode(model, &info) {
            let whole = encode_whole(model, &info, "probe");
            prop_assert_eq!(Ok(direct), whole.map_err(|e| e.to_string()), "direct path");
        }
        match (encode(model, &info), encode_whole(model, &info, "probe")) {
            (Some(fast), Ok(whole)) => prop_assert_eq!(fast, whole.attributes),
            (Some(fast), Err(e)) => prop_assert!(false, "fast path wrote {fast:?}; whole: {e}"),
            (None, Ok(whole)) => prop_assert!(false, "fast path refused {:?}", whole.attributes),
            (None, Err(_)) => {}
        }
        Ok(())
    }

    fn same_load<const P: u8>(attributes: &codec::Item) -> Result<(), TestCaseError> {
        let info = ModelInfo::of::<Probe<P>>().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let whole =
            load_whole::<Probe<P>>(attributes.clone(), &info, "probe", validate::Errors::new());
        if let Some(direct) = crate::direct::load::<Probe<P>>(attributes, &info) {
            let whole = whole.as_ref().map(|w| &w.model);
            prop_assert_eq!(
                Ok(&direct),
                whole.map_err(ToString::to_string),
                "direct path"
            );
        }
        match (load::<Probe<P>>(attributes, &info), whole) {
            (Some(fast), Ok(whole)) => prop_assert_eq!(fast, whole.into_inner()),
            (Some(fast), Err(e)) => prop_assert!(false, "fast path read {fast:?}; whole: {e}"),
            (None, Ok(whole)) => prop_assert!(false, "fast path refused {:?}", whole.into_inner()),
            (None, Err(_)) => {}
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn encode_matches_the_whole_item_path(a in probe::<0>(), b in probe::<1>(), c in probe::<2>()) {
            same_save(&a)?;
            same_save(&b)?;
            same_save(&c)?;
        }

        #[test]
        fn load_matches_the_whole_item_path(attributes in stored()) {
            same_load::<0>(&attributes)?;
            same_load::<1>(&attributes)?;
            same_load::<2>(&attributes)?;
        }
    }

    #[test]
    fn valid_items_take_the_field_paths() {
        let info = ModelInfo::of::<Probe<0>>().expect("model");
        let model = Probe::<0> {
            id: 1,
            name: "ok".into(),
            note: None,
            tags: BTreeSet::new(),
            score: 0.5,
            level: 3,
            stray: None,
        };
        let attributes = encode(&model, &info).expect("encoded field by field");
        // The empty set took its default; the absent note stayed absent.
        assert_eq!(attributes["tags"], AttributeValue::Ss(vec!["x".into()]));
        assert!(!attributes.contains_key("note"));
        let back = load::<Probe<0>>(&attributes, &info).expect("loaded field by field");
        assert_eq!(back.tags, BTreeSet::from(["x".to_owned()]));
        assert_eq!((back.id, back.level, back.score), (1, 3, 0.5));
    }
}
