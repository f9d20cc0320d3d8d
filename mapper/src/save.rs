//! The save path: struct → `Value` → schema validation → attributes →
//! `PutItem`. An invalid item is never sent.

use std::sync::Arc;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use validate::{ErrorKind, PathNode, Value};

use crate::codec;
use crate::direct;
use crate::error::{Error, KeyDisplay, Result, refused_with};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::key::Key;
use crate::key_hash;
use crate::mapper::Mapper;
use crate::migration;
use crate::model::{Model, ModelInfo};
use crate::trace::{capacity, op_span, send};
use crate::write_plan::{Change, change_plan, keep_unknown, put_condition};

/// The hash key value reserved for the auto-increment counter item.
pub const COUNTER_KEY: i64 = -1;
/// The counter item's attribute holding the last key handed out (the
/// original dynamodb-mapper's name, so tables stay compatible).
pub const COUNTER_ATTRIBUTE: &str = "__max_hash_key__";
/// DynamoDB's item size limit (400 KB), names and values included.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items>
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// How many keys an auto-increment insert tries before giving up, by
/// default ([`Model::AUTO_INCREMENT_ATTEMPTS`]): the original
/// dynamodb-mapper's 100.
pub const MAX_AUTO_INCREMENT_ATTEMPTS: u32 = 100;

/// A validated item ready to write, with the normalized value kept (to
/// return the item as stored).
pub(crate) struct Prepared {
    /// The normalized item as a `Value`, when the `Value` path made it;
    /// the direct path goes straight to attributes.
    pub(crate) value: Option<Value>,
    pub(crate) attributes: codec::Item,
    pub(crate) key: Key,
    /// The item's size as DynamoDB counts it, as written.
    pub(crate) size: usize,
}

/// A validated item as attributes only: the normalized value's strings
/// moved into them (batch writes, [`Mapper::to_attributes`]).
#[derive(Debug, PartialEq)]
pub(crate) struct Encoded {
    pub(crate) attributes: codec::Item,
    /// The item's size as DynamoDB counts it, estimated once.
    pub(crate) size: usize,
    /// The hash of its key ([`key_hash`](crate::key_hash)).
    pub(crate) key_hash: u64,
}

/// What the stored item must look like for a write to go through.
#[derive(Clone, Copy)]
pub(crate) enum Expect {
    /// Nothing: a blind write.
    Anything,
    /// No item with this key.
    Absent,
}

impl Mapper {
    /// struct → validated attributes, straight when the direct path
    /// takes them (the fast path); otherwise struct → `Value` → validated, normalized
    /// `Value` → attributes, keeping the value.
    pub(crate) fn prepare<T: Model>(
        &self,
        model: &T,
        info: &ModelInfo,
        table: &str,
    ) -> Result<Prepared> {
        if let Some(Encoded {
            mut attributes,
            size,
            ..
        }) = direct::encode(model, info)
        {
            let key = Key::of_attributes(&attributes, info);
            let size = size + migration::stamp(&mut attributes, info);
            admit(&attributes, size, &key, info, table)?;
            return Ok(Prepared {
                value: None,
                attributes,
                key,
                size,
            });
        }
        self.prepare_value::<T>(model_value(model, table)?, info, table)
    }

    /// [`Mapper::prepare`] from the model's `Value` on.
    pub(crate) fn prepare_value<T: Model>(
        &self,
        value: Value,
        info: &ModelInfo,
        table: &str,
    ) -> Result<Prepared> {
        let (value, key) = validated::<T>(value, info, table)?;
        let mut attributes =
            codec::to_item(&value).map_err(|e| Error::convert(table, key.display(info), e))?;
        migration::stamp(&mut attributes, info);
        let size = checked_size(&attributes, &key, info, table)?;
        Ok(Prepared {
            value: Some(value),
            attributes,
            key,
            size,
        })
    }

    /// struct → validated attributes: straight (the fast path), else
    /// struct → `Value` → validated, normalized `Value` → attributes (the
    /// report path), the value consumed.
    pub(crate) fn encode<T: Model>(
        &self,
        model: &T,
        info: &ModelInfo,
        table: &str,
    ) -> Result<Encoded> {
        if let Some(mut encoded) = direct::encode(model, info) {
            encoded.size += migration::stamp(&mut encoded.attributes, info);
            if encoded.size <= MAX_ITEM_BYTES && keys_fit(&encoded.attributes, info) {
                return Ok(encoded);
            }
        }
        encode_whole(model, info, table)
    }
}

