//! Keys built from templates (issue 29) against DynamoDB Local: written
//! from the fields on every write path (index keys too, rewritten by
//! partial saves), checked on every load, typed key functions, values that
//! sort as their fields and parse back, key edits and index-key updates
//! refused, an item of one entity type never read as another whose
//! template makes the same key, a transaction over three entity types.

use std::collections::HashMap;

mod raw;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::batch::Write;
use mapper::{Error, Model, Throughput, Update};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "customer",
    pk = "CUSTOMER#{username}",
    sk = "CUSTOMER#{username}"
)]
struct Customer {
    #[model(length = 1..=64)]
    username: String,
    name: String,
}

/// Another entity whose template makes the customer's keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "profile",
    pk = "CUSTOMER#{username}",
    sk = "CUSTOMER#{username}"
)]
struct Profile {
    username: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "order",
    pk = "CUSTOMER#{username}",
    sk = "#ORDER#{order_id}",
    index(name = "gsi1", pk = "STATUS#{status}", sk = "ORDER#{order_id}")
)]
struct Order {
    username: String,
    order_id: String,
    status: String,
    #[model(range = 0..)]
    total: i64,
    #[model(version)]
    version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "order_item",
    pk = "ORDER#{order_id}#ITEM#{item_id}",
    sk = "ORDER#{order_id}#ITEM#{item_id}",
    index(name = "gsi1", pk = "ORDER#{order_id}", sk = "ITEM#{item_id}")
)]
struct OrderItem {
    order_id: String,
    item_id: String,
    quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "reading",
    pk = "SENSOR#{sensor}",
    sk = "R#{seq:6}"
)]
struct Reading {
    sensor: String,
    seq: i64,
}

type Store = (
    Customer,
    Profile,
    Order,
    OrderItem,
    Reading,
    Checkout,
    Ticket,
);

fn order(username: &str, order_id: &str, status: &str) -> Order {
    Order {
        username: username.into(),
        order_id: order_id.into(),
        status: status.into(),
        total: 10,
        version: 0,
    }
}

async fn store() -> Result<TestDb, SetupError> {
    let db = TestDb::new().await?;
    db.mapper
        .create_shared_table::<Store>(Throughput::OnDemand)
        .await?;
    Ok(db)
}

async fn raw(
    db: &TestDb,
    pk: &str,
    sk: &str,
) -> Result<Option<HashMap<String, AttributeValue>>, SetupError> {
    raw::shared_item(db.client(), &db.table::<Customer>(), pk, sk).await
}

fn text<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

#[tokio::test]
async fn keys_are_written_from_the_fields_on_every_write_path() -> TestResult {
    let db = store().await?;
    let m = &db.mapper;
    m.create(&order("ann", "01", "placed")).await?;
    m.put(&order("ann", "02", "placed")).await?;
    m.put_only(&order("ann", "03", "placed")).await?;
    // A batch put (of an unversioned entity: batches carry no version).
    m.batch_write([Write::Put(OrderItem {
        order_id: "03".into(),
        item_id: "1".into(),
        quantity: 1,
    })])
    .await?;
    let item = raw(&db, "ORDER#03#ITEM#1", "ORDER#03#ITEM#1")
        .await?
        .ok_or("batch put not stored")?;
    assert_eq!(text(&item, "gsi1pk"), Some("ORDER#03"));
    assert_eq!(text(&item, "gsi1sk"), Some("ITEM#1"));
    m.transact_write()
        .create(&order("bob", "04", "placed"))
        .send()
        .await?;
    for (user, id) in [("ann", "01"), ("ann", "02"), ("ann", "03"), ("bob", "04")] {
        let pk = format!("CUSTOMER#{user}");
        let sk = format!("#ORDER#{id}");
        let item = raw(&db, &pk, &sk).await?.ok_or("not stored")?;
        assert_eq!(text(&item, "gsi1pk"), Some("STATUS#placed"), "{item:?}");
        assert_eq!(text(&item, "gsi1sk"), Some(format!("ORDER#{id}").as_str()));
        assert_eq!(text(&item, "_et"), Some("order"));
        assert_eq!(text(&item, "username"), Some(user), "fields are stored too");
        // The typed key functions make the same keys.
        assert_eq!(Order::pk_of(user)?, pk);
        assert_eq!(Order::sk_of(id)?, sk);
        let loaded = m.get::<Order>(Order::key_of(user, id)?).await?;
        assert_eq!(loaded.order_id, id);
    }
    // The table's key and index are queried with built keys.
    let anns = m.query::<Order>(Order::pk_of("ann")?).all().await?;
    assert_eq!(anns.len(), 3);
    let placed = m
        .query_index(Order::GSI1, Order::gsi1pk_of("placed")?)
        .all()
        .await?;
    assert_eq!(placed.len(), 4);
    Ok(())
}

