//! Queries and scans as streams against DynamoDB Local: pagination with
//! bounded memory, cursors bound to their query, filters, projections,
//! parallel scans, secondary indexes.

mod models;

use std::collections::BTreeSet;

use futures::{StreamExt, TryStreamExt};
use mapper::batch::Write;
use mapper::{Cursor, Error, Item, RangeCondition, attr, size};
use models::{Score, score};
use test_support::{SetupError, TestDb};
use validate::Value;

type TestResult = Result<(), SetupError>;

/// `games` games for each player, 8 KB each when `padded` (so DynamoDB's
/// 1 MB page limit splits a query into several pages).
async fn scores(db: &TestDb, players: &[&str], games: i64, padded: bool) -> TestResult {
    let writes = players.iter().flat_map(|p| {
        (0..games).map(move |g| {
            let mut s = score(p, g, (g * 7) % 100, if g % 2 == 0 { "red" } else { "blue" });
            if padded {
                s.padding = "x".repeat(8 * 1024);
            }
            if g % 10 == 0 {
                s.status = Some("champion".into());
            }
            Write::Put(s)
        })
    });
    db.mapper.batch_write(writes).await?;
    Ok(())
}

fn games(items: &[Item<Score>]) -> Vec<i64> {
    items.iter().map(|s| s.game).collect()
}

#[tokio::test]
async fn a_query_spanning_many_pages_streams_and_resumes_from_a_cursor() -> TestResult {
    let db = TestDb::with_table::<Score>().await?;
    scores(&db, &["ann", "bob"], 300, true).await?;

    // 300 × 8 KB is more than DynamoDB returns in one page (1 MB).
    let pages: Vec<_> = db
        .mapper
        .query::<Score>("ann")
        .pages()
        .try_collect()
        .await?;
    assert!(pages.len() >= 3, "{} pages", pages.len());
    assert!(pages[..pages.len() - 1].iter().all(|p| p.cursor.is_some()));
    assert!(pages.last().unwrap().cursor.is_none());

    let all: Vec<Item<Score>> = db
        .mapper
        .query::<Score>("ann")
        .stream()
        .try_collect()
        .await?;
    assert_eq!(games(&all), (0..300).collect::<Vec<_>>());

    // The first page, then the rest in a new stream from its cursor.
    let mut first = Box::pin(db.mapper.query::<Score>("ann").pages());
    let page = first.next().await.unwrap()?;
    drop(first);
    let cursor = Cursor::from_string(page.cursor.unwrap().to_string());
    let rest: Vec<Item<Score>> = db
        .mapper
        .query::<Score>("ann")
        .after(cursor)
        .stream()
        .try_collect()
        .await?;
    let mut resumed = games(&page.items);
    resumed.extend(games(&rest));
    assert_eq!(resumed, (0..300).collect::<Vec<_>>());

    // Page by page, as an API would: 7 pages of 45 and one of 0..=300 % 45.
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut requests = 0;
    loop {
        let mut query = db.mapper.query::<Score>("ann").reverse();
        if let Some(c) = cursor.take() {
            query = query.after(c);
        }
        let page = query.page(45).await?;
        assert!(page.items.len() <= 45);
        seen.extend(games(&page.items));
        requests += 1;
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, (0..300).rev().collect::<Vec<_>>());
    assert!((7..=8).contains(&requests), "{requests} pages");
    Ok(())
}

