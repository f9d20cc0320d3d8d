//! `batch_get` and `batch_write`: any number of items, chunked to
//! DynamoDB's limits, unprocessed parts retried with backoff and jitter,
//! chunks sent with bounded concurrency, and never a silent loss.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use futures::stream::{self, StreamExt, TryStreamExt};
use validate::Value;

use crate::backoff::Backoff;
use crate::codec;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::key::{IntoKey, Key};
use crate::load::load;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::trace::{Traced, capacity, op_span};

/// Keys per `BatchGetItem`.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html>
pub const BATCH_GET_LIMIT: usize = 100;
/// Requests per `BatchWriteItem`.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html>
pub const BATCH_WRITE_LIMIT: usize = 25;
/// Bytes per `BatchWriteItem` request (16 MB), less a margin for the envelope.
pub const BATCH_WRITE_BYTES: usize = 16 * 1024 * 1024 - 64 * 1024;

/// How batches run.
#[derive(Clone, Copy, Debug)]
pub struct BatchOptions {
    /// Chunks in flight at once.
    pub concurrency: usize,
    /// Retrying unprocessed keys or items, and throttled requests.
    pub backoff: Backoff,
    /// Strongly consistent reads (`batch_get`).
    pub consistent: bool,
}

impl Default for BatchOptions {
    fn default() -> BatchOptions {
        BatchOptions {
            concurrency: 4,
            backoff: Backoff::default(),
            consistent: false,
        }
    }
}

/// What `batch_get` found.
#[derive(Debug)]
pub struct BatchGot<T> {
    /// The items found, in the order their keys were first asked for.
    pub items: Vec<Item<T>>,
    /// The keys asked for that have no item, in the order asked.
    pub missing: Vec<Key>,
}

/// One operation of a `batch_write`.
#[derive(Debug, Clone)]
pub enum Write<T> {
    /// Put this item (validated before anything is sent).
    Put(T),
    /// Delete the item with this key.
    Delete(Key),
}

impl<T> Write<T> {
    /// A delete of `key`.
    pub fn delete(key: impl IntoKey) -> Write<T> {
        Write::Delete(key.into_key())
    }
}

/// The identity of a key, to deduplicate and match results.
type KeyId = (Value, Option<Value>);

fn key_id(attributes: &HashMap<String, AttributeValue>, info: &ModelInfo) -> KeyId {
    let part = |name: &str| {
        attributes
            .get(name)
            .and_then(|a| codec::from_attribute(a).ok())
            .unwrap_or_default()
    };
    (
        part(&info.hash.name),
        info.range.as_ref().map(|r| part(&r.name)),
    )
}

fn key_of_id(id: &KeyId) -> Key {
    Key {
        hash: id.0.clone(),
        range: id.1.clone(),
    }
}

/// An estimate of an attribute's stored size, for the request-size limit.
pub(crate) fn attribute_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Ss(v) | AttributeValue::Ns(v) => v.iter().map(String::len).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|a| 1 + attribute_size(a)).sum::<usize>(),
        AttributeValue::M(m) => 3 + item_size(m),
        _ => 1,
    }
}

/// An estimate of an item's stored size.
pub(crate) fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter().map(|(k, v)| k.len() + attribute_size(v)).sum()
}

impl Mapper {
    /// Loads the items with `keys`, any number of them, with default options.
    ///
    /// # Errors
    /// As [`Mapper::batch_get_with`].
    pub async fn batch_get<T: Model, K: IntoKey>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<BatchGot<T>> {
        self.batch_get_with(keys, BatchOptions::default()).await
    }

