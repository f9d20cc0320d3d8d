//! Entities sharing a table (issue 29, first part) against DynamoDB
//! Local: the entity type written on every write path and checked on
//! every load; an item of one entity type is never read as another, never
//! overwritten, changed or deleted by another's writes; queries and scans
//! read one entity type; a transaction writes two entity types at once.

use std::collections::HashMap;

mod raw;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::batch::Write;
use mapper::{Error, Model, RangeCondition, Throughput, Update};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "shop", entity = "customer")]
struct Customer {
    #[model(hash_key)]
    pk: String,
    #[model(range_key)]
    sk: String,
    #[model(length = 1..=64)]
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "shop", entity = "order", entity_attribute = "_et")]
struct Order {
    #[model(hash_key)]
    pk: String,
    #[model(range_key)]
    sk: String,
    #[model(range = 0..)]
    total: i64,
}

fn customer(name: &str) -> Customer {
    Customer {
        pk: format!("CUSTOMER#{name}"),
        sk: format!("CUSTOMER#{name}"),
        name: name.into(),
    }
}

fn order(name: &str, id: u32, total: i64) -> Order {
    Order {
        pk: format!("CUSTOMER#{name}"),
        sk: format!("#ORDER#{id:04}"),
        total,
    }
}

async fn raw(
    db: &TestDb,
    pk: &str,
    sk: &str,
) -> Result<Option<HashMap<String, AttributeValue>>, SetupError> {
    raw::shared_item(db.client(), &db.table::<Customer>(), pk, sk).await
}

async fn entity_of(db: &TestDb, pk: &str, sk: &str) -> Result<Option<String>, SetupError> {
    Ok(raw(db, pk, sk)
        .await?
        .and_then(|item| item.get("_et").and_then(|v| v.as_s().ok()).cloned()))
}

fn other_entity(err: &Error, expected: &str, found: Option<&str>) -> bool {
    matches!(err, Error::OtherEntity { expected: e, found: f, .. } if e == expected && f.as_deref() == found)
}

#[tokio::test]
async fn every_write_path_writes_the_entity_type() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let m = &db.mapper;
    m.create(&customer("ann")).await?;
    m.put(&order("ann", 1, 10)).await?;
    let mut new = m.get::<Order>(("CUSTOMER#ann", "#ORDER#0001")).await?;
    new.total = 11; // a partial save
    m.save(&mut new).await?;
    m.batch_write([Write::Put(order("ann", 2, 20))]).await?;
    m.transact_write()
        .create(&customer("bob"))
        .create(&order("bob", 1, 5))
        .send()
        .await?;
    m.update::<Order>(
        ("CUSTOMER#bob", "#ORDER#0001"),
        &Update::new().increment(Order::TOTAL, 1),
    )
    .await?;
    for (pk, sk, entity) in [
        ("CUSTOMER#ann", "CUSTOMER#ann", "customer"),
        ("CUSTOMER#ann", "#ORDER#0001", "order"),
        ("CUSTOMER#ann", "#ORDER#0002", "order"),
        ("CUSTOMER#bob", "CUSTOMER#bob", "customer"),
        ("CUSTOMER#bob", "#ORDER#0001", "order"),
    ] {
        assert_eq!(
            entity_of(&db, pk, sk).await?.as_deref(),
            Some(entity),
            "{pk} {sk}"
        );
    }
    assert_eq!(
        m.get::<Order>(("CUSTOMER#ann", "#ORDER#0001")).await?.total,
        11
    );
    assert_eq!(
        m.get::<Order>(("CUSTOMER#bob", "#ORDER#0001")).await?.total,
        6
    );
    Ok(())
}

#[tokio::test]
async fn an_item_of_one_entity_type_is_never_read_as_another() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let m = &db.mapper;
    m.create(&customer("ann")).await?;
    let key = ("CUSTOMER#ann", "CUSTOMER#ann");
    let err = m
        .get::<Order>(key)
        .await
        .err()
        .ok_or("a customer read as an order")?;
    assert!(other_entity(&err, "order", Some("customer")), "{err}");
    assert!(err.is_stored_item(), "{err}");
    assert!(m.find::<Order>(key).await.is_err());
    let mut tx = m.transact_get();
    let slot = tx.get::<Order>(key);
    let mut got = tx.send().await?;
    assert!(got.take(slot).is_err());
    // An item without an entity type (written by other code) is none's.
    db.client()
        .put_item()
        .table_name(db.table::<Customer>())
        .item("pk", AttributeValue::S("X".into()))
        .item("sk", AttributeValue::S("X".into()))
        .item("total", AttributeValue::N("1".into()))
        .send()
        .await?;
    let err = m
        .get::<Order>(("X", "X"))
        .await
        .err()
        .ok_or("an untyped item read")?;
    assert!(other_entity(&err, "order", None), "{err}");
    Ok(())
}

