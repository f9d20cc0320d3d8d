//! Retries under faults: a proxy between the client and DynamoDB Local
//! throttles, answers 500s and processes only parts of batches, at set
//! rates. Nothing may be lost or doubled.

mod models;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI64, Ordering};

use futures::StreamExt;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};

use mapper::batch::Write;
use mapper::{BatchOptions, Error, IntoKey, Key, Model};
use models::{Post, Score};
use test_support::{FaultProxy, FaultStats, Faults, SetupError, TestDb};
use validate::{Schema, int};

type TestResult = Result<(), SetupError>;

const FAULTS: Faults = Faults {
    lost_answer_only: None,
    throttle: 0.06,
    server_error: 0.04,
    partial_batch: 0.3,
    lost_answer: 0.0,
    transaction_conflict: 0.0,
};

/// Batch options: `concurrency` chunks at a time, `attempts` per chunk,
/// backoff from `base_ms` up to `max_ms` milliseconds.
fn retrying(concurrency: usize, attempts: u32, base_ms: u64, max_ms: u64) -> BatchOptions {
    BatchOptions {
        concurrency,
        backoff: mapper::Backoff {
            attempts,
            base: std::time::Duration::from_millis(base_ms),
            max: std::time::Duration::from_millis(max_ms),
        },
        ..BatchOptions::default()
    }
}

fn post(id: i64) -> Post {
    Post {
        id,
        title: format!("post {id}"),
    }
}

#[tokio::test]
async fn twenty_thousand_items_through_faults_are_written_and_read_exactly_once() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    let proxy = FaultProxy::start(&test_support::endpoint().await?, FAULTS).await?;
    let faulty = db.through(&proxy.endpoint, 3);
    let options = BatchOptions {
        concurrency: 8,
        ..BatchOptions::default()
    };

    let written = faulty
        .batch_write_with((1..=20_000).map(|i| Write::Put(post(i))), options)
        .await?;
    assert_eq!(written, 20_000);

    // What is stored, read directly (not through the proxy).
    let stored: Vec<_> = db
        .mapper
        .scan::<Post>()
        .parallel(4)
        .collect::<Vec<_>>()
        .await;
    let mut ids = BTreeSet::new();
    for item in stored {
        let item = item?;
        assert_eq!(item.title, format!("post {}", item.id));
        assert!(ids.insert(item.id), "{} twice", item.id);
    }
    assert_eq!(ids, (1..=20_000).collect::<BTreeSet<i64>>());

    let got = faulty
        .batch_get_with::<Post, _>(1..=20_000_i64, options)
        .await?;
    assert!(got.missing.is_empty(), "{} missing", got.missing.len());
    let read: Vec<i64> = got.items.iter().map(|p| p.id).collect();
    assert_eq!(
        read,
        (1..=20_000).collect::<Vec<i64>>(),
        "each once, in the order asked"
    );

    let stats = &proxy.stats;
    let count = |c| FaultStats::get(c);
    println!(
        "requests {}, throttled {}, 500s {}, partial writes {}, partial gets {}",
        count(&stats.requests),
        count(&stats.throttled),
        count(&stats.server_errors),
        count(&stats.partial_writes),
        count(&stats.partial_gets)
    );
    assert!(count(&stats.throttled) > 10, "throttling was injected");
    assert!(count(&stats.server_errors) > 10, "500s were injected");
    assert!(
        count(&stats.partial_writes) > 10,
        "partial batch writes were injected"
    );
    assert!(
        count(&stats.partial_gets) > 10,
        "partial batch gets were injected"
    );
    Ok(())
}

