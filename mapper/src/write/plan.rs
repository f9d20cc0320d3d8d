//! The conditions of conditional writes — the one place each rule lives,
//! for single operations and transactions alike: a put's condition (a
//! free key, the version), a partial save's change and its condition (the
//! changed attributes, the whole item, or the version as loaded), the
//! next version, and the refusal of a key edited since the item was loaded.

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{ErrorKind, Number, PathNode};

use crate::codec;
use crate::codec::Encoded;
use crate::error::{Error, KeyDisplay, Result};
use crate::expr::Placeholders;
use crate::model::{Model, ModelInfo};
use crate::timestamps::Stamps;

/// What the stored item must look like for a write to go through.
#[derive(Clone, Copy)]
pub(crate) enum Expect {
    /// Nothing: a blind write.
    Anything,
    /// No item with this key.
    Absent,
    /// No item with this key, which was issued to this call alone (an
    /// auto-increment id from the counter's atomic `ADD`): after a lost
    /// answer, an item found stored exactly as written is this call's own.
    Fresh,
}

/// Attributes the model does not know (written by newer code, say) stay
/// through a save of a loaded item, unless the schema removes extras.
pub(crate) fn keep_unknown(prepared: &mut Encoded, stored: &codec::Attributes, info: &ModelInfo) {
    if info.schema.extra_policy() != validate::Extra::Remove {
        for (name, attr) in stored {
            // The mapper's own attributes are written anew, or gone (an
            // index key whose field is gone): never kept from before.
            if info.is_unknown(name) {
                prepared
                    .attributes
                    .entry(name.clone())
                    .or_insert_with(|| attr.clone());
            }
        }
    }
}

/// An `UpdateItem` ready to send, for single writes and transactions
/// alike: a partial save ([`change_plan`]: the attributes that differ
/// from `stored`, on the condition that those are still as loaded, or the
/// version is) or a blind put that keeps a stored `created_at`
/// ([`upsert_plan`]).
pub(crate) struct PartialSave {
    pub(crate) key: KeyDisplay,
    pub(crate) key_attributes: codec::Attributes,
    pub(crate) expression: String,
    pub(crate) condition: Option<String>,
    pub(crate) placeholders: Placeholders,
}