#[tokio::test]
async fn writes_never_land_on_another_entity_types_item() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let m = &db.mapper;
    m.create(&customer("ann")).await?;
    let before = raw(&db, "CUSTOMER#ann", "CUSTOMER#ann").await?;
    // An order whose key is the customer's.
    let clash = Order {
        pk: "CUSTOMER#ann".into(),
        sk: "CUSTOMER#ann".into(),
        total: 1,
    };
    let key = ("CUSTOMER#ann", "CUSTOMER#ann");
    let err = m.put(&clash).await.err().ok_or("a put over a customer")?;
    assert!(other_entity(&err, "order", Some("customer")), "{err}");
    let err = m
        .update::<Order>(key, &Update::new().set(Order::TOTAL, 5))
        .await
        .err()
        .ok_or("an update of a customer")?;
    assert!(other_entity(&err, "order", Some("customer")), "{err}");
    let err = m
        .delete_key::<Order>(key)
        .await
        .err()
        .ok_or("a delete of a customer")?;
    assert!(other_entity(&err, "order", Some("customer")), "{err}");
    let err = m
        .create(&clash)
        .await
        .err()
        .ok_or("a create over a customer")?;
    assert!(matches!(err, Error::Overwrite { .. }), "{err}");
    assert_eq!(raw(&db, "CUSTOMER#ann", "CUSTOMER#ann").await?, before);
    // Its own entity's writes go through as before.
    m.delete_key::<Customer>(key).await?;
    assert!(raw(&db, "CUSTOMER#ann", "CUSTOMER#ann").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn queries_and_scans_read_one_entity_type() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let m = &db.mapper;
    m.create(&customer("ann")).await?;
    for id in 1..=3 {
        m.create(&order("ann", id, i64::from(id) * 10)).await?;
    }
    m.create(&customer("bob")).await?;
    let orders = m.query::<Order>("CUSTOMER#ann").all().await?;
    assert_eq!(orders.len(), 3);
    let newest = m
        .query::<Order>("CUSTOMER#ann")
        .range(RangeCondition::begins_with("#ORDER#"))
        .reverse()
        .limit(2)
        .all()
        .await?;
    let ids: Vec<&str> = newest.iter().map(|o| o.sk.as_str()).collect();
    assert_eq!(ids, ["#ORDER#0003", "#ORDER#0002"]);
    let customers = m.query::<Customer>("CUSTOMER#ann").all().await?;
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].name, "ann");
    assert_eq!(m.scan::<Customer>().all().await?.len(), 2);
    assert_eq!(m.scan::<Order>().all().await?.len(), 3);
    Ok(())
}

#[tokio::test]
async fn a_model_without_an_entity_type_writes_and_checks_none() -> TestResult {
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
    #[model(table = "plain_shop")]
    struct Plain {
        #[model(hash_key)]
        pk: String,
    }
    let db = TestDb::new().await?;
    db.mapper
        .create_table::<Plain>(Throughput::OnDemand)
        .await?;
    db.mapper.put(&Plain { pk: "a".into() }).await?;
    let out = db
        .client()
        .get_item()
        .table_name(db.table::<Plain>())
        .key("pk", AttributeValue::S("a".into()))
        .send()
        .await?;
    let item = out.item().ok_or("not stored")?;
    assert_eq!(item.len(), 1, "{item:?}");
    Ok(())
}

/// A customer's page: the customer and its orders, in one query.
#[derive(Debug, mapper::Collection)]
enum CustomerPage {
    Customer(Customer),
    Order(mapper::Item<Order>),
}

