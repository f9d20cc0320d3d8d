//! [`Query`]: the items of one hash key (of the table or of an index),
//! with range-key conditions, filters, projections, order, limits and
//! cursors, as a stream or page by page.

use std::marker::PhantomData;

use futures::{Stream, TryStreamExt};
use validate::Value;

use crate::error::{Error, Result};
use crate::expr::{AttrPath, Condition, Placeholders};
use crate::item::Item;
use crate::key::{KeyPart, PartFor, Role, part_attribute};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::read::cursor::Cursor;
use crate::read::pages::{self, Output, Page, ReadKind, Spec};

/// A condition on the range key of a query.
#[derive(Clone, Debug, PartialEq)]
pub enum RangeCondition {
    /// `= v`
    Eq(Value),
    /// `< v`
    Lt(Value),
    /// `<= v`
    Le(Value),
    /// `> v`
    Gt(Value),
    /// `>= v`
    Ge(Value),
    /// `BETWEEN low AND high` (inclusive)
    Between(Value, Value),
    /// `begins_with(prefix)`
    BeginsWith(Value),
}

impl RangeCondition {
    /// `= v`
    pub fn eq(v: impl KeyPart) -> RangeCondition {
        RangeCondition::Eq(v.into_part())
    }
    /// `< v`
    pub fn lt(v: impl KeyPart) -> RangeCondition {
        RangeCondition::Lt(v.into_part())
    }
    /// `<= v`
    pub fn le(v: impl KeyPart) -> RangeCondition {
        RangeCondition::Le(v.into_part())
    }
    /// `> v`
    pub fn gt(v: impl KeyPart) -> RangeCondition {
        RangeCondition::Gt(v.into_part())
    }
    /// `>= v`
    pub fn ge(v: impl KeyPart) -> RangeCondition {
        RangeCondition::Ge(v.into_part())
    }
    /// `BETWEEN low AND high`
    pub fn between(low: impl KeyPart, high: impl KeyPart) -> RangeCondition {
        RangeCondition::Between(low.into_part(), high.into_part())
    }
    /// `begins_with(prefix)`
    pub fn begins_with(prefix: impl KeyPart) -> RangeCondition {
        RangeCondition::BeginsWith(prefix.into_part())
    }
}

/// What [`Query::range`] takes: a [`RangeCondition`] on whichever range
/// key the query reads, or a comparison on a typed path
/// (`Order::PLACED.gt(t)`, `.between(a, b)`, `.begins_with("x")`), whose
/// value has the field's own type and whose path must be the range key of
/// the table or index queried (checked before anything is sent).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRange {
    on: Option<AttrPath>,
    condition: std::result::Result<RangeCondition, Condition>,
}

impl From<RangeCondition> for KeyRange {
    fn from(condition: RangeCondition) -> KeyRange {
        KeyRange {
            on: None,
            condition: Ok(condition),
        }
    }
}

impl From<Condition> for KeyRange {
    fn from(condition: Condition) -> KeyRange {
        use crate::expr::{Comparator as C, Operand::Path, Operand::Value as V};
        let (on, range) = match &condition {
            Condition::Compare(Path(p), op, V(v)) => {
                let v = v.clone();
                let range = match op {
                    C::Eq => RangeCondition::Eq(v),
                    C::Lt => RangeCondition::Lt(v),
                    C::Le => RangeCondition::Le(v),
                    C::Gt => RangeCondition::Gt(v),
                    C::Ge => RangeCondition::Ge(v),
                    C::Ne => return KeyRange::not_a_key_condition(condition),
                };
                (p, range)
            }
            Condition::Between(Path(p), V(a), V(b)) => {
                (p, RangeCondition::Between(a.clone(), b.clone()))
            }
            Condition::BeginsWith(p, V(v)) => (p, RangeCondition::BeginsWith(v.clone())),
            _ => return KeyRange::not_a_key_condition(condition),
        };
        KeyRange {
            on: Some(on.clone()),
            condition: Ok(range),
        }
    }
}

impl KeyRange {
    fn not_a_key_condition(condition: Condition) -> KeyRange {
        KeyRange {
            on: None,
            condition: Err(condition),
        }
    }

