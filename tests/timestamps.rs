//! `created_at` and `updated_at` against DynamoDB Local, with a clock the
//! test sets: `created_at` set when a write creates the item and never
//! changed after (kept by blind puts in the same request, even raced by
//! many writers), `updated_at` moved by each write path that changes the
//! item and by none that does not, a migration's write-back moving
//! neither; what is stored is read back with the raw client.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Error, Mapper, Model, Update, WriteBack};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use time::OffsetDateTime;

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "stamped")]
struct Note {
    #[model(hash_key)]
    id: String,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    /// Stored as RFC 3339 text.
    #[model(created_at)]
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    created: Option<OffsetDateTime>,
    /// Stored as a number of seconds.
    #[model(updated_at)]
    #[serde(
        with = "validate::datetime::epoch_whole_seconds::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    updated: Option<OffsetDateTime>,
}

fn note(id: &str, text: &str) -> Note {
    Note {
        id: id.into(),
        text: text.into(),
        tag: None,
        created: None,
        updated: None,
    }
}

/// A mapper whose clock reads `secs` (seconds since 1970).
fn at(db: &TestDb, secs: &Arc<AtomicI64>) -> Mapper {
    let secs = Arc::clone(secs);
    db.mapper.with_clock(move || {
        OffsetDateTime::from_unix_timestamp(secs.load(Ordering::SeqCst))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    })
}

async fn stored(
    db: &TestDb,
    table: &str,
    id: &str,
) -> Result<HashMap<String, AttributeValue>, SetupError> {
    let out = db
        .client()
        .get_item()
        .table_name(table)
        .key("id", AttributeValue::S(id.into()))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out.item().cloned().ok_or("no item stored")?)
}

/// `created` as RFC 3339 text and `updated` as seconds, as stored.
async fn stamps(db: &TestDb, id: &str) -> Result<(String, String), SetupError> {
    let item = stored(db, &db.table::<Note>(), id).await?;
    let created = item
        .get("created")
        .ok_or("no created")?
        .as_s()
        .map_err(|_| "created not text")?
        .clone();
    let updated = item
        .get("updated")
        .ok_or("no updated")?
        .as_n()
        .map_err(|_| "updated not a number")?
        .clone();
    Ok((created, updated))
}

fn text(secs: i64) -> String {
    format!(
        "{}.000000000Z",
        OffsetDateTime::from_unix_timestamp(secs)
            .map(|t| t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default())
            .unwrap_or_default()
            .trim_end_matches('Z')
    )
}

