//! Typed paths against DynamoDB Local: the derive's `Order::STATUS` and
//! `Order::ITEMS.at(0).then(LineItem::QTY)` in updates, conditions and
//! filters, values of the field's own type (a `#[derive(Schema)]` enum, a
//! nested struct) stored as the save stores them, the schema still
//! judging every value; what is stored is read back with the raw client.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Error, Model, Schema, Update};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Schema)]
#[serde(rename_all = "snake_case")]
enum Status {
    Pending,
    Paid,
    Shipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Schema)]
struct LineItem {
    #[model(length = 1..=16)]
    sku: String,
    #[model(range = 1..=99)]
    qty: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "typed_orders",
    index(name = "by_status", hash = "status", range = "points")
)]
struct Order {
    #[model(hash_key)]
    id: String,
    status: Status,
    items: Vec<LineItem>,
    #[model(range = 0..)]
    points: i64,
    tags: BTreeSet<String>,
    weight: f64,
    note: Option<String>,
}

fn order(id: &str) -> Order {
    Order {
        id: id.into(),
        status: Status::Pending,
        items: vec![LineItem {
            sku: "SKU-1".into(),
            qty: 1,
        }],
        points: 0,
        tags: ["new".to_owned()].into(),
        weight: 1.5,
        note: None,
    }
}

async fn stored(db: &TestDb, id: &str) -> Result<HashMap<String, AttributeValue>, SetupError> {
    let out = db
        .client()
        .get_item()
        .table_name(db.table::<Order>())
        .key("id", AttributeValue::S(id.into()))
        .send()
        .await?;
    Ok(out.item().cloned().ok_or("no item stored")?)
}

#[tokio::test]
async fn typed_updates_and_conditions_store_what_the_save_stores() -> TestResult {
    let db = TestDb::with_table::<Order>().await?;
    db.mapper.put(&order("o1")).await?;
    let update = Update::new()
        .set(Order::STATUS, Status::Paid)
        .increment(Order::POINTS, 10)
        .set(Order::ITEMS.at(0).then(LineItem::QTY), 3)
        .set(Order::NOTE, "gift");
    let updated = db
        .mapper
        .update_if::<Order>("o1", &update, Order::STATUS.eq(Status::Pending))
        .await?;
    assert_eq!(updated.status, Status::Paid);
    let append = Update::new().list_append(
        Order::ITEMS,
        vec![LineItem {
            sku: "SKU-2".into(),
            qty: 2,
        }],
    );
    db.mapper.update::<Order>("o1", &append).await?;
    let raw = stored(&db, "o1").await?;
    assert_eq!(raw["status"], AttributeValue::S("paid".into()));
    assert_eq!(raw["points"], AttributeValue::N("10".into()));
    assert_eq!(raw["note"], AttributeValue::S("gift".into()));
    let items = raw["items"].as_l().map_err(|_| "items is no list")?;
    assert_eq!(items.len(), 2);
    let first = items[0].as_m().map_err(|_| "item is no map")?;
    assert_eq!(first["qty"], AttributeValue::N("3".into()));

    // The condition compares with the enum as stored: no longer pending.
    let err = db
        .mapper
        .update_if::<Order>(
            "o1",
            &Update::new().increment(Order::POINTS, 1),
            Order::STATUS.eq(Status::Pending),
        )
        .await
        .err()
        .ok_or("a failed condition was applied")?;
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err}");
    assert_eq!(
        stored(&db, "o1").await?["points"],
        AttributeValue::N("10".into())
    );

    // Filters take typed paths too.
    db.mapper.put(&order("o2")).await?;
    let paid = db
        .mapper
        .scan::<Order>()
        .filter(Order::STATUS.eq(Status::Paid).and(Order::POINTS.ge(10)))
        .all()
        .await?;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].id, "o1");
    let tagged = db
        .mapper
        .scan::<Order>()
        .filter(Order::ITEMS.at(0).then(LineItem::SKU).begins_with("SKU-"))
        .all()
        .await?;
    assert_eq!(tagged.len(), 2);
    // The index's typed handle takes the index's own hash key type.
    let pending = db
        .mapper
        .query_index(Order::BY_STATUS, Status::Pending)
        .all()
        .await?;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, "o2");
    assert_eq!(Order::BY_STATUS.name(), Some("by_status"));
    assert_eq!(Order::PRIMARY.name(), None);
    Ok(())
}

