//! Transactions: native ones over models — [`TransactWrite`]
//! (`TransactWriteItems`: `write.rs` the builder, `action.rs` one action
//! and how its refusal is read, `send.rs` the send) and [`TransactGet`]
//! (`TransactGetItems`, `get.rs`), with the SDK taught to retry a
//! conflicted transaction (`retry.rs`) — and the original
//! dynamodb-mapper's multi-target transactions with sub-transactions and
//! a persisted record ([`Transaction`], `commit.rs`). Every action goes
//! through the same save, delete and update rules as the single
//! operations.

mod action;
pub(crate) mod commit;
pub(crate) mod get;
mod send;
pub(crate) mod write;

pub use crate::mapper::retry::TransactionRetries;
pub use commit::{CommitError, CommitReport, Targets, Transaction, TransactionStatus};
pub use get::{Got, Slot, TransactGet};
pub(crate) use write::marked;
pub use write::{TARGETS_ATTRIBUTE, TransactWrite};