    /// Loads the items with `keys`: duplicates asked once, chunks of 100 sent
    /// `options.concurrency` at a time, unprocessed keys retried with
    /// backoff. Items come back in the order asked; keys without item are
    /// listed in `missing`.
    ///
    /// # Errors
    /// [`Error::Validation`] for badly typed keys (before any request),
    /// [`Error::MaxRetriesExceeded`] when keys stay unprocessed past the
    /// retry budget, [`Error::Stored`] for a stored item that fails the
    /// model, [`Error::Service`].
    pub async fn batch_get_with<T: Model, K: IntoKey>(
        &self,
        keys: impl IntoIterator<Item = K>,
        options: BatchOptions,
    ) -> Result<BatchGot<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.clone();
        let mut order: Vec<KeyId> = Vec::new();
        let mut unique: HashMap<KeyId, HashMap<String, AttributeValue>> = HashMap::new();
        for key in keys {
            let attributes = key.into_key().to_attributes(&info, &table)?;
            let id = key_id(&attributes, &info);
            if let std::collections::hash_map::Entry::Vacant(slot) = unique.entry(id) {
                order.push(slot.key().clone());
                slot.insert(attributes);
            }
        }
        let all: Vec<HashMap<String, AttributeValue>> =
            order.iter().filter_map(|id| unique.remove(id)).collect();
        let chunks: Vec<Vec<HashMap<String, AttributeValue>>> =
            all.chunks(BATCH_GET_LIMIT).map(<[_]>::to_vec).collect();
        let found: Vec<Vec<codec::Item>> = stream::iter(chunks)
            .map(|chunk| self.get_chunk(&table, chunk, options))
            .buffer_unordered(options.concurrency.max(1))
            .try_collect()
            .await?;
        let mut by_key: HashMap<KeyId, codec::Item> = found
            .into_iter()
            .flatten()
            .map(|item| (key_id(&item, &info), item))
            .collect();
        let mut items = Vec::with_capacity(by_key.len());
        let mut missing = Vec::new();
        for id in &order {
            match by_key.remove(id) {
                Some(item) => items.push(load(item, &info, &table)?),
                None => missing.push(key_of_id(id)),
            }
        }
        Ok(BatchGot { items, missing })
    }

    async fn get_chunk(
        &self,
        table: &str,
        mut keys: Vec<HashMap<String, AttributeValue>>,
        options: BatchOptions,
    ) -> Result<Vec<codec::Item>> {
        let mut found = Vec::with_capacity(keys.len());
        let mut attempt = 0;
        while !keys.is_empty() {
            attempt += 1;
            if attempt > options.backoff.attempts {
                return Err(Error::MaxRetriesExceeded {
                    table: table.to_owned(),
                    operation: "BatchGetItem (keys left unprocessed)",
                    attempts: options.backoff.attempts,
                });
            }
            if attempt > 1 {
                tokio::time::sleep(options.backoff.delay(attempt - 1)).await;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut keys)))
                .consistent_read(options.consistent)
                .build()
                .map_err(|e| Error::Schema {
                    table: table.to_owned(),
                    message: e.to_string(),
                })?;
            let span = op_span!(
                "BatchGetItem",
                table,
                format!("{} keys", request.keys().len())
            );
            let sent = self
                .client()
                .batch_get_item()
                .request_items(table, request.clone())
                .set_return_consumed_capacity(capacity(&span))
                .send()
                .traced(span)
                .await;
            let mut out = match sent {
                Ok(out) => out,
                Err(e) => {
                    let error = Error::service(table, "BatchGetItem", e);
                    if error.is_retryable() {
                        keys = request.keys().to_vec();
                        continue;
                    }
                    return Err(error);
                }
            };
            if let Some(mut responses) = out.responses.take() {
                found.extend(responses.remove(table).unwrap_or_default());
            }
            keys = out
                .unprocessed_keys
                .take()
                .and_then(|mut u| u.remove(table))
                .map(|k| k.keys)
                .unwrap_or_default();
        }
        Ok(found)
    }

    /// Writes and deletes any number of items with default options.
    ///
    /// # Errors
    /// As [`Mapper::batch_write_with`].
    pub async fn batch_write<T: Model>(
        &self,
        writes: impl IntoIterator<Item = Write<T>>,
    ) -> Result<usize> {
        self.batch_write_with(writes, BatchOptions::default()).await
    }

    /// Writes and deletes any number of items. Every put is validated first:
    /// one invalid item and nothing is sent. A key written twice keeps its
    /// last operation (a request may not hold a key twice). Chunks of 25
    /// (and under 16 MB) go `options.concurrency` at a time; unprocessed
    /// items and throttled requests are retried with backoff. Returns how
    /// many operations were applied.
    ///
    /// # Errors
    /// [`Error::Validation`] listing every bad item (paths start with the
    /// item's position, `[17].name`), [`Error::BatchIncomplete`] naming
    /// exactly the keys not written after the retry budget, [`Error::Service`].
    pub async fn batch_write_with<T: Model>(
        &self,
        writes: impl IntoIterator<Item = Write<T>>,
        options: BatchOptions,
    ) -> Result<usize> {
        let info = self.model_info::<T>()?;
        let table = info.table.clone();
        let mut errors = validate::Errors::new();
        // Each key once, at its first place, holding its last write.
        let writes = writes.into_iter();
        let mut unique: Vec<Pending<T>> = Vec::with_capacity(writes.size_hint().0);
        let mut place: HashMap<KeyId, usize, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(writes.size_hint().0, Default::default());
        for (index, write) in writes.enumerate() {
            match self.write_request(&write, &info, &table) {
                Ok((id, request, size)) => {
                    let entry = |id| Pending {
                        id,
                        write,
                        request,
                        size,
                    };
                    match place.entry(id) {
                        Entry::Occupied(at) => unique[*at.get()] = entry(at.key().clone()),
                        Entry::Vacant(free) => {
                            unique.push(entry(free.key().clone()));
                            free.insert(unique.len() - 1);
                        }
                    }
                }
                Err(Error::Validation { errors: found, .. }) => {
                    for violation in found.prefixed(&validate::Path::root().index(index)) {
                        errors.push_violation(violation);
                    }
                }
                Err(other) => return Err(other),
            }
        }
        drop(place);
        if !errors.is_empty() {
            return Err(Error::Validation {
                table,
                key: crate::error::KeyDisplay(format!("batch of {} writes", unique.len())),
                errors,
            });
        }
        let total = unique.len();
        let mut chunks: Vec<Vec<Pending<T>>> = Vec::new();
        let mut current: Vec<Pending<T>> = Vec::new();
        let mut bytes = 0;
        for entry in unique {
            if current.len() == BATCH_WRITE_LIMIT
                || (bytes + entry.size > BATCH_WRITE_BYTES && !current.is_empty())
            {
                chunks.push(std::mem::take(&mut current));
                bytes = 0;
            }
            bytes += entry.size;
            current.push(entry);
        }
        if !current.is_empty() {
            chunks.push(current);
        }
        let outcomes: Vec<(usize, Vec<KeyId>, Option<String>)> = stream::iter(chunks)
            .map(|chunk| self.write_chunk(&table, chunk, options, &info))
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        let mut written = 0;
        let mut unwritten: Vec<Key> = Vec::new();
        let mut reason = None;
        for (ok, left, why) in outcomes {
            written += ok;
            unwritten.extend(left.iter().map(key_of_id));
            reason = reason.or(why);
        }
        if unwritten.is_empty() {
            Ok(total)
        } else {
            Err(Error::BatchIncomplete {
                table,
                written,
                unwritten,
                reason: reason
                    .unwrap_or_else(|| "items left unprocessed past the retry budget".to_owned()),
            })
        }
    }

    /// The validated request for one write, its key and its size.
    fn write_request<T: Model>(
        &self,
        write: &Write<T>,
        info: &ModelInfo,
        table: &str,
    ) -> Result<(KeyId, WriteRequest, usize)> {
        let schema_error = |e: aws_sdk_dynamodb::error::BuildError| Error::Schema {
            table: table.to_owned(),
            message: e.to_string(),
        };
        Ok(match write {
            Write::Put(model) => {
                let encoded = self.encode(model, info, table)?;
                let id = key_id(&encoded.attributes, info);
                let put = PutRequest::builder()
                    .set_item(Some(encoded.attributes))
                    .build()
                    .map_err(schema_error)?;
                let request = WriteRequest::builder().put_request(put).build();
                (id, request, encoded.size)
            }
            Write::Delete(key) => {
                let attributes = key.to_attributes(info, table)?;
                let id = key_id(&attributes, info);
                let size = item_size(&attributes);
                let delete = DeleteRequest::builder()
                    .set_key(Some(attributes))
                    .build()
                    .map_err(schema_error)?;
                (
                    id,
                    WriteRequest::builder().delete_request(delete).build(),
                    size,
                )
            }
        })
    }

    /// Sends one chunk until done or out of attempts. Returns how many
    /// were written, the keys that were not, and why.
    ///
    /// The requests move into each attempt (no copy per send). Unprocessed
    /// items come back in the answer; when a request fails as a whole, its
    /// requests are gone with it and are rebuilt from the chunk's writes.
    async fn write_chunk<T: Model>(
        &self,
        table: &str,
        chunk: Vec<Pending<T>>,
        options: BatchOptions,
        info: &ModelInfo,
    ) -> (usize, Vec<KeyId>, Option<String>) {
        let total = chunk.len();
        let mut entries: Vec<(KeyId, Write<T>)> = Vec::with_capacity(total);
        let mut pending: Vec<WriteRequest> = Vec::with_capacity(total);
        for Pending {
            id, write, request, ..
        } in chunk
        {
            entries.push((id, write));
            pending.push(request);
        }
        // The entries whose requests are in `pending` (or were, before a
        // failed attempt took them).
        let mut waiting: Vec<usize> = (0..total).collect();
        let mut last_error = None;
        for attempt in 1..=options.backoff.attempts {
            if attempt > 1 {
                tokio::time::sleep(options.backoff.delay(attempt - 1)).await;
            }
            if pending.is_empty() {
                match self.rebuild(&entries, &waiting, info, table) {
                    Ok(requests) => pending = requests,
                    Err(e) => {
                        last_error = Some(e.to_string());
                        break;
                    }
                }
            }
            let count = pending.len();
            let span = op_span!("BatchWriteItem", table, format!("{count} writes"));
            let sent = self
                .client()
                .batch_write_item()
                .request_items(table, std::mem::take(&mut pending))
                .set_return_consumed_capacity(capacity(&span))
                .send()
                .traced(span)
                .await;
            match sent {
                Ok(mut out) => {
                    pending = out
                        .unprocessed_items
                        .take()
                        .and_then(|mut u| u.remove(table))
                        .unwrap_or_default();
                    if pending.is_empty() {
                        return (total, Vec::new(), None);
                    }
                    waiting = unprocessed(&pending, &entries, &waiting, info);
                }
                Err(e) => {
                    let error = Error::service(table, "BatchWriteItem", e);
                    let retryable = error.is_retryable();
                    last_error = Some(error.to_string());
                    if !retryable {
                        break;
                    }
                }
            }
        }
        let left: Vec<KeyId> = waiting.iter().map(|&i| entries[i].0.clone()).collect();
        (total - left.len(), left, last_error)
    }

    /// The requests of the `waiting` entries again, after a failed attempt
    /// took them with it.
    fn rebuild<T: Model>(
        &self,
        entries: &[(KeyId, Write<T>)],
        waiting: &[usize],
        info: &ModelInfo,
        table: &str,
    ) -> Result<Vec<WriteRequest>> {
        waiting
            .iter()
            .map(|&i| Ok(self.write_request(&entries[i].1, info, table)?.1))
            .collect()
    }
}

/// One write of a chunk: its key, the write itself (to rebuild its
/// request after a failed attempt), the request and its size.
struct Pending<T> {
    id: KeyId,
    write: Write<T>,
    request: WriteRequest,
    size: usize,
}

/// The entries (among `waiting`) that DynamoDB left unprocessed; all of
/// `waiting` when the answer cannot be matched to them.
fn unprocessed<T>(
    requests: &[WriteRequest],
    entries: &[(KeyId, Write<T>)],
    waiting: &[usize],
    info: &ModelInfo,
) -> Vec<usize> {
    let ids: Vec<KeyId> = requests
        .iter()
        .map(|r| match (r.put_request(), r.delete_request()) {
            (Some(put), _) => key_id(put.item(), info),
            (None, Some(delete)) => key_id(delete.key(), info),
            (None, None) => (Value::Null, None),
        })
        .collect();
    let matched: Vec<usize> = waiting
        .iter()
        .copied()
        .filter(|&i| ids.contains(&entries[i].0))
        .collect();
    if matched.len() == ids.len() {
        matched
    } else {
        // An answer naming a key this chunk did not send: keep every
        // entry waiting, so a failure later over-reports, never loses.
        waiting.to_vec()
    }
}
