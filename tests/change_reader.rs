//! The stream reader against DynamoDB Local: 1,000 mixed inserts,
//! modifies and removes (some written by version-1 code, a few corrupted
//! by other code) read back as exactly the expected changes, the bad
//! records listed with their sequence numbers; a reader dropped mid-way
//! and resumed from its saved checkpoint misses and repeats nothing.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::stream::{ChangeKind, ChangeReader, Checkpoint, StreamView};
use mapper::{Error, Model};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};

type TestResult = Result<(), SetupError>;

/// Version 2: version 1 stored the balance as `amount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "feed", migrations, stream = "new_and_old_images")]
struct Wallet {
    #[model(hash_key)]
    id: String,
    #[model(range = 0..)]
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

/// A model whose table has no stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "no_feed")]
struct Plain {
    #[model(hash_key)]
    id: String,
}

/// How an item's current image was written.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Written {
    Mapper,
    Version1,
    Corrupt,
}

/// A change as expected: kind, id, old and new balances (None for no
/// image), and whether a corrupt image makes the record fail.
type Expected = (ChangeKind, String, Option<i64>, Option<i64>, bool);

async fn write(db: &TestDb, id: &str, balance: i64, how: Written) -> Result<(), SetupError> {
    match how {
        Written::Mapper => {
            db.mapper
                .put(&Wallet {
                    id: id.into(),
                    balance,
                })
                .await?;
        }
        Written::Version1 | Written::Corrupt => {
            let (name, n) = match how {
                Written::Version1 => ("amount", balance),
                _ => ("balance", -balance - 1),
            };
            db.client()
                .put_item()
                .table_name(db.table::<Wallet>())
                .item("id", AttributeValue::S(id.into()))
                .item(name, AttributeValue::N(n.to_string()))
                .send()
                .await?;
        }
    }
    Ok(())
}

/// 1,000 writes over 100 items; what the stream must show for each.
async fn mixed_writes(
    db: &TestDb,
    from: usize,
    to: usize,
    state: &mut HashMap<String, (i64, Written)>,
) -> Result<Vec<Expected>, SetupError> {
    let mut expected = Vec::new();
    for i in from..to {
        let id = format!("w{}", (i * 37) % 100);
        let balance = i as i64;
        let how = match i % 50 {
            7 => Written::Corrupt,
            n if n % 5 == 1 => Written::Version1,
            _ => Written::Mapper,
        };
        let old = state.get(&id).copied();
        if old.is_some() && i % 4 == 3 {
            db.mapper.delete_key::<Wallet>(id.as_str()).await?;
            let (b, w) = old.ok_or("no old state")?;
            expected.push((
                ChangeKind::Remove,
                id.clone(),
                Some(b),
                None,
                w == Written::Corrupt,
            ));
            state.remove(&id);
            continue;
        }
        write(db, &id, balance, how).await?;
        let kind = if old.is_some() {
            ChangeKind::Modify
        } else {
            ChangeKind::Insert
        };
        let bad = how == Written::Corrupt || old.is_some_and(|(_, w)| w == Written::Corrupt);
        expected.push((kind, id.clone(), old.map(|(b, _)| b), Some(balance), bad));
        state.insert(id, (balance, how));
    }
    Ok(expected)
}

/// What a batch gave: each record as expected-shaped, with its sequence.
/// A batch's changes and failures are apart; their sequence numbers (one
/// shard's, increasing) put them back in order.
fn seen(
    batch: mapper::stream::Changes<Wallet>,
    out: &mut Vec<(String, Expected)>,
) -> Result<(), SetupError> {
    let start = out.len();
    for change in batch.changes {
        let id = match &change.key.hash {
            validate::Value::String(s) => s.clone(),
            other => return Err(format!("key {other:?}").into()),
        };
        if let Some(old) = &change.old
            && old.id != id
        {
            return Err("old image of another item".into());
        }
        let sequence = change.sequence.clone().ok_or("no sequence")?;
        out.push((
            sequence,
            (
                change.kind,
                id,
                change.old.map(|o| o.balance),
                change.new.map(|n| n.balance),
                false,
            ),
        ));
    }
    for (sequence, error) in batch.failed {
        assert!(error.is_stored_item(), "{error}");
        let sequence = sequence.ok_or("a failed record without its sequence number")?;
        out.push((
            sequence,
            (ChangeKind::Modify, String::new(), None, None, true),
        ));
    }
    out[start..].sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
    Ok(())
}

