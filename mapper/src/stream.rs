//! DynamoDB Streams: a table's stream turned on ([`Mapper::enable_stream`])
//! and its records read as typed changes ([`Change`]), each image through
//! the load path a `get` takes — validated, an old image migrated to the
//! current version, `after_load` run — so a service that reacts to changes
//! does not break the day the schema changes. Records come as Lambda's
//! event JSON (`{"Records": [{"eventName": "INSERT", "dynamodb": {…}}]}`);
//! the Kinesis Client Library and `aws-sdk-dynamodbstreams` carry the same
//! record, in the same DynamoDB JSON.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, StreamSpecification, StreamViewType};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value as Json;
use tracing::Instrument;

use crate::codec::Attributes;
use crate::decode::load;
use crate::error::{CodecError, Error, Result, build_error};
use crate::item::Item;
use crate::key::Key;
use crate::mapper::Mapper;
use crate::model::Model;
use crate::trace::op_span;

/// What a stream record shows of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamView {
    /// The key only.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both.
    NewAndOldImages,
}

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
        let view = match view {
            StreamView::KeysOnly => StreamViewType::KeysOnly,
            StreamView::NewImage => StreamViewType::NewImage,
            StreamView::OldImage => StreamViewType::OldImage,
            StreamView::NewAndOldImages => StreamViewType::NewAndOldImages,
        };
        let specification = StreamSpecification::builder()
            .stream_enabled(true)
            .stream_view_type(view)
            .build()
            .map_err(build_error(table))?;
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
    /// is listed with its sequence number, the others go on.
    ///
    /// # Errors
    /// [`Error::Model`] for a bad model; an event that is no list of
    /// records is one failed entry.
    pub fn decode_changes<T: Model>(&self, event: &Json) -> Result<Changes<T>> {
        let Some(records) = event.get("Records").unwrap_or(event).as_array() else {
            let info = self.model_info::<T>()?;
            return Ok(Changes {
                changes: Vec::new(),
                failed: vec![(
                    None,
                    unreadable(&info.table, "an event is a list of records"),
                )],
            });
        };
        let mut out = Changes {
            changes: Vec::with_capacity(records.len()),
            failed: Vec::new(),
        };
        for record in records {
            match self.decode_change::<T>(record) {
                Ok(change) => out.changes.push(change),
                Err(e) => out.failed.push((sequence(record), e)),
            }
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
        let image = |name: &str| -> Result<Option<Item<T>>> {
            match body.get(name) {
                None | Some(Json::Null) => Ok(None),
                Some(json) => {
                    let attributes = attributes_from_json(json)
                        .map_err(|e| Error::convert(table, Default::default(), e))?;
                    load::<T>(attributes, &info, table).map(Some)
                }
            }
        };
        let keys = match body.get("Keys") {
            Some(json) => attributes_from_json(json)
                .map_err(|e| Error::convert(table, Default::default(), e))?,
            None => Attributes::new(),
        };
        Ok(Change {
            kind,
            key: Key::of_attributes(&keys, &info),
            old: image("OldImage")?,
            new: image("NewImage")?,
            sequence: sequence(record),
        })
    }
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

/// An item in DynamoDB's JSON (`{"id": {"S": "a"}, "n": {"N": "1"}}`) as
/// attributes.
///
/// # Errors
/// Anything that is not DynamoDB's JSON, named with its path.
pub fn attributes_from_json(json: &Json) -> std::result::Result<Attributes, CodecError> {
    let map = json
        .as_object()
        .ok_or_else(|| CodecError::new(validate::Path::root(), "an item is a JSON object"))?;
    map.iter()
        .map(|(name, value)| {
            let path = validate::Path::root().key(name.as_str());
            Ok((name.clone(), attribute_from_json(value, &path)?))
        })
        .collect()
}

fn attribute_from_json(
    json: &Json,
    path: &validate::Path,
) -> std::result::Result<AttributeValue, CodecError> {
    let bad = |why: &str| CodecError::new(path.clone(), why);
    let object = json.as_object().filter(|o| o.len() == 1).ok_or_else(|| {
        bad("an attribute is an object of one type tag (S, N, B, BOOL, NULL, L, M, SS, NS, BS)")
    })?;
    let Some((tag, value)) = object.iter().next() else {
        return Err(bad("an attribute has a type tag"));
    };
    let text = |v: &Json| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad("expected text"))
    };
    let bytes = |v: &Json| {
        let text = v.as_str().ok_or_else(|| bad("expected base64 text"))?;
        STANDARD
            .decode(text)
            .map(Blob::new)
            .map_err(|e| bad(&format!("not base64: {e}")))
    };
    let list = value.as_array().ok_or_else(|| bad("expected a list"));
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(text(value)?),
        "N" => AttributeValue::N(text(value)?),
        "B" => AttributeValue::B(bytes(value)?),
        "BOOL" => AttributeValue::Bool(value.as_bool().ok_or_else(|| bad("expected a bool"))?),
        "NULL" => AttributeValue::Null(true),
        "L" => AttributeValue::L(
            list?
                .iter()
                .enumerate()
                .map(|(i, v)| attribute_from_json(v, &path.clone().index(i)))
                .collect::<std::result::Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(
            attributes_from_json(value)
                .map_err(|e| CodecError::new(e.path.prefixed(path), e.message))?,
        ),
        "SS" => AttributeValue::Ss(
            list?
                .iter()
                .map(text)
                .collect::<std::result::Result<_, _>>()?,
        ),
        "NS" => AttributeValue::Ns(
            list?
                .iter()
                .map(text)
                .collect::<std::result::Result<_, _>>()?,
        ),
        "BS" => AttributeValue::Bs(
            list?
                .iter()
                .map(bytes)
                .collect::<std::result::Result<_, _>>()?,
        ),
        other => return Err(bad(&format!("unknown attribute type {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_of_dynamodb_json_is_read_and_a_wrong_one_named_with_its_path() {
        let json = serde_json::json!({
            "s": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": "AAE="}, "t": {"BOOL": true},
            "z": {"NULL": true}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]},
            "bs": {"BS": ["AA=="]},
            "l": {"L": [{"N": "1"}, {"M": {"k": {"S": "v"}}}]}
        });
        let item = attributes_from_json(&json).unwrap();
        assert_eq!(item["n"], AttributeValue::N("1.5".into()));
        assert_eq!(item["b"], AttributeValue::B(Blob::new(vec![0, 1])));
        assert_eq!(item["t"], AttributeValue::Bool(true));
        assert_eq!(item["bs"], AttributeValue::Bs(vec![Blob::new(vec![0])]));
        let AttributeValue::L(list) = &item["l"] else {
            panic!("not a list")
        };
        assert_eq!(
            list[1],
            AttributeValue::M([("k".to_owned(), AttributeValue::S("v".into()))].into())
        );
        let bad = serde_json::json!({"l": {"L": [{"N": "1"}, {"M": {"k": {"X": 1}}}]}});
        let err = attributes_from_json(&bad).unwrap_err();
        assert_eq!(err.path.to_string(), "l[1].k");
        assert!(attributes_from_json(&serde_json::json!({"b": {"B": "%%"}})).is_err());
    }
}
