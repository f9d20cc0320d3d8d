//! Migrations on a real table: the original dynamodb-mapper's `User` at
//! versions 1, 2 and 11 (`mail` renamed to `email` from 2 to 11), loaded
//! through every path, written back lazily or at once, never losing a
//! concurrent write nor clobbering an item written by newer code. What is
//! stored is read back with the raw client.

mod raw;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::batch::Write;
use mapper::migrate::Plan;
use mapper::{Error, Item, Migrations, Model, Update, WriteBack, attr};
use serde::{Deserialize, Serialize};
use test_support::{FaultProxy, FaultStats, Faults, SetupError, TestDb};
use validate::{Errors, Value};

type TestResult = Result<(), SetupError>;

/// The current `User`: version 11.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "users", migrations)]
struct User {
    #[model(hash_key)]
    id: i64,
    email: String,
    name: String,
}

/// The attribute names of an item, sorted.
fn names(item: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = item
        .as_map()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names
}

#[mapper::migrations(current = 11)]
impl User {
    // Detectors as the original wrote them: exact attribute sets.
    #[detect(1)]
    fn looks_v1(item: &Value) -> bool {
        names(item) == ["id", "mail"] && item.get("mail").is_some_and(Value::is_string)
    }

    #[detect(2)]
    fn looks_v2(item: &Value) -> bool {
        names(item) == ["id", "mail", "name"]
    }

    #[detect(11)]
    fn looks_v11(item: &Value) -> bool {
        names(item) == ["email", "id", "name"]
    }

    #[migration(from = 1)]
    fn to_v2(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut() {
            map.insert("name".to_owned(), Value::from(""));
        }
        Ok(item)
    }

    #[migration(from = 2, to = 11)]
    fn rename_mail(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut()
            && let Some(mail) = map.remove("mail")
        {
            map.insert("email".to_owned(), mail);
        }
        Ok(item)
    }
}

/// The same table read leniently: an item newer than the code loads as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "users", migrations, read_policy = "lenient")]
struct LenientUser {
    #[model(hash_key)]
    id: i64,
    #[model(default = "")]
    email: String,
    #[model(default = "")]
    name: String,
}

impl Migrations for LenientUser {
    fn plan() -> &'static Plan {
        User::plan()
    }
}

const VERSION: &str = "__schema_version__";

