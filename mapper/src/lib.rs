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

mod auto_increment;
mod backoff;
mod batch;
mod codec;
mod commit;
mod convert;
mod cursor;
mod decode;
mod delete;
mod encode;
mod error;
pub mod expr;
mod get;
mod guard;
mod index;
mod item;
mod key;
pub mod keygen;
mod mapper;
mod migrate_table;
mod migration;
mod model;
mod outcome;
mod pages;
mod put;
mod query;
mod save;
mod scan;
mod table;
mod trace;
mod transact;
mod transact_get;
mod transact_retry;
mod update;
mod write_plan;

pub use auto_increment::MAX_AUTO_INCREMENT_ATTEMPTS;
pub use backoff::Backoff;
pub use batch::{
    BATCH_GET_LIMIT, BATCH_WRITE_BYTES, BATCH_WRITE_LIMIT, BatchGot, BatchOptions, Write,
};
pub use codec::{
    Attributes, MAX_ITEM_BYTES, from_attribute, from_item, into_attribute, into_item, to_attribute,
    to_item,
};
pub use commit::{CommitError, CommitReport, Plan, Transaction, TransactionStatus};
pub use cursor::Cursor;
pub use error::{CancelReason, Cause, CodecError, Error, KeyDisplay, Result};
pub use expr::{
    Action, AttrPath, AttrType, Comparator, Condition, IntoOperand, Operand, PathStep, SetOperand,
    SetValue, Update, attr, size,
};
pub use index::{Index, IndexInfo, IndexKind, IndexProjection};
pub use item::Item;
pub use key::{
    COUNTER_ATTRIBUTE, COUNTER_KEY, IntoKey, Key, KeyPart, MAX_HASH_KEY_BYTES, MAX_RANGE_KEY_BYTES,
};
pub use mapper::Mapper;
pub use migrate_table::{
    Census, DEFAULT_PAGE_SIZE, DRY_RUN_SAMPLES, MIGRATION_ATTEMPTS, MigrateTable, MigrationReport,
    Sample,
};
pub use migration::{Migrations, WriteBack};
pub use model::{KeyAttribute, KeyType, Model, ModelInfo, ReadPolicy};
pub use pages::{Loaded, Output, PAGE_BUDGET, Page};
pub use query::{Query, RangeCondition};
pub use scan::Scan;
pub use table::Throughput;
pub use transact::{TARGETS_ATTRIBUTE, TRANSACT_BYTES, TRANSACT_LIMIT, TransactWrite};
pub use transact_get::{Got, Slot, TransactGet};
pub use transact_retry::TransactionRetries;

/// `#[derive(Model)]`: writes the `impl Model` (and its schema) from the
/// struct; `#[derive(Schema)]`: a nested map or unit-only enum usable as a
/// field. See [`Model`](trait@Model) for the options.
pub use mapper_derive::{Model, Schema};

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
    pub use crate::{Index, IndexProjection, Migrations, Model, ReadPolicy, WriteBack};
    pub use migrate;
    pub use validate;
}