#[tokio::test]
async fn typed_values_are_still_judged_by_the_schema_and_nothing_is_sent() -> TestResult {
    let db = TestDb::with_table::<Order>().await?;
    db.mapper.put(&order("o1")).await?;
    let before = stored(&db, "o1").await?;
    // Out of the field's range: the schema refuses it, naming the path.
    let err = db
        .mapper
        .update::<Order>("o1", &Update::new().set(Order::POINTS, -5))
        .await
        .err()
        .ok_or("a value out of range was written")?;
    assert!(err.is_invalid(), "{err}");
    assert!(err.to_string().contains("points"), "{err}");
    // A nested value out of its range.
    let err = db
        .mapper
        .update::<Order>(
            "o1",
            &Update::new().set(Order::ITEMS.at(0).then(LineItem::QTY), 500),
        )
        .await
        .err()
        .ok_or("a nested value out of range was written")?;
    assert!(err.to_string().contains("items[0].qty"), "{err}");
    // A value with no DynamoDB form: refused before sending.
    let err = db
        .mapper
        .update::<Order>("o1", &Update::new().set(Order::WEIGHT, f64::NAN))
        .await
        .err()
        .ok_or("a NaN was written")?;
    assert!(matches!(err, Error::Convert { .. }), "{err}");
    let err = db
        .mapper
        .scan::<Order>()
        .filter(Order::WEIGHT.eq(f64::INFINITY))
        .all()
        .await
        .err()
        .ok_or("an infinite operand was sent")?;
    assert!(matches!(err, Error::Convert { .. }), "{err}");
    assert_eq!(stored(&db, "o1").await?, before);
    Ok(())
}

/// A table keyed by an enum of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "typed_counters")]
struct Tally {
    #[model(hash_key)]
    status: Status,
    count: i64,
}

#[tokio::test]
async fn a_schema_enum_is_a_value_and_a_key_part() -> TestResult {
    let db = TestDb::with_table::<Order>().await?;
    db.mapper.put(&order("o1")).await?;
    // A path given as text takes the enum as the value it is stored as.
    db.mapper
        .update::<Order>("o1", &Update::new().set("status", Status::Shipped))
        .await?;
    assert_eq!(
        stored(&db, "o1").await?["status"],
        AttributeValue::S("shipped".into())
    );
    let db = TestDb::with_table::<Tally>().await?;
    db.mapper
        .put(&Tally {
            status: Status::Paid,
            count: 3,
        })
        .await?;
    let tally = db.mapper.get::<Tally>(Status::Paid).await?;
    assert_eq!(tally.count, 3);
    let raw = db
        .client()
        .get_item()
        .table_name(db.table::<Tally>())
        .key("status", AttributeValue::S("paid".into()))
        .send()
        .await?;
    assert!(raw.item().is_some(), "the key is stored as the enum's name");
    assert_eq!(
        mapper::IntoKey::into_key(Status::Paid).to_string(),
        "\"paid\""
    );
    assert_eq!(
        mapper::IntoKey::into_key(("ann", 7)).to_string(),
        "\"ann\", 7"
    );
    Ok(())
}

#[test]
fn typed_paths_render_as_their_names() {
    assert_eq!(Order::STATUS.name(), "status");
    let path: mapper::AttrPath = Order::ITEMS.at(2).then(LineItem::SKU).into();
    assert_eq!(path.top(), "items");
    assert_eq!(path.steps().len(), 2);
    assert_eq!(<Order as Model>::TABLE, "typed_orders");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "typed_readings")]
struct Reading {
    #[model(hash_key)]
    sensor: String,
    #[model(range_key)]
    at: i64,
    value: f64,
}