#[tokio::test]
async fn a_partial_save_rewrites_the_index_key_and_an_update_of_its_field_is_refused() -> TestResult
{
    let db = store().await?;
    let m = &db.mapper;
    m.create(&order("ann", "01", "placed")).await?;
    let mut loaded = m.get::<Order>(Order::key_of("ann", "01")?).await?;
    loaded.status = "shipped".into();
    m.save(&mut loaded).await?;
    let item = raw(&db, "CUSTOMER#ann", "#ORDER#01").await?.ok_or("gone")?;
    assert_eq!(text(&item, "gsi1pk"), Some("STATUS#shipped"));
    assert_eq!(text(&item, "status"), Some("shipped"));
    let shipped = m
        .query_index(Order::GSI1, Order::gsi1pk_of("shipped")?)
        .all()
        .await?;
    assert_eq!(shipped.len(), 1);
    assert!(
        m.query_index(Order::GSI1, Order::gsi1pk_of("placed")?)
            .all()
            .await?
            .is_empty()
    );

    // An update cannot rewrite the index key: refused, nothing sent.
    let refused = m
        .update::<Order>(
            Order::key_of("ann", "01")?,
            &Update::new().set(Order::STATUS, "lost".to_owned()),
        )
        .await
        .err()
        .ok_or("an update of an index key's field was sent")?;
    let message = refused.to_string();
    assert!(
        message.contains("gsi1pk") && message.contains("save the item"),
        "{message}"
    );
    // An update of another field works and leaves the keys as they are.
    m.update::<Order>(
        Order::key_of("ann", "01")?,
        &Update::new().increment(Order::TOTAL, 5),
    )
    .await?;
    let item = raw(&db, "CUSTOMER#ann", "#ORDER#01").await?.ok_or("gone")?;
    assert_eq!(text(&item, "gsi1pk"), Some("STATUS#shipped"));
    assert_eq!(text(&item, "status"), Some("shipped"));
    assert_eq!(item.get("total"), Some(&AttributeValue::N("15".into())));
    Ok(())
}

#[tokio::test]
async fn key_edits_are_refused_and_nothing_is_written() -> TestResult {
    let db = store().await?;
    let m = &db.mapper;
    m.create(&order("ann", "01", "placed")).await?;
    let mut loaded = m.get::<Order>(Order::key_of("ann", "01")?).await?;
    loaded.order_id = "99".into();
    let refused = m.save(&mut loaded).await;
    assert!(refused.is_err(), "a key edit was saved");
    assert!(raw(&db, "CUSTOMER#ann", "#ORDER#99").await?.is_none());
    let item = raw(&db, "CUSTOMER#ann", "#ORDER#01").await?.ok_or("gone")?;
    assert_eq!(text(&item, "order_id"), Some("01"));
    // An update of a field the table's key is built from is refused too.
    let refused = m
        .update::<Order>(
            Order::key_of("ann", "01")?,
            &Update::new().set(Order::ORDER_ID, "98".to_owned()),
        )
        .await
        .err()
        .ok_or("a key field was updated")?;
    assert!(
        refused
            .to_string()
            .contains("key attributes cannot be updated")
    );
    Ok(())
}