fn n(i: i64) -> AttributeValue {
    AttributeValue::N(i.to_string())
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn user(id: i64, email: &str, name: &str) -> User {
    User {
        id,
        email: email.into(),
        name: name.into(),
    }
}

/// Writes a raw item, as old code did.
async fn store(db: &TestDb, item: &[(&str, AttributeValue)]) -> TestResult {
    let mut request = db.client().put_item().table_name(db.table::<User>());
    for (name, value) in item {
        request = request.item(*name, value.clone());
    }
    request.send().await?;
    Ok(())
}

async fn stored(db: &TestDb, id: i64) -> Result<HashMap<String, AttributeValue>, SetupError> {
    db.client()
        .get_item()
        .table_name(db.table::<User>())
        .key("id", n(id))
        .consistent_read(true)
        .send()
        .await?
        .item
        .ok_or_else(|| format!("no item {id}").into())
}

fn v1(id: i64, mail: &str) -> Vec<(&'static str, AttributeValue)> {
    vec![("id", n(id)), ("mail", s(mail))]
}

/// A mapper on the test's tables through a proxy counting requests.
async fn counted(db: &TestDb) -> Result<(FaultProxy, mapper::Mapper), SetupError> {
    let proxy = FaultProxy::start(&test_support::endpoint().await?, Faults::default()).await?;
    let mapper = db.through(&proxy.endpoint, 3);
    Ok((proxy, mapper))
}

#[tokio::test]
async fn legacy_items_load_migrated_and_remember_the_raw_item() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    store(&db, &v1(1, "ann@example.com")).await?;
    store(
        &db,
        &[
            ("id", n(2)),
            ("mail", s("bob@example.com")),
            ("name", s("Bob")),
        ],
    )
    .await?;
    // A v1 shape whose mail has the wrong type: no detector knows it.
    store(&db, &[("id", n(3)), ("mail", n(5))]).await?;
    db.mapper.put(&user(4, "cy@example.com", "Cy")).await?;

    let ann = db.mapper.get::<User>(1).await?;
    assert_eq!(*ann, user(1, "ann@example.com", ""));
    assert_eq!(ann.migrated_from(), Some(1));
    let raw: HashMap<String, AttributeValue> = v1(1, "ann@example.com")
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    assert_eq!(
        ann.stored_attributes(),
        Some(&raw),
        "as loaded: the raw item"
    );

    let bob = db.mapper.get::<User>(2).await?;
    assert_eq!(*bob, user(2, "bob@example.com", "Bob"));
    assert_eq!(bob.migrated_from(), Some(2));

    let err = db.mapper.get::<User>(3).await.err().ok_or("loaded")?;
    let Error::Migration { table, key, error } = &err else {
        return Err(format!("expected a migration error, got {err}").into());
    };
    assert_eq!(table, &db.table::<User>());
    assert_eq!(key.to_string(), "id=3");
    assert!(
        matches!(error, mapper::migrate::Error::Undetected { tried } if tried == &[11, 2, 1]),
        "detectors tried highest first: {err}"
    );

    let cy = db.mapper.get::<User>(4).await?;
    assert_eq!(cy.migrated_from(), None, "stored at the current version");
    assert_eq!(stored(&db, 4).await?.get(VERSION), Some(&n(11)));

    // Every load path migrates: batch get, query, scan, from_attributes.
    let got = db.mapper.batch_get::<User, _>([1, 2, 3, 4, 5]).await?;
    let ids: Vec<i64> = got.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, [1, 2, 4]);
    assert_eq!(got.missing.len(), 1);
    assert_eq!(got.failed.len(), 1, "one bad item does not fail the batch");
    assert!(matches!(got.failed[0].1, Error::Migration { .. }));
    let err = db
        .mapper
        .scan::<User>()
        .all()
        .await
        .err()
        .ok_or("scanned")?;
    assert!(matches!(err, Error::Migration { .. }), "{err}");
    db.client()
        .delete_item()
        .table_name(db.table::<User>())
        .key("id", n(3))
        .send()
        .await?;
    let mut scanned: Vec<(i64, Option<u32>)> = db
        .mapper
        .scan::<User>()
        .all()
        .await?
        .iter()
        .map(|i| (i.id, i.migrated_from()))
        .collect();
    scanned.sort_unstable();
    assert_eq!(scanned, [(1, Some(1)), (2, Some(2)), (4, None)]);
    let queried = db.mapper.query::<User>(1).all().await?;
    assert_eq!(queried.len(), 1);
    assert_eq!(*queried[0], user(1, "ann@example.com", ""));
    let from = db.mapper.from_attributes::<User>(raw)?;
    assert_eq!(from.migrated_from(), Some(1));
    Ok(())
}

#[tokio::test]
async fn saving_a_migrated_item_sends_the_migration_in_one_request() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    store(&db, &v1(1, "ann@example.com")).await?;
    let (proxy, mapper) = counted(&db).await?;
    let mut ann = mapper.get::<User>(1).await?;
    ann.name = "Ann".into();
    mapper.save(&mut ann).await?;
    assert_eq!(FaultStats::get(&proxy.stats.writes), 1);
    let now = stored(&db, 1).await?;
    assert_eq!(now.get("email"), Some(&s("ann@example.com")));
    assert_eq!(now.get("name"), Some(&s("Ann")));
    assert_eq!(now.get(VERSION), Some(&n(11)));
    assert!(
        !now.contains_key("mail"),
        "the dropped attribute is removed"
    );
    assert_eq!(ann.migrated_from(), None, "saved: current now");
    // Nothing left to write.
    mapper.save(&mut ann).await?;
    assert_eq!(FaultStats::get(&proxy.stats.writes), 1);
    Ok(())
}

