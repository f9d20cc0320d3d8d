//! Native transactions against DynamoDB Local: all actions or none, the
//! reasons of a cancellation in the caller's order, local refusal of what
//! DynamoDB would refuse whole, idempotency tokens, and conflicts and lost
//! answers resent through the fault proxy, each applied exactly once.

mod models;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::error::Cause;
use mapper::{Error, Item, Mapper, Model, Throughput, Update, attr};
use models::Account;
use serde::{Deserialize, Serialize};
use test_support::{FaultProxy, FaultStats, Faults, SetupError, TestDb};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "wallet")]
struct Wallet {
    #[model(hash_key)]
    id: String,
    #[model(range = 0..)]
    balance: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "reward")]
struct Reward {
    #[model(hash_key)]
    user: String,
    #[model(range_key)]
    name: String,
    #[serde(default)]
    #[model(default = "")]
    blob: String,
}

fn wallet(id: &str, balance: i64) -> Wallet {
    Wallet {
        id: id.into(),
        balance,
    }
}

fn reward(user: &str, name: &str) -> Reward {
    Reward {
        user: user.into(),
        name: name.into(),
        blob: String::new(),
    }
}

/// The stored balance of wallet `id`, read raw.
async fn balance(db: &TestDb, id: &str) -> Result<Option<i64>, SetupError> {
    let out = db
        .client()
        .get_item()
        .table_name(db.table::<Wallet>())
        .key("id", AttributeValue::S(id.into()))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out
        .item
        .and_then(|i| i.get("balance").and_then(|b| b.as_n().ok()?.parse().ok())))
}

async fn rewards(db: &TestDb) -> Result<i32, SetupError> {
    let out = db
        .client()
        .scan()
        .table_name(db.table::<Reward>())
        .consistent_read(true)
        .send()
        .await?;
    Ok(out.count())
}

/// Wallets and rewards in one test's tables.
async fn setup() -> Result<TestDb, SetupError> {
    let db = TestDb::with_table::<Wallet>().await?;
    db.mapper
        .create_table::<Reward>(Throughput::OnDemand)
        .await?;
    Ok(db)
}

fn transfer<'m>(
    mapper: &'m Mapper,
    from: &str,
    to: &str,
    amount: i64,
) -> mapper::TransactWrite<'m> {
    mapper
        .transact_write()
        .update::<Wallet>(from, &Update::new().decrement("balance", amount), None)
        .update::<Wallet>(to, &Update::new().increment("balance", amount), None)
}

#[tokio::test]
async fn a_transaction_applies_every_action_or_none() -> TestResult {
    let db = setup().await?;
    db.mapper.create(&wallet("a", 100)).await?;
    db.mapper.create(&wallet("b", 0)).await?;
    transfer(&db.mapper, "a", "b", 10)
        .create(&reward("a", "first"))
        .send()
        .await?;
    assert_eq!(
        (balance(&db, "a").await?, balance(&db, "b").await?),
        (Some(90), Some(10))
    );
    assert_eq!(rewards(&db).await?, 1);
    // The reward exists: the whole transaction is canceled.
    let err = transfer(&db.mapper, "a", "b", 10)
        .create(&reward("a", "first"))
        .send()
        .await
        .err()
        .ok_or("applied")?;
    let Error::TransactionCanceled { reasons, .. } = &err else {
        return Err(format!("not a cancellation: {err}").into());
    };
    assert_eq!(reasons.len(), 1, "{err}");
    assert_eq!(
        (reasons[0].index, reasons[0].code.as_str()),
        (2, "ConditionalCheckFailed")
    );
    // A taken key is no conflict: a retry meets it again.
    assert_eq!(reasons[0].cause, Cause::Taken);
    assert!(!err.is_conflict() && !err.is_retryable());
    assert_eq!(
        (balance(&db, "a").await?, balance(&db, "b").await?),
        (Some(90), Some(10))
    );
    // The schema's range holds: a transfer past a's balance is refused whole.
    let err = transfer(&db.mapper, "a", "b", 91)
        .send()
        .await
        .err()
        .ok_or("applied")?;
    assert!(err.to_string().contains("[0] "), "{err}");
    // A schema guard, not a conflict (regression: is_conflict() was true,
    // so a retry-on-conflict loop retried an overdraft forever); the
    // cause names the attribute and its rule.
    assert!(!err.is_conflict(), "{err}");
    let Error::TransactionCanceled { reasons, .. } = &err else {
        return Err(format!("not a cancellation: {err}").into());
    };
    let Cause::Rule(errors) = &reasons[0].cause else {
        return Err(format!("not a rule: {err}").into());
    };
    assert!(errors.to_string().contains("balance"), "{errors}");
    assert!(err.to_string().contains("the update would break"), "{err}");
    assert_eq!(balance(&db, "a").await?, Some(90));
    // A transfer to a missing wallet: not found, nothing applied.
    let err = transfer(&db.mapper, "a", "nobody", 10)
        .send()
        .await
        .err()
        .ok_or("applied")?;
    assert!(!err.is_conflict(), "{err}");
    let Error::TransactionCanceled { reasons, .. } = &err else {
        return Err(format!("not a cancellation: {err}").into());
    };
    assert_eq!(reasons[0].cause, Cause::NotFound, "{err}");
    assert_eq!(balance(&db, "a").await?, Some(90));
    assert_eq!(balance(&db, "nobody").await?, None);
    Ok(())
}

