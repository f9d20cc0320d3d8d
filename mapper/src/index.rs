//! Secondary indexes: declared on a model ([`Model::INDEXES`]), created with
//! its table, queried by name with keys typed from the schema.
//!
//! [`Model::INDEXES`]: crate::Model::INDEXES

use validate::{Schema, ValueType};

use crate::error::{Error, Result};
use crate::model::{KeyAttribute, KeyType};

/// Global (own hash key, eventually consistent) or local (the table's
/// hash key, another range key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexKind {
    /// A global secondary index.
    Global,
    /// A local secondary index.
    Local,
}

/// Which attributes an index copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexProjection {
    /// Every attribute: index queries load whole, validated items.
    All,
    /// Only the table's and the index's keys.
    KeysOnly,
    /// The keys and these attributes.
    Include(&'static [&'static str]),
}

/// A secondary index as declared on a model:
///
/// ```
/// use mapper::index::Index;
/// const INDEXES: &[Index] = &[
///     Index::global("by_name", "name", None),
///     Index::local("by_year", "year"),
/// ];
/// ```
///
/// Queries through a [`KeysOnly`](IndexProjection::KeysOnly) or
/// [`Include`](IndexProjection::Include) index return partial items; read
/// them with [`Query::project`](crate::Query::project), which yields
/// unvalidated values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Index {
    /// The index name.
    pub name: &'static str,
    /// Global or local.
    pub kind: IndexKind,
    /// The index hash key (for a local index, the table's).
    pub hash: Option<&'static str>,
    /// The index range key.
    pub range: Option<&'static str>,
    /// Which attributes it copies.
    pub projection: IndexProjection,
}

impl Index {
    /// A global secondary index on `hash` (and `range`), projecting all attributes.
    pub const fn global(
        name: &'static str,
        hash: &'static str,
        range: Option<&'static str>,
    ) -> Index {
        Index {
            name,
            kind: IndexKind::Global,
            hash: Some(hash),
            range,
            projection: IndexProjection::All,
        }
    }

    /// A local secondary index: the table's hash key with `range` as range
    /// key, projecting all attributes.
    pub const fn local(name: &'static str, range: &'static str) -> Index {
        Index {
            name,
            kind: IndexKind::Local,
            hash: None,
            range: Some(range),
            projection: IndexProjection::All,
        }
    }

    /// The same index with another projection.
    #[must_use]
    pub const fn projection(mut self, projection: IndexProjection) -> Index {
        self.projection = projection;
        self
    }
}

/// An index with its key attributes typed from the schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexInfo {
    /// The declaration.
    pub index: Index,
    /// The index hash key.
    pub hash: KeyAttribute,
    /// The index range key.
    pub range: Option<KeyAttribute>,
}

/// The type of an index key attribute: a scalar in the schema. Unlike table
/// keys it may be optional (items without it are not indexed).
fn index_key(schema: &Schema, table: &str, index: &str, name: &str) -> Result<KeyAttribute> {
    let key_type = match schema.get(name).and_then(|f| f.validator().output_type()) {
        Some(ValueType::String) => KeyType::String,
        Some(ValueType::Number) => KeyType::Number,
        Some(ValueType::Binary) => KeyType::Binary,
        _ => {
            return Err(Error::Model {
                table: table.to_owned(),
                message: format!(
                    "index {index:?}: key {name:?} must be a string, number or binary attribute of the schema"
                ),
            });
        }
    };
    Ok(KeyAttribute {
        name: name.to_owned(),
        key_type,
    })
}

/// Checks the declared indexes against the schema and the table's keys.
pub(crate) fn resolve(
    indexes: &[Index],
    schema: &Schema,
    table: &str,
    hash: &KeyAttribute,
    range: Option<&KeyAttribute>,
) -> Result<Vec<IndexInfo>> {
    let bad = |message: String| Error::Model {
        table: table.to_owned(),
        message,
    };
    let mut out: Vec<IndexInfo> = Vec::with_capacity(indexes.len());
    for index in indexes {
        if out.iter().any(|i| i.index.name == index.name) {
            return Err(bad(format!("index {:?} is declared twice", index.name)));
        }
        let (index_hash, index_range) = match index.kind {
            IndexKind::Global => {
                let Some(h) = index.hash else {
                    return Err(bad(format!(
                        "global index {:?} needs a hash key",
                        index.name
                    )));
                };
                (
                    index_key(schema, table, index.name, h)?,
                    index
                        .range
                        .map(|r| index_key(schema, table, index.name, r))
                        .transpose()?,
                )
            }
            IndexKind::Local => {
                if range.is_none() {
                    return Err(bad(format!(
                        "local index {:?} needs a table with a range key",
                        index.name
                    )));
                }
                if index.hash.is_some_and(|h| h != hash.name) {
                    return Err(bad(format!(
                        "local index {:?} must use the table's hash key {:?}",
                        index.name, hash.name
                    )));
                }
                let Some(r) = index.range else {
                    return Err(bad(format!(
                        "local index {:?} needs a range key",
                        index.name
                    )));
                };
                (hash.clone(), Some(index_key(schema, table, index.name, r)?))
            }
        };
        out.push(IndexInfo {
            index: *index,
            hash: index_hash,
            range: index_range,
        });
    }
    Ok(out)
}
