//! What makes a write safe, shared by every write path (single
//! operations, batches, transactions, the original's transactions,
//! migration write-back):
//!
//! - `plan.rs`: the conditions of conditional writes (a new item, a
//!   partial save's change, the version, the loaded state, key edits,
//!   DynamoDB's limits on an expression);
//! - `guard.rs`: the schema's rules on values an update computes inside
//!   DynamoDB, as conditions;
//! - `outcome.rs`: what a write's attempts tell about its outcome — a
//!   call reports success only when its own write is known to be applied.

pub(crate) mod guard;
pub(crate) mod outcome;
pub(crate) mod plan;
