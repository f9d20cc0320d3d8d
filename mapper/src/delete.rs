//! `delete` (with conflict detection) and `delete_key` (blind).

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, Result, is_condition_failed};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::key::{IntoKey, Key};
use crate::mapper::Mapper;
use crate::model::Model;
use crate::save::as_loaded;
use crate::trace::{capacity, op_span, send};

impl Mapper {
    /// Deletes a loaded item only if the stored item is still as loaded
    /// (or at the loaded version); deletes a never-stored item's key blindly.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the stored item changed (nothing is
    /// deleted), [`Error::Service`].
    pub async fn delete<T: Model>(&self, item: &Item<T>) -> Result<()> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let value = validate::to_value(&item.model)
            .map_err(|e| Error::convert(table, Default::default(), e))?;
        let key = Key::of_item(&value, &info);
        let mut placeholders = Placeholders::default();
        let conditions = match (&item.stored, T::VERSION) {
            (None, _) => Vec::new(),
            (Some(stored), Some(version)) => {
                let n = placeholders.name(version);
                match stored.get(version) {
                    Some(v) => {
                        let v = placeholders.value(v.clone());
                        vec![format!("{n} = {v}")]
                    }
                    None => vec![format!("attribute_not_exists({n})")],
                }
            }
            (Some(stored), None) => as_loaded(stored, &info, &mut placeholders),
        };
        let condition = (!conditions.is_empty()).then(|| conditions.join(" AND "));
        self.delete_attributes(
            table,
            key.to_attributes(&info, table)?,
            key.display(&info),
            condition,
            placeholders,
        )
        .await
    }

    /// Deletes the item with `key`, whatever it holds (absent is fine).
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad key, [`Error::Service`].
    pub async fn delete_key<T: Model>(&self, key: impl IntoKey) -> Result<()> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let key = key.into_key();
        let attributes = key.to_attributes(&info, table)?;
        self.delete_attributes(
            table,
            attributes,
            key.display(&info),
            None,
            Placeholders::default(),
        )
        .await
    }

    async fn delete_attributes(
        &self,
        table: &str,
        key: std::collections::HashMap<String, AttributeValue>,
        shown: crate::error::KeyDisplay,
        condition: Option<String>,
        mut placeholders: Placeholders,
    ) -> Result<()> {
        let span = op_span!("DeleteItem", table, shown);
        let result = send!(
            self.client()
                .delete_item()
                .table_name(table)
                .set_key(Some(key))
                .set_condition_expression(condition)
                .set_expression_attribute_names(placeholders.names())
                .set_expression_attribute_values(placeholders.values())
                .set_return_consumed_capacity(capacity(&span)),
            span
        );
        match result {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failed(&e) => Err(Error::Conflict {
                table: table.to_owned(),
                key: shown,
            }),
            Err(e) => Err(Error::service(table, "DeleteItem", e)),
        }
    }
}
