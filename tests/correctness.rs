//! Regression tests for correctness holes: wrong or lost writes, checks
//! that came too late, errors that misled. Each test is named after what
//! broke, and checks what is really stored (read back with the raw client).

mod models;

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::batch::Write;
use mapper::{Item, Model, ReadPolicy};
use models::{Account, DoomMap, doom_map};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use validate::{Schema, number, set_of, str};

type TestResult = Result<(), SetupError>;

/// The raw stored item, read with the SDK client.
async fn raw(
    db: &TestDb,
    table: String,
    key: &[(&str, AttributeValue)],
) -> Result<Option<HashMap<String, AttributeValue>>, SetupError> {
    let mut request = db
        .client()
        .get_item()
        .table_name(table)
        .consistent_read(true);
    for (name, value) in key {
        request = request.key(*name, value.clone());
    }
    Ok(request.send().await?.item)
}

fn n(i: i64) -> AttributeValue {
    AttributeValue::N(i.to_string())
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

async fn stored_map(
    db: &TestDb,
    episode: i64,
    map: i64,
) -> Result<Option<HashMap<String, AttributeValue>>, SetupError> {
    raw(
        db,
        db.table::<DoomMap>(),
        &[("episode", n(episode)), ("map", n(map))],
    )
    .await
}

#[tokio::test]
async fn save_after_delete_writes_the_item_back() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper.put(&doom_map(1, 1, "Hangar", &["idkfa"])).await?;
    let mut item = db.mapper.get::<DoomMap>((1, 1)).await?;
    db.mapper.delete(&mut item).await?;
    assert!(stored_map(&db, 1, 1).await?.is_none());
    assert!(!item.is_stored(), "a deleted item is new again");
    db.mapper.save(&mut item).await?;
    let stored = stored_map(&db, 1, 1).await?.ok_or("save did not write")?;
    assert_eq!(stored.get("name"), Some(&s("Hangar")));
    // Deleted again, and someone else writes the key: the save is a create.
    db.mapper.delete(&mut item).await?;
    db.mapper.put(&doom_map(1, 1, "Theirs", &[])).await?;
    let err = db.mapper.save(&mut item).await.err().ok_or("overwrote")?;
    assert!(err.is_overwrite(), "{err}");
    let stored = stored_map(&db, 1, 1).await?.ok_or("gone")?;
    assert_eq!(stored.get("name"), Some(&s("Theirs")));
    Ok(())
}

#[tokio::test]
async fn delete_after_a_key_edit_is_refused_and_deletes_nothing() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper.put(&doom_map(1, 1, "Hangar", &[])).await?;
    db.mapper.put(&doom_map(1, 2, "Nuclear Plant", &[])).await?;
    let mut item = db.mapper.get::<DoomMap>((1, 1)).await?;
    item.map = 2;
    let err = db.mapper.delete(&mut item).await.err().ok_or("deleted")?;
    assert!(err.is_invalid(), "{err}");
    assert!(
        err.to_string()
            .contains("map: the key of a loaded item cannot change"),
        "{err}"
    );
    assert!(stored_map(&db, 1, 1).await?.is_some());
    assert!(stored_map(&db, 1, 2).await?.is_some());
    // With a version attribute too.
    let db = TestDb::with_table::<Account>().await?;
    for id in ["a", "b"] {
        db.mapper
            .put(&Account {
                id: id.into(),
                balance: 1,
                version: 0,
            })
            .await?;
    }
    let mut a = db.mapper.get::<Account>("a").await?;
    a.id = "b".into();
    assert!(db.mapper.delete(&mut a).await.is_err());
    for id in ["a", "b"] {
        assert!(
            raw(&db, db.table::<Account>(), &[("id", s(id))])
                .await?
                .is_some()
        );
    }
    Ok(())
}

