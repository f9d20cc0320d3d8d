//! Save and load against DynamoDB Local: types as stored, validation before
//! any write, strict and lenient reads, unknown attributes preserved.

mod models;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::{Item, Mapper, RangeCondition};
use models::{DoomMap, LenientMap, doom_map};
use test_support::{SetupError, TestDb};
use validate::ErrorKind;

type TestResult = Result<(), SetupError>;

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

async fn raw_get(
    db: &TestDb,
    episode: i64,
    map: i64,
) -> Result<Option<HashMap<String, AttributeValue>>, SetupError> {
    let out = db
        .client()
        .get_item()
        .table_name(db.table::<DoomMap>())
        .key("episode", n(episode))
        .key("map", n(map))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out.item)
}

async fn raw_put(db: &TestDb, item: &[(&str, AttributeValue)]) -> TestResult {
    let mut request = db.client().put_item().table_name(db.table::<DoomMap>());
    for (k, v) in item {
        request = request.item(*k, v.clone());
    }
    request.send().await?;
    Ok(())
}

#[tokio::test]
async fn saved_items_are_stored_with_dynamodb_types() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper
        .put(&doom_map(1, 1, "Hangar", &["idkfa", "iddqd"]))
        .await?;
    let stored = raw_get(&db, 1, 1).await?.ok_or("not stored")?;
    assert_eq!(stored["episode"], n(1));
    assert_eq!(stored["name"], AttributeValue::S("Hangar".into()));
    match &stored["cheats"] {
        AttributeValue::Ss(cheats) => {
            let mut cheats = cheats.clone();
            cheats.sort();
            assert_eq!(cheats, ["iddqd", "idkfa"]);
        }
        other => panic!("cheats stored as {other:?}, not SS"),
    }
    let back = db.mapper.get::<DoomMap>((1, 1)).await?;
    assert_eq!(*back, doom_map(1, 1, "Hangar", &["idkfa", "iddqd"]));
    Ok(())
}

#[tokio::test]
async fn defaults_fill_new_items_and_empty_sets_are_absent() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    let saved = db.mapper.put(&doom_map(1, 2, "Nuclear Plant", &[])).await?;
    assert_eq!(saved.cheats.iter().collect::<Vec<_>>(), ["Konami"]);
    let stored = raw_get(&db, 1, 2).await?.ok_or("not stored")?;
    assert_eq!(stored["cheats"], AttributeValue::Ss(vec!["Konami".into()]));
    // A stored item without the set reads as an empty set, not the default.
    raw_put(
        &db,
        &[
            ("episode", n(2)),
            ("map", n(1)),
            ("name", AttributeValue::S("Deimos".into())),
        ],
    )
    .await?;
    let loaded = db.mapper.get::<DoomMap>((2, 1)).await?;
    assert!(loaded.cheats.is_empty());
    Ok(())
}

