//! Generated key defaults against DynamoDB Local: a new item without its
//! key gets a fresh one on every write path, and gives it back.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Item, Model, Write};
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
