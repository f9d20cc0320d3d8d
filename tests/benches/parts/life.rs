//! The item's life against the same item without it: W11 (`put`) and
//! W12 (`get`) of a model with a TTL attribute, `created_at`,
//! `updated_at` and no-op hooks, against the same fields held as plain
//! datetimes (the "raw" column here is the plain model, through the
//! mapper); W0s, without a server: a stream record decoded
//! (`decode_stream_record`, as the change reader does) against a `get`'s
//! decode of the same item (`from_attributes`).

use aws_sdk_dynamodbstreams::types as streams;
use time::OffsetDateTime;
use validate::{DateFormat, datetime};

use super::*;

/// [`Reading`]'s fields and three datetimes: an expiry time (whole epoch
/// seconds) and creation and change times (RFC 3339 text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Lived {
    device: i64,
    at: i64,
    label: String,
    tags: BTreeSet<String>,
    value: f64,
    notes: Vec<String>,
    meta: Meta,
    #[serde(with = "validate::datetime::epoch_whole_seconds")]
    expires: OffsetDateTime,
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    created: Option<OffsetDateTime>,
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    updated: Option<OffsetDateTime>,
}

/// [`Reading`]'s schema and the three datetimes.
fn lived_schema() -> Schema {
    Reading::schema()
        .required(
            "expires",
            datetime().stored_as(DateFormat::EpochWholeSeconds),
        )
        .optional("created", datetime())
        .optional("updated", datetime())
}

/// The plain model: the same fields, no roles.
impl Model for Lived {
    const TABLE: &'static str = "lived";
    const HASH_KEY: &'static str = "device";
    const RANGE_KEY: Option<&'static str> = Some("at");

    fn schema() -> Schema {
        lived_schema()
    }
}

/// The times a plain item is written with: what the mapper would set.
fn lived(reading: Reading, stamped: bool) -> Lived {
    let now = OffsetDateTime::now_utc();
    Lived {
        device: reading.device,
        at: reading.at,
        label: reading.label,
        tags: reading.tags,
        value: reading.value,
        notes: reading.notes,
        meta: reading.meta,
        expires: now + time::Duration::days(1),
        created: stamped.then_some(now),
        updated: stamped.then_some(now),
    }
}

impl Bench for Lived {
    fn wrap(reading: Reading) -> Self {
        lived(reading, true)
    }
    fn at(&self) -> i64 {
        self.at
    }
}

/// The same item with the roles: TTL (reads check it), `created_at` and
/// `updated_at` (the mapper sets them; a put keeps a stored `created_at`
/// by its condition), and hooks that do nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct LivedRoles(Lived);

impl Model for LivedRoles {
    const TABLE: &'static str = Lived::TABLE;
    const HASH_KEY: &'static str = Lived::HASH_KEY;
    const RANGE_KEY: Option<&'static str> = Lived::RANGE_KEY;
    const TTL: Option<&'static str> = Some("expires");
    const CREATED_AT: Option<&'static str> = Some("created");
    const UPDATED_AT: Option<&'static str> = Some("updated");

    fn schema() -> Schema {
        lived_schema()
    }

    fn before_save(&self) -> Result<(), Errors> {
        Ok(())
    }

    fn after_load(&mut self) {}
}

impl Bench for LivedRoles {
    fn wrap(reading: Reading) -> Self {
        LivedRoles(lived(reading, false))
    }
    fn at(&self) -> i64 {
        self.0.at
    }
}

