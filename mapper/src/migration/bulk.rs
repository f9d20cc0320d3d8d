//! [`Mapper::migrate_table`]: every stale item of a table brought to the
//! current version, by parallel scan segments that workers on several
//! machines can share, with bounded writes, a rate limit, a dry run and a
//! checkpoint to resume from.
//!
//! Each item goes through the one load path (migrate, validate) and the one
//! save path: a conditional update on the raw item as loaded, so a writer
//! running old code meanwhile is a conflict, re-read and retried, never a
//! lost update. Items already current are counted without being decoded.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt, stream};
use tokio::sync::Semaphore;
use validate::Value;

use crate::codec;
use crate::decode::load;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::key::Key;
use crate::limits::{DEFAULT_PAGE_SIZE, DRY_RUN_SAMPLES, MIGRATION_ATTEMPTS};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::read::cursor::Cursor;
use crate::schema_version;

/// What a bulk migration found and did so far (its progress, then its
/// result). Every scanned item counts in exactly one of `current`,
/// `migrated`, `newer`, `failed` and `gone`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Census {
    /// Items read.
    pub scanned: u64,
    /// Items found at the current version (nothing written), or found so
    /// after a write of this run whose answer was lost (the run cannot
    /// tell its own write from another migrator's).
    pub current: u64,
    /// Items migrated (or that a dry run would migrate), by the version
    /// they were stored at.
    pub migrated: BTreeMap<u32, u64>,
    /// Items written by newer code: counted, never written.
    pub newer: u64,
    /// Items that could not be migrated (listed in
    /// [`MigrationReport::failures`]).
    pub failed: u64,
    /// Items deleted by others before their migration was written.
    pub gone: u64,
    /// Conflicts with other writers, each re-read and retried.
    pub conflicts_retried: u64,
    /// Scan segments finished, of this worker's.
    pub segments_done: u32,
    /// Pages finished (every write acknowledged, the checkpoint saved) per
    /// scan segment, in this run.
    pub pages: BTreeMap<u32, u64>,
}

impl Census {
    /// Items migrated, all source versions together.
    pub fn migrated_total(&self) -> u64 {
        self.migrated.values().sum()
    }
}

/// One item a dry run would migrate: as stored, and as it would be
/// written.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The item's key.
    pub key: Key,
    /// The version it is stored at.
    pub from: u32,
    /// The item as stored.
    pub before: Value,
    /// The item as the migration would write it.
    pub after: Value,
}

/// The result of [`MigrateTable::run`].
#[derive(Debug)]
pub struct MigrationReport {
    /// What was found and done.
    pub census: Census,
    /// Each item that could not be migrated, with why (the run went on).
    pub failures: Vec<(Key, Error)>,
    /// Up to [`DRY_RUN_SAMPLES`] items a dry run would migrate.
    pub samples: Vec<Sample>,
    /// Whether it was a dry run (nothing written).
    pub dry_run: bool,
}

type Progress = Arc<dyn Fn(&Census) + Send + Sync>;

/// A bulk migration of `T`'s table, configured then [`run`](MigrateTable::run).
#[must_use = "a migration does nothing until run"]
pub struct MigrateTable<'m, T> {
    mapper: &'m Mapper,
    worker: (u32, u32),
    parallel: u32,
    concurrency: usize,
    page_size: usize,
    rate: Option<f64>,
    dry_run: bool,
    checkpoint: Option<PathBuf>,
    progress: Option<Progress>,
    _model: std::marker::PhantomData<fn() -> T>,
}

impl Mapper {
    /// A bulk migration of `T`'s table: every item below the current
    /// version is migrated and written back, with the same rules as a
    /// load and a save. See [`MigrateTable`] for the options.
    ///
    /// ```no_run
    /// # async fn run(mapper: mapper::Mapper) -> mapper::Result<()> {
    /// # #[derive(serde::Serialize, serde::Deserialize, mapper::Model)]
    /// # #[model(table = "users")]
    /// # struct User { #[model(hash_key)] id: i64 }
    /// let report = mapper
    ///     .migrate_table::<User>()
    ///     .segment(0, 4)                 // this machine's quarter of the table
    ///     .parallel(8)                   // scan segments read concurrently here
    ///     .concurrency(32)               // writes in flight
    ///     .rate_limit(500.0)             // items per second
    ///     .checkpoint("users-0.json")    // resumes where it stopped
    ///     .on_progress(|census| eprintln!("{} scanned", census.scanned))
    ///     .run()
    ///     .await?;
    /// println!("{:?}", report.census);
    /// # Ok(()) }
    /// ```
    pub fn migrate_table<T: Model>(&self) -> MigrateTable<'_, T> {
        MigrateTable {
            mapper: self,
            worker: (0, 1),
            parallel: 1,
            concurrency: 16,
            page_size: DEFAULT_PAGE_SIZE,
            rate: None,
            dry_run: false,
            checkpoint: None,
            progress: None,
            _model: std::marker::PhantomData,
        }
    }
}

