//! Single-table design against doing it by hand: W13 (`put`), W13c
//! (`create`), W14 (`get`)
//! and W15 (`query`) of [`Reading`] as an entity type whose keys are built
//! from templates (`pk = "DEVICE#{device}"`, `sk = "AT#{at:8}"`) in a
//! shared table, against a plain model that stores the same attributes,
//! its keys and entity type fields the application fills ([`HandKeyed`];
//! the "raw" column here is that model, through the mapper); W16, a
//! collection query (readings and a note per partition, each item routed
//! by its entity type) against the raw SDK's query and a hand-written
//! decode of the same items.

use mapper::model::KeyTemplate;
use mapper::{Key, Model};

use super::*;

/// [`Reading`] as an entity type sharing a table, its keys built from
/// its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Shared(Reading);

impl Model for Shared {
    const TABLE: &'static str = "shared";
    const HASH_KEY: &'static str = "pk";
    const RANGE_KEY: Option<&'static str> = Some("sk");
    const ENTITY: Option<&'static str> = Some("reading");
    const KEYS: &'static [KeyTemplate] = &[
        KeyTemplate {
            attribute: "pk",
            template: "DEVICE#{device}",
        },
        KeyTemplate {
            attribute: "sk",
            template: "AT#{at:8}",
        },
    ];

    fn schema() -> Schema {
        Reading::schema()
    }
}

impl Bench for Shared {
    fn wrap(reading: Reading) -> Self {
        Shared(reading)
    }
    fn at(&self) -> i64 {
        self.0.at
    }
    fn key_of(device: i64, at: i64) -> Key {
        Key {
            hash: Value::from(format!("DEVICE#{device:020}")),
            range: Some(Value::from(format!("AT#{at:08}"))),
        }
    }
}

/// The same stored item by hand: a plain model whose key and entity
/// attributes are fields the application fills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct HandKeyed {
    pk: String,
    sk: String,
    #[serde(rename = "_et")]
    et: String,
    device: i64,
    at: i64,
    label: String,
    tags: BTreeSet<String>,
    value: f64,
    notes: Vec<String>,
    meta: Meta,
}

impl Model for HandKeyed {
    const TABLE: &'static str = "hand_keyed";
    const HASH_KEY: &'static str = "pk";
    const RANGE_KEY: Option<&'static str> = Some("sk");

    fn schema() -> Schema {
        Reading::schema()
            .required("pk", str())
            .required("sk", str())
            .required("_et", str())
    }
}

impl Bench for HandKeyed {
    fn wrap(r: Reading) -> Self {
        HandKeyed {
            pk: format!("DEVICE#{:020}", r.device),
            sk: format!("AT#{:08}", r.at),
            et: "reading".to_owned(),
            device: r.device,
            at: r.at,
            label: r.label,
            tags: r.tags,
            value: r.value,
            notes: r.notes,
            meta: r.meta,
        }
    }
    fn at(&self) -> i64 {
        self.at
    }
    fn key_of(device: i64, at: i64) -> Key {
        Shared::key_of(device, at)
    }
}

/// Another entity type in a device's partition: a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Note {
    device: i64,
    text: String,
}

impl Model for Note {
    const TABLE: &'static str = Shared::TABLE;
    const HASH_KEY: &'static str = "pk";
    const RANGE_KEY: Option<&'static str> = Some("sk");
    const ENTITY: Option<&'static str> = Some("note");
    const KEYS: &'static [KeyTemplate] = &[
        KeyTemplate {
            attribute: "pk",
            template: "DEVICE#{device}",
        },
        KeyTemplate {
            attribute: "sk",
            template: "NOTE#{device}",
        },
    ];

    fn schema() -> Schema {
        Schema::new()
            .required("device", int().range(0..))
            .required("text", str().length(1..=200))
    }
}

/// A device's partition, read as typed items.
#[derive(Debug, mapper::Collection)]
pub(super) enum DevicePage {
    Reading(Shared),
    Note(Note),
}

/// What the hand-written decode of a partition gives.
enum RawEntry {
    Reading(Reading),
    Note(Note),
}

/// The hand-written decode of a shared table's item: routed by `_et`.
fn raw_entry(item: &Attrs) -> Option<RawEntry> {
    match item.get("_et")?.as_s().ok()?.as_str() {
        "reading" => raw_from(item).map(RawEntry::Reading),
        "note" => Some(RawEntry::Note(Note {
            device: item.get("device")?.as_n().ok()?.parse().ok()?,
            text: item.get("text")?.as_s().ok()?.clone(),
        })),
        _ => None,
    }
}

/// The collection query of `devices`: each partition's readings and note.
async fn collections(mapper: &Mapper, devices: Range<i64>) -> Result<usize, Error> {
    let mut total = 0;
    for device in devices {
        let mut items = Box::pin(
            mapper
                .query_collection::<DevicePage>(format!("DEVICE#{device:020}"))
                .stream(),
        );
        while let Some(item) = items.next().await {
            match item? {
                DevicePage::Reading(r) if r.0.device == device => total += 1,
                DevicePage::Note(n) if n.device == device => total += 1,
                _ => return Err("an item of another partition".into()),
            }
        }
    }
    Ok(total)
}