#[tokio::test]
async fn a_concurrent_change_of_a_legacy_item_is_a_conflict_not_a_lost_update() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    store(&db, &v1(1, "ann@example.com")).await?;
    let mut ann = db.mapper.get::<User>(1).await?;
    // Old code, still running, changes the mail.
    store(&db, &v1(1, "ann@new.example.com")).await?;
    ann.name = "Ann".into();
    let err = db.mapper.save(&mut ann).await.err().ok_or("saved")?;
    assert!(err.is_conflict(), "{err}");
    let now = stored(&db, 1).await?;
    assert_eq!(now.get("mail"), Some(&s("ann@new.example.com")));
    assert!(!now.contains_key("email") && !now.contains_key(VERSION));
    // Reloaded, the save goes through with the new mail.
    let mut ann = db.mapper.get::<User>(1).await?;
    ann.name = "Ann".into();
    db.mapper.save(&mut ann).await?;
    let now = stored(&db, 1).await?;
    assert_eq!(now.get("email"), Some(&s("ann@new.example.com")));
    assert_eq!(now.get(VERSION), Some(&n(11)));
    // The condition is the whole raw item, not only what the migration
    // changes: a step may compute from any attribute.
    let v2 = [
        ("id", n(2)),
        ("mail", s("bob@example.com")),
        ("name", s("Bob")),
    ];
    store(&db, &v2).await?;
    let mut bob = db.mapper.get::<User>(2).await?;
    store(
        &db,
        &[
            ("id", n(2)),
            ("mail", s("bob@example.com")),
            ("name", s("Robert")),
        ],
    )
    .await?;
    let err = db.mapper.save(&mut bob).await.err().ok_or("saved")?;
    assert!(err.is_conflict(), "{err}");
    assert!(!stored(&db, 2).await?.contains_key(VERSION));
    Ok(())
}

#[tokio::test]
async fn immediate_write_back_writes_once_then_loads_current_items() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    store(&db, &v1(1, "ann@example.com")).await?;
    store(&db, &v1(2, "bob@example.com")).await?;
    let (proxy, mapper) = counted(&db).await?;
    let eager = mapper.with_write_back(WriteBack::Immediately);
    let ann = eager.get::<User>(1).await?;
    assert_eq!(ann.migrated_from(), None, "written back: current");
    assert_eq!(FaultStats::get(&proxy.stats.writes), 1);
    let now = stored(&db, 1).await?;
    assert_eq!(now.get(VERSION), Some(&n(11)));
    assert!(!now.contains_key("mail"));
    eager.get::<User>(1).await?;
    assert_eq!(FaultStats::get(&proxy.stats.writes), 1, "nothing to write");
    // Batch gets write back too; lazy mappers do not.
    mapper.get::<User>(2).await?;
    assert_eq!(FaultStats::get(&proxy.stats.writes), 1);
    let got = eager.batch_get::<User, _>([1, 2]).await?;
    assert_eq!(got.items.len(), 2);
    assert_eq!(FaultStats::get(&proxy.stats.writes), 2);
    assert_eq!(stored(&db, 2).await?.get(VERSION), Some(&n(11)));
    Ok(())
}