#[tokio::test]
async fn an_invalid_item_is_rejected_with_every_path_and_nothing_is_written() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    let bad = doom_map(1, 3, &"x".repeat(65), &[]);
    let err = db.mapper.put(&bad).await.err().ok_or("accepted")?;
    assert!(err.is_invalid());
    let errors = err.errors().ok_or("no errors")?;
    assert_eq!(errors.to_string(), "name: length 65 is out of range 1..=64");
    let worse = doom_map(9, 0, "", &[]);
    let err = db.mapper.put(&worse).await.err().ok_or("accepted")?;
    let paths: Vec<String> = err
        .errors()
        .ok_or("no errors")?
        .iter()
        .map(|e| e.path.to_string())
        .collect();
    assert_eq!(paths, ["episode", "map", "name"]);
    assert!(err.to_string().contains(&db.table::<DoomMap>()), "{err}");
    assert!(raw_get(&db, 1, 3).await?.is_none());
    assert!(raw_get(&db, 9, 0).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn put_only_stores_what_put_stores_and_refuses_what_put_refuses() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    let model = doom_map(1, 4, "Command Control", &["idkfa", "iddqd", "idkfa"]);
    db.mapper.put_only(&model).await?;
    let stored = raw_get(&db, 1, 4).await?.ok_or("not stored")?;
    // Exactly the validated attributes `put` would send: the set sorted
    // and deduplicated.
    assert_eq!(stored, db.mapper.to_attributes(&model)?);
    assert_eq!(
        stored["cheats"],
        AttributeValue::Ss(vec!["iddqd".into(), "idkfa".into()])
    );
    // Defaults are filled as by `put`.
    db.mapper
        .put_only(&doom_map(1, 5, "Phobos Lab", &[]))
        .await?;
    let stored = raw_get(&db, 1, 5).await?.ok_or("not stored")?;
    assert_eq!(stored["cheats"], AttributeValue::Ss(vec!["Konami".into()]));
    // An invalid item: every path named, nothing written.
    let err = db
        .mapper
        .put_only(&doom_map(1, 6, &"x".repeat(65), &[]))
        .await
        .err()
        .ok_or("accepted")?;
    assert_eq!(
        err.errors().ok_or("no errors")?.to_string(),
        "name: length 65 is out of range 1..=64"
    );
    assert!(raw_get(&db, 1, 6).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn strict_load_of_a_bad_stored_item_names_table_key_and_attribute() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    raw_put(
        &db,
        &[
            ("episode", n(1)),
            ("map", n(4)),
            ("name", n(12)),
            ("cheats", AttributeValue::S("idkfa".into())),
        ],
    )
    .await?;
    let err = db
        .mapper
        .get::<DoomMap>((1, 4))
        .await
        .err()
        .ok_or("loaded")?;
    let errors = err.errors().ok_or("not a validation error")?;
    let found: Vec<(String, ErrorKind)> = errors
        .iter()
        .map(|e| (e.path.to_string(), e.kind.clone()))
        .collect();
    assert_eq!(
        found,
        [
            ("cheats".to_owned(), ErrorKind::Type),
            ("name".to_owned(), ErrorKind::Type)
        ]
    );
    let message = err.to_string();
    assert!(
        message.contains(&db.table::<DoomMap>()) && message.contains("episode=1, map=4"),
        "{message}"
    );
    // An absent set attribute is an empty set, not a missing attribute.
    raw_put(
        &db,
        &[
            ("episode", n(1)),
            ("map", n(5)),
            ("name", AttributeValue::S("Toxin".into())),
        ],
    )
    .await?;
    assert!(
        db.mapper.get::<DoomMap>((1, 5)).await.is_ok(),
        "an absent set reads as an empty set"
    );
    Ok(())
}

#[tokio::test]
async fn lenient_load_fills_defaults_and_reports() -> TestResult {
    let db = TestDb::with_table::<LenientMap>().await?;
    let table = db.table::<LenientMap>();
    db.client()
        .put_item()
        .table_name(&table)
        .item("episode", n(1))
        .item("map", n(1))
        .item("rating", n(99))
        .send()
        .await?;
    let item: Item<LenientMap> = db.mapper.get((1, 1)).await?;
    assert_eq!(item.name, "Untitled");
    assert_eq!(
        item.cheats.iter().collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
    assert_eq!(item.rating, None);
    let reported: Vec<String> = item.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        reported,
        [
            "name: attribute missing from the stored item; default used",
            "rating: 99 is out of range 0..=10"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn unknown_attributes_survive_a_load_modify_save() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    raw_put(
        &db,
        &[
            ("episode", n(1)),
            ("map", n(6)),
            ("name", AttributeValue::S("Central".into())),
            ("cheats", AttributeValue::Ss(vec!["idkfa".into()])),
            ("added_by_v2", AttributeValue::S("keep me".into())),
        ],
    )
    .await?;
    let mut item = db.mapper.get::<DoomMap>((1, 6)).await?;
    item.name = "Central Processing".into();
    db.mapper.save(&mut item).await?;
    let stored = raw_get(&db, 1, 6).await?.ok_or("gone")?;
    assert_eq!(stored["added_by_v2"], AttributeValue::S("keep me".into()));
    assert_eq!(
        stored["name"],
        AttributeValue::S("Central Processing".into())
    );
    Ok(())
}

#[tokio::test]
async fn get_find_and_not_found() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    let err = db
        .mapper
        .get::<DoomMap>((3, 3))
        .await
        .err()
        .ok_or("found")?;
    assert!(err.is_not_found(), "{err}");
    assert!(db.mapper.find::<DoomMap>((3, 3)).await?.is_none());
    db.mapper.put(&doom_map(3, 3, "Pandemonium", &[])).await?;
    assert!(
        db.mapper
            .get_consistent::<DoomMap>((3, 3))
            .await?
            .is_stored()
    );
    // A badly typed key is refused before any request.
    let err = db
        .mapper
        .get::<DoomMap>(("x", 3))
        .await
        .err()
        .ok_or("found")?;
    assert!(err.is_invalid(), "{err}");
    Ok(())
}

#[tokio::test]
async fn delete_key_removes_the_item() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    db.mapper.put(&doom_map(4, 1, "Hell Beneath", &[])).await?;
    db.mapper.delete_key::<DoomMap>((4, 1)).await?;
    assert!(raw_get(&db, 4, 1).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn query_with_every_range_condition_reverse_and_limit() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    for map in 1..=9 {
        db.mapper
            .put(&doom_map(1, map, &format!("E1M{map}"), &[]))
            .await?;
    }
    db.mapper.put(&doom_map(2, 1, "E2M1", &[])).await?;
    let maps = |items: Vec<Item<DoomMap>>| items.iter().map(|i| i.map).collect::<Vec<_>>();
    fn q(m: &Mapper) -> mapper::Query<'_, DoomMap> {
        m.query::<DoomMap>(1)
    }
    assert_eq!(
        maps(q(&db.mapper).all().await?),
        (1..=9).collect::<Vec<_>>()
    );
    assert_eq!(
        maps(q(&db.mapper).range(RangeCondition::gt(5)).all().await?),
        [6, 7, 8, 9]
    );
    assert_eq!(
        maps(q(&db.mapper).range(RangeCondition::ge(8)).all().await?),
        [8, 9]
    );
    assert_eq!(
        maps(q(&db.mapper).range(RangeCondition::lt(3)).all().await?),
        [1, 2]
    );
    assert_eq!(
        maps(q(&db.mapper).range(RangeCondition::le(1)).all().await?),
        [1]
    );
    assert_eq!(
        maps(q(&db.mapper).range(RangeCondition::eq(4)).all().await?),
        [4]
    );
    assert_eq!(
        maps(
            q(&db.mapper)
                .range(RangeCondition::between(3, 5))
                .all()
                .await?
        ),
        [3, 4, 5]
    );
    assert_eq!(
        maps(q(&db.mapper).reverse().limit(3).all().await?),
        [9, 8, 7]
    );
    assert_eq!(
        maps(q(&db.mapper).consistent().limit(2).all().await?),
        [1, 2]
    );
    assert_eq!(db.mapper.scan::<DoomMap>().limit(4).all().await?.len(), 4);
    assert_eq!(db.mapper.scan::<DoomMap>().all().await?.len(), 10);
    let err = db
        .mapper
        .query::<DoomMap>(1)
        .range(RangeCondition::begins_with("x"))
        .all()
        .await
        .err()
        .ok_or("accepted")?;
    assert!(err.is_invalid(), "{err}");
    Ok(())
}

#[tokio::test]
async fn tables_are_created_from_models_and_described() -> TestResult {
    let db = TestDb::new().await?;
    let description = db
        .mapper
        .create_table::<DoomMap>(mapper::Throughput::Provisioned {
            read: 10,
            write: 10,
        })
        .await?;
    let keys: Vec<(String, String)> = description
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("episode".to_owned(), "HASH".to_owned()),
            ("map".to_owned(), "RANGE".to_owned())
        ]
    );
    let throughput = description
        .provisioned_throughput()
        .ok_or("no throughput")?;
    assert_eq!(
        (
            throughput.read_capacity_units(),
            throughput.write_capacity_units()
        ),
        (Some(10), Some(10))
    );
    db.mapper.delete_table::<DoomMap>().await?;
    assert!(
        db.mapper
            .describe_table::<DoomMap>()
            .await
            .err()
            .ok_or("still there")?
            .is_not_found()
    );
    Ok(())
}

