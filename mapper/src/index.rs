//! Secondary indexes: declared on a model ([`Model::INDEXES`]), created with
//! its table, queried by name with keys typed from the schema.
//!
//! [`Model::INDEXES`]: crate::Model::INDEXES

use validate::Schema;

use crate::error::Result;
use crate::model::KeyAttribute;

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

/// The declared indexes with their keys typed from the schema; the rules
/// of their declaration (a global index's hash key, a local index's
/// range key and table, names given once, keys of key types in the
/// schema) are the model's ([`model_rules::check`]).
pub(crate) fn resolve(
    indexes: &[Index],
    schema: &Schema,
    table: &str,
    hash: &KeyAttribute,
) -> Result<Vec<IndexInfo>> {
    let key = |name: &str| crate::model::key_attribute(schema, table, name);
    indexes
        .iter()
        .map(|index| {
            let index_hash = match (index.kind, index.hash) {
                (IndexKind::Global, Some(h)) => key(h)?,
                _ => hash.clone(),
            };
            Ok(IndexInfo {
                index: *index,
                hash: index_hash,
                range: index.range.map(key).transpose()?,
            })
        })
        .collect()
}