#[tokio::test]
async fn a_collection_reads_a_partition_as_typed_items_in_key_order() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let m = &db.mapper;
    m.create(&customer("ann")).await?;
    for id in 1..=12 {
        m.create(&order("ann", id, i64::from(id))).await?;
    }
    // "#ORDER#…" sorts before "CUSTOMER#…": newest first, the customer
    // leads; the customer and its 10 most recent orders.
    let page = m
        .query_collection::<CustomerPage>("CUSTOMER#ann")
        .reverse()
        .limit(11)
        .all()
        .await?;
    assert_eq!(page.len(), 11);
    let CustomerPage::Customer(first) = &page[0] else {
        return Err(format!("{:?} leads", page[0]).into());
    };
    assert_eq!(first.name, "ann");
    let totals: Vec<i64> = page[1..]
        .iter()
        .map(|p| match p {
            CustomerPage::Order(o) => o.total,
            CustomerPage::Customer(_) => -1,
        })
        .collect();
    assert_eq!(totals, (3..=12).rev().collect::<Vec<i64>>());
    // Orders loaded as items: saved with conflict detection as any.
    let CustomerPage::Order(newest) = &page[1] else {
        return Err("no order".into());
    };
    let mut newest = newest.clone();
    newest.total = 100;
    m.save(&mut newest).await?;
    assert_eq!(
        m.get::<Order>(("CUSTOMER#ann", "#ORDER#0012")).await?.total,
        100
    );

    // One type by its sort-key prefix; pages and cursors as any query.
    let first_page = m
        .query_collection::<CustomerPage>("CUSTOMER#ann")
        .range(RangeCondition::begins_with("#ORDER#"))
        .page(5)
        .await?;
    assert_eq!(first_page.items.len(), 5);
    let cursor = first_page.cursor.ok_or("no cursor")?;
    let rest = m
        .query_collection::<CustomerPage>("CUSTOMER#ann")
        .range(RangeCondition::begins_with("#ORDER#"))
        .after(cursor)
        .all()
        .await?;
    assert_eq!(rest.len(), 7);

    // An entity type the collection does not name: reported for that item
    // alone.
    db.client()
        .put_item()
        .table_name(db.table::<Customer>())
        .item("pk", AttributeValue::S("CUSTOMER#ann".into()))
        .item("sk", AttributeValue::S("REVIEW#1".into()))
        .item("_et", AttributeValue::S("review".into()))
        .send()
        .await?;
    let loaded = m
        .query_collection::<CustomerPage>("CUSTOMER#ann")
        .all_loaded()
        .await?;
    assert_eq!(loaded.items.len(), 13);
    assert_eq!(loaded.failed.len(), 1);
    let err = &loaded.failed[0];
    assert!(
        matches!(err, Error::OtherEntity { found: Some(f), expected, .. } if f == "review" && expected == "customer | order"),
        "{err}"
    );
    Ok(())
}

/// Shares the table, but has no entity type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "shop")]
struct Untyped {
    #[model(hash_key)]
    pk: String,
    #[model(range_key)]
    sk: String,
}

#[derive(Debug, mapper::Collection)]
#[allow(dead_code)] // never read: the query is refused
enum Mixed {
    Customer(Customer),
    Untyped(Untyped),
}

#[tokio::test]
async fn a_collection_of_members_without_entity_types_is_refused_before_sending() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let err = db
        .mapper
        .query_collection::<Mixed>("CUSTOMER#ann")
        .all()
        .await
        .err()
        .ok_or("a collection with an untyped member ran")?;
    assert!(matches!(err, Error::Model { .. }), "{err}");
    Ok(())
}

/// The marker that keeps an email unique: its key is the email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "shop", entity = "customer_email")]
struct CustomerEmail {
    #[model(hash_key)]
    pk: String,
    #[model(range_key)]
    sk: String,
    username: String,
}

fn email_marker(email: &str, username: &str) -> CustomerEmail {
    CustomerEmail {
        pk: format!("CUSTOMEREMAIL#{email}"),
        sk: format!("CUSTOMEREMAIL#{email}"),
        username: username.into(),
    }
}