#[tokio::test]
async fn an_item_written_by_newer_code_is_never_written_back() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    let newer = [
        ("id", n(1)),
        ("email", s("ann@example.com")),
        ("name", s("Ann")),
        ("phone", s("555")),
        (VERSION, n(12)),
    ];
    store(&db, &newer).await?;
    let (proxy, mapper) = counted(&db).await?;
    let eager = mapper.with_write_back(WriteBack::Immediately);
    let err = eager.get::<User>(1).await.err().ok_or("loaded")?;
    assert!(
        matches!(
            &err,
            Error::Migration {
                error: mapper::migrate::Error::Newer {
                    found: 12,
                    current: 11
                },
                ..
            }
        ),
        "{err}"
    );
    // Lenient: loaded as is, with a warning; its save is refused.
    let mut lenient = eager.get::<LenientUser>(1).await?;
    assert_eq!(lenient.name, "Ann");
    assert!(lenient.warnings().to_string().contains("newer"));
    lenient.name = "Old code".into();
    let err = eager.save(&mut lenient).await.err().ok_or("saved")?;
    assert!(matches!(err, Error::Migration { .. }), "{err}");
    assert_eq!(FaultStats::get(&proxy.stats.writes), 0);
    let now = stored(&db, 1).await?;
    assert_eq!(now.get("name"), Some(&s("Ann")));
    assert_eq!(now.get(VERSION), Some(&n(12)));
    Ok(())
}

#[tokio::test]
async fn every_write_stores_the_current_version_and_updates_need_it() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    db.mapper.put(&user(1, "a@x.io", "A")).await?;
    db.mapper.create(&user(2, "b@x.io", "B")).await?;
    db.mapper
        .batch_write::<User>(vec![Write::Put(user(3, "c@x.io", "C"))])
        .await?;
    db.mapper
        .transact_write()
        .put(&user(4, "d@x.io", "D"))
        .send()
        .await?;
    let mut e = Item::new(user(5, "e@x.io", "E"));
    db.mapper.save(&mut e).await?;
    for id in 1..=5 {
        assert_eq!(stored(&db, id).await?.get(VERSION), Some(&n(11)), "{id}");
    }
    // The version is not a model attribute: loads and saves of current
    // items see no unknown attribute, and a save keeps it.
    let mut a = db.mapper.get::<User>(1).await?;
    a.name = "Ay".into();
    db.mapper.save(&mut a).await?;
    assert_eq!(stored(&db, 1).await?.get(VERSION), Some(&n(11)));
    // An update of a current item goes through and keeps it current.
    db.mapper
        .update::<User>(1, &Update::new().set(attr("name"), "Aye"))
        .await?;
    assert_eq!(stored(&db, 1).await?.get(VERSION), Some(&n(11)));
    // An update of a legacy item would mark it current without its steps:
    // refused, nothing written.
    store(&db, &v1(6, "f@x.io")).await?;
    let err = db
        .mapper
        .update::<User>(6, &Update::new().set(attr("name"), "F"))
        .await
        .err()
        .ok_or("updated")?;
    assert!(
        matches!(
            &err,
            Error::Migration {
                error: mapper::migrate::Error::Stale {
                    found: 1,
                    current: 11
                },
                ..
            }
        ),
        "{err}"
    );
    assert!(!stored(&db, 6).await?.contains_key("name"));
    // And the version attribute is the mapper's alone.
    let err = db
        .mapper
        .update::<User>(1, &Update::new().set(attr(VERSION), 3))
        .await
        .err()
        .ok_or("updated")?;
    assert!(err.to_string().contains("version attribute"), "{err}");
    Ok(())
}

#[tokio::test]
async fn a_migrated_item_saved_in_a_transaction_sends_the_migration() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    store(&db, &v1(1, "ann@example.com")).await?;
    let mut ann = db.mapper.get::<User>(1).await?;
    db.mapper.transact_write().save(&mut ann).send().await?;
    let now = stored(&db, 1).await?;
    assert_eq!(now.get("email"), Some(&s("ann@example.com")));
    assert!(!now.contains_key("mail"));
    assert_eq!(now.get(VERSION), Some(&n(11)));
    Ok(())
}

/// Writes raw items, as old code did.
async fn store_all(db: &TestDb, items: Vec<HashMap<String, AttributeValue>>) -> TestResult {
    raw::put_all(db.client(), &db.table::<User>(), items).await
}