/// The raw SDK's query of the same partitions, decoded by hand.
async fn collections_raw(
    client: &Client,
    table: &str,
    devices: Range<i64>,
) -> Result<usize, Error> {
    let mut total = 0;
    for device in devices {
        let mut start = None;
        loop {
            let out = client
                .query()
                .table_name(table)
                .key_condition_expression("#p = :p")
                .expression_attribute_names("#p", "pk")
                .expression_attribute_values(
                    ":p",
                    AttributeValue::S(format!("DEVICE#{device:020}")),
                )
                .set_exclusive_start_key(start)
                .send()
                .await?;
            for item in out.items() {
                match raw_entry(item).ok_or("raw decode failed")? {
                    RawEntry::Reading(r) if r.device == device => total += 1,
                    RawEntry::Note(n) if n.device == device => total += 1,
                    _ => return Err("an item of another partition".into()),
                }
            }
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
    }
    Ok(total)
}

/// W13, W14, W15 and W16 rows.
pub(super) async fn rows(
    mapper: &Mapper,
    client: &Client,
    singles: i64,
    rounds: usize,
    wanted: impl Fn(&str) -> bool,
    rows: &mut Vec<Row>,
) -> Result<(), Error> {
    if !["W13", "W13c", "W14", "W15", "W16"]
        .iter()
        .any(|w| wanted(w))
    {
        return Ok(());
    }
    mapper
        .create_shared_table::<(Shared, Note)>(Throughput::OnDemand)
        .await?;
    mapper
        .create_table::<HandKeyed>(Throughput::OnDemand)
        .await?;
    // Warm both paths.
    puts_mapper::<HandKeyed>(mapper, 6998, 0..200, 8, false).await?;
    puts_mapper::<Shared>(mapper, 6998, 0..200, 8, false).await?;
    if wanted("W13") {
        let measured = sliced(
            rounds,
            |k| puts_mapper::<HandKeyed>(mapper, 6000, part(singles, k), 16, false),
            |k| puts_mapper::<Shared>(mapper, 6000, part(singles, k), 16, false),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W13 put ×{singles} c16, an entity with key templates in a shared table (vs the same item keyed by hand)"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }
    if wanted("W13c") {
        // A fresh device each call: every round creates new keys.
        let fresh = std::sync::atomic::AtomicI64::new(7000);
        let device = || fresh.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let measured = sliced(
            rounds,
            |k| creates_mapper::<HandKeyed>(mapper, device(), part(singles, k), 16),
            |k| creates_mapper::<Shared>(mapper, device(), part(singles, k), 16),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W13c create ×{singles} c16, an entity with key templates in a shared table (vs the same item keyed by hand)"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }
    if wanted("W14") {
        puts_mapper::<HandKeyed>(mapper, 6001, 0..singles, 16, false).await?;
        puts_mapper::<Shared>(mapper, 6001, 0..singles, 16, false).await?;
        let measured = sliced(
            rounds,
            |k| gets_mapper::<HandKeyed>(mapper, 6001, part(singles, k), 16),
            |k| gets_mapper::<Shared>(mapper, 6001, part(singles, k), 16),
        )
        .await?;
        rows.push(
            Row::new(
                format!("W14 get ×{singles} c16, an entity with key templates in a shared table (vs the same item keyed by hand)"),
                measured,
                NETWORKED,
            )
            .at(16),
        );
    }
    // 20 partitions of `per` readings each (devices 6100..6120), and a
    // note in each partition of the shared table.
    let per = (singles / 20).max(1);
    if wanted("W15") || wanted("W16") {
        for device in 6100..6120 {
            puts_mapper::<HandKeyed>(mapper, device, 0..per, 16, false).await?;
            puts_mapper::<Shared>(mapper, device, 0..per, 16, false).await?;
            mapper
                .put_only(&Note {
                    device,
                    text: "calibrated".into(),
                })
                .await?;
        }
    }
    let devices = |k: usize| {
        let at = part(20, k);
        6100 + at.start..6100 + at.end
    };
    if wanted("W15") {
        let measured = sliced(
            rounds,
            |k| query_mapper::<HandKeyed>(mapper, devices(k)),
            |k| query_mapper::<Shared>(mapper, devices(k)),
        )
        .await?;
        rows.push(Row::new(
            format!(
                "W15 query {} items, an entity in a shared table (vs the same item keyed by hand)",
                per * 20
            ),
            measured,
            NETWORKED,
        ));
    }
    if wanted("W16") {
        let table = mapper.table_name::<Shared>();
        let measured = sliced(
            rounds,
            |k| collections_raw(client, &table, devices(k)),
            |k| collections(mapper, devices(k)),
        )
        .await?;
        rows.push(Row::new(
            format!(
                "W16 collection query {} items of two entity types (vs raw query + hand decode)",
                (per + 1) * 20
            ),
            measured,
            NETWORKED,
        ));
    }
    mapper.delete_table::<Shared>().await?;
    mapper.delete_table::<HandKeyed>().await?;
    Ok(())
}
