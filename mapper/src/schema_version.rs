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
use crate::model::ModelInfo;

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
        .filter(|(name, _)| info.is_unknown(name))
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