fn raw_item(item: &[(&str, AttributeValue)]) -> HashMap<String, AttributeValue> {
    item.iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// 100 v1 items (ids 0..100), 100 v2 (100..200), 50 current (200..250),
/// 20 newer (250..270), 5 undetectable (270..275).
async fn legacy_table(db: &TestDb) -> TestResult {
    let mut items = Vec::new();
    for id in 0..100 {
        items.push(raw_item(&v1(id, &format!("u{id}@x.io"))));
    }
    for id in 100..200 {
        items.push(raw_item(&[
            ("id", n(id)),
            ("mail", s(&format!("u{id}@x.io"))),
            ("name", s("Two")),
        ]));
    }
    for id in 200..250 {
        items.push(raw_item(&[
            ("id", n(id)),
            ("email", s(&format!("u{id}@x.io"))),
            ("name", s("Current")),
            (VERSION, n(11)),
        ]));
    }
    for id in 250..270 {
        items.push(raw_item(&[
            ("id", n(id)),
            ("email", s("new@x.io")),
            ("name", s("Newer")),
            (VERSION, n(12)),
        ]));
    }
    for id in 270..275 {
        items.push(raw_item(&[("id", n(id)), ("mail", n(id))]));
    }
    store_all(db, items).await
}

/// The whole table, raw.
async fn everything(db: &TestDb) -> Result<Vec<HashMap<String, AttributeValue>>, SetupError> {
    raw::scan_all(db.client(), &db.table::<User>()).await
}

fn version_of(item: &HashMap<String, AttributeValue>) -> Option<i64> {
    raw::number(item, VERSION)
}

#[tokio::test]
async fn a_dry_run_counts_and_samples_and_writes_nothing() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    legacy_table(&db).await?;
    let before = everything(&db).await?;
    let checkpoint = std::env::temp_dir().join(format!("{}dry.json", db.mapper.prefix()));
    let report = db
        .mapper
        .migrate_table::<User>()
        .parallel(3)
        .page_size(40)
        .checkpoint(&checkpoint)
        .dry_run()
        .run()
        .await?;
    assert!(!checkpoint.exists(), "a dry run leaves no checkpoint");
    let census = &report.census;
    assert_eq!(census.scanned, 275);
    assert_eq!(census.current, 50);
    assert_eq!(census.migrated, [(1, 100), (2, 100)].into());
    assert_eq!(census.newer, 20);
    assert_eq!(census.failed, 5);
    assert_eq!(report.failures.len(), 5);
    assert_eq!(report.samples.len(), mapper::limits::DRY_RUN_SAMPLES);
    let sample = &report.samples[0];
    assert!(sample.before.get("mail").is_some() && sample.before.get(VERSION).is_none());
    assert!(sample.after.get("mail").is_none());
    assert_eq!(sample.after.get(VERSION), Some(&Value::from(11)));
    assert_eq!(sample.after.get("email"), sample.before.get("mail"));
    let mut after = everything(&db).await?;
    let mut before = before;
    let id = |i: &HashMap<String, AttributeValue>| i.get("id").cloned().map(|a| format!("{a:?}"));
    before.sort_by_key(id);
    after.sort_by_key(id);
    assert_eq!(before, after, "a dry run writes nothing");
    Ok(())
}

