//! Typed, validated models on DynamoDB, over `aws-sdk-dynamodb` and tokio.
//!
//! Declare a model with `#[derive(Model)]`, then `create`, `get`, `save`
//! (conflict-detecting), `query`, `scan`, `update` and batch it. Every item
//! is validated on save (nothing invalid is sent) and on load (a typed
//! error under [`ReadPolicy::Strict`], repaired and reported under
//! [`ReadPolicy::Lenient`]; never a panic). Data flows one way on save —
//! struct → schema validation → attributes — and back on load —
//! attributes → migrations ([`Migrations`]) → validation → struct; a whole
//! table is migrated with [`Mapper::migrate_table`].
//!
//! ```no_run
//! use std::collections::BTreeSet;
//! use mapper::{Mapper, Model, RangeCondition, Throughput};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Model)]
//! #[model(table = "doom_map")]
//! struct DoomMap {
//!     #[model(hash_key, range = 1..=4)]
//!     episode: i64,
//!     #[model(range_key, range = 1..=9)]
//!     map: i64,
//!     #[model(length = 1..=64)]
//!     name: String,
//!     #[model(default = ["Konami"])]
//!     cheats: BTreeSet<String>,
//! }
//!
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

/// The cookbook (`docs/cookbook.md`), here so that its snippets are
/// compiled as doctests.
#[doc = include_str!("../../docs/cookbook.md")]
mod cookbook {}

/// Single-table design (`docs/single-table.md`), here so that its
/// snippets are compiled as doctests.
#[doc = include_str!("../../docs/single-table.md")]
mod single_table {}

// The core: the connection, models, items, keys, errors.
mod backoff;
pub mod error;
mod item;
mod key;
mod mapper;
pub mod model;

// Data both ways: the codec, the save and load pipelines.
pub mod codec;
mod decode;
mod encode;
mod entity;
mod schema_version;
mod timestamps;
mod ttl;

// The operations and what they share.
pub mod batch;
pub mod expr;
pub mod index;
pub mod keygen;
pub mod limits;
pub mod migration;
mod ops;
pub mod read;
pub mod stream;
mod trace;
pub mod transact;
mod write;

pub use backoff::Backoff;
pub use batch::BatchOptions;
pub use codec::Attributes;
pub use error::{Error, Result};
pub use expr::{AttrPath, Condition, Update, attr, size};
pub use item::Item;
pub use key::{IntoKey, Key, KeyPart, PartFor};
pub use mapper::Mapper;
pub use migration::{Migrations, WriteBack};
pub use model::{Model, ReadPolicy};
pub use ops::table::Throughput;
pub use read::{Cursor, Loaded, Page, Query, RangeCondition, Scan};
pub use transact::{TransactGet, TransactWrite, Transaction};

/// `#[derive(Model)]`: writes the `impl Model` (and its schema) from the
/// struct; `#[derive(Schema)]`: a nested map or unit-only enum usable as a
/// field. See [`Model`](trait@Model) for the options.
pub use mapper_derive::{Collection, Model, Schema};

/// `#[migrations(current = N)]` on an `impl` block declares a model's
/// versioned upgrades (`#[migration(from = …)]` steps, `#[detect(…)]`
/// detectors) and implements [`Migrations`]; see [`Migrations`].
pub use migrate_macros::{detect, migration, migrations};

/// The migration engine: plans, detection, the test kit
/// ([`migrate::testing`]).
pub use migrate;

/// What generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::index::{Index, IndexProjection};
    pub use crate::key::PartFor;
    pub use crate::key::template::{Facts, build as build_key, parse_key};
    pub use crate::model::KeyTemplate;
    pub use crate::model::ModelInfo;
    pub use crate::read::Output;
    pub use crate::read::collection::{check_members, entity_of, load_member, not_a_member};
    pub use crate::{Error, Item, Result};
    pub use crate::{IntoKey, Key, KeyPart, Migrations, Model, ReadPolicy, WriteBack};
    pub use migrate;
    pub use validate;
}