    /// The range condition, once its path is known to be `range`'s.
    fn on_key(
        &self,
        info: &ModelInfo,
        range: &str,
        index: Option<&str>,
    ) -> Result<&RangeCondition> {
        let table = || info.table().to_owned();
        let of = || match index {
            Some(index) => format!("index {index:?}"),
            None => "the table".to_owned(),
        };
        let condition = match &self.condition {
            Ok(condition) => condition,
            Err(condition) => {
                // A value with no DynamoDB form is named as a filter names it.
                condition
                    .render(&mut Placeholders::default())
                    .map_err(|e| Error::convert(info.table(), Default::default(), e))?;
                return Err(Error::Usage {
                    table: table(),
                    message: format!(
                        "a range condition compares the range key {range:?} of {} (=, <, <=, >, >=, between or begins_with with a value); {condition:?} is none",
                        of()
                    ),
                });
            }
        };
        match &self.on {
            Some(path) if path.top() != range || !path.steps().is_empty() => Err(Error::Usage {
                table: table(),
                message: format!(
                    "a range condition is on the range key {range:?} of {}, not on {path}",
                    of()
                ),
            }),
            _ => Ok(condition),
        }
    }
}

/// A query on one hash key, built step by step and run with
/// [`stream`](Query::stream), [`all`](Query::all), [`page`](Query::page)
/// or [`pages`](Query::pages). `O` is what it yields: whole validated
/// items, or plain values after [`project`](Query::project).
#[derive(Debug)]
#[must_use = "a query does nothing until run"]
pub struct Query<'m, T, O = Item<T>> {
    mapper: &'m Mapper,
    hash: Value,
    range: Option<KeyRange>,
    index: Option<String>,
    filter: Option<Condition>,
    projection: Vec<AttrPath>,
    reverse: bool,
    limit: Option<usize>,
    consistent: bool,
    after: Option<Cursor>,
    page_budget: usize,
    _model: PhantomData<fn() -> (T, O)>,
}

impl Mapper {
    /// A query for the items with hash key `hash` (of the table, or of the
    /// index chosen with [`Query::index`]).
    pub fn query<T: Model>(&self, hash: impl KeyPart) -> Query<'_, T> {
        self.query_any(hash)
    }

    /// The items of one hash key, typed: `index` is a handle the derive
    /// writes (`Order::BY_STATUS` for an index, `Order::PRIMARY` for the
    /// table) and `hash` a value of its hash key type. As
    /// `query(hash).index(name)`.
    pub fn query_index<T: Model, H: KeyPart, R, S>(
        &self,
        index: crate::index::Handle<T, H, R, S>,
        hash: impl PartFor<H>,
    ) -> Query<'_, T> {
        let query = self.query_any(hash.into_part_for());
        match index.name() {
            Some(name) => query.index(name),
            None => query,
        }
    }

    fn query_any<T: Model>(&self, hash: impl KeyPart) -> Query<'_, T> {
        self.query_of(hash)
    }

    /// A query yielding `O`s (whole items, or a collection's variants).
    pub(crate) fn query_of<T: Model, O: Output>(&self, hash: impl KeyPart) -> Query<'_, T, O> {
        Query {
            mapper: self,
            hash: hash.into_part(),
            range: None,
            index: None,
            filter: None,
            projection: Vec::new(),
            reverse: false,
            limit: None,
            consistent: false,
            after: None,
            page_budget: crate::limits::PAGE_BUDGET,
            _model: PhantomData,
        }
    }
}

impl<'m, T: Model, O: Output> Query<'m, T, O> {
    /// Only items whose range key satisfies `condition`: a
    /// [`RangeCondition`], or a comparison on the typed path of the range
    /// key queried (`Order::PLACED.between(a, b)`, the values of the
    /// field's type).
    pub fn range(mut self, condition: impl Into<KeyRange>) -> Self {
        self.range = Some(condition.into());
        self
    }

    /// Queries the secondary index `name` (declared in [`Model::INDEXES`]);
    /// the hash value and range condition are typed by its keys.
    pub fn index(mut self, name: impl Into<String>) -> Self {
        self.index = Some(name.into());
        self
    }

