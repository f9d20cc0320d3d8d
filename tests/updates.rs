//! Update expressions and partial saves against DynamoDB Local: reserved
//! and hostile attribute names, values checked against the schema, only
//! changed attributes sent.

mod models;

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Error, Model, Update, attr};
use models::{DoomMap, doom_map};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use validate::{Extra, Schema, Set, Value, int, list_of, set_of, str};

type TestResult = Result<(), SetupError>;

/// Attribute names chosen to break naive expression building.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    user: String,
    name: String,
    status: String,
    #[serde(rename = "a.b")]
    dotted: String,
    #[serde(rename = "with space-and:colon#hash")]
    odd: i64,
    year: i64,
    views: i64,
    tags: BTreeSet<String>,
    log: Vec<String>,
    address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nickname: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
}

impl Model for Profile {
    const TABLE: &'static str = "profile";
    const HASH_KEY: &'static str = "user";

    fn schema() -> Schema {
        Schema::new()
            .required("user", str())
            .required("name", str().length(1..=20))
            .required("status", str().one_of(["active", "banned"]))
            .required("a.b", str())
            .required("with space-and:colon#hash", int())
            .required("year", int().range(1900..=2100))
            .required("views", int().range(0..))
            .with_default("tags", set_of(str().length(1..)), Set::<String>::new())
            .with_default("log", list_of(str().length(1..)), Vec::<Value>::new())
            .required(
                "address",
                Schema::new()
                    .required("city", str().length(1..))
                    .optional("zip", str().matches("^[0-9]{5}$")),
            )
            .optional("nickname", str())
            .extra(Extra::Forbid)
    }
}

fn profile(user: &str) -> Profile {
    Profile {
        user: user.into(),
        name: "Ada".into(),
        status: "active".into(),
        dotted: "dot".into(),
        odd: 1,
        year: 1990,
        views: 0,
        tags: ["x".to_owned()].into(),
        log: vec![],
        address: Address {
            city: "Paris".into(),
            zip: Some("75001".into()),
        },
        nickname: None,
    }
}

