//! Datetimes other mappers wrote, both ways, against DynamoDB Local: for
//! each stored form, an item written raw in that exact text is loaded,
//! found by key (the datetime is the range key), queried by range and
//! saved back in the same text; and what the mapper writes is byte-exact
//! that form.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Model, RangeCondition};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use time::OffsetDateTime;
use time::macros::datetime;
use validate::{DateFormat, Schema, Value, str};

type TestResult = Result<(), SetupError>;

/// An event keyed by owner and time, the time stored as `$format`.
macro_rules! event {
    ($name:ident, $table:literal, $format:expr, $with:literal) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct $name {
            owner: String,
            #[serde(with = $with)]
            at: OffsetDateTime,
            note: String,
        }

        impl Model for $name {
            const TABLE: &'static str = $table;
            const HASH_KEY: &'static str = "owner";
            const RANGE_KEY: Option<&'static str> = Some("at");

            fn schema() -> Schema {
                Schema::new()
                    .required("owner", str())
                    .required("at", validate::datetime().stored_as($format))
                    .required("note", str())
            }
        }

        impl Event for $name {
            fn new(owner: &str, at: OffsetDateTime, note: &str) -> Self {
                $name {
                    owner: owner.into(),
                    at,
                    note: note.into(),
                }
            }
            fn at(&self) -> OffsetDateTime {
                self.at
            }
            fn note_mut(&mut self) -> &mut String {
                &mut self.note
            }
        }
    };
}

trait Event: Model + Clone {
    fn new(owner: &str, at: OffsetDateTime, note: &str) -> Self;
    fn at(&self) -> OffsetDateTime;
    fn note_mut(&mut self) -> &mut String;
}

event!(
    Nanos,
    "nanos",
    DateFormat::Rfc3339Nanos,
    "validate::datetime"
);
event!(
    Micros,
    "micros",
    DateFormat::Rfc3339Micros,
    "validate::datetime"
);
event!(
    Seed,
    "seed",
    DateFormat::DynamodbMapper,
    "validate::datetime"
);
event!(Pynamo, "pynamo", DateFormat::PynamoDb, "validate::datetime");
event!(
    Seconds,
    "seconds",
    DateFormat::EpochSeconds,
    "validate::datetime::epoch_seconds"
);
event!(
    Millis,
    "millis",
    DateFormat::EpochMillis,
    "validate::datetime::epoch_millis"
);

const INSTANT: OffsetDateTime = datetime!(2012-05-31 12:00:00.000042 UTC);

async fn raw_item(
    db: &TestDb,
    table: &str,
    at: &AttributeValue,
) -> Result<HashMap<String, AttributeValue>, SetupError> {
    let out = db
        .client()
        .get_item()
        .table_name(table)
        .key("owner", AttributeValue::S("ann".into()))
        .key("at", at.clone())
        .consistent_read(true)
        .send()
        .await?;
    Ok(out.item.ok_or("not stored under that exact key")?)
}

/// The whole round for one form: `stored` is its exact text (or number).
async fn round_trip<T: Event>(stored: AttributeValue) -> TestResult {
    let db = TestDb::with_table::<T>().await?;
    let table = db.table::<T>();
    // Another mapper wrote this item.
    db.client()
        .put_item()
        .table_name(&table)
        .item("owner", AttributeValue::S("ann".into()))
        .item("at", stored.clone())
        .item("note", AttributeValue::S("written raw".into()))
        .send()
        .await?;
    // Found by key, the key given in any form.
    let key_text = Value::from("2012-05-31T14:00:00.000042+02:00");
    let mut item = db.mapper.get::<T>(("ann", key_text)).await?;
    assert_eq!(item.at(), INSTANT);
    let got = db
        .mapper
        .batch_get::<T, _>([("ann", Value::from("2012-05-31T12:00:00.000042+0000"))])
        .await?;
    assert_eq!((got.items.len(), got.missing.len()), (1, 0));
    // Queried by a range on the datetime.
    let range = RangeCondition::between(
        Value::from("2012-05-31T11:59:59Z"),
        Value::from("2012-05-31T12:00:01Z"),
    );
    let found = db.mapper.query::<T>("ann").range(range).all().await?;
    assert_eq!(found.len(), 1);
    let outside = RangeCondition::gt(Value::from("2012-05-31T12:00:01Z"));
    assert!(
        db.mapper
            .query::<T>("ann")
            .range(outside)
            .all()
            .await?
            .is_empty()
    );
    // Saved back: the datetime keeps its exact stored text.
    *item.note_mut() = "changed".into();
    db.mapper.save(&mut item).await?;
    let back = raw_item(&db, &table, &stored).await?;
    assert_eq!(back.get("at"), Some(&stored));
    assert_eq!(back.get("note"), Some(&AttributeValue::S("changed".into())));
    // What the mapper writes is that form, byte for byte.
    let later = INSTANT + time::Duration::seconds(1);
    db.mapper.put(&T::new("ann", later, "new")).await?;
    let items = db
        .client()
        .query()
        .table_name(&table)
        .key_condition_expression("#o = :o")
        .expression_attribute_names("#o", "owner")
        .expression_attribute_values(":o", AttributeValue::S("ann".into()))
        .consistent_read(true)
        .send()
        .await?
        .items
        .unwrap_or_default();
    let written: Vec<&AttributeValue> = items.iter().filter_map(|i| i.get("at")).collect();
    assert_eq!(written.len(), 2);
    assert_eq!(written[0], &stored, "sorted in time order");
    let loaded = db
        .mapper
        .get::<T>(("ann", Value::from("2012-05-31T12:00:01.000042Z")))
        .await?;
    assert_eq!(loaded.at(), later);
    Ok(())
}

