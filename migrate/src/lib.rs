//! Versioned upgrades of stored items, the engine under the mapper's
//! migrations: a [`Plan`] lists the steps from a model's first version to
//! its current one (`1 → 2 → 11`) and, for items written before versions
//! were stored, the detectors that recognize each old shape. Loading an
//! item finds its version ([`Plan::version_of`]: the stored version
//! attribute, else the detectors tried from the highest version down, else
//! the first version) and runs every step above it ([`Plan::migrate`]).
//! Every failure names the versions involved ([`Error`]); [`testing`] checks
//! a plan and its fixtures without a table. No AWS here: the mapper owns
//! what touches DynamoDB.
//!
//! ```
//! use migrate::Plan;
//! use validate::{Errors, Value};
//!
//! fn rename_mail(mut item: Value) -> Result<Value, Errors> {
//!     if let Some(map) = item.as_map_mut() && let Some(mail) = map.remove("mail") {
//!         map.insert("email".to_owned(), mail);
//!     }
//!     Ok(item)
//! }
//!
//! let plan = Plan::new(11)
//!     .step(1, 2, "noop", Ok)
//!     .step(2, 11, "rename_mail", rename_mail)
//!     .detect(1, "looks_v1", |item| item.get("mail").is_some());
//! plan.check()?;
//! let legacy: Value = serde_json::json!({ "id": 7, "mail": "a@b.c" }).try_into()?;
//! let migrated = plan.migrate(legacy)?;
//! assert_eq!(migrated.from, 1);
//! assert_eq!(migrated.value.get("email"), Some(&Value::from("a@b.c")));
//! assert_eq!(migrated.value.get("__schema_version__"), Some(&Value::from(11)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod plan;
pub mod testing;

pub use error::{Error, Result};
pub use plan::{Culprit, DEFAULT_ATTRIBUTE, Detector, Migrated, Plan, Step};