/// The item stored under `key`, read with the SDK (empty when absent).
async fn raw<'k>(
    db: &TestDb,
    table: &str,
    key: impl IntoIterator<Item = (&'k str, AttributeValue)>,
) -> Result<HashMap<String, AttributeValue>, SetupError> {
    let key = key.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(db
        .client()
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await?
        .item
        .unwrap_or_default())
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

#[tokio::test]
async fn every_update_action_works_on_reserved_and_hostile_names() -> TestResult {
    let db = TestDb::with_table::<Profile>().await?;
    db.mapper.create(&profile("ada")).await?;
    let update = Update::new()
        .set("name", "Countess")
        .set("status", "banned")
        .set("a.b", "still one attribute")
        .increment("with space-and:colon#hash", 41)
        .increment("views", 3)
        .add(
            "tags",
            Value::from(Set::from_iter(["y".to_owned(), "z".to_owned()])),
        )
        .list_append("log", vec![Value::from("one"), Value::from("two")])
        .set(attr("address").key("city"), "London")
        .remove(attr("address").key("zip"))
        .set_if_not_exists("nickname", "Ada L.")
        .decrement("year", 5);
    db.mapper.update::<Profile>("ada", &update).await?;
    let remove_x = Update::new().delete("tags", Value::from(Set::from_iter(["x".to_owned()])));
    let item = db.mapper.update::<Profile>("ada", &remove_x).await?;
    assert_eq!(item.name, "Countess");
    assert_eq!(item.odd, 42);
    assert_eq!(item.views, 3);
    assert_eq!(item.year, 1985);
    assert_eq!(item.tags, BTreeSet::from(["y".to_owned(), "z".to_owned()]));
    assert_eq!(
        item.address,
        Address {
            city: "London".into(),
            zip: None
        }
    );
    assert_eq!(item.nickname.as_deref(), Some("Ada L."));

    let stored = raw(&db, &db.table::<Profile>(), [("user", s("ada"))]).await?;
    assert_eq!(stored["a.b"], s("still one attribute"));
    assert!(
        !stored.contains_key("a"),
        "a dotted name must not become a nested path"
    );
    assert_eq!(stored["status"], s("banned"));
    assert_eq!(stored["log"], AttributeValue::L(vec![s("one"), s("two")]));
    let AttributeValue::Ss(tags) = &stored["tags"] else {
        panic!("tags: {:?}", stored["tags"])
    };
    assert_eq!(
        tags.iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([&"y".to_owned(), &"z".to_owned()])
    );
    let AttributeValue::M(address) = &stored["address"] else {
        panic!()
    };
    assert_eq!(address.get("zip"), None);

    // if_not_exists keeps an existing value; counters keep counting.
    let again = Update::new()
        .set_if_not_exists("nickname", "other")
        .increment("views", 1);
    let item = db.mapper.update::<Profile>("ada", &again).await?;
    assert_eq!((item.nickname.as_deref(), item.views), (Some("Ada L."), 4));
    Ok(())
}

#[tokio::test]
async fn updates_are_checked_against_the_schema_and_nothing_is_written() -> TestResult {
    let db = TestDb::with_table::<Profile>().await?;
    db.mapper.create(&profile("bob")).await?;
    let before = raw(&db, &db.table::<Profile>(), [("user", s("bob"))]).await?;
    let bad = Update::new()
        .set("name", "")
        .set("status", "asleep")
        .set(attr("address").key("zip"), "not a zip")
        .add("a.b", 1)
        .add(
            "tags",
            Value::from(Set::from_iter([Value::from(1)
                .as_number()
                .copied()
                .unwrap()])),
        )
        .delete("views", Value::from(Set::from_iter(["a".to_owned()])))
        .remove("year")
        .remove(attr("address").key("city"))
        .set("user", "eve")
        .set("unknown", 1)
        .set("unknown", 2)
        .increment("nickname", 1)
        .list_append("log", vec![Value::from("")])
        .set(attr("with space-and:colon#hash").key("inner"), "x");
    let err = db.mapper.update::<Profile>("bob", &bad).await.unwrap_err();
    let Error::Validation { errors, .. } = &err else {
        panic!("{err}")
    };
    let found: Vec<(String, &str)> = errors
        .iter()
        .map(|v| (v.path.to_string(), v.kind.code()))
        .collect();
    let expected = [
        ("name", "length"),
        ("status", "not_one_of"),
        ("address.zip", "pattern"),
        ("\"a.b\"", "type"),
        ("tags", "type"),
        ("views", "type"),
        ("year", "required"),
        ("address.city", "required"),
        ("user", "key_attribute"),
        ("unknown", "extra_key"),
        ("unknown", "overlapping_paths"),
        ("nickname", "type"),
        ("log[0]", "length"),
        ("\"with space-and:colon#hash\".inner", "unchecked_path"),
    ];
    let expected: Vec<(String, &str)> = expected.iter().map(|(p, k)| (p.to_string(), *k)).collect();
    let mut sorted_found = found.clone();
    sorted_found.sort();
    let mut sorted_expected = expected.clone();
    sorted_expected.sort();
    assert_eq!(sorted_found, sorted_expected, "{err}");
    assert_eq!(
        raw(&db, &db.table::<Profile>(), [("user", s("bob"))]).await?,
        before
    );

    // An empty update is refused too.
    assert!(
        db.mapper
            .update::<Profile>("bob", &Update::new())
            .await
            .unwrap_err()
            .is_invalid()
    );
    Ok(())
}

#[tokio::test]
async fn an_update_needs_the_item_and_honours_its_condition() -> TestResult {
    let db = TestDb::with_table::<Profile>().await?;
    let missing = db
        .mapper
        .update::<Profile>("nobody", &Update::new().increment("views", 1))
        .await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    assert!(
        raw(&db, &db.table::<Profile>(), [("user", s("nobody"))])
            .await?
            .is_empty()
    );

    db.mapper.create(&profile("cy")).await?;
    let guarded = Update::new().set("status", "banned");
    let refused = db
        .mapper
        .update_if::<Profile>("cy", &guarded, attr("views").gt(10))
        .await;
    // The caller's condition is false: said so, not a conflict
    // (regression: "the item changed since it was loaded").
    assert!(
        matches!(refused, Err(Error::ConditionFailed { .. })),
        "{refused:?}"
    );
    assert!(refused.as_ref().is_err_and(|e| !e.is_conflict()));
    let done = db
        .mapper
        .update_if::<Profile>("cy", &guarded, attr("views").eq(0))
        .await?;
    assert_eq!(done.status, "banned");
    Ok(())
}

/// Any attribute name is allowed here, to store every reserved word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Bag {
    id: i64,
}

impl Model for Bag {
    const TABLE: &'static str = "bag";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new().required("id", int()).extra(Extra::Allow)
    }
}

