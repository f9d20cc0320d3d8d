//! [`ChangeReader`]: one worker reading a table's stream shard by shard,
//! each record decoded as [`Change`]s are, with a [`Checkpoint`] to resume
//! from.
//!
//! The promise: a reader resumed from a checkpoint taken after a batch
//! was handled hands out every record after it, once, in each shard's
//! order (a parent shard's records before its children's). Records older
//! than 24 hours are gone from a stream; a checkpoint older than that
//! resumes at the oldest record left.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodbstreams as streams;
use serde::{Deserialize, Serialize};
use streams::operation::get_records::GetRecordsError;
use streams::types::{AttributeValue as StreamValue, OperationType, ShardIteratorType};
use tracing::Instrument;

use crate::codec::Attributes;
use crate::error::{Error, Result};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::stream::{ChangeKind, Changes, Record};
use crate::trace::op_span;

/// Where a [`ChangeReader`] is in each shard of a stream: what it has
/// handed out. Save it (`serde`, or [`to_json`](Checkpoint::to_json))
/// after handling a batch; [`Mapper::change_reader`] resumes from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The stream these positions are in (a table's stream changes when
    /// it is turned off and on: positions in another are dropped).
    stream: Option<String>,
    /// Per shard id, its position.
    shards: BTreeMap<String, Position>,
}

/// A shard's position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Position {
    /// Every record up to and including this sequence number handed out.
    After(String),
    /// The shard is closed and every record of it handed out.
    Done,
}

impl Checkpoint {
    /// The checkpoint as JSON text, to store anywhere.
    ///
    /// # Errors
    /// None in practice (plain strings); serde_json's own.
    pub fn to_json(&self) -> std::result::Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// A checkpoint from [`to_json`](Checkpoint::to_json)'s text.
    ///
    /// # Errors
    /// Text that is no checkpoint.
    pub fn from_json(text: &str) -> std::result::Result<Checkpoint, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// A reader of `T`'s table's stream for a single worker, good for DynamoDB
/// Local and for one process: [`next`](ChangeReader::next) reads every
/// shard once and gives the changes, decoded through the load path, and
/// each record that did not decode with its sequence number. For more
/// than one worker, the same decoding runs behind Lambda's event source
/// mapping ([`Mapper::decode_changes`]) or the Kinesis Client Library.
#[derive(Debug)]
pub struct ChangeReader<T> {
    mapper: Mapper,
    client: streams::Client,
    stream: String,
    checkpoint: Checkpoint,
    /// Open iterators, per shard, from the last `GetRecords`.
    iterators: HashMap<String, String>,
    limit: i32,
    /// The stream's shards (id, parent) as last described: described again
    /// only when a shard closed (its children appear then), not on every
    /// call (DescribeStream allows 10 requests a second).
    shards: Option<Vec<(String, Option<String>)>>,
    _model: std::marker::PhantomData<fn() -> T>,
}

impl Mapper {
    /// A reader of `T`'s table's stream (turned on with
    /// [`enable_stream`](Mapper::enable_stream)), from `checkpoint`, or
    /// from the oldest record the stream holds, through the mapper's
    /// Streams client ([`Mapper::with_streams_client`]).
    ///
    /// # Errors
    /// [`Error::Usage`] when the table has no stream or the mapper no
    /// Streams client; [`Error::Service`].
    pub async fn change_reader<T: Model>(
        &self,
        checkpoint: Option<Checkpoint>,
    ) -> Result<ChangeReader<T>> {
        let table = self.table_name::<T>().into_owned();
        let client = self.streams_client().cloned().ok_or_else(|| Error::Usage {
            table: table.clone(),
            message: "this mapper has no DynamoDB Streams client: give it one with Mapper::with_streams_client".to_owned(),
        })?;
        let description = self.describe_table::<T>().await?;
        let stream = description
            .latest_stream_arn()
            .filter(|_| {
                description
                    .stream_specification()
                    .is_some_and(|s| s.stream_enabled())
            })
            .ok_or_else(|| Error::Usage {
                table,
                message: "the table has no stream: turn it on with enable_stream".to_owned(),
            })?
            .to_owned();
        let mut checkpoint = checkpoint.unwrap_or_default();
        if checkpoint.stream.as_deref() != Some(stream.as_str()) {
            checkpoint = Checkpoint {
                stream: Some(stream.clone()),
                shards: BTreeMap::new(),
            };
        }
        Ok(ChangeReader {
            mapper: self.clone(),
            client,
            stream,
            checkpoint,
            iterators: HashMap::new(),
            limit: 1000,
            shards: None,
            _model: std::marker::PhantomData,
        })
    }
}

impl<T: Model> ChangeReader<T> {
    /// At most `n` records a request (1 to 1000; 1000 by default).
    #[must_use]
    pub fn records_per_request(mut self, n: i32) -> Self {
        self.limit = n.clamp(1, 1000);
        self
    }

