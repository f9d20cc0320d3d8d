//! Validates DoomMap items with a schema and prints every error with its path.
//!
//! Run: `cargo run --example validate_item`

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use validate::{Schema, from_value, int, number, set_of, str, to_value};

#[derive(Debug, Serialize, Deserialize)]
struct DoomMap {
    episode: i64,
    map: i64,
    name: String,
    cheats: BTreeSet<String>,
    rating: Option<f64>,
}

fn main() -> Result<(), validate::Error> {
    let schema = Schema::new()
        .required("episode", int().range(1..=4))
        .required("map", int().range(1..=9))
        .required("name", str().strip().length(1..=64))
        .with_default("cheats", set_of(str().matches(r"^id[a-z]+$")), ["Konami"])
        .optional("rating", number().range(0..=10));

    let e1m1 = DoomMap {
        episode: 1,
        map: 1,
        name: "  Hangar ".into(),
        cheats: ["idkfa", "iddqd", "idclip"].map(String::from).into(),
        rating: Some(9.5),
    };
    let normalized = schema.validate(to_value(&e1m1)?)?;
    println!("valid, normalized: {normalized}");
    let back: DoomMap = from_value(normalized)?;
    println!("back as a struct: {back:?}");

    let broken = DoomMap {
        episode: 7,
        map: 0,
        name: String::new(),
        cheats: ["idkfa", "KONAMI"].map(String::from).into(),
        rating: Some(11.0),
    };
    match schema.validate(to_value(&broken)?) {
        Ok(v) => println!("unexpectedly valid: {v}"),
        Err(errors) => println!("{} errors:\n{errors}", errors.len()),
    }
    Ok(())
}