/// Whether an item's key values pass DynamoDB's key rules; when not, the
/// whole-item path reports them.
fn keys_fit(attributes: &codec::Item, info: &ModelInfo) -> bool {
    let mut errors = validate::Errors::new();
    crate::key::check_item_keys(attributes, info, &mut errors);
    errors.is_empty()
}

/// The save path on the whole item as a `Value`, which also reports every
/// error; the value's strings move into the attributes.
pub(crate) fn encode_whole<T: Model>(model: &T, info: &ModelInfo, table: &str) -> Result<Encoded> {
    let (value, key) = validated::<T>(model_value(model, table)?, info, table)?;
    let mut attributes =
        codec::into_item(value).map_err(|e| Error::convert(table, key.display(info), e))?;
    migration::stamp(&mut attributes, info);
    let size = checked_size(&attributes, &key, info, table)?;
    let key_hash = key_hash::of_item(Some(&attributes), info);
    Ok(Encoded {
        attributes,
        size,
        key_hash,
    })
}

impl Mapper {
    /// Writes a prepared item under `expect`, plus the version check when
    /// the model has a version attribute; gives it back as written, its
    /// attributes kept only when `keep` says so (else they go to the
    /// request without a copy). One `async` layer under the public
    /// operations: each layer copies the request future (several KB) once
    /// more.
    pub(crate) async fn write<T: Model>(
        &self,
        info: &ModelInfo,
        table: &str,
        mut prepared: Prepared,
        expect: Expect,
        keep: bool,
    ) -> Result<Prepared> {
        let mut placeholders = Placeholders::default();
        let condition = put_condition::<T>(info, table, &mut prepared, expect, &mut placeholders)?;
        let span = op_span!("PutItem", table, prepared.key.display(info));
        // A conditional put keeps what it wrote, to recognize it stored.
        let item = if keep || condition.is_some() {
            prepared.attributes.clone()
        } else {
            std::mem::take(&mut prepared.attributes)
        };
        // Each builder call moves the whole request: only the parts that
        // are there are set.
        let mut request = self
            .client()
            .put_item()
            .table_name(table)
            .set_item(Some(item));
        if let Some(condition) = condition {
            request = request
                .condition_expression(condition)
                .set_expression_attribute_names(placeholders.names())
                .set_expression_attribute_values(placeholders.values())
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
        }
        if let Some(capacity) = capacity(&span) {
            request = request.return_consumed_capacity(capacity);
        }
        let result = send!(request, span);
        let Err(e) = result else {
            return Ok(prepared);
        };
        match refused_with(&e) {
            // A request resent after its answer was lost finds the item it
            // wrote: that is success, not a conflict.
            Some(stored) if stored == Some(&prepared.attributes) => Ok(prepared),
            Some(_) => Err(match expect {
                Expect::Absent => Error::Overwrite {
                    table: table.to_owned(),
                    key: prepared.key.display(info),
                },
                _ => Error::Conflict {
                    table: table.to_owned(),
                    key: prepared.key.display(info),
                },
            }),
            None => Err(Error::service(table, "PutItem", e)),
        }
    }