#[tokio::test]
async fn a_stored_key_that_its_fields_do_not_make_is_refused_on_load() -> TestResult {
    let db = store().await?;
    let s = |v: &str| AttributeValue::S(v.into());
    let n = |v: &str| AttributeValue::N(v.into());
    // Under ann's key, but the fields say bob's order 02: a save of it
    // would write another item.
    db.client()
        .put_item()
        .table_name(db.table::<Order>())
        .item("pk", s("CUSTOMER#ann"))
        .item("sk", s("#ORDER#01"))
        .item("_et", s("order"))
        .item("username", s("bob"))
        .item("order_id", s("02"))
        .item("status", s("placed"))
        .item("total", n("1"))
        .item("version", n("1"))
        .send()
        .await?;
    let err = db
        .mapper
        .get::<Order>(Order::key_of("ann", "01")?)
        .await
        .err()
        .ok_or("a key its fields do not make was loaded")?;
    let Error::Stored { errors, .. } = &err else {
        return Err(format!("not a stored-item error: {err}").into());
    };
    let paths: Vec<String> = errors.iter().map(|v| v.path.to_string()).collect();
    assert!(paths.contains(&"pk".to_owned()), "{paths:?}");
    assert!(paths.contains(&"sk".to_owned()), "{paths:?}");
    assert!(err.to_string().contains("CUSTOMER#bob"), "{err}");
    Ok(())
}

#[tokio::test]
async fn an_item_under_a_key_another_entity_makes_is_never_read_or_written_as_it() -> TestResult {
    let db = store().await?;
    let m = &db.mapper;
    m.create(&Customer {
        username: "ann".into(),
        name: "Ann".into(),
    })
    .await?;
    let key = Profile::key_of("ann")?;
    assert_eq!(key, Customer::key_of("ann")?, "the two templates agree");
    let err = m
        .get::<Profile>(key.clone())
        .await
        .err()
        .ok_or("read as a profile")?;
    assert!(matches!(err, Error::OtherEntity { .. }), "{err}");
    let profile = Profile {
        username: "ann".into(),
        name: "Profile".into(),
    };
    let err = m
        .put(&profile)
        .await
        .err()
        .ok_or("overwritten by a profile")?;
    assert!(matches!(err, Error::OtherEntity { .. }), "{err}");
    let item = raw(&db, "CUSTOMER#ann", "CUSTOMER#ann")
        .await?
        .ok_or("gone")?;
    assert_eq!(text(&item, "_et"), Some("customer"));
    assert_eq!(text(&item, "name"), Some("Ann"));
    Ok(())
}

#[tokio::test]
async fn values_sort_as_their_fields_escape_the_delimiter_and_parse_back() -> TestResult {
    let db = store().await?;
    let m = &db.mapper;
    for seq in [100, 9, 10, 0] {
        m.put(&Reading {
            sensor: "a#b\\c".into(),
            seq,
        })
        .await?;
    }
    let pk = Reading::pk_of("a#b\\c")?;
    assert_eq!(pk, "SENSOR#a\\#b\\\\c");
    let read = m.query::<Reading>(pk.clone()).all().await?;
    let seqs: Vec<i64> = read.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![0, 9, 10, 100], "numbers sort as numbers");
    assert!(raw(&db, &pk, "R#000009").await?.is_some());
    let back = Reading::parse_key("sk", "R#000010")?;
    assert_eq!(back.get("seq"), Some(&validate::Value::from(10)));
    let back = Reading::parse_key("pk", &pk)?;
    assert_eq!(back.get("sensor"), Some(&validate::Value::from("a#b\\c")));
    assert!(Reading::parse_key("sk", "R#00x").is_err());
    assert!(Reading::parse_key("gsi9", "R#1").is_err());

    // A value that would not sort is refused, and nothing is written.
    for bad in [-1, 1_000_000] {
        let err = m
            .put(&Reading {
                sensor: "s".into(),
                seq: bad,
            })
            .await
            .err()
            .ok_or("a value that does not sort was written")?;
        let Error::Validation { errors, .. } = &err else {
            return Err(format!("not a validation error: {err}").into());
        };
        assert_eq!(
            errors.iter().next().map(|v| v.path.to_string()).as_deref(),
            Some("seq")
        );
        assert!(Reading::sk_of(bad).is_err());
    }
    assert!(
        m.query::<Reading>(Reading::pk_of("s")?)
            .all()
            .await?
            .is_empty()
    );

    // A key past DynamoDB's 2,048 bytes for a partition key: refused
    // before sending, at the key's path.
    let long = "x".repeat(2_048);
    let err = m
        .put(&Reading {
            sensor: long.clone(),
            seq: 1,
        })
        .await
        .err()
        .ok_or("a key past the limit was sent")?;
    let Error::Validation { errors, .. } = &err else {
        return Err(format!("not a validation error: {err}").into());
    };
    let paths: Vec<String> = errors.iter().map(|v| v.path.to_string()).collect();
    assert_eq!(paths, vec!["pk".to_owned()]);
    assert!(
        m.query::<Reading>(Reading::pk_of(long.as_str())?)
            .all()
            .await
            .is_err()
    );
    Ok(())
}

