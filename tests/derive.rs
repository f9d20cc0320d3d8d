//! `#[derive(Model)]` and `#[derive(Schema)]`: the derived schema is the
//! builder's (compared on a battery of values, valid and not), and a
//! derived model behaves as a hand-written one against DynamoDB Local.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::index::{Index, IndexProjection};
use mapper::{Item, Model, ReadPolicy};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use test_support::{SetupError, TestDb};
use time::OffsetDateTime;
use validate::{
    Extra, Number, Presence, Schema, Set, Value, bool, bytes, datetime, int, list_of, map_of,
    number, set_of, str,
};

type TestResult = Result<(), SetupError>;

/// The DoomMap, exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "doom_map")]
struct DoomMap {
    #[model(hash_key, range = 1..=4)]
    episode: i64,
    #[model(range_key, range = 1..=9)]
    map: i64,
    #[model(length = 1..=64)]
    name: String,
    #[model(default = ["Konami"])]
    cheats: BTreeSet<String>,
}

/// What the derive writes for DoomMap, by hand.
fn doom_map_by_hand() -> Schema {
    let i64s = || int().range(i64::MIN..=i64::MAX);
    Schema::new()
        .required("episode", i64s().range(1..=4))
        .required("map", i64s().range(1..=9))
        .required("name", str().length(1..=64))
        .with_default("cheats", set_of(str()), ["Konami"])
}

/// A nested map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, mapper::Schema)]
#[model(extra = "forbid")]
struct Address {
    #[model(length = 1..)]
    city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
}

/// A unit-only enum, stored as its serde names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, mapper::Schema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Rank {
    Rookie,
    TopGun,
    #[serde(rename = "legend")]
    Legend,
}

/// Every type and option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[serde(rename_all = "camelCase")]
#[model(
    table = "player",
    read_policy = "lenient",
    extra = "allow",
    index(name = "by_team", hash = "team", range = "level"),
    index(name = "by_rank", hash = "rank", keys_only),
    local_index(name = "by_level", range = "level")
)]
struct Player {
    #[model(hash_key, default_fn = mapper::keygen::uuid)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    player_id: Option<String>,
    #[model(range_key)]
    season: u16,
    #[model(version)]
    version: u64,
    #[serde(rename = "nick")]
    #[model(length = 1..=20, matches = "^[a-z]+$")]
    nickname: String,
    #[model(one_of = ["red", "blue"])]
    team: String,
    score: f64,
    #[model(range = 0..=100)]
    level: u8,
    #[model(coerce)]
    lives: i32,
    #[model(validate = str().strip().lower())]
    email: String,
    tags: HashSet<String>,
    scores: Vec<i64>,
    stats: BTreeMap<String, u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    avatar: Option<ByteBuf>,
    #[serde(with = "validate::datetime")]
    joined: OffsetDateTime,
    address: Address,
    rank: Rank,
    active: bool,
    #[serde(skip)]
    cache: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[model(default = 3)]
    credits: i64,
}

fn player_by_hand() -> Schema {
    let address = Schema::new()
        .extra(Extra::Forbid)
        .required("city", str().length(1..))
        .optional("zip", str());
    Schema::new()
        .extra(Extra::Allow)
        .with_default_fn("playerId", str(), mapper::keygen::uuid)
        .required("season", int().range(u16::MIN..=u16::MAX))
        .required("version", int().range(u64::MIN..=u64::MAX))
        .required("nick", str().length(1..=20).matches("^[a-z]+$"))
        .required("team", str().one_of(["red", "blue"]))
        .required("score", number())
        .required("level", int().range(u8::MIN..=u8::MAX).range(0..=100))
        .required("lives", int().range(i32::MIN..=i32::MAX).coerce())
        .required("email", str().strip().lower())
        .required("tags", set_of(str()))
        .required("scores", list_of(int().range(i64::MIN..=i64::MAX)))
        .required("stats", map_of(str(), int().range(u32::MIN..=u32::MAX)))
        .optional("avatar", bytes())
        .required("joined", datetime())
        .required("address", address)
        .required("rank", str().one_of(["ROOKIE", "TOP_GUN", "legend"]))
        .required("active", bool())
        .optional("note", str())
        .with_default("credits", int().range(i64::MIN..=i64::MAX), 3)
}

