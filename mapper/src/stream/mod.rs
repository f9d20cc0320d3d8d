//! DynamoDB Streams: a table's stream turned on ([`Mapper::enable_stream`])
//! and its records read as typed changes ([`Change`]), each image through
//! the load path a `get` takes — validated, an old image migrated to the
//! current version, `after_load` run — so a service that reacts to changes
//! does not break the day the schema changes. Records come as Lambda's
//! event JSON (`{"Records": [{"eventName": "INSERT", "dynamodb": {…}}]}`);
//! the Kinesis Client Library and `aws-sdk-dynamodbstreams` carry the same
//! record, in the same DynamoDB JSON.

use aws_sdk_dynamodb::types::{StreamSpecification, StreamViewType};
use serde_json::Value as Json;
use tracing::Instrument;

use crate::codec::Attributes;
use crate::decode::load;
use crate::error::{CodecError, Error, Result, build_error};
use crate::item::Item;
use crate::key::Key;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::trace::op_span;

mod json;
mod reader;

pub use crate::model::StreamView;
pub use json::attributes_from_json;
pub use reader::{ChangeReader, Checkpoint};

/// What happened to the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// It was created.
    Insert,
    /// It was changed.
    Modify,
    /// It was deleted (by a call, or by DynamoDB's TTL).
    Remove,
}

/// One change of an item of `T`, from a stream record: its key, and each
/// image the stream shows read as a `get` reads the item.
#[derive(Debug)]
pub struct Change<T> {
    /// What happened.
    pub kind: ChangeKind,
    /// The item's key.
    pub key: Key,
    /// The item before the change (with an old-image view).
    pub old: Option<Item<T>>,
    /// The item after the change (with a new-image view).
    pub new: Option<Item<T>>,
    /// The record's sequence number: where a reader resumes.
    pub sequence: Option<String>,
    /// A removal by DynamoDB's TTL (the record's user identity is the
    /// DynamoDB service), not by a call.
    pub by_ttl: bool,
}

/// The records of an event: the changes that decode, in order, and for
/// each record that does not, its sequence number and why (one bad record
/// fails none of the others).
#[derive(Debug)]
pub struct Changes<T> {
    /// The decoded changes, in the records' order.
    pub changes: Vec<Change<T>>,
    /// Each record that did not decode: its sequence number (if it has
    /// one) and the error.
    pub failed: Vec<(Option<String>, Error)>,
    /// How many records were of other entity types sharing the table,
    /// passed over (each type's reader reads its own).
    pub other_entities: usize,
}

impl<T> Changes<T> {
    /// No changes yet.
    pub(crate) fn new(capacity: usize) -> Changes<T> {
        Changes {
            changes: Vec::with_capacity(capacity),
            failed: Vec::new(),
            other_entities: 0,
        }
    }

    /// One record's outcome, routed: a change, a record of another entity
    /// type (passed over), or a failure with its sequence number.
    pub(crate) fn add(&mut self, sequence: Option<String>, decoded: Result<Change<T>>) {
        match decoded {
            Ok(change) => self.changes.push(change),
            Err(Error::OtherEntity { found: Some(_), .. }) => self.other_entities += 1,
            Err(e) => self.failed.push((sequence, e)),
        }
    }
}

impl Mapper {
    /// Turns `T`'s table's stream on with `view`, unless it is on already
    /// (with any view: DynamoDB changes a stream's view only by turning it
    /// off first). Gives whether it was off when asked (and is on now,
    /// even when the answer to turning it on was lost).
    ///
    /// # Errors
    /// [`Error::Service`].
    pub async fn enable_stream<T: Model>(&self, view: StreamView) -> Result<bool> {
        let description = self.describe_table::<T>().await?;
        if description
            .stream_specification()
            .is_some_and(StreamSpecification::stream_enabled)
        {
            return Ok(false);
        }
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let specification = specification(view).map_err(build_error(table))?;
        let sent = self
            .client()
            .update_table()
            .table_name(table)
            .stream_specification(specification)
            .send()
            .instrument(op_span!("UpdateTable", table, "-"))
            .await;
        match sent {
            Ok(_) => Ok(true),
            // An answer lost after DynamoDB turned the stream on makes the
            // SDK's resend fail ("already has a stream"): what is on now
            // decides.
            Err(e) => match self.describe_table::<T>().await {
                Ok(now)
                    if now
                        .stream_specification()
                        .is_some_and(StreamSpecification::stream_enabled) =>
                {
                    Ok(true)
                }
                _ => Err(Error::service(table, "UpdateTable", e)),
            },
        }
    }

