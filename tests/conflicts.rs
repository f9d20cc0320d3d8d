//! Conflict detection, overwrite protection, optimistic locking and
//! auto-increment keys, against DynamoDB Local.

mod models;

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::Item;
use mapper::model::COUNTER_ATTRIBUTE;
use models::{Account, DoomMap, Post, doom_map};
use test_support::{SetupError, TestDb};

type TestResult = Result<(), SetupError>;

async fn stored_name(db: &TestDb, episode: i64, map: i64) -> Result<Option<String>, SetupError> {
    let out = db
        .client()
        .get_item()
        .table_name(db.table::<DoomMap>())
        .key("episode", AttributeValue::N(episode.to_string()))
        .key("map", AttributeValue::N(map.to_string()))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out
        .item
        .and_then(|i| i.get("name").and_then(|n| n.as_s().ok().cloned())))
}

#[tokio::test]
async fn second_of_two_concurrent_saves_conflicts_then_succeeds_after_reload() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper.put(&doom_map(1, 1, "Hangar", &["idkfa"])).await?;
    let mut first = db.mapper.get::<DoomMap>((1, 1)).await?;
    let mut second = db.mapper.get::<DoomMap>((1, 1)).await?;
    first.name = "First".into();
    db.mapper.save(&mut first).await?;
    second.name = "Second".into();
    let err = db
        .mapper
        .save(&mut second)
        .await
        .err()
        .ok_or("second save went through")?;
    assert!(err.is_conflict(), "{err}");
    assert_eq!(stored_name(&db, 1, 1).await?.as_deref(), Some("First"));
    let mut second = db.mapper.get::<DoomMap>((1, 1)).await?;
    second.name = "Second".into();
    db.mapper.save(&mut second).await?;
    assert_eq!(stored_name(&db, 1, 1).await?.as_deref(), Some("Second"));
    // The saved item remembers what it wrote: saving again works.
    second.cheats.insert("iddqd".into());
    db.mapper.save(&mut second).await?;
    Ok(())
}

#[tokio::test]
async fn a_set_change_by_another_writer_conflicts_with_a_change_to_the_same_set() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper
        .put(&doom_map(1, 2, "Nuclear Plant", &["idkfa"]))
        .await?;
    let mut mine = db.mapper.get::<DoomMap>((1, 2)).await?;
    let mut theirs = db.mapper.get::<DoomMap>((1, 2)).await?;
    theirs.cheats = BTreeSet::from(["idkfa".to_owned(), "idclip".to_owned()]);
    db.mapper.save(&mut theirs).await?;
    mine.cheats.insert("iddqd".into());
    assert!(
        db.mapper
            .save(&mut mine)
            .await
            .err()
            .ok_or("saved")?
            .is_conflict()
    );
    let stored = db.mapper.get::<DoomMap>((1, 2)).await?;
    assert_eq!(stored.cheats, theirs.cheats);
    Ok(())
}

#[tokio::test]
async fn delete_of_a_stale_item_conflicts_and_keeps_the_item() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper
        .put(&doom_map(1, 3, "Toxin Refinery", &[]))
        .await?;
    let mut stale = db.mapper.get::<DoomMap>((1, 3)).await?;
    let mut fresh = db.mapper.get::<DoomMap>((1, 3)).await?;
    fresh.name = "Changed".into();
    db.mapper.save(&mut fresh).await?;
    let err = db.mapper.delete(&mut stale).await.err().ok_or("deleted")?;
    assert!(err.is_conflict(), "{err}");
    assert_eq!(stored_name(&db, 1, 3).await?.as_deref(), Some("Changed"));
    let mut current = db.mapper.get::<DoomMap>((1, 3)).await?;
    db.mapper.delete(&mut current).await?;
    assert_eq!(stored_name(&db, 1, 3).await?, None);
    Ok(())
}

#[tokio::test]
async fn saving_a_new_item_over_an_existing_key_fails_and_changes_nothing() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper
        .create(&doom_map(1, 4, "Command Control", &[]))
        .await?;
    let err = db
        .mapper
        .create(&doom_map(1, 4, "Impostor", &[]))
        .await
        .err()
        .ok_or("overwrote")?;
    assert!(err.is_overwrite(), "{err}");
    let mut new = Item::new(doom_map(1, 4, "Impostor", &[]));
    assert!(
        db.mapper
            .save(&mut new)
            .await
            .err()
            .ok_or("overwrote")?
            .is_overwrite()
    );
    assert!(!new.is_stored());
    assert_eq!(
        stored_name(&db, 1, 4).await?.as_deref(),
        Some("Command Control")
    );
    Ok(())
}

