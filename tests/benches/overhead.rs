//! The overhead budget: the mapper against the raw `aws-sdk-dynamodb`
//! client, in one process, against the same DynamoDB Local, on the same
//! item shape (the conversion W0 runs first, before the server starts:
//! it needs none). Prints items/s, client CPU µs per item (user + sys of this
//! process from getrusage; DynamoDB Local runs in another process) and the
//! mapper/raw ratios.
//!
//! `cargo bench -p integration-tests --bench overhead`. Set `BENCH_SCALE`
//! to e.g. `0.1` for a quick run, `BENCH_ONLY=W0` for the conversion alone
//! (no server), `BENCH_ONLY=W3,W4` for some workloads (W4 reads what W3
//! wrote), `BENCH_ROUNDS` for how many rounds to run. Each round alternates
//! raw and mapper in ten slices (a tenth of the keys, devices, items or
//! scan segments each): each slice is a pair of runs, one per side, right
//! after each other, and the ratios printed are the medians of the pairs'
//! ratios, so that drifts of the machine and of DynamoDB Local fall on
//! both sides alike. Every row also prints the allocations per item,
//! counted by a wrapper around the system allocator: a number that does
//! not depend on the machine's load.

#[path = "../raw/mod.rs"]
mod raw;

#[path = "parts/life.rs"]
mod life;

#[path = "parts/shared.rs"]
mod shared;

use std::alloc::System;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::ops::Range;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, PutRequest, TransactWriteItem, WriteRequest};
use futures::{StreamExt, TryStreamExt, stream};
use mapper::batch::Write;
use mapper::transact::Targets;
use mapper::{BatchOptions, Mapper, Model, Throughput, Transaction, migrate};
use nix::sys::resource::{UsageWho, getrusage};
use serde::{Deserialize, Serialize};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::sync::LazyLock;
use validate::{Errors, Schema, Value, float, int, list_of, set_of, str};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Attrs = HashMap<String, AttributeValue>;

/// The benchmark's item: hash N, range N, a string, a string set of 3, a
/// float, a list of 2 strings, a map of 2 fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    device: i64,
    at: i64,
    label: String,
    tags: BTreeSet<String>,
    value: f64,
    notes: Vec<String>,
    meta: Meta,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Meta {
    unit: String,
    scale: i64,
}

impl Model for Reading {
    const TABLE: &'static str = "reading";
    const HASH_KEY: &'static str = "device";
    const RANGE_KEY: Option<&'static str> = Some("at");

    fn schema() -> Schema {
        Schema::new()
            .required("device", int().range(0..))
            .required("at", int().range(0..))
            .required("label", str().length(1..=64))
            .required("tags", set_of(str().length(1..=16)))
            .required("value", float())
            .required("notes", list_of(str()))
            .required(
                "meta",
                Schema::new()
                    .required("unit", str().one_of(["C", "F", "K"]))
                    .required("scale", int().range(1..=1000)),
            )
    }
}

fn reading(device: i64, at: i64) -> Reading {
    Reading {
        device,
        at,
        label: format!("sensor{device}.{at}@example.com"),
        tags: ["indoor", "floor-2", "calibrated"].map(String::from).into(),
        value: 21.5 + (at % 100) as f64 / 8.0,
        notes: vec!["checked".into(), format!("batch {}", at % 7)],
        meta: Meta {
            unit: "C".into(),
            scale: 10,
        },
    }
}

// ---- the raw client's hand-written conversion ----

fn raw_to(r: &Reading) -> Attrs {
    let s = |v: &str| AttributeValue::S(v.to_owned());
    HashMap::from([
        ("device".to_owned(), AttributeValue::N(r.device.to_string())),
        ("at".to_owned(), AttributeValue::N(r.at.to_string())),
        ("label".to_owned(), s(&r.label)),
        (
            "tags".to_owned(),
            AttributeValue::Ss(r.tags.iter().cloned().collect()),
        ),
        ("value".to_owned(), AttributeValue::N(r.value.to_string())),
        (
            "notes".to_owned(),
            AttributeValue::L(r.notes.iter().map(|n| s(n)).collect()),
        ),
        (
            "meta".to_owned(),
            AttributeValue::M(HashMap::from([
                ("unit".to_owned(), s(&r.meta.unit)),
                (
                    "scale".to_owned(),
                    AttributeValue::N(r.meta.scale.to_string()),
                ),
            ])),
        ),
    ])
}

fn raw_from(a: &Attrs) -> Option<Reading> {
    let n = |a: &Attrs, k: &str| a.get(k)?.as_n().ok()?.parse::<i64>().ok();
    let s = |a: &Attrs, k: &str| a.get(k)?.as_s().ok().cloned();
    let meta = a.get("meta")?.as_m().ok()?;
    Some(Reading {
        device: n(a, "device")?,
        at: n(a, "at")?,
        label: s(a, "label")?,
        tags: a.get("tags")?.as_ss().ok()?.iter().cloned().collect(),
        value: a.get("value")?.as_n().ok()?.parse().ok()?,
        notes: a
            .get("notes")?
            .as_l()
            .ok()?
            .iter()
            .map(|v| v.as_s().ok().cloned())
            .collect::<Option<_>>()?,
        meta: Meta {
            unit: s(meta, "unit")?,
            scale: n(meta, "scale")?,
        },
    })
}

fn key(device: i64, at: i64) -> Attrs {
    HashMap::from([
        ("device".to_owned(), AttributeValue::N(device.to_string())),
        ("at".to_owned(), AttributeValue::N(at.to_string())),
    ])
}

