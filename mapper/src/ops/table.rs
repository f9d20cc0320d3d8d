//! Tables from models: create (and wait until active), describe, delete.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType as Role,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, ScalarAttributeType,
    TableDescription, TableStatus,
};
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::index::{IndexInfo, IndexKind, IndexProjection};
use crate::mapper::Mapper;
use crate::model::{KeyAttribute, KeyType, Model, ModelInfo};
use crate::stream::StreamView;
use crate::trace::op_span;

/// How a table is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throughput {
    /// Pay per request.
    OnDemand,
    /// Provisioned read and write capacity units (the original's
    /// `create_table(DoomMap, 10, 10)`).
    Provisioned {
        /// Read capacity units.
        read: i64,
        /// Write capacity units.
        write: i64,
    },
}

/// How long `create_table` waits for the table to become active.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

fn definition(
    key: &KeyAttribute,
) -> Result<AttributeDefinition, aws_sdk_dynamodb::error::BuildError> {
    AttributeDefinition::builder()
        .attribute_name(&key.name)
        .attribute_type(match key.key_type {
            KeyType::String => ScalarAttributeType::S,
            KeyType::Number => ScalarAttributeType::N,
            KeyType::Binary => ScalarAttributeType::B,
        })
        .build()
}

fn key_schema(
    hash: &KeyAttribute,
    range: Option<&KeyAttribute>,
) -> Result<Vec<KeySchemaElement>, aws_sdk_dynamodb::error::BuildError> {
    let mut keys = vec![
        KeySchemaElement::builder()
            .attribute_name(&hash.name)
            .key_type(Role::Hash)
            .build()?,
    ];
    if let Some(range) = range {
        keys.push(
            KeySchemaElement::builder()
                .attribute_name(&range.name)
                .key_type(Role::Range)
                .build()?,
        );
    }
    Ok(keys)
}

fn projection(projection: IndexProjection) -> Projection {
    match projection {
        IndexProjection::All => Projection::builder().projection_type(ProjectionType::All),
        IndexProjection::KeysOnly => {
            Projection::builder().projection_type(ProjectionType::KeysOnly)
        }
        IndexProjection::Include(names) => Projection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(names.iter().map(|n| (*n).to_owned()).collect())),
    }
    .build()
}

impl Mapper {
    /// Creates `T`'s table, keys typed from the schema, with its secondary
    /// indexes (global indexes get the table's provisioned throughput), the
    /// stream of [`Model::STREAM`] and the TTL of [`Model::TTL`], and waits
    /// until it is active.
    ///
    /// # Errors
    /// [`Error::Model`] for a bad model, [`Error::Service`] (for example
    /// when the table exists), [`Error::MaxRetriesExceeded`] when it does not
    /// become active in five minutes.
    pub async fn create_table<T: Model>(&self, throughput: Throughput) -> Result<TableDescription> {
        let info = self.model_info::<T>()?;
        self.create_from(&info, &info.indexes, throughput, T::STREAM, T::TTL)
            .await
    }

    /// Creates the table of `info` with `indexes`, the stream `stream` and
    /// TTL on `ttl`, and waits until it is active: one model's table, or a
    /// shared one ([`Mapper::create_shared_table`]).
    pub(crate) async fn create_from(
        &self,
        info: &ModelInfo,
        indexes: &[IndexInfo],
        throughput: Throughput,
        stream: Option<StreamView>,
        ttl: Option<&str>,
    ) -> Result<TableDescription> {
        let table = info.table.clone();
        let build = crate::error::build_error(&table);
        let provisioned = match throughput {
            Throughput::OnDemand => None,
            Throughput::Provisioned { read, write } => Some(
                ProvisionedThroughput::builder()
                    .read_capacity_units(read)
                    .write_capacity_units(write)
                    .build()
                    .map_err(&build)?,
            ),
        };
        let mut defined: Vec<&KeyAttribute> = vec![&info.hash];
        defined.extend(&info.range);
        for index in indexes {
            defined.push(&index.hash);
            defined.extend(&index.range);
        }
        let mut definitions = Vec::new();
        for key in defined {
            if !definitions
                .iter()
                .any(|d: &AttributeDefinition| d.attribute_name() == key.name)
            {
                definitions.push(definition(key).map_err(&build)?);
            }
        }
        let mut request = self
            .client()
            .create_table()
            .table_name(&table)
            .set_attribute_definitions(Some(definitions))
            .set_key_schema(Some(
                key_schema(&info.hash, info.range.as_ref()).map_err(&build)?,
            ));
        for index in indexes {
            let keys = key_schema(&index.hash, index.range.as_ref()).map_err(&build)?;
            let projection = projection(index.index.projection);
            request = match index.index.kind {
                IndexKind::Global => request.global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.index.name)
                        .set_key_schema(Some(keys))
                        .projection(projection)
                        .set_provisioned_throughput(provisioned.clone())
                        .build()
                        .map_err(&build)?,
                ),
                IndexKind::Local => request.local_secondary_indexes(
                    LocalSecondaryIndex::builder()
                        .index_name(index.index.name)
                        .set_key_schema(Some(keys))
                        .projection(projection)
                        .build()
                        .map_err(&build)?,
                ),
            };
        }
        if let Some(view) = stream {
            request =
                request.stream_specification(crate::stream::specification(view).map_err(&build)?);
        }
        request = match provisioned {
            None => request.billing_mode(BillingMode::PayPerRequest),
            Some(provisioned) => request
                .billing_mode(BillingMode::Provisioned)
                .provisioned_throughput(provisioned),
        };
        request
            .send()
            .instrument(op_span!("CreateTable", table, "-"))
            .await
            .map_err(|e| Error::service(&table, "CreateTable", e))?;
        let started = Instant::now();
        loop {
            let description = self.describe_named(&table).await?;
            if description.table_status() == Some(&TableStatus::Active) {
                if let Some(attribute) = ttl {
                    self.ttl_for(&table, attribute).await?;
                }
                return Ok(description);
            }
            if started.elapsed() > ACTIVE_TIMEOUT {
                return Err(Error::MaxRetriesExceeded {
                    table: table.clone(),
                    operation: "waiting for the table to become active",
                    attempts: 0,
                });
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Describes `T`'s table.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such table, [`Error::Service`].
    pub async fn describe_table<T: Model>(&self) -> Result<TableDescription> {
        self.describe_named(&self.table_name::<T>()).await
    }

    /// Describes the table named `table`.
    async fn describe_named(&self, table: &str) -> Result<TableDescription> {
        let table = table.to_owned();
        let out = self
            .client()
            .describe_table()
            .table_name(&table)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception())
                {
                    Error::NotFound {
                        table: table.clone(),
                        key: Default::default(),
                    }
                } else {
                    Error::service(&table, "DescribeTable", e)
                }
            })?;
        out.table.ok_or(Error::NotFound {
            table,
            key: Default::default(),
        })
    }

    /// Deletes `T`'s table.
    ///
    /// # Errors
    /// [`Error::Service`], for example when there is no such table.
    pub async fn delete_table<T: Model>(&self) -> Result<()> {
        let table = self.table_name::<T>().into_owned();
        self.client()
            .delete_table()
            .table_name(&table)
            .send()
            .instrument(op_span!("DeleteTable", table, "-"))
            .await
            .map_err(|e| Error::service(&table, "DeleteTable", e))?;
        Ok(())
    }
}