#[tokio::test]
async fn version_attribute_locks_put_save_and_delete() -> TestResult {
    let db = TestDb::with_table::<Account>().await?;
    let created = db
        .mapper
        .put(&Account {
            id: "a".into(),
            balance: 10,
            version: 0,
        })
        .await?;
    assert_eq!(created.version, 1);
    // A blind put with a stale version is refused.
    let err = db
        .mapper
        .put(&Account {
            id: "a".into(),
            balance: 99,
            version: 0,
        })
        .await
        .err()
        .ok_or("put")?;
    assert!(err.is_conflict(), "{err}");
    // So is one through `put_only`, which checks the version the same way.
    let err = db
        .mapper
        .put_only(&Account {
            id: "a".into(),
            balance: 99,
            version: 0,
        })
        .await
        .err()
        .ok_or("put_only")?;
    assert!(err.is_conflict(), "{err}");
    db.mapper
        .put_only(&Account {
            id: "b".into(),
            balance: 7,
            version: 0,
        })
        .await?;
    assert_eq!(db.mapper.get_consistent::<Account>("b").await?.version, 1);
    let mut one = db.mapper.get::<Account>("a").await?;
    let mut two = db.mapper.get::<Account>("a").await?;
    one.balance += 5;
    db.mapper.save(&mut one).await?;
    assert_eq!(one.version, 2);
    two.balance -= 5;
    assert!(
        db.mapper
            .save(&mut two)
            .await
            .err()
            .ok_or("saved")?
            .is_conflict()
    );
    assert!(
        db.mapper
            .delete(&mut two)
            .await
            .err()
            .ok_or("deleted")?
            .is_conflict()
    );
    let mut stored = db.mapper.get_consistent::<Account>("a").await?;
    assert_eq!((stored.balance, stored.version), (15, 2));
    db.mapper.delete(&mut stored).await?;
    assert!(db.mapper.find::<Account>("a").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn eight_concurrent_inserters_get_distinct_dense_keys() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    let per_task = 10;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let mapper = db.mapper.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..per_task {
                let post = mapper
                    .insert_auto(&Post {
                        id: 0,
                        title: format!("{t}-{i}"),
                    })
                    .await?;
                ids.push(post.id);
            }
            Ok::<_, mapper::Error>(ids)
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.extend(task.await??);
    }
    ids.sort_unstable();
    assert_eq!(ids, (1..=80).collect::<Vec<i64>>());
    let counter = db
        .client()
        .get_item()
        .table_name(db.table::<Post>())
        .key("id", AttributeValue::N("-1".into()))
        .consistent_read(true)
        .send()
        .await?;
    let counter = counter.item.and_then(|i| i.get(COUNTER_ATTRIBUTE).cloned());
    assert_eq!(counter, Some(AttributeValue::N("80".into())));
    let scanned = db.mapper.scan::<Post>().consistent().all().await?;
    assert_eq!(scanned.len(), 80);
    assert!(scanned.iter().all(|p| p.id > 0));
    // A limit counts items returned: the counter item never takes a slot.
    for limit in [1, 79, 80, 200] {
        assert_eq!(
            db.mapper
                .scan::<Post>()
                .consistent()
                .limit(limit)
                .all()
                .await?
                .len(),
            limit.min(80)
        );
    }
    assert!(db.mapper.query::<Post>(-1).all().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn auto_increment_skips_keys_taken_by_direct_writes() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    db.mapper
        .put(&Post {
            id: 1,
            title: "direct".into(),
        })
        .await?;
    db.mapper
        .put(&Post {
            id: 2,
            title: "direct".into(),
        })
        .await?;
    let post = db
        .mapper
        .insert_auto(&Post {
            id: 0,
            title: "auto".into(),
        })
        .await?;
    assert_eq!(post.id, 3);
    assert_eq!(db.mapper.get::<Post>(1).await?.title, "direct");
    Ok(())
}

#[tokio::test]
async fn the_counter_key_is_refused_for_items() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    let err = db
        .mapper
        .put(&Post {
            id: -1,
            title: "sneaky".into(),
        })
        .await
        .err()
        .ok_or("saved at -1")?;
    assert_eq!(
        err.errors().map(ToString::to_string).as_deref(),
        Some("id: hash key -1 is reserved for the auto-increment counter")
    );
    Ok(())
}

#[tokio::test]
async fn an_invalid_auto_increment_insert_takes_no_key() -> TestResult {
    let db = TestDb::with_table::<Post>().await?;
    let err = db
        .mapper
        .insert_auto(&Post {
            id: 0,
            title: String::new(),
        })
        .await
        .err()
        .ok_or("inserted")?;
    assert_eq!(
        err.errors().map(ToString::to_string).as_deref(),
        Some("title: length 0 is out of range 1..")
    );
    let post = db
        .mapper
        .insert_auto(&Post {
            id: 0,
            title: "first".into(),
        })
        .await?;
    assert_eq!(post.id, 1);
    Ok(())
}
