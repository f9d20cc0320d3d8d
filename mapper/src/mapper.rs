//! [`Mapper`]: the connection, cheap to clone and share across tasks.

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aws_sdk_dynamodb::Client;

use crate::error::Result;
use crate::model::{Model, ModelInfo};

/// Typed access to DynamoDB. Clones share the client and the model cache.
#[derive(Clone)]
pub struct Mapper {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    prefix: String,
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
    /// A mapper over an SDK client.
    pub fn new(client: Client) -> Mapper {
        Mapper {
            inner: Arc::new(Inner {
                client,
                prefix: String::new(),
                models: RwLock::default(),
            }),
        }
    }

    /// A mapper configured from the environment: the standard credential
    /// chain and region (`aws-config`), the endpoint from
    /// `AWS_ENDPOINT_URL_DYNAMODB` or `DYNAMODB_ENDPOINT`.
    pub async fn from_env() -> Mapper {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_none()
            && let Ok(endpoint) = std::env::var("DYNAMODB_ENDPOINT")
        {
            loader = loader.endpoint_url(endpoint);
        }
        Mapper::new(Client::new(&loader.load().await))
    }

    /// The same connection with `prefix` put before every table name
    /// (`"staging_"` makes `doom_map` into `staging_doom_map`).
    #[must_use]
    pub fn with_prefix(&self, prefix: impl Into<String>) -> Mapper {
        Mapper {
            inner: Arc::new(Inner {
                client: self.inner.client.clone(),
                prefix: prefix.into(),
                models: RwLock::default(),
            }),
        }
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
    /// [`Error::Schema`](crate::Error::Schema) for a bad model definition.
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
        let info = Arc::new(info);
        if let Ok(mut models) = self.inner.models.write() {
            models.insert(id, Arc::clone(&info));
        }
        Ok(info)
    }
}