#[tokio::test]
async fn a_cursor_is_refused_by_any_other_query() -> TestResult {
    let db = TestDb::with_table::<Score>().await?;
    scores(&db, &["ann", "bob"], 20, false).await?;
    let page = db.mapper.query::<Score>("ann").page(5).await?;
    let cursor = page.cursor.expect("more pages");

    let refused = |r: mapper::Result<mapper::Page<Item<Score>>>| match r {
        Err(Error::InvalidCursor { message, .. }) => message,
        other => panic!("expected InvalidCursor, got {other:?}"),
    };
    let q = || db.mapper.query::<Score>("ann");
    let other_key = refused(
        db.mapper
            .query::<Score>("bob")
            .after(cursor.clone())
            .page(5)
            .await,
    );
    assert!(other_key.contains("another query"), "{other_key}");
    refused(q().reverse().after(cursor.clone()).page(5).await);
    refused(
        q().filter(attr("points").gt(3))
            .after(cursor.clone())
            .page(5)
            .await,
    );
    refused(
        q().range(RangeCondition::gt(2))
            .after(cursor.clone())
            .page(5)
            .await,
    );
    refused(q().index("by_points").after(cursor.clone()).page(5).await);
    refused(
        db.mapper
            .scan::<Score>()
            .after(cursor.clone())
            .page(5)
            .await,
    );
    let damaged = refused(q().after(Cursor::from_string("not a cursor")).page(5).await);
    assert!(damaged.contains("damaged"), "{damaged}");

    // The same query accepts it, whatever the page size or limit.
    let next = q().after(cursor).page(100).await?;
    assert_eq!(games(&next.items), (5..20).collect::<Vec<_>>());
    Ok(())
}

#[tokio::test]
async fn filters_and_projections_use_placeholders_and_shape_the_results() -> TestResult {
    let db = TestDb::with_table::<Score>().await?;
    scores(&db, &["ann"], 50, false).await?;

    let filtered = db
        .mapper
        .query::<Score>("ann")
        .range(RangeCondition::between(10, 40))
        .filter(attr("team").eq("red").and(attr("points").ge(50)))
        .all()
        .await?;
    let expected: Vec<i64> = (10..=40)
        .filter(|g| g % 2 == 0 && (g * 7) % 100 >= 50)
        .collect();
    assert_eq!(games(&filtered), expected);

    // `status` is a reserved word; size() and attribute_exists work too.
    let champions = db
        .mapper
        .scan::<Score>()
        .filter(attr("status").exists().and(size("status").eq(8)))
        .all()
        .await?;
    assert_eq!(games(&champions), vec![0, 10, 20, 30, 40]);

    let projected: Vec<Value> = db
        .mapper
        .query::<Score>("ann")
        .project(["game", "status"])
        .limit(11)
        .all()
        .await?;
    assert_eq!(projected.len(), 11);
    for (i, value) in projected.iter().enumerate() {
        let keys: BTreeSet<&str> = value.as_map().unwrap().keys().map(String::as_str).collect();
        let expected: BTreeSet<&str> = if i % 10 == 0 {
            ["game", "status"].into()
        } else {
            ["game"].into()
        };
        assert_eq!(keys, expected, "item {i}");
    }
    Ok(())
}