#[tokio::test]
async fn delete_of_an_item_never_loaded_conflicts_with_a_stored_item() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper.put(&doom_map(1, 1, "Hangar", &[])).await?;
    let mut blind = Item::new(doom_map(1, 1, "Something else", &[]));
    let err = db.mapper.delete(&mut blind).await.err().ok_or("deleted")?;
    assert!(err.is_conflict(), "{err}");
    assert!(stored_map(&db, 1, 1).await?.is_some());
    // Nothing stored: nothing to delete, and the call says so by succeeding.
    let mut absent = Item::new(doom_map(1, 2, "Nuclear Plant", &[]));
    db.mapper.delete(&mut absent).await?;
    assert!(stored_map(&db, 1, 2).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn version_at_its_maximum_is_a_typed_error_and_writes_nothing() -> TestResult {
    let db = TestDb::with_table::<Account>().await?;
    let table = db.table::<Account>();
    db.client()
        .put_item()
        .table_name(&table)
        .item("id", s("max"))
        .item("balance", n(1))
        .item("version", n(i64::MAX))
        .send()
        .await?;
    let mut item = db.mapper.get::<Account>("max").await?;
    item.balance = 2;
    let err = db.mapper.save(&mut item).await.err().ok_or("saved")?;
    assert!(err.is_invalid(), "{err}");
    assert!(
        err.to_string()
            .contains("version: the version is at its maximum"),
        "{err}"
    );
    let err = db
        .mapper
        .put(&item.clone().into_inner())
        .await
        .err()
        .ok_or("put")?;
    assert!(err.is_invalid(), "{err}");
    let err = db
        .mapper
        .update::<Account>("max", &mapper::Update::new().increment("balance", 1))
        .await
        .err()
        .ok_or("updated")?;
    assert!(err.is_invalid(), "{err}");
    assert!(err.to_string().contains("version"), "{err}");
    let stored = raw(&db, table, &[("id", s("max"))]).await?.ok_or("gone")?;
    assert_eq!(stored.get("balance"), Some(&n(1)));
    assert_eq!(stored.get("version"), Some(&n(i64::MAX)));
    Ok(())
}

/// String keys and an index on a string attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Doc {
    owner: String,
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
}

impl Model for Doc {
    const TABLE: &'static str = "doc";
    const HASH_KEY: &'static str = "owner";
    const RANGE_KEY: Option<&'static str> = Some("path");
    const INDEXES: &'static [mapper::index::Index] =
        &[mapper::index::Index::global("by_tag", "tag", None)];

    fn schema() -> Schema {
        Schema::new()
            .required("owner", str())
            .required("path", str())
            .optional("tag", str())
    }
}

fn doc(owner: &str, path: &str, tag: Option<&str>) -> Doc {
    Doc {
        owner: owner.into(),
        path: path.into(),
        tag: tag.map(str::to_owned),
    }
}

#[tokio::test]
async fn empty_and_oversized_key_values_are_refused_before_sending() -> TestResult {
    let db = TestDb::with_table::<Doc>().await?;
    let long_hash = "h".repeat(2049);
    let long_range = "r".repeat(1025);
    let cases: Vec<(Doc, &str)> = vec![
        (
            doc("", "p", None),
            "owner: a key attribute cannot be an empty string or binary",
        ),
        (
            doc("o", "", None),
            "path: a key attribute cannot be an empty string or binary",
        ),
        (
            doc("o", "p", Some("")),
            "tag: a key attribute cannot be an empty string or binary",
        ),
        (
            doc(&long_hash, "p", None),
            "owner: a partition key value is 2049 bytes; DynamoDB's limit is 2048",
        ),
        (
            doc("o", &long_range, None),
            "path: a sort key value is 1025 bytes; DynamoDB's limit is 1024",
        ),
    ];
    for (bad, message) in &cases {
        for result in [
            db.mapper.put(bad).await.map(drop),
            db.mapper.create(bad).await.map(drop),
            db.mapper.save(&mut Item::new(bad.clone())).await,
        ] {
            let err = result.err().ok_or("written")?;
            assert!(matches!(err, mapper::Error::Validation { .. }), "{err}");
            assert!(
                err.to_string().contains(message),
                "{err}\nexpected {message}"
            );
        }
    }
    let err = db
        .mapper
        .batch_write(cases.iter().map(|(bad, _)| Write::Put(bad.clone())))
        .await
        .err()
        .ok_or("batch written")?;
    assert_eq!(err.errors().map(|e| e.len()), Some(5), "{err}");
    assert!(
        err.to_string().contains("[3].owner: a partition key value"),
        "{err}"
    );
    let err = db.mapper.get::<Doc>(("", "p")).await.err().ok_or("got")?;
    assert!(err.is_invalid(), "{err}");
    let err = db
        .mapper
        .delete_key::<Doc>(("o", long_range.as_str()))
        .await
        .err()
        .ok_or("deleted")?;
    assert!(err.is_invalid(), "{err}");
    db.mapper.put(&doc("o", "p", None)).await?;
    let err = db
        .mapper
        .update::<Doc>(("o", "p"), &mapper::Update::new().set("tag", ""))
        .await
        .err()
        .ok_or("updated")?;
    assert!(
        err.to_string()
            .contains("tag: a key attribute cannot be an empty string"),
        "{err}"
    );
    let scanned = db
        .client()
        .scan()
        .table_name(db.table::<Doc>())
        .send()
        .await?;
    assert_eq!(scanned.count(), 1, "only the valid item was stored");
    let stored = raw(
        &db,
        db.table::<Doc>(),
        &[("owner", s("o")), ("path", s("p"))],
    )
    .await?;
    assert!(!stored.ok_or("gone")?.contains_key("tag"));
    Ok(())
}