#[tokio::test]
async fn unique_username_and_email_through_a_marker_in_one_transaction() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let m = &db.mapper;
    // A customer and the marker of its email, created together.
    m.transact_write()
        .create(&customer("ann"))
        .create(&email_marker("ann@example.com", "ann"))
        .send()
        .await?;
    // Another username with the same email: refused, nothing written.
    let err = m
        .transact_write()
        .create(&customer("bob"))
        .create(&email_marker("ann@example.com", "bob"))
        .send()
        .await
        .err()
        .ok_or("a taken email was taken again")?;
    assert!(err.is_overwrite(), "{err}");
    assert!(raw(&db, "CUSTOMER#bob", "CUSTOMER#bob").await?.is_none());
    // The same username with another email: refused too.
    let err = m
        .transact_write()
        .create(&customer("ann"))
        .create(&email_marker("other@example.com", "ann"))
        .send()
        .await
        .err()
        .ok_or("a taken username was taken again")?;
    assert!(err.is_overwrite(), "{err}");
    let other = "CUSTOMEREMAIL#other@example.com";
    assert!(raw(&db, other, other).await?.is_none());
    // Deleted together; the marker is not a customer (its own type).
    let taken = "CUSTOMEREMAIL#ann@example.com";
    let err = m
        .delete_key::<Customer>((taken, taken))
        .await
        .err()
        .ok_or("a marker deleted as a customer")?;
    assert!(matches!(err, Error::OtherEntity { .. }), "{err}");
    m.transact_write()
        .delete_key::<Customer>(("CUSTOMER#ann", "CUSTOMER#ann"))
        .delete_key::<CustomerEmail>((taken, taken))
        .send()
        .await?;
    assert!(raw(&db, taken, taken).await?.is_none());
    assert!(raw(&db, "CUSTOMER#ann", "CUSTOMER#ann").await?.is_none());
    // The email is free again.
    m.transact_write()
        .create(&customer("bob"))
        .create(&email_marker("ann@example.com", "bob"))
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_stream_reader_of_one_entity_type_passes_over_the_others() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    let m = &db.mapper;
    m.enable_stream::<Customer>(mapper::stream::StreamView::NewAndOldImages)
        .await?;
    m.create(&customer("ann")).await?;
    m.create(&order("ann", 1, 10)).await?;
    m.create(&order("ann", 2, 20)).await?;
    m.delete_key::<Customer>(("CUSTOMER#ann", "CUSTOMER#ann"))
        .await?;
    let mut orders = m.change_reader::<Order>(None).await?;
    let mut customers = m.change_reader::<Customer>(None).await?;
    let (mut seen_orders, mut passed_over) = (Vec::new(), 0);
    let (mut seen_customers, mut passed_customers) = (0, 0);
    for _ in 0..50 {
        let batch = orders.next().await?;
        assert!(batch.failed.is_empty(), "{:?}", batch.failed);
        passed_over += batch.other_entities;
        seen_orders.extend(
            batch
                .changes
                .into_iter()
                .filter_map(|c| c.new.map(|o| o.total)),
        );
        let batch = customers.next().await?;
        assert!(batch.failed.is_empty(), "{:?}", batch.failed);
        passed_customers += batch.other_entities;
        seen_customers += batch.changes.len();
        if seen_orders.len() == 2 && seen_customers == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen_orders, [10, 20]);
    assert_eq!(passed_over, 2, "the customer's insert and remove");
    assert_eq!(seen_customers, 2);
    assert_eq!(passed_customers, 2, "the two orders");
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "ship", entity = "customer")]
struct ShipCustomer {
    #[model(hash_key)]
    pk: String,
    #[model(range_key)]
    sk: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "ship",
    entity = "item",
    stream = "new_and_old_images",
    index(name = "gsi1", hash = "gsi1pk", range = "gsi1sk")
)]
struct ShipItem {
    #[model(hash_key)]
    pk: String,
    #[model(range_key)]
    sk: String,
    gsi1pk: String,
    gsi1sk: String,
}

/// Declares the table with another key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "ship", entity = "other")]
struct ShipOther {
    #[model(hash_key)]
    id: String,
}

#[tokio::test]
async fn a_shared_table_is_created_from_all_its_entity_types() -> TestResult {
    let db = TestDb::new().await?;
    let m = &db.mapper;
    // A mismatch between declarations: refused, nothing created.
    let err = m
        .create_shared_table::<(ShipCustomer, ShipItem, ShipOther)>(Throughput::OnDemand)
        .await
        .err()
        .ok_or("a table of mismatched entities was created")?;
    assert!(matches!(err, Error::Model { .. }), "{err}");
    assert!(
        err.to_string().contains("\"other\" declares the key"),
        "{err}"
    );
    assert!(matches!(
        m.describe_table::<ShipCustomer>().await,
        Err(Error::NotFound { .. })
    ));
    // The entities agree: their key, every index, the stream.
    let described = m
        .create_shared_table::<(ShipCustomer, ShipItem)>(Throughput::OnDemand)
        .await?;
    let keys: Vec<&str> = described
        .key_schema()
        .iter()
        .map(|k| k.attribute_name())
        .collect();
    assert_eq!(keys, ["pk", "sk"]);
    let indexes: Vec<&str> = described
        .global_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name())
        .collect();
    assert_eq!(indexes, ["gsi1"]);
    let stream = described.stream_specification().ok_or("no stream")?;
    assert!(stream.stream_enabled());
    // Both entity types write and read in it.
    m.create(&ShipCustomer {
        pk: "C#1".into(),
        sk: "C#1".into(),
    })
    .await?;
    m.create(&ShipItem {
        pk: "O#1#I#1".into(),
        sk: "O#1#I#1".into(),
        gsi1pk: "O#1".into(),
        gsi1sk: "I#1".into(),
    })
    .await?;
    let items = m.query_index(ShipItem::GSI1, "O#1").all().await?;
    assert_eq!(items.len(), 1);
    Ok(())
}