#[tokio::test]
async fn every_reserved_word_is_a_usable_attribute_name() -> TestResult {
    const RESERVED: &str = include_str!("../mapper/src/expr/reserved_words.txt");
    let words: Vec<&str> = RESERVED.lines().collect();
    assert_eq!(words.len(), 573);
    let db = TestDb::with_table::<Bag>().await?;
    db.mapper.put(&Bag { id: 1 }).await?;
    // DynamoDB caps an expression at 4 KB, so 100 words per update.
    for chunk in words.chunks(100) {
        let update = chunk
            .iter()
            .fold(Update::new(), |u, w| u.set(*w, format!("value of {w}")));
        db.mapper.update::<Bag>(1, &update).await?;
    }
    let stored = raw(
        &db,
        &db.table::<Bag>(),
        [("id", AttributeValue::N("1".into()))],
    )
    .await?;
    for word in &words {
        assert_eq!(
            stored.get(*word),
            Some(&s(&format!("value of {word}"))),
            "{word}"
        );
    }
    // Conditions and filters over reserved words.
    let found = db
        .mapper
        .scan::<Bag>()
        .filter(
            attr("SELECT")
                .eq("value of SELECT")
                .and(attr("YEAR").begins_with("value")),
        )
        .all()
        .await?;
    assert_eq!(found.len(), 1);
    let guarded = db
        .mapper
        .update_if::<Bag>(
            1,
            &Update::new().remove("NAME"),
            attr("STATUS").eq("value of STATUS"),
        )
        .await?;
    assert!(!guarded.stored_attributes().unwrap().contains_key("NAME"));
    Ok(())
}

#[tokio::test]
async fn a_partial_save_sends_only_changes_and_merges_other_writers() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper
        .put(&doom_map(2, 1, "Deimos Anomaly", &["idkfa"]))
        .await?;
    let mut mine = db.mapper.get::<DoomMap>((2, 1)).await?;
    let mut theirs = db.mapper.get::<DoomMap>((2, 1)).await?;
    theirs.cheats.insert("idclip".into());
    db.mapper.save(&mut theirs).await?;

    // A different attribute: no conflict, and their change survives.
    mine.name = "Deimos".into();
    db.mapper.save(&mut mine).await?;
    let table = db.table::<DoomMap>();
    let key = |e: i64, m: i64| {
        [
            ("episode", AttributeValue::N(e.to_string())),
            ("map", AttributeValue::N(m.to_string())),
        ]
    };
    let stored = raw(&db, &table, key(2, 1)).await?;
    assert_eq!(stored["name"], s("Deimos"));
    assert_eq!(stored["cheats"].as_ss().unwrap().len(), 2);

    // An attribute written without the mapper meanwhile is not overwritten
    // by a save that did not change it.
    db.client()
        .update_item()
        .table_name(&table)
        .set_key(Some(key(2, 1).map(|(k, v)| (k.to_owned(), v)).into()))
        .update_expression("SET #x = :x")
        .expression_attribute_names("#x", "outside")
        .expression_attribute_values(":x", s("kept"))
        .send()
        .await?;
    mine.name = "Deimos Lab".into();
    db.mapper.save(&mut mine).await?;
    let stored = raw(&db, &table, key(2, 1)).await?;
    assert_eq!(
        (stored["name"].clone(), stored["outside"].clone()),
        (s("Deimos Lab"), s("kept"))
    );

    // The same attribute changed by both: the second save conflicts.
    let mut a = db.mapper.get::<DoomMap>((2, 1)).await?;
    let mut b = db.mapper.get::<DoomMap>((2, 1)).await?;
    a.name = "A".into();
    b.name = "B".into();
    db.mapper.save(&mut a).await?;
    assert!(db.mapper.save(&mut b).await.unwrap_err().is_conflict());

    // Emptying a set with a default saves the default (as for new items).
    let mut c = db.mapper.get::<DoomMap>((2, 1)).await?;
    c.cheats.clear();
    db.mapper.save(&mut c).await?;
    let stored = raw(&db, &table, key(2, 1)).await?;
    assert_eq!(
        stored["cheats"].as_ss().unwrap(),
        &vec!["Konami".to_owned()]
    );

    // A deleted item is not resurrected by a stale save.
    db.mapper.delete_key::<DoomMap>((2, 1)).await?;
    c.name = "Ghost".into();
    assert!(db.mapper.save(&mut c).await.unwrap_err().is_conflict());
    assert!(raw(&db, &table, key(2, 1)).await?.is_empty());

    // Changing the key of a loaded item is refused.
    db.mapper
        .put(&doom_map(2, 2, "Containment Area", &[]))
        .await?;
    let mut d = db.mapper.get::<DoomMap>((2, 2)).await?;
    d.map = 3;
    let err = db.mapper.save(&mut d).await.unwrap_err();
    assert!(err.to_string().contains("key of a loaded item"), "{err}");
    Ok(())
}