#[tokio::test]
async fn a_transaction_writes_three_entity_types_or_none() -> TestResult {
    let db = store().await?;
    let m = &db.mapper;
    let ann = Customer {
        username: "ann".into(),
        name: "Ann".into(),
    };
    let item = OrderItem {
        order_id: "01".into(),
        item_id: "7".into(),
        quantity: 2,
    };
    m.transact_write()
        .create(&ann)
        .create(&order("ann", "01", "placed"))
        .create(&item)
        .send()
        .await?;
    let stored = raw(&db, "ORDER#01#ITEM#7", "ORDER#01#ITEM#7")
        .await?
        .ok_or("item not written")?;
    assert_eq!(text(&stored, "gsi1pk"), Some("ORDER#01"));
    assert_eq!(text(&stored, "gsi1sk"), Some("ITEM#7"));
    assert!(raw(&db, "CUSTOMER#ann", "#ORDER#01").await?.is_some());

    // The customer is taken: the whole transaction is refused.
    let refused = m
        .transact_write()
        .create(&order("ann", "02", "placed"))
        .create(&OrderItem {
            item_id: "8".into(),
            ..item.clone()
        })
        .create(&ann)
        .send()
        .await;
    assert!(refused.is_err());
    assert!(raw(&db, "CUSTOMER#ann", "#ORDER#02").await?.is_none());
    assert!(
        raw(&db, "ORDER#01#ITEM#8", "ORDER#01#ITEM#8")
            .await?
            .is_none()
    );
    // The order's items, by the index both types share.
    let items = m
        .query_index(OrderItem::GSI1, OrderItem::gsi1pk_of("01")?)
        .all()
        .await?;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].item_id, "7");
    Ok(())
}

/// A payment method: a polymorphic value, its variant named by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, mapper::Schema)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payment {
    Card {
        #[model(length = 4..=4)]
        last4: String,
        brand: String,
    },
    GiftCard {
        code: String,
        #[model(range = 0..)]
        balance_cents: i64,
    },
    Invoice,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "checkout",
    pk = "CHECKOUT#{id}",
    sk = "CHECKOUT#{id}"
)]
struct Checkout {
    id: String,
    payment: Payment,
    #[serde(default)]
    history: Vec<Payment>,
}

