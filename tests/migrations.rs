//! Migrations on a real table: the original dynamodb-mapper's `User` at
//! versions 1, 2 and 11 (`mail` renamed to `email` from 2 to 11), loaded
//! through every path, written back lazily or at once, never losing a
//! concurrent write nor clobbering an item written by newer code. What is
//! stored is read back with the raw client.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::migrate::Plan;
use mapper::{Error, Item, Migrations, Model, Update, Write, WriteBack, attr};
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
