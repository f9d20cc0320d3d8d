//! Typed, validated models on DynamoDB, over `aws-sdk-dynamodb` and tokio.
//!
//! Data flows one way on save — struct → [`validate::Value`] → schema
//! validation → attributes → `PutItem` — and back on load — attributes →
//! `Value` → [`Model::UPGRADE`] (migrations) → validation → struct. An
//! invalid item is never sent; a stored item that does not fit the model is
//! a typed error ([`ReadPolicy::Strict`]) or repaired and reported
//! ([`ReadPolicy::Lenient`]), never a panic. In the common case (saves,
//! strict loads without upgrades) the same rules run without the item as
//! a `Value`: a struct serialized straight to attributes, or deserialized
//! straight from them, when every validator vouches for the attributes
//! where they lie ([`validate::Validator::plain`], else
//! [`validate::Validator::accepts`]); otherwise field by
//! field, one `Value` per top-level attribute; otherwise the whole item,
//! which reports every error.
//!
//! ```no_run
//! # use std::collections::BTreeSet;
//! # use mapper::{Mapper, Model, RangeCondition, Throughput};
//! # use validate::{Schema, int, set_of, str};
//! # #[derive(serde::Serialize, serde::Deserialize)]
//! # struct DoomMap { episode: i64, map: i64, name: String, cheats: BTreeSet<String> }
//! # impl Model for DoomMap {
//! #     const TABLE: &'static str = "doom_map";
//! #     const HASH_KEY: &'static str = "episode";
//! #     const RANGE_KEY: Option<&'static str> = Some("map");
//! #     fn schema() -> Schema { Schema::new().required("episode", int()).required("map", int()).required("name", str()).with_default("cheats", set_of(str()), ["Konami"]) }
//! # }
//! # async fn run() -> mapper::Result<()> {
//! let mapper = Mapper::from_env().await;
//! mapper.create_table::<DoomMap>(Throughput::Provisioned { read: 10, write: 10 }).await?;
//! let e1m1 = DoomMap { episode: 1, map: 1, name: "Hangar".into(), cheats: ["idkfa".into()].into() };
//! mapper.create(&e1m1).await?;                       // fails if the key is taken
//! let mut e1m1 = mapper.get::<DoomMap>((1, 1)).await?; // remembers what it loaded
//! e1m1.name = "Hangar (remastered)".into();
//! mapper.save(&mut e1m1).await?;                     // fails with Conflict if changed meanwhile
//! let after_5 = mapper.query::<DoomMap>(1).range(RangeCondition::gt(5)).all().await?;
//! # Ok(()) }
//! ```

mod backoff;
mod batch;
mod codec;
mod convert;
mod cursor;
mod delete;
mod direct;
mod error;
pub mod expr;
mod fields;
mod get;
mod guard;
mod index;
mod item;
mod key;
mod key_hash;
pub mod keygen;
mod load;
mod mapper;
mod model;
mod pages;
mod query;
mod save;
mod scan;
mod stored_set;
mod table;
mod trace;
mod update;

pub use backoff::Backoff;
pub use batch::{
    BATCH_GET_LIMIT, BATCH_WRITE_BYTES, BATCH_WRITE_LIMIT, BatchGot, BatchOptions, Write,
};
pub use codec::{
    Item as Attributes, from_attribute, from_item, into_attribute, into_item, to_attribute, to_item,
};
pub use cursor::Cursor;
pub use error::{CodecError, Error, KeyDisplay, Result};
pub use expr::{
    Action, AttrPath, AttrType, Comparator, Condition, IntoOperand, Operand, PathStep, SetOperand,
    SetValue, Update, attr, size,
};
pub use index::{Index, IndexInfo, IndexKind, IndexProjection};
pub use item::Item;
pub use key::{IntoKey, Key, KeyPart, MAX_HASH_KEY_BYTES, MAX_RANGE_KEY_BYTES};
pub use mapper::Mapper;
pub use model::{KeyAttribute, KeyType, Model, ModelInfo, ReadPolicy, Upgrade};
pub use pages::{Output, PAGE_BUDGET, Page};
pub use query::{Query, RangeCondition};
pub use save::{COUNTER_ATTRIBUTE, COUNTER_KEY, MAX_AUTO_INCREMENT_ATTEMPTS, MAX_ITEM_BYTES};
pub use scan::Scan;
pub use table::Throughput;

/// `#[derive(Model)]`: writes the `impl Model` (and its schema) from the
/// struct; `#[derive(Schema)]`: a nested map or unit-only enum usable as a
/// field. See [`Model`](trait@Model) for the options.
pub use mapper_derive::{Model, Schema};

/// What generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::{Index, IndexProjection, Model, ReadPolicy};
    pub use validate;
}
