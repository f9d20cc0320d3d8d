//! DynamoDB Streams: a table's stream turned on against DynamoDB Local,
//! and stream records (Lambda's event JSON) read as typed changes through
//! the load path — validated, a bad record reported with its sequence
//! number without failing the others.

use mapper::stream::{ChangeKind, StreamView};
use mapper::{Error, Model};
use serde::{Deserialize, Serialize};
use serde_json::json;
use test_support::{SetupError, TestDb};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "changed", after_load = mark)]
struct Account {
    #[model(hash_key)]
    id: String,
    #[model(range = 0..)]
    balance: i64,
    #[serde(skip)]
    loaded: bool,
}

fn mark(account: &mut Account) {
    account.loaded = true;
}

#[tokio::test]
async fn a_stream_is_turned_on_once() -> TestResult {
    let db = TestDb::with_table::<Account>().await?;
    assert!(
        db.mapper
            .enable_stream::<Account>(StreamView::NewAndOldImages)
            .await?
    );
    let described = db.mapper.describe_table::<Account>().await?;
    let spec = described.stream_specification().ok_or("no stream")?;
    assert!(spec.stream_enabled());
    assert!(described.latest_stream_arn().is_some());
    assert!(
        !db.mapper
            .enable_stream::<Account>(StreamView::NewImage)
            .await?
    );
    Ok(())
}

#[test]
fn records_are_read_as_typed_changes_and_a_bad_one_fails_alone() -> TestResult {
    let mapper = mapper::Mapper::new(test_support::client("http://127.0.0.1:9"));
    let event = json!({
        "Records": [
            {
                "eventName": "INSERT",
                "dynamodb": {
                    "Keys": {"id": {"S": "a"}},
                    "NewImage": {"id": {"S": "a"}, "balance": {"N": "10"}},
                    "SequenceNumber": "100"
                }
            },
            {
                "eventName": "MODIFY",
                "dynamodb": {
                    "Keys": {"id": {"S": "a"}},
                    "OldImage": {"id": {"S": "a"}, "balance": {"N": "10"}},
                    "NewImage": {"id": {"S": "a"}, "balance": {"N": "-5"}},
                    "SequenceNumber": "200"
                }
            },
            {
                "eventName": "REMOVE",
                "dynamodb": {
                    "Keys": {"id": {"S": "b"}},
                    "OldImage": {"id": {"S": "b"}, "balance": {"N": "3"}},
                    "SequenceNumber": "300"
                }
            },
            {
                "eventName": "MODIFY",
                "dynamodb": {
                    "Keys": {"id": {"S": "c"}},
                    "NewImage": {"id": {"Q": "c"}},
                    "SequenceNumber": "400"
                }
            }
        ]
    });
    let decoded = mapper.decode_changes::<Account>(&event)?;
    assert_eq!(decoded.changes.len(), 2);
    let insert = &decoded.changes[0];
    assert_eq!(insert.kind, ChangeKind::Insert);
    assert_eq!(insert.key.to_string(), "\"a\"");
    let new = insert.new.as_ref().ok_or("no new image")?;
    assert_eq!(new.balance, 10);
    assert!(new.loaded, "after_load runs on stream images");
    assert!(insert.old.is_none());
    let remove = &decoded.changes[1];
    assert_eq!(remove.kind, ChangeKind::Remove);
    assert_eq!(remove.old.as_ref().ok_or("no old image")?.balance, 3);
    assert_eq!(remove.sequence.as_deref(), Some("300"));
    // A new image the schema refuses, and one that is not DynamoDB's JSON:
    // each reported with its sequence number.
    let failed: Vec<(Option<&str>, bool)> = decoded
        .failed
        .iter()
        .map(|(seq, e)| {
            (
                seq.as_deref(),
                e.is_stored_item() || matches!(e, Error::Convert { .. }),
            )
        })
        .collect();
    assert_eq!(failed, [(Some("200"), true), (Some("400"), true)]);
    assert!(
        decoded.failed[0].1.to_string().contains("balance"),
        "{}",
        decoded.failed[0].1
    );
    assert!(
        decoded.failed[1].1.to_string().contains("Q"),
        "{}",
        decoded.failed[1].1
    );
    // An event that is no list of records is one failed entry.
    let none = mapper.decode_changes::<Account>(&json!({"Records": 5}))?;
    assert!(none.changes.is_empty());
    assert_eq!(none.failed.len(), 1);
    Ok(())
}

/// A model at version 2: version 1 stored the balance as `amount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "changed_v2", migrations)]
struct Wallet {
    #[model(hash_key)]
    id: String,
    balance: i64,
}

#[mapper::migrations(current = 2)]
impl Wallet {
    #[migration(from = 1)]
    fn rename_amount(mut item: validate::Value) -> Result<validate::Value, validate::Errors> {
        if let Some(map) = item.as_map_mut()
            && let Some(amount) = map.remove("amount")
        {
            map.insert("balance".to_owned(), amount);
        }
        Ok(item)
    }
}

#[test]
fn an_old_image_of_an_older_schema_version_is_migrated() -> TestResult {
    let mapper = mapper::Mapper::new(test_support::client("http://127.0.0.1:9"));
    // Written by version-1 code (no version attribute: the first version),
    // changed by version-2 code.
    let record = json!({
        "eventName": "MODIFY",
        "dynamodb": {
            "Keys": {"id": {"S": "w"}},
            "OldImage": {"id": {"S": "w"}, "amount": {"N": "4"}},
            "NewImage": {"id": {"S": "w"}, "balance": {"N": "9"}, "__schema_version__": {"N": "2"}},
            "SequenceNumber": "500"
        }
    });
    let change = mapper.decode_change::<Wallet>(&record)?;
    let old = change.old.as_ref().ok_or("no old image")?;
    assert_eq!(old.balance, 4);
    assert_eq!(old.migrated_from(), Some(1));
    let new = change.new.as_ref().ok_or("no new image")?;
    assert_eq!(new.balance, 9);
    assert_eq!(new.migrated_from(), None);
    Ok(())
}
