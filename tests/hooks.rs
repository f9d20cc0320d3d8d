//! Model hooks against DynamoDB Local: `before_save` checks the whole
//! model on every save path (nothing is written when it refuses) and
//! `after_load` runs on every load path.

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::batch::Write;
use mapper::{Error, Item, Model};
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use validate::{ErrorKind, Errors, PathNode};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "hooked", before_save = discount_within_price, after_load = fill_label)]
struct Priced {
    #[model(hash_key)]
    sku: String,
    price: i64,
    discount: i64,
    /// Derived on load, never stored.
    #[serde(skip)]
    label: String,
}

fn discount_within_price(p: &Priced) -> Result<(), Errors> {
    let mut errors = Errors::new();
    if p.discount > p.price {
        errors.push(
            &PathNode::ROOT.key("discount"),
            ErrorKind::Custom("discount_above_price".into()),
            format!("discount {} is above the price {}", p.discount, p.price),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn fill_label(p: &mut Priced) {
    p.label = format!("{} at {}", p.sku, p.price - p.discount);
}

fn priced(sku: &str, price: i64, discount: i64) -> Priced {
    Priced {
        sku: sku.into(),
        price,
        discount,
        label: String::new(),
    }
}

async fn stored_count(db: &TestDb) -> Result<i32, SetupError> {
    let out = db
        .client()
        .scan()
        .table_name(db.table::<Priced>())
        .send()
        .await?;
    Ok(out.count())
}

fn refused_by_the_hook(err: &Error) -> bool {
    matches!(err, Error::Validation { errors, .. }
        if errors.iter().any(|v| v.path.to_string() == "discount"))
}

#[tokio::test]
async fn before_save_refuses_on_every_save_path_and_nothing_is_written() -> TestResult {
    let db = TestDb::with_table::<Priced>().await?;
    let bad = priced("bad", 10, 50);
    let err = db.mapper.put(&bad).await.err().ok_or("put accepted")?;
    assert!(refused_by_the_hook(&err), "{err}");
    let err = db
        .mapper
        .create(&bad)
        .await
        .err()
        .ok_or("create accepted")?;
    assert!(refused_by_the_hook(&err), "{err}");
    let err = db.mapper.to_attributes(&bad).err().ok_or("converted")?;
    assert!(refused_by_the_hook(&err), "{err}");
    let err = db
        .mapper
        .batch_write([Write::Put(priced("ok", 10, 1)), Write::Put(bad.clone())])
        .await
        .err()
        .ok_or("batch accepted")?;
    assert!(
        matches!(&err, Error::Validation { errors, .. }
            if errors.iter().any(|v| v.path.to_string() == "[1].discount")),
        "{err}"
    );
    let err = db
        .mapper
        .transact_write()
        .put(&priced("ok", 10, 1))
        .put(&bad)
        .send()
        .await
        .err()
        .ok_or("transaction accepted")?;
    assert!(err.to_string().contains("discount"), "{err}");
    assert_eq!(stored_count(&db).await?, 0);

    // A loaded item changed into a bad one is not saved either.
    db.mapper.put(&priced("a", 10, 1)).await?;
    let mut item = db.mapper.get::<Priced>("a").await?;
    item.discount = 99;
    let err = db
        .mapper
        .save(&mut item)
        .await
        .err()
        .ok_or("save accepted")?;
    assert!(refused_by_the_hook(&err), "{err}");
    let raw = db
        .client()
        .get_item()
        .table_name(db.table::<Priced>())
        .key("sku", AttributeValue::S("a".into()))
        .send()
        .await?;
    assert_eq!(
        raw.item().ok_or("gone")?["discount"],
        AttributeValue::N("1".into())
    );
    Ok(())
}

#[tokio::test]
async fn after_load_runs_on_every_load_path() -> TestResult {
    let db = TestDb::with_table::<Priced>().await?;
    let written: Item<Priced> = db.mapper.put(&priced("a", 10, 3)).await?;
    assert_eq!(written.label, "a at 7");
    db.mapper.put(&priced("b", 20, 0)).await?;
    assert_eq!(db.mapper.get::<Priced>("a").await?.label, "a at 7");
    let scanned = db.mapper.scan::<Priced>().all().await?;
    assert!(scanned.iter().all(|p| !p.label.is_empty()));
    let queried = db.mapper.query::<Priced>("b").all().await?;
    assert_eq!(queried[0].label, "b at 20");
    let batch = db.mapper.batch_get::<Priced, _>(["a", "b"]).await?;
    assert!(batch.items.iter().all(|p| !p.label.is_empty()));
    let mut tx = db.mapper.transact_get();
    let slot = tx.get::<Priced>("b");
    let got = tx.send().await?.take(slot)?.ok_or("not read")?;
    assert_eq!(got.label, "b at 20");
    // Never stored.
    let raw = db
        .client()
        .get_item()
        .table_name(db.table::<Priced>())
        .key("sku", AttributeValue::S("a".into()))
        .send()
        .await?;
    assert!(!raw.item().ok_or("gone")?.contains_key("label"));
    Ok(())
}
