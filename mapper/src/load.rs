//! The load path: attributes → `Value` → upgrade (migrations) → schema
//! validation → struct. Never a panic on stored data, whoever wrote it.

use validate::{ErrorKind, Errors, Extra, PathNode, Presence, Segment, Value};

use crate::codec;
use crate::error::{Error, KeyDisplay, Result};
use crate::item::Item;
use crate::key::Key;
use crate::model::{Model, ModelInfo, ReadPolicy};
use crate::{direct, fields, stored_set};

/// Turns stored attributes into a model item, under `T`'s read policy.
pub(crate) fn load<T: Model>(
    attributes: codec::Item,
    info: &ModelInfo,
    table: &str,
) -> Result<Item<T>> {
    let misstored = stored_set::misstored(&attributes, info);
    if !misstored.is_empty() {
        return match T::READ_POLICY {
            ReadPolicy::Strict => Err(Error::Stored {
                table: table.to_owned(),
                key: stored_key(&attributes, info),
                errors: misstored,
            }),
            // The whole-item path reads the list as a set, and says so.
            ReadPolicy::Lenient => load_whole(attributes, info, table, misstored),
        };
    }
    if T::READ_POLICY == ReadPolicy::Strict
        && T::UPGRADE.is_none()
        && let Some(model) =
            direct::load::<T>(&attributes, info).or_else(|| fields::load::<T>(&attributes, info))
    {
        return Ok(Item {
            model,
            stored: Some(attributes),
            warnings: Errors::new(),
        });
    }
    load_whole(attributes, info, table, Errors::new())
}

/// The load path on the whole item as a `Value`: upgrades need it, lenient
/// reads repair it, and it reports every error with its path. `repaired`
/// is what was already found wrong and is repaired here (lenient reads).
pub(crate) fn load_whole<T: Model>(
    attributes: codec::Item,
    info: &ModelInfo,
    table: &str,
    repaired: Errors,
) -> Result<Item<T>> {
    let stored_error = |key: KeyDisplay, errors: Errors| Error::Stored {
        table: table.to_owned(),
        key,
        errors,
    };
    let raw =
        codec::from_item(&attributes).map_err(|e| Error::convert(table, Default::default(), e))?;
    // The key is shown only in errors: computed when one happens.
    let key = || stored_key(&attributes, info);
    let mut value = match T::UPGRADE {
        Some(upgrade) => upgrade(raw).map_err(|errors| stored_error(key(), errors))?,
        None => raw,
    };
    let Some(map) = value.as_map_mut() else {
        return Err(stored_error(key(), Errors::new()));
    };
    // Attributes the model does not know stay in the stored snapshot
    // (saved back later); they are not the model's to validate.
    if info.schema.extra_policy() != Extra::Allow {
        map.retain(|name, _| info.schema.get(name).is_some());
    }
    for (name, set_type) in &info.sets {
        if !map.contains_key(name)
            && let Some(empty) = set_type.empty_set()
        {
            map.insert(name.clone(), empty);
        }
    }
    let (value, warnings) = match T::READ_POLICY {
        ReadPolicy::Strict => (
            strict(value, info).map_err(|errors| stored_error(key(), errors))?,
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

/// The key of stored attributes, for messages.
fn stored_key(attributes: &codec::Item, info: &ModelInfo) -> KeyDisplay {
    Key::of_attributes(attributes, info).display(info)
}

/// Defaults belong to new items: an attribute missing from a stored item
/// is an error even when the schema has a default for it.
fn strict(mut value: Value, info: &ModelInfo) -> Result<Value, Errors> {
    let mut errors = Errors::new();
    let root = PathNode::ROOT;
    for field in info.schema.fields() {
        if matches!(field.presence(), Presence::Default(_)) && value.get(field.name()).is_none() {
            errors.push(
                &root.key(field.name()),
                ErrorKind::Required,
                "attribute missing from the stored item",
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