/// Values that probe a validator's every rule.
fn probes() -> Vec<Value> {
    let n = |text: &str| Value::Number(text.parse::<Number>().unwrap_or_default());
    let map = |pairs: &[(&str, Value)]| {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    };
    vec![
        Value::Null,
        Value::Bool(true),
        n("0"),
        n("-1"),
        n("1"),
        n("4"),
        n("5"),
        n("9"),
        n("10"),
        n("100"),
        n("101"),
        n("255"),
        n("256"),
        n("70000"),
        n("4294967296"),
        n("9223372036854775808"),
        n("1.5"),
        n("3.4e39"),
        Value::from(""),
        Value::from("a"),
        Value::from("abc"),
        Value::from("ABC"),
        Value::from("red"),
        Value::from("blue"),
        Value::from("  Ann@Example.COM "),
        Value::from("7"),
        Value::from("TOP_GUN"),
        Value::from("legend"),
        Value::from("2012-05-31T12:00:00.000042+00:00"),
        Value::from("a".repeat(21)),
        Value::List(Vec::new()),
        Value::List(vec![n("1"), n("2")]),
        Value::List(vec![Value::from("a")]),
        map(&[("a", n("1"))]),
        map(&[("a", n("-1"))]),
        map(&[("city", Value::from("Paris"))]),
        map(&[("city", Value::from(""))]),
        map(&[("city", Value::from("Rome")), ("zip", Value::from("00100"))]),
        map(&[
            ("city", Value::from("Rome")),
            ("planet", Value::from("Earth")),
        ]),
        Value::StringSet(Set::from_iter(["a".to_owned()])),
        Value::NumberSet(Set::from_iter([Number::from(1)])),
        Value::Binary(vec![1, 2]),
    ]
}

/// `derived` and `by_hand` give the same verdict and the same normalized
/// value for `valid` and every variation of it: each field set to each
/// probe, each field removed, an unknown key added.
fn assert_same_schema(derived: &Schema, by_hand: &Schema, valid: &Value) {
    let names = |s: &Schema| -> Vec<(String, &'static str)> {
        s.fields()
            .map(|f| {
                let presence = match f.presence() {
                    Presence::Required => "required",
                    Presence::Optional => "optional",
                    Presence::Default(_) => "default",
                };
                (f.name().to_owned(), presence)
            })
            .collect()
    };
    assert_eq!(names(derived), names(by_hand));
    assert_eq!(derived.extra_policy(), by_hand.extra_policy());
    for (a, b) in derived.fields().zip(by_hand.fields()) {
        assert_eq!(
            a.validator().output_type(),
            b.validator().output_type(),
            "{}",
            a.name()
        );
        if let (
            Presence::Default(validate::DefaultValue::Value(x)),
            Presence::Default(validate::DefaultValue::Value(y)),
        ) = (a.presence(), b.presence())
        {
            assert_eq!(x, y, "{}", a.name());
        }
    }
    let Value::Map(base) = valid else {
        panic!("a valid item is a map");
    };
    let mut items = vec![valid.clone()];
    let mut extra = base.clone();
    extra.insert("unknown".to_owned(), Value::from(1));
    items.push(Value::Map(extra));
    for name in base.keys() {
        let mut without = base.clone();
        without.remove(name);
        items.push(Value::Map(without));
        for probe in probes() {
            let mut changed = base.clone();
            changed.insert(name.clone(), probe);
            items.push(Value::Map(changed));
        }
    }
    let mut checked = 0;
    for item in items {
        let (a, b) = (
            derived.validate(item.clone()),
            by_hand.validate(item.clone()),
        );
        match (&a, &b) {
            (Ok(x), Ok(y)) => {
                // Generated keys differ from run to run; the rest must not.
                let strip = |v: &Value| {
                    let mut v = v.clone();
                    if let Some(m) = v.as_map_mut() {
                        m.remove("playerId");
                    }
                    v
                };
                assert_eq!(strip(x), strip(y), "{item:?}");
            }
            (Err(x), Err(y)) => assert_eq!(x.to_string(), y.to_string(), "{item:?}"),
            _ => panic!("derived {a:?} but by hand {b:?} for {item:?}"),
        }
        checked += 1;
    }
    assert!(checked > 100, "{checked} items compared");
}

fn doom_value() -> Value {
    validate::to_value(&DoomMap {
        episode: 1,
        map: 1,
        name: "Hangar".into(),
        cheats: ["idkfa".to_owned()].into(),
    })
    .unwrap_or_default()
}

fn player() -> Player {
    Player {
        player_id: None,
        season: 2026,
        version: 0,
        nickname: "ann".into(),
        team: "red".into(),
        score: 12.5,
        level: 7,
        lives: 3,
        email: "ann@example.com".into(),
        tags: ["a".to_owned()].into(),
        scores: vec![1, 2],
        stats: [("wins".to_owned(), 4)].into(),
        avatar: Some(ByteBuf::from(vec![1, 2, 3])),
        joined: time::macros::datetime!(2026-12-01 12:00 UTC),
        address: Address {
            city: "Paris".into(),
            zip: None,
        },
        rank: Rank::TopGun,
        active: true,
        cache: 99,
        note: None,
        credits: 5,
    }
}

#[test]
fn the_derived_schema_is_the_builders() {
    assert_same_schema(&DoomMap::schema(), &doom_map_by_hand(), &doom_value());
    let valid = validate::to_value(&player()).unwrap_or_default();
    assert_same_schema(&Player::schema(), &player_by_hand(), &valid);
}

