//! The datetime parser and writer never panic, on any text or instant:
//! stored data and user input reach them unchecked. A fuzz of
//! `DATETIME_FUZZ_CASES` inputs (default 1,000,000; each read in every
//! form and written back), drawn around the shapes that broke them:
//! multi-byte characters where the parser cuts, years at 0000 and 9999
//! with offsets that cross them, every separator and offset spelling.

use time::{OffsetDateTime, UtcOffset};
use validate::{DateFormat, Value, datetime};

const FORMATS: [DateFormat; 6] = [
    DateFormat::Rfc3339Nanos,
    DateFormat::Rfc3339Micros,
    DateFormat::DynamodbMapper,
    DateFormat::PynamoDb,
    DateFormat::EpochSeconds,
    DateFormat::EpochMillis,
];

/// splitmix64: deterministic, so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const SEEDS: [&str; 12] = [
    "2012-05-31T12:00:00.000042+00:00",
    "1993-12-10T12:00:00.000042+0000",
    "2012-05-31T12:00:00",
    "2012-05-31T12:00:00.000042",
    "9999-12-31T23:30:00-01:00",
    "9999-12-31T23:59:59.999999999-23:59",
    "0000-01-01T00:00:00+23:59",
    "0000-01-01T00:30:00+0100",
    "2026-11-24T07:30:00.000000000Z",
    "2012-05-31t12:00:00z",
    "1338465600.000042",
    "-1e30",
];

const PIECES: [&str; 24] = [
    "é",
    "日",
    "🦀",
    "\u{0}",
    "+",
    "-",
    ":",
    ".",
    "T",
    "Z",
    "z",
    " ",
    "0",
    "9",
    "99",
    "+0000",
    "-2359",
    "+23:59",
    "-01:00",
    "00042",
    "ß",
    "\u{301}",
    "123456789012",
    "",
];

/// A text near the parser's edges: a seed cut, spliced and mutated.
fn text(rng: &mut Rng) -> String {
    let mut s: String = rng.pick(&SEEDS).to_owned();
    for _ in 0..=rng.below(4) {
        let at = {
            let mut at = rng.below(s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match rng.below(5) {
            0 => s.insert_str(at, rng.pick(&PIECES)),
            1 => {
                // Replace the character at `at` (if any).
                if let Some(c) = s[at..].chars().next() {
                    s.replace_range(at..at + c.len_utf8(), rng.pick(&PIECES));
                }
            }
            2 => s.truncate(at),
            3 => s.push_str(rng.pick(&PIECES)),
            _ => {
                let digit = char::from(b'0' + (rng.below(10) as u8));
                if let Some(c) = s[at..].chars().next() {
                    s.replace_range(at..at + c.len_utf8(), digit.encode_utf8(&mut [0; 4]));
                }
            }
        }
    }
    s
}

/// An instant anywhere `time` can hold, at any offset.
fn instant(rng: &mut Rng) -> Option<OffsetDateTime> {
    let min = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT).unix_timestamp();
    let max = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT).unix_timestamp();
    let edges = [
        253_402_300_799, // 9999-12-31T23:59:59Z
        -62_167_219_200, // 0000-01-01T00:00:00Z
        0,
        min,
        max,
    ];
    let base = edges[rng.below(edges.len())];
    let spread = [0i64, 1, 60, 3_600, 86_400, 1 << 40][rng.below(6)];
    let ts = base.saturating_add((rng.next() as i64) % spread.max(1));
    let at = OffsetDateTime::from_unix_timestamp(ts.clamp(min, max)).ok()?;
    let offset = UtcOffset::from_whole_seconds((rng.below(2 * 86_399) as i32) - 86_399).ok()?;
    at.checked_to_offset(offset)
}

#[test]
fn the_datetime_parser_and_writer_never_panic() {
    let cases: u64 = std::env::var("DATETIME_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let validators: Vec<_> = FORMATS.iter().map(|f| datetime().stored_as(*f)).collect();
    let mut rng = Rng(0x5EED);
    let mut read = 0u64;
    for case in 0..cases {
        let input = if rng.below(4) == 0 {
            instant(&mut rng).map(|at| at.to_string())
        } else {
            Some(text(&mut rng))
        };
        if let Some(input) = input {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut ok = 0;
                for (format, validator) in FORMATS.iter().zip(&validators) {
                    if let Ok(at) = format.read(&Value::from(input.as_str())) {
                        ok += 1;
                        let _ = format.write(at);
                    }
                    let _ = validator.validate(Value::from(input.as_str()));
                }
                ok
            }));
            match outcome {
                Ok(n) => read += n,
                Err(_) => panic!("case {case}: {input:?} panicked"),
            }
        }
        if let Some(at) = instant(&mut rng) {
            for format in FORMATS {
                let outcome = std::panic::catch_unwind(|| {
                    if let Ok(stored) = format.write(at) {
                        // What was written reads back as the same instant
                        // (to the form's precision, so compared by second).
                        let back = format.read(&stored).map(|b| b.unix_timestamp());
                        assert_eq!(back, Ok(at.unix_timestamp()), "{format:?} {stored:?}");
                    }
                });
                assert!(
                    outcome.is_ok(),
                    "case {case}: writing {at} as {format:?} panicked"
                );
            }
        }
    }
    // The generator reaches valid datetimes too, not only garbage.
    assert!(read > cases / 20, "only {read} of {cases} inputs read");
}