/// A required string set and a bounded one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Tagged {
    id: String,
    tags: BTreeSet<String>,
}

impl Model for Tagged {
    const TABLE: &'static str = "tagged";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", str())
            .required("tags", set_of(str()))
    }
}

/// The same table, read leniently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LenientTagged {
    id: String,
    tags: BTreeSet<String>,
}

impl Model for LenientTagged {
    const TABLE: &'static str = "tagged";
    const HASH_KEY: &'static str = "id";
    const READ_POLICY: ReadPolicy = ReadPolicy::Lenient;

    fn schema() -> Schema {
        Tagged::schema()
    }
}

#[tokio::test]
async fn a_list_stored_where_the_schema_says_set_is_refused_strict_and_repaired_lenient()
-> TestResult {
    let db = TestDb::with_table::<Tagged>().await?;
    let table = db.table::<Tagged>();
    db.client()
        .put_item()
        .table_name(&table)
        .item("id", s("l"))
        .item("tags", AttributeValue::L(vec![s("a"), s("a"), s("b")]))
        .send()
        .await?;
    let err = db.mapper.get::<Tagged>("l").await.err().ok_or("loaded")?;
    assert!(matches!(err, mapper::Error::Stored { .. }), "{err}");
    assert!(err.to_string().contains("tags: stored as a list"), "{err}");
    let lenient = db.mapper.get::<LenientTagged>("l").await?;
    assert_eq!(
        lenient.tags,
        BTreeSet::from(["a".to_owned(), "b".to_owned()])
    );
    assert!(
        lenient
            .warnings()
            .to_string()
            .contains("tags: stored as a list"),
        "{}",
        lenient.warnings()
    );
    // Other paths that load: query and scan.
    assert!(db.mapper.scan::<Tagged>().all().await.is_err());
    assert!(db.mapper.query::<Tagged>("l").all().await.is_err());
    Ok(())
}

#[tokio::test]
async fn a_required_set_stored_absent_loads_and_saves_back() -> TestResult {
    let db = TestDb::with_table::<Tagged>().await?;
    let table = db.table::<Tagged>();
    db.client()
        .put_item()
        .table_name(&table)
        .item("id", s("absent"))
        .send()
        .await?;
    let mut item = db.mapper.get::<Tagged>("absent").await?;
    assert!(item.tags.is_empty());
    db.mapper.save(&mut item).await?;
    item.tags.insert("x".into());
    db.mapper.save(&mut item).await?;
    item.tags.clear();
    db.mapper.save(&mut item).await?;
    let stored = raw(&db, table.clone(), &[("id", s("absent"))])
        .await?
        .ok_or("gone")?;
    assert!(
        !stored.contains_key("tags"),
        "an empty set is stored absent"
    );
    // A new item with an empty required set is put, and reads back empty.
    let empty = Tagged {
        id: "new".into(),
        tags: BTreeSet::new(),
    };
    db.mapper.put(&empty).await?;
    db.mapper
        .create(&Tagged {
            id: "new2".into(),
            ..empty.clone()
        })
        .await?;
    db.mapper
        .batch_write([Write::Put(Tagged {
            id: "new3".into(),
            ..empty.clone()
        })])
        .await?;
    for id in ["new", "new2", "new3"] {
        let stored = raw(&db, table.clone(), &[("id", s(id))])
            .await?
            .ok_or("not written")?;
        assert!(!stored.contains_key("tags"));
        assert!(db.mapper.get::<Tagged>(id).await?.tags.is_empty());
    }
    Ok(())
}

/// A model whose floats may be NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    id: String,
    value: f64,
}

impl Model for Reading {
    const TABLE: &'static str = "reading";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", str())
            .required("value", number())
    }
}