    /// Writes `model` whatever is stored under its key (a blind put; with a
    /// version attribute, the stored version must still match). Returns the
    /// item as stored: normalized, defaults filled.
    ///
    /// # Errors
    /// [`Error::Validation`] with every bad attribute (nothing is sent),
    /// [`Error::Conflict`] on a version mismatch, [`Error::Service`].
    pub async fn put<T: Model>(&self, model: &T) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let prepared = self.prepare(model, &info, table)?;
        let written = self
            .write::<T>(&info, table, prepared, Expect::Anything, true)
            .await?;
        self.stored_item(written, &info, table, Default::default())
    }

    /// Writes `model` as [`Mapper::put`] does, without giving the stored
    /// item back: the attributes go into the request without a copy kept,
    /// and no model is read back from them. For writers that keep nothing
    /// of what they wrote (a stream of events, an import).
    ///
    /// # Errors
    /// As [`Mapper::put`].
    pub async fn put_only<T: Model>(&self, model: &T) -> Result<()> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let prepared = self.prepare(model, &info, table)?;
        self.write::<T>(&info, table, prepared, Expect::Anything, false)
            .await?;
        Ok(())
    }

    /// Writes `model` only if no item has its key.
    ///
    /// An item found stored exactly as this call writes it counts as
    /// written: that is how a create resent after its answer was lost
    /// finds its own work (an identical item written by another cannot be
    /// told from it, and leaves the table as this call would).
    ///
    /// # Errors
    /// [`Error::Overwrite`] if the key is taken (the stored item is left
    /// unchanged), [`Error::Validation`], [`Error::Service`].
    pub async fn create<T: Model>(&self, model: &T) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let prepared = self.prepare(model, &info, table)?;
        let written = self
            .write::<T>(&info, table, prepared, Expect::Absent, true)
            .await?;
        self.stored_item(written, &info, table, Default::default())
    }

    /// Saves an item with conflict detection. A new item is written whole,
    /// only if its key is free. A loaded item is a partial save: only the
    /// attributes that changed since it was loaded are sent (SET or
    /// REMOVE), on the condition that those attributes are still as loaded
    /// — or, with a version attribute, that the version is — so writers of
    /// different attributes do not conflict. Nothing is sent when nothing
    /// changed. The whole item is still validated first. Attributes the
    /// model does not know are kept unless the schema removes extras. On
    /// success the item holds what is stored.
    ///
    /// # Errors
    /// [`Error::Conflict`], [`Error::Overwrite`], [`Error::Validation`],
    /// [`Error::Service`]. On error the item is unchanged.
    pub async fn save<T: Model>(&self, item: &mut Item<T>) -> Result<()> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let mut prepared = self.prepare(&item.model, &info, table)?;
        let written = match &item.stored {
            None => {
                self.write::<T>(&info, table, prepared, Expect::Absent, true)
                    .await?
            }
            Some(stored) => {
                // A migrated item keeps the unknown attributes of its
                // migrated form (those its steps dropped are removed), and
                // its save is conditioned on the whole raw item as loaded.
                let upgraded = item.upgraded.as_ref();
                keep_unknown(&mut prepared, upgraded.map_or(stored, |u| &u.kept), &info);
                self.write_changes::<T>(&info, table, prepared, stored, upgraded.is_some())
                    .await?
            }
        };
        *item = self.stored_item(written, &info, table, item.warnings.clone())?;
        Ok(())
    }

    /// Partial save: only the attributes that differ from `stored` are sent
    /// (SET or REMOVE), on the condition that those attributes are still as
    /// loaded (or, with a version attribute, that the version is). Nothing
    /// is sent when nothing changed.
    async fn write_changes<T: Model>(
        &self,
        info: &ModelInfo,
        table: &str,
        mut prepared: Prepared,
        stored: &codec::Item,
        whole: bool,
    ) -> Result<Prepared> {
        let Some(change) = change_plan::<T>(info, table, &mut prepared, stored, whole)? else {
            return Ok(prepared);
        };
        let Change {
            key,
            key_attributes,
            expression,
            condition,
            mut placeholders,
            touched,
            removed,
        } = change;
        let span = op_span!("UpdateItem", table, key);
        let result = send!(
            self.client()
                .update_item()
                .table_name(table)
                .set_key(Some(key_attributes))
                .update_expression(expression)
                .condition_expression(condition)
                .set_expression_attribute_names(placeholders.names())
                .set_expression_attribute_values(placeholders.values())
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld
                )
                .set_return_consumed_capacity(capacity(&span)),
            span
        );
        let Err(e) = result else {
            return Ok(prepared);
        };
        match refused_with(&e) {
            // A request resent after its answer was lost finds its own
            // change stored: that is success, not a conflict.
            Some(Some(now))
                if touched
                    .iter()
                    .all(|name| now.get(name) == prepared.attributes.get(name))
                    && removed.iter().all(|name| !now.contains_key(name)) =>
            {
                Ok(prepared)
            }
            Some(_) => Err(Error::Conflict {
                table: table.to_owned(),
                key,
            }),
            None => Err(Error::service(table, "UpdateItem", e)),
        }
    }

    /// Inserts `model` under the next auto-increment hash key: a counter
    /// item at key -1 is bumped with an atomic `ADD`, then the item is put
    /// on the condition that the key is free; a key already taken by a
    /// direct write is skipped for the next one.
    ///
    /// Keys are unique and increasing, not gapless: the counter's `ADD` is
    /// applied at least once, so one resent after its answer was lost skips
    /// a number, as does an invalid item found after the key was taken.
    ///
    /// # Errors
    /// [`Error::MaxRetriesExceeded`] after
    /// [`Model::AUTO_INCREMENT_ATTEMPTS`] taken keys, [`Error::Usage`] for a
    /// model without `AUTO_INCREMENT`, [`Error::Validation`], [`Error::Service`].
    pub async fn insert_auto<T: Model>(&self, model: &T) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.clone();
        if !T::AUTO_INCREMENT {
            return Err(Error::Usage {
                table,
                message: "insert_auto needs a model with AUTO_INCREMENT".to_owned(),
            });
        }
        let mut value = model_value(model, &table)?;
        // Check everything but the key before taking a number, so an invalid
        // item never leaves a hole in the keys.
        if let Err(errors) = info.schema.validate(value.clone()) {
            let key_path = validate::Path::root().key(info.hash.name.as_str());
            let mut others = validate::Errors::new();
            for violation in errors
                .into_iter()
                .filter(|v| !v.path.starts_with(&key_path))
            {
                others.push_violation(violation);
            }
            if !others.is_empty() {
                return Err(Error::Validation {
                    table,
                    key: Default::default(),
                    errors: others,
                });
            }
        }
        for _ in 0..T::AUTO_INCREMENT_ATTEMPTS {
            let id = self.next_counter(&info, &table).await?;
            if let Some(map) = value.as_map_mut() {
                map.insert(info.hash.name.clone(), Value::from(id));
            }
            let prepared = self.prepare_value::<T>(value.clone(), &info, &table)?;
            match self
                .write::<T>(&info, &table, prepared, Expect::Absent, true)
                .await
            {
                Ok(written) => return self.stored_item(written, &info, &table, Default::default()),
                Err(Error::Overwrite { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::MaxRetriesExceeded {
            table,
            operation: "auto-increment insert",
            attempts: T::AUTO_INCREMENT_ATTEMPTS,
        })
    }

    async fn next_counter(&self, info: &Arc<ModelInfo>, table: &str) -> Result<i64> {
        let out = send!(
            self.client()
                .update_item()
                .table_name(table)
                .key(&info.hash.name, AttributeValue::N(COUNTER_KEY.to_string()))
                .update_expression("ADD #c :one")
                .expression_attribute_names("#c", COUNTER_ATTRIBUTE)
                .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
                .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew),
            op_span!("UpdateItem", table, "counter")
        )
        .map_err(|e| Error::service(table, "UpdateItem", e))?;
        out.attributes()
            .and_then(|a| a.get(COUNTER_ATTRIBUTE))
            .and_then(|a| a.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                let mut errors = validate::Errors::new();
                errors.push(
                    &PathNode::ROOT.key(COUNTER_ATTRIBUTE),
                    ErrorKind::Type,
                    "the auto-increment counter is not an integer",
                );
                Error::Stored {
                    table: table.to_owned(),
                    key: Key {
                        hash: Value::from(COUNTER_KEY),
                        range: None,
                    }
                    .display(info),
                    errors,
                }
            })
    }

    /// The item as written: the normalized value back as the model.
    pub(crate) fn stored_item<T: Model>(
        &self,
        written: Prepared,
        info: &ModelInfo,
        table: &str,
        warnings: validate::Errors,
    ) -> Result<Item<T>> {
        let key = written.key;
        let Some(value) = written.value else {
            // Attributes the fast path checked, as they were written.
            let model = direct::model::<T>(&written.attributes, info)
                .map_err(|e| Error::convert(table, key.display(info), e))?;
            return Ok(Item {
                model,
                stored: Some(written.attributes),
                warnings,
                upgraded: None,
            });
        };
        Item::stored(value, written.attributes, warnings, table, |_| {
            key.display(info)
        })
    }
}