// ---- measuring ----

/// The system allocator, counting allocations so the bench can print how
/// many each item costs: a deterministic number, unlike CPU time.
/// The benchmark's models: [`Reading`] under other schemas, on the same
/// table and items.
trait Bench: Model {
    fn wrap(reading: Reading) -> Self;
    fn at(&self) -> i64;
    /// The key of the item of `device` at `at` (its hash part: the
    /// device's partition).
    fn key_of(device: i64, at: i64) -> mapper::Key {
        mapper::IntoKey::into_key((device, at))
    }
}

impl Bench for Reading {
    fn wrap(reading: Reading) -> Self {
        reading
    }
    fn at(&self) -> i64 {
        self.at
    }
}

impl Bench for EmailReading {
    fn wrap(reading: Reading) -> Self {
        EmailReading(reading)
    }
    fn at(&self) -> i64 {
        self.0.at
    }
}

impl Bench for MigratedReading {
    fn wrap(reading: Reading) -> Self {
        MigratedReading(reading)
    }
    fn at(&self) -> i64 {
        self.0.at
    }
}

/// [`Reading`] whose label is held to `email()`, a validator without a
/// plain form (W1e, W2e): that field takes its own report path (its
/// validator on the `Value`) while the rest of the item stays fast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
struct EmailReading(Reading);

impl Model for EmailReading {
    const TABLE: &'static str = Reading::TABLE;
    const HASH_KEY: &'static str = Reading::HASH_KEY;
    const RANGE_KEY: Option<&'static str> = Reading::RANGE_KEY;

    fn schema() -> Schema {
        Schema::new()
            .required("device", int().range(0..))
            .required("at", int().range(0..))
            .required("label", validate::email())
            .required("tags", set_of(str().length(1..=16)))
            .required("value", float())
            .required("notes", list_of(str()))
            .required(
                "meta",
                Schema::new()
                    .required("unit", str().one_of(["C", "F", "K"]))
                    .required("scale", int().range(1..=1000)),
            )
    }
}

/// [`Reading`] with migrations declared (W8): the same table and schema;
/// its items are stored at the current version, so loads take the path of
/// a model without migrations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
struct MigratedReading(Reading);

fn unchanged(item: Value) -> Result<Value, Errors> {
    Ok(item)
}

static READING_PLAN: LazyLock<migrate::Plan> =
    LazyLock::new(|| migrate::Plan::new(3).step(1, 3, "unchanged", unchanged));

impl Model for MigratedReading {
    const TABLE: &'static str = Reading::TABLE;
    const HASH_KEY: &'static str = Reading::HASH_KEY;
    const RANGE_KEY: Option<&'static str> = Reading::RANGE_KEY;

    fn schema() -> Schema {
        Reading::schema()
    }

    fn migrations() -> Option<&'static migrate::Plan> {
        Some(&READING_PLAN)
    }
}

/// W9's model: profiles whose version 1 stored `mail`, renamed `email`
/// in version 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    id: i64,
    email: String,
    name: String,
    score: i64,
}

fn rename_mail(mut item: Value) -> Result<Value, Errors> {
    if let Some(map) = item.as_map_mut()
        && let Some(mail) = map.remove("mail")
    {
        map.insert("email".to_owned(), mail);
    }
    Ok(item)
}

static PROFILE_PLAN: LazyLock<migrate::Plan> =
    LazyLock::new(|| migrate::Plan::new(2).step(1, 2, "rename_mail", rename_mail));

impl Model for Profile {
    const TABLE: &'static str = "profile";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", int())
            .required("email", str().length(3..=128))
            .required("name", str().length(1..=64))
            .required("score", int().range(0..))
    }

    fn migrations() -> Option<&'static migrate::Plan> {
        Some(&PROFILE_PLAN)
    }
}

/// A version 1 profile, as old code stored it.
fn stale_profile(id: i64) -> Attrs {
    HashMap::from([
        ("id".to_owned(), AttributeValue::N(id.to_string())),
        (
            "mail".to_owned(),
            AttributeValue::S(format!("user{id}@example.com")),
        ),
        ("name".to_owned(), AttributeValue::S(format!("User {id}"))),
        (
            "score".to_owned(),
            AttributeValue::N((id % 1000).to_string()),
        ),
    ])
}

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations and reallocations so far, in the whole process.
fn allocations() -> u64 {
    let stats = GLOBAL.stats();
    (stats.allocations + stats.reallocations) as u64
}

fn cpu() -> Duration {
    match getrusage(UsageWho::RUSAGE_SELF) {
        Ok(usage) => {
            let (u, s) = (usage.user_time(), usage.system_time());
            let micros = |t: nix::sys::time::TimeVal| {
                Duration::from_secs(t.tv_sec().max(0) as u64)
                    + Duration::from_micros(t.tv_usec().max(0) as u64)
            };
            micros(u) + micros(s)
        }
        Err(_) => Duration::ZERO,
    }
}

#[derive(Clone, Copy)]
struct Sample {
    items_per_s: f64,
    cpu_us_per_item: f64,
    /// Allocations in the whole process per item (the SDK's, tokio's and
    /// hyper's included).
    allocs_per_item: f64,
}

/// Slices per round: raw and mapper alternate slice by slice.
const SLICES: usize = 10;

/// Slice `slice` of `0..n`.
fn part(n: i64, slice: usize) -> Range<i64> {
    let at = |k: usize| n * k as i64 / SLICES as i64;
    at(slice)..at(slice + 1)
}