#[tokio::test]
async fn batch_write_reports_every_unconvertible_item() -> TestResult {
    let db = TestDb::with_table::<Reading>().await?;
    let reading = |id: &str, value| Reading {
        id: id.into(),
        value,
    };
    let err = db
        .mapper
        .batch_write([
            Write::Put(reading("a", 1.0)),
            Write::Put(reading("b", f64::NAN)),
            Write::Put(reading("c", 2.0)),
            Write::Put(reading("d", f64::INFINITY)),
        ])
        .await
        .err()
        .ok_or("written")?;
    let errors = err.errors().ok_or("not a validation error")?;
    let paths: Vec<String> = errors.iter().map(|v| v.path.to_string()).collect();
    assert_eq!(paths, ["[1].value", "[3].value"], "{err}");
    let scanned = db
        .client()
        .scan()
        .table_name(db.table::<Reading>())
        .send()
        .await?;
    assert_eq!(scanned.count(), 0, "nothing was stored");
    Ok(())
}

#[tokio::test]
async fn batch_write_to_a_missing_table_is_not_retryable() -> TestResult {
    let db = TestDb::new().await?;
    let err = db
        .mapper
        .batch_write([Write::Put(doom_map(1, 1, "Hangar", &[]))])
        .await
        .err()
        .ok_or("written")?;
    assert!(
        matches!(err, mapper::Error::BatchIncomplete { .. }),
        "{err}"
    );
    assert!(!err.is_retryable(), "{err}");
    Ok(())
}

/// Numbers and collections with bounds, for updates computed by DynamoDB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Bounded {
    id: String,
    n: i64,
    rating: f64,
    tags: BTreeSet<String>,
    log: Vec<String>,
}

impl Model for Bounded {
    const TABLE: &'static str = "bounded";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", str())
            .required("n", validate::int().range(0..=100))
            .required("rating", number().range(0..=10))
            .required("tags", set_of(str()).length(..=3))
            .required("log", validate::list_of(str()).length(..=3))
    }
}

fn num(text: &str) -> validate::Number {
    text.parse().unwrap_or_default()
}

#[tokio::test]
async fn updates_past_the_schema_are_refused_atomically_and_name_the_rule() -> TestResult {
    use mapper::Update;
    use validate::{Set, Value};
    let db = TestDb::with_table::<Bounded>().await?;
    let table = db.table::<Bounded>();
    db.mapper
        .put(&Bounded {
            id: "b".into(),
            n: 5,
            rating: 9.5,
            tags: BTreeSet::from(["a".to_owned(), "b".to_owned()]),
            log: vec!["one".into(), "two".into()],
        })
        .await?;
    let before = raw(&db, table.clone(), &[("id", s("b"))])
        .await?
        .ok_or("gone")?;
    let refused: Vec<(Update, &str)> = vec![
        (
            Update::new().increment("n", 1000),
            "n: the update would make it 1005, out of range 0..=100",
        ),
        (
            Update::new().decrement("n", 6),
            "n: the update would make it -1, out of range 0..=100",
        ),
        (
            Update::new().add("n", 96),
            "n: the update would make it 101, out of range 0..=100",
        ),
        (
            Update::new().increment("rating", num("0.75")),
            "rating: the update would make it 10.25, out of range 0..=10",
        ),
        (
            Update::new().list_append("log", vec![Value::from("3"), Value::from("4")]),
            "log: the update could make its length 4, out of range 0..=3",
        ),
        (
            Update::new().add(
                "tags",
                Value::from(Set::from_iter(["c".to_owned(), "d".to_owned()])),
            ),
            "tags: the update could make its length 4, out of range 0..=3",
        ),
    ];
    for (update, message) in refused {
        let err = db
            .mapper
            .update::<Bounded>("b", &update)
            .await
            .err()
            .ok_or("updated")?;
        assert!(matches!(err, mapper::Error::Validation { .. }), "{err}");
        assert!(
            err.to_string().contains(message),
            "{err}\nexpected {message}"
        );
    }
    // Refused before sending: an integer moved by a fraction.
    let err = db
        .mapper
        .update::<Bounded>("b", &Update::new().increment("n", num("0.5")))
        .await
        .err()
        .ok_or("updated")?;
    assert!(
        err.to_string()
            .contains("n: an integer attribute cannot move by 0.5"),
        "{err}"
    );
    let after = raw(&db, table.clone(), &[("id", s("b"))])
        .await?
        .ok_or("gone")?;
    assert_eq!(before, after, "nothing was written");
    // Within the rules, the same updates go through.
    let item = db
        .mapper
        .update::<Bounded>(
            "b",
            &Update::new()
                .increment("n", 95)
                .increment("rating", num("0.5"))
                .list_append("log", vec![Value::from("3")])
                .add("tags", Value::from(Set::from_iter(["c".to_owned()]))),
        )
        .await?;
    assert_eq!(
        (item.n, item.rating, item.log.len(), item.tags.len()),
        (100, 10.0, 3, 3)
    );
    let stored = raw(&db, table, &[("id", s("b"))]).await?.ok_or("gone")?;
    assert_eq!(stored.get("n"), Some(&n(100)));
    Ok(())
}