/// Reads until `want` records came, or nothing new for a while.
async fn read(
    reader: &mut ChangeReader<Wallet>,
    want: usize,
    out: &mut Vec<(String, Expected)>,
) -> Result<(), SetupError> {
    let mut idle = 0;
    while out.len() < want && idle < 50 {
        let before = out.len();
        seen(reader.next().await?, out)?;
        if out.len() == before {
            idle += 1;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// Records within one request come in order; across `next` calls, one
/// shard's records stay in order (DynamoDB Local has one shard a table).
fn check(expected: &[Expected], got: &[(String, Expected)]) -> Result<(), SetupError> {
    let sequences: Vec<&String> = got.iter().map(|(s, _)| s).collect();
    let unique: HashSet<&String> = sequences.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "a record handed out twice");
    assert_eq!(got.len(), expected.len(), "records missed or extra");
    for (i, ((_, g), e)) in got.iter().zip(expected).enumerate() {
        if e.4 {
            assert!(g.4, "record {i}: {e:?} should have failed, got {g:?}");
        } else {
            assert_eq!(g, e, "record {i}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_thousand_mixed_changes_are_read_exactly_and_a_resumed_reader_repeats_nothing()
-> TestResult {
    let db = TestDb::with_table::<Wallet>().await?;
    db.mapper
        .enable_stream::<Wallet>(StreamView::NewAndOldImages)
        .await?;
    let mut state = HashMap::new();
    let mut expected = mixed_writes(&db, 0, 600, &mut state).await?;

    // A reader takes part of the stream, its checkpoint is saved, and it
    // is dropped (a worker killed after handling what it read).
    let mut reader = db
        .mapper
        .change_reader::<Wallet>(None)
        .await?
        .records_per_request(100);
    let mut got = Vec::new();
    read(&mut reader, 300, &mut got).await?;
    assert_eq!(got.len(), 300, "batches of 100 from one shard");
    let saved = reader.checkpoint().to_json()?;
    drop(reader);

    // More writes while no reader runs; then a reader from the checkpoint.
    expected.extend(mixed_writes(&db, 600, 1000, &mut state).await?);
    let checkpoint = Checkpoint::from_json(&saved)?;
    let mut reader = db.mapper.change_reader::<Wallet>(Some(checkpoint)).await?;
    read(&mut reader, expected.len(), &mut got).await?;
    check(&expected, &got)?;

    let failed = expected.iter().filter(|e| e.4).count();
    let version1 = expected.len() / 10;
    println!(
        "stream: {} records, {} failed as expected, ~{} written by version-1 code",
        expected.len(),
        failed,
        version1
    );
    assert!(
        failed >= 20,
        "{failed} corrupt records: the test writes some"
    );

    // Nothing new: an empty batch, and the checkpoint stays.
    let before = reader.checkpoint().clone();
    let batch = reader.next().await?;
    assert!(batch.changes.is_empty() && batch.failed.is_empty());
    assert_eq!(reader.checkpoint(), &before);
    Ok(())
}

#[tokio::test]
async fn a_reader_needs_a_stream() -> TestResult {
    let db = TestDb::with_table::<Plain>().await?;
    let err = db
        .mapper
        .change_reader::<Plain>(None)
        .await
        .err()
        .ok_or("a reader of a table without a stream")?;
    assert!(matches!(err, Error::Usage { .. }), "{err}");
    assert!(err.to_string().contains("enable_stream"), "{err}");
    Ok(())
}
