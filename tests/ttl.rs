//! Time to live against DynamoDB Local: `#[model(ttl)]` stored as whole
//! epoch seconds, TTL turned on with the table, and every read path
//! hiding items whose time has passed but that DynamoDB has not deleted
//! (DynamoDB Local never deletes them, as DynamoDB may not for hours).

use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveStatus};
use mapper::{Error, Model, Throughput};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use time::{Duration, OffsetDateTime};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "sessions")]
struct Session {
    #[model(hash_key)]
    id: String,
    #[model(ttl)]
    #[serde(with = "validate::datetime::epoch_whole_seconds")]
    expires: OffsetDateTime,
}

/// The same table read by a model that shows expired items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "sessions", expired = "show")]
struct SessionAudit {
    #[model(hash_key)]
    id: String,
    #[model(ttl)]
    #[serde(with = "validate::datetime::epoch_whole_seconds")]
    expires: OffsetDateTime,
}

/// TTL as an integer of seconds, optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "tokens")]
struct Token {
    #[model(hash_key)]
    id: String,
    #[model(ttl)]
    until: Option<i64>,
}

fn session(id: &str, from_now: Duration) -> Session {
    Session {
        id: id.into(),
        expires: OffsetDateTime::now_utc() + from_now,
    }
}

#[tokio::test]
async fn expired_items_are_hidden_on_every_read_path() -> TestResult {
    let db = TestDb::new().await?;
    db.mapper
        .create_table::<Session>(Throughput::OnDemand)
        .await?;
    // TTL is on for the attribute, and asking again changes nothing.
    let ttl = db
        .client()
        .describe_time_to_live()
        .table_name(db.table::<Session>())
        .send()
        .await?;
    let ttl = ttl.time_to_live_description().ok_or("no TTL description")?;
    assert_eq!(ttl.attribute_name(), Some("expires"));
    assert!(matches!(
        ttl.time_to_live_status(),
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ));
    assert!(!db.mapper.ensure_ttl::<Session>().await?);

    let gone = session("gone", Duration::hours(-1));
    let live = session("live", Duration::hours(1));
    db.mapper.put(&gone).await?;
    db.mapper.put(&live).await?;
    // Stored as whole seconds: what DynamoDB's TTL reads.
    let raw = db
        .client()
        .get_item()
        .table_name(db.table::<Session>())
        .key("id", AttributeValue::S("gone".into()))
        .send()
        .await?;
    let stored = raw.item().ok_or("the expired item is stored")?;
    assert_eq!(
        stored["expires"],
        AttributeValue::N(gone.expires.unix_timestamp().to_string())
    );

    let err = db
        .mapper
        .get::<Session>("gone")
        .await
        .err()
        .ok_or("an expired item was read")?;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(db.mapper.find::<Session>("gone").await?.is_none());
    assert_eq!(db.mapper.get::<Session>("live").await?.id, "live");

    let batch = db.mapper.batch_get::<Session, _>(["gone", "live"]).await?;
    assert_eq!(batch.items.len(), 1);
    assert_eq!(batch.missing.len(), 1);

    let scanned = db.mapper.scan::<Session>().all().await?;
    assert_eq!(scanned.len(), 1);
    assert_eq!(scanned[0].id, "live");
    let queried = db.mapper.query::<Session>("gone").all().await?;
    assert!(queried.is_empty());

    let mut tx = db.mapper.transact_get();
    let gone_slot = tx.get::<Session>("gone");
    let live_slot = tx.get::<Session>("live");
    let mut got = tx.send().await?;
    assert!(got.take(gone_slot)?.is_none());
    assert!(got.take(live_slot)?.is_some());

    // A model that shows expired items reads it, as stored.
    let audit = db.mapper.get::<SessionAudit>("gone").await?;
    assert_eq!(
        audit.expires.unix_timestamp(),
        gone.expires.unix_timestamp()
    );
    Ok(())
}

#[tokio::test]
async fn an_integer_ttl_counts_seconds_and_an_absent_one_never_expires() -> TestResult {
    let db = TestDb::with_table::<Token>().await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    for (id, until) in [
        ("old", Some(now - 10)),
        ("new", Some(now + 600)),
        ("none", None),
    ] {
        db.mapper
            .put(&Token {
                id: id.into(),
                until,
            })
            .await?;
    }
    let mut ids: Vec<String> = db
        .mapper
        .scan::<Token>()
        .all()
        .await?
        .into_iter()
        .map(|t| t.id.clone())
        .collect();
    ids.sort();
    assert_eq!(ids, ["new", "none"]);
    // Still stored: hidden, not deleted.
    let raw = db
        .client()
        .scan()
        .table_name(db.table::<Token>())
        .send()
        .await?;
    assert_eq!(raw.count(), 3);
    Ok(())
}

/// Turning TTL on, and a stream, when DynamoDB applied the change but its
/// answer was lost: the SDK's resends are refused ("already on"), and the
/// call still says, truly, that it turned it on.
#[tokio::test]
async fn turning_ttl_and_a_stream_on_survives_a_lost_answer() -> TestResult {
    use test_support::{FaultProxy, Faults};
    let db = TestDb::new().await?;
    for op in ["UpdateTimeToLive", "UpdateTable"] {
        let proxy = FaultProxy::start(
            &test_support::endpoint().await?,
            Faults {
                lost_answer: 1.0,
                lost_answer_only: Some(op),
                ..Faults::default()
            },
        )
        .await?;
        let mapper = db.through(&proxy.endpoint, 3);
        if op == "UpdateTimeToLive" {
            // create_table turns TTL on: every answer to that is lost.
            mapper.create_table::<Session>(Throughput::OnDemand).await?;
            let ttl = db
                .client()
                .describe_time_to_live()
                .table_name(db.table::<Session>())
                .send()
                .await?;
            assert_eq!(
                ttl.time_to_live_description()
                    .and_then(|t| t.attribute_name()),
                Some("expires")
            );
        } else {
            assert!(
                mapper
                    .enable_stream::<Session>(mapper::stream::StreamView::NewImage)
                    .await?
            );
            let described = db.mapper.describe_table::<Session>().await?;
            assert!(
                described
                    .stream_specification()
                    .is_some_and(|s| s.stream_enabled())
            );
        }
        assert!(
            test_support::FaultStats::get(&proxy.stats.lost_answers) >= 1,
            "no answer was lost to {op}"
        );
    }
    Ok(())
}