/// `Ok` for a success, `Ok` too for an unknown outcome (counted in
/// `unknown`): a lost answer's write may have been applied; any other
/// error fails the test.
fn known_or_unknown<T>(
    result: mapper::Result<T>,
    unknown: &mut u32,
) -> Result<Option<T>, SetupError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_outcome_unknown() => {
            *unknown += 1;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A single writer through lost answers: every call reports success or an
/// unknown outcome, never a conflict, and what is stored is each write
/// applied once (an unknown outcome here is always the call's own write:
/// nobody else writes). `update_once` and `insert_auto` always know.
#[tokio::test]
async fn writes_resent_after_a_lost_answer_apply_once_and_never_claim_a_conflict() -> TestResult {
    use mapper::Update;
    use test_support::{FaultProxy, FaultStats, Faults};
    let db = TestDb::with_table::<Account>().await?;
    let maps = TestDb::with_table::<DoomMap>().await?;
    let posts = TestDb::with_table::<models::Post>().await?;
    // A quarter of the requests are applied by DynamoDB and answered with a 500:
    // the SDK sends it again, and the mapper must recognize its own work.
    let proxy = FaultProxy::start(
        &test_support::endpoint().await?,
        Faults {
            lost_answer: 0.25,
            ..Faults::default()
        },
    )
    .await?;
    let fragile = db.through(&proxy.endpoint, 12);
    let fragile_maps = maps.through(&proxy.endpoint, 12);
    let fragile_posts = posts.through(&proxy.endpoint, 12);
    let mut unknown = 0;
    for i in 0..20 {
        let account = Account {
            id: format!("a{i}"),
            balance: 0,
            version: 0,
        };
        known_or_unknown(fragile.create(&account).await, &mut unknown)?;
        let mut loaded = fragile.get::<Account>(account.id.as_str()).await?;
        loaded.balance += 10;
        known_or_unknown(fragile.save(&mut loaded).await, &mut unknown)?;
        known_or_unknown(
            fragile_maps
                .create(&doom_map(1, i % 9 + 1, "Hangar", &[]))
                .await,
            &mut unknown,
        )?;
        let mut map = fragile_maps.get::<DoomMap>((1, i % 9 + 1)).await?;
        map.name = format!("renamed {i}");
        if known_or_unknown(fragile_maps.save(&mut map).await, &mut unknown)?.is_none() {
            map = fragile_maps.get::<DoomMap>((1, i % 9 + 1)).await?;
            assert_eq!(
                map.name,
                format!("renamed {i}"),
                "the unknown save was applied"
            );
        }
        known_or_unknown(fragile_maps.delete(&mut map).await, &mut unknown)?;
        fragile_posts
            .insert_auto(&models::Post {
                id: 0,
                title: format!("post {i}"),
            })
            .await?;
    }
    for _ in 0..30 {
        fragile
            .update_once::<Account>("a0", &Update::new().increment("balance", 1))
            .await?;
    }
    assert!(
        FaultStats::get(&proxy.stats.lost_answers) > 20,
        "answers were lost"
    );
    assert!(unknown > 0, "some outcomes were unknown");
    let a0 = raw(&db, db.table::<Account>(), &[("id", s("a0"))])
        .await?
        .ok_or("gone")?;
    assert_eq!(
        a0.get("balance"),
        Some(&n(40)),
        "30 increments applied once each"
    );
    assert_eq!(a0.get("version"), Some(&n(32)));
    for i in 1..20 {
        let id = format!("a{i}");
        let stored = raw(&db, db.table::<Account>(), &[("id", s(&id))])
            .await?
            .ok_or("gone")?;
        assert_eq!(stored.get("balance"), Some(&n(10)));
        assert_eq!(stored.get("version"), Some(&n(2)));
    }
    let left = maps
        .client()
        .scan()
        .table_name(maps.table::<DoomMap>())
        .send()
        .await?;
    assert_eq!(left.count(), 0, "every map was deleted");
    let stored_posts = posts.mapper.scan::<models::Post>().all().await?;
    let titles: BTreeSet<String> = stored_posts.iter().map(|p| p.title.clone()).collect();
    assert_eq!(titles.len(), 20, "each post inserted once");
    assert_eq!(stored_posts.len(), 20);
    Ok(())
}

/// `cursor` with its key changed by `edit` (the wire form: base64url of
/// `{"v", "q", "k": {name: {"S"|"N"|"B": text}}}`), as a client could send.
fn tampered(cursor: &mapper::Cursor, edit: impl FnOnce(&mut serde_json::Value)) -> mapper::Cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = cursor.as_str().split('.').next().unwrap_or_default();
    let mut wire: serde_json::Value = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default();
    edit(&mut wire["k"]);
    let json = serde_json::to_vec(&wire).unwrap_or_default();
    mapper::Cursor::from_string(URL_SAFE_NO_PAD.encode(json))
}