/// Operation futures are moved whole into executors and streams, so their
/// size is copied on every move: the mapper's stay within a small margin of
/// the SDK request future they wrap (no second copy of it inside).
#[test]
fn operation_futures_stay_near_the_size_of_the_sdk_request() {
    let client = test_support::client("http://127.0.0.1:9");
    let mapper = Mapper::new(client.clone());
    let map = doom_map(1, 1, "Hangar", &["iddqd"]);
    let sdk_put = client.put_item().table_name("t").send();
    let sdk_get = client.get_item().table_name("t").send();
    let sdk_query = client.query().table_name("t").send();
    let put = mapper.put(&map);
    let get = mapper.get::<DoomMap>((1, 1));
    let query = mapper.query::<DoomMap>(1).stream();
    let margin = |sdk: usize| sdk + sdk / 4;
    let (put, sdk_put) = (size_of_val(&put), size_of_val(&sdk_put));
    let (get, sdk_get) = (size_of_val(&get), size_of_val(&sdk_get));
    let (query, sdk_query) = (size_of_val(&query), size_of_val(&sdk_query));
    assert!(put <= margin(sdk_put), "put {put} bytes, SDK {sdk_put}");
    assert!(get <= margin(sdk_get), "get {get} bytes, SDK {sdk_get}");
    assert!(
        query <= margin(sdk_query),
        "query {query} bytes, SDK {sdk_query}"
    );
}

