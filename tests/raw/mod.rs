//! Raw access for tests: items written as old code (or another client)
//! wrote them, and tables read back exactly as stored, with the SDK client.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use futures::{StreamExt, TryStreamExt, stream};

/// A stored item as the SDK gives it.
pub type Raw = HashMap<String, AttributeValue>;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Writes `items` into `table`: 25 a request, 8 requests in flight,
/// unprocessed items sent again.
pub async fn put_all(client: &Client, table: &str, items: Vec<Raw>) -> Result<(), Failure> {
    let chunks: Vec<Vec<WriteRequest>> = items
        .into_iter()
        .map(|item| {
            let put = PutRequest::builder().set_item(Some(item)).build()?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<Vec<_>, aws_sdk_dynamodb::error::BuildError>>()?
        .chunks(25)
        .map(<[WriteRequest]>::to_vec)
        .collect();
    stream::iter(chunks)
        .map(|chunk| async move {
            let mut pending = HashMap::from([(table.to_owned(), chunk)]);
            while !pending.is_empty() {
                let out = client
                    .batch_write_item()
                    .set_request_items(Some(pending))
                    .send()
                    .await?;
                pending = out.unprocessed_items.unwrap_or_default();
                pending.retain(|_, w| !w.is_empty());
            }
            Ok::<_, Failure>(())
        })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

/// Every item of `table`, strongly consistent, as stored.
pub async fn scan_all(client: &Client, table: &str) -> Result<Vec<Raw>, Failure> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// The whole-number attribute `name` of `item`.
pub fn number(item: &Raw, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

/// The item of a shared table under `pk` and `sk` (the generic key
/// attributes of single-table design), read strongly consistent.
pub async fn shared_item(
    client: &Client,
    table: &str,
    pk: &str,
    sk: &str,
) -> Result<Option<Raw>, Failure> {
    let out = client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await?;
    Ok(out.item)
}
