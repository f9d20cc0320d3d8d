//! [`FaultProxy`]: an HTTP proxy on loopback between a client and DynamoDB
//! that injects the faults a real table produces — throttling errors, 500s,
//! and batches only partly processed — at set rates, and counts them.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;

use crate::SetupError;

/// How often each fault happens, as a fraction of requests (0.0..=1.0).
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    /// Answered with a throttling error (ProvisionedThroughputExceeded,
    /// Throttling or RequestLimitExceeded, in turn).
    pub throttle: f64,
    /// Answered with a 500 InternalServerError.
    pub server_error: f64,
    /// BatchWriteItem / BatchGetItem: only part of the request is forwarded,
    /// the rest is returned as unprocessed.
    pub partial_batch: f64,
    /// Forwarded and applied by DynamoDB, then answered with a 500 (the
    /// answer lost on the way back): the client cannot tell it was applied.
    pub lost_answer: f64,
    /// Lost answers only for this operation (`"UpdateTable"`); `None`
    /// for every request.
    pub lost_answer_only: Option<&'static str>,
    /// TransactWriteItems: answered, without forwarding, with the
    /// cancellation DynamoDB gives when another transaction holds an item
    /// (`TransactionConflict` on the first action), which DynamoDB Local
    /// never produces.
    pub transaction_conflict: f64,
}

/// What the proxy did, for tests to check that faults really happened.
#[derive(Debug, Default)]
pub struct FaultStats {
    /// Requests received.
    pub requests: AtomicU64,
    /// Throttling errors injected.
    pub throttled: AtomicU64,
    /// 500s injected.
    pub server_errors: AtomicU64,
    /// Batch writes answered with part of their items unprocessed.
    pub partial_writes: AtomicU64,
    /// Batch gets answered with part of their keys unprocessed.
    pub partial_gets: AtomicU64,
    /// Requests applied upstream whose answer was replaced by a 500.
    pub lost_answers: AtomicU64,
    /// Transactions answered with an injected TransactionConflict.
    pub transaction_conflicts: AtomicU64,
    /// Write requests received (PutItem, UpdateItem, DeleteItem,
    /// BatchWriteItem, TransactWriteItems).
    pub writes: AtomicU64,
    /// TransactWriteItems requests received.
    pub transact_writes: AtomicU64,
    /// Actions in the TransactWriteItems requests received.
    pub transact_actions: AtomicU64,
}

