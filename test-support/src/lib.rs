//! Test support: a real DynamoDB engine for every test, with no manual step.
//!
//! [`TestDb::with_table`] gives a test its own table on the embedded
//! DynamoDB (the `dynamodb-local` crate: `DYNAMODB_ENDPOINT` when set,
//! else DynamoDB Local, installed and started on first use) in one line;
//! [`FaultProxy`] puts faults between a client and it.

mod proxy;

use std::sync::atomic::{AtomicU32, Ordering};

use aws_sdk_dynamodb::Client;
use mapper::{Mapper, Model, Throughput};

pub use dynamodb_local::{client, endpoint, streams_client};
pub use proxy::{FaultProxy, FaultStats, Faults};

/// What setting up a test database can fail with.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// A test's own view of the database: a mapper whose table names carry a
/// prefix no other test uses.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// The mapper, with this test's table prefix.
    pub mapper: Mapper,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A fresh table prefix on the shared server (started if needed).
    ///
    /// # Errors
    /// When DynamoDB Local cannot be installed or started (the message
    /// says what to install), or does not answer.
    pub async fn new() -> Result<TestDb, SetupError> {
        let endpoint = endpoint().await?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let prefix = format!(
            "t{}x{nanos}_{}_",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Ok(TestDb {
            mapper: Mapper::new(client(&endpoint))
                .with_prefix(prefix)
                .with_streams_client(streams_client(&endpoint)),
        })
    }

    /// [`TestDb::new`] with `T`'s table created (on demand billing).
    ///
    /// # Errors
    /// As [`TestDb::new`], or when the table cannot be created.
    pub async fn with_table<T: Model>() -> Result<TestDb, SetupError> {
        let db = TestDb::new().await?;
        db.mapper.create_table::<T>(Throughput::OnDemand).await?;
        Ok(db)
    }

    /// A mapper with this test's prefix on another endpoint (a proxy in
    /// front of the same server), whose client retries up to `max_attempts`
    /// times with the SDK's standard retry strategy (first backoff 20 ms,
    /// so tests of many faults stay quick) and a retry quota of its own.
    pub fn through(&self, endpoint: &str, max_attempts: u32) -> Mapper {
        // A retry quota of its own: the SDK shares one per partition name
        // across the process, and one test's faults must not spend another's.
        let partition = aws_sdk_dynamodb::config::retry::RetryPartition::new(format!(
            "{}{endpoint}",
            self.mapper.prefix()
        ));
        let config = client(endpoint)
            .config()
            .to_builder()
            .retry_config(
                aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                    .with_max_attempts(max_attempts)
                    .with_initial_backoff(std::time::Duration::from_millis(20)),
            )
            .retry_partition(partition)
            .build();
        Mapper::new(Client::from_conf(config)).with_prefix(self.mapper.prefix())
    }

    /// The raw SDK client, to check what is really stored.
    pub fn client(&self) -> &Client {
        self.mapper.client()
    }

    /// The full name of `T`'s table for this test.
    pub fn table<T: Model>(&self) -> String {
        self.mapper.table_name::<T>().into_owned()
    }
}
