//! Migrations on the mapper's paths: the stored version on every write,
//! the version found (and the steps run) on every load, and the rules that
//! keep a migrated item from losing anyone's write: its save is conditioned
//! on the raw item as loaded, an item written by newer code is never
//! written back, and an update never marks a stale item current.
//!
//! The engine itself (plans, detection, the chain) is the `migrate` crate;
//! a model declares its plan with `#[mapper::migrations]` and points at it
//! with `#[model(migrations)]` ([`Model::migrations`]).

use aws_sdk_dynamodb::types::AttributeValue;
use migrate::Plan;
use validate::{ErrorKind, Errors, PathNode, Value};

use crate::codec;
use crate::error::{Error, KeyDisplay, Result};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};

/// When a load that migrated an item writes it back ([`Model::WRITE_BACK`],
/// or per mapper with [`Mapper::with_write_back`](crate::Mapper::with_write_back)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteBack {
    /// When the application next saves the item: that save sends the
    /// migration's changes with its own (one request), conditioned on the
    /// raw item as loaded.
    #[default]
    Lazy,
    /// At once, by `get`, `find` and `batch_get`, with the same condition;
    /// a failed condition (someone wrote meanwhile) is not an error, the
    /// item stays migrated in memory.
    Immediately,
}

/// The declared migrations of a model: written by `#[mapper::migrations]`
/// on an `impl` block; the model points at them with `#[model(migrations)]`.
///
/// ```
/// use mapper::{Migrations, Model};
/// use validate::{Errors, Value};
///
/// #[derive(serde::Serialize, serde::Deserialize, Model)]
/// #[model(table = "users", migrations)]
/// struct User {
///     #[model(hash_key)]
///     id: i64,
///     email: String,
/// }
///
/// #[mapper::migrations(current = 2)]
/// impl User {
///     /// Items written before versions were stored hold `mail`.
///     #[detect(1)]
///     fn looks_v1(item: &Value) -> bool {
///         item.get("mail").is_some()
///     }
///
///     #[migration(from = 1)]
///     fn rename_mail(mut item: Value) -> Result<Value, Errors> {
///         if let Some(map) = item.as_map_mut()
///             && let Some(mail) = map.remove("mail")
///         {
///             map.insert("email".to_owned(), mail);
///         }
///         Ok(item)
///     }
/// }
///
/// let legacy: Value = serde_json::json!({ "id": 1, "mail": "a@b.c" }).try_into()?;
/// let migrated = User::plan().migrate(legacy)?;
/// assert_eq!(migrated.from, 1);
/// assert_eq!(migrated.value.get("email"), Some(&Value::from("a@b.c")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With a plan, every write stores the current version in the plan's
/// attribute (`__schema_version__` unless named), and every load finds
/// the stored item's version (that attribute, else the detectors from the
/// highest version down, else the first version when there are no
/// detectors) and runs the steps above it before validating. A migrated
/// item remembers the raw item as loaded: its save sends the migration
/// with the application's changes, conditioned on that raw item.
pub trait Migrations {
    /// The plan, checked when the model is first used.
    fn plan() -> &'static Plan;
}

/// What a load migrated: the version it found, and the attributes the
/// migrated item holds that the model does not know (kept by a save, in
/// place of the raw item's, so that attributes a step dropped are removed).
#[derive(Clone, Debug)]
pub(crate) struct Upgraded {
    pub(crate) from: u32,
    pub(crate) kept: codec::Attributes,
}

/// Whether the stored attributes are at the plan's current version by
/// their version attribute (the one case that loads as a model without
/// migrations does).
pub(crate) fn is_current(attributes: &codec::Attributes, plan: &Plan) -> bool {
    matches!(
        attributes.get(plan.version_attribute()),
        Some(AttributeValue::N(n)) if n.parse::<u32>().ok() == Some(plan.current())
    )
}

/// Sets the current version in attributes about to be written; returns
/// the bytes it adds to the item.
pub(crate) fn stamp(attributes: &mut codec::Attributes, info: &ModelInfo) -> usize {
    let Some(plan) = info.migrations else {
        return 0;
    };
    let name = plan.version_attribute();
    let number = plan.current().to_string();
    let size = name.len() + number.len();
    attributes.insert(name.to_owned(), AttributeValue::N(number));
    size
}