/// The model as a `Value`, the first step of the save path. A value with
/// no DynamoDB form (a NaN, a number past 38 digits, a map with keys that
/// are not strings) is a validation error at its path, reported like any
/// other bad attribute.
pub(crate) fn model_value<T: serde::Serialize>(model: &T, table: &str) -> Result<Value> {
    validate::to_value(model).map_err(|e| {
        let (path, message) = match e {
            validate::Error::Convert { path, message } => (path, message),
            other => (validate::Path::root(), other.to_string()),
        };
        let mut errors = validate::Errors::new();
        errors.push_violation(validate::Violation {
            path,
            kind: ErrorKind::Custom("unrepresentable".into()),
            message: message.into(),
        });
        Error::Validation {
            table: table.to_owned(),
            key: KeyDisplay::default(),
            errors,
        }
    })
}

/// The save path's checks on the model's `Value`: empty sets become
/// absent (so defaults fill them), the schema validates and normalizes, and
/// the auto-increment counter's key stays reserved.
pub(crate) fn validated<T: Model>(
    mut value: Value,
    info: &ModelInfo,
    table: &str,
) -> Result<(Value, Key)> {
    if let Some(map) = value.as_map_mut() {
        // An empty set is an absent attribute in DynamoDB, and the other
        // way round: a default (the original's `cheats = {"Konami"}`)
        // fills it, and a required set is there, empty (stored absent,
        // as a load reads it back), for its validator to judge.
        for (name, set_type) in &info.sets {
            let empty = map.get(name).is_none_or(is_empty_collection);
            if !empty {
                continue;
            }
            let required = info
                .schema
                .get(name)
                .is_some_and(|f| matches!(f.presence(), validate::Presence::Required));
            match set_type.empty_set() {
                Some(set) if required => {
                    map.insert(name.clone(), set);
                }
                _ => {
                    map.remove(name);
                }
            }
        }
    }
    if let Err(errors) = info.schema.validate_in_place(&mut value) {
        return Err(Error::Validation {
            table: table.to_owned(),
            key: Key::of_item(&value, info).display(info),
            errors,
        });
    }
    let key = Key::of_item(&value, info);
    if T::AUTO_INCREMENT && key.hash == Value::from(COUNTER_KEY) {
        let mut errors = validate::Errors::new();
        errors.push(
            &PathNode::ROOT.key(&info.hash.name),
            ErrorKind::Custom("reserved_key".into()),
            "hash key -1 is reserved for the auto-increment counter",
        );
        return Err(Error::Validation {
            table: table.to_owned(),
            key: key.display(info),
            errors,
        });
    }
    Ok((value, key))
}

