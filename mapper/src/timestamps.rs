//! `created_at` and `updated_at` (`#[model(created_at)]`,
//! `#[model(updated_at)]`): datetimes the mapper owns, set from its clock
//! ([`Mapper::with_clock`]) in their fields' stored forms on every write
//! path. What the model holds in them is not written, except as the
//! guess of a blind put (below).
//!
//! - A write that creates the item (`create`, a new item's `save`,
//!   `insert_auto`, a transaction's `create`) sets both to now.
//! - A blind `put` (single or in a transaction) of a model with
//!   `created_at` is one `UpdateItem`: every attribute set, those the
//!   schema knows and the item lacks removed, `updated_at` now, and
//!   `created_at = if_not_exists(created_at, now)`, under the put's
//!   conditions — the stored one kept in the same request. Attributes the
//!   schema does not know stay stored (a `PutItem` would drop them).
//! - A partial save writes `updated_at` only with another change, never
//!   `created_at` (an item stored before the field existed gets it, on the
//!   condition that it still has none).
//! - An update sets `updated_at`, and `created_at` where the item has none.
//! - A batch put sets `updated_at`; a model with `created_at` has no batch
//!   puts (`BatchWriteItem` has no conditions to keep a stored one).
//! - A migration's write-back changes neither: it rewrites the stored form
//!   of the same data, and a bulk migration would otherwise mark every
//!   item as changed at once.

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;

use crate::codec::{Attributes, stored_datetime};
use crate::error::{Error, Result};
use crate::mapper::{Clock, Mapper};
use crate::model::{Model, ModelInfo};

impl Mapper {
    /// The same mapper with `clock` as its "now" (timestamps, and the TTL
    /// of reads that hide expired items): tests set the time with it.
    pub fn with_clock(&self, clock: impl Fn() -> OffsetDateTime + Send + Sync + 'static) -> Mapper {
        let clock: Clock = Arc::new(clock);
        self.rebuilt_with_clock(Some(clock))
    }

    /// Now, by the mapper's clock (the system's unless
    /// [`with_clock`](Mapper::with_clock) set one).
    pub fn now(&self) -> OffsetDateTime {
        match self.clock() {
            Some(clock) => clock(),
            None => OffsetDateTime::now_utc(),
        }
    }
}

/// The timestamps of one write, in their stored forms (none for a model
/// without them, at no cost).
#[derive(Default)]
pub(crate) struct Stamps {
    created: Option<(&'static str, AttributeValue)>,
    updated: Option<(&'static str, AttributeValue)>,
}

impl Stamps {
    /// `now` for `T`'s timestamps (a request sent again with its
    /// idempotency token carries the same).
    pub(crate) fn of<T: Model>(now: OffsetDateTime, info: &ModelInfo) -> Result<Stamps> {
        if T::CREATED_AT.is_none() && T::UPDATED_AT.is_none() {
            return Ok(Stamps::default());
        }
        let stamp = |name: &'static str| {
            stored_datetime(info.schema(), name, now)
                .map(|value| (name, value))
                .map_err(|why| Error::Model {
                    table: info.table().to_owned(),
                    message: format!("{name:?} cannot hold the time {now}: {why}"),
                })
        };
        Ok(Stamps {
            created: T::CREATED_AT.map(stamp).transpose()?,
            updated: T::UPDATED_AT.map(stamp).transpose()?,
        })
    }

    /// A write that creates the item: both now.
    pub(crate) fn create(&self, attributes: &mut Attributes) {
        for (name, now) in self.created.iter().chain(&self.updated) {
            attributes.insert((*name).to_owned(), now.clone());
        }
    }

    /// A write that replaces the item: `updated_at` now (`created_at`
    /// is the upsert's, [`upsert_plan`](crate::write::plan::upsert_plan)).
    pub(crate) fn replace(&self, attributes: &mut Attributes) {
        if let Some((name, now)) = &self.updated {
            attributes.insert((*name).to_owned(), now.clone());
        }
    }

    /// A partial save over `stored`: `created_at` as stored (now, for an
    /// item stored before the field existed: a change conditioned on its
    /// absence, as every change is on its loaded value).
    pub(crate) fn keep_created(&self, attributes: &mut Attributes, stored: &Attributes) {
        if let Some((name, now)) = &self.created {
            let value = stored.get(*name).unwrap_or(now).clone();
            attributes.insert((*name).to_owned(), value);
        }
    }

    /// `updated_at` and its value now, for a write that changes the item.
    pub(crate) fn updated(&self) -> Option<&(&'static str, AttributeValue)> {
        self.updated.as_ref()
    }

    /// `created_at` and its value now.
    pub(crate) fn created(&self) -> Option<&(&'static str, AttributeValue)> {
        self.created.as_ref()
    }
}