impl Mapper {
    /// Writes a just-loaded item back when a load migrated it and `T`'s
    /// write-back is [`WriteBack::Immediately`]: its save, conditioned on
    /// the raw item as loaded. The load has what it asked for whatever
    /// the write-back does: a write-back that fails (someone wrote
    /// meanwhile, an answer was lost, DynamoDB refused it) leaves the item
    /// migrated in memory, to be written by its next save, with a warning
    /// that says why (`item.warnings`, at the version attribute); it never
    /// makes an item unreadable.
    pub(crate) async fn written_back<T: Model>(&self, item: &mut Item<T>) {
        if item.upgraded.is_none() || self.write_back::<T>() != WriteBack::Immediately {
            return;
        }
        // Boxed: the loads that call this keep their futures small.
        if let Err(e) = Box::pin(self.save(item)).await
            && let Some(plan) = T::migrations()
        {
            item.warnings.push(
                &PathNode::ROOT.key(plan.version_attribute()),
                ErrorKind::Custom("write_back_failed".into()),
                format!("the migrated item was not written back: {e}"),
            );
        }
    }
}

/// The typed error of a migration that failed on an item.
pub(crate) fn failed(table: &str, key: KeyDisplay, error: migrate::Error) -> Error {
    Error::Migration {
        table: table.to_owned(),
        key,
        error,
    }
}

/// Refuses a write over `stored` when it holds a version newer than the
/// code's: a reader running older code (during a rolling deploy) must not
/// clobber items written by newer code.
pub(crate) fn not_newer(
    stored: &codec::Attributes,
    info: &ModelInfo,
    table: &str,
    key: &KeyDisplay,
) -> Result<()> {
    let Some(plan) = info.migrations else {
        return Ok(());
    };
    // The engine's rule, on the version attribute alone.
    let Some(version) = stored
        .get(plan.version_attribute())
        .and_then(|attribute| codec::from_attribute(attribute).ok())
    else {
        return Ok(());
    };
    let only = Value::Map(validate::Map::from([(
        plan.version_attribute().to_owned(),
        version,
    )]));
    match plan.version_of(&only) {
        Err(error @ migrate::Error::Newer { .. }) => Err(failed(table, key.clone(), error)),
        _ => Ok(()),
    }
}

/// The condition an update of a model with migrations adds: the stored
/// item is at the current version (an update must not mark a stale item
/// current without its steps having run).
pub(crate) fn update_condition(
    info: &ModelInfo,
    placeholders: &mut Placeholders,
) -> Option<String> {
    let plan = info.migrations?;
    let name = placeholders.name(plan.version_attribute());
    let value = placeholders.value(AttributeValue::N(plan.current().to_string()));
    Some(format!("{name} = {value}"))
}

/// The error for an update refused because the stored item is not at the
/// current version: `None` when it is (the refusal was something else).
pub(crate) fn stale(
    stored: &codec::Attributes,
    info: &ModelInfo,
    table: &str,
    key: &KeyDisplay,
) -> Option<Error> {
    let plan = info.migrations?;
    if is_current(stored, plan) {
        return None;
    }
    let raw = codec::from_item(stored).unwrap_or_default();
    Some(match plan.version_of(&raw) {
        Ok(found) => failed(
            table,
            key.clone(),
            migrate::Error::Stale {
                found,
                current: plan.current(),
            },
        ),
        Err(error) => failed(table, key.clone(), error),
    })
}

/// The migrated item's attributes the model does not know (its version
/// attribute aside), as a save keeps them: written by the codec's own rule
/// (an empty set is absent), and an error rather than an attribute
/// silently dropped (which the save would then remove).
pub(crate) fn unknown_attributes(
    value: &Value,
    info: &ModelInfo,
) -> std::result::Result<codec::Attributes, crate::error::CodecError> {
    let unknown: validate::Map = value
        .as_map()
        .into_iter()
        .flatten()
        .filter(|(name, _)| info.schema.get(name).is_none())
        .map(|(name, v)| (name.clone(), v.clone()))
        .collect();
    codec::into_item(Value::Map(unknown))
}

/// The warning of a lenient load of an item newer than the code.
pub(crate) fn newer_warning(plan: &Plan, error: &migrate::Error) -> Errors {
    let mut warnings = Errors::new();
    warnings.push(
        &PathNode::ROOT.key(plan.version_attribute()),
        ErrorKind::Custom("newer_version".into()),
        format!("{error}; loaded as is, and never written back"),
    );
    warnings
}

/// Checks a model's plan once, with its facts: well formed, and its
/// version attribute not one of the model's attributes.
pub(crate) fn check_plan(info: &ModelInfo) -> Result<()> {
    let Some(plan) = info.migrations else {
        return Ok(());
    };
    let bad = |message: String| Error::Model {
        table: info.table.clone(),
        message,
    };
    plan.check().map_err(|e| bad(e.to_string()))?;
    if info.schema.get(plan.version_attribute()).is_some() {
        return Err(bad(format!(
            "the migrations' version attribute {:?} is also a model attribute",
            plan.version_attribute()
        )));
    }
    Ok(())
}