    /// Only items for which `condition` holds (applied by DynamoDB after
    /// reading, so it saves transfer, not read capacity).
    pub fn filter(mut self, condition: Condition) -> Self {
        self.filter = Some(condition);
        self
    }

    /// Descending range-key order.
    pub fn reverse(mut self) -> Self {
        self.reverse = true;
        self
    }

    /// At most `n` items in all.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Strongly consistent reads (not on global secondary indexes).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Resumes after `cursor`, which must come from this same query (same
    /// table, index, key, conditions, filter, projection and order).
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor);
        self
    }

    /// Reads only `paths`; the query then yields plain, unvalidated values.
    pub fn project<P: Into<AttrPath>>(
        self,
        paths: impl IntoIterator<Item = P>,
    ) -> Query<'m, T, Value> {
        Query {
            mapper: self.mapper,
            hash: self.hash,
            range: self.range,
            index: self.index,
            filter: self.filter,
            projection: paths.into_iter().map(Into::into).collect(),
            reverse: self.reverse,
            limit: self.limit,
            consistent: self.consistent,
            after: self.after,
            page_budget: self.page_budget,
            _model: PhantomData,
        }
    }

    fn spec(&self, info: &ModelInfo) -> Result<Spec> {
        O::check(info)?;
        let table = info.table.clone();
        let index = match &self.index {
            None => None,
            Some(name) => {
                let index = info.index(&table, name)?;
                if self.consistent && index.index.kind == crate::index::IndexKind::Global {
                    return Err(Error::Usage {
                        table,
                        message: format!(
                            "index {name:?} is global: DynamoDB has no consistent reads on global indexes"
                        ),
                    });
                }
                Some(index)
            }
        };
        let (hash, range) = match index {
            None => (&info.hash, info.range.as_ref()),
            Some(index) => (&index.hash, index.range.as_ref()),
        };
        let key_names = pages::key_attributes(info, index);
        let mut placeholders = Placeholders::default();
        let h = placeholders.name(&hash.name);
        let partition = part_attribute(info, &table, hash, Role::Hash, &self.hash)?;
        let hv = placeholders.value(partition.clone());
        let mut key_condition = format!("{h} = {hv}");
        if let Some(condition) = &self.range {
            let Some(range) = range else {
                return Err(Error::Usage {
                    table,
                    message: "a range condition needs a range key".to_owned(),
                });
            };
            let condition = condition.on_key(info, &range.name, self.index.as_deref())?;
            let r = placeholders.name(&range.name);
            let mut v = |value: &Value| -> Result<String> {
                Ok(placeholders.value(part_attribute(info, &table, range, Role::Range, value)?))
            };
            let clause = match condition {
                RangeCondition::Eq(x) => format!("{r} = {}", v(x)?),
                RangeCondition::Lt(x) => format!("{r} < {}", v(x)?),
                RangeCondition::Le(x) => format!("{r} <= {}", v(x)?),
                RangeCondition::Gt(x) => format!("{r} > {}", v(x)?),
                RangeCondition::Ge(x) => format!("{r} >= {}", v(x)?),
                RangeCondition::Between(a, b) => format!("{r} BETWEEN {} AND {}", v(a)?, v(b)?),
                RangeCondition::BeginsWith(x) => format!("begins_with({r}, {})", v(x)?),
            };
            key_condition.push_str(" AND ");
            key_condition.push_str(&clause);
        }
        let (filter, projection) = pages::filter_and_projection(
            self.filter.as_ref(),
            &self.projection,
            &mut placeholders,
            info,
            O::OWN_ENTITY_ONLY,
        )?;
        Ok(Spec {
            kind: ReadKind::Query {
                key_condition,
                forward: !self.reverse,
            },
            span_key: self.hash.to_string(),
            skip_counter: (T::AUTO_INCREMENT && self.index.is_none())
                .then(|| info.hash.name.clone()),
            index: self.index.clone(),
            filter,
            projection,
            names: placeholders.names(),
            values: placeholders.values(),
            consistent: self.consistent,
            key_names,
            partition: Some((hash.name.clone(), partition)),
            table,
        })
    }
}

pages::terminals!(Query);