#[tokio::test]
async fn a_bulk_migration_migrates_every_stale_item_once_and_reports_the_rest() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    legacy_table(&db).await?;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress = std::sync::Arc::clone(&seen);
    let report = db
        .mapper
        .migrate_table::<User>()
        .parallel(4)
        .concurrency(8)
        .page_size(30)
        .on_progress(move |census| {
            if let Ok(mut seen) = progress.lock() {
                seen.push(census.scanned);
            }
        })
        .run()
        .await?;
    let census = &report.census;
    assert_eq!(census.scanned, 275);
    assert_eq!(census.current, 50);
    assert_eq!(census.migrated, [(1, 100), (2, 100)].into());
    assert_eq!((census.newer, census.failed, census.gone), (20, 5, 0));
    assert_eq!(census.segments_done, 4);
    assert_eq!(report.failures.len(), 5);
    assert!(report.failures.iter().all(|(_, e)| matches!(
        e,
        Error::Migration {
            error: mapper::migrate::Error::Undetected { .. },
            ..
        }
    )));
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(seen.len() >= 10, "a report per page: {seen:?}");
    assert_eq!(seen.iter().max(), Some(&275));
    for item in everything(&db).await? {
        let id: i64 = item
            .get("id")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or("id")?;
        match id {
            0..250 => {
                assert_eq!(version_of(&item), Some(11), "{id}");
                assert!(!item.contains_key("mail"), "{id}");
                assert_eq!(item.get("email"), Some(&s(&format!("u{id}@x.io"))), "{id}");
            }
            250..270 => assert_eq!(version_of(&item), Some(12), "newer: untouched"),
            _ => assert_eq!(version_of(&item), None, "undetectable: untouched"),
        }
    }
    // A second run finds everything current.
    let again = db.mapper.migrate_table::<User>().run().await?;
    assert_eq!(again.census.current, 250);
    assert_eq!(again.census.migrated_total(), 0);
    Ok(())
}

#[tokio::test]
async fn workers_share_a_table_and_resume_from_their_checkpoints() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    legacy_table(&db).await?;
    let dir = std::env::temp_dir().join(format!("{}checkpoints", db.mapper.prefix()));
    std::fs::create_dir_all(&dir)?;
    let worker = |i: u32| {
        db.mapper
            .migrate_table::<User>()
            .segment(i, 2)
            .parallel(2)
            .page_size(20)
            .checkpoint(dir.join(format!("worker-{i}.json")))
    };
    // Worker 0 is stopped after its first pages (its process killed).
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let stopped = {
        let mapper = db.mapper.clone();
        let path = dir.join("worker-0.json");
        tokio::spawn(async move {
            mapper
                .migrate_table::<User>()
                .segment(0, 2)
                .parallel(2)
                .page_size(20)
                .checkpoint(path)
                .on_progress(move |census| {
                    let _ = tx.send(census.scanned);
                })
                .run()
                .await
        })
    };
    let mut first = 0;
    while let Some(scanned) = rx.recv().await {
        first = scanned;
        if scanned >= 40 {
            break;
        }
    }
    stopped.abort();
    let _ = stopped.await;
    assert!(first >= 40);
    let saved = std::fs::read_to_string(dir.join("worker-0.json"))?;
    assert!(saved.contains("\"segments_total\":4"), "{saved}");
    // Resumed, worker 0 does not read its finished pages again; worker 1
    // runs its share meanwhile.
    let (zero, one) = tokio::join!(worker(0).run(), worker(1).run());
    let (zero, one) = (zero?, one?);
    // Its share is what worker 1 did not read; the pages it reported
    // before it stopped were checkpointed, and are not read again.
    let share = 275 - one.census.scanned;
    assert!(
        zero.census.scanned + first <= share,
        "resumed after its checkpoint: {first} read, then {} of {share}",
        zero.census.scanned
    );
    // Every stale item is migrated, whichever run did it.
    let stale = everything(&db)
        .await?
        .iter()
        .filter(|item| item.contains_key("mail") && version_of(item).is_none())
        .count();
    assert_eq!(stale, 5, "only the undetectable items stay");
    // A finished checkpoint: a third run of worker 1 reads nothing.
    let done = worker(1).run().await?;
    assert_eq!(done.census.scanned, 0);
    // Another run's checkpoint is refused.
    let err = db
        .mapper
        .migrate_table::<User>()
        .segment(0, 3)
        .checkpoint(dir.join("worker-1.json"))
        .run()
        .await
        .err()
        .ok_or("ran")?;
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn a_writer_running_old_code_during_the_bulk_run_loses_nothing() -> TestResult {
    let db = TestDb::with_table::<User>().await?;
    let items = (0..200)
        .map(|id| raw_item(&v1(id, &format!("u{id}@x.io"))))
        .collect();
    store_all(&db, items).await?;
    // Old code keeps rewriting the mail of items 0..20 while the run goes.
    let old_code = {
        let client = db.client().clone();
        let table = db.table::<User>();
        tokio::spawn(async move {
            // The last mail written for each id, as old code knows it.
            let mut last: HashMap<i64, String> =
                (0..20).map(|id| (id, format!("u{id}@x.io"))).collect();
            for round in 0..15 {
                for id in 0..20 {
                    let mail = format!("r{round}u{id}@x.io");
                    let written = client
                        .put_item()
                        .table_name(&table)
                        .item("id", n(id))
                        .item("mail", s(&mail))
                        .condition_expression("attribute_not_exists(#v)")
                        .expression_attribute_names("#v", VERSION)
                        .send()
                        .await;
                    if written.is_ok() {
                        last.insert(id, mail);
                    }
                }
            }
            last
        })
    };
    let report = db
        .mapper
        .migrate_table::<User>()
        .concurrency(4)
        .page_size(10)
        .run()
        .await?;
    let last = old_code.await.map_err(|e| e.to_string())?;
    assert_eq!(report.census.failed, 0, "{:?}", report.failures);
    assert_eq!(report.census.migrated_total() + report.census.current, 200);
    // Every item is migrated, and holds as email the last mail old code
    // wrote: a migration of an item read before a later write was a
    // conflict, re-read and retried, never a lost update.
    for item in everything(&db).await? {
        let id: i64 = item
            .get("id")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .ok_or("id")?;
        assert_eq!(version_of(&item), Some(11), "{item:?}");
        assert!(!item.contains_key("mail"));
        let expected = last
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("u{id}@x.io"));
        assert_eq!(item.get("email"), Some(&s(&expected)), "{id}");
    }
    eprintln!("conflicts retried: {}", report.census.conflicts_retried);
    Ok(())
}