#[test]
fn struct_options_become_the_models_constants() {
    assert_eq!(DoomMap::TABLE, "doom_map");
    assert_eq!(
        (DoomMap::HASH_KEY, DoomMap::RANGE_KEY),
        ("episode", Some("map"))
    );
    assert_eq!((DoomMap::VERSION, DoomMap::AUTO_INCREMENT), (None, false));
    assert_eq!(DoomMap::READ_POLICY, ReadPolicy::Strict);
    assert_eq!(Player::TABLE, "player");
    assert_eq!(
        (Player::HASH_KEY, Player::RANGE_KEY),
        ("playerId", Some("season"))
    );
    // The field `version` has a typed path, `Player::VERSION`, which an
    // inherent constant makes the first one found: the model's own
    // constant is named through the trait.
    assert_eq!(<Player as Model>::VERSION, Some("version"));
    assert_eq!(Player::VERSION.name(), "version");
    assert_eq!(Player::READ_POLICY, ReadPolicy::Lenient);
    assert_eq!(
        Player::INDEXES,
        [
            Index::global("by_team", "team", Some("level")),
            Index::global("by_rank", "rank", None).projection(IndexProjection::KeysOnly),
            Index::local("by_level", "level"),
        ]
    );
    assert_eq!((Counter::HASH_KEY, Counter::AUTO_INCREMENT), ("id", true));
}

/// An auto-increment model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "counter")]
struct Counter {
    #[model(hash_key, auto_increment)]
    id: i64,
    #[model(validate = datetime().stored_as(DateFormat::EpochSeconds))]
    #[serde(with = "validate::datetime::epoch_seconds")]
    at: OffsetDateTime,
}

#[tokio::test]
async fn a_derived_model_saves_loads_and_detects_conflicts() -> TestResult {
    let db = TestDb::with_table::<DoomMap>().await?;
    let table = db.table::<DoomMap>();
    let e1m1 = DoomMap {
        episode: 1,
        map: 1,
        name: "Hangar".into(),
        cheats: BTreeSet::new(),
    };
    db.mapper.create(&e1m1).await?;
    let stored = db
        .client()
        .get_item()
        .table_name(&table)
        .key("episode", AttributeValue::N("1".into()))
        .key("map", AttributeValue::N("1".into()))
        .send()
        .await?
        .item
        .ok_or("not stored")?;
    assert_eq!(
        stored.get("cheats"),
        Some(&AttributeValue::Ss(vec!["Konami".into()]))
    );
    let err = db
        .mapper
        .put(&DoomMap {
            episode: 7,
            ..e1m1.clone()
        })
        .await
        .err()
        .ok_or("saved")?;
    assert!(
        err.to_string().contains("episode: 7 is out of range 1..=4"),
        "{err}"
    );
    let mut mine = db.mapper.get::<DoomMap>((1, 1)).await?;
    let mut theirs = db.mapper.get::<DoomMap>((1, 1)).await?;
    theirs.name = "Theirs".into();
    db.mapper.save(&mut theirs).await?;
    mine.name = "Mine".into();
    assert!(
        db.mapper
            .save(&mut mine)
            .await
            .err()
            .ok_or("saved")?
            .is_conflict()
    );

    // Every type: a generated key, a version, nested maps, names of an enum.
    let db = TestDb::with_table::<Player>().await?;
    let saved = db.mapper.create(&player()).await?;
    let id = saved.player_id.clone().ok_or("no generated key")?;
    assert_eq!(saved.version, 1);
    let mut loaded: Item<Player> = db.mapper.get((id.as_str(), 2026)).await?;
    assert_eq!(loaded.rank, Rank::TopGun);
    assert_eq!(loaded.address.city, "Paris");
    let raw = db
        .client()
        .get_item()
        .table_name(db.table::<Player>())
        .key("playerId", AttributeValue::S(id.clone()))
        .key("season", AttributeValue::N("2026".into()))
        .send()
        .await?
        .item
        .ok_or("not stored")?;
    assert_eq!(raw.get("rank"), Some(&AttributeValue::S("TOP_GUN".into())));
    assert_eq!(raw.get("nick"), Some(&AttributeValue::S("ann".into())));
    assert!(!raw.contains_key("cache"), "skipped fields are not stored");
    loaded.level = 101;
    let err = db.mapper.save(&mut loaded).await.err().ok_or("saved")?;
    assert!(
        err.to_string()
            .contains("level: 101 is out of range 0..=100"),
        "{err}"
    );

    let db = TestDb::with_table::<Counter>().await?;
    let first = db
        .mapper
        .insert_auto(&Counter {
            id: 0,
            at: time::macros::datetime!(2026-12-01 12:00 UTC),
        })
        .await?;
    assert_eq!(first.id, 1);
    assert_eq!(first.at, time::macros::datetime!(2026-12-01 12:00 UTC));
    let raw = db
        .client()
        .get_item()
        .table_name(db.table::<Counter>())
        .key("id", AttributeValue::N("1".into()))
        .send()
        .await?
        .item
        .ok_or("not stored")?;
    assert_eq!(raw.get("at"), Some(&AttributeValue::N("1796126400".into())));
    Ok(())
}
