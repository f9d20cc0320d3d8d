//! `insert_auto`: items under the next auto-increment hash key, handed out
//! by a counter item (the original dynamodb-mapper's, at the reserved key).

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{ErrorKind, PathNode, Value};

use crate::encode;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::key::{self, COUNTER_ATTRIBUTE, Key};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::trace::{op_span, send};
use crate::write::plan::Expect;

impl Mapper {
    /// Inserts `model` under the next auto-increment hash key: a counter
    /// item at key -1 is bumped with an atomic `ADD`, then the item is put
    /// on the condition that the key is free; a key already taken by a
    /// fast write is skipped for the next one.
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
        encode::before_save(model, &table)?;
        let mut value = encode::as_value(model, &table)?;
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
            let prepared = encode::value::<T>(value.clone(), &info, &table)?;
            match self
                .write::<T>(&info, &table, prepared, Expect::Fresh, true)
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
                .key(&info.hash.name, key::counter_attribute())
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
                    key: Key::counter().display(info),
                    errors,
                }
            })
    }
}