/// A model refusing unknown attributes: the version attribute is not one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "strict_users", migrations, extra = "forbid")]
struct StrictUser {
    #[model(hash_key)]
    id: i64,
    email: String,
}

#[mapper::migrations(current = 2)]
impl StrictUser {
    #[migration(from = 1)]
    fn rename_mail(item: Value) -> Result<Value, Errors> {
        User::rename_mail(item)
    }
}

#[tokio::test]
async fn the_version_attribute_is_never_an_unknown_attribute() -> TestResult {
    let db = TestDb::with_table::<StrictUser>().await?;
    let strict = StrictUser {
        id: 1,
        email: "a@x.io".into(),
    };
    db.mapper.put(&strict).await?;
    let mut loaded = db.mapper.get::<StrictUser>(1).await?;
    assert_eq!(*loaded, strict);
    loaded.email = "b@x.io".into();
    db.mapper.save(&mut loaded).await?;
    // A stored item without version: the first version (no detectors).
    db.client()
        .put_item()
        .table_name(db.table::<StrictUser>())
        .item("id", n(2))
        .item("mail", s("c@x.io"))
        .send()
        .await?;
    let legacy = db.mapper.get::<StrictUser>(2).await?;
    assert_eq!(legacy.migrated_from(), Some(1));
    assert_eq!(legacy.email, "c@x.io");
    let all = db.mapper.scan::<StrictUser>().all().await?;
    assert_eq!(all.len(), 2);
    Ok(())
}

/// The test kit on the declared plan, without a table.
#[test]
fn the_declared_plan_passes_the_test_kit() {
    use mapper::migrate::testing::{
        assert_chain, assert_current_unchanged, assert_migrates, assert_valid,
    };
    use serde_json::json;
    let plan = User::plan();
    assert_chain(plan);
    assert_migrates(
        plan,
        json!({ "id": 1, "mail": "a@x.io" }),
        1,
        json!({ "id": 1, "email": "a@x.io", "name": "", VERSION: 11 }),
    );
    assert_current_unchanged(
        plan,
        json!({ "id": 1, "email": "a@x.io", "name": "A", VERSION: 11 }),
    );
    assert_valid(
        plan,
        &User::schema(),
        json!({ "id": 2, "mail": "b@x.io", "name": "B" }),
    );
}