/// A plain `Vec<u8>` field, no `serde_bytes`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Attachment {
    id: String,
    data: Vec<u8>,
    codes: Vec<u8>,
}

impl mapper::Model for Attachment {
    const TABLE: &'static str = "attachment";
    const HASH_KEY: &'static str = "id";

    fn schema() -> validate::Schema {
        validate::Schema::new()
            .required("id", validate::str())
            .required("data", validate::bytes())
            .required("codes", validate::list_of(validate::int()))
    }
}

#[tokio::test]
async fn a_plain_vec_u8_declared_bytes_is_stored_as_binary() -> TestResult {
    let db = TestDb::with_table::<Attachment>().await?;
    let attachment = Attachment {
        id: "a".into(),
        data: vec![0, 1, 2, 255],
        codes: vec![7, 8],
    };
    db.mapper.put(&attachment).await?;
    let stored = db
        .client()
        .get_item()
        .table_name(db.table::<Attachment>())
        .key("id", AttributeValue::S("a".into()))
        .send()
        .await?
        .item
        .ok_or("not stored")?;
    assert_eq!(
        stored.get("data"),
        Some(&AttributeValue::B(vec![0, 1, 2, 255].into()))
    );
    // Declared a list of numbers, it stays one.
    assert_eq!(
        stored.get("codes"),
        Some(&AttributeValue::L(vec![n(7), n(8)]))
    );
    let loaded = db.mapper.get::<Attachment>("a").await?;
    assert_eq!(loaded.into_inner(), attachment);
    let batch = db.mapper.batch_get::<Attachment, _>(["a"]).await?;
    assert_eq!(batch.items.len(), 1);
    Ok(())
}

/// A field added with a default, read from items stored before it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "customer")]
struct Customer {
    #[model(hash_key)]
    id: String,
    #[model(default = 0)]
    order_count: i64,
}

/// The same table, with a generated default.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "customer")]
struct TokenedCustomer {
    #[model(hash_key)]
    id: String,
    #[model(default_fn = mapper::keygen::uuid)]
    token: String,
}