/// Runs raw and mapper `rounds` times, each round as [`SLICES`] slices
/// that alternate between the two (which side goes first alternating too):
/// each slice is a pair of runs, one per side, on the same keys, one right
/// after the other. DynamoDB Local shares the machine's two cores, and its
/// JIT, garbage collector and growing tables drift over a run: a pair's
/// two runs see the same drift, and [`Measured`] compares pairs.
async fn sliced<R, M, FR, FM>(rounds: usize, raw: R, mapper: M) -> Result<Measured, Error>
where
    R: Fn(usize) -> FR,
    M: Fn(usize) -> FM,
    FR: Future<Output = Result<usize, Error>>,
    FM: Future<Output = Result<usize, Error>>,
{
    let (mut raw_tally, mut mapper_tally) = (Tally::default(), Tally::default());
    for round in 0..rounds.max(1) {
        for slice in 0..SLICES {
            if (round + slice) % 2 == 0 {
                raw_tally.run(raw(slice)).await?;
                mapper_tally.run(mapper(slice)).await?;
            } else {
                mapper_tally.run(mapper(slice)).await?;
                raw_tally.run(raw(slice)).await?;
            }
        }
    }
    Ok(Measured::of(&raw_tally, &mapper_tally))
}

/// The median of `values` (NaN-free; 1 when there are none).
fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 1.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// The clock, CPU time and allocation count when a timed run began.
struct Start {
    wall: Instant,
    cpu: Duration,
    allocations: u64,
}

impl Start {
    fn now() -> Start {
        Start {
            wall: Instant::now(),
            cpu: cpu(),
            allocations: allocations(),
        }
    }
}

/// One run: its CPU and wall time.
#[derive(Clone, Copy)]
struct Run {
    cpu: Duration,
    wall: Duration,
}

/// One side's timed runs: their sums, and each run in order (run `i` of
/// one side and run `i` of the other did the same slice, one right after
/// the other).
#[derive(Default)]
struct Tally {
    items: usize,
    wall: Duration,
    cpu: Duration,
    allocations: u64,
    runs: Vec<Run>,
}

impl Tally {
    /// Adds the run that began at `start` and did `items`.
    fn record(&mut self, start: Start, items: usize) {
        let run = Run {
            cpu: cpu().saturating_sub(start.cpu),
            wall: start.wall.elapsed(),
        };
        self.items += items;
        self.wall += run.wall;
        self.cpu += run.cpu;
        self.allocations += allocations() - start.allocations;
        self.runs.push(run);
    }

    fn add(&mut self, f: impl FnOnce() -> Result<usize, Error>) -> Result<(), Error> {
        let start = Start::now();
        let items = f()?;
        self.record(start, items);
        Ok(())
    }

    /// [`Tally::add`] for a run that is a future.
    async fn run(&mut self, f: impl Future<Output = Result<usize, Error>>) -> Result<(), Error> {
        let start = Start::now();
        let items = f.await?;
        self.record(start, items);
        Ok(())
    }

    /// The sums over all runs, per item.
    fn sample(&self) -> Sample {
        let items = self.items.max(1) as f64;
        Sample {
            items_per_s: items / self.wall.as_secs_f64().max(1e-9),
            cpu_us_per_item: self.cpu.as_secs_f64() * 1e6 / items,
            allocs_per_item: self.allocations as f64 / items,
        }
    }
}

/// A workload's numbers: each side's sums over all its runs, and the
/// mapper/raw ratios as the medians of the ratios of paired runs (the two
/// runs of one slice). A pair's runs are a fraction of a second apart, so
/// the drifts of the machine and of DynamoDB Local cancel out within
/// each pair, and the median leaves out the pairs a garbage collection
/// or a neighbour hit on one side only. Running the raw client on both
/// sides (an A/A run) gives ratios within ±1.5 % of 1 this way, against
/// ±3 % for the ratio of each side's median round.
struct Measured {
    raw: Sample,
    mapper: Sample,
    cpu_ratio: f64,
    rate_ratio: f64,
}

impl Measured {
    fn of(raw: &Tally, mapper: &Tally) -> Measured {
        let pairs = || {
            raw.runs
                .iter()
                .zip(&mapper.runs)
                .filter(|(r, m)| !r.cpu.is_zero() && !m.wall.is_zero())
        };
        Measured {
            raw: raw.sample(),
            mapper: mapper.sample(),
            cpu_ratio: median(
                pairs()
                    .map(|(r, m)| m.cpu.as_secs_f64() / r.cpu.as_secs_f64())
                    .collect(),
            ),
            // Both runs of a pair did the same items.
            rate_ratio: median(
                pairs()
                    .map(|(r, m)| r.wall.as_secs_f64() / m.wall.as_secs_f64())
                    .collect(),
            ),
        }
    }
}

/// W0, `rounds` times: raw and mapper conversions of `n` items alternate
/// in ten slices each (which side goes first alternating), paired as in
/// [`sliced`].
fn conversions(mapper: &Mapper, n: usize, rounds: usize) -> Result<Measured, Error> {
    let per = (n / SLICES).max(1);
    let (mut raw, mut mapped) = (Tally::default(), Tally::default());
    for round in 0..rounds.max(1) {
        for slice in 0..SLICES {
            if (round + slice) % 2 == 0 {
                raw.add(|| conversion_raw(per))?;
                mapped.add(|| conversion_mapper(mapper, per))?;
            } else {
                mapped.add(|| conversion_mapper(mapper, per))?;
                raw.add(|| conversion_raw(per))?;
            }
        }
    }
    Ok(Measured::of(&raw, &mapped))
}

