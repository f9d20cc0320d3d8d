//! Batches against DynamoDB Local: thousands of items, chunked, retried,
//! ordered, deduplicated, validated first.

mod models;

use mapper::batch::Write;
use mapper::{BatchOptions, Key};
use models::{Account, DoomMap, Post, doom_map};
use test_support::{SetupError, TestDb};

type TestResult = Result<(), SetupError>;

fn post(id: i64) -> Post {
    Post {
        id,
        title: format!("post {id}"),
    }
}

async fn count(db: &TestDb) -> Result<usize, SetupError> {
    let mut total = 0;
    let mut start = None;
    loop {
        let out = db
            .client()
            .scan()
            .table_name(db.table::<Post>())
            .select(aws_sdk_dynamodb::types::Select::Count)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        total += out.count() as usize;
        match out.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return Ok(total),
        }
    }
}

#[tokio::test]
async fn ten_thousand_items_in_one_batch_write_are_all_stored() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    let options = BatchOptions {
        concurrency: 8,
        ..BatchOptions::default()
    };
    let written = db
        .mapper
        .batch_write_with((1..=10_000).map(|i| Write::Put(post(i))), options)
        .await?;
    assert_eq!(written, 10_000);
    assert_eq!(count(&db).await?, 10_000);
    assert_eq!(db.mapper.get::<Post>(7_777).await?.title, "post 7777");
    Ok(())
}

#[tokio::test]
async fn batch_get_of_1500_keys_returns_items_in_the_order_asked_with_missing_reported()
-> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    db.mapper
        .batch_write((1..=1_400).map(|i| Write::Put(post(i))))
        .await?;
    // Descending order, with duplicates and 100 keys that have no item.
    let mut keys: Vec<i64> = (1..=1_500).rev().collect();
    keys.extend([5, 5, 1_450]);
    let got = db.mapper.batch_get::<Post, _>(keys).await?;
    let ids: Vec<i64> = got.items.iter().map(|p| p.id).collect();
    assert_eq!(ids, (1..=1_400).rev().collect::<Vec<_>>());
    let missing: Vec<Key> = (1_401..=1_500)
        .rev()
        .map(|i| Key {
            hash: i.into(),
            range: None,
        })
        .collect();
    assert_eq!(got.missing, missing);
    Ok(())
}

#[tokio::test]
async fn one_invalid_put_and_nothing_is_written() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    let writes = vec![
        Write::Put(doom_map(1, 1, "Hangar", &[])),
        Write::Put(doom_map(1, 2, "", &[])),
        Write::Put(doom_map(7, 3, "Toxin", &[])),
        Write::delete((1, 4)),
        Write::delete(("x", 5)),
    ];
    let err = db.mapper.batch_write(writes).await.err().ok_or("written")?;
    assert_eq!(
        err.errors().map(ToString::to_string).as_deref(),
        Some(
            "[1].name: length 0 is out of range 1..=64\n[2].episode: 7 is out of range 1..=4\n[4].episode: expected an integer, got string \"x\""
        )
    );
    assert!(db.mapper.find::<DoomMap>((1, 1)).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn puts_and_deletes_mix_and_the_last_write_of_a_key_wins() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper
        .batch_write((1..=9).map(|m| Write::Put(doom_map(1, m, &format!("E1M{m}"), &[]))))
        .await?;
    let writes = vec![
        Write::delete((1, 1)),
        Write::Put(doom_map(1, 2, "first", &[])),
        Write::Put(doom_map(1, 2, "second", &[])),
        Write::Put(doom_map(1, 3, "kept", &[])),
        Write::delete((1, 3)),
        Write::Put(doom_map(2, 1, "new", &[])),
    ];
    let applied = db.mapper.batch_write(writes).await?;
    assert_eq!(applied, 4);
    assert!(db.mapper.find::<DoomMap>((1, 1)).await?.is_none());
    assert_eq!(db.mapper.get::<DoomMap>((1, 2)).await?.name, "second");
    assert!(db.mapper.find::<DoomMap>((1, 3)).await?.is_none());
    assert_eq!(db.mapper.get::<DoomMap>((2, 1)).await?.name, "new");
    assert_eq!(db.mapper.query::<DoomMap>(1).all().await?.len(), 7);
    Ok(())
}

#[tokio::test]
async fn large_items_are_split_under_the_request_size_limit() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    // 25 items of ~300 KB would be a 7.5 MB request; 60 of them exceed
    // 16 MB over three chunks of 25 — the byte limit splits them further.
    let big = "x".repeat(300_000);
    let posts = (1..=60).map(|i| {
        Write::Put(Post {
            id: i,
            title: big.clone(),
        })
    });
    assert_eq!(db.mapper.batch_write(posts).await?, 60);
    assert_eq!(count(&db).await?, 60);
    let too_big = Post {
        id: 61,
        title: "x".repeat(410_000),
    };
    let err = db.mapper.put(&too_big).await.err().ok_or("stored")?;
    assert!(
        err.to_string().contains("DynamoDB's limit is 409600"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn a_batch_put_of_a_versioned_model_is_refused_and_sends_nothing() -> TestResult {
    let db = TestDb::with_table::<Account>().await?;
    let accounts = (0..30).map(|i| Account {
        id: format!("a{i}"),
        balance: i,
        version: 0,
    });
    let err = db
        .mapper
        .batch_write(accounts.map(Write::Put))
        .await
        .err()
        .ok_or("a batch put of versioned items was accepted")?;
    assert!(matches!(err, mapper::Error::Usage { .. }), "{err}");
    assert!(err.to_string().contains("`version`"), "{err}");
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    let stored = db
        .client()
        .scan()
        .table_name(db.table::<Account>())
        .send()
        .await?;
    assert_eq!(stored.count(), 0);
    // Deletes by key stay allowed (blind, as `delete_key` is).
    db.mapper
        .put(&Account {
            id: "kept".into(),
            balance: 1,
            version: 0,
        })
        .await?;
    db.mapper
        .batch_write::<Account>([Write::delete("kept")])
        .await?;
    let gone = db
        .client()
        .get_item()
        .table_name(db.table::<Account>())
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S("kept".into()),
        )
        .send()
        .await?;
    assert!(gone.item().is_none());
    Ok(())
}