/// A model whose step leaves an attribute the model does not know, with a
/// value DynamoDB cannot store (an empty set inside a list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "odd_users", migrations)]
struct OddUser {
    #[model(hash_key)]
    id: i64,
}

#[mapper::migrations(current = 2)]
impl OddUser {
    #[migration(from = 1)]
    fn add_odd(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut() {
            let empty = Value::StringSet(Default::default());
            map.insert("odd".to_owned(), Value::List(vec![empty]));
        }
        Ok(item)
    }
}

#[tokio::test]
async fn an_unknown_attribute_a_step_cannot_store_is_an_error_not_dropped() -> TestResult {
    let db = TestDb::with_table::<OddUser>().await?;
    db.client()
        .put_item()
        .table_name(db.table::<OddUser>())
        .item("id", n(1))
        .send()
        .await?;
    let err = db.mapper.get::<OddUser>(1).await.err().ok_or("loaded")?;
    assert!(matches!(err, Error::Convert { .. }), "{err}");
    assert!(err.to_string().contains("id=1"), "{err}");
    Ok(())
}

/// A step that moves id 7 to 1000007 (a bug a migration author can make).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "movers", migrations)]
struct Mover {
    #[model(hash_key)]
    id: i64,
    name: String,
}

#[mapper::migrations(current = 2)]
impl Mover {
    #[migration(from = 1)]
    fn moved(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut()
            && map.get("id") == Some(&Value::from(7))
        {
            map.insert("id".to_owned(), Value::from(1_000_007));
        }
        Ok(item)
    }
}

/// Regression: a step that changed the key made `get(7)` return an item
/// keyed 1000007 (and its write-back named the invented key), and
/// `batch_get` with immediate write-back failed whole when one write-back
/// failed. A step may not change a key attribute: `StepFailed` naming it;
/// `batch_get` lists that key in `failed` and returns the others.
#[tokio::test]
async fn a_step_that_changes_the_key_fails_and_batch_get_reports_it_per_key() -> TestResult {
    let db = TestDb::with_table::<Mover>().await?;
    let table = db.table::<Mover>();
    for id in [7, 8] {
        db.client()
            .put_item()
            .table_name(&table)
            .item("id", AttributeValue::N(id.to_string()))
            .item("name", AttributeValue::S(format!("n{id}")))
            .send()
            .await?;
    }
    let immediate = db.mapper.with_write_back(WriteBack::Immediately);
    let err = immediate.get::<Mover>(7).await.err().ok_or("loaded")?;
    let Error::Migration {
        error: mapper::migrate::Error::StepFailed { errors, .. },
        key,
        ..
    } = &err
    else {
        return Err(format!("not a failed step: {err}").into());
    };
    assert_eq!(
        key.to_string(),
        "id=7",
        "the stored key, not the invented one"
    );
    assert!(errors.to_string().contains("id"), "{errors}");
    let got = immediate.batch_get::<Mover, _>([7_i64, 8]).await?;
    assert_eq!(got.items.len(), 1);
    assert_eq!(got.items[0].id, 8);
    assert_eq!(got.failed.len(), 1, "{:?}", got.failed);
    let scan = db.client().scan().table_name(&table).send().await?;
    let ids: Vec<&str> = scan
        .items()
        .iter()
        .filter_map(|i| i.get("id").and_then(|v| v.as_n().ok()).map(String::as_str))
        .collect();
    assert_eq!(scan.count(), 2, "no item under an invented key: {ids:?}");
    assert!(!ids.contains(&"1000007"));
    Ok(())
}