#[tokio::test]
async fn polymorphic_values_are_stored_with_their_discriminator_and_validated_per_variant()
-> TestResult {
    let db = store().await?;
    let m = &db.mapper;
    let checkout = Checkout {
        id: "c1".into(),
        payment: Payment::Card {
            last4: "4242".into(),
            brand: "visa".into(),
        },
        history: vec![
            Payment::Invoice,
            Payment::GiftCard {
                code: "XMAS".into(),
                balance_cents: 500,
            },
        ],
    };
    m.put(&checkout).await?;
    let item = raw(&db, "CHECKOUT#c1", "CHECKOUT#c1")
        .await?
        .ok_or("not stored")?;
    let payment = item
        .get("payment")
        .and_then(|p| p.as_m().ok())
        .ok_or("payment is no map")?;
    assert_eq!(text(payment, "type"), Some("card"));
    assert_eq!(text(payment, "last4"), Some("4242"));
    let history = item
        .get("history")
        .and_then(|h| h.as_l().ok())
        .ok_or("history is no list")?;
    let kinds: Vec<Option<&str>> = history
        .iter()
        .map(|v| v.as_m().ok().and_then(|m| text(m, "type")))
        .collect();
    assert_eq!(kinds, vec![Some("invoice"), Some("gift_card")]);
    let loaded = m.get::<Checkout>(Checkout::key_of("c1")?).await?;
    assert_eq!(*loaded, checkout);

    // Each variant's rules hold on save: nothing is written.
    let bad = Checkout {
        id: "c2".into(),
        payment: Payment::GiftCard {
            code: "X".into(),
            balance_cents: -1,
        },
        history: vec![],
    };
    let err = m
        .put(&bad)
        .await
        .err()
        .ok_or("a negative balance was saved")?;
    let Error::Validation { errors, .. } = &err else {
        return Err(format!("not a validation error: {err}").into());
    };
    let paths: Vec<String> = errors.iter().map(|v| v.path.to_string()).collect();
    assert_eq!(paths, vec!["payment.balance_cents"]);
    assert!(
        err.to_string().contains("CHECKOUT#c2"),
        "the key is named: {err}"
    );
    assert!(raw(&db, "CHECKOUT#c2", "CHECKOUT#c2").await?.is_none());

    // And on load: an unknown variant, or a variant's field missing.
    for (payment, path) in [
        (
            HashMap::from([("type".to_owned(), AttributeValue::S("crypto".into()))]),
            "payment.type",
        ),
        (
            HashMap::from([
                ("type".to_owned(), AttributeValue::S("card".into())),
                ("brand".to_owned(), AttributeValue::S("visa".into())),
            ]),
            "payment.last4",
        ),
        (
            HashMap::from([("last4".to_owned(), AttributeValue::S("4242".into()))]),
            "payment.type",
        ),
    ] {
        db.client()
            .put_item()
            .table_name(db.table::<Checkout>())
            .item("pk", AttributeValue::S("CHECKOUT#c3".into()))
            .item("sk", AttributeValue::S("CHECKOUT#c3".into()))
            .item("_et", AttributeValue::S("checkout".into()))
            .item("id", AttributeValue::S("c3".into()))
            .item("payment", AttributeValue::M(payment))
            .item("history", AttributeValue::L(vec![]))
            .send()
            .await?;
        let err = m
            .get::<Checkout>(Checkout::key_of("c3")?)
            .await
            .err()
            .ok_or("a bad variant was loaded")?;
        let Error::Stored { errors, .. } = &err else {
            return Err(format!("not a stored-item error: {err}").into());
        };
        let paths: Vec<String> = errors.iter().map(|v| v.path.to_string()).collect();
        assert_eq!(paths, vec![path.to_owned()], "{err}");
        assert!(
            err.to_string().contains("CHECKOUT#c3"),
            "the key is named: {err}"
        );
    }
    Ok(())
}

/// A note at version 2: version 1 stored `body`, renamed `text`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "note",
    pk = "CUSTOMER#{username}",
    sk = "#NOTE#{note_id}",
    migrations
)]
struct Note {
    username: String,
    note_id: String,
    text: String,
}

#[mapper::migrations(current = 2)]
impl Note {
    #[migration(from = 1)]
    fn rename_body(mut item: validate::Value) -> Result<validate::Value, validate::Errors> {
        if let Some(map) = item.as_map_mut()
            && let Some(body) = map.remove("body")
        {
            map.insert("text".to_owned(), body);
        }
        Ok(item)
    }
}

#[tokio::test]
async fn a_migration_of_one_entity_type_leaves_the_others_untouched() -> TestResult {
    let db = TestDb::new().await?;
    db.mapper
        .create_shared_table::<(Customer, Order, Note)>(Throughput::OnDemand)
        .await?;
    let m = &db.mapper;
    m.create(&Customer {
        username: "ann".into(),
        name: "Ann".into(),
    })
    .await?;
    m.create(&order("ann", "01", "placed")).await?;
    // Notes at version 1, written by older code: `body`, no version.
    let s = |v: &str| AttributeValue::S(v.into());
    for id in ["1", "2", "3"] {
        db.client()
            .put_item()
            .table_name(db.table::<Note>())
            .item("pk", s("CUSTOMER#ann"))
            .item("sk", s(&format!("#NOTE#{id}")))
            .item("_et", s("note"))
            .item("username", s("ann"))
            .item("note_id", s(id))
            .item("body", s("call back"))
            .send()
            .await?;
    }
    let others_before = (
        raw(&db, "CUSTOMER#ann", "CUSTOMER#ann").await?,
        raw(&db, "CUSTOMER#ann", "#ORDER#01").await?,
    );
    // A lazy load migrates one in memory; its keys are checked as stored.
    let lazy = m.get::<Note>(Note::key_of("ann", "1")?).await?;
    assert_eq!(lazy.text, "call back");
    assert_eq!(lazy.migrated_from(), Some(1));

    let report = m.migrate_table::<Note>().run().await?;
    assert_eq!(report.census.migrated, [(1, 3)].into(), "only the notes");
    for id in ["1", "2", "3"] {
        let item = raw(&db, "CUSTOMER#ann", &format!("#NOTE#{id}"))
            .await?
            .ok_or("a note is gone")?;
        assert_eq!(text(&item, "text"), Some("call back"));
        assert!(!item.contains_key("body"));
        assert_eq!(text(&item, "_et"), Some("note"));
        assert_eq!(text(&item, "pk"), Some("CUSTOMER#ann"), "keys kept");
    }
    let others_after = (
        raw(&db, "CUSTOMER#ann", "CUSTOMER#ann").await?,
        raw(&db, "CUSTOMER#ann", "#ORDER#01").await?,
    );
    assert_eq!(others_before, others_after, "byte for byte unchanged");
    Ok(())
}

