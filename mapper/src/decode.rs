//! The load path: attributes → `Value` → migrations → schema validation →
//! struct. Never a panic on stored data, whoever wrote it. Items stored at
//! the current version (and models without migrations) skip the
//! migrations: the attributes are checked where they lie.

use validate::{ErrorKind, Errors, Extra, PathNode, Presence, Segment, Value};

use crate::codec;
use crate::codec::sets;
use crate::error::{Error, KeyDisplay, Result};
use crate::item::Item;
use crate::item::Upgraded;
use crate::key::{self, Key};
use crate::model::{Model, ModelInfo, ReadPolicy};
use crate::schema_version;

/// Turns stored attributes into a model item, under `T`'s read policy.
pub(crate) fn load<T: Model>(
    attributes: codec::Attributes,
    info: &ModelInfo,
    table: &str,
) -> Result<Item<T>> {
    key_rules(&attributes, info, table)?;
    if info.has_computed() {
        return load_shared(attributes, info, table);
    }
    let mut item = load_any::<T>(attributes, info, table)?;
    item.model.after_load();
    Ok(item)
}

/// [`load`] of a model sharing its table: of this model's entity type, or
/// no item of it; its keys built from fields, what its fields make. The
/// attributes the model has no field for stay in the item: the decoders
/// skip them ([`ModelInfo::is_computed`]) and the as-loaded snapshot keeps
/// them (a save compares with it).
#[inline(never)]
fn load_shared<T: Model>(
    attributes: codec::Attributes,
    info: &ModelInfo,
    table: &str,
) -> Result<Item<T>> {
    crate::entity::check(&attributes, info, table)?;
    key::template::check(&attributes, info, table)?;
    let mut item = load_any::<T>(attributes, info, table)?;
    item.model.after_load();
    Ok(item)
}

/// [`load`] of any stored version.
fn load_any<T: Model>(
    mut attributes: codec::Attributes,
    info: &ModelInfo,
    table: &str,
) -> Result<Item<T>> {
    let Some(plan) = info.migrations else {
        return load_current(attributes, info, table);
    };
    if !schema_version::is_current(&attributes, plan) {
        return load_migrating(attributes, plan, info, table);
    }
    // At the current version: loaded as a model without migrations, the
    // version attribute back in the as-loaded snapshot.
    let version = attributes.remove_entry(plan.version_attribute());
    let mut item = load_current::<T>(attributes, info, table)?;
    if let (Some(stored), Some((name, value))) = (item.stored.as_mut(), version) {
        stored.insert(name, value);
    }
    Ok(item)
}

/// The load of an item at the model's current version.
fn load_current<T: Model>(
    attributes: codec::Attributes,
    info: &ModelInfo,
    table: &str,
) -> Result<Item<T>> {
    // The fast load passes no item with a list stored for a set
    // (`codec::de::checked`): the walk for one runs when it refuses.
    if T::READ_POLICY == ReadPolicy::Strict
        && let Some(model) = codec::de::checked::<T>(&attributes, info)
    {
        return Ok(Item {
            model,
            stored: Some(attributes),
            warnings: Errors::new(),
            upgraded: None,
        });
    }
    let misstored = sets::misstored(&attributes, info);
    if !misstored.is_empty() {
        return match T::READ_POLICY {
            ReadPolicy::Strict => Err(Error::Stored {
                table: table.to_owned(),
                key: stored_key(&attributes, info),
                errors: misstored,
            }),
            // The report path reads the list as a set, and says so.
            ReadPolicy::Lenient => report(attributes, info, table, misstored),
        };
    }
    report(attributes, info, table, Errors::new())
}