struct Row {
    name: String,
    measured: Measured,
    cpu_target: f64,
    /// The least items/s ratio, for rows with requests in parallel.
    rate_target: Option<f64>,
}

/// The CPU ratio every networked workload must meet.
const NETWORKED: f64 = 1.05;

/// The items/s ratio a workload with requests in parallel must meet.
const CONCURRENT: f64 = 0.95;

impl Row {
    fn new(name: String, measured: Measured, cpu_target: f64) -> Row {
        Row {
            name,
            measured,
            cpu_target,
            rate_target: None,
        }
    }

    /// The row of a workload at concurrency `conc`: above 1 (and with a
    /// CPU target), its items/s ratio has a target too.
    fn at(mut self, conc: usize) -> Row {
        if conc > 1 && self.cpu_target.is_finite() {
            self.rate_target = Some(CONCURRENT);
        }
        self
    }
}

/// `≤ 1.05 met` or `**missed**`, or what a row without a target says.
fn verdict(ratio: f64, target: Option<f64>, ceiling: bool) -> String {
    let sign = if ceiling { "≤" } else { "≥" };
    match target {
        None => String::new(),
        Some(t) if t.is_infinite() => "(for information)".to_owned(),
        Some(t) if (ceiling && ratio <= t) || (!ceiling && ratio >= t) => {
            format!("{sign} {t:.2} met")
        }
        Some(t) => format!("{sign} {t:.2} **missed**"),
    }
}

// ---- workloads ----

async fn puts_raw(
    client: &Client,
    table: &str,
    device: i64,
    ats: Range<i64>,
    conc: usize,
) -> Result<usize, Error> {
    writes_raw(client, table, device, ats, conc, false).await
}

