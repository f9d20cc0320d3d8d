//! Generated key defaults against DynamoDB Local: a new item without its
//! key gets a fresh one on every write path, and gives it back.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::batch::Write;
use mapper::{Item, Model};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use validate::{Schema, str};

type TestResult = Result<(), SetupError>;

/// A note keyed by a uuid and, within it, a ulid revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revision: Option<String>,
    text: String,
}

impl Model for Note {
    const TABLE: &'static str = "note";
    const HASH_KEY: &'static str = "id";
    const RANGE_KEY: Option<&'static str> = Some("revision");

    fn schema() -> Schema {
        Schema::new()
            .with_default_fn("id", str().length(36..=36), mapper::keygen::uuid)
            .with_default_fn("revision", str().length(26..=26), mapper::keygen::ulid)
            .required("text", str())
    }
}

fn note(text: &str) -> Note {
    Note {
        id: None,
        revision: None,
        text: text.into(),
    }
}

#[tokio::test]
async fn new_items_get_generated_keys_on_every_write_path() -> TestResult {
    let db = TestDb::with_table::<Note>().await?;
    let created = db.mapper.create(&note("created")).await?;
    let put = db.mapper.put(&note("put")).await?;
    let mut saved = Item::new(note("saved"));
    db.mapper.save(&mut saved).await?;
    db.mapper
        .batch_write([Write::Put(note("batch 1")), Write::Put(note("batch 2"))])
        .await?;
    let mut ids = BTreeSet::new();
    for item in [&created, &put, &saved] {
        let (id, revision) = (
            item.id.clone().ok_or("no id")?,
            item.revision.clone().ok_or("no revision")?,
        );
        assert_eq!((id.len(), revision.len()), (36, 26));
        ids.insert(id.clone());
        // Stored under exactly the key given back.
        let stored = db
            .client()
            .get_item()
            .table_name(db.table::<Note>())
            .key("id", AttributeValue::S(id.clone()))
            .key("revision", AttributeValue::S(revision.clone()))
            .send()
            .await?
            .item
            .ok_or("not stored under the key given back")?;
        assert_eq!(
            stored.get("text"),
            Some(&AttributeValue::S(item.text.clone()))
        );
        let loaded = db.mapper.get::<Note>((id, revision)).await?;
        assert_eq!(loaded.text, item.text);
    }
    let all = db.mapper.scan::<Note>().all().await?;
    assert_eq!(all.len(), 5);
    ids.extend(all.iter().filter_map(|n| n.id.clone()));
    assert_eq!(ids.len(), 5, "every key distinct");
    // A key given is kept.
    let mut given = note("given");
    given.id = Some("00000000-0000-4000-8000-000000000000".into());
    let kept = db.mapper.put(&given).await?;
    assert_eq!(kept.id, given.id);
    Ok(())
}

/// The same with plain `String` keys and the derive: an empty key is a
/// key not generated yet (regression: it compiled, then failed with `id:
/// a key attribute cannot be an empty string or binary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "plain_note")]
struct PlainNote {
    #[model(hash_key, default_fn = mapper::keygen::uuid)]
    id: String,
    text: String,
}

#[tokio::test]
async fn plain_string_keys_with_a_generator_are_generated_when_empty() -> TestResult {
    let db = TestDb::with_table::<PlainNote>().await?;
    let blank = |text: &str| PlainNote {
        id: String::new(),
        text: text.into(),
    };
    let created = db.mapper.create(&blank("created")).await?;
    let mut saved = Item::new(blank("saved"));
    db.mapper.save(&mut saved).await?;
    db.mapper.batch_write([Write::Put(blank("batch"))]).await?;
    assert_eq!(created.id.len(), 36, "{}", created.id);
    assert_eq!(saved.id.len(), 36, "{}", saved.id);
    assert_ne!(created.id, saved.id);
    let stored = db
        .client()
        .scan()
        .table_name(db.table::<PlainNote>())
        .send()
        .await?;
    assert_eq!(stored.count(), 3);
    for item in stored.items() {
        let id = item.get("id").and_then(|v| v.as_s().ok()).ok_or("no id")?;
        assert_eq!(id.len(), 36, "{id}");
    }
    // A key given is kept.
    let given = db
        .mapper
        .create(&PlainNote {
            id: "mine".into(),
            text: "given".into(),
        })
        .await?;
    assert_eq!(given.id, "mine");
    Ok(())
}