impl<T: Model> MigrateTable<'_, T> {
    /// This worker's share of the table: share `index` of `of` (every
    /// worker uses the same `of` and [`parallel`](Self::parallel)).
    pub fn segment(mut self, index: u32, of: u32) -> Self {
        self.worker = (index, of);
        self
    }

    /// How many scan segments this worker reads concurrently (default 1).
    pub fn parallel(mut self, segments: u32) -> Self {
        self.parallel = segments.max(1);
        self
    }

    /// How many writes are in flight at most (default 16).
    pub fn concurrency(mut self, writes: usize) -> Self {
        self.concurrency = writes.max(1);
        self
    }

    /// How many items a page holds at most (default
    /// [`DEFAULT_PAGE_SIZE`]): the unit of the checkpoint, and of the
    /// work a resumed run does again.
    pub fn page_size(mut self, items: usize) -> Self {
        self.page_size = items.max(1);
        self
    }

    /// At most `items_per_second` items migrated per second (writes, or
    /// items judged in a dry run).
    pub fn rate_limit(mut self, items_per_second: f64) -> Self {
        self.rate = (items_per_second > 0.0).then_some(items_per_second);
        self
    }

    /// Reads and migrates in memory, writes nothing (no checkpoint either):
    /// the census and up to [`DRY_RUN_SAMPLES`] before/after samples.
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }

    /// Keeps each segment's cursor in the file at `path`, saved after every
    /// write of a page is acknowledged; a run given the file of an earlier
    /// one resumes after the last page it finished.
    pub fn checkpoint(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint = Some(path.into());
        self
    }

    /// Called with the census after every page.
    pub fn on_progress(mut self, progress: impl Fn(&Census) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Runs the migration of this worker's share.
    ///
    /// # Errors
    /// [`Error::Usage`] for a model without migrations or a bad share,
    /// [`Error::Checkpoint`] for a checkpoint that cannot be read or
    /// written (or belongs to another run), [`Error::Service`] when a scan
    /// fails past its retries. Items that cannot be migrated are not
    /// errors of the run: they are in [`MigrationReport::failures`].
    pub async fn run(self) -> Result<MigrationReport> {
        let info = self.mapper.model_info::<T>()?;
        let table = info.table.clone();
        let bad = |message: String| Error::Usage {
            table: table.clone(),
            message,
        };
        if info.migrations.is_none() {
            return Err(bad(
                "migrate_table needs a model with migrations (#[model(migrations)])".to_owned(),
            ));
        }
        let (index, of) = self.worker;
        if of == 0 || index >= of {
            return Err(bad(format!("worker share {index} of {of}")));
        }
        let total = of.checked_mul(self.parallel).ok_or_else(|| {
            bad(format!(
                "{of} shares of {} segments are too many",
                self.parallel
            ))
        })?;
        // A dry run writes no checkpoint: a real run after it must not
        // skip the pages it only looked at.
        let checkpoint = match &self.checkpoint {
            Some(path) if !self.dry_run => Some(Checkpoint::open(path.clone(), &table, total)?),
            _ => None,
        };
        let run = Arc::new(Run {
            census: Mutex::new(Census::default()),
            failures: Mutex::new(Vec::new()),
            samples: Mutex::new(Vec::new()),
            checkpoint: checkpoint.map(Mutex::new),
            writes: Semaphore::new(self.concurrency),
            pace: self.rate.map(|rate| Pace {
                every: Duration::from_secs_f64(1.0 / rate),
                next: Mutex::new(Instant::now()),
            }),
            progress: self.progress.clone(),
            dry_run: self.dry_run,
        });
        let segments = (index * self.parallel..(index + 1) * self.parallel).collect::<Vec<_>>();
        stream::iter(segments)
            .map(|segment| self.segment_run(Arc::clone(&run), &info, segment, total))
            .buffer_unordered(self.parallel as usize)
            .try_collect::<Vec<()>>()
            .await?;
        let census = lock(&run.census).clone();
        let failures = std::mem::take(&mut *lock(&run.failures));
        let samples = std::mem::take(&mut *lock(&run.samples));
        Ok(MigrationReport {
            census,
            failures,
            samples,
            dry_run: self.dry_run,
        })
    }

    /// One scan segment, page by page from its checkpoint.
    async fn segment_run(
        &self,
        run: Arc<Run>,
        info: &ModelInfo,
        segment: u32,
        total: u32,
    ) -> Result<()> {
        let start = match &run.checkpoint {
            Some(checkpoint) => match lock(checkpoint).state(segment) {
                SegmentState::Done => return Ok(()),
                SegmentState::After(cursor) => Some(cursor),
                SegmentState::Start => None,
            },
            None => None,
        };
        let mut cursor = start;
        loop {
            // A page read is retried on a passing failure (it writes
            // nothing): one lost answer too many must not end the run.
            let page = crate::Backoff::default()
                .reading(|| {
                    let mut scan = self.mapper.scan::<T>().segment(segment, total).raw();
                    if let Some(cursor) = &cursor {
                        scan = scan.after(cursor.clone());
                    }
                    scan.page(self.page_size)
                })
                .await?;
            let items = page.items.len() as u64;
            stream::iter(page.items)
                .map(|raw| self.item(&run, info, raw))
                .buffer_unordered(self.concurrency)
                .collect::<Vec<()>>()
                .await;
            // Every write of the page acknowledged: the page is done.
            if let Some(checkpoint) = &run.checkpoint {
                lock(checkpoint).finish_page(segment, page.cursor.clone())?;
            }
            let census = {
                let mut census = lock(&run.census);
                census.scanned += items;
                census.segments_done += u32::from(page.cursor.is_none());
                *census.pages.entry(segment).or_default() += 1;
                census.clone()
            };
            if let Some(progress) = &run.progress {
                progress(&census);
            }
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// The item with `key` as stored now (strongly consistent), a passing
    /// failure retried ([`Backoff::default`](crate::Backoff)).
    async fn reread(&self, key: &Key) -> Result<Option<codec::Attributes>> {
        crate::Backoff::default()
            .reading(|| self.mapper.raw_item::<T>(key, true))
            .await
    }

    /// One item: counted when current, else migrated and written (or
    /// judged, in a dry run), re-read and retried on conflict.
    async fn item(&self, run: &Run, info: &ModelInfo, mut raw: codec::Attributes) {
        let Some(plan) = info.migrations else {
            return;
        };
        if schema_version::is_current(&raw, plan) {
            // Counted without a key or a decode: most items of a table
            // migrated before are here.
            lock(&run.census).current += 1;
            return;
        }
        let key = Key::of_attributes(&raw, info);
        for _ in 0..MIGRATION_ATTEMPTS {
            let mut item: Item<T> = match load(raw, info, &info.table) {
                Ok(item) => item,
                Err(Error::Migration {
                    error: migrate::Error::Newer { .. },
                    ..
                }) => return lock(&run.census).newer += 1,
                Err(error) => return run.failed(key, error),
            };
            let Some(from) = item.migrated_from() else {
                // Loaded as is: newer than the code, under a lenient policy.
                return lock(&run.census).newer += 1;
            };
            if let Some(pace) = &run.pace {
                pace.wait().await;
            }
            if run.dry_run {
                return run.judged(self.mapper, key, from, &item);
            }
            let written = {
                let _permit = run.writes.acquire().await;
                self.mapper.save_migrated(&mut item).await
            };
            match written {
                Ok(()) => return run.migrated(from),
                // A conflict, a write whose answer was lost, a passing
                // failure: what is stored now says (re-read, never counted
                // as failed while it may be migrated).
                Err(e) if e.is_conflict() || e.is_outcome_unknown() || e.is_retryable() => {
                    if e.is_conflict() {
                        lock(&run.census).conflicts_retried += 1;
                    }
                    match self.reread(&key).await {
                        // Migrated by another writer meanwhile, or by this
                        // write whose answer was lost: current.
                        Ok(Some(now)) if schema_version::is_current(&now, plan) => {
                            return lock(&run.census).current += 1;
                        }
                        Ok(Some(now)) => raw = now,
                        Ok(None) => return lock(&run.census).gone += 1,
                        Err(error) => return run.failed(key, error),
                    }
                }
                Err(error) => return run.failed(key, error),
            }
        }
        run.failed(
            key.clone(),
            Error::MaxRetriesExceeded {
                table: info.table.clone(),
                operation: "migration (the item kept changing)",
                attempts: MIGRATION_ATTEMPTS,
            },
        );
    }
}

/// The state shared by the segments of a run.
struct Run {
    census: Mutex<Census>,
    failures: Mutex<Vec<(Key, Error)>>,
    samples: Mutex<Vec<Sample>>,
    checkpoint: Option<Mutex<Checkpoint>>,
    writes: Semaphore,
    pace: Option<Pace>,
    progress: Option<Progress>,
    dry_run: bool,
}

impl Run {
    fn failed(&self, key: Key, error: Error) {
        lock(&self.census).failed += 1;
        lock(&self.failures).push((key, error));
    }

    fn migrated(&self, from: u32) {
        *lock(&self.census).migrated.entry(from).or_default() += 1;
    }

    /// A dry run's item: counted, and kept as a sample while there is room.
    fn judged<T: Model>(&self, mapper: &Mapper, key: Key, from: u32, item: &Item<T>) {
        let after = mapper
            .to_attributes(&item.model)
            .and_then(|mut attributes| {
                if let Some(upgraded) = &item.upgraded {
                    for (name, value) in &upgraded.kept {
                        attributes
                            .entry(name.clone())
                            .or_insert_with(|| value.clone());
                    }
                }
                codec::from_item(&attributes)
                    .map_err(|e| Error::convert(T::TABLE, Default::default(), e))
            });
        let after = match after {
            Ok(after) => after,
            Err(error) => return self.failed(key, error),
        };
        self.migrated(from);
        let mut samples = lock(&self.samples);
        if samples.len() < DRY_RUN_SAMPLES {
            let before = item
                .stored
                .as_ref()
                .and_then(|raw| codec::from_item(raw).ok())
                .unwrap_or_default();
            samples.push(Sample {
                key,
                from,
                before,
                after,
            });
        }
    }
}

/// Spaces writes `every` apart, across the segments of a run.
struct Pace {
    every: Duration,
    next: Mutex<Instant>,
}

impl Pace {
    async fn wait(&self) {
        let at = {
            let mut next = lock(&self.next);
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + self.every;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

/// A lock whose holder never panics while holding it: poisoning cannot
/// happen, and a poisoned lock would still hold consistent counts.
fn lock<V>(mutex: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where each segment of a run stands.
enum SegmentState {
    Start,
    After(Cursor),
    Done,
}

/// The checkpoint file: the table, the number of segments, and each
/// segment's cursor (`null` once done), as JSON.
struct Checkpoint {
    path: PathBuf,
    table: String,
    total: u32,
    segments: BTreeMap<u32, Option<String>>,
}

impl Checkpoint {
    fn error(path: &std::path::Path, message: impl std::fmt::Display) -> Error {
        Error::Checkpoint {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }

    /// The checkpoint at `path`, or a new one when there is no file.
    fn open(path: PathBuf, table: &str, total: u32) -> Result<Checkpoint> {
        let mut checkpoint = Checkpoint {
            path,
            table: table.to_owned(),
            total,
            segments: BTreeMap::new(),
        };
        let text = match std::fs::read_to_string(&checkpoint.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(checkpoint),
            Err(e) => return Err(Checkpoint::error(&checkpoint.path, e)),
        };
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Checkpoint::error(&checkpoint.path, e))?;
        let same = json.get("table").and_then(serde_json::Value::as_str) == Some(table)
            && json
                .get("segments_total")
                .and_then(serde_json::Value::as_u64)
                == Some(u64::from(total));
        if !same {
            return Err(Checkpoint::error(
                &checkpoint.path,
                format!("it belongs to another run (not table {table} in {total} segments)"),
            ));
        }
        let segments = json
            .get("segments")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| Checkpoint::error(&checkpoint.path, "no segments"))?;
        for (segment, cursor) in segments {
            let segment: u32 = segment
                .parse()
                .map_err(|_| Checkpoint::error(&checkpoint.path, "a segment is not a number"))?;
            checkpoint
                .segments
                .insert(segment, cursor.as_str().map(str::to_owned));
        }
        Ok(checkpoint)
    }

    fn state(&self, segment: u32) -> SegmentState {
        match self.segments.get(&segment) {
            None => SegmentState::Start,
            Some(None) => SegmentState::Done,
            Some(Some(cursor)) => SegmentState::After(Cursor::from_string(cursor.clone())),
        }
    }

    /// Records a finished page (`next`: where the segment goes on; `None`
    /// when it is done) and saves the file (written aside, then renamed
    /// over the old one: a crash leaves one or the other).
    fn finish_page(&mut self, segment: u32, next: Option<Cursor>) -> Result<()> {
        self.segments
            .insert(segment, next.map(|c| c.as_str().to_owned()));
        let segments: serde_json::Map<String, serde_json::Value> = self
            .segments
            .iter()
            .map(|(segment, cursor)| (segment.to_string(), serde_json::json!(cursor)))
            .collect();
        let json = serde_json::json!({
            "table": self.table,
            "segments_total": self.total,
            "segments": segments,
        });
        let aside = self.path.with_extension("tmp");
        std::fs::write(&aside, json.to_string())
            .and_then(|()| std::fs::rename(&aside, &self.path))
            .map_err(|e| Checkpoint::error(&self.path, e))
    }
}