    /// Each record of a Lambda DynamoDB event (`{"Records": […]}`, or the
    /// list itself) as a [`Change`] of `T`; a record that does not decode
    /// is listed with its sequence number, the others go on; a record of
    /// another entity type sharing the table is passed over (counted).
    ///
    /// # Errors
    /// [`Error::Model`] for a bad model; an event that is no list of
    /// records is one failed entry.
    pub fn decode_changes<T: Model>(&self, event: &Json) -> Result<Changes<T>> {
        let Some(records) = event.get("Records").unwrap_or(event).as_array() else {
            let info = self.model_info::<T>()?;
            let mut out = Changes::new(0);
            out.failed.push((
                None,
                unreadable(&info.table, "an event is a list of records"),
            ));
            return Ok(out);
        };
        let mut out = Changes::new(records.len());
        for record in records {
            out.add(sequence(record), self.decode_change::<T>(record));
        }
        Ok(out)
    }

    /// One stream record as a [`Change`] of `T`: its images read as a
    /// `get` reads the item (validated, migrated, `after_load` run).
    ///
    /// # Errors
    /// [`Error::Convert`] for a record that is not DynamoDB's, and what a
    /// load of its images reports ([`Error::Stored`], …).
    pub fn decode_change<T: Model>(&self, record: &Json) -> Result<Change<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.as_str();
        let kind = match record.get("eventName").and_then(Json::as_str) {
            Some("INSERT") => ChangeKind::Insert,
            Some("MODIFY") => ChangeKind::Modify,
            Some("REMOVE") => ChangeKind::Remove,
            _ => return Err(unreadable(table, "eventName is INSERT, MODIFY or REMOVE")),
        };
        let body = record
            .get("dynamodb")
            .ok_or_else(|| unreadable(table, "a record holds its change under \"dynamodb\""))?;
        let image = |name: &str| -> Result<Option<Attributes>> {
            match body.get(name) {
                None | Some(Json::Null) => Ok(None),
                Some(json) => attributes_from_json(json)
                    .map(Some)
                    .map_err(|e| Error::convert(table, Default::default(), e)),
            }
        };
        let record = Record {
            kind,
            keys: image("Keys")?.unwrap_or_default(),
            old: image("OldImage")?,
            new: image("NewImage")?,
            sequence: sequence(record),
            by_ttl: record
                .get("userIdentity")
                .and_then(|u| u.get("principalId"))
                .and_then(Json::as_str)
                == Some(TTL_PRINCIPAL),
        };
        record.decode(&info)
    }
}

/// A stream record, whatever it came in: its images as attributes.
pub(crate) struct Record {
    pub(crate) kind: ChangeKind,
    pub(crate) keys: Attributes,
    pub(crate) old: Option<Attributes>,
    pub(crate) new: Option<Attributes>,
    pub(crate) sequence: Option<String>,
    pub(crate) by_ttl: bool,
}

/// The user identity of a removal by TTL.
const TTL_PRINCIPAL: &str = "dynamodb.amazonaws.com";

impl Record {
    /// The change, each image through the load path a `get` takes.
    pub(crate) fn decode<T: Model>(self, info: &ModelInfo) -> Result<Change<T>> {
        let table = info.table();
        // The key is in every image: read from one when there is one.
        let key = match (&self.new, &self.old) {
            (Some(image), _) | (None, Some(image)) if self.keys.is_empty() => {
                Key::of_attributes(image, info)
            }
            _ => Key::of_attributes(&self.keys, info),
        };
        let image = |attributes: Option<Attributes>| {
            attributes
                .map(|attributes| load::<T>(attributes, info, table))
                .transpose()
        };
        Ok(Change {
            kind: self.kind,
            key,
            old: image(self.old)?,
            new: image(self.new)?,
            sequence: self.sequence,
            by_ttl: self.by_ttl,
        })
    }
}

/// A stream turned on with `view`, as `CreateTable` and `UpdateTable`
/// take it.
pub(crate) fn specification(
    view: StreamView,
) -> std::result::Result<StreamSpecification, aws_sdk_dynamodb::error::BuildError> {
    let view = match view {
        StreamView::KeysOnly => StreamViewType::KeysOnly,
        StreamView::NewImage => StreamViewType::NewImage,
        StreamView::OldImage => StreamViewType::OldImage,
        StreamView::NewAndOldImages => StreamViewType::NewAndOldImages,
    };
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(view)
        .build()
}

fn sequence(record: &Json) -> Option<String> {
    record
        .get("dynamodb")
        .and_then(|d| d.get("SequenceNumber"))
        .and_then(Json::as_str)
        .map(str::to_owned)
}

fn unreadable(table: &str, message: &str) -> Error {
    Error::convert(
        table,
        Default::default(),
        CodecError::new(validate::Path::root(), message),
    )
}