#[tokio::test]
async fn typed_keys_and_range_conditions() -> TestResult {
    let db = TestDb::with_table::<Reading>().await?;
    for at in 1..=5 {
        let reading = Reading {
            sensor: "s1".into(),
            at,
            value: at as f64 / 2.0,
        };
        db.mapper.put(&reading).await?;
    }
    // A key of the key fields' own types finds the item.
    let got = db
        .mapper
        .get::<Reading>(Reading::PRIMARY.key("s1", 4))
        .await?;
    assert_eq!(got.value, 2.0);
    // Range conditions on the typed path of the range key, on the table
    // (through its typed handle too) ...
    let between: Vec<i64> = db
        .mapper
        .query_index(Reading::PRIMARY, "s1")
        .range(Reading::AT.between(2, 4))
        .all()
        .await?
        .into_iter()
        .map(|r| r.at)
        .collect();
    assert_eq!(between, [2, 3, 4]);
    let after: Vec<i64> = db
        .mapper
        .query::<Reading>("s1")
        .range(Reading::AT.gt(3))
        .reverse()
        .all()
        .await?
        .into_iter()
        .map(|r| r.at)
        .collect();
    assert_eq!(after, [5, 4]);
    // ... refused before sending when the path is not the range key
    // queried, or the comparison is none DynamoDB takes on a key.
    let err = db
        .mapper
        .query::<Reading>("s1")
        .range(Reading::VALUE.gt(1.0))
        .all()
        .await
        .err()
        .ok_or("a range condition on a non-key attribute was run")?;
    assert!(matches!(err, Error::Usage { .. }), "{err}");
    assert!(err.to_string().contains(r#"range key "at""#), "{err}");
    assert!(err.to_string().contains("value"), "{err}");
    let err = db
        .mapper
        .query::<Reading>("s1")
        .range(Reading::AT.ne(3))
        .all()
        .await
        .err()
        .ok_or("<> was taken as a key condition")?;
    assert!(matches!(err, Error::Usage { .. }), "{err}");
    Ok(())
}

#[tokio::test]
async fn typed_range_conditions_on_an_index() -> TestResult {
    let db = TestDb::with_table::<Order>().await?;
    for (id, points) in [("o1", 5), ("o2", 10), ("o3", 20)] {
        let mut o = order(id);
        o.status = Status::Paid;
        o.points = points;
        db.mapper.put(&o).await?;
    }
    let mut ids: Vec<String> = db
        .mapper
        .query_index(Order::BY_STATUS, Status::Paid)
        .range(Order::POINTS.ge(10))
        .all()
        .await?
        .into_iter()
        .map(|o| o.id.clone())
        .collect();
    ids.sort();
    assert_eq!(ids, ["o2", "o3"]);
    // The index's range key is `points`, not the table's `id`.
    let err = db
        .mapper
        .query_index(Order::BY_STATUS, Status::Paid)
        .range(Order::ID.eq("o1"))
        .all()
        .await
        .err()
        .ok_or("a range condition on the table key ran on an index")?;
    assert!(err.to_string().contains(r#"index "by_status""#), "{err}");
    Ok(())
}

#[tokio::test]
async fn list_append_takes_a_list_of_the_fields_type_or_is_refused() -> TestResult {
    let db = TestDb::with_table::<Order>().await?;
    db.mapper.put(&order("o1")).await?;
    let before = stored(&db, "o1").await?;
    // A path given as text takes any value: one that is no list is
    // refused before sending, naming the attribute.
    let err = db
        .mapper
        .update::<Order>("o1", &Update::new().list_append("items", 5))
        .await
        .err()
        .ok_or("a number was appended as a list")?;
    assert!(err.is_invalid(), "{err}");
    assert!(err.to_string().contains("items"), "{err}");
    // An element the nested schema refuses is refused with its path.
    let bad = vec![LineItem {
        sku: String::new(),
        qty: 1,
    }];
    let err = db
        .mapper
        .update::<Order>("o1", &Update::new().list_prepend(Order::ITEMS, bad))
        .await
        .err()
        .ok_or("an empty sku was prepended")?;
    assert!(err.to_string().contains("sku"), "{err}");
    assert_eq!(stored(&db, "o1").await?, before);
    Ok(())
}

#[tokio::test]
async fn typed_add_and_delete_take_a_set_of_the_fields_type() -> TestResult {
    let db = TestDb::with_table::<Order>().await?;
    db.mapper.put(&order("o1")).await?;
    let add = Update::new()
        .add(
            Order::TAGS,
            BTreeSet::from(["gift".to_owned(), "eu".to_owned()]),
        )
        .add(Order::POINTS, 4);
    db.mapper.update::<Order>("o1", &add).await?;
    let delete = Update::new().delete(Order::TAGS, BTreeSet::from(["new".to_owned()]));
    let after = db.mapper.update::<Order>("o1", &delete).await?;
    assert_eq!(
        after.tags,
        BTreeSet::from(["eu".to_owned(), "gift".to_owned()])
    );
    let raw = stored(&db, "o1").await?;
    let AttributeValue::Ss(mut tags) = raw["tags"].clone() else {
        return Err(format!("tags stored as {:?}", raw["tags"]).into());
    };
    tags.sort();
    assert_eq!(tags, ["eu", "gift"]);
    assert_eq!(raw["points"], AttributeValue::N("4".into()));
    Ok(())
}
