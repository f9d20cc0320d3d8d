//! Time to live: the attribute DynamoDB's TTL reads (`#[model(ttl)]`,
//! [`Model::TTL`]), turned on with the table, and reads that hide items
//! whose time has passed but that DynamoDB has not deleted yet (it deletes
//! lazily, often hours later, and never an item whose time is more than
//! five years past). Every read path — `get`, `find`, `batch_get`, query,
//! scan, `transact_get`, the bulk migration — asks [`expired`].

use aws_sdk_dynamodb::types::{TimeToLiveSpecification, TimeToLiveStatus};
use tracing::Instrument;
use validate::Number;

use crate::codec::Attributes;
use crate::error::{Error, Result, build_error};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::trace::op_span;

/// Now by the mapper's clock, in whole seconds since 1970, as TTL
/// attributes count.
pub(crate) fn now(mapper: &Mapper) -> i64 {
    mapper.now().unix_timestamp()
}

/// Whether a read hides `attributes` ([`expired_at`] now); the clock is
/// read only for a model that hides expired items.
pub(crate) fn expired(attributes: &Attributes, info: &ModelInfo, mapper: &Mapper) -> bool {
    info.expires.is_some() && expired_at(attributes, info, now(mapper))
}

/// Whether a read hides `attributes`: the model hides expired items and
/// the item's TTL attribute holds a time before `now`. An item without
/// one, or with one that is no number, never expires (as for DynamoDB).
pub(crate) fn expired_at(attributes: &Attributes, info: &ModelInfo, now: i64) -> bool {
    let Some(name) = info.expires.as_deref() else {
        return false;
    };
    let Some(Ok(text)) = attributes.get(name).map(|a| a.as_n()) else {
        return false;
    };
    text.parse::<Number>()
        .ok()
        .and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f.floor() as i64)))
        .is_some_and(|at| at < now)
}

/// `items` without the expired ones ([`expired`]), read at one instant.
pub(crate) fn drop_expired(items: &mut Vec<Attributes>, info: &ModelInfo, mapper: &Mapper) {
    if info.expires.is_some() {
        let now = now(mapper);
        items.retain(|item| !expired_at(item, info, now));
    }
}

impl Mapper {
    /// Turns DynamoDB's TTL on for `T`'s table and its `#[model(ttl)]`
    /// attribute, unless it is on already; `create_table` does it for a
    /// model with one. Gives whether it was off when asked (and is on now,
    /// even when the answer to turning it on was lost).
    ///
    /// # Errors
    /// [`Error::Usage`] for a model without a TTL attribute, or a table
    /// whose TTL is on for another attribute (DynamoDB changes it only
    /// after turning it off, which takes up to an hour);
    /// [`Error::Service`].
    pub async fn ensure_ttl<T: Model>(&self) -> Result<bool> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let Some(attribute) = T::TTL else {
            return Err(Error::Usage {
                table: table.to_owned(),
                message: "the model has no #[model(ttl)] attribute".to_owned(),
            });
        };
        self.ttl_for(table, attribute).await
    }

    /// [`Mapper::ensure_ttl`] for `table` and `attribute`.
    pub(crate) async fn ttl_for(&self, table: &str, attribute: &str) -> Result<bool> {
        match self.ttl_on(table).await? {
            Some(name) if name == attribute => return Ok(false),
            Some(name) => {
                return Err(Error::Usage {
                    table: table.to_owned(),
                    message: format!(
                        "TTL is on for attribute {name:?}, not the model's {attribute:?}: turn it off first (DynamoDB allows one TTL attribute, changed only after it is off)"
                    ),
                });
            }
            None => {}
        }
        let specification = TimeToLiveSpecification::builder()
            .attribute_name(attribute)
            .enabled(true)
            .build()
            .map_err(build_error(table))?;
        let sent = self
            .client()
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(specification)
            .send()
            .instrument(op_span!("UpdateTimeToLive", table, "-"))
            .await;
        match sent {
            Ok(_) => Ok(true),
            // An answer lost after DynamoDB turned TTL on makes the SDK's
            // resend fail ("already enabled"): what is on now decides.
            Err(e) => match self.ttl_on(table).await {
                Ok(Some(name)) if name == attribute => Ok(true),
                _ => Err(Error::service(table, "UpdateTimeToLive", e)),
            },
        }
    }

    /// The attribute TTL is on (or turning on) for on `table`, if any.
    async fn ttl_on(&self, table: &str) -> Result<Option<String>> {
        let described = self
            .client()
            .describe_time_to_live()
            .table_name(table)
            .send()
            .instrument(op_span!("DescribeTimeToLive", table, "-"))
            .await
            .map_err(|e| Error::service(table, "DescribeTimeToLive", e))?;
        Ok(described.time_to_live_description().and_then(|current| {
            let on = matches!(
                current.time_to_live_status(),
                Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            );
            current.attribute_name().filter(|_| on).map(str::to_owned)
        }))
    }
}
