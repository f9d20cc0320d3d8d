//! Items with many attributes against DynamoDB's expression limits (4 KB,
//! 300 operators): a condition on the whole item as loaded lists every
//! attribute (issue 27). With a version attribute the condition is on the
//! version alone, at any width; without one, what cannot be conditioned
//! is a typed error before anything is sent, naming what to declare, and
//! an item is always readable.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Error, Model, WriteBack};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use validate::{Errors, Value};

type TestResult = Result<(), SetupError>;

/// Many attributes the model does not know, kept through saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "wide", extra = "allow")]
struct Wide {
    #[model(hash_key)]
    id: String,
    n: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "wide", extra = "allow")]
struct VersionedWide {
    #[model(hash_key)]
    id: String,
    n: i64,
    #[model(version)]
    version: u64,
}

/// The same table with a migration (version 1: no `label`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "wide", extra = "allow", migrations)]
struct MigratedWide {
    #[model(hash_key)]
    id: String,
    n: i64,
    label: String,
}

#[mapper::migrations(current = 2)]
impl MigratedWide {
    #[migration(from = 1)]
    fn labelled(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut() {
            map.insert("label".to_owned(), Value::from("v2"));
        }
        Ok(item)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "wide", extra = "allow", migrations)]
struct MigratedVersionedWide {
    #[model(hash_key)]
    id: String,
    n: i64,
    label: String,
    #[model(version)]
    version: u64,
}

#[mapper::migrations(current = 2)]
impl MigratedVersionedWide {
    #[migration(from = 1)]
    fn labelled(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut() {
            map.insert("label".to_owned(), Value::from("v2"));
        }
        Ok(item)
    }
}

/// Stores item `id` with `width` attributes in all, as old code wrote it
/// (no schema version), with a version attribute when `versioned`.
async fn store(db: &TestDb, id: &str, width: usize, versioned: bool) -> TestResult {
    let mut item = HashMap::from([
        ("id".to_owned(), AttributeValue::S(id.to_owned())),
        ("n".to_owned(), AttributeValue::N("1".into())),
    ]);
    if versioned {
        item.insert("version".to_owned(), AttributeValue::N("1".into()));
    }
    for i in item.len()..width {
        item.insert(
            format!("extra_attribute_{i:04}"),
            AttributeValue::S(format!("v{i}")),
        );
    }
    db.client()
        .put_item()
        .table_name(db.table::<Wide>())
        .set_item(Some(item))
        .send()
        .await?;
    Ok(())
}

async fn stored(
    db: &TestDb,
    id: &str,
) -> Result<Option<HashMap<String, AttributeValue>>, SetupError> {
    Ok(db
        .client()
        .get_item()
        .table_name(db.table::<Wide>())
        .key("id", AttributeValue::S(id.to_owned()))
        .consistent_read(true)
        .send()
        .await?
        .item)
}

/// A refusal before sending that names the limits and what to declare.
fn refused_before_sending(err: &Error) -> bool {
    matches!(err, Error::Usage { message, .. }
        if message.contains("300") && message.contains("#[model(version)]"))
}

#[tokio::test]
async fn wide_items_are_conditioned_on_their_version_or_refused_before_sending() -> TestResult {
    let db = TestDb::with_table::<Wide>().await?;
    for width in [150, 300, 600] {
        // Unversioned: a partial save conditions on what changed only.
        let id = format!("plain{width}");
        store(&db, &id, width, false).await?;
        let mut item = db.mapper.get::<Wide>(id.as_str()).await?;
        item.n += 1;
        db.mapper.save(&mut item).await?;
        let now = stored(&db, &id).await?.ok_or("gone")?;
        assert_eq!(now.len(), width, "unknown attributes kept");
        assert_eq!(now.get("n"), Some(&AttributeValue::N("2".into())));
        // A delete as loaded: sent when it fits, else refused unsent.
        match db.mapper.delete(&mut item).await {
            Ok(()) => {
                assert!(width <= 150, "{width} attributes conditioned on");
                assert!(stored(&db, &id).await?.is_none());
            }
            Err(err) => {
                assert!(refused_before_sending(&err), "{width}: {err}");
                assert!(stored(&db, &id).await?.is_some(), "nothing deleted");
            }
        }

        // Versioned: the version alone, at any width.
        let id = format!("versioned{width}");
        store(&db, &id, width, true).await?;
        let mut item = db.mapper.get::<VersionedWide>(id.as_str()).await?;
        item.n += 1;
        db.mapper.save(&mut item).await?;
        db.mapper.delete(&mut item).await?;
        assert!(stored(&db, &id).await?.is_none());

        // A migration without a version: readable lazily and with an
        // immediate write-back (which warns), its save refused unsent.
        let id = format!("migrated{width}");
        store(&db, &id, width, false).await?;
        let immediate = db.mapper.with_write_back(WriteBack::Immediately);
        let mut item = immediate.get::<MigratedWide>(id.as_str()).await?;
        assert_eq!(item.label, "v2");
        if width > 150 {
            assert!(
                item.warnings().to_string().contains("not written back"),
                "{}",
                item.warnings()
            );
            let err = db.mapper.save(&mut item).await.err().ok_or("saved")?;
            assert!(refused_before_sending(&err), "{width}: {err}");
            assert!(!stored(&db, &id).await?.ok_or("gone")?.contains_key("label"));
        }

        // A migration with a version: written back at any width.
        let id = format!("migrated_versioned{width}");
        store(&db, &id, width, true).await?;
        let item = immediate.get::<MigratedVersionedWide>(id.as_str()).await?;
        assert!(item.warnings().is_empty(), "{}", item.warnings());
        let now = stored(&db, &id).await?.ok_or("gone")?;
        assert_eq!(now.get("label"), Some(&AttributeValue::S("v2".into())));
        assert_eq!(now.get("version"), Some(&AttributeValue::N("2".into())));
    }
    Ok(())
}
