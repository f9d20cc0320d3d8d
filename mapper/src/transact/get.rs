//! [`TransactGet`]: typed items of any models read at one point in time
//! (`TransactGetItems`), each through the load path.

use std::marker::PhantomData;
use std::sync::Arc;

use aws_sdk_dynamodb::types::{Get, TransactGetItem};

use crate::codec;
use crate::decode::load;
use crate::error::build_error;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::key::IntoKey;
use crate::limits::TRANSACT_LIMIT;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::trace::{capacity, op_span, send};

impl Mapper {
    /// A read transaction ([`TransactGet`]): items of any models read at
    /// one point in time. Each `get` gives a [`Slot`] (so it does not
    /// chain as `transact_write` does): keep it, send, and take each item
    /// out of what was read with its slot, typed and validated.
    ///
    /// ```no_run
    /// # use mapper::{Mapper, Model};
    /// # #[derive(serde::Serialize, serde::Deserialize, Model)]
    /// # #[model(table = "account")]
    /// # struct Account { #[model(hash_key)] id: String, balance: i64 }
    /// # #[derive(serde::Serialize, serde::Deserialize, Model)]
    /// # #[model(table = "order")]
    /// # struct Order { #[model(hash_key)] id: i64, total: i64 }
    /// # async fn run(mapper: Mapper) -> mapper::Result<()> {
    /// let mut read = mapper.transact_get();
    /// let ann = read.get::<Account>("ann");
    /// let order = read.get::<Order>(42);
    /// let mut got = read.send().await?;
    /// let ann = got.take(ann)?;       // Option<Item<Account>>: None if absent
    /// let order = got.take(order)?;
    /// if let (Some(ann), Some(order)) = (ann, order) {
    ///     println!("{} owes {}", ann.id, order.total - ann.balance);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn transact_get(&self) -> TransactGet<'_> {
        TransactGet {
            mapper: self,
            gets: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// Where a [`TransactGet`] puts one model's item.
#[derive(Debug)]
pub struct Slot<T> {
    index: usize,
    _model: PhantomData<fn() -> T>,
}

/// A read transaction: up to 100 items of any models, read at one point
/// in time ([`Mapper::transact_get`]).
pub struct TransactGet<'a> {
    mapper: &'a Mapper,
    gets: Vec<(TransactGetItem, Arc<ModelInfo>)>,
    errors: Vec<Error>,
}

/// What a [`TransactGet`] read, taken out by [`Slot`].
pub struct Got {
    items: Vec<Option<codec::Attributes>>,
    infos: Vec<Arc<ModelInfo>>,
    /// When they were read, as TTL attributes count.
    now: i64,
}

impl TransactGet<'_> {
    /// Reads the item of `T` with `key`; take it from [`Got`] with the slot.
    pub fn get<T: Model>(&mut self, key: impl IntoKey) -> Slot<T> {
        let index = self.gets.len() + self.errors.len();
        let got = (|| {
            let info = self.mapper.model_info::<T>()?;
            let table = info.table.clone();
            let key = key.into_key().to_attributes(&info, &table)?;
            let get = Get::builder()
                .table_name(&table)
                .set_key(Some(key))
                .build()
                .map_err(build_error(&table))?;
            Ok((TransactGetItem::builder().get(get).build(), info))
        })();
        match got {
            Ok(get) => self.gets.push(get),
            Err(e) => self.errors.push(e),
        }
        Slot {
            index,
            _model: PhantomData,
        }
    }

    /// Reads every item in one `TransactGetItems`.
    ///
    /// # Errors
    /// The first bad key or model, [`Error::InvalidTransaction`] over 100
    /// items, [`Error::Service`].
    pub async fn send(self) -> Result<Got> {
        if let Some(error) = self.errors.into_iter().next() {
            return Err(error);
        }
        let table = self
            .gets
            .first()
            .map(|(_, info)| info.table.clone())
            .unwrap_or_default();
        if self.gets.len() > TRANSACT_LIMIT || self.gets.is_empty() {
            return Err(Error::InvalidTransaction {
                table,
                message: format!(
                    "a read transaction holds 1 to {TRANSACT_LIMIT} items; this one has {}",
                    self.gets.len()
                ),
            });
        }
        let (items, infos): (Vec<TransactGetItem>, Vec<Arc<ModelInfo>>) =
            self.gets.into_iter().unzip();
        let span = op_span!("TransactGetItems", table, format!("{} items", items.len()));
        let out = send!(
            self.mapper
                .client()
                .transact_get_items()
                .set_transact_items(Some(items))
                .set_return_consumed_capacity(capacity(&span)),
            span
        )
        .map_err(|e| Error::service(&table, "TransactGetItems", e))?;
        let items = out
            .responses
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.item.filter(|i| !i.is_empty()))
            .collect();
        // Read once, and only when a model hides expired items.
        let now = if infos.iter().any(|i| i.expires.is_some()) {
            crate::ttl::now(self.mapper)
        } else {
            0
        };
        Ok(Got { items, infos, now })
    }
}

impl Got {
    /// The item in `slot`, through the load path (validated); `None` when
    /// no item had the key.
    ///
    /// # Errors
    /// A stored item that does not fit the model, as on any load.
    pub fn take<T: Model>(&mut self, slot: Slot<T>) -> Result<Option<Item<T>>> {
        let (Some(item), Some(info)) = (
            self.items.get_mut(slot.index).and_then(Option::take),
            self.infos.get(slot.index),
        ) else {
            return Ok(None);
        };
        if crate::ttl::expired_at(&item, info, self.now) {
            return Ok(None); // Expired: as if DynamoDB had deleted it already.
        }
        load(item, info, &info.table).map(Some)
    }
}