/// A page asked with a cursor that must be refused: `InvalidCursor`.
fn refused<O: std::fmt::Debug>(page: mapper::Result<mapper::Page<O>>) -> TestResult {
    let err = page.err().ok_or("the cursor was accepted")?;
    assert!(matches!(err, mapper::Error::InvalidCursor { .. }), "{err}");
    Ok(())
}

#[tokio::test]
async fn a_damaged_cursor_is_an_invalid_cursor_not_a_service_error() -> TestResult {
    use models::{Score, score};
    let db = TestDb::with_table::<Score>().await?;
    for game in 0..6 {
        db.mapper.put(&score("ann", game, 1, "red")).await?;
        db.mapper.put(&score("bob", game, 1, "red")).await?;
    }
    let page = db.mapper.query::<Score>("ann").page(2).await?;
    let cursor = page.cursor.ok_or("no cursor")?;
    let damaged = [
        tampered(&cursor, |k| k["game"] = serde_json::json!({"S": "2"})),
        tampered(&cursor, |k| {
            k.as_object_mut().map(|k| k.remove("game"));
        }),
        tampered(&cursor, |k| k["player"] = serde_json::json!({"S": "bob"})),
        tampered(&cursor, |k| k["game"] = serde_json::json!({"N": "two"})),
    ];
    for cursor in damaged {
        refused(db.mapper.query::<Score>("ann").after(cursor).page(2).await)?;
    }
    let scan = db
        .mapper
        .scan::<Score>()
        .page(2)
        .await?
        .cursor
        .ok_or("no cursor")?;
    let wrong_type = tampered(&scan, |k| k["player"] = serde_json::json!({"N": "1"}));
    refused(db.mapper.scan::<Score>().after(wrong_type).page(2).await)
}

#[tokio::test]
async fn signed_cursors_refuse_forged_and_unsigned_ones() -> TestResult {
    use models::{Score, score};
    let db = TestDb::with_table::<Score>().await?;
    for game in 0..6 {
        db.mapper.put(&score("ann", game, 1, "red")).await?;
    }
    let public = db
        .mapper
        .with_cursor_key(b"0123456789abcdef0123456789abcdef");
    let first = public.query::<Score>("ann").page(2).await?;
    let cursor = first.cursor.ok_or("no cursor")?;
    let second = public
        .query::<Score>("ann")
        .after(cursor.clone())
        .page(2)
        .await?;
    let games: Vec<i64> = second.items.iter().map(|s| s.game).collect();
    assert_eq!(games, [2, 3]);
    // The same key moved on by a client: the signature no longer matches.
    let forged = tampered(&cursor, |k| k["game"] = serde_json::json!({"N": "4"}));
    let signature = cursor
        .as_str()
        .split_once('.')
        .map(|(_, s)| s)
        .ok_or("unsigned")?;
    let forged = mapper::Cursor::from_string(format!("{forged}.{signature}"));
    let unsigned = db
        .mapper
        .query::<Score>("ann")
        .page(2)
        .await?
        .cursor
        .ok_or("no cursor")?;
    for cursor in [forged, unsigned] {
        refused(public.query::<Score>("ann").after(cursor).page(2).await)?;
    }
    Ok(())
}

#[tokio::test]
async fn a_filtered_page_stops_at_its_request_budget() -> TestResult {
    use mapper::attr;
    use models::{Score, score};
    use test_support::{FaultProxy, FaultStats, Faults};
    let db = TestDb::with_table::<Score>().await?;
    for game in 0..40 {
        db.mapper.put(&score("ann", game, 1, "red")).await?;
    }
    // A proxy without faults counts the requests.
    let proxy = FaultProxy::start(&test_support::endpoint().await?, Faults::default()).await?;
    let counted = db.through(&proxy.endpoint, 1);
    let nothing = || {
        counted
            .query::<Score>("ann")
            .filter(attr("team").eq("blue"))
    };
    let page = nothing().page(1).await?;
    assert!(page.items.is_empty());
    assert!(page.partial, "stopped at its budget");
    assert_eq!(
        FaultStats::get(&proxy.stats.requests),
        mapper::limits::PAGE_BUDGET as u64
    );
    // Followed, the pages reach the end, each within its budget.
    let mut cursor = page.cursor;
    let mut calls = 1;
    while let Some(after) = cursor {
        let page = nothing().page_budget(3).after(after).page(1).await?;
        assert!(page.items.is_empty());
        cursor = page.cursor;
        calls += 1;
    }
    // 40 items and the empty page after them: 41 requests in all.
    assert_eq!(FaultStats::get(&proxy.stats.requests), 41);
    assert_eq!(calls, 1 + (41 - 10_usize).div_ceil(3));
    Ok(())
}