    /// Where the reader is: everything [`next`](ChangeReader::next) has
    /// handed out so far. Save it once a batch is handled.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The next changes: one `GetRecords` on each shard that may be read
    /// (its parent, if the stream still holds it, read to its end), each
    /// record decoded as [`Mapper::decode_change`] decodes it. Empty when
    /// the stream holds nothing new; a record that does not decode is in
    /// `failed` with its sequence number, and passed like the others.
    ///
    /// # Errors
    /// [`Error::Model`]; [`Error::Service`]. On error nothing of this call
    /// is handed out, and the reader is where it was before it: records
    /// already read from other shards in this call are read again by the
    /// next one, never skipped.
    pub async fn next(&mut self) -> Result<Changes<T>> {
        let info = self.mapper.model_info::<T>()?;
        // What the reader was before this call: an error restores it (a
        // shard iterator can be used again, from where it pointed).
        let (checkpoint, iterators) = (self.checkpoint.clone(), self.iterators.clone());
        let mut out = Changes::new(0);
        let read = async {
            for shard in self.readable_shards(&info).await? {
                self.read_shard(&info, &shard, &mut out).await?;
            }
            Ok::<_, Error>(())
        }
        .await;
        match read {
            Ok(()) => Ok(out),
            Err(e) => {
                self.checkpoint = checkpoint;
                self.iterators = iterators;
                // Described again next time (a shard may have been trimmed).
                self.shards = None;
                Err(e)
            }
        }
    }

    /// The shards to read now, parents first: not done, and with no
    /// parent the stream holds that is not done.
    async fn readable_shards(&mut self, info: &ModelInfo) -> Result<Vec<String>> {
        let shards = match self.shards.take() {
            Some(shards) => shards,
            None => self.described_shards(info).await?,
        };
        let held: std::collections::HashSet<&str> =
            shards.iter().map(|(id, _)| id.as_str()).collect();
        let done = |id: &str| matches!(self.checkpoint.shards.get(id), Some(Position::Done));
        let readable = shards
            .iter()
            .filter(|(id, parent)| {
                !done(id)
                    && parent
                        .as_deref()
                        .is_none_or(|p| !held.contains(p) || done(p))
            })
            .map(|(id, _)| id.clone())
            .collect();
        self.shards = Some(shards);
        Ok(readable)
    }

    /// The stream's shards, each with its parent, as DynamoDB describes them.
    async fn described_shards(&self, info: &ModelInfo) -> Result<Vec<(String, Option<String>)>> {
        let table = info.table();
        let mut shards = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let described = self
                .client
                .describe_stream()
                .stream_arn(&self.stream)
                .set_exclusive_start_shard_id(start.clone())
                .send()
                .instrument(op_span!("DescribeStream", table, "-"))
                .await
                .map_err(|e| Error::service(table, "DescribeStream", e))?;
            let Some(description) = described.stream_description() else {
                break;
            };
            shards.extend(description.shards().iter().filter_map(|s| {
                Some((
                    s.shard_id()?.to_owned(),
                    s.parent_shard_id().map(str::to_owned),
                ))
            }));
            start = description.last_evaluated_shard_id().map(str::to_owned);
            if start.is_none() {
                break;
            }
        }
        Ok(shards)
    }

    /// One `GetRecords` on `shard`, from its open iterator or its position.
    async fn read_shard(
        &mut self,
        info: &ModelInfo,
        shard: &str,
        out: &mut Changes<T>,
    ) -> Result<()> {
        let table = info.table();
        let mut fresh = false;
        let read = loop {
            let iterator = match self.iterators.get(shard) {
                Some(iterator) => iterator.clone(),
                None => {
                    fresh = true;
                    self.iterator(table, shard).await?
                }
            };
            let sent = self
                .client
                .get_records()
                .shard_iterator(iterator)
                .limit(self.limit)
                .send()
                .instrument(op_span!("GetRecords", table, "-"))
                .await;
            match sent {
                Ok(read) => break read,
                // Iterators last 15 minutes: a new one from the position.
                Err(e)
                    if !fresh
                        && matches!(
                            e.as_service_error(),
                            Some(GetRecordsError::ExpiredIteratorException(_))
                        ) =>
                {
                    self.iterators.remove(shard);
                }
                Err(e) => return Err(Error::service(table, "GetRecords", e)),
            }
        };
        for record in read.records() {
            let sequence = record
                .dynamodb()
                .and_then(|d| d.sequence_number())
                .map(str::to_owned);
            let decoded = record_of(record)
                .map_err(|why| super::unreadable(table, why))
                .and_then(|record| record.decode::<T>(info));
            out.add(sequence.clone(), decoded);
            if let Some(sequence) = sequence {
                self.checkpoint
                    .shards
                    .insert(shard.to_owned(), Position::After(sequence));
            }
        }
        match read.next_shard_iterator() {
            Some(next) => {
                self.iterators.insert(shard.to_owned(), next.to_owned());
            }
            // A closed shard read to its end.
            None => {
                self.iterators.remove(shard);
                self.checkpoint
                    .shards
                    .insert(shard.to_owned(), Position::Done);
                // Its children are described from now on.
                self.shards = None;
            }
        }
        Ok(())
    }

