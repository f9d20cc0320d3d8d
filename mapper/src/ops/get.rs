//! `get` and `find`: one item by key.

use crate::codec;
use crate::decode::load;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::key::{IntoKey, Key};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::trace::{capacity, op_span, send};

impl Mapper {
    /// The item with `key` (`1`, or `(1, 5)` with a range key), eventually consistent.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Stored`] when the stored item fails the
    /// model (strict policy), [`Error::Validation`] for a bad key, [`Error::Service`].
    pub async fn get<T: Model>(&self, key: impl IntoKey) -> Result<Item<T>> {
        let key = key.into_key();
        let found = self.read(&key, false).await?;
        self.required(found, &key)
    }

    /// Like [`Mapper::get`], with a strongly consistent read.
    ///
    /// # Errors
    /// As [`Mapper::get`].
    pub async fn get_consistent<T: Model>(&self, key: impl IntoKey) -> Result<Item<T>> {
        let key = key.into_key();
        let found = self.read(&key, true).await?;
        self.required(found, &key)
    }

    /// The item with `key`, or `None`.
    ///
    /// # Errors
    /// As [`Mapper::get`], but absence is `Ok(None)`.
    pub async fn find<T: Model>(&self, key: impl IntoKey) -> Result<Option<Item<T>>> {
        self.read(&key.into_key(), false).await
    }

    /// `found`, or [`Error::NotFound`] for `key`. Not an `async fn` around
    /// [`Mapper::read`]: each `async` layer copies the request future
    /// (several KB) once more.
    fn required<T: Model>(&self, found: Option<Item<T>>, key: &Key) -> Result<Item<T>> {
        match found {
            Some(item) => Ok(item),
            None => {
                let info = self.model_info::<T>()?;
                Err(Error::NotFound {
                    table: info.table.clone(),
                    key: key.display(&info),
                })
            }
        }
    }

    async fn read<T: Model>(&self, key: &Key, consistent: bool) -> Result<Option<Item<T>>> {
        let info = self.model_info::<T>()?;
        let Some(attributes) = self.read_raw::<T>(&info, key, consistent).await? else {
            return Ok(None);
        };
        if crate::ttl::expired(&attributes, &info, self) {
            return Ok(None); // Expired: as if DynamoDB had deleted it already.
        }
        let mut item = load(attributes, &info, &info.table)?;
        if item.upgraded.is_some() {
            self.written_back(&mut item).await;
        }
        Ok(Some(item))
    }

    /// The stored attributes of `T`'s item with `key`, as they are, an
    /// expired one hidden: the bulk migration's re-read (strongly
    /// consistent), a collection's single reads.
    pub(crate) async fn raw_item<T: Model>(
        &self,
        key: &Key,
        consistent: bool,
    ) -> Result<Option<codec::Attributes>> {
        let info = self.model_info::<T>()?;
        let found = self.read_raw::<T>(&info, key, consistent).await?;
        Ok(found.filter(|item| !crate::ttl::expired(item, &info, self)))
    }

    async fn read_raw<T: Model>(
        &self,
        info: &ModelInfo,
        key: &Key,
        consistent: bool,
    ) -> Result<Option<codec::Attributes>> {
        let table = info.table.as_str();
        let attributes = key.to_attributes(info, table)?;
        if T::AUTO_INCREMENT && key.is_counter() {
            // The counter item is not an item of the model.
            return Ok(None);
        }
        let span = op_span!("GetItem", table, self.traced(&key.display(info)));
        // Each builder call moves the whole request: only the parts that
        // are there are set.
        let mut request = self
            .client()
            .get_item()
            .table_name(table)
            .set_key(Some(attributes));
        if consistent {
            request = request.consistent_read(true);
        }
        if let Some(capacity) = capacity(&span) {
            request = request.return_consumed_capacity(capacity);
        }
        let out = send!(request, span).map_err(|e| Error::service(table, "GetItem", e))?;
        Ok(out.item)
    }
}
