//! Tracing: one span per DynamoDB request, with table, key and the
//! capacity the request consumed.

use aws_sdk_dynamodb::operation::{
    batch_get_item::BatchGetItemOutput, batch_write_item::BatchWriteItemOutput,
    delete_item::DeleteItemOutput, get_item::GetItemOutput, put_item::PutItemOutput,
    query::QueryOutput, scan::ScanOutput, transact_get_items::TransactGetItemsOutput,
    transact_write_items::TransactWriteItemsOutput, update_item::UpdateItemOutput,
};
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use tracing::Span;

/// A span for one request: `dynamodb{op, table, key, consumed}`, the last
/// filled in by [`record`] when the answer comes.
macro_rules! op_span {
    ($op:expr, $table:expr, $key:expr) => {
        tracing::info_span!("dynamodb", op = $op, table = %$table, key = %$key, consumed = tracing::field::Empty)
    };
}
pub(crate) use op_span;

/// What to ask DynamoDB about consumed capacity for a request traced by
/// `span`: the total when someone records the span, nothing otherwise
/// (computing and returning it costs DynamoDB time on every request; left
/// out, it is not even written into the request, which is signed and sent
/// byte by byte).
pub(crate) fn capacity(span: &Span) -> Option<ReturnConsumedCapacity> {
    (!span.is_disabled()).then_some(ReturnConsumedCapacity::Total)
}

/// An item key in a span, or a placeholder where keys are not traced
/// ([`Mapper::with_traced_keys`](crate::Mapper::with_traced_keys)).
pub(crate) struct Shown<'k, K>(pub(crate) Option<&'k K>);

impl<K: std::fmt::Display> std::fmt::Display for Shown<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(key) => key.fmt(f),
            None => f.write_str("(not traced)"),
        }
    }
}

/// An answer that reports consumed capacity units.
pub(crate) trait Consumed {
    /// Total capacity units consumed, when DynamoDB said.
    fn units(&self) -> Option<f64>;
}

macro_rules! consumed_single {
    ($($t:ty),*) => {$(
        impl Consumed for $t {
            fn units(&self) -> Option<f64> {
                self.consumed_capacity().and_then(ConsumedCapacity::capacity_units)
            }
        }
    )*};
}
consumed_single!(
    GetItemOutput,
    PutItemOutput,
    DeleteItemOutput,
    UpdateItemOutput,
    QueryOutput,
    ScanOutput
);

macro_rules! consumed_batch {
    ($($t:ty),*) => {$(
        impl Consumed for $t {
            fn units(&self) -> Option<f64> {
                let per_table = self.consumed_capacity();
                (!per_table.is_empty()).then(|| per_table.iter().filter_map(ConsumedCapacity::capacity_units).sum())
            }
        }
    )*};
}
consumed_batch!(
    BatchGetItemOutput,
    BatchWriteItemOutput,
    TransactGetItemsOutput,
    TransactWriteItemsOutput
);

/// `send!(request, span)`, inside an `async` body: sends the fluent
/// builder `request`, awaited, inside `span`, and records on the span what
/// the request consumed.
///
/// A macro, neither a function nor a combinator: an SDK request future is
/// about 7 KB, and every wrapper it goes into (an `async fn`'s state, an
/// `Instrumented`, a `Map`) copies it whole: those copies were most of
/// the mapper's extra instructions on a single get. When no
/// subscriber records the span (it is disabled), instrumenting would do
/// nothing, and the request's own future is awaited as a raw call awaits
/// it.
macro_rules! send {
    ($request:expr, $span:expr) => {{
        let request = $request;
        let span: tracing::Span = $span;
        if span.is_disabled() {
            request.send().await
        } else {
            let answer = tracing::Instrument::instrument(request.send(), span.clone()).await;
            $crate::trace::record(&span, &answer);
            answer
        }
    }};
}
pub(crate) use send;

/// Records on `span` the capacity `answer` says its request consumed.
pub(crate) fn record<O: Consumed, E>(span: &Span, answer: &Result<O, E>) {
    if let Some(units) = answer.as_ref().ok().and_then(Consumed::units) {
        span.record("consumed", units);
    }
}