/// Raw puts, on the condition that the key is free when `create`.
async fn writes_raw(
    client: &Client,
    table: &str,
    device: i64,
    ats: Range<i64>,
    conc: usize,
    create: bool,
) -> Result<usize, Error> {
    let n = ats.end - ats.start;
    stream::iter(ats)
        .map(|at| {
            let mut request = client
                .put_item()
                .table_name(table)
                .set_item(Some(raw_to(&reading(device, at))));
            if create {
                request = request
                    .condition_expression("attribute_not_exists(#h)")
                    .expression_attribute_names("#h", "device");
            }
            async move { request.send().await.map(|_| ()) }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(n as usize)
}

/// Mapper puts: `put_only`, which like the raw put gives nothing back;
/// with `item_back`, `put`, which also gives the item as stored (a copy of
/// the attributes and the model read back from them).
async fn puts_mapper<M: Bench>(
    mapper: &Mapper,
    device: i64,
    ats: Range<i64>,
    conc: usize,
    item_back: bool,
) -> Result<usize, Error> {
    let n = ats.end - ats.start;
    stream::iter(ats)
        .map(|at| {
            let item = M::wrap(reading(device, at));
            async move {
                if item_back {
                    mapper.put(&item).await.map(|_| ())
                } else {
                    mapper.put_only(&item).await
                }
            }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(n as usize)
}

/// Mapper creates: `create`, its attempts watched for lost answers, the
/// item as stored given back.
async fn creates_mapper<M: Bench>(
    mapper: &Mapper,
    device: i64,
    ats: Range<i64>,
    conc: usize,
) -> Result<usize, Error> {
    let n = ats.end - ats.start;
    stream::iter(ats)
        .map(|at| {
            let item = M::wrap(reading(device, at));
            async move { mapper.create(&item).await.map(|_| ()) }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(n as usize)
}

/// Raw transactions of 4 puts each (the SDK fills the idempotency token,
/// as the mapper does).
async fn transacts_raw(
    client: &Client,
    table: &str,
    device: i64,
    ats: Range<i64>,
    conc: usize,
) -> Result<usize, Error> {
    let n = ats.end - ats.start;
    stream::iter(ats.step_by(4))
        .map(|at| {
            let items: Result<Vec<TransactWriteItem>, _> = (at..at + 4)
                .map(|a| {
                    Put::builder()
                        .table_name(table)
                        .set_item(Some(raw_to(&reading(device, a))))
                        .build()
                        .map(|put| TransactWriteItem::builder().put(put).build())
                })
                .collect();
            async move {
                client
                    .transact_write_items()
                    .set_transact_items(Some(items?))
                    .send()
                    .await?;
                Ok::<(), Error>(())
            }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(n as usize)
}

/// Mapper transactions of 4 puts each.
async fn transacts_mapper(
    mapper: &Mapper,
    device: i64,
    ats: Range<i64>,
    conc: usize,
) -> Result<usize, Error> {
    let n = ats.end - ats.start;
    stream::iter(ats.step_by(4))
        .map(|at| {
            let items: Vec<Reading> = (at..at + 4).map(|a| reading(device, a)).collect();
            async move {
                items
                    .iter()
                    .fold(mapper.transact_write(), |tx, item| tx.put(item))
                    .send()
                    .await?;
                Ok::<(), Error>(())
            }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(n as usize)
}

/// A counter bumped by contended app-level transactions (no record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Bump {
    id: i64,
    #[serde(default)]
    datetime: String,
    #[serde(default)]
    status: String,
}

impl Model for Bump {
    const TABLE: &'static str = "bump";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new()
            .required("id", int())
            .with_default("datetime", str(), "")
            .with_default("status", str(), "pending")
    }
}

impl Transaction for Bump {
    const TRANSIENT: bool = true;
    type Error = std::convert::Infallible;

    fn setup(&mut self, targets: &mut Targets<Self::Error>) -> Result<(), Self::Error> {
        targets.target::<Counter>(self.id, |counter: &mut Counter| {
            counter.n += 1;
            Ok(())
        });
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Counter {
    id: i64,
    n: i64,
}

impl Model for Counter {
    const TABLE: &'static str = "counter";
    const HASH_KEY: &'static str = "id";

    fn schema() -> Schema {
        Schema::new().required("id", int()).required("n", int())
    }
}

/// W7: `tasks` tasks committing `each` transactions on one counter;
/// commits per second and attempts per commit.
async fn contended(mapper: &Mapper, tasks: usize, each: usize) -> Result<(f64, f64), Error> {
    mapper.create_table::<Counter>(Throughput::OnDemand).await?;
    mapper.put(&Counter { id: 1, n: 0 }).await?;
    let start = Instant::now();
    let runs: Vec<_> = (0..tasks)
        .map(|_| {
            let mapper = mapper.clone();
            tokio::spawn(async move {
                let mut attempts = 0;
                for _ in 0..each {
                    let mut bump = Bump {
                        id: 1,
                        datetime: String::new(),
                        status: String::new(),
                    };
                    attempts += mapper
                        .commit(&mut bump)
                        .await
                        .map_err(|e| e.to_string())?
                        .attempts;
                }
                Ok::<u32, String>(attempts)
            })
        })
        .collect();
    let mut attempts = 0;
    for run in runs {
        attempts += run.await??;
    }
    let seconds = start.elapsed().as_secs_f64();
    let commits = (tasks * each) as f64;
    let stored = mapper.get::<Counter>(1).await?.n;
    if stored != (tasks * each) as i64 {
        return Err(format!("counter at {stored}, {commits} commits").into());
    }
    mapper.delete_table::<Counter>().await?;
    Ok((commits / seconds, f64::from(attempts) / commits))
}

async fn gets_raw(
    client: &Client,
    table: &str,
    device: i64,
    ats: Range<i64>,
    conc: usize,
) -> Result<usize, Error> {
    let found = stream::iter(ats)
        .map(|at| {
            let request = client
                .get_item()
                .table_name(table)
                .set_key(Some(key(device, at)));
            async move {
                let out = request.send().await?;
                Ok::<_, Error>(out.item.as_ref().and_then(raw_from).is_some())
            }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<bool>>()
        .await?;
    assert!(found.iter().all(|f| *f), "raw get missed an item");
    Ok(found.len())
}

async fn gets_mapper<M: Bench>(
    mapper: &Mapper,
    device: i64,
    ats: Range<i64>,
    conc: usize,
) -> Result<usize, Error> {
    let found = stream::iter(ats)
        .map(|at| async move {
            mapper
                .get::<M>(M::key_of(device, at))
                .await
                .map(|r| r.at() == at && r.migrated_from().is_none())
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<bool>>()
        .await?;
    assert!(found.iter().all(|f| *f));
    Ok(found.len())
}

/// Writes `count` stale profiles (ids `0..count`) into `table`.
async fn stale_profiles(client: &Client, table: &str, count: i64) -> Result<(), Error> {
    raw::put_all(client, table, (0..count).map(stale_profile).collect()).await
}

/// W9 raw: scan segment `segment` of [`SLICES`] in pages of 500 and, per
/// stale item, the migration written by hand: an `UpdateItem` renaming
/// `mail`, setting the version, on the condition that the item is still
/// as read; `conc` in flight.
async fn migrate_raw(
    client: &Client,
    table: &str,
    segment: usize,
    conc: usize,
) -> Result<usize, Error> {
    let mut total = 0;
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .segment(segment as i32)
            .total_segments(SLICES as i32)
            .limit(500)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        let next = out.last_evaluated_key;
        let items = out.items.unwrap_or_default();
        total += items.len();
        stream::iter(items)
            .map(|item| async move {
                if item.contains_key("__schema_version__") {
                    return Ok::<_, Error>(());
                }
                let get = |name: &str| item.get(name).cloned().ok_or("incomplete item");
                let mut id = HashMap::new();
                id.insert("id".to_owned(), get("id")?);
                client
                    .update_item()
                    .table_name(table)
                    .set_key(Some(id))
                    .update_expression("SET #email = :mail, #v = :v REMOVE #mail")
                    .condition_expression(
                        "#mail = :mail AND #name = :name AND #score = :score \
                         AND attribute_not_exists(#email) AND attribute_not_exists(#v)",
                    )
                    .expression_attribute_names("#email", "email")
                    .expression_attribute_names("#mail", "mail")
                    .expression_attribute_names("#name", "name")
                    .expression_attribute_names("#score", "score")
                    .expression_attribute_names("#v", "__schema_version__")
                    .expression_attribute_values(":mail", get("mail")?)
                    .expression_attribute_values(":name", get("name")?)
                    .expression_attribute_values(":score", get("score")?)
                    .expression_attribute_values(":v", AttributeValue::N("2".to_owned()))
                    .send()
                    .await?;
                Ok(())
            })
            .buffer_unordered(conc)
            .try_collect::<Vec<()>>()
            .await?;
        match next {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return Ok(total),
        }
    }
}

/// W9 mapper: the bulk migration of segment `segment` of [`SLICES`].
async fn migrate_mapper(mapper: &Mapper, segment: usize, conc: usize) -> Result<usize, Error> {
    let report = mapper
        .migrate_table::<Profile>()
        .segment(segment as u32, SLICES as u32)
        .concurrency(conc)
        .run()
        .await?;
    if report.census.failed > 0 {
        return Err(format!("{:?}", report.failures).into());
    }
    Ok(report.census.scanned as usize)
}

/// Raw batch write: chunks of 25, unprocessed items retried, `conc` in flight.
async fn batch_raw(
    client: &Client,
    table: &str,
    items: Vec<Reading>,
    conc: usize,
) -> Result<usize, Error> {
    let total = items.len();
    let chunks: Vec<Vec<WriteRequest>> = items
        .chunks(25)
        .map(|c| {
            c.iter()
                .map(|r| {
                    let put = PutRequest::builder().set_item(Some(raw_to(r))).build()?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .collect::<Result<_, _>>()?;
    stream::iter(chunks)
        .map(|mut chunk| async move {
            let mut delay = Duration::from_millis(25);
            loop {
                let out = client
                    .batch_write_item()
                    .request_items(table, chunk)
                    .send()
                    .await?;
                match out.unprocessed_items.and_then(|mut u| u.remove(table)) {
                    Some(rest) if !rest.is_empty() => {
                        chunk = rest;
                        tokio::time::sleep(delay).await;
                        delay *= 2;
                    }
                    _ => return Ok::<_, Error>(()),
                }
            }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(total)
}

async fn query_raw(client: &Client, table: &str, devices: Range<i64>) -> Result<usize, Error> {
    let mut total = 0;
    for device in devices {
        let mut start = None;
        loop {
            let out = client
                .query()
                .table_name(table)
                .key_condition_expression("#d = :d")
                .expression_attribute_names("#d", "device")
                .expression_attribute_values(":d", AttributeValue::N(device.to_string()))
                .set_exclusive_start_key(start)
                .send()
                .await?;
            for item in out.items() {
                raw_from(item).ok_or("raw decode failed")?;
                total += 1;
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
    }
    Ok(total)
}

/// Mapper queries of the partitions of `devices`, each item decoded.
async fn query_mapper<M: Bench>(mapper: &Mapper, devices: Range<i64>) -> Result<usize, Error> {
    let mut total = 0;
    for device in devices {
        let mut items = Box::pin(mapper.query::<M>(M::key_of(device, 0).hash).stream());
        while let Some(item) = items.next().await {
            item?;
            total += 1;
        }
    }
    Ok(total)
}

/// Scan segment `segment` of [`SLICES`].
async fn scan_raw(client: &Client, table: &str, segment: usize) -> Result<usize, Error> {
    let mut total = 0;
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .segment(segment as i32)
            .total_segments(SLICES as i32)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        for item in out.items() {
            raw_from(item).ok_or("raw decode failed")?;
            total += 1;
        }
        match out.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return Ok(total),
        }
    }
}

/// Scan segment `segment` of [`SLICES`].
async fn scan_mapper(mapper: &Mapper, segment: usize) -> Result<usize, Error> {
    let mut total = 0;
    let mut items = Box::pin(
        mapper
            .scan::<Reading>()
            .segment(segment as u32, SLICES as u32)
            .stream(),
    );
    while let Some(item) = items.next().await {
        item?;
        total += 1;
    }
    Ok(total)
}

// Not inlined: profilers (callgrind's `--toggle-collect`) find each side
// by name.
#[inline(never)]
fn conversion_raw(n: usize) -> Result<usize, Error> {
    for i in 0..n as i64 {
        let r = reading(i % 20, i);
        let back = raw_from(&std::hint::black_box(raw_to(&r))).ok_or("raw decode failed")?;
        std::hint::black_box(back);
    }
    Ok(n)
}

#[inline(never)]
fn conversion_mapper(mapper: &Mapper, n: usize) -> Result<usize, Error> {
    for i in 0..n as i64 {
        let r = reading(i % 20, i);
        let attributes = mapper.to_attributes(&r)?;
        let back = mapper.from_attributes::<Reading>(std::hint::black_box(attributes))?;
        std::hint::black_box(back);
    }
    Ok(n)
}

/// `BENCH_ONLY=W0`: the conversion's numbers in full, and the mapper's
/// save and load paths timed apart (each over all `n` items at once).
fn conversion_details(mapper: &Mapper, n: usize, measured: &Measured) -> Result<(), Error> {
    println!(
        "W0 convert {n}: raw {:.2} µs/item, mapper {:.2} µs/item, ratio {:.2}; allocations per item: raw {:.1}, mapper {:.1}",
        measured.raw.cpu_us_per_item,
        measured.mapper.cpu_us_per_item,
        measured.cpu_ratio,
        measured.raw.allocs_per_item,
        measured.mapper.allocs_per_item,
    );
    let readings: Vec<Reading> = (0..n as i64).map(|i| reading(i % 20, i)).collect();
    let t0 = cpu();
    let stored = readings
        .iter()
        .map(|r| mapper.to_attributes(r))
        .collect::<Result<Vec<_>, _>>()?;
    let t1 = cpu();
    let back = stored
        .into_iter()
        .map(|a| mapper.from_attributes::<Reading>(a))
        .collect::<Result<Vec<_>, _>>()?;
    let t2 = cpu();
    assert_eq!(back.len(), readings.len());
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!(
        "  mapper save path {:.2} µs/item, load path {:.2} µs/item",
        per(t1 - t0),
        per(t2 - t1)
    );
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(()); // `cargo bench -- --list` asks what benchmarks exist.
    }
    let scale: f64 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let n = |full: usize| ((full as f64 * scale) as usize).max(20);
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let only = std::env::var("BENCH_ONLY").ok();
    let wanted = |w: &str| only.as_deref().is_none_or(|o| o.split(',').any(|x| x == w));
    let mut rows = Vec::new();
    // W0 first, before DynamoDB Local starts: the conversion needs no
    // server, and a JVM starting (compiling, collecting) on the other core
    // only adds noise to both sides.
    let w0 = n(100_000);
    if wanted("W0") {
        let offline = Mapper::new(test_support::client("http://127.0.0.1:9"));
        let measured = conversions(&offline, w0, rounds)?;
        if only.as_deref() == Some("W0") {
            return conversion_details(&offline, w0, &measured);
        }
        rows.push(Row::new(format!("W0 convert {w0}"), measured, 1.5));
    }
    if wanted("W0s") {
        let offline = Mapper::new(test_support::client("http://127.0.0.1:9"));
        let measured = life::stream_decoding(&offline, w0 / 10, rounds)?;
        rows.push(Row::new(
            format!("W0s stream record decode {} (vs a get's decode)", w0 / 10),
            measured,
            1.1,
        ));
    }
    let endpoint = test_support::endpoint().await?;
    let client = test_support::client(&endpoint);
    let run = std::process::id();
    let mapper = Mapper::new(client.clone()).with_prefix(format!("bench{run}_m_"));
    let raw_tables = Mapper::new(client.clone()).with_prefix(format!("bench{run}_r_"));
    mapper.create_table::<Reading>(Throughput::OnDemand).await?;
    raw_tables
        .create_table::<Reading>(Throughput::OnDemand)
        .await?;
    let raw_table = raw_tables.table_name::<Reading>();

    // Warm up both paths (connections, caches) before measuring.
    puts_raw(&client, &raw_table, 999, 0..200, 8).await?;
    puts_mapper::<Reading>(&mapper, 999, 0..200, 8, true).await?;

    let singles = n(5_000) as i64;
    // The last, informative row: `put` with the stored item given back.
    for (conc, device, item_back) in [
        (1usize, 1000i64, false),
        (16, 1001, false),
        (16, 1002, true),
    ] {
        if !wanted("W1") {
            break;
        }
        let measured = sliced(
            rounds,
            |k| puts_raw(&client, &raw_table, device, part(singles, k), conc),
            |k| puts_mapper::<Reading>(&mapper, device, part(singles, k), conc, item_back),
        )
        .await?;
        rows.push(
            Row::new(
                if item_back {
                    format!("W1 put ×{singles} c{conc}, item given back (`put`)")
                } else {
                    format!("W1 put ×{singles} c{conc}")
                },
                measured,
                if item_back { f64::INFINITY } else { NETWORKED },
            )
            .at(conc),
        );
    }
    for (conc, device) in [(1usize, 1000i64), (16, 1001)] {
        if !wanted("W2") {
            break;
        }
        let measured = sliced(
            rounds,
            |k| gets_raw(&client, &raw_table, device, part(singles, k), conc),
            |k| gets_mapper::<Reading>(&mapper, device, part(singles, k), conc),
        )
        .await?;
        rows.push(Row::new(format!("W2 get ×{singles} c{conc}"), measured, NETWORKED).at(conc));
    }

    // W10: a conditional write (create), whose attempts the mapper
    // watches for lost answers (issue 27).
    if wanted("W10") {
        // A fresh device each call: every round creates new keys.
        let fresh = std::sync::atomic::AtomicI64::new(2000);
        let device = || fresh.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let measured = sliced(
            rounds,
            |k| writes_raw(&client, &raw_table, device(), part(singles, k), 16, true),
            |k| creates_mapper::<Reading>(&mapper, device(), part(singles, k), 16),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W10 create ×{singles} c16, item given back"),
                measured,
                f64::INFINITY,
            )
            .at(16),
        );
    }

    // W1e, W2e: one field (`email()`) on its own report path.
    if wanted("W1e") {
        let measured = sliced(
            rounds,
            |k| puts_raw(&client, &raw_table, 1003, part(singles, k), 16),
            |k| puts_mapper::<EmailReading>(&mapper, 1003, part(singles, k), 16, false),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W1e put ×{singles} c16, one `email()` field"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }
    if wanted("W2e") {
        puts_mapper::<EmailReading>(&mapper, 1004, 0..singles, 16, false).await?;
        puts_raw(&client, &raw_table, 1004, 0..singles, 16).await?;
        let measured = sliced(
            rounds,
            |k| gets_raw(&client, &raw_table, 1004, part(singles, k), 16),
            |k| gets_mapper::<EmailReading>(&mapper, 1004, part(singles, k), 16),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W2e get ×{singles} c16, one `email()` field"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }

    let batch = n(20_000) as i64;
    let per_device = (batch / 20).max(1);
    for (conc, base) in [(1usize, 0i64), (8, 100)] {
        if !wanted("W3") {
            break;
        }
        let items: Vec<Reading> = (0..20)
            .flat_map(|d| (0..per_device).map(move |at| reading(base + d, at)))
            .collect();
        let count = items.len();
        let options = BatchOptions {
            concurrency: conc,
            ..BatchOptions::default()
        };
        let slice = |k: usize| {
            let at = part(items.len() as i64, k);
            items[at.start as usize..at.end as usize].to_vec()
        };
        let measured = sliced(
            rounds,
            |k| batch_raw(&client, &raw_table, slice(k), conc),
            |k| {
                let items = slice(k);
                let mapper = &mapper;
                async move {
                    Ok(mapper
                        .batch_write_with(items.into_iter().map(Write::Put), options)
                        .await?)
                }
            },
        )
        .await?;
        rows.push(Row::new(format!("W3 batch ×{count} c{conc}"), measured, NETWORKED).at(conc));
    }

    // W4: 20 partitions (devices 0..20) written by W3 at concurrency 1.
    if wanted("W4") {
        let measured = sliced(
            rounds,
            |k| query_raw(&client, &raw_table, part(20, k)),
            |k| query_mapper::<Reading>(&mapper, part(20, k)),
        )
        .await?;
        rows.push(Row::new(
            format!("W4 query {} items", per_device * 20),
            measured,
            NETWORKED,
        ));
    }

    // W5: the whole table (W1's and W3's items).
    if wanted("W5") {
        let measured = sliced(
            rounds,
            |k| scan_raw(&client, &raw_table, k),
            |k| scan_mapper(&mapper, k),
        )
        .await?;
        rows.push(Row::new("W5 scan table".to_owned(), measured, NETWORKED));
    }

    // W6: native transactions of 4 puts, against raw TransactWriteItems.
    let transacts = (n(2_000) as i64 / 4) * 4;
    if wanted("W6") {
        let measured = sliced(
            rounds,
            |k| transacts_raw(&client, &raw_table, 3000, part(transacts, k), 8),
            |k| transacts_mapper(&mapper, 3000, part(transacts, k), 8),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W6 transaction of 4 puts ×{} c8", transacts / 4),
                measured,
                NETWORKED,
            )
            .at(8),
        );
    }
    // W8: loads of current items of a model with migrations declared,
    // against the same model without (both sides are the mapper).
    if wanted("W8") {
        puts_mapper::<Reading>(&mapper, 4000, 0..singles, 16, false).await?;
        puts_mapper::<MigratedReading>(&mapper, 4001, 0..singles, 16, false).await?;
        let measured = sliced(
            rounds,
            |k| gets_mapper::<Reading>(&mapper, 4000, part(singles, k), 16),
            |k| gets_mapper::<MigratedReading>(&mapper, 4001, part(singles, k), 16),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W8 get ×{singles} c16, migrations declared (vs the mapper without)"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }
    // W9: bulk migration of stale items, against a raw parallel scan and
    // a conditional UpdateItem per item at the same concurrency; one pair
    // of runs per scan segment (each side migrates its own table once).
    if wanted("W9") {
        let profiles = n(20_000) as i64;
        mapper.create_table::<Profile>(Throughput::OnDemand).await?;
        raw_tables
            .create_table::<Profile>(Throughput::OnDemand)
            .await?;
        let raw_profiles = raw_tables.table_name::<Profile>();
        stale_profiles(&client, &raw_profiles, profiles).await?;
        stale_profiles(&client, &mapper.table_name::<Profile>(), profiles).await?;
        let measured = sliced(
            1,
            |k| migrate_raw(&client, &raw_profiles, k, 16),
            |k| migrate_mapper(&mapper, k, 16),
        )
        .await?;
        let mut row = Row::new(
            format!("W9 bulk migration of {profiles} stale items c16"),
            measured,
            f64::INFINITY,
        );
        row.rate_target = Some(0.9);
        rows.push(row);
        mapper.delete_table::<Profile>().await?;
        raw_tables.delete_table::<Profile>().await?;
    }
    life::rows(&mapper, singles, rounds, &wanted, &mut rows).await?;
    shared::rows(&mapper, &client, singles, rounds, &wanted, &mut rows).await?;
    if wanted("W11r") {
        life::raw_upsert_rows(&client, &raw_table, singles, rounds, &mut rows).await?;
    }
    // W7: app-level transactions contending for one item.
    let contention = if wanted("W7") {
        Some(contended(&mapper, 16, n(25)).await?)
    } else {
        None
    };

    println!();
    println!(
        "| workload | raw items/s | mapper items/s | items/s ratio | items/s target | raw CPU µs/item | mapper CPU µs/item | CPU ratio | CPU target | allocations/item raw / mapper |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|---|---:|");
    for row in &rows {
        let Measured {
            raw,
            mapper,
            cpu_ratio,
            rate_ratio,
        } = &row.measured;
        println!(
            "| {} | {:.0} | {:.0} | {:.2} | {} | {:.2} | {:.2} | {:.2} | {} | {:.1} / {:.1} |",
            row.name,
            raw.items_per_s,
            mapper.items_per_s,
            rate_ratio,
            verdict(*rate_ratio, row.rate_target, false),
            raw.cpu_us_per_item,
            mapper.cpu_us_per_item,
            cpu_ratio,
            verdict(*cpu_ratio, Some(row.cpu_target), true),
            raw.allocs_per_item,
            mapper.allocs_per_item,
        );
    }
    if let Some((rate, attempts)) = contention {
        println!();
        println!(
            "W7 app-level transactions, 16 tasks on one item: {rate:.0} commits/s, {attempts:.2} attempts per commit"
        );
    }
    mapper.delete_table::<Reading>().await?;
    raw_tables.delete_table::<Reading>().await?;
    Ok(())
}