#[tokio::test]
async fn cancellation_reasons_are_in_the_callers_order_with_the_stored_item() -> TestResult {
    let db = setup().await?;
    db.mapper.create(&wallet("a", 5)).await?;
    let err = db
        .mapper
        .transact_write()
        .put(&wallet("x", 1))
        .check::<Wallet>("a", attr("balance").gt(10))
        .create(&reward("a", "r"))
        .send()
        .await
        .err()
        .ok_or("applied")?;
    let Error::TransactionCanceled { reasons, .. } = err else {
        return Err("not a cancellation".into());
    };
    assert_eq!(reasons.len(), 1);
    let reason = &reasons[0];
    assert_eq!(reason.index, 1);
    assert_eq!(reason.code, "ConditionalCheckFailed");
    assert_eq!(
        reason.cause,
        Cause::Condition,
        "the caller's check is false"
    );
    assert_eq!(reason.key.to_string(), "id=\"a\"");
    assert_eq!(
        reason.item.as_ref().and_then(|i| i.get("balance")),
        Some(&AttributeValue::N("5".into()))
    );
    assert_eq!(balance(&db, "x").await?, None, "nothing applied");
    assert_eq!(rewards(&db).await?, 0);
    Ok(())
}

#[tokio::test]
async fn save_and_delete_in_a_transaction_refresh_the_items() -> TestResult {
    let db = TestDb::with_table::<Account>().await?;
    let account = |id: &str, balance| Account {
        id: id.into(),
        balance,
        version: 0,
    };
    db.mapper.create(&account("a", 10)).await?;
    db.mapper.create(&account("b", 20)).await?;
    let mut a: Item<Account> = db.mapper.get("a").await?;
    let mut b: Item<Account> = db.mapper.get("b").await?;
    let mut c = Item::new(account("c", 30));
    a.balance = 11;
    db.mapper
        .transact_write()
        .save(&mut a)
        .delete(&mut b)
        .save(&mut c)
        .send()
        .await?;
    assert_eq!((a.version, c.version), (2, 1), "items hold what is stored");
    assert!(!b.is_stored(), "a deleted item is new again");
    let stored = db.mapper.get_consistent::<Account>("a").await?;
    assert_eq!((stored.balance, stored.version), (11, 2));
    assert!(db.mapper.find::<Account>("b").await?.is_none());
    assert_eq!(db.mapper.get_consistent::<Account>("c").await?.balance, 30);
    // A stale item: the version check cancels the transaction.
    let mut stale: Item<Account> = db.mapper.get_consistent("c").await?;
    c.balance = 31;
    db.mapper.save(&mut c).await?;
    stale.balance = 99;
    let err = db
        .mapper
        .transact_write()
        .save(&mut stale)
        .send()
        .await
        .err()
        .ok_or("saved")?;
    assert!(err.is_conflict(), "{err}");
    assert_eq!(db.mapper.get_consistent::<Account>("c").await?.balance, 31);
    Ok(())
}

