//! `batch_get` and `batch_write`: any number of items, chunked to
//! DynamoDB's limits, unprocessed parts retried with backoff and jitter,
//! chunks sent with bounded concurrency, and never a silent loss.

use std::collections::HashMap;
use std::ops::Range;

use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use futures::stream::{self, StreamExt, TryStreamExt};
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::backoff::Backoff;
use crate::codec::{self, item_size};
use crate::decode::load;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::key::hash as key_hash;
use crate::key::{IntoKey, Key};
use crate::limits::{BATCH_GET_LIMIT, BATCH_WRITE_BYTES, BATCH_WRITE_LIMIT};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::timestamps::Stamps;
use crate::trace::{capacity, op_span, send};

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
    /// The keys whose stored item could not be loaded, each with why
    /// ([`Error::Stored`], [`Error::Migration`], …), in the order asked:
    /// one bad item does not hide the others.
    pub failed: Vec<(Key, Error)>,
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
    /// retry budget, [`Error::Service`]. A stored item that fails the model
    /// is listed in [`BatchGot::failed`], not an error of the whole batch.
    pub async fn batch_get_with<T: Model, K: IntoKey>(
        &self,
        keys: impl IntoIterator<Item = K>,
        options: BatchOptions,
    ) -> Result<BatchGot<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.clone();
        let mut order: Vec<Key> = Vec::new();
        let mut unique: HashMap<Key, HashMap<String, AttributeValue>> = HashMap::new();
        for key in keys {
            let attributes = key.into_key().to_attributes(&info, &table)?;
            let id = Key::of_attributes(&attributes, &info);
            if let std::collections::hash_map::Entry::Vacant(slot) = unique.entry(id) {
                order.push(slot.key().clone());
                slot.insert(attributes);
            }
        }
        // The keys move into their chunks (no copy).
        let mut all = order.iter().filter_map(|id| unique.remove(id));
        let chunks: Vec<Vec<HashMap<String, AttributeValue>>> = std::iter::from_fn(|| {
            let chunk: Vec<_> = all.by_ref().take(BATCH_GET_LIMIT).collect();
            (!chunk.is_empty()).then_some(chunk)
        })
        .collect();
        let found: Vec<Vec<codec::Attributes>> = stream::iter(chunks)
            .map(|chunk| self.get_chunk(&table, chunk, options))
            .buffer_unordered(options.concurrency.max(1))
            .try_collect()
            .await?;
        let mut found: Vec<codec::Attributes> = found.into_iter().flatten().collect();
        // Expired items are missing, as if DynamoDB had deleted them.
        crate::ttl::drop_expired(&mut found, &info, self);
        let mut by_key: HashMap<Key, codec::Attributes> = found
            .into_iter()
            .map(|item| (Key::of_attributes(&item, &info), item))
            .collect();
        let mut items = Vec::with_capacity(by_key.len());
        let mut missing = Vec::new();
        let mut failed = Vec::new();
        for id in &order {
            match by_key.remove(id).map(|item| load(item, &info, &table)) {
                Some(Ok(item)) => items.push(item),
                Some(Err(e)) => failed.push((id.clone(), e)),
                None => missing.push(id.clone()),
            }
        }
        if items.iter().any(|item: &Item<T>| item.upgraded.is_some()) {
            stream::iter(items.iter_mut())
                .map(|item| self.written_back(item))
                .buffer_unordered(options.concurrency.max(1))
                .collect::<Vec<()>>()
                .await;
        }
        Ok(BatchGot {
            items,
            missing,
            failed,
        })
    }

    async fn get_chunk(
        &self,
        table: &str,
        mut keys: Vec<HashMap<String, AttributeValue>>,
        options: BatchOptions,
    ) -> Result<Vec<codec::Attributes>> {
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
                .map_err(crate::error::build_error(table))?;
            let span = op_span!(
                "BatchGetItem",
                table,
                format!("{} keys", request.keys().len())
            );
            // A copy of the keys goes out: a request that fails as a whole
            // is gone, and its keys are asked for again.
            let sent = send!(
                self.client()
                    .batch_get_item()
                    .request_items(table, request.clone())
                    .set_return_consumed_capacity(capacity(&span)),
                span
            );
            let mut out = match sent {
                Ok(out) => out,
                Err(e) => {
                    let error = Error::service(table, "BatchGetItem", e);
                    if error.is_retryable() {
                        keys = request.keys;
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
    /// A put sets `updated_at` (`#[model(updated_at)]`). A model with a
    /// version attribute (`#[model(version)]`) or a `created_at` cannot
    /// be put in a batch: DynamoDB's batch writes take no condition, so the
    /// version could not be checked (the Java Enhanced Client refuses the
    /// same); deletes by key are blind, as `delete_key` is.
    ///
    /// # Errors
    /// [`Error::Validation`] listing every bad item (paths start with the
    /// item's position, `[17].name`), [`Error::Usage`] for a put of a
    /// versioned model (nothing sent), [`Error::BatchIncomplete`] naming
    /// exactly the keys not written after the retry budget, [`Error::Service`].
    pub async fn batch_write_with<T: Model>(
        &self,
        writes: impl IntoIterator<Item = Write<T>>,
        options: BatchOptions,
    ) -> Result<usize> {
        let info = self.model_info::<T>()?;
        let table = info.table.clone();
        let stamps = Stamps::of::<T>(self.now(), &info)?;
        let mut errors = validate::Errors::new();
        // Each key once, at its first place, holding its last write. The
        // entries stay where they are; only the requests move, into the
        // chunk that sends them.
        let writes = writes.into_iter();
        let expected = writes.size_hint().0;
        let mut entries: Vec<(u64, Write<T>)> = Vec::with_capacity(expected);
        let mut requests: Vec<WriteRequest> = Vec::with_capacity(expected);
        let mut sizes: Vec<usize> = Vec::with_capacity(expected);
        let mut place: HashTable<usize> = HashTable::with_capacity(expected);
        for (index, write) in writes.enumerate() {
            if let (Write::Put(_), Some(version)) = (&write, T::VERSION) {
                return Err(Error::Usage {
                    table,
                    message: format!(
                        "a batch put cannot carry the condition on the version attribute `{version}` (BatchWriteItem takes no conditions), so it could overwrite a newer item unseen; nothing was sent: write versioned items with `save`, `put` or a `transact_write`"
                    ),
                });
            }
            if let (Write::Put(_), Some(created)) = (&write, T::CREATED_AT) {
                return Err(Error::Usage {
                    table,
                    message: format!(
                        "a batch put cannot carry the condition that keeps a stored `{created}` (BatchWriteItem takes no conditions), so it could overwrite the item's creation time; nothing was sent: write such items with `put`, `create`, `save` or a `transact_write`"
                    ),
                });
            }
            match self.write_request(&write, &info, &table, &stamps) {
                Ok(Built {
                    request,
                    size,
                    key_hash: hash,
                }) => {
                    let key = request_key(&request);
                    let found = place.entry(
                        hash,
                        |&at| same_key(request_key(&requests[at]), key, &info),
                        |&at| entries[at].0,
                    );
                    match found {
                        Entry::Occupied(at) => {
                            let at = *at.get();
                            (entries[at], requests[at], sizes[at]) = ((hash, write), request, size);
                        }
                        Entry::Vacant(free) => {
                            free.insert(entries.len());
                            entries.push((hash, write));
                            requests.push(request);
                            sizes.push(size);
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
                key: crate::error::KeyDisplay::new(format!("batch of {} writes", entries.len())),
                errors,
            });
        }
        let total = entries.len();
        let mut requests = requests.into_iter();
        let chunks: Vec<(Range<usize>, Vec<WriteRequest>)> = chunk_ranges(&sizes)
            .map(|range| {
                let chunk = requests.by_ref().take(range.len()).collect();
                (range, chunk)
            })
            .collect();
        let entries = &entries;
        let outcomes: Vec<(usize, Vec<Key>, Option<Cause>)> = stream::iter(chunks)
            .map(|(range, requests)| {
                self.write_chunk(&table, &entries[range], requests, options, &info, &stamps)
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await;
        let mut written = 0;
        let mut unwritten: Vec<Key> = Vec::new();
        let mut reason = None;
        // Retrying helps only when every chunk stopped for a passing cause.
        let mut retryable = true;
        for (ok, left, why) in outcomes {
            written += ok;
            if !left.is_empty() {
                let why = why.unwrap_or_else(Cause::out_of_budget);
                retryable &= why.retryable;
                reason = reason.or(Some(why.message));
            }
            unwritten.extend(left);
        }
        if unwritten.is_empty() {
            Ok(total)
        } else {
            Err(Error::BatchIncomplete {
                table,
                written,
                unwritten,
                reason: reason.unwrap_or_else(|| Cause::out_of_budget().message),
                retryable,
            })
        }
    }

    /// The validated request for one write, its size and its key's hash.
    fn write_request<T: Model>(
        &self,
        write: &Write<T>,
        info: &ModelInfo,
        table: &str,
        stamps: &Stamps,
    ) -> Result<Built> {
        let schema_error = crate::error::build_error(table);
        Ok(match write {
            Write::Put(model) => {
                let mut encoded = crate::encode::model(model, info, table)?;
                // `updated_at` only: a model with `created_at` has no
                // batch puts.
                stamps.create(&mut encoded.attributes);
                let put = PutRequest::builder()
                    .set_item(Some(encoded.attributes))
                    .build()
                    .map_err(schema_error)?;
                Built {
                    request: WriteRequest::builder().put_request(put).build(),
                    size: encoded.size,
                    key_hash: encoded.key_hash,
                }
            }
            Write::Delete(key) => {
                let attributes = key.to_attributes(info, table)?;
                let size = item_size(&attributes);
                let key_hash = key_hash::of_item(Some(&attributes), info);
                let delete = DeleteRequest::builder()
                    .set_key(Some(attributes))
                    .build()
                    .map_err(schema_error)?;
                Built {
                    request: WriteRequest::builder().delete_request(delete).build(),
                    size,
                    key_hash,
                }
            }
        })
    }

    /// Sends one chunk (`entries` and their `requests`, in the same order)
    /// until done or out of attempts. Returns how many were written, the
    /// keys that were not, and why.
    ///
    /// The requests move into each attempt (no copy per send). Unprocessed
    /// items come back in the answer; when a request fails as a whole, its
    /// requests are gone with it and are rebuilt from the entries' writes.
    async fn write_chunk<T: Model>(
        &self,
        table: &str,
        entries: &[(u64, Write<T>)],
        mut pending: Vec<WriteRequest>,
        options: BatchOptions,
        info: &ModelInfo,
        stamps: &Stamps,
    ) -> (usize, Vec<Key>, Option<Cause>) {
        let total = entries.len();
        // The entries whose requests are in `pending` (or were, before a
        // failed attempt took them).
        let mut waiting: Vec<usize> = (0..total).collect();
        // The keys of writes whose requests could not be built again.
        let mut lost: Vec<Key> = Vec::new();
        let mut last_error = None;
        for attempt in 1..=options.backoff.attempts {
            if attempt > 1 {
                tokio::time::sleep(options.backoff.delay(attempt - 1)).await;
            }
            if pending.is_empty() {
                // A failed attempt took the requests with it.
                if let Some(e) =
                    self.rebuild(entries, &mut waiting, &mut pending, &mut lost, info, stamps)
                {
                    last_error = Some(e);
                }
                if waiting.is_empty() {
                    break;
                }
            }
            let count = pending.len();
            let span = op_span!("BatchWriteItem", table, format!("{count} writes"));
            let sent = send!(
                self.client()
                    .batch_write_item()
                    .request_items(table, std::mem::take(&mut pending))
                    .set_return_consumed_capacity(capacity(&span)),
                span
            );
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
                    waiting = unprocessed(&pending, entries, &waiting, info);
                }
                Err(e) => {
                    let error = Error::service(table, "BatchWriteItem", e);
                    let retryable = error.is_retryable();
                    last_error = Some(Cause {
                        message: error.to_string(),
                        retryable,
                    });
                    if !retryable {
                        break;
                    }
                }
            }
        }
        // The keys left are those of the requests left, one per waiting
        // write. When the last attempt failed as a whole (its requests are
        // gone) or its answer could not be matched to the writes, the
        // waiting writes' requests are built again for their keys.
        if pending.len() != waiting.len() {
            pending.clear();
            if let Some(e) =
                self.rebuild(entries, &mut waiting, &mut pending, &mut lost, info, stamps)
            {
                last_error = Some(e);
            }
        }
        let mut left = lost;
        left.extend(pending.iter().map(|r| {
            Key::of_attributes(request_key(r).unwrap_or(&codec::Attributes::new()), info)
        }));
        (total - left.len(), left, last_error)
    }

    /// Builds again the requests of the `waiting` writes (in `pending`,
    /// in the same order), after a failed attempt took them with it. A
    /// write whose request cannot be built (a hand-written `Serialize`
    /// that failed the second time) leaves `waiting` for `lost`, and its
    /// error is returned; the others still go.
    fn rebuild<T: Model>(
        &self,
        entries: &[(u64, Write<T>)],
        waiting: &mut Vec<usize>,
        pending: &mut Vec<WriteRequest>,
        lost: &mut Vec<Key>,
        info: &ModelInfo,
        stamps: &Stamps,
    ) -> Option<Cause> {
        let mut error = None;
        let table = info.table();
        waiting.retain(
            |&i| match self.write_request(&entries[i].1, info, table, stamps) {
                Ok(built) => {
                    pending.push(built.request);
                    true
                }
                Err(e) => {
                    lost.push(lost_key(&entries[i].1, info));
                    error = Some(Cause {
                        message: e.to_string(),
                        retryable: false,
                    });
                    false
                }
            },
        );
        error
    }
}

/// Why a chunk's writes were left unwritten, and whether sending them
/// again may succeed.
struct Cause {
    message: String,
    retryable: bool,
}

impl Cause {
    /// Items still unprocessed (throttled) when the attempts ran out.
    fn out_of_budget() -> Cause {
        Cause {
            message: "items left unprocessed past the retry budget".to_owned(),
            retryable: true,
        }
    }
}

/// The key to report for a write whose request could not be built again
/// (a hand-written `Serialize` that failed the second time): a delete's
/// own key; for a put, a key of `Null` parts, so that the report still
/// counts it.
fn lost_key<T: Model>(write: &Write<T>, info: &ModelInfo) -> Key {
    match write {
        Write::Delete(key) => key.clone(),
        Write::Put(_) => Key::of_attributes(&codec::Attributes::new(), info),
    }
}

/// A write's validated request, its size and its key's hash
/// ([`key_hash`](crate::key::hash)).
struct Built {
    request: WriteRequest,
    size: usize,
    key_hash: u64,
}

/// The chunks of writes of `sizes`, in order: 25 at most, and under
/// 16 MB unless a single write is larger (DynamoDB then says why).
fn chunk_ranges(sizes: &[usize]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start == sizes.len() {
            return None;
        }
        let mut end = start + 1;
        let mut bytes = sizes[start];
        while end < sizes.len()
            && end - start < BATCH_WRITE_LIMIT
            && bytes + sizes[end] <= BATCH_WRITE_BYTES
        {
            bytes += sizes[end];
            end += 1;
        }
        let range = start..end;
        start = end;
        Some(range)
    })
}

/// The key attributes of a write request: the item of a put, the key of
/// a delete (the whole item: only the key attributes are read from it).
fn request_key(request: &WriteRequest) -> Option<&codec::Attributes> {
    match (request.put_request(), request.delete_request()) {
        (Some(put), _) => Some(put.item()),
        (None, Some(delete)) => Some(delete.key()),
        (None, None) => None,
    }
}

/// Whether two requests' items have the same key. The mapper writes each
/// number in one text (`codec::number_text`'s: the fast save is held
/// to it by a property test), so the same key is the same attributes;
/// nothing is parsed.
fn same_key(
    a: Option<&codec::Attributes>,
    b: Option<&codec::Attributes>,
    info: &ModelInfo,
) -> bool {
    key_hash::sides(info)
        .all(|(_, name)| a.and_then(|a| a.get(name)) == b.and_then(|b| b.get(name)))
}

/// The entries (among `waiting`) that DynamoDB left unprocessed, matched
/// by their keys' hashes; all of `waiting` when the answer cannot be
/// matched to them one for one.
fn unprocessed<T>(
    requests: &[WriteRequest],
    entries: &[(u64, Write<T>)],
    waiting: &[usize],
    info: &ModelInfo,
) -> Vec<usize> {
    let hashes: Vec<u64> = requests
        .iter()
        .map(|r| key_hash::of_returned(request_key(r), info))
        .collect();
    let matched: Vec<usize> = waiting
        .iter()
        .copied()
        .filter(|&i| hashes.contains(&entries[i].0))
        .collect();
    if matched.len() == hashes.len() {
        matched
    } else {
        // An answer naming a key this chunk did not send: keep every
        // entry waiting, so a failure later over-reports, never loses.
        waiting.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use validate::{Schema, int, str};

    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Pair;

    impl Model for Pair {
        const TABLE: &'static str = "pair";
        const HASH_KEY: &'static str = "h";
        const RANGE_KEY: Option<&'static str> = Some("r");
        fn schema() -> Schema {
            Schema::new().required("h", str()).required("r", int())
        }
    }

    fn item(h: &str, r: &str, extra: &str) -> codec::Attributes {
        HashMap::from([
            ("h".to_owned(), AttributeValue::S(h.to_owned())),
            ("r".to_owned(), AttributeValue::N(r.to_owned())),
            ("x".to_owned(), AttributeValue::S(extra.to_owned())),
        ])
    }

    #[test]
    fn keys_are_the_same_when_their_key_attributes_are() -> Result<()> {
        let info = ModelInfo::of::<Pair>()?;
        let (a, b) = (item("p", "7", "one"), item("p", "7", "two"));
        assert!(
            same_key(Some(&a), Some(&b), &info),
            "other attributes do not count"
        );
        assert_eq!(
            key_hash::of_item(Some(&a), &info),
            key_hash::of_item(Some(&b), &info)
        );
        for other in [item("p", "8", "one"), item("q", "7", "one")] {
            assert!(!same_key(Some(&a), Some(&other), &info));
            assert_ne!(
                key_hash::of_item(Some(&a), &info),
                key_hash::of_item(Some(&other), &info)
            );
        }
        // A string and a number with the same text are different keys.
        let mut texts = a.clone();
        texts.insert("r".to_owned(), AttributeValue::S("7".to_owned()));
        assert!(!same_key(Some(&a), Some(&texts), &info));
        assert_ne!(
            key_hash::of_item(Some(&a), &info),
            key_hash::of_item(Some(&texts), &info)
        );
        Ok(())
    }

    #[test]
    fn a_key_given_back_with_its_number_spelled_otherwise_is_matched() -> Result<()> {
        let info = ModelInfo::of::<Pair>()?;
        let sent = item("p", "1500", "");
        for spelled in ["1500", "1500.0", "1.5E3", "01500"] {
            assert_eq!(
                key_hash::of_returned(Some(&item("p", spelled, "")), &info),
                key_hash::of_item(Some(&sent), &info),
                "{spelled}"
            );
        }
        assert_ne!(
            key_hash::of_returned(Some(&item("p", "1501", "")), &info),
            key_hash::of_item(Some(&sent), &info)
        );
        Ok(())
    }

    #[test]
    fn writes_are_chunked_by_count_and_by_bytes() {
        let ranges = |sizes: &[usize]| chunk_ranges(sizes).collect::<Vec<_>>();
        assert_eq!(ranges(&[10; 60]), [0..25, 25..50, 50..60]);
        assert!(ranges(&[]).is_empty());
        let half = BATCH_WRITE_BYTES / 2;
        // Two halves fit, a third does not; an oversized write goes alone.
        assert_eq!(
            ranges(&[half, half, 1, BATCH_WRITE_BYTES + 1, 1, 1]),
            [0..2, 2..3, 3..4, 4..6]
        );
    }

    #[test]
    fn unprocessed_writes_are_matched_to_their_entries_or_all_kept() -> Result<()> {
        let info = ModelInfo::of::<Pair>()?;
        let put = |r: &str| -> Result<WriteRequest> {
            let put = PutRequest::builder()
                .set_item(Some(item("p", r, "")))
                .build()
                .map_err(crate::error::build_error("pair"))?;
            Ok(WriteRequest::builder().put_request(put).build())
        };
        let entries: Vec<(u64, Write<Pair>)> = ["1", "2", "3"]
            .iter()
            .map(|r| {
                (
                    key_hash::of_item(Some(&item("p", r, "")), &info),
                    Write::Put(Pair),
                )
            })
            .collect();
        let left = [put("3")?, put("1")?];
        assert_eq!(unprocessed(&left, &entries, &[0, 1, 2], &info), [0, 2]);
        // Entry 2 was written already: only entry 0 can still be waiting.
        assert_eq!(unprocessed(&left[1..], &entries, &[0, 1], &info), [0]);
        // A key that was never sent: every entry stays waiting.
        let strange = [put("9")?];
        assert_eq!(unprocessed(&strange, &entries, &[0, 1], &info), [0, 1]);
        Ok(())
    }
}
