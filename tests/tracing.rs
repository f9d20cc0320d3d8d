//! Every request has its own `dynamodb` span carrying table, key and the
//! capacity it consumed (regression: capacity used to be recorded after
//! the span was left, so it landed on the caller's span).

mod models;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use mapper::batch::Write;
use models::{DoomMap, doom_map};
use test_support::{SetupError, TestDb};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// What one `dynamodb` span carried.
#[derive(Debug, Default, Clone)]
struct Seen {
    op: String,
    table: String,
    key: String,
    consumed: Option<f64>,
}

#[derive(Default)]
struct Spans {
    next: AtomicU64,
    spans: Mutex<HashMap<u64, Seen>>,
}

/// A subscriber that keeps the fields of every `dynamodb` span.
#[derive(Clone, Default)]
struct Capture(Arc<Spans>);

struct Fields<'a>(&'a mut Seen);

impl Visit for Fields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "consumed" {
            self.0.consumed = Some(value);
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "op" {
            self.0.op = value.to_owned();
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "op" => self.0.op = format!("{value:?}").trim_matches('"').to_owned(),
            "table" => self.0.table = format!("{value:?}"),
            "key" => self.0.key = format!("{value:?}"),
            _ => {}
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.0.next.fetch_add(1, Ordering::Relaxed) + 1;
        if attributes.metadata().name() == "dynamodb" {
            let mut seen = Seen::default();
            attributes.record(&mut Fields(&mut seen));
            if let Ok(mut spans) = self.0.spans.lock() {
                spans.insert(id, seen);
            }
        }
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Ok(mut spans) = self.0.spans.lock()
            && let Some(seen) = spans.get_mut(&span.into_u64())
        {
            values.record(&mut Fields(seen));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn each_request_span_records_table_and_consumed_capacity() -> Result<(), SetupError> {
    let db = TestDb::with_table::<DoomMap>().await?;
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    db.mapper.put(&doom_map(1, 1, "Hangar", &["idkfa"])).await?;
    let mut item = db.mapper.get::<DoomMap>((1, 1)).await?;
    db.mapper.query::<DoomMap>(1).all().await?;
    db.mapper.scan::<DoomMap>().all().await?;
    db.mapper
        .batch_write([Write::Put(doom_map(1, 2, "Nuclear Plant", &[]))])
        .await?;
    db.mapper.batch_get::<DoomMap, _>([(1, 2)]).await?;
    db.mapper.delete(&mut item).await?;

    let spans: Vec<Seen> = capture.0.spans.lock().unwrap().values().cloned().collect();
    for op in [
        "PutItem",
        "GetItem",
        "Query",
        "Scan",
        "BatchWriteItem",
        "BatchGetItem",
        "DeleteItem",
    ] {
        let span = spans
            .iter()
            .find(|s| s.op == op)
            .ok_or(format!("no span for {op}: {spans:?}"))?;
        assert!(
            span.table.contains(&db.table::<DoomMap>()),
            "{op}: {span:?}"
        );
        assert!(
            span.consumed.is_some_and(|units| units > 0.0),
            "{op} recorded no consumed capacity: {span:?}"
        );
    }
    Ok(())
}

/// Keys are often personal data: request spans carry them only on a
/// mapper that opts in (regression: every span recorded the item's key).
#[tokio::test]
async fn spans_carry_item_keys_only_when_the_mapper_opts_in() -> Result<(), SetupError> {
    let db = TestDb::with_table::<DoomMap>().await?;
    let name = "hidden-from-traces";
    let keys_of = |capture: &Capture| -> Vec<(String, String)> {
        capture
            .0
            .spans
            .lock()
            .map(|spans| {
                spans
                    .values()
                    .map(|s| (s.op.clone(), s.key.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let capture = Capture::default();
    {
        let _guard = tracing::subscriber::set_default(capture.clone());
        db.mapper.put(&doom_map(3, 7, name, &[])).await?;
        let mut item = db.mapper.get::<DoomMap>((3, 7)).await?;
        item.name = "renamed".into();
        db.mapper.save(&mut item).await?;
        db.mapper.query::<DoomMap>(3).all().await?;
        db.mapper.delete(&mut item).await?;
    }
    let spans = keys_of(&capture);
    assert_eq!(spans.len(), 5, "{spans:?}");
    for (op, key) in &spans {
        assert_eq!(key, "(not traced)", "{op} traced a key by default");
    }

    let traced = db.mapper.with_traced_keys(true);
    let capture = Capture::default();
    {
        let _guard = tracing::subscriber::set_default(capture.clone());
        traced.put(&doom_map(3, 8, name, &[])).await?;
        traced.get::<DoomMap>((3, 8)).await?;
    }
    let spans = keys_of(&capture);
    assert_eq!(spans.len(), 2, "{spans:?}");
    for (op, key) in &spans {
        assert!(
            key.contains("episode=3") && key.contains("map=8"),
            "{op}: {key}"
        );
    }
    Ok(())
}