/// Plans the partial save of `prepared` over `stored` ([`PartialSave`]); the
/// version, if any, is bumped in `prepared`. Without a version, the
/// condition is on the changed attributes, or on the `whole` item as
/// loaded.
pub(crate) fn change_plan<T: Model>(
    info: &ModelInfo,
    table: &str,
    prepared: &mut Encoded,
    stored: &codec::Attributes,
    whole: bool,
    stamps: &Stamps,
) -> Result<Option<PartialSave>> {
    let key = prepared.key(info).display(info);
    key_unchanged(&prepared.attributes, stored, info, table, &key)?;
    crate::schema_version::not_newer(stored, info, table, &key)?;
    let key_attributes = crate::key::attributes_of(&prepared.attributes, info);
    let version = T::VERSION.filter(|v| info.schema.get(v).is_some());
    // The mapper's own: the version and `updated_at` change with the
    // others, never alone; `created_at` stays as stored.
    let updated = stamps.updated().map(|(name, _)| *name);
    stamps.keep_created(&mut prepared.attributes, stored);
    let owned = |name: &str| Some(name) == version || Some(name) == updated;
    // Names owned: the version is written into the attributes below, and
    // the names still judge a refused condition after the send.
    let mut changed: Vec<String> = prepared
        .attributes
        .iter()
        .filter(|(name, attr)| !owned(name) && stored.get(*name) != Some(attr))
        .map(|(name, _)| name.clone())
        .collect();
    let mut removed: Vec<String> = stored
        .keys()
        .filter(|name| !owned(name) && !prepared.attributes.contains_key(*name))
        .cloned()
        .collect();
    if changed.is_empty() && removed.is_empty() {
        for name in version.iter().chain(&updated) {
            match stored.get(*name) {
                Some(old) => prepared.attributes.insert((*name).to_owned(), old.clone()),
                None => prepared.attributes.remove(*name),
            };
        }
        return Ok(None);
    }
    changed.sort();
    removed.sort();
    let mut p = Placeholders::default();
    let mut conditions = vec![format!("attribute_exists({})", p.name(&info.hash.name))];
    conditions.extend(crate::entity::own(info, &mut p));
    let mut sets = Vec::with_capacity(changed.len() + 1);
    let mut removes = Vec::with_capacity(removed.len());
    for name in &changed {
        let n = p.name(name);
        let v = p.value(prepared.attributes[name].clone());
        sets.push(format!("{n} = {v}"));
    }
    for name in &removed {
        removes.push(p.name(name));
    }
    if let Some((name, now)) = stamps.updated() {
        let n = p.name(name);
        sets.push(format!("{n} = {}", p.value(now.clone())));
        prepared.attributes.insert((*name).to_owned(), now.clone());
    }
    if let Some(version) = version {
        let (_, next) = next_version(stored.get(version), version, table, &key)?;
        let n = p.name(version);
        sets.push(format!(
            "{n} = {}",
            p.value(AttributeValue::N(next.to_string()))
        ));
        prepared
            .attributes
            .insert(version.to_owned(), AttributeValue::N(next.to_string()));
    }
    if version.is_some() || whole {
        conditions.extend(loaded_state(stored, info, version, &mut p));
    } else {
        for name in changed.iter().chain(&removed) {
            conditions.push(unchanged(stored, name, &mut p));
        }
        conditions.extend(schema_version(stored, info, &mut p));
    }
    let mut expression = String::new();
    if !sets.is_empty() {
        expression = format!("SET {}", sets.join(", "));
    }
    if !removes.is_empty() {
        if !expression.is_empty() {
            expression.push(' ');
        }
        expression.push_str(&format!("REMOVE {}", removes.join(", ")));
    }
    let condition = conditions.join(" AND ");
    within_limits(&expression, true, "update expression", table, &key)?;
    within_limits(&condition, false, "condition", table, &key)?;
    Ok(Some(PartialSave {
        key,
        key_attributes,
        expression,
        condition: Some(condition),
        placeholders: p,
    }))
}

/// The condition of a put of `prepared` under `expect`, with the version
/// check (and the version bumped in `prepared`) when the model has one:
/// the one rule for single puts and transactions.
pub(crate) fn put_condition<T: Model>(
    info: &ModelInfo,
    table: &str,
    prepared: &mut Encoded,
    expect: Expect,
    stamps: &Stamps,
    placeholders: &mut Placeholders,
) -> Result<Option<String>> {
    let mut conditions: Vec<String> = Vec::new();
    match expect {
        Expect::Anything => stamps.replace(&mut prepared.attributes),
        Expect::Absent | Expect::Fresh => stamps.create(&mut prepared.attributes),
    }
    if let Some(version) = T::VERSION {
        let (current, next) = next_version(
            prepared.attributes.get(version),
            version,
            table,
            &prepared.key(info).display(info),
        )?;
        let n = placeholders.name(version);
        match current {
            None => conditions.push(format!("attribute_not_exists({n})")),
            Some(current) => {
                let v = placeholders.value(AttributeValue::N(current.to_string()));
                conditions.push(format!("{n} = {v}"));
            }
        }
        prepared
            .attributes
            .insert(version.to_owned(), AttributeValue::N(next.to_string()));
    }
    match expect {
        Expect::Anything => {
            // Never over another entity type's item sharing the table.
            conditions.extend(crate::entity::absent_or_own(info, placeholders));
            // Never over an item newer code wrote (a rolling deploy).
            if let Some(plan) = info.migrations {
                let n = placeholders.name(plan.version_attribute());
                let v = placeholders.value(AttributeValue::N(plan.current().to_string()));
                conditions.push(format!("(attribute_not_exists({n}) OR {n} <= {v})"));
            }
        }
        Expect::Absent | Expect::Fresh => {
            let n = placeholders.name(&info.hash.name);
            conditions.push(format!("attribute_not_exists({n})"));
        }
    }
    Ok((!conditions.is_empty()).then(|| conditions.join(" AND ")))
}