/// An order item (`version`ed, keys from templates) edited by 16 tasks at
/// once, 10 increments each, every conflict retried: no increment is
/// lost, and the keys stay what the fields make.
#[tokio::test]
async fn concurrent_edits_of_an_entity_are_conflicts_and_none_is_lost() -> TestResult {
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
    #[model(
        table = "store",
        entity = "line",
        pk = "ORDER#{order_id}#ITEM#{item_id}",
        sk = "ORDER#{order_id}#ITEM#{item_id}",
        index(name = "gsi1", pk = "ORDER#{order_id}", sk = "ITEM#{item_id}")
    )]
    struct Line {
        order_id: String,
        item_id: String,
        quantity: i64,
        #[model(version)]
        version: i64,
    }
    let db = TestDb::new().await?;
    db.mapper
        .create_shared_table::<(Line, OrderItem)>(Throughput::OnDemand)
        .await?;
    db.mapper
        .create(&Line {
            order_id: "01".into(),
            item_id: "1".into(),
            quantity: 0,
            version: 0,
        })
        .await?;
    let conflicts = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let mapper = db.mapper.clone();
        let conflicts = conflicts.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                loop {
                    let mut line = mapper.get::<Line>(Line::key_of("01", "1")?).await?;
                    line.quantity += 1;
                    match mapper.save(&mut line).await {
                        Ok(()) => break,
                        Err(e) if e.is_conflict() => {
                            conflicts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok::<(), Error>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    let item = raw(&db, "ORDER#01#ITEM#1", "ORDER#01#ITEM#1")
        .await?
        .ok_or("gone")?;
    assert_eq!(item.get("quantity"), Some(&AttributeValue::N("160".into())));
    assert_eq!(item.get("version"), Some(&AttributeValue::N("161".into())));
    assert_eq!(text(&item, "gsi1pk"), Some("ORDER#01"));
    assert_eq!(text(&item, "gsi1sk"), Some("ITEM#1"));
    eprintln!(
        "160 increments by 16 tasks, {} conflicts retried",
        conflicts.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert!(conflicts.load(std::sync::atomic::Ordering::Relaxed) > 0);
    Ok(())
}

/// A polymorphic item: whichever of these entity types is under a key.
#[derive(Debug, mapper::Collection)]
enum Account {
    Customer(Customer),
    Order(mapper::Item<Order>),
}

#[tokio::test]
async fn an_enum_of_entity_types_reads_one_item_as_the_variant_of_its_type() -> TestResult {
    let db = store().await?;
    let m = &db.mapper;
    m.create(&Customer {
        username: "ann".into(),
        name: "Ann".into(),
    })
    .await?;
    m.create(&order("ann", "01", "placed")).await?;
    m.put(&Reading {
        sensor: "s".into(),
        seq: 1,
    })
    .await?;

    let Account::Customer(customer) = m.get_any::<Account>(Customer::key_of("ann")?).await? else {
        return Err("the customer's key is not read as a customer".into());
    };
    assert_eq!(customer.name, "Ann");
    let Account::Order(mut order) = m.get_any::<Account>(Order::key_of("ann", "01")?).await? else {
        return Err("the order's key is not read as an order".into());
    };
    // The variant is the entity's own item: saved with conflict detection.
    order.status = "shipped".into();
    m.save(&mut order).await?;
    let item = raw(&db, "CUSTOMER#ann", "#ORDER#01").await?.ok_or("gone")?;
    assert_eq!(text(&item, "status"), Some("shipped"));
    assert_eq!(text(&item, "gsi1pk"), Some("STATUS#shipped"));

    // A partition read as the enum; a sort-key prefix reads one type.
    let page = m
        .query_collection::<Account>(Customer::pk_of("ann")?)
        .all()
        .await?;
    assert_eq!(page.len(), 2);
    let orders = m
        .query_collection::<Account>(Customer::pk_of("ann")?)
        .range(mapper::RangeCondition::begins_with(Order::SK_PREFIX))
        .all()
        .await?;
    assert!(matches!(orders.as_slice(), [Account::Order(o)] if o.order_id == "01"));

    // An item of a type the enum does not name, and none at all.
    let err = m
        .get_any::<Account>(Reading::key_of("s", 1)?)
        .await
        .err()
        .ok_or("a reading was read as an account")?;
    assert!(matches!(err, Error::OtherEntity { .. }), "{err}");
    assert!(
        m.find_any::<Account>(Customer::key_of("bob")?)
            .await?
            .is_none()
    );
    assert!(
        m.get_any::<Account>(Customer::key_of("bob")?)
            .await
            .err()
            .is_some_and(|e| e.is_not_found())
    );
    Ok(())
}

/// A ticket is in the assignee index only while it has an assignee (a
/// sparse index); its blind put keeps `created_at` (one `UpdateItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(
    table = "store",
    entity = "ticket",
    pk = "TICKET#{id}",
    sk = "TICKET#{id}",
    index(name = "gsi1", pk = "ASSIGNEE#{assignee}", sk = "TICKET#{id}")
)]
struct Ticket {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignee: Option<String>,
    #[model(created_at)]
    #[serde(
        with = "validate::datetime::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    created: Option<time::OffsetDateTime>,
}

#[tokio::test]
async fn an_index_key_of_an_optional_field_is_written_only_while_the_field_is_there() -> TestResult
{
    let db = store().await?;
    let m = &db.mapper;
    let ticket = |assignee: Option<&str>| Ticket {
        id: "t1".into(),
        assignee: assignee.map(str::to_owned),
        created: None,
    };
    let index_key = || async {
        Ok::<_, SetupError>(
            raw(&db, "TICKET#t1", "TICKET#t1")
                .await?
                .ok_or("gone")?
                .get("gsi1pk")
                .and_then(|v| v.as_s().ok())
                .cloned(),
        )
    };
    let assigned_to = |who: &'static str| async move {
        Ok::<_, SetupError>(
            m.query_index(Ticket::GSI1, Ticket::gsi1pk_of(who)?)
                .all()
                .await?
                .len(),
        )
    };
    m.create(&ticket(None)).await?;
    assert_eq!(index_key().await?, None, "not in the index");
    // A partial save that sets the field writes the index key…
    let mut loaded = m.get::<Ticket>(Ticket::key_of("t1")?).await?;
    loaded.assignee = Some("ann".into());
    m.save(&mut loaded).await?;
    assert_eq!(index_key().await?.as_deref(), Some("ASSIGNEE#ann"));
    assert_eq!(assigned_to("ann").await?, 1);
    // …and one that clears it removes the index key.
    loaded.assignee = None;
    m.save(&mut loaded).await?;
    assert_eq!(index_key().await?, None, "a stale index key was kept");
    assert_eq!(assigned_to("ann").await?, 0);
    // A blind put (an `UpdateItem` keeping `created_at`) does the same.
    m.put(&ticket(Some("bob"))).await?;
    assert_eq!(index_key().await?.as_deref(), Some("ASSIGNEE#bob"));
    m.put(&ticket(None)).await?;
    assert_eq!(
        index_key().await?,
        None,
        "a blind put kept a stale index key"
    );
    assert_eq!(assigned_to("bob").await?, 0);
    let stored = m.get::<Ticket>(Ticket::key_of("t1")?).await?;
    assert!(stored.created.is_some() && stored.assignee.is_none());
    Ok(())
}
