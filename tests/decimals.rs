//! `rust_decimal::Decimal` fields (feature `rust_decimal`) against
//! DynamoDB Local: stored as numbers digit for digit, read back exactly,
//! settable and incremented by typed updates, refused (not rounded) when
//! a stored number is past a `Decimal`'s range.

use std::collections::HashMap;
use std::str::FromStr;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Model, Update};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use test_support::{SetupError, TestDb};
use validate::Number;

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "decimal_prices")]
struct Price {
    #[model(hash_key)]
    sku: String,
    #[serde(with = "validate::decimal")]
    amount: Decimal,
    #[serde(
        with = "validate::decimal::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    discount: Option<Decimal>,
}

async fn stored(db: &TestDb, sku: &str) -> Result<HashMap<String, AttributeValue>, SetupError> {
    let out = db
        .client()
        .get_item()
        .table_name(db.table::<Price>())
        .key("sku", AttributeValue::S(sku.into()))
        .send()
        .await?;
    Ok(out.item().cloned().ok_or("no item stored")?)
}

#[tokio::test]
async fn decimals_are_stored_as_numbers_and_read_back_exactly() -> TestResult {
    let db = TestDb::with_table::<Price>().await?;
    // 19 significant digits: past what an f64 holds exactly.
    let price = Price {
        sku: "p1".into(),
        amount: Decimal::from_str("12345678901234567.89")?,
        discount: Some(Decimal::from_str("0.10")?),
    };
    db.mapper.put(&price).await?;
    let raw = stored(&db, "p1").await?;
    assert_eq!(
        raw["amount"],
        AttributeValue::N("12345678901234567.89".into())
    );
    // DynamoDB keeps the value, not the scale.
    assert_eq!(raw["discount"], AttributeValue::N("0.1".into()));
    let got = db.mapper.get::<Price>("p1").await?;
    assert_eq!(got.amount, price.amount);
    assert_eq!(got.discount, Some(Decimal::from_str("0.1")?));

    // Typed updates take the exact number, judged by the Decimal's rule.
    let update = Update::new()
        .set(
            Price::AMOUNT,
            Number::from(Decimal::from_str("12345678901234567.90")?),
        )
        .set(Price::DISCOUNT, Number::from(Decimal::from_str("0.25")?));
    let after = db.mapper.update::<Price>("p1", &update).await?;
    assert_eq!(after.amount, Decimal::from_str("12345678901234567.9")?);
    let raw = stored(&db, "p1").await?;
    assert_eq!(
        raw["amount"],
        AttributeValue::N("12345678901234567.9".into())
    );
    assert_eq!(raw["discount"], AttributeValue::N("0.25".into()));
    Ok(())
}

#[tokio::test]
async fn a_stored_number_past_a_decimal_is_an_error_not_a_rounding() -> TestResult {
    let db = TestDb::with_table::<Price>().await?;
    // Written by other code: 38 digits, valid in DynamoDB, not a Decimal.
    db.client()
        .put_item()
        .table_name(db.table::<Price>())
        .item("sku", AttributeValue::S("big".into()))
        .item(
            "amount",
            AttributeValue::N("12345678901234567890123456789012345678".into()),
        )
        .send()
        .await?;
    let err = db
        .mapper
        .get::<Price>("big")
        .await
        .err()
        .ok_or("a number past a Decimal was read")?;
    assert!(err.is_stored_item(), "{err}");
    assert!(err.to_string().contains("amount"), "{err}");
    assert!(err.to_string().contains("Decimal's range"), "{err}");
    // An update setting a value past a Decimal is refused before sending,
    // and DynamoDB arithmetic on the field (whose result the rule cannot
    // judge before it exists) is refused too: nothing changes.
    db.mapper
        .put(&Price {
            sku: "p2".into(),
            amount: Decimal::MAX,
            discount: None,
        })
        .await?;
    let past: Number = "1E+29".parse()?;
    let err = db
        .mapper
        .update::<Price>("p2", &Update::new().set(Price::AMOUNT, past))
        .await
        .err()
        .ok_or("a value past a Decimal was set")?;
    assert!(
        err.is_invalid() && err.to_string().contains("amount"),
        "{err}"
    );
    let err = db
        .mapper
        .update::<Price>("p2", &Update::new().increment("amount", 1))
        .await
        .err()
        .ok_or("an increment past a Decimal was applied")?;
    assert!(
        err.is_invalid() && err.to_string().contains("amount"),
        "{err}"
    );
    assert_eq!(
        stored(&db, "p2").await?["amount"],
        AttributeValue::N(Decimal::MAX.to_string())
    );
    Ok(())
}