/// Plans the blind put of `prepared` for a model with `created_at`, as
/// one `UpdateItem`: every attribute SET, those the schema knows and the
/// item lacks REMOVEd, `created_at` kept where stored (`if_not_exists`),
/// under the put's conditions (the version, the schema version, the
/// entity type). The version, if any, is bumped and `updated_at` set, and
/// the attributes move into the request (`prepared` keeps none: what is
/// stored after is the answer's to tell).
pub(crate) fn upsert_plan<T: Model>(
    info: &ModelInfo,
    table: &str,
    prepared: &mut Encoded,
    stamps: &Stamps,
) -> Result<PartialSave> {
    use std::fmt::Write as _;
    let mut p = Placeholders::default();
    let condition = put_condition::<T>(info, table, prepared, Expect::Anything, stamps, &mut p)?;
    let key = prepared.key(info).display(info);
    let key_attributes = crate::key::attributes_of(&prepared.attributes, info);
    let created = stamps.created();
    let attributes = std::mem::take(&mut prepared.attributes);
    let mut expression = String::from("SET ");
    // What the item lacks is removed: the schema's fields, and index keys
    // built from fields it lacks (a sparse index).
    let templates = info.templates.iter().map(|t| t.attribute);
    let removes: Vec<String> = info
        .schema
        .fields()
        .map(validate::Field::name)
        .chain(templates)
        .filter(|name| {
            !attributes.contains_key(*name)
                && !key_attributes.contains_key(*name)
                && created.is_none_or(|(c, _)| c != name)
        })
        .map(|name| p.name(name))
        .collect();
    let mut first = true;
    for (name, value) in attributes {
        if key_attributes.contains_key(&name) || created.is_some_and(|(c, _)| *c == name) {
            continue;
        }
        let n = p.name(&name);
        let v = p.value(value);
        let _ = write!(expression, "{}{n} = {v}", if first { "" } else { ", " });
        first = false;
    }
    if let Some((name, now)) = created {
        let c = p.name(name);
        let v = p.value(now.clone());
        let _ = write!(
            expression,
            "{}{c} = if_not_exists({c}, {v})",
            if first { "" } else { ", " }
        );
    }
    if !removes.is_empty() {
        let _ = write!(expression, " REMOVE {}", removes.join(", "));
    }
    within_limits(&expression, true, "update expression", table, &key)?;
    if let Some(condition) = &condition {
        within_limits(condition, false, "condition", table, &key)?;
    }
    Ok(PartialSave {
        key,
        key_attributes,
        expression,
        condition,
        placeholders: p,
    })
}

/// The stored version (`None` for a new item: absent or 0) and the one a
/// write stores next.
///
/// # Errors
/// [`Error::Validation`] for a version that is not an `i64` or is at
/// `i64::MAX`: nothing is written rather than a version that wraps.
pub(crate) fn next_version(
    current: Option<&AttributeValue>,
    version: &str,
    table: &str,
    key: &KeyDisplay,
) -> Result<(Option<i64>, i64)> {
    let current = match current {
        None => None,
        Some(attr) => Some(
            attr.as_n()
                .ok()
                .and_then(|text| text.parse::<Number>().ok())
                .and_then(|n| n.as_i64())
                .ok_or_else(|| {
                    version_error(version, table, key, "the version is not an integer")
                })?,
        ),
    };
    let current = current.filter(|c| *c != 0);
    let next = current.unwrap_or(0).checked_add(1).ok_or_else(|| {
        version_error(
            version,
            table,
            key,
            "the version is at its maximum (i64::MAX)",
        )
    })?;
    Ok((current, next))
}

fn version_error(version: &str, table: &str, key: &KeyDisplay, message: &str) -> Error {
    let mut errors = validate::Errors::new();
    errors.push(
        &PathNode::ROOT.key(version),
        ErrorKind::Range,
        message.to_owned(),
    );
    Error::Validation {
        table: table.to_owned(),
        key: key.clone(),
        errors,
    }
}