#[tokio::test]
async fn a_parallel_scan_returns_each_item_exactly_once() -> TestResult {
    let db = TestDb::with_table::<Score>().await?;
    let players: Vec<String> = (0..25).map(|p| format!("p{p}")).collect();
    let names: Vec<&str> = players.iter().map(String::as_str).collect();
    scores(&db, &names, 40, false).await?;

    let key = |s: &Item<Score>| (s.player.clone(), s.game);
    let merged: Vec<Item<Score>> = db.mapper.scan::<Score>().parallel(4).try_collect().await?;
    let unique: BTreeSet<_> = merged.iter().map(key).collect();
    assert_eq!((merged.len(), unique.len()), (1000, 1000));

    // One worker per segment: disjoint shares that add up to the table.
    let mut union = BTreeSet::new();
    let mut total = 0;
    for segment in 0..3 {
        let share: Vec<Item<Score>> = db.mapper.scan::<Score>().segment(segment, 3).all().await?;
        total += share.len();
        union.extend(share.iter().map(key));
    }
    assert_eq!((total, union.len()), (1000, 1000));

    let limited: Vec<Item<Score>> = db
        .mapper
        .scan::<Score>()
        .limit(17)
        .parallel(4)
        .try_collect()
        .await?;
    assert_eq!(limited.len(), 17);
    let bad = db
        .mapper
        .scan::<Score>()
        .segment(3, 3)
        .all()
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::Usage { .. }), "{bad}");

    // A worker resumes its own segment with that segment's cursor; a
    // merged parallel scan cannot resume from one cursor and says so.
    let first = db.mapper.scan::<Score>().segment(1, 3).page(100).await?;
    let cursor = first.cursor.clone().expect("more of segment 1");
    let rest = db
        .mapper
        .scan::<Score>()
        .segment(1, 3)
        .after(cursor.clone())
        .all()
        .await?;
    let resumed: BTreeSet<_> = first.items.iter().chain(&rest).map(key).collect();
    let whole: BTreeSet<_> = db
        .mapper
        .scan::<Score>()
        .segment(1, 3)
        .all()
        .await?
        .iter()
        .map(key)
        .collect();
    assert_eq!(
        (first.items.len() + rest.len(), &resumed),
        (whole.len(), &whole)
    );
    let refused: Vec<Result<Item<Score>, Error>> = db
        .mapper
        .scan::<Score>()
        .after(cursor)
        .parallel(3)
        .collect()
        .await;
    assert_eq!(refused.len(), 1);
    match &refused[0] {
        Err(Error::InvalidCursor { message, .. }) => {
            assert!(message.contains("segment by segment"), "{message}")
        }
        other => panic!("expected an invalid cursor, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn indexes_are_created_with_the_table_and_queried_with_typed_keys() -> TestResult {
    let db = TestDb::with_table::<Score>().await?;
    let table = db
        .client()
        .describe_table()
        .table_name(db.table::<Score>())
        .send()
        .await?;
    let table = table.table.unwrap();
    let mut global: Vec<&str> = table
        .global_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name())
        .collect();
    global.sort();
    assert_eq!(global, ["by_status", "by_team"]);
    let local: Vec<&str> = table
        .local_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name())
        .collect();
    assert_eq!(local, ["by_points"]);

    scores(&db, &["ann", "bob"], 30, false).await?;

    // Global index: team = red AND points > 60, across players.
    let red = db
        .mapper
        .query::<Score>("red")
        .index("by_team")
        .range(RangeCondition::gt(60))
        .all()
        .await?;
    let mut expected: Vec<(String, i64)> = ["ann", "bob"]
        .iter()
        .flat_map(|p| {
            (0..30)
                .filter(|g| g % 2 == 0 && (g * 7) % 100 > 60)
                .map(|g| (p.to_string(), g))
        })
        .collect();
    expected.sort();
    let mut got: Vec<(String, i64)> = red.iter().map(|s| (s.player.clone(), s.game)).collect();
    got.sort();
    assert_eq!(got, expected);
    assert!(red.windows(2).all(|w| w[0].points <= w[1].points));

    // Local index: ann's games by points, highest first.
    let by_points = db
        .mapper
        .query::<Score>("ann")
        .index("by_points")
        .reverse()
        .limit(3)
        .all()
        .await?;
    let points: Vec<i64> = by_points.iter().map(|s| s.points).collect();
    assert_eq!(points, vec![98, 96, 91]);

    // A keys-only index yields projected values.
    let champions: Vec<Value> = db
        .mapper
        .query::<Score>("champion")
        .index("by_status")
        .project(["player", "game"])
        .all()
        .await?;
    assert_eq!(champions.len(), 6);

    // Typed keys: a number where the index wants a string is refused before sending.
    let bad = db
        .mapper
        .query::<Score>(7)
        .index("by_team")
        .all()
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::Validation { .. }), "{bad}");
    let unknown = db
        .mapper
        .query::<Score>("red")
        .index("by_color")
        .all()
        .await
        .unwrap_err();
    assert!(unknown.to_string().contains("by_team"), "{unknown}");
    let consistent = db
        .mapper
        .query::<Score>("red")
        .index("by_team")
        .consistent()
        .all()
        .await;
    assert!(matches!(consistent, Err(Error::Usage { .. })));
    Ok(())
}