/// The load of an item below the current version (or without one): its
/// version found, its steps run on the raw item as a `Value`, then the
/// report path. The as-loaded snapshot stays the raw item. An item
/// newer than the code is a typed error (loaded as is with a warning under
/// the lenient policy, and never written back).
fn load_migrating<T: Model>(
    attributes: codec::Attributes,
    plan: &migrate::Plan,
    info: &ModelInfo,
    table: &str,
) -> Result<Item<T>> {
    let raw =
        codec::from_item(&attributes).map_err(|e| Error::convert(table, Default::default(), e))?;
    let failed = |error| schema_version::failed(table, stored_key(&attributes, info), error);
    let from = match plan.version_of(&raw) {
        Ok(from) => from,
        Err(error @ migrate::Error::Newer { .. }) if T::READ_POLICY == ReadPolicy::Lenient => {
            let warnings = schema_version::newer_warning(plan, &error);
            let mut value = raw;
            if let Some(map) = value.as_map_mut() {
                map.remove(plan.version_attribute());
            }
            return load_value(value, attributes, info, table, warnings);
        }
        Err(error) => return Err(failed(error)),
    };
    let key_names: Vec<&str> = info.key_parts().map(|k| k.name.as_str()).collect();
    let mut value = plan
        .upgrade_keeping(raw, from, &key_names)
        .map_err(failed)?;
    if let Some(map) = value.as_map_mut() {
        map.remove(plan.version_attribute());
    }
    let kept = schema_version::unknown_attributes(&value, info)
        .map_err(|e| Error::convert(table, stored_key(&attributes, info), e))?;
    let mut item = load_value(value, attributes, info, table, Errors::new())?;
    item.upgraded = Some(Upgraded { from, kept });
    Ok(item)
}

/// The load path on the whole item as a `Value`: lenient reads repair it,
/// and it reports every error with its path. `repaired` is what was
/// already found wrong and is repaired here (lenient reads).
pub(crate) fn report<T: Model>(
    attributes: codec::Attributes,
    info: &ModelInfo,
    table: &str,
    repaired: Errors,
) -> Result<Item<T>> {
    let raw =
        codec::from_item(&attributes).map_err(|e| Error::convert(table, Default::default(), e))?;
    load_value(raw, attributes, info, table, repaired)
}

/// The report path from the item's `Value` on (as stored, or as
/// migrated); `attributes` become the as-loaded snapshot.
fn load_value<T: Model>(
    mut value: Value,
    attributes: codec::Attributes,
    info: &ModelInfo,
    table: &str,
    repaired: Errors,
) -> Result<Item<T>> {
    let stored_error = |key: KeyDisplay, errors: Errors| Error::Stored {
        table: table.to_owned(),
        key,
        errors,
    };
    // The key is shown only in errors: computed when one happens.
    let key = || stored_key(&attributes, info);
    let Some(map) = value.as_map_mut() else {
        return Err(stored_error(key(), Errors::new()));
    };
    // Attributes the model does not know stay in the stored snapshot
    // (saved back later); they are not the model's to validate.
    if info.schema.extra_policy() != Extra::Allow {
        map.retain(|name, _| info.schema.get(name).is_some());
    } else if info.has_computed() {
        map.retain(|name, _| !info.is_computed(name));
    }
    sets::fill_absent(map, info);
    let (value, warnings) = match T::READ_POLICY {
        ReadPolicy::Strict => (
            strict(value, info)
                .map_err(|errors| stored_error(key(), as_stored(errors, &attributes)))?,
            Errors::new(),
        ),
        ReadPolicy::Lenient => {
            let (value, found) =
                lenient(value, info).map_err(|errors| stored_error(key(), errors))?;
            let mut warnings = repaired;
            for violation in found {
                warnings.push_violation(violation);
            }
            (value, warnings)
        }
    };
    Item::stored(value, attributes, warnings, table, |a| stored_key(a, info))
}

/// DynamoDB's key rules hold on load too, whatever the read policy: a
/// key value that is empty or too long (an item no save could write back)
/// is a stored-item error. A key whose validator may change it (it has no
/// plain form) goes through it as a save would (`Key::to_attributes`), and
/// must come out as stored: a validator that strips `" a "` to `"a"`, or
/// to `""`, would make a save write another item, or none.
fn key_rules(attributes: &codec::Attributes, info: &ModelInfo, table: &str) -> Result<()> {
    let mut errors = Errors::new();
    if info.key_normalized {
        match Key::of_attributes(attributes, info).to_attributes(info, table) {
            Ok(validated) => {
                for part in info.key_parts() {
                    if validated.get(&part.name) != attributes.get(&part.name) {
                        errors.push(
                            &PathNode::ROOT.key(&part.name),
                            ErrorKind::Custom("key_changed".into()),
                            "the key's validator changes the stored key: the item could not be saved back under its key",
                        );
                    }
                }
            }
            Err(e) => match e.errors() {
                Some(found) => errors = found.clone(),
                None => return Err(e),
            },
        }
    } else {
        key::check_table_keys(attributes, info, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Stored {
            table: table.to_owned(),
            key: stored_key(attributes, info),
            errors,
        })
    }
}