/// An empty list or set: what a set attribute is when it has nothing
/// (stored absent).
fn is_empty_collection(value: &Value) -> bool {
    match value {
        Value::List(items) => items.is_empty(),
        other => other.is_set() && !other.is_truthy(),
    }
}

/// The item's size as DynamoDB counts it, refused above its item limit.
fn checked_size(
    attributes: &codec::Item,
    key: &Key,
    info: &ModelInfo,
    table: &str,
) -> Result<usize> {
    admit(
        attributes,
        crate::batch::item_size(attributes),
        key,
        info,
        table,
    )
}

/// DynamoDB's rules on a whole item to write, checked before it is sent:
/// its size (`size`) within the item limit, and its table and index key
/// values within the key rules; every broken rule is reported.
pub(crate) fn admit(
    attributes: &codec::Item,
    size: usize,
    key: &Key,
    info: &ModelInfo,
    table: &str,
) -> Result<usize> {
    let mut errors = validate::Errors::new();
    if size > MAX_ITEM_BYTES {
        errors.push(
            &PathNode::ROOT,
            ErrorKind::Length,
            format!("item is about {size} bytes; DynamoDB's limit is {MAX_ITEM_BYTES}"),
        );
    }
    crate::key::check_item_keys(attributes, info, &mut errors);
    if errors.is_empty() {
        Ok(size)
    } else {
        Err(Error::Validation {
            table: table.to_owned(),
            key: key.display(info),
            errors,
        })
    }
}