    /// An iterator at `shard`'s position: after its last record handed
    /// out, or at its oldest record.
    async fn iterator(&self, table: &str, shard: &str) -> Result<String> {
        let request = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream)
            .shard_id(shard);
        let request = match self.checkpoint.shards.get(shard) {
            Some(Position::After(sequence)) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(sequence),
            _ => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        let got = request
            .send()
            .instrument(op_span!("GetShardIterator", table, "-"))
            .await
            .map_err(|e| Error::service(table, "GetShardIterator", e))?;
        got.shard_iterator()
            .map(str::to_owned)
            .ok_or_else(|| super::unreadable(table, "GetShardIterator gave no iterator"))
    }
}

impl Mapper {
    /// One record of the Streams API (`aws-sdk-dynamodbstreams`'
    /// `GetRecords`, for a reader of one's own) as a [`Change`](crate::stream::Change) of `T`,
    /// decoded as [`Mapper::decode_change`] decodes Lambda's.
    ///
    /// # Errors
    /// [`Error::Convert`] for a record with no change in it, and what a
    /// load of its images reports ([`Error::Stored`], …).
    pub fn decode_stream_record<T: Model>(
        &self,
        record: &streams::types::Record,
    ) -> Result<crate::stream::Change<T>> {
        let info = self.model_info::<T>()?;
        record_of(record)
            .map_err(|why| super::unreadable(info.table(), why))?
            .decode(&info)
    }
}

/// A record of the Streams API as the decoder's record.
fn record_of(record: &streams::types::Record) -> std::result::Result<Record, &'static str> {
    let kind = match record.event_name() {
        Some(OperationType::Insert) => ChangeKind::Insert,
        Some(OperationType::Modify) => ChangeKind::Modify,
        Some(OperationType::Remove) => ChangeKind::Remove,
        _ => return Err("eventName is INSERT, MODIFY or REMOVE"),
    };
    let body = record
        .dynamodb()
        .ok_or("a record holds its change under \"dynamodb\"")?;
    let image = |map: Option<&HashMap<String, StreamValue>>| map.map(attributes).transpose();
    // The key is read from an image when there is one (no second copy).
    let keys = match (body.new_image(), body.old_image()) {
        (None, None) => image(body.keys())?.unwrap_or_default(),
        _ => Attributes::new(),
    };
    Ok(Record {
        kind,
        keys,
        old: image(body.old_image())?,
        new: image(body.new_image())?,
        sequence: body.sequence_number().map(str::to_owned),
        by_ttl: record.user_identity().and_then(|u| u.principal_id()) == Some(super::TTL_PRINCIPAL),
    })
}

/// A Streams item as DynamoDB's attributes, the map sized once.
fn attributes(map: &HashMap<String, StreamValue>) -> std::result::Result<Attributes, &'static str> {
    let mut out = Attributes::with_capacity(map.len());
    for (name, value) in map {
        out.insert(name.clone(), attribute(value)?);
    }
    Ok(out)
}

/// A Streams attribute as DynamoDB's (the same shapes, another crate).
fn attribute(value: &StreamValue) -> std::result::Result<AttributeValue, &'static str> {
    Ok(match value {
        StreamValue::S(s) => AttributeValue::S(s.clone()),
        StreamValue::N(n) => AttributeValue::N(n.clone()),
        StreamValue::B(b) => AttributeValue::B(b.clone()),
        StreamValue::Bool(b) => AttributeValue::Bool(*b),
        StreamValue::Null(n) => AttributeValue::Null(*n),
        StreamValue::Ss(s) => AttributeValue::Ss(s.clone()),
        StreamValue::Ns(n) => AttributeValue::Ns(n.clone()),
        StreamValue::Bs(b) => AttributeValue::Bs(b.clone()),
        StreamValue::L(l) => {
            let mut out = Vec::with_capacity(l.len());
            for v in l {
                out.push(attribute(v)?);
            }
            AttributeValue::L(out)
        }
        StreamValue::M(m) => AttributeValue::M(attributes(m)?),
        _ => return Err("an attribute of a type this client does not know"),
    })
}