/// With the SDK's own retries off, every throttle and 500 fails a whole
/// `BatchWriteItem` and reaches the mapper's retry, which must send the
/// same writes again (rebuilt, since a failed request takes its items
/// with it), mixed with partial answers.
#[tokio::test]
async fn batch_writes_are_resent_after_whole_requests_fail() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    db.mapper
        .batch_write((1..=500).map(|i| Write::Put(post(i))))
        .await?;
    let proxy = FaultProxy::start(
        &test_support::endpoint().await?,
        Faults {
            throttle: 0.15,
            server_error: 0.15,
            partial_batch: 0.3,
            lost_answer: 0.0,
            lost_answer_only: None,
            transaction_conflict: 0.0,
        },
    )
    .await?;
    let fragile = db.through(&proxy.endpoint, 1);
    let renamed = |id: i64| Post {
        id,
        title: format!("renamed {id}"),
    };
    let writes = (1..=250)
        .map(Write::delete)
        .chain((251..=500).map(|i| Write::Put(renamed(i))))
        .chain((501..=2_500).map(|i| Write::Put(post(i))));
    let options = retrying(4, 40, 5, 50);
    assert_eq!(fragile.batch_write_with(writes, options).await?, 2_500);
    let failed =
        FaultStats::get(&proxy.stats.throttled) + FaultStats::get(&proxy.stats.server_errors);
    assert!(failed > 10, "{failed} whole requests failed");
    assert!(FaultStats::get(&proxy.stats.partial_writes) > 10);

    let stored = db.mapper.scan::<Post>().all().await?;
    let mut ids = BTreeSet::new();
    for item in stored {
        let expected = if item.id <= 500 {
            renamed(item.id).title
        } else {
            post(item.id).title
        };
        assert_eq!(item.title, expected);
        assert!(ids.insert(item.id), "{} twice", item.id);
    }
    assert_eq!(ids, (251..=2_500).collect::<BTreeSet<i64>>());
    Ok(())
}

fn score(player: &str, game: i64) -> Score {
    Score {
        player: player.to_owned(),
        game,
        points: game % 50,
        team: "red".to_owned(),
        status: None,
        padding: String::new(),
    }
}

/// Past the retry budget, the error names exactly the writes that were
/// not applied: every other put is stored, every other delete is gone,
/// and none of the named ones was applied.
#[tokio::test]
async fn writes_left_unprocessed_past_the_budget_are_reported_exactly() -> TestResult {
    let db = TestDb::with_table::<Score>().await?;
    let old: Vec<Key> = (1_000..1_020).map(|g| ("old", g).into_key()).collect();
    db.mapper
        .batch_write((1_000..1_020).map(|g| Write::Put(score("old", g))))
        .await?;
    // Every batch is cut in half: of 25 writes, 12 then 6 are applied
    // in two attempts, and 7 are left.
    let proxy = FaultProxy::start(
        &test_support::endpoint().await?,
        Faults {
            throttle: 0.0,
            server_error: 0.0,
            partial_batch: 1.0,
            lost_answer: 0.0,
            lost_answer_only: None,
            transaction_conflict: 0.0,
        },
    )
    .await?;
    let partial = db.through(&proxy.endpoint, 1);
    let new: Vec<Key> = (0..80_i64)
        .map(|g| (format!("p{}", g % 4), g).into_key())
        .collect();
    let writes = old
        .iter()
        .cloned()
        .map(Write::Delete)
        .chain((0..80).map(|g| Write::Put(score(&format!("p{}", g % 4), g))));
    let options = retrying(2, 2, 1, 5);
    let (written, unwritten) = match partial.batch_write_with(writes, options).await {
        Err(Error::BatchIncomplete {
            written, unwritten, ..
        }) => (written, unwritten),
        other => panic!("expected an incomplete batch, got {other:?}"),
    };
    assert_eq!(unwritten.len(), 4 * 7, "7 of each chunk of 25");
    assert_eq!(written, 100 - unwritten.len());

    let stored: BTreeSet<(String, i64)> = db
        .mapper
        .scan::<Score>()
        .all()
        .await?
        .into_iter()
        .map(|s| {
            let s = s.into_inner();
            (s.player, s.game)
        })
        .collect();
    let is_stored = |key: &Key| {
        stored
            .iter()
            .any(|(player, game)| &(player.as_str(), *game).into_key() == key)
    };
    for key in &old {
        assert_eq!(is_stored(key), unwritten.contains(key), "delete of {key:?}");
    }
    for key in &new {
        assert_eq!(is_stored(key), !unwritten.contains(key), "put of {key:?}");
    }
    assert!(unwritten.iter().all(|k| old.contains(k) || new.contains(k)));
    Ok(())
}

