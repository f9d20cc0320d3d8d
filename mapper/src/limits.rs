//! Every limit in one place: DynamoDB's, checked before a request is
//! sent (so an item, key, batch, transaction or expression past one is a
//! typed error naming it, not a service error), and the mapper's own
//! budgets and defaults.

// DynamoDB's limits.

/// DynamoDB's item size limit (400 KB), names and values included.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items>
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// DynamoDB's limit on a partition (hash) key value, in bytes.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys>
pub const MAX_HASH_KEY_BYTES: usize = 2048;

/// DynamoDB's limit on a sort (range) key value, in bytes.
pub const MAX_RANGE_KEY_BYTES: usize = 1024;

/// DynamoDB's limit on the text of one expression.
pub const MAX_EXPRESSION_BYTES: usize = 4096;

/// DynamoDB's limit on the operators and functions of one expression.
pub const MAX_EXPRESSION_OPERATORS: usize = 300;

/// Keys per `BatchGetItem`.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html>
pub const BATCH_GET_LIMIT: usize = 100;

/// Requests per `BatchWriteItem`.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html>
pub const BATCH_WRITE_LIMIT: usize = 25;

/// Bytes per `BatchWriteItem` request (16 MB), less a margin for the envelope.
pub const BATCH_WRITE_BYTES: usize = 16 * 1024 * 1024 - 64 * 1024;

/// DynamoDB's limit on the actions of one transaction.
/// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html>
pub const TRANSACT_LIMIT: usize = 100;

/// DynamoDB's limit on the size of one transaction (4 MB).
pub const TRANSACT_BYTES: usize = 4 * 1024 * 1024;

/// DynamoDB's limit on an idempotency token's length.
pub const MAX_TOKEN_CHARS: usize = 36;

// The mapper's budgets and defaults.

/// How many keys an auto-increment insert tries before giving up, by
/// default ([`Model::AUTO_INCREMENT_ATTEMPTS`](crate::Model::AUTO_INCREMENT_ATTEMPTS)): the original
/// dynamodb-mapper's 100.
pub const MAX_AUTO_INCREMENT_ATTEMPTS: u32 = 100;

/// How many requests one `page(size)` call sends at most, by default.
pub const PAGE_BUDGET: usize = 10;

/// How many times an item changed by others meanwhile is re-read and
/// migrated again before it is reported as failed.
pub const MIGRATION_ATTEMPTS: u32 = 10;

/// How many items a bulk migration's page holds by default.
pub const DEFAULT_PAGE_SIZE: usize = 500;

/// How many before/after samples a dry run keeps.
pub const DRY_RUN_SAMPLES: usize = 10;
