//! Tracing: one span per DynamoDB request, with table, key and the
//! capacity the request consumed.

use std::future::Future;

use aws_sdk_dynamodb::operation::{
    batch_get_item::BatchGetItemOutput, batch_write_item::BatchWriteItemOutput,
    delete_item::DeleteItemOutput, get_item::GetItemOutput, put_item::PutItemOutput,
    query::QueryOutput, scan::ScanOutput, update_item::UpdateItemOutput,
};
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use futures::FutureExt;
use tracing::{Instrument, Span};

/// A span for one request: `dynamodb{op, table, key, consumed}`, the last
/// filled in by [`traced`] when the answer comes.
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
consumed_batch!(BatchGetItemOutput, BatchWriteItemOutput);

/// `request.traced(span)`: runs `request` inside `span` and records on
/// that span what it consumed.
///
/// A combinator, not an `async fn`: an `async fn` would keep its `request`
/// argument and the instrumented request side by side, doubling the size
/// of every operation's future (an SDK request future is several KB, and
/// futures are moved whole into executors and streams).
pub(crate) trait Traced<O: Consumed, E>: Future<Output = Result<O, E>> + Sized {
    fn traced(self, span: Span) -> impl Future<Output = Result<O, E>> {
        let recorder = span.clone();
        self.instrument(span).map(move |answer| {
            if let Some(units) = answer.as_ref().ok().and_then(Consumed::units) {
                recorder.record("consumed", units);
            }
            answer
        })
    }
}

impl<F, O: Consumed, E> Traced<O, E> for F where F: Future<Output = Result<O, E>> {}