/// Refuses, before anything is sent, an expression past DynamoDB's limits
/// (4 KB, 300 operators): the `what` of the item with `key` (an update
/// expression when `update`). A condition on the whole item as loaded
/// takes two operators per attribute, so an item past about 150
/// attributes cannot be conditioned on as loaded: the error says to
/// declare a version attribute, which the condition then checks alone.
pub(crate) fn within_limits(
    expression: &str,
    update: bool,
    what: &str,
    table: &str,
    key: &KeyDisplay,
) -> Result<()> {
    let Some(why) = crate::expr::past_limits(expression, update) else {
        return Ok(());
    };
    let hint = if update {
        "send fewer changes at once (or put the whole item)"
    } else {
        "a condition on a whole item as loaded takes two operators per attribute: declare a \
         version attribute (#[model(version)]) to condition on it alone"
    };
    Err(Error::Usage {
        table: table.to_owned(),
        message: format!(
            "({key}) the {what} is past DynamoDB's limits on an expression: {why}; {hint}"
        ),
    })
}

/// Refuses a write or delete of a loaded item whose key attributes (in
/// `new`) differ from those it was loaded with: it would act on another
/// item.
pub(crate) fn key_unchanged(
    new: &codec::Attributes,
    stored: &codec::Attributes,
    info: &ModelInfo,
    table: &str,
    key: &KeyDisplay,
) -> Result<()> {
    for part in info.key_parts() {
        if new.get(&part.name) != stored.get(&part.name) {
            let mut errors = validate::Errors::new();
            errors.push(
                &PathNode::ROOT.key(&part.name),
                ErrorKind::Custom("key_changed".into()),
                "the key of a loaded item cannot change; create a new item instead",
            );
            return Err(Error::Validation {
                table: table.to_owned(),
                key: key.clone(),
                errors,
            });
        }
    }
    Ok(())
}

/// The condition that attribute `name` is still as in `stored`: equal to
/// the loaded value, or still absent.
pub(crate) fn unchanged(stored: &codec::Attributes, name: &str, p: &mut Placeholders) -> String {
    let n = p.name(name);
    match stored.get(name) {
        Some(old) => format!("{n} = {}", p.value(old.clone())),
        None => format!("attribute_not_exists({n})"),
    }
}

/// Conditions that a loaded item is still as loaded: at its loaded
/// `version` when the model has one, else every attribute as loaded; and
/// at the schema version it was loaded at (a model with migrations), so a
/// write never lands on an item code of another version rewrote. The one
/// rule for deletes, transaction checks and saves of a whole item.
pub(crate) fn loaded_state(
    stored: &codec::Attributes,
    info: &ModelInfo,
    version: Option<&str>,
    placeholders: &mut Placeholders,
) -> Vec<String> {
    match version {
        Some(version) => std::iter::once(unchanged(stored, version, placeholders))
            .chain(schema_version(stored, info, placeholders))
            .collect(),
        None => as_loaded(stored, info, placeholders),
    }
}

/// The condition that the stored item is at the schema version it was
/// loaded at (absent for an item stored before versions), for a model
/// with migrations.
pub(crate) fn schema_version(
    stored: &codec::Attributes,
    info: &ModelInfo,
    placeholders: &mut Placeholders,
) -> Option<String> {
    info.migrations
        .map(|plan| unchanged(stored, plan.version_attribute(), placeholders))
}

/// Conditions that the stored item still has exactly the loaded
/// attributes: each loaded attribute equal, each schema attribute (and
/// the migrations' version attribute) that was absent still absent.
fn as_loaded(
    stored: &codec::Attributes,
    info: &ModelInfo,
    placeholders: &mut Placeholders,
) -> Vec<String> {
    let absent = info
        .schema
        .fields()
        .map(|f| f.name())
        .chain(info.migrations.map(migrate::Plan::version_attribute))
        .filter(|name| !stored.contains_key(*name));
    let mut names: Vec<&str> = stored.keys().map(String::as_str).chain(absent).collect();
    names.sort_unstable();
    names
        .into_iter()
        .map(|name| unchanged(stored, name, placeholders))
        .collect()
}