/// W11 and W12 rows.
pub(super) async fn rows(
    mapper: &Mapper,
    singles: i64,
    rounds: usize,
    wanted: impl Fn(&str) -> bool,
    rows: &mut Vec<Row>,
) -> Result<(), Error> {
    if !wanted("W11") && !wanted("W12") {
        return Ok(());
    }
    // One table (TTL on, from the model with the role).
    mapper
        .create_table::<LivedRoles>(Throughput::OnDemand)
        .await?;
    puts_mapper::<Lived>(mapper, 5998, 0..200, 8, false).await?;
    puts_mapper::<LivedRoles>(mapper, 5999, 0..200, 8, false).await?;
    if wanted("W11") {
        let measured = sliced(
            rounds,
            |k| puts_mapper::<Lived>(mapper, 5000, part(singles, k), 16, false),
            |k| puts_mapper::<LivedRoles>(mapper, 5001, part(singles, k), 16, false),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W11 put ×{singles} c16, TTL + created_at + updated_at + no-op hooks (vs the same fields plain)"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }
    if wanted("W12") {
        puts_mapper::<Lived>(mapper, 5002, 0..singles, 16, false).await?;
        puts_mapper::<LivedRoles>(mapper, 5003, 0..singles, 16, false).await?;
        let measured = sliced(
            rounds,
            |k| gets_mapper::<Lived>(mapper, 5002, part(singles, k), 16),
            |k| gets_mapper::<LivedRoles>(mapper, 5003, part(singles, k), 16),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W12 get ×{singles} c16, TTL + created_at + updated_at + no-op hooks (vs the same fields plain)"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }
    mapper.delete_table::<LivedRoles>().await?;
    Ok(())
}

/// An attribute as the Streams API carries it.
fn stream_value(value: &AttributeValue) -> streams::AttributeValue {
    match value {
        AttributeValue::S(s) => streams::AttributeValue::S(s.clone()),
        AttributeValue::N(n) => streams::AttributeValue::N(n.clone()),
        AttributeValue::Ss(s) => streams::AttributeValue::Ss(s.clone()),
        AttributeValue::L(l) => streams::AttributeValue::L(l.iter().map(stream_value).collect()),
        AttributeValue::M(m) => streams::AttributeValue::M(
            m.iter()
                .map(|(k, v)| (k.clone(), stream_value(v)))
                .collect(),
        ),
        _ => streams::AttributeValue::Null(true),
    }
}

/// W0s, `rounds` times in slices as W0: a `get`'s decode of `n` stored
/// items ("raw" column) against the decode of the stream records that
/// carry them as new images.
pub(super) fn stream_decoding(mapper: &Mapper, n: usize, rounds: usize) -> Result<Measured, Error> {
    let per = (n / SLICES).max(1);
    let stored = (0..per as i64)
        .map(|i| mapper.to_attributes(&Lived::wrap(reading(i % 20, i))))
        .collect::<Result<Vec<_>, _>>()?;
    let records: Vec<streams::Record> = stored
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let image = item
                .iter()
                .map(|(k, v)| (k.clone(), stream_value(v)))
                .collect();
            let keys = ["device", "at"]
                .iter()
                .filter_map(|k| Some(((*k).to_owned(), stream_value(item.get(*k)?))))
                .collect();
            streams::Record::builder()
                .event_name(streams::OperationType::Insert)
                .dynamodb(
                    streams::StreamRecord::builder()
                        .set_keys(Some(keys))
                        .set_new_image(Some(image))
                        .sequence_number(format!("{i:021}"))
                        .build(),
                )
                .build()
        })
        .collect();
    let gets = || -> Result<usize, Error> {
        for item in &stored {
            std::hint::black_box(mapper.from_attributes::<LivedRoles>(item.clone())?);
        }
        Ok(stored.len())
    };
    let decodes = || -> Result<usize, Error> {
        for record in &records {
            let change = mapper.decode_stream_record::<LivedRoles>(record)?;
            std::hint::black_box(change.new.ok_or("no new image")?);
        }
        Ok(records.len())
    };
    let (mut raw, mut mapped) = (Tally::default(), Tally::default());
    for round in 0..rounds.max(1) {
        for slice in 0..SLICES {
            if (round + slice) % 2 == 0 {
                raw.add(gets)?;
                mapped.add(decodes)?;
            } else {
                mapped.add(decodes)?;
                raw.add(gets)?;
            }
        }
    }
    Ok(Measured::of(&raw, &mapped))
}

/// W11r: what an `UpdateItem` that sets a whole item costs against a
/// `PutItem` of it, both by hand with the raw client (the share of W11's
/// ratio that is the operation's, not the mapper's): every attribute but
/// the key set through placeholders, as the mapper's upsert does.
pub(super) async fn raw_upsert_rows(
    client: &Client,
    table: &str,
    singles: i64,
    rounds: usize,
    rows: &mut Vec<Row>,
) -> Result<(), Error> {
    let measured = sliced(
        rounds,
        |k| puts_raw(client, table, 5100, part(singles, k), 16),
        |k| upserts_raw(client, table, 5101, part(singles, k), 16),
    )
    .await?;
    rows.push(
        Row::new(
            format!("W11r raw UpdateItem setting the whole item ×{singles} c16 (vs raw PutItem)"),
            measured,
            f64::INFINITY,
        )
        .at(16),
    );
    Ok(())
}

async fn upserts_raw(
    client: &Client,
    table: &str,
    device: i64,
    ats: Range<i64>,
    conc: usize,
) -> Result<usize, Error> {
    let n = ats.end - ats.start;
    stream::iter(ats)
        .map(|at| {
            let mut item = raw_to(&reading(device, at));
            let mut key = HashMap::new();
            for k in ["device", "at"] {
                if let Some(v) = item.remove(k) {
                    key.insert(k.to_owned(), v);
                }
            }
            let mut names = HashMap::new();
            let mut values = HashMap::new();
            let mut sets = Vec::new();
            for (i, (name, value)) in item.into_iter().enumerate() {
                names.insert(format!("#n{i}"), name);
                values.insert(format!(":v{i}"), value);
                sets.push(format!("#n{i} = :v{i}"));
            }
            let request = client
                .update_item()
                .table_name(table)
                .set_key(Some(key))
                .update_expression(format!("SET {}", sets.join(", ")))
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values));
            async move { request.send().await.map(|_| ()) }
        })
        .buffer_unordered(conc)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(n as usize)
}