/// Regression (issue 28): an older item without `order_count` failed the
/// strict load, though the docs said defaults fill absent attributes. A
/// constant default fills it on load; a generated one cannot (each read
/// would make another) and stays an error naming the attribute.
#[tokio::test]
async fn a_constant_default_fills_an_attribute_older_items_lack() -> TestResult {
    let db = TestDb::with_table::<Customer>().await?;
    db.client()
        .put_item()
        .table_name(db.table::<Customer>())
        .item("id", AttributeValue::S("old".into()))
        .send()
        .await?;
    let mut old = db.mapper.get::<Customer>("old").await?;
    assert_eq!(old.order_count, 0);
    assert!(old.warnings().is_empty());
    old.order_count += 1;
    db.mapper.save(&mut old).await?;
    let stored = db
        .client()
        .get_item()
        .table_name(db.table::<Customer>())
        .key("id", AttributeValue::S("old".into()))
        .send()
        .await?
        .item
        .ok_or("gone")?;
    assert_eq!(stored.get("order_count"), Some(&n(1)));
    let err = db
        .mapper
        .get::<TokenedCustomer>("old")
        .await
        .err()
        .ok_or("loaded")?;
    assert!(
        err.errors()
            .is_some_and(|e| e.to_string().starts_with("token: attribute missing")),
        "{err}"
    );
    Ok(())
}

/// A field a validator normalizes before it checks.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "contact")]
struct Contact {
    #[model(hash_key)]
    id: String,
    #[model(validate = str().lower().then(email()))]
    email: String,
}

/// Regression (issue 28): an error about a stored item showed the value
/// as the validator normalized it (`"not an email"`), not as the table
/// holds it (`"NOT AN EMAIL"`). The message names the stored value too.
#[tokio::test]
async fn a_stored_item_error_names_the_value_as_stored() -> TestResult {
    let db = TestDb::with_table::<Contact>().await?;
    db.client()
        .put_item()
        .table_name(db.table::<Contact>())
        .item("id", AttributeValue::S("c".into()))
        .item("email", AttributeValue::S("NOT AN EMAIL".into()))
        .send()
        .await?;
    let err = db.mapper.get::<Contact>("c").await.err().ok_or("loaded")?;
    let text = err.to_string();
    assert!(text.contains("email: "), "{text}");
    assert!(text.contains("(stored: \"NOT AN EMAIL\")"), "{text}");
    Ok(())
}

/// Prices as exact decimals: `validate::Number` fields, 38 digits.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, mapper::Model)]
#[model(table = "priced")]
struct Priced {
    #[model(hash_key)]
    sku: String,
    #[model(range = 0..)]
    price: validate::Number,
    discount: Option<validate::Number>,
}

#[tokio::test]
async fn exact_decimals_are_stored_digit_for_digit() -> TestResult {
    let db = TestDb::with_table::<Priced>().await?;
    let digits = "1234567890123456789012345678.9012345678";
    let priced = Priced {
        sku: "SKU-1".into(),
        price: digits.parse()?,
        discount: Some("0.1".parse()?),
    };
    db.mapper.put(&priced).await?;
    let raw = db
        .client()
        .get_item()
        .table_name(db.table::<Priced>())
        .key("sku", AttributeValue::S("SKU-1".into()))
        .send()
        .await?;
    let stored = raw.item().ok_or("not stored")?;
    assert_eq!(stored["price"], AttributeValue::N(digits.into()));
    assert_eq!(stored["discount"], AttributeValue::N("0.1".into()));
    let back = db.mapper.get::<Priced>("SKU-1").await?;
    assert_eq!(back.into_inner(), priced);
    // The schema judges it as any number: a negative price is refused.
    let err = db
        .mapper
        .put(&Priced {
            sku: "SKU-2".into(),
            price: "-0.01".parse()?,
            discount: None,
        })
        .await
        .err()
        .ok_or("a negative price was stored")?;
    assert!(err.is_invalid(), "{err}");
    // Typed updates take it too.
    db.mapper
        .update::<Priced>(
            "SKU-1",
            &mapper::Update::new().set(Priced::PRICE, "9.99".parse::<validate::Number>()?),
        )
        .await?;
    assert_eq!(
        db.mapper.get::<Priced>("SKU-1").await?.price,
        "9.99".parse()?
    );
    Ok(())
}