#[tokio::test]
async fn limits_are_refused_before_any_request() -> TestResult {
    let db = setup().await?;
    let proxy = FaultProxy::start(&test_support::endpoint().await?, Faults::default()).await?;
    let counted = db.through(&proxy.endpoint, 1);
    let many = |n: usize| {
        (0..n).fold(counted.transact_write(), |tx, i| {
            tx.put(&wallet(&format!("w{i}"), 1))
        })
    };
    let refused = [
        many(101).send().await,
        counted
            .transact_write()
            .put(&wallet("a", 1))
            .update::<Wallet>("a", &Update::new().increment("balance", 1), None)
            .send()
            .await,
        (0..11)
            .fold(counted.transact_write(), |tx, i| {
                tx.put(&Reward {
                    blob: "x".repeat(390 * 1024),
                    ..reward("big", &i.to_string())
                })
            })
            .send()
            .await,
        counted
            .transact_write()
            .put(&wallet("a", 1))
            .token("t".repeat(37))
            .send()
            .await,
    ];
    for (i, result) in refused.into_iter().enumerate() {
        let err = result.err().ok_or(format!("case {i} was sent"))?;
        assert!(
            matches!(err, Error::InvalidTransaction { .. }),
            "case {i}: {err}"
        );
    }
    assert_eq!(
        FaultStats::get(&proxy.stats.requests),
        0,
        "nothing was sent"
    );
    // A bad action is a validation error at its position.
    let err = counted
        .transact_write()
        .put(&wallet("a", 1))
        .put(&wallet("b", -1))
        .send()
        .await
        .err()
        .ok_or("sent")?;
    assert!(
        err.to_string()
            .contains("[1].balance: -1 is out of range 0.."),
        "{err}"
    );
    many(100).send().await?;
    let scanned = db
        .client()
        .scan()
        .table_name(db.table::<Wallet>())
        .send()
        .await?;
    assert_eq!(scanned.count(), 100);
    Ok(())
}

#[tokio::test]
async fn the_same_token_applies_once() -> TestResult {
    let db = setup().await?;
    db.mapper.create(&wallet("a", 0)).await?;
    // Tokens are the account's: one of this run's own.
    let token = format!("bump-{}", db.table::<Wallet>());
    let token = &token[token.len().saturating_sub(36)..];
    let bump = || {
        db.mapper
            .transact_write()
            .update::<Wallet>("a", &Update::new().increment("balance", 1), None)
            .token(token)
    };
    bump().send().await?;
    bump().send().await?;
    assert_eq!(balance(&db, "a").await?, Some(1));
    let err = db
        .mapper
        .transact_write()
        .update::<Wallet>("a", &Update::new().increment("balance", 2), None)
        .token(token)
        .send()
        .await
        .err()
        .ok_or("applied")?;
    assert!(matches!(err, Error::InvalidTransaction { .. }), "{err}");
    assert_eq!(balance(&db, "a").await?, Some(1));
    Ok(())
}

#[tokio::test]
async fn conflicts_and_lost_answers_are_resent_and_apply_exactly_once() -> TestResult {
    let db = setup().await?;
    db.mapper.create(&wallet("a", 0)).await?;
    for faults in [
        Faults {
            transaction_conflict: 0.3,
            ..Faults::default()
        },
        Faults {
            lost_answer: 0.3,
            ..Faults::default()
        },
    ] {
        let proxy = FaultProxy::start(&test_support::endpoint().await?, faults).await?;
        let fragile = db.through(&proxy.endpoint, 12);
        let before = balance(&db, "a").await?.ok_or("no wallet")?;
        for i in 0..200 {
            let sent = fragile
                .transact_write()
                .update::<Wallet>("a", &Update::new().increment("balance", 1), None)
                .send()
                .await;
            if let Err(e) = sent {
                return Err(format!(
                    "transaction {i} under {faults:?}: {e} ({} requests)",
                    FaultStats::get(&proxy.stats.requests)
                )
                .into());
            }
        }
        let injected = FaultStats::get(&proxy.stats.transaction_conflicts)
            + FaultStats::get(&proxy.stats.lost_answers);
        assert!(injected > 30, "{injected} faults injected");
        assert_eq!(balance(&db, "a").await?, Some(before + 200), "{faults:?}");
    }
    Ok(())
}

#[tokio::test]
async fn transact_get_reads_typed_items_over_two_tables() -> TestResult {
    let db = setup().await?;
    db.mapper.create(&wallet("a", 1)).await?;
    db.mapper.create(&wallet("b", 2)).await?;
    db.mapper.create(&reward("a", "gold")).await?;
    let mut tx = db.mapper.transact_get();
    let a = tx.get::<Wallet>("a");
    let gold = tx.get::<Reward>(("a", "gold"));
    let missing = tx.get::<Wallet>("nobody");
    let b = tx.get::<Wallet>("b");
    let mut got = tx.send().await?;
    assert_eq!(got.take(a)?.map(|w| w.balance), Some(1));
    assert_eq!(
        got.take(gold)?.map(|r| r.name.clone()),
        Some("gold".to_owned())
    );
    assert!(got.take(missing)?.is_none());
    assert_eq!(got.take(b)?.map(|w| w.balance), Some(2));
    Ok(())
}