impl FaultStats {
    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// A running fault-injecting proxy; it stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    /// `http://127.0.0.1:port`, to give a client as endpoint.
    pub endpoint: String,
    /// What it did so far.
    pub stats: Arc<FaultStats>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Shared {
    upstream: String,
    faults: Faults,
    stats: Arc<FaultStats>,
    client: Client<HttpConnector, Full<Bytes>>,
    seed: AtomicU64,
}

impl Shared {
    /// A deterministic pseudo-random number in 0..1 (splitmix64).
    fn roll(&self) -> f64 {
        let mut z = self
            .seed
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (a DynamoDB endpoint) on a free loopback port.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn start(upstream: &str, faults: Faults) -> Result<FaultProxy, SetupError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        let stats = Arc::new(FaultStats::default());
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            faults,
            stats: Arc::clone(&stats),
            client: Client::builder(TokioExecutor::new()).build_http(),
            seed: AtomicU64::new(0x5EED),
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, Infallible>(handle(&shared, request).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(FaultProxy {
            endpoint: format!("http://{addr}"),
            stats,
            task,
        })
    }
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response<Full<Bytes>> {
    let body =
        json!({ "__type": format!("com.amazonaws.dynamodb.v20120810#{kind}"), "message": message });
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let n = shared.stats.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            "unreadable body",
        );
    };
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|t| t.to_str().ok())
        .unwrap_or("")
        .to_owned();
    const WRITES: [&str; 5] = [
        ".PutItem",
        ".UpdateItem",
        ".DeleteItem",
        ".BatchWriteItem",
        ".TransactWriteItems",
    ];
    if WRITES.iter().any(|w| target.ends_with(w)) {
        shared.stats.writes.fetch_add(1, Ordering::Relaxed);
    }
    // A transaction's actions, counted (and answered for, when canceled).
    let actions = target.ends_with(".TransactWriteItems").then(|| {
        serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|r| {
                r.get("TransactItems")
                    .and_then(Value::as_array)
                    .map(Vec::len)
            })
            .unwrap_or(0)
    });
    if let Some(actions) = actions {
        shared.stats.transact_writes.fetch_add(1, Ordering::Relaxed);
        shared
            .stats
            .transact_actions
            .fetch_add(actions as u64, Ordering::Relaxed);
    }
    let roll = shared.roll();
    let faults = shared.faults;
    if roll < faults.throttle {
        shared.stats.throttled.fetch_add(1, Ordering::Relaxed);
        let kind = [
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
        ][(n % 3) as usize];
        return error(StatusCode::BAD_REQUEST, kind, "injected by the fault proxy");
    }
    if roll < faults.throttle + faults.server_error {
        shared.stats.server_errors.fetch_add(1, Ordering::Relaxed);
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "injected by the fault proxy",
        );
    }
    if faults.transaction_conflict > 0.0
        && let Some(actions) = actions
        && shared.roll() < faults.transaction_conflict
    {
        shared
            .stats
            .transaction_conflicts
            .fetch_add(1, Ordering::Relaxed);
        let reasons: Vec<Value> = (0..actions.max(1))
            .map(|i| {
                if i == 0 {
                    json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"})
                } else {
                    json!({"Code": "None"})
                }
            })
            .collect();
        let body = json!({
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
            "CancellationReasons": reasons,
        });
        return Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .header("content-type", "application/x-amz-json-1.0")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    }
    let batch = target.ends_with(".BatchWriteItem") || target.ends_with(".BatchGetItem");
    let split = if batch && shared.roll() < faults.partial_batch {
        serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|request| split_batch(&target, request))
    } else {
        None
    };
    let (forwarded, held) = match split {
        Some((forwarded, held)) => (Bytes::from(forwarded.to_string()), Some(held)),
        None => (body, None),
    };
    let mut builder = Request::builder().method(parts.method.clone()).uri(format!(
        "{}{}",
        shared.upstream,
        parts.uri.path_and_query().map_or("/", |p| p.as_str())
    ));
    for (name, value) in &parts.headers {
        if name != "content-length" && name != "host" {
            builder = builder.header(name, value);
        }
    }
    let Ok(upstream_request) = builder.body(Full::new(forwarded)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            "bad request",
        );
    };
    let response = match shared.client.request(upstream_request).await {
        Ok(response) => response,
        Err(_) => {
            return error(
                StatusCode::BAD_GATEWAY,
                "InternalServerError",
                "upstream unreachable",
            );
        }
    };
    let loses = faults
        .lost_answer_only
        .is_none_or(|op| target.ends_with(&format!(".{op}")));
    if loses && faults.lost_answer > 0.0 && shared.roll() < faults.lost_answer {
        shared.stats.lost_answers.fetch_add(1, Ordering::Relaxed);
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "injected by the fault proxy after the request was applied",
        );
    }
    let (mut parts, body) = response.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return error(
            StatusCode::BAD_GATEWAY,
            "InternalServerError",
            "upstream body unreadable",
        );
    };
    let body = match (held, parts.status.is_success()) {
        (Some(held), true) => {
            let Ok(mut answer) = serde_json::from_slice::<Value>(&body) else {
                return error(
                    StatusCode::BAD_GATEWAY,
                    "InternalServerError",
                    "upstream answer unreadable",
                );
            };
            let field = if target.ends_with(".BatchWriteItem") {
                shared.stats.partial_writes.fetch_add(1, Ordering::Relaxed);
                "UnprocessedItems"
            } else {
                shared.stats.partial_gets.fetch_add(1, Ordering::Relaxed);
                "UnprocessedKeys"
            };
            merge_unprocessed(&mut answer, field, held);
            parts.headers.remove("x-amz-crc32");
            Bytes::from(answer.to_string())
        }
        _ => body,
    };
    parts.headers.remove("content-length");
    Response::from_parts(parts, Full::new(body))
}

/// Splits a batch request: the first half of each table's requests goes on,
/// the rest comes back as unprocessed (in the shape DynamoDB uses).
fn split_batch(target: &str, mut request: Value) -> Option<(Value, Map<String, Value>)> {
    let items = request.get_mut("RequestItems")?.as_object_mut()?;
    let mut held = Map::new();
    for (table, entry) in items.iter_mut() {
        if target.ends_with(".BatchWriteItem") {
            let writes = entry.as_array_mut()?;
            if writes.len() < 2 {
                continue;
            }
            let rest = writes.split_off(writes.len() / 2);
            held.insert(table.clone(), Value::Array(rest));
        } else {
            let keys = entry.get_mut("Keys")?.as_array_mut()?;
            if keys.len() < 2 {
                continue;
            }
            let rest = keys.split_off(keys.len() / 2);
            let mut unprocessed = entry.as_object()?.clone();
            unprocessed.insert("Keys".to_owned(), Value::Array(rest));
            held.insert(table.clone(), Value::Object(unprocessed));
        }
    }
    (!held.is_empty()).then_some((request, held))
}

fn merge_unprocessed(answer: &mut Value, field: &str, held: Map<String, Value>) {
    let Some(object) = answer.as_object_mut() else {
        return;
    };
    let slot = object
        .entry(field.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(existing) = slot.as_object_mut() else {
        return;
    };
    for (table, rest) in held {
        match (existing.get_mut(&table), rest) {
            (Some(Value::Array(have)), Value::Array(more)) => have.extend(more),
            (Some(Value::Object(have)), Value::Object(more)) => {
                if let (Some(Value::Array(keys)), Some(Value::Array(more_keys))) =
                    (have.get_mut("Keys"), more.get("Keys"))
                {
                    keys.extend(more_keys.iter().cloned());
                }
            }
            (_, rest) => {
                existing.insert(table, rest);
            }
        }
    }
}
