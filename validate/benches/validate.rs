//! Validation cost per item, against the targets of the validate issue.
//!
//! Items: `{episode: int 1..=4, map: int 1..=9, name: str of length 1..=64,
//! cheats: set of strings matching ^id[a-z]+$, rating: number in [0, 10]}`,
//! all keys required, extra keys forbidden. Valid items, and invalid items
//! with exactly two errors (a bad cheat, rating out of range); 100,000
//! distinct items ("cold") and the same 64 items repeated ("hot").
//!
//! Run: `cargo bench -p validate`. Criterion's statistics come first, then a
//! summary table with the targets.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use validate::{Number, Schema, Set, Value, int, number, set_of, str};

const COLD: usize = 100_000;
const HOT: usize = 64;

fn schema() -> Schema {
    Schema::new()
        .required("episode", int().range(1..=4))
        .required("map", int().range(1..=9))
        .required("name", str().length(1..=64))
        .required("cheats", set_of(str().matches(r"^id[a-z]+$")))
        .required("rating", number().range(0..=10))
}

/// A small deterministic generator, so runs compare.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
    fn word(&mut self, len: u64) -> String {
        (0..len)
            .map(|_| char::from(b'a' + self.next(26) as u8))
            .collect()
    }
}

fn item(rng: &mut Lcg, valid: bool) -> Value {
    let name_len = 1 + rng.next(64);
    let mut cheats: Vec<String> = (0..3)
        .map(|_| {
            let len = 3 + rng.next(6);
            format!("id{}", rng.word(len))
        })
        .collect();
    let rating: Number = if valid {
        format!("{}.{}", rng.next(10), rng.next(10))
            .parse()
            .expect("valid literal")
    } else {
        cheats[1] = format!("ID{}", rng.word(4));
        format!("1{}.{}", 1 + rng.next(8), rng.next(10))
            .parse()
            .expect("valid literal")
    };
    [
        ("episode", Value::from(1 + rng.next(4))),
        ("map", Value::from(1 + rng.next(9))),
        ("name", Value::from(rng.word(name_len))),
        (
            "cheats",
            Value::StringSet(cheats.into_iter().collect::<Set<String>>()),
        ),
        ("rating", Value::Number(rating)),
    ]
    .into_iter()
    .collect()
}

fn items(count: usize, valid: bool, seed: u64) -> Vec<Value> {
    let mut rng = Lcg(seed);
    (0..count).map(|_| item(&mut rng, valid)).collect()
}

/// Validates `iters` items cycling through `pool` with
/// `Schema::validate_in_place` (what the mapper calls), timing only the
/// validation and its report: the copies it normalizes are made before the
/// clock starts and dropped after it stops.
fn timed(schema: &Schema, pool: &[Value], iters: u64, expect_errors: usize) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters as usize;
    while left > 0 {
        let n = left.min(pool.len());
        let mut batch: Vec<Value> = pool[..n].to_vec();
        let mut errors = 0;
        let start = Instant::now();
        for value in &mut batch {
            // The report is read and dropped inside the clock: producing
            // it is part of the cost of an invalid item.
            if let Err(report) = schema.validate_in_place(black_box(value)) {
                errors += black_box(report).len();
            }
        }
        total += start.elapsed();
        assert_eq!(errors, n * expect_errors);
        drop(batch);
        left -= n;
    }
    total
}

struct Workload {
    name: &'static str,
    pool: Vec<Value>,
    errors: usize,
    target_ns: f64,
}

fn main() {
    let schema = schema();
    let valid = items(COLD, true, 7);
    let invalid = items(COLD, false, 11);
    let workloads = [
        Workload {
            name: "valid/cold",
            pool: valid.clone(),
            errors: 0,
            target_ns: 250.0,
        },
        Workload {
            name: "valid/hot",
            pool: valid[..HOT].to_vec(),
            errors: 0,
            target_ns: 90.0,
        },
        Workload {
            name: "invalid/cold",
            pool: invalid.clone(),
            errors: 2,
            target_ns: 350.0,
        },
        Workload {
            name: "invalid/hot",
            pool: invalid[..HOT].to_vec(),
            errors: 2,
            target_ns: 200.0,
        },
    ];

    let mut criterion = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(4));
    for w in &workloads {
        criterion.bench_function(w.name, |b| {
            b.iter_custom(|iters| timed(&schema, &w.pool, iters, w.errors))
        });
    }

    println!("\nsummary (ns per item; median of 15 runs of 200,000 items)");
    println!(
        "{:<14} {:>9} {:>9}  verdict",
        "workload", "measured", "target"
    );
    for w in &workloads {
        let mut runs: Vec<f64> = (0..15)
            .map(|_| timed(&schema, &w.pool, 200_000, w.errors).as_nanos() as f64 / 200_000.0)
            .collect();
        runs.sort_by(f64::total_cmp);
        let median = runs[runs.len() / 2];
        let verdict = if median <= w.target_ns {
            "meets"
        } else {
            "MISSES"
        };
        println!(
            "{:<14} {:>9.1} {:>9.1}  {verdict}",
            w.name, median, w.target_ns
        );
    }
}