#[tokio::test]
async fn each_write_path_sets_updated_at_and_keeps_created_at() -> TestResult {
    let db = TestDb::with_table::<Note>().await?;
    let clock = Arc::new(AtomicI64::new(1_000));
    let mapper = at(&db, &clock);

    // create: both now.
    let created = mapper.create(&note("n", "one")).await?;
    assert_eq!(
        created.created,
        OffsetDateTime::from_unix_timestamp(1_000).ok()
    );
    assert_eq!(stamps(&db, "n").await?, (text(1_000), "1000".to_owned()));

    // A blind put of a fresh struct over it: created kept, updated moved;
    // the item given back says so.
    clock.store(2_000, Ordering::SeqCst);
    let put = mapper.put(&note("n", "two")).await?;
    assert_eq!(put.created, OffsetDateTime::from_unix_timestamp(1_000).ok());
    assert_eq!(put.updated, OffsetDateTime::from_unix_timestamp(2_000).ok());
    assert_eq!(stamps(&db, "n").await?, (text(1_000), "2000".to_owned()));

    // The put replaces the item's known attributes (an absent optional one
    // is removed); one the schema does not know stays.
    let mut tagged = note("n", "two");
    tagged.tag = Some("x".into());
    mapper.put(&tagged).await?;
    db.client()
        .update_item()
        .table_name(db.table::<Note>())
        .key("id", AttributeValue::S("n".into()))
        .update_expression("SET legacy = :l")
        .expression_attribute_values(":l", AttributeValue::S("kept".into()))
        .send()
        .await?;
    mapper.put(&note("n", "two")).await?;
    let raw = stored(&db, &db.table::<Note>(), "n").await?;
    assert!(!raw.contains_key("tag"), "{raw:?}");
    assert_eq!(raw.get("legacy"), Some(&AttributeValue::S("kept".into())));

    // A partial save of a change: updated moves; of no change: nothing.
    clock.store(3_000, Ordering::SeqCst);
    let mut loaded = mapper.get::<Note>("n").await?;
    loaded.text = "three".into();
    loaded.created = OffsetDateTime::from_unix_timestamp(5).ok(); // not written
    mapper.save(&mut loaded).await?;
    assert_eq!(stamps(&db, "n").await?, (text(1_000), "3000".to_owned()));
    assert_eq!(
        loaded.created,
        OffsetDateTime::from_unix_timestamp(1_000).ok()
    );
    clock.store(3_500, Ordering::SeqCst);
    mapper.save(&mut loaded).await?;
    assert_eq!(stamps(&db, "n").await?, (text(1_000), "3000".to_owned()));

    // update and update_once: updated moves; setting a timestamp is refused.
    clock.store(4_000, Ordering::SeqCst);
    let after = mapper
        .update::<Note>("n", &Update::new().set(Note::TEXT, "four"))
        .await?;
    assert_eq!(
        after.updated,
        OffsetDateTime::from_unix_timestamp(4_000).ok()
    );
    clock.store(4_500, Ordering::SeqCst);
    mapper
        .update_once::<Note>("n", &Update::new().set(Note::TEXT, "four and a half"))
        .await?;
    assert_eq!(stamps(&db, "n").await?, (text(1_000), "4500".to_owned()));
    let err = mapper
        .update::<Note>("n", &Update::new().set("created", "2020-01-01T00:00:00Z"))
        .await
        .err()
        .ok_or("created_at was set by an update")?;
    assert!(
        err.is_invalid() && err.to_string().contains("set by the mapper"),
        "{err}"
    );

    // A transaction: a save moves updated, a create sets both, and a
    // blind put keeps the stored created_at (an update in it).
    clock.store(5_000, Ordering::SeqCst);
    let mut loaded = mapper.get::<Note>("n").await?;
    loaded.text = "five".into();
    mapper
        .transact_write()
        .save(&mut loaded)
        .create(&note("m", "new"))
        .send()
        .await?;
    assert_eq!(stamps(&db, "n").await?, (text(1_000), "5000".to_owned()));
    assert_eq!(stamps(&db, "m").await?, (text(5_000), "5000".to_owned()));
    clock.store(6_000, Ordering::SeqCst);
    mapper
        .transact_write()
        .put(&note("n", "six"))
        .put(&note("o", "new by a put"))
        .send()
        .await?;
    assert_eq!(stamps(&db, "n").await?, (text(1_000), "6000".to_owned()));
    assert_eq!(stamps(&db, "o").await?, (text(6_000), "6000".to_owned()));
    assert_eq!(mapper.get::<Note>("n").await?.text, "six");

    // Batch puts: refused for a model with created_at, nothing sent.
    let err = mapper
        .batch_write([mapper::batch::Write::Put(note("b", "batched"))])
        .await
        .err()
        .ok_or("a batch put of a created_at model was sent")?;
    assert!(matches!(err, Error::Usage { .. }), "{err}");
    assert!(mapper.find::<Note>("b").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_put_over_an_item_without_created_at_sets_it_once() -> TestResult {
    let db = TestDb::with_table::<Note>().await?;
    let clock = Arc::new(AtomicI64::new(7_000));
    let mapper = at(&db, &clock);
    // Stored before the field existed.
    db.client()
        .put_item()
        .table_name(db.table::<Note>())
        .item("id", AttributeValue::S("old".into()))
        .item("text", AttributeValue::S("old".into()))
        .send()
        .await?;
    mapper.put(&note("old", "put")).await?;
    assert_eq!(stamps(&db, "old").await?, (text(7_000), "7000".to_owned()));
    clock.store(8_000, Ordering::SeqCst);
    mapper.put(&note("old", "again")).await?;
    assert_eq!(stamps(&db, "old").await?, (text(7_000), "8000".to_owned()));
    Ok(())
}

#[tokio::test]
async fn racing_blind_puts_never_change_created_at() -> TestResult {
    let db = TestDb::with_table::<Note>().await?;
    let clock = Arc::new(AtomicI64::new(10_000));
    at(&db, &clock).create(&note("r", "first")).await?;
    // 16 writers, each a blind put of a fresh struct (no created_at) at
    // its own time, 10 times.
    let mut tasks = Vec::new();
    for w in 0..16_i64 {
        let mapper = db.mapper.with_clock(move || {
            OffsetDateTime::from_unix_timestamp(20_000 + w).unwrap_or(OffsetDateTime::UNIX_EPOCH)
        });
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                mapper.put(&note("r", &format!("{w}-{i}"))).await?;
            }
            Ok::<_, Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let (created, updated) = stamps(&db, "r").await?;
    assert_eq!(created, text(10_000), "created_at changed under contention");
    let updated: i64 = updated.parse()?;
    assert!((20_000..20_016).contains(&updated), "{updated}");
    Ok(())
}

/// Version 2 of a model with timestamps: version 1 named `text` `body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "stamped_v2", migrations, write_back = "immediately")]
struct Memo {
    #[model(hash_key)]
    id: String,
    text: String,
    #[model(updated_at)]
    #[serde(
        with = "validate::datetime::epoch_whole_seconds::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    updated: Option<OffsetDateTime>,
}

#[mapper::migrations(current = 2)]
impl Memo {
    #[migration(from = 1)]
    fn rename_body(mut item: validate::Value) -> Result<validate::Value, validate::Errors> {
        if let Some(map) = item.as_map_mut()
            && let Some(body) = map.remove("body")
        {
            map.insert("text".to_owned(), body);
        }
        Ok(item)
    }
}

#[tokio::test]
async fn a_migration_write_back_leaves_updated_at_and_a_batch_put_sets_it() -> TestResult {
    let db = TestDb::with_table::<Memo>().await?;
    let clock = Arc::new(AtomicI64::new(30_000));
    let mapper = at(&db, &clock).with_write_back(WriteBack::Immediately);
    let table = db.table::<Memo>();
    db.client()
        .put_item()
        .table_name(&table)
        .item("id", AttributeValue::S("v1".into()))
        .item("body", AttributeValue::S("old".into()))
        .item("updated", AttributeValue::N("100".into()))
        .send()
        .await?;
    let memo = mapper.get::<Memo>("v1").await?;
    assert_eq!(memo.text, "old");
    let raw = stored(&db, &table, "v1").await?;
    assert_eq!(
        raw.get("text"),
        Some(&AttributeValue::S("old".into())),
        "not written back"
    );
    assert_eq!(raw.get("updated"), Some(&AttributeValue::N("100".into())));
    // A batch put of a model with updated_at only: set to now.
    mapper
        .batch_write([mapper::batch::Write::Put(Memo {
            id: "b".into(),
            text: "batched".into(),
            updated: None,
        })])
        .await?;
    let raw = stored(&db, &table, "b").await?;
    assert_eq!(raw.get("updated"), Some(&AttributeValue::N("30000".into())));
    Ok(())
}

#[tokio::test]
async fn typed_datetime_values_compare_in_the_stored_form() -> TestResult {
    let db = TestDb::with_table::<Note>().await?;
    let clock = Arc::new(AtomicI64::new(40_000));
    let mapper = at(&db, &clock);
    for (id, secs) in [("a", 40_000), ("b", 41_000), ("c", 42_000)] {
        clock.store(secs, Ordering::SeqCst);
        mapper.create(&note(id, id)).await?;
    }
    let t = |secs: i64| OffsetDateTime::from_unix_timestamp(secs);
    // `updated` is stored as a number of seconds, `created` as text: a
    // datetime given for either compares in its stored form.
    let mut since: Vec<String> = mapper
        .scan::<Note>()
        .filter(Note::UPDATED.gt(&t(40_500)?))
        .all()
        .await?
        .into_iter()
        .map(|n| n.id.clone())
        .collect();
    since.sort();
    assert_eq!(since, ["b", "c"]);
    let middle: Vec<String> = mapper
        .scan::<Note>()
        .filter(Note::CREATED.between(&t(40_500)?, &t(41_500)?))
        .all()
        .await?
        .into_iter()
        .map(|n| n.id.clone())
        .collect();
    assert_eq!(middle, ["b"]);
    // A condition on an update, in the stored form too.
    clock.store(43_000, Ordering::SeqCst);
    let updated = mapper
        .update_if::<Note>(
            "a",
            &Update::new().set(Note::TEXT, "changed"),
            Note::UPDATED.lt(&t(40_001)?),
        )
        .await?;
    assert_eq!(updated.updated, Some(t(43_000)?));
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "stamped_posts")]
struct Post {
    #[model(hash_key, auto_increment)]
    id: i64,
    title: String,
    #[model(created_at)]
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    created: Option<OffsetDateTime>,
    #[model(updated_at)]
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    updated: Option<OffsetDateTime>,
}

#[tokio::test]
async fn an_auto_increment_insert_sets_both() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    let clock = Arc::new(AtomicI64::new(50_000));
    let mapper = at(&db, &clock);
    let post = mapper
        .insert_auto(&Post {
            id: 0,
            title: "first".into(),
            created: None,
            updated: None,
        })
        .await?;
    let out = db
        .client()
        .get_item()
        .table_name(db.table::<Post>())
        .key("id", AttributeValue::N(post.id.to_string()))
        .send()
        .await?;
    let item = out.item().ok_or("no post stored")?;
    assert_eq!(item.get("created"), Some(&AttributeValue::S(text(50_000))));
    assert_eq!(item.get("updated"), Some(&AttributeValue::S(text(50_000))));
    Ok(())
}
