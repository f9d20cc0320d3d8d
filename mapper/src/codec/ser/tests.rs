//! The fast save against the report save, on a model with nested
//! lists, maps, sets, options and enums, and arbitrary values.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use validate::{Schema, float, int, list_of, map_of, maybe, set_of, str};

use super::*;
use crate::codec::any_float;
use crate::encode::report as encode_report;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Mode {
    Fast,
    Slow,
    Tuned(i64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Meta {
    unit: String,
    scale: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Wide {
    id: u64,
    tags: BTreeSet<String>,
    /// A set the struct keeps as a list: duplicates, any order.
    sizes: Vec<i64>,
    value: f64,
    small: f32,
    notes: Vec<Option<String>>,
    meta: Meta,
    maybe: Option<i64>,
    nested: Option<Option<i64>>,
    code: Option<String>,
    mode: Mode,
    extra: BTreeMap<String, Option<bool>>,
    flag: bool,
    /// Checked as written: a list of plain strings, lists of lists.
    words: Vec<String>,
    grid: Vec<Vec<i64>>,
    metas: Vec<Meta>,
}

fn meta_schema() -> Schema {
    Schema::new()
        .required("unit", str().one_of(["C", "F"]))
        .required("scale", int().range(1..=9))
        .optional("note", str().length(..=3))
}

impl Model for Wide {
    const TABLE: &'static str = "wide";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", int().range(0..))
            .with_default("tags", set_of(str().length(1..=4)), ["dflt"])
            .optional("sizes", set_of(int().range(-50..=50)))
            .required("value", float())
            .required("small", float())
            .required("notes", list_of(maybe(str())))
            .required("meta", meta_schema())
            .optional("maybe", int())
            .optional("nested", maybe(int()))
            .optional("code", str().length(1..=3))
            .required(
                "mode",
                validate::any([str().one_of(["Fast", "Slow"]), map_of(str(), int())]),
            )
            .required("extra", map_of(str(), maybe(validate::bool())))
            .required("flag", validate::bool())
            .required("words", list_of(str().length(..=2)).length(..=2))
            .required("grid", list_of(list_of(int().range(0..=5))))
            .required("metas", list_of(meta_schema()))
    }
}

fn wide() -> impl Strategy<Value = Wide> {
    (
        (
            0u64..3,
            proptest::collection::btree_set("[a-z]{0,5}", 0..4),
            proptest::collection::vec(-60i64..60, 0..4),
            any_float(),
            any::<f32>(),
            proptest::collection::vec(proptest::option::of("[a-z]{0,2}"), 0..3),
        ),
        (
            meta(),
            proptest::option::of(-2i64..3),
            proptest::option::of(proptest::option::of(-2i64..3)),
            proptest::option::of("[a-z]{0,4}"),
            prop_oneof![
                Just(Mode::Fast),
                Just(Mode::Slow),
                (0i64..3).prop_map(Mode::Tuned)
            ],
            proptest::collection::btree_map(
                "[a-c]{0,2}",
                proptest::option::of(any::<bool>()),
                0..3,
            ),
            any::<bool>(),
        ),
        (
            // Mostly valid: too many words, a long one, a cell
            // out of range, now and then.
            (
                proptest::collection::vec(
                    prop_oneof![12 => "[a-z]{0,2}", 1 => Just("abc".to_owned())],
                    0..3,
                ),
                prop_oneof![8 => Just(false), 1 => Just(true)],
            )
                .prop_map(|(mut words, one_more)| {
                    if one_more {
                        words.extend(["x", "y", "z"].map(String::from));
                    }
                    words
                }),
            proptest::collection::vec(
                proptest::collection::vec(prop_oneof![20 => 0i64..6, 1 => Just(6i64)], 0..3),
                0..3,
            ),
            proptest::collection::vec(
                prop_oneof![
                    8 => ("[CF]", 1i64..10).prop_map(|(unit, scale)| Meta {
                        unit,
                        scale,
                        note: None
                    }),
                    1 => meta()
                ],
                0..3,
            ),
        ),
    )
        .prop_map(
            |(
                (id, tags, sizes, value, small, notes),
                (meta, maybe, nested, code, mode, extra, flag),
                (words, grid, metas),
            )| Wide {
                id,
                tags,
                sizes,
                value,
                small,
                notes,
                meta,
                maybe,
                nested,
                code,
                mode,
                extra,
                flag,
                words,
                grid,
                metas,
            },
        )
}

fn meta() -> impl Strategy<Value = Meta> {
    ("[CFK]", 0i64..11, proptest::option::of("[a-z]{0,4}")).prop_map(|(unit, scale, note)| Meta {
        unit,
        scale,
        note,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn direct_save_matches_the_whole_item_path(model in wide()) {
        let info = ModelInfo::of::<Wide>().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Some(Encoded { attributes: direct, size, key_hash }) = checked(&model, &info) else {
            // The fast path refuses only what the report path refuses, and
            // the report path names why.
            let refused = encode_report(&model, &info, "wide");
            prop_assert!(
                matches!(&refused, Err(crate::Error::Validation { errors, .. }) if !errors.is_empty()),
                "the fast path refused a valid item: {:?}", refused.map(|e| e.attributes)
            );
            return Ok(());
        };
        {
            // The same attributes, and the size summed and the key hashed
            // while writing them are the size counted and the key hashed
            // on them afterwards.
            let whole = encode_report(&model, &info, "wide")
                .map(|w| (w.attributes, w.size, w.key_hash));
            prop_assert_eq!(
                Ok((&direct, size, key_hash)),
                whole.as_ref().map(|(a, s, k)| (a, *s, *k)).map_err(|e| e.to_string())
            );
            // What `put` returns: the model as written, read back where
            // it lies, is what a load of the stored item gives (an absent
            // set read as an empty set).
            let loaded = crate::decode::report::<Wide>(
                direct.clone(),
                &info,
                "wide",
                validate::Errors::new(),
            );
            prop_assert_eq!(
                super::super::de::written::<Wide>(&direct, &info).map_err(|e| e.to_string()),
                loaded.map(|item| item.into_inner()).map_err(|e| e.to_string())
            );
        }
    }

}

#[test]
fn every_valid_item_takes_the_fast_path() -> Result<(), crate::Error> {
    use proptest::strategy::ValueTree;
    let info = ModelInfo::of::<Wide>()?;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut valid, mut direct) = (0, 0);
    for _ in 0..500 {
        let model = wide()
            .new_tree(&mut runner)
            .map_err(|e| crate::Error::Usage {
                table: "wide".into(),
                message: e.to_string(),
            })?
            .current();
        if encode_report(&model, &info, "wide").is_ok() {
            valid += 1;
            direct += usize::from(checked(&model, &info).is_some());
        }
    }
    assert!(valid > 50, "{valid} valid items");
    // A field without a plain rule takes its own report check: no valid
    // item leaves the fast path.
    assert_eq!(direct, valid, "valid items taken on the fast path");
    Ok(())
}

/// A map that gives one key twice, as a hand-written `Serialize` may.
struct TwiceKeyed;

impl Serialize for TwiceKeyed {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("key", "a long first value")?;
        map.serialize_entry("other", &1)?;
        map.serialize_entry("key", "b")?;
        map.end()
    }
}

#[test]
fn a_key_given_twice_counts_once_in_the_size() -> Result<(), Bail> {
    let (attribute, size) = attribute_of(&TwiceKeyed).ok_or(REFUSED)?;
    assert_eq!(size, attribute_size(&attribute));
    let AttributeValue::M(map) = &attribute else {
        panic!("not a map: {attribute:?}");
    };
    assert_eq!(map["key"], AttributeValue::S("b".into()));
    Ok(())
}

/// A model whose hand-written `Serialize` gives its key twice.
#[derive(Deserialize)]
struct TwiceId {
    id: i64,
}

impl Serialize for TwiceId {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeStruct;
        let mut item = serializer.serialize_struct("TwiceId", 2)?;
        item.serialize_field("id", &(self.id + 1))?;
        item.serialize_field("id", &self.id)?;
        item.end()
    }
}

impl Model for TwiceId {
    const TABLE: &'static str = "twice";
    const HASH_KEY: &'static str = "id";
    fn schema() -> Schema {
        Schema::new().required("id", int())
    }
}

#[test]
fn a_key_given_twice_is_hashed_as_the_one_kept() -> Result<(), crate::Error> {
    let info = ModelInfo::of::<TwiceId>()?;
    let encoded = checked(&TwiceId { id: 7 }, &info).ok_or_else(|| crate::Error::Usage {
        table: "twice".into(),
        message: "refused".into(),
    })?;
    assert_eq!(encoded.attributes["id"], AttributeValue::N("7".into()));
    assert_eq!(
        encoded.key_hash,
        key_hash::of_item(Some(&encoded.attributes), &info)
    );
    Ok(())
}

#[test]
fn a_valid_item_is_written_directly() -> Result<(), crate::Error> {
    let info = ModelInfo::of::<Wide>()?;
    let model = Wide {
        id: 7,
        tags: BTreeSet::new(),
        sizes: vec![3, -1, 3],
        value: 21.5,
        small: 0.5,
        notes: vec![Some("x".into()), None],
        meta: Meta {
            unit: "C".into(),
            scale: 3,
            note: None,
        },
        maybe: None,
        nested: Some(None),
        code: Some("ab".into()),
        mode: Mode::Fast,
        extra: BTreeMap::from([("a".to_owned(), None)]),
        flag: true,
        words: vec!["ab".into()],
        grid: vec![vec![0, 5], vec![]],
        metas: vec![],
    };
    let Encoded {
        attributes: direct,
        size,
        ..
    } = checked(&model, &info).ok_or_else(|| crate::Error::Usage {
        table: "wide".into(),
        message: "refused".into(),
    })?;
    assert_eq!(direct, encode_report(&model, &info, "wide")?.attributes);
    assert_eq!(size, crate::codec::item_size(&direct));
    // The empty set took its default; the list became a sorted set.
    assert_eq!(direct["tags"], AttributeValue::Ss(vec!["dflt".into()]));
    assert_eq!(
        direct["sizes"],
        AttributeValue::Ns(vec!["-1".into(), "3".into()])
    );
    assert_eq!(direct["nested"], AttributeValue::Null(true));
    assert!(!direct.contains_key("maybe"));
    Ok(())
}

#[test]
fn what_fails_is_left_to_the_whole_item_path() -> Result<(), crate::Error> {
    let info = ModelInfo::of::<Wide>()?;
    let model = Wide {
        id: 1,
        tags: BTreeSet::from(["abcdef".to_owned()]),
        sizes: vec![],
        value: 1.0,
        small: 1.0,
        notes: vec![],
        meta: Meta {
            unit: "C".into(),
            scale: 3,
            note: None,
        },
        maybe: None,
        nested: None,
        code: None,
        mode: Mode::Tuned(1),
        extra: BTreeMap::new(),
        flag: false,
        words: vec![],
        grid: vec![],
        metas: vec![],
    };
    assert_eq!(checked(&model, &info), None, "a tag too long");
    let nan = Wide {
        value: f64::NAN,
        tags: BTreeSet::new(),
        ..model.clone()
    };
    assert_eq!(checked(&nan, &info), None, "a number DynamoDB cannot store");
    let tuned = Wide {
        tags: BTreeSet::new(),
        ..model
    };
    // A field without a plain form takes its own report check (here
    // `any`'s second rule) while the rest stays fast: the same attributes
    // as the report path.
    assert_eq!(
        checked(&tuned, &info).map(|e| e.attributes),
        Some(encode_report(&tuned, &info, "wide")?.attributes)
    );
    let fine = Wide {
        mode: Mode::Slow,
        ..tuned
    };
    assert!(checked(&fine, &info).is_some());
    Ok(())
}

/// Every shape serde has, the rare ones included: what the report path
/// starts from.
#[derive(Clone, Debug, Serialize)]
enum Shape {
    Unit,
    Tuple(i64, String),
    Struct { a: f64, b: Option<String> },
    New(f64),
}

#[derive(Clone, Debug, Serialize)]
struct Rare {
    shapes: Vec<Shape>,
    #[serde(with = "validate::set")]
    marked: BTreeSet<i64>,
    #[serde(with = "validate::set")]
    marked_words: Vec<String>,
    by_number: BTreeMap<u32, Option<String>>,
    #[serde(flatten)]
    flat: Meta,
    big: Vec<i128>,
    unit: (),
    pair: (bool, char),
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Unit),
        (any::<i64>(), "[a-z]{0,3}").prop_map(|(a, b)| Shape::Tuple(a, b)),
        (any_float(), proptest::option::of("[a-z]{0,3}")).prop_map(|(a, b)| Shape::Struct { a, b }),
        any_float().prop_map(Shape::New),
    ]
}