#[tokio::test]
async fn from_env_ignores_the_test_only_endpoint_variable() -> TestResult {
    const PROBE: &str = "MAPPER_ENDPOINT_PROBE";
    if std::env::var_os(PROBE).is_some() {
        // The child: print what from_env chose, and what it logged.
        let _guard = tracing::subscriber::set_default(Printer);
        let mapper = mapper::Mapper::from_env().await;
        println!("endpoint={:?}", mapper.endpoint());
        return Ok(());
    }
    let run = |vars: &[(&str, &str)]| -> Result<String, SetupError> {
        let mut child = std::process::Command::new(std::env::current_exe()?);
        child
            .args([
                "--exact",
                "from_env_ignores_the_test_only_endpoint_variable",
                "--nocapture",
            ])
            .env(PROBE, "1")
            .env_remove("AWS_ENDPOINT_URL_DYNAMODB")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("DYNAMODB_ENDPOINT");
        for (name, value) in vars {
            child.env(name, value);
        }
        Ok(String::from_utf8(child.output()?.stdout)?)
    };
    let leftover = run(&[("DYNAMODB_ENDPOINT", "http://127.0.0.1:9")])?;
    assert!(leftover.contains("endpoint=None"), "{leftover}");
    let standard = run(&[("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")])?;
    assert!(
        standard.contains("endpoint=Some(\"http://127.0.0.1:9\")"),
        "{standard}"
    );
    // Regression: the endpoint was logged at INFO with its password.
    let secret = run(&[(
        "AWS_ENDPOINT_URL_DYNAMODB",
        "http://user:s3cret@127.0.0.1:9/?token=t0ken",
    )])?;
    assert!(
        secret.contains("logged endpoint=http://***@127.0.0.1:9/?***"),
        "{secret}"
    );
    assert!(!secret.contains("logged endpoint=http://user"), "{secret}");
    Ok(())
}

/// Prints every event's `endpoint` field as `logged endpoint=…`.
struct Printer;

impl tracing::Subscriber for Printer {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Endpoint;
        impl tracing::field::Visit for Endpoint {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "endpoint" {
                    println!("logged endpoint={value:?}");
                }
            }
        }
        event.record(&mut Endpoint);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// An auto-increment model that gives up early.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Impatient {
    id: i64,
    note: String,
}

impl Model for Impatient {
    const TABLE: &'static str = "impatient";
    const HASH_KEY: &'static str = "id";
    const AUTO_INCREMENT: bool = true;
    const AUTO_INCREMENT_ATTEMPTS: u32 = 3;

    fn schema() -> Schema {
        Schema::new()
            .required("id", validate::int())
            .required("note", str())
    }
}

#[tokio::test]
async fn auto_increment_tries_the_originals_100_keys_and_is_configurable() -> TestResult {
    use models::Post;
    let db = TestDb::with_table::<Post>().await?;
    for id in 1..=15 {
        db.mapper
            .put(&Post {
                id,
                title: "direct".into(),
            })
            .await?;
    }
    let post = db
        .mapper
        .insert_auto(&Post {
            id: 0,
            title: "auto".into(),
        })
        .await?;
    assert_eq!(post.id, 16, "15 taken keys skipped (10 was the old limit)");
    let db = TestDb::with_table::<Impatient>().await?;
    for id in 1..=3 {
        db.mapper
            .put(&Impatient {
                id,
                note: "direct".into(),
            })
            .await?;
    }
    let err = db
        .mapper
        .insert_auto(&Impatient {
            id: 0,
            note: "auto".into(),
        })
        .await
        .err()
        .ok_or("inserted")?;
    assert!(
        matches!(err, mapper::Error::MaxRetriesExceeded { attempts: 3, .. }),
        "{err}"
    );
    Ok(())
}

