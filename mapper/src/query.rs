//! `query` and `scan`, first versions: range-key conditions, reverse,
//! limit, consistent reads, every page followed.

use std::future::Future;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use validate::Value;

use crate::codec;
use crate::error::{Error, Result};
use crate::expr::Placeholders;
use crate::item::Item;
use crate::key::{KeyPart, part_attribute};
use crate::load::load;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::save::COUNTER_KEY;
use crate::trace::{Traced, op_span};

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

/// A query on one hash key; run it with [`Query::all`].
#[derive(Debug)]
#[must_use = "a query does nothing until run"]
pub struct Query<'m, T> {
    mapper: &'m Mapper,
    hash: Value,
    range: Option<RangeCondition>,
    reverse: bool,
    limit: Option<usize>,
    consistent: bool,
    _model: std::marker::PhantomData<fn() -> T>,
}

impl Mapper {
    /// A query for the items with hash key `hash`.
    pub fn query<T: Model>(&self, hash: impl KeyPart) -> Query<'_, T> {
        Query {
            mapper: self,
            hash: hash.into_part(),
            range: None,
            reverse: false,
            limit: None,
            consistent: false,
            _model: std::marker::PhantomData,
        }
    }

    /// A scan of the whole table; run it with [`Scan::all`].
    pub fn scan<T: Model>(&self) -> Scan<'_, T> {
        Scan {
            mapper: self,
            limit: None,
            consistent: false,
            _model: std::marker::PhantomData,
        }
    }
}

impl<T: Model> Query<'_, T> {
    /// Only items whose range key satisfies `condition`.
    pub fn range(mut self, condition: RangeCondition) -> Self {
        self.range = Some(condition);
        self
    }

    /// Descending range-key order.
    pub fn reverse(mut self) -> Self {
        self.reverse = true;
        self
    }

    /// At most `n` items.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Runs the query, following every page, and loads each item.
    ///
    /// # Errors
    /// [`Error::Schema`] for a range condition on a table without range
    /// key, [`Error::Validation`] for badly typed key values,
    /// [`Error::Stored`] for a stored item that fails the model, [`Error::Service`].
    pub async fn all(self) -> Result<Vec<Item<T>>> {
        let (info, table) = (
            self.mapper.model_info::<T>()?,
            self.mapper.table_name::<T>(),
        );
        if T::AUTO_INCREMENT && self.hash == Value::from(COUNTER_KEY) {
            return Ok(Vec::new());
        }
        let mut placeholders = Placeholders::default();
        let h = placeholders.name(&info.hash.name);
        let hv = placeholders.value(part_attribute(&info, &table, &info.hash, &self.hash)?);
        let mut expression = format!("{h} = {hv}");
        if let Some(condition) = &self.range {
            let Some(range) = &info.range else {
                return Err(Error::Schema {
                    table,
                    message: "a range condition needs a range key".to_owned(),
                });
            };
            let r = placeholders.name(&range.name);
            let mut v = |value: &Value| -> Result<String> {
                Ok(placeholders.value(part_attribute(&info, &table, range, value)?))
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
            expression.push_str(" AND ");
            expression.push_str(&clause);
        }
        let (names, values) = (placeholders.names(), placeholders.values());
        let client = self.mapper.client();
        collect_pages::<T, _, _>(&info, &table, self.limit, |start, limit| {
            let request = client
                .query()
                .table_name(&table)
                .key_condition_expression(&expression)
                .set_expression_attribute_names(names.clone())
                .set_expression_attribute_values(values.clone())
                .scan_index_forward(!self.reverse)
                .consistent_read(self.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total);
            let span = op_span!("Query", table, self.hash);
            let table = table.clone();
            async move {
                let out = request
                    .send()
                    .traced(span)
                    .await
                    .map_err(|e| Error::service(&table, "Query", e))?;
                Ok(Page {
                    items: out.items.unwrap_or_default(),
                    next: out.last_evaluated_key,
                })
            }
        })
        .await
    }
}

/// One page of a query or scan: its items and where the next page starts.
struct Page {
    items: Vec<codec::Item>,
    next: Option<codec::Item>,
}

/// Follows pages from `fetch(start, remaining limit)` until the last one or
/// until `limit` items are loaded. The auto-increment counter item is never
/// returned.
async fn collect_pages<T, F, Fut>(
    info: &ModelInfo,
    table: &str,
    limit: Option<usize>,
    mut fetch: F,
) -> Result<Vec<Item<T>>>
where
    T: Model,
    F: FnMut(Option<codec::Item>, Option<i32>) -> Fut,
    Fut: Future<Output = Result<Page>>,
{
    let counter = AttributeValue::N(COUNTER_KEY.to_string());
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let remaining = limit.map(|l| l.saturating_sub(items.len()));
        if remaining == Some(0) {
            break;
        }
        let page = fetch(
            start.take(),
            remaining.map(|r| i32::try_from(r).unwrap_or(i32::MAX)),
        )
        .await?;
        for item in page.items {
            if T::AUTO_INCREMENT && item.get(&info.hash.name) == Some(&counter) {
                continue;
            }
            if limit.is_some_and(|l| items.len() >= l) {
                break;
            }
            items.push(load(item, info, table)?);
        }
        match page.next {
            Some(next) if !next.is_empty() => start = Some(next),
            _ => break,
        }
    }
    Ok(items)
}

/// A scan of a whole table; run it with [`Scan::all`].
#[derive(Debug)]
#[must_use = "a scan does nothing until run"]
pub struct Scan<'m, T> {
    mapper: &'m Mapper,
    limit: Option<usize>,
    consistent: bool,
    _model: std::marker::PhantomData<fn() -> T>,
}

impl<T: Model> Scan<'_, T> {
    /// At most `n` items.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Runs the scan, following every page. The auto-increment counter
    /// item is never returned.
    ///
    /// # Errors
    /// [`Error::Stored`] for a stored item that fails the model, [`Error::Service`].
    pub async fn all(self) -> Result<Vec<Item<T>>> {
        let (info, table) = (
            self.mapper.model_info::<T>()?,
            self.mapper.table_name::<T>(),
        );
        let client = self.mapper.client();
        collect_pages::<T, _, _>(&info, &table, self.limit, |start, limit| {
            let request = client
                .scan()
                .table_name(&table)
                .consistent_read(self.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total);
            let span = op_span!("Scan", table, "-");
            let table = table.clone();
            async move {
                let out = request
                    .send()
                    .traced(span)
                    .await
                    .map_err(|e| Error::service(&table, "Scan", e))?;
                Ok(Page {
                    items: out.items.unwrap_or_default(),
                    next: out.last_evaluated_key,
                })
            }
        })
        .await
    }
}