fn rare() -> impl Strategy<Value = Rare> {
    (
        proptest::collection::vec(shape(), 0..4),
        proptest::collection::btree_set(any::<i64>(), 0..3),
        proptest::collection::vec("[a-c]{0,2}", 0..4),
        proptest::collection::btree_map(any::<u32>(), proptest::option::of("[a-z]{0,2}"), 0..3),
        ("[CF]", 0i64..12, proptest::option::of("[a-z]{0,4}")),
        proptest::collection::vec(any::<i128>(), 0..3),
        (any::<bool>(), any::<char>()),
    )
        .prop_map(
            |(shapes, marked, marked_words, by_number, (unit, scale, note), big, pair)| Rare {
                shapes,
                marked,
                marked_words,
                by_number,
                flat: Meta { unit, scale, note },
                big,
                unit: (),
                pair,
            },
        )
}

/// `value` written by the attribute target, unchecked: the attribute and
/// the size counted as it was written.
fn attribute_of<T: Serialize>(value: &T) -> Option<(AttributeValue, usize)> {
    let Counted { attribute, size } = validate::ser::present(value, Checked(None)).ok()?;
    Some((attribute, size))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The mapping is `validate`'s one serializer for both targets: what
    /// the attribute target writes is what `to_value` (where the report
    /// path starts) gives, and the size it counts is the attribute's.
    #[test]
    fn the_attribute_target_writes_what_to_value_gives(model in rare()) {
        let value = validate::to_value(&model).ok();
        let written = attribute_of(&model);
        prop_assert_eq!(value.is_some(), written.is_some());
        if let (Some(value), Some((attribute, size))) = (value, written) {
            prop_assert_eq!(size, attribute_size(&attribute));
            prop_assert_eq!(codec::from_attribute(&attribute).ok(), Some(value));
        }
    }
}

#[test]
fn a_value_without_a_dynamodb_form_is_named_with_its_path() {
    let model = Rare {
        shapes: vec![
            Shape::Unit,
            Shape::Struct {
                a: f64::NAN,
                b: None,
            },
        ],
        marked: BTreeSet::new(),
        marked_words: vec![],
        by_number: BTreeMap::new(),
        flat: Meta {
            unit: "C".into(),
            scale: 1,
            note: None,
        },
        big: vec![],
        unit: (),
        pair: (true, 'x'),
    };
    let error = validate::to_value(&model).err().map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("shapes[1].Struct.a: number NaN is not finite")
    );
    let big = Rare {
        shapes: vec![],
        big: vec![1, i128::MAX],
        ..model
    };
    let error = validate::to_value(&big).err().map(|e| e.to_string());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.starts_with("big[1]: number 1701411834")),
        "{error:?}"
    );
}