/// An optional set, without `#[serde(default)]`: empty, it is stored
/// absent, and the item as written reads it back empty, as a load does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Labelled {
    id: String,
    labels: BTreeSet<String>,
}

impl Model for Labelled {
    const TABLE: &'static str = "labelled";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", str())
            .optional("labels", set_of(str()))
    }
}

/// The same, its extras kept: the whole-item (report) path writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LabelledLoose {
    id: String,
    labels: BTreeSet<String>,
}

impl Model for LabelledLoose {
    const TABLE: &'static str = "labelled_loose";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Labelled::schema().extra(validate::Extra::Allow)
    }
}

#[tokio::test]
async fn an_empty_optional_set_is_written_and_the_call_says_so() -> TestResult {
    let db = TestDb::with_table::<Labelled>().await?;
    db.mapper
        .create_table::<LabelledLoose>(mapper::Throughput::OnDemand)
        .await?;
    let empty = Labelled {
        id: "a".into(),
        labels: BTreeSet::new(),
    };
    // put, create and save each write the item and return it as written.
    let put = db.mapper.put(&empty).await?;
    assert_eq!(put.into_inner(), empty);
    let created = db
        .mapper
        .create(&Labelled {
            id: "b".into(),
            ..empty.clone()
        })
        .await?;
    assert!(created.labels.is_empty());
    let mut item = db.mapper.get::<Labelled>("a").await?;
    item.labels.insert("x".into());
    db.mapper.save(&mut item).await?;
    item.labels.clear();
    db.mapper.save(&mut item).await?;
    assert!(item.labels.is_empty());
    let loose = db
        .mapper
        .put(&LabelledLoose {
            id: "c".into(),
            labels: BTreeSet::new(),
        })
        .await?;
    assert!(loose.labels.is_empty());
    for (table, id) in [
        (db.table::<Labelled>(), "a"),
        (db.table::<Labelled>(), "b"),
        (db.table::<LabelledLoose>(), "c"),
    ] {
        let stored = raw(&db, table, &[("id", s(id))])
            .await?
            .ok_or("not written")?;
        assert_eq!(stored.get("id"), Some(&s(id)));
        assert!(!stored.contains_key("labels"), "{id}: stored absent");
    }
    assert!(db.mapper.get::<Labelled>("b").await?.labels.is_empty());
    Ok(())
}

/// A key whose validator normalizes it (strips spaces).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stripped {
    id: String,
    n: i64,
}

impl Model for Stripped {
    const TABLE: &'static str = "stripped";
    const HASH_KEY: &'static str = "id";
    const READ_POLICY: ReadPolicy = ReadPolicy::Lenient;
    fn schema() -> Schema {
        Schema::new()
            .required("id", str().strip())
            .with_default("n", validate::int(), 0)
    }
}

/// Regression: a lenient load accepted a key its validator emptied (a
/// stored `"  "` stripped to `""`), which `save` then refused; a key
/// changed by its validator would be saved under another key. The key
/// rules hold on load, whatever the policy.
#[tokio::test]
async fn a_load_never_yields_a_key_save_would_refuse_or_move() -> TestResult {
    let db = TestDb::with_table::<Stripped>().await?;
    let table = db.table::<Stripped>();
    for id in ["  ", " padded ", "fine"] {
        db.client()
            .put_item()
            .table_name(&table)
            .item("id", s(id))
            .item("n", AttributeValue::S("not a number".into()))
            .send()
            .await?;
    }
    // Only a scan reaches them: a get's key is validated (and refused
    // empty) before anything is sent.
    let all: Vec<_> = futures::StreamExt::collect(db.mapper.scan::<Stripped>().stream()).await;
    assert_eq!(all.len(), 3);
    for result in &all {
        match result {
            Ok(item) => {
                assert_eq!(item.id, "fine");
                assert_eq!(item.n, 0, "repaired leniently");
                assert_eq!(item.warnings().len(), 1);
            }
            Err(err) => assert!(
                matches!(err, mapper::Error::Stored { errors, .. }
                    if errors.to_string().starts_with("id: ")),
                "{err}"
            ),
        }
    }
    assert_eq!(all.iter().filter(|r| r.is_err()).count(), 2);
    // One bad stored item does not fail the others (issue 28): the items
    // that load, and the errors apart.
    let loaded = db.mapper.scan::<Stripped>().all_loaded().await?;
    assert_eq!(loaded.items.len(), 1);
    assert_eq!(loaded.failed.len(), 2);
    assert!(loaded.failed.iter().all(mapper::Error::is_stored_item));
    assert!(db.mapper.scan::<Stripped>().all().await.is_err());
    Ok(())
}