fn text(s: &str) -> AttributeValue {
    AttributeValue::S(s.to_owned())
}

fn number(n: &str) -> AttributeValue {
    AttributeValue::N(n.to_owned())
}

#[tokio::test]
async fn rfc3339_nanoseconds_the_default() -> TestResult {
    round_trip::<Nanos>(text("2012-05-31T12:00:00.000042000Z")).await
}

#[tokio::test]
async fn rfc3339_microseconds() -> TestResult {
    round_trip::<Micros>(text("2012-05-31T12:00:00.000042Z")).await
}

#[tokio::test]
async fn dynamodb_mapper_1_8s_form() -> TestResult {
    round_trip::<Seed>(text("2012-05-31T12:00:00.000042+00:00")).await
}

#[tokio::test]
async fn pynamodbs_utc_datetime_form() -> TestResult {
    round_trip::<Pynamo>(text("2012-05-31T12:00:00.000042+0000")).await
}

#[tokio::test]
async fn epoch_seconds() -> TestResult {
    round_trip::<Seconds>(number("1338465600.000042")).await
}

#[tokio::test]
async fn epoch_milliseconds() -> TestResult {
    round_trip::<Millis>(number("1338465600000.042")).await
}

#[tokio::test]
async fn a_naive_key_text_is_read_as_utc() -> TestResult {
    let db = TestDb::with_table::<Seed>().await?;
    db.client()
        .put_item()
        .table_name(db.table::<Seed>())
        .item("owner", text("ann"))
        .item("at", text("2012-05-31T12:00:00.000042+00:00"))
        .item("note", text("x"))
        .send()
        .await?;
    let naive = Value::from("2012-05-31T12:00:00.000042");
    let item = db.mapper.get::<Seed>(("ann", naive)).await?;
    assert_eq!(item.at, INSTANT);
    Ok(())
}

/// A TTL-style field declared with the serde helper alone: the derive
/// infers the stored form from it (regression: it stored RFC 3339 text,
/// which DynamoDB's TTL never reads).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "session")]
struct Session {
    #[model(hash_key)]
    id: String,
    #[serde(with = "validate::datetime::epoch_seconds")]
    expires: OffsetDateTime,
    #[serde(with = "validate::datetime::epoch_millis")]
    seen: OffsetDateTime,
    #[serde(
        with = "validate::datetime::epoch_seconds::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    renewed: Option<OffsetDateTime>,
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    noted: Option<OffsetDateTime>,
}

#[tokio::test]
async fn an_epoch_serde_helper_alone_stores_a_number() -> TestResult {
    let db = TestDb::with_table::<Session>().await?;
    let session = Session {
        id: "s".into(),
        expires: datetime!(2026-12-07 12:00:00 UTC),
        seen: INSTANT,
        renewed: Some(datetime!(2026-12-08 00:00:00 UTC)),
        noted: Some(INSTANT),
    };
    db.mapper.put(&session).await?;
    let stored = db
        .client()
        .get_item()
        .table_name(db.table::<Session>())
        .key("id", text("s"))
        .send()
        .await?
        .item
        .ok_or("not stored")?;
    assert_eq!(stored.get("expires"), Some(&number("1796644800")));
    assert_eq!(stored.get("seen"), Some(&number("1338465600000.042")));
    // Optional datetimes through the helpers' `option` modules.
    assert_eq!(stored.get("renewed"), Some(&number("1796688000")));
    assert_eq!(
        stored.get("noted"),
        Some(&text("2012-05-31T12:00:00.000042000Z"))
    );
    let loaded = db.mapper.get::<Session>("s").await?;
    assert_eq!(loaded.into_inner(), session);
    let bare = Session {
        id: "t".into(),
        renewed: None,
        noted: None,
        ..session
    };
    db.mapper.put(&bare).await?;
    assert_eq!(db.mapper.get::<Session>("t").await?.into_inner(), bare);
    Ok(())
}