/// Every shape of update that wrote items the strict load then refused
/// (issue 27): a copy from another attribute, `if_not_exists` of another
/// attribute, removing an attribute with a default, a list index past the
/// end, removing below a list's minimum length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Logbook {
    id: String,
    small: i64,
    big: i64,
    other: i64,
    defaulted: i64,
    log: Vec<i64>,
    label: String,
    short: String,
}

impl Model for Logbook {
    const TABLE: &'static str = "logbook";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", str())
            .required("small", int().range(0..=10))
            .required("big", int())
            .required("other", int().range(0..=10))
            .with_default("defaulted", int(), 5)
            .required("log", list_of(int()).length(2..=4))
            .required("label", str())
            .required("short", str().length(1..=3))
    }
}

/// A deterministic pseudo-random number below `n` (splitmix64).
fn below(seed: &mut u64, n: u64) -> u64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % n
}

fn random_update(seed: &mut u64) -> Update {
    use mapper::expr::{Action, SetOperand, SetValue};
    let n = |seed: &mut u64, lo: i64, span: u64| lo + below(seed, span) as i64;
    let copy = |to: &str, from: &str| {
        Update::new().action(Action::Set(
            attr(to),
            SetValue::Operand(SetOperand::Path(attr(from))),
        ))
    };
    match below(seed, 10) {
        0 => copy("small", "big"),
        1 => copy("small", "other"),
        2 => Update::new().action(Action::Set(
            attr("small"),
            SetValue::Operand(SetOperand::IfNotExists(
                attr("big"),
                Value::from(n(seed, 0, 11)),
            )),
        )),
        3 => copy("short", "label"),
        4 => copy("label", "short"),
        5 => Update::new().remove("defaulted"),
        6 => Update::new().set(attr("log").index(below(seed, 6) as usize), n(seed, 0, 9)),
        7 => Update::new().remove(attr("log").index(below(seed, 5) as usize)),
        8 => copy("big", "small"),
        _ => Update::new().increment("small", n(seed, -3, 7)),
    }
}

/// Regression: 426 of 2,600 random updates wrote items the strict load
/// refused, and reported an error after writing. Now an update that
/// succeeds leaves an item the strict load takes, and one that fails
/// wrote nothing.
#[tokio::test]
async fn random_updates_never_write_an_item_the_strict_load_refuses() -> TestResult {
    let db = TestDb::with_table::<Logbook>().await?;
    let table = db.table::<Logbook>();
    let mut seed = 27;
    let (mut applied, mut refused) = (0, 0);
    for round in 0..1_000 {
        let id = format!("l{}", round % 50);
        let len = 2 + below(&mut seed, 3) as usize;
        let item = Logbook {
            id: id.clone(),
            small: below(&mut seed, 11) as i64,
            big: below(&mut seed, 30) as i64 - 10,
            other: below(&mut seed, 11) as i64,
            defaulted: 5,
            log: (0..len as i64).collect(),
            label: ["", "ab", "abcd", "abcdef"][below(&mut seed, 4) as usize].to_owned(),
            short: ["a", "abc"][below(&mut seed, 2) as usize].to_owned(),
        };
        db.mapper.put(&item).await?;
        let before = raw(&db, &table, [("id", s(&id))]).await?;
        let update = random_update(&mut seed);
        match db.mapper.update::<Logbook>(id.as_str(), &update).await {
            Ok(updated) => {
                applied += 1;
                let loaded = db.mapper.get::<Logbook>(id.as_str()).await;
                assert!(loaded.is_ok(), "{update:?} on {item:?} wrote {loaded:?}");
                assert_eq!(
                    loaded.ok().map(mapper::Item::into_inner),
                    Some(updated.into_inner())
                );
            }
            Err(e) => {
                refused += 1;
                assert!(
                    matches!(e, Error::Validation { .. }),
                    "{update:?} on {item:?}: {e}"
                );
                let after = raw(&db, &table, [("id", s(&id))]).await?;
                assert_eq!(before, after, "{update:?} refused ({e}) but wrote");
            }
        }
    }
    println!("{applied} applied, {refused} refused");
    assert!(
        applied > 200 && refused > 200,
        "{applied} applied, {refused} refused"
    );
    Ok(())
}
