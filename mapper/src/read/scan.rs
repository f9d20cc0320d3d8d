//! [`Scan`]: every item of a table or index, with filters and projections,
//! as a stream, page by page, one segment of a parallel scan, or all
//! segments at once.

use std::marker::PhantomData;

use futures::{Stream, StreamExt, TryStreamExt};
use validate::Value;

use crate::codec;
use crate::error::{Error, Result};
use crate::expr::{AttrPath, Condition, Placeholders};
use crate::item::Item;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::read::cursor::Cursor;
use crate::read::pages::{self, Output, Page, ReadKind, Spec};

/// A scan of a whole table (or index), built step by step and run with
/// [`stream`](Scan::stream), [`all`](Scan::all), [`page`](Scan::page),
/// [`pages`](Scan::pages) or [`parallel`](Scan::parallel). The
/// auto-increment counter item is never returned.
#[derive(Debug)]
#[must_use = "a scan does nothing until run"]
pub struct Scan<'m, T, O = Item<T>> {
    mapper: &'m Mapper,
    index: Option<String>,
    filter: Option<Condition>,
    projection: Vec<AttrPath>,
    limit: Option<usize>,
    consistent: bool,
    segment: Option<(u32, u32)>,
    after: Option<Cursor>,
    page_budget: usize,
    _model: PhantomData<fn() -> (T, O)>,
}

impl<T, O> Clone for Scan<'_, T, O> {
    fn clone(&self) -> Self {
        Scan {
            mapper: self.mapper,
            index: self.index.clone(),
            filter: self.filter.clone(),
            projection: self.projection.clone(),
            limit: self.limit,
            consistent: self.consistent,
            segment: self.segment,
            after: self.after.clone(),
            page_budget: self.page_budget,
            _model: PhantomData,
        }
    }
}

impl Mapper {
    /// A scan of `T`'s whole table.
    pub fn scan<T: Model>(&self) -> Scan<'_, T> {
        Scan {
            mapper: self,
            index: None,
            filter: None,
            projection: Vec::new(),
            limit: None,
            consistent: false,
            segment: None,
            after: None,
            page_budget: crate::limits::PAGE_BUDGET,
            _model: PhantomData,
        }
    }
}

impl<'m, T: Model, O: Output> Scan<'m, T, O> {
    /// Scans the secondary index `name` instead of the table.
    pub fn index(mut self, name: impl Into<String>) -> Self {
        self.index = Some(name.into());
        self
    }

    /// Only items for which `condition` holds.
    pub fn filter(mut self, condition: Condition) -> Self {
        self.filter = Some(condition);
        self
    }

    /// At most `n` items (per segment, for a segment scan).
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Only segment `segment` of `total` (0-based): one worker's share of a
    /// parallel scan. Segments split the table without overlap, so `total`
    /// workers each scanning their own segment see every item exactly once.
    pub fn segment(mut self, segment: u32, total: u32) -> Self {
        self.segment = Some((segment, total));
        self
    }

    /// Resumes after `cursor`, which must come from this same scan (same
    /// table, index, segment, filter and projection).
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor);
        self
    }

    /// Reads only `paths`; the scan then yields plain, unvalidated values.
    pub fn project<P: Into<AttrPath>>(
        self,
        paths: impl IntoIterator<Item = P>,
    ) -> Scan<'m, T, Value> {
        self.yielding(paths.into_iter().map(Into::into).collect())
    }

    /// The stored attributes as they are, neither migrated nor validated
    /// (what the bulk migration reads).
    pub(crate) fn raw(self) -> Scan<'m, T, codec::Attributes> {
        self.yielding(Vec::new())
    }

    /// The same scan, reading `projection` and yielding `P`.
    fn yielding<P>(self, projection: Vec<AttrPath>) -> Scan<'m, T, P> {
        Scan {
            mapper: self.mapper,
            index: self.index,
            filter: self.filter,
            projection,
            limit: self.limit,
            consistent: self.consistent,
            segment: self.segment,
            after: self.after,
            page_budget: self.page_budget,
            _model: PhantomData,
        }
    }

    fn spec(&self, info: &ModelInfo) -> Result<Spec> {
        O::check(info)?;
        let table = info.table.clone();
        let index = match &self.index {
            Some(name) => Some(info.index(&table, name)?),
            None => None,
        };
        let key_names = pages::key_attributes(info, index);
        let segment = match self.segment {
            None => None,
            Some((segment, total)) => {
                let (Ok(s), Ok(t)) = (i32::try_from(segment), i32::try_from(total)) else {
                    return Err(segment_error(&table, segment, total));
                };
                if !(1..=1_000_000).contains(&t) || s >= t {
                    return Err(segment_error(&table, segment, total));
                }
                Some((s, t))
            }
        };
        let mut placeholders = Placeholders::default();
        let (filter, projection) = pages::filter_and_projection(
            self.filter.as_ref(),
            &self.projection,
            &mut placeholders,
            info,
            O::OWN_ENTITY_ONLY,
        )?;
        Ok(Spec {
            kind: ReadKind::Scan { segment },
            span_key: segment.map_or_else(|| "-".to_owned(), |(s, t)| format!("segment {s}/{t}")),
            skip_counter: (T::AUTO_INCREMENT && self.index.is_none())
                .then(|| info.hash.name.clone()),
            index: self.index.clone(),
            filter,
            projection,
            names: placeholders.names(),
            values: placeholders.values(),
            consistent: self.consistent,
            key_names,
            partition: None,
            table,
        })
    }

    /// All `segments` of a parallel scan read concurrently, merged into one
    /// stream (items of different segments interleave). A limit applies
    /// to the merged stream. At most one page per segment is held in memory.
    ///
    /// A merged stream has no single place to resume from: a parallel scan
    /// resumes segment by segment (`.segment(k, n).after(cursor)`, with
    /// each segment's own cursor from [`Scan::pages`]). Given a cursor
    /// ([`Scan::after`]), the stream is one [`Error::InvalidCursor`] that
    /// says so.
    pub fn parallel(self, segments: u32) -> impl Stream<Item = Result<O>> + Send + 'static {
        if self.after.is_some() {
            let error = Error::InvalidCursor {
                table: self.mapper.table_name::<T>().into_owned(),
                message: "a parallel scan resumes segment by segment: \
                          `.segment(k, n).after(cursor)` with that segment's cursor"
                    .to_owned(),
            };
            return futures::stream::once(async move { Err(error) }).left_stream();
        }
        let limit = self.limit;
        let streams: Vec<_> = (0..segments.max(1))
            .map(|segment| {
                let mut scan = self.clone().segment(segment, segments.max(1));
                scan.limit = None;
                Box::pin(scan.stream())
            })
            .collect();
        futures::stream::select_all(streams)
            .take(limit.unwrap_or(usize::MAX))
            .right_stream()
    }
}

pages::terminals!(Scan);

fn segment_error(table: &str, segment: u32, total: u32) -> Error {
    Error::Usage {
        table: table.to_owned(),
        message: format!(
            "segment {segment} of {total}: DynamoDB needs 1..=1000000 segments and a segment below the total"
        ),
    }
}