/// `errors` of a stored item, each naming the value as stored where its
/// message shows it as a validator normalized it (`"not an email"` where
/// the table holds `NOT AN EMAIL`): the one a reader looks for in the
/// table. Run only when a load fails.
fn as_stored(errors: Errors, attributes: &codec::Attributes) -> Errors {
    let Ok(raw) = codec::from_item(attributes) else {
        return errors;
    };
    let mut out = Errors::new();
    for mut violation in errors {
        let mut at = Some(&raw);
        for segment in violation.path.segments() {
            at = at.and_then(|v| match segment {
                Segment::Key(name) => v.get(&**name),
                Segment::Index(i) => v.get(*i),
            });
        }
        if let Some(stored) = at.filter(|v| v.is_string()) {
            let text = stored.to_string();
            let shown: String = match text.char_indices().nth(40) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            };
            if !violation.message.to_string().contains(&shown) {
                violation.message = format!("{} (stored: {shown})", violation.message).into();
            }
        }
        out.push_violation(violation);
    }
    out
}

/// The key of stored attributes, for messages.
fn stored_key(attributes: &codec::Attributes, info: &ModelInfo) -> KeyDisplay {
    Key::of_attributes(attributes, info).display(info)
}

/// An attribute missing from a stored item takes its constant default
/// (a field added with a default reads older items, the most common
/// schema change); one whose default is generated (`default_fn`: an id,
/// the time) is an error: a load cannot make it up, each read would make
/// another.
fn strict(mut value: Value, info: &ModelInfo) -> Result<Value, Errors> {
    let mut errors = Errors::new();
    let root = PathNode::ROOT;
    for field in info.schema.fields() {
        if generated(field.presence()) && value.get(field.name()).is_none() {
            errors.push(
                &root.key(field.name()),
                ErrorKind::Required,
                "attribute missing from the stored item (its default is generated: a load cannot make it up)",
            );
        }
    }
    match info.schema.validate_in_place(&mut value) {
        Ok(()) if errors.is_empty() => Ok(value),
        Ok(()) => Err(errors),
        Err(found) => {
            for violation in found {
                errors.push_violation(violation);
            }
            Err(errors)
        }
    }
}

/// Whether a presence is a generated default (`default_fn`).
pub(crate) fn generated(presence: &Presence) -> bool {
    matches!(presence, Presence::Default(validate::DefaultValue::Fn(_)))
}

/// Replaces each bad or missing top-level attribute by its default (or
/// drops it when optional), and reports what it replaced.
fn lenient(mut value: Value, info: &ModelInfo) -> Result<(Value, Errors), Errors> {
    let mut warnings = Errors::new();
    let root = PathNode::ROOT;
    let mut repair: Vec<String> = Vec::new();
    for field in info.schema.fields() {
        if matches!(field.presence(), Presence::Default(_)) && value.get(field.name()).is_none() {
            warnings.push(
                &root.key(field.name()),
                ErrorKind::Required,
                "attribute missing from the stored item; default used",
            );
        }
    }
    let mut first = value.clone();
    if let Err(errors) = info.schema.validate_in_place(&mut first) {
        for violation in errors {
            if let Some(Segment::Key(name)) = violation.path.segments().first()
                && !repair.iter().any(|r| **r == **name)
            {
                repair.push(name.to_string());
            }
            warnings.push_violation(violation);
        }
    } else {
        return Ok((first, warnings));
    }
    let Some(map) = value.as_map_mut() else {
        return Err(warnings);
    };
    // A key is the item's identity: never repaired into another one.
    let is_key =
        |name: &str| name == info.hash.name || info.range.as_ref().is_some_and(|r| r.name == name);
    if repair.iter().any(|name| is_key(name)) {
        return Err(warnings);
    }
    for name in repair {
        match info
            .schema
            .get(&name)
            .map(|f| (f.presence().clone(), f.default_value()))
        {
            Some((_, Some(default))) => {
                map.insert(name, default);
            }
            Some((Presence::Optional, _)) | None => {
                map.remove(&name);
            }
            Some(_) => return Err(warnings),
        }
    }
    match info.schema.validate_in_place(&mut value) {
        Ok(()) => Ok((value, warnings)),
        Err(_) => Err(warnings),
    }
}