#[tokio::test]
async fn single_operations_are_retried_through_faults() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    let proxy = FaultProxy::start(
        &test_support::endpoint().await?,
        Faults {
            throttle: 0.15,
            server_error: 0.15,
            partial_batch: 0.0,
            lost_answer: 0.0,
            lost_answer_only: None,
            transaction_conflict: 0.0,
        },
    )
    .await?;
    let faulty = db.through(&proxy.endpoint, 10);
    for id in 1..=200 {
        faulty.put(&post(id)).await?;
    }
    for id in 1..=200_i64 {
        assert_eq!(faulty.get::<Post>(id).await?.title, format!("post {id}"));
    }
    let all = faulty.query::<Post>(7).all().await?;
    assert_eq!(all.len(), 1);
    assert!(
        FaultStats::get(&proxy.stats.throttled) + FaultStats::get(&proxy.stats.server_errors) > 50
    );

    // With retries switched off, the same faults surface as retryable errors.
    let fragile = db.through(&proxy.endpoint, 1);
    let mut failures = 0;
    for id in 1..=100_i64 {
        if let Err(e) = fragile.get::<Post>(id).await {
            assert!(e.is_retryable(), "{e}");
            failures += 1;
        }
    }
    assert!(failures > 10, "{failures} failures of 100");
    Ok(())
}

/// How many more times [`Flaky`] serializes before it fails.
static FLAKY_SERIALIZATIONS_LEFT: AtomicI64 = AtomicI64::new(0);

/// A model whose hand-written `Serialize` works a set number of times,
/// then fails: a batch that has to build its requests again after a
/// failed attempt cannot.
#[derive(Debug, Deserialize)]
struct Flaky {
    id: i64,
}

impl Serialize for Flaky {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if FLAKY_SERIALIZATIONS_LEFT.fetch_sub(1, Ordering::SeqCst) <= 0 {
            return Err(serde::ser::Error::custom("flaky serializer"));
        }
        let mut fields = serializer.serialize_struct("Flaky", 1)?;
        fields.serialize_field("id", &self.id)?;
        fields.end()
    }
}

impl Model for Flaky {
    const TABLE: &'static str = "flaky";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new().required("id", int())
    }
}

/// When every attempt fails as a whole and the puts' requests cannot be
/// built again, the deletes are still resent, and the report names every
/// write: the deletes by their keys, the puts by keys of `Null` parts.
#[tokio::test]
async fn writes_whose_requests_cannot_be_rebuilt_are_still_reported() -> TestResult {
    let db = TestDb::with_table::<Flaky>().await?;
    FLAKY_SERIALIZATIONS_LEFT.store(2, Ordering::SeqCst);
    db.mapper.put_only(&Flaky { id: 1 }).await?;
    db.mapper.put_only(&Flaky { id: 2 }).await?;
    // Enough for the batch's own validation of its three puts, no more.
    FLAKY_SERIALIZATIONS_LEFT.store(3, Ordering::SeqCst);
    let proxy = FaultProxy::start(
        &test_support::endpoint().await?,
        Faults {
            throttle: 0.0,
            server_error: 1.0,
            partial_batch: 0.0,
            lost_answer: 0.0,
            lost_answer_only: None,
            transaction_conflict: 0.0,
        },
    )
    .await?;
    let failing = db.through(&proxy.endpoint, 1);
    let writes = [Write::delete(1), Write::delete(2)]
        .into_iter()
        .chain((10..13).map(|id| Write::Put(Flaky { id })));
    let options = retrying(1, 3, 1, 5);
    let (written, unwritten, reason) = match failing.batch_write_with(writes, options).await {
        Err(Error::BatchIncomplete {
            written,
            unwritten,
            reason,
            ..
        }) => (written, unwritten, reason),
        other => panic!("expected an incomplete batch, got {other:?}"),
    };
    assert_eq!(written, 0);
    assert_eq!(unwritten.len(), 5, "{unwritten:?}");
    for id in [1, 2] {
        assert!(unwritten.contains(&id.into_key()), "delete of {id}");
    }
    let nameless = unwritten
        .iter()
        .filter(|k| k.hash == validate::Value::Null)
        .count();
    assert_eq!(nameless, 3, "{unwritten:?}");
    // The deletes were sent at every attempt: three attempts, all failed.
    assert_eq!(FaultStats::get(&proxy.stats.server_errors), 3);
    assert!(!reason.is_empty());

    // Nothing was applied: both items are still stored, no put landed.
    let stored: BTreeSet<i64> = db
        .mapper
        .scan::<Flaky>()
        .all()
        .await?
        .into_iter()
        .map(|item| item.into_inner().id)
        .collect();
    assert_eq!(stored, BTreeSet::from([1, 2]));
    Ok(())
}
