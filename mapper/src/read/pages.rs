//! The paging core under [`Query`](crate::Query) and [`Scan`](crate::Scan):
//! a rendered request ([`Spec`]) read page by page as a stream, memory
//! bounded by one page, each page with a [`Cursor`] to resume after it.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use futures::{Stream, StreamExt, TryStreamExt, future, stream};
use validate::Value;

use crate::codec;
use crate::decode::load;
use crate::error::{Error, Result};
use crate::expr::{self, AttrPath, Condition, Placeholders};
use crate::index::IndexInfo;
use crate::item::Item;
use crate::key;
use crate::mapper::Mapper;
use crate::model::{KeyAttribute, Model, ModelInfo};
use crate::read::cursor::{self, Cursor};
use crate::trace::{capacity, op_span, send};

/// What a query or scan yields per stored item.
pub trait Output: Sized + Send + 'static {
    /// Turns stored attributes into the output.
    ///
    /// # Errors
    /// A stored item that cannot be read as this output.
    fn decode(
        attributes: codec::Attributes,
        info: &ModelInfo,
        table: &str,
        mapper: &Mapper,
    ) -> Result<Self>;

    /// Whether a query or scan reads only the model's own entity type (a
    /// [`Collection`](crate::read::Collection) reads several).
    const OWN_ENTITY_ONLY: bool = true;

    /// Checks, before anything is sent, that this output can be read from
    /// the model's table (a collection's members share it).
    ///
    /// # Errors
    /// [`Error::Model`] when it cannot.
    fn check(info: &ModelInfo) -> Result<()> {
        let _ = info;
        Ok(())
    }
}

/// Whole items, through the load path (upgrade, validation, read policy).
impl<T: Model> Output for Item<T> {
    fn decode(
        attributes: codec::Attributes,
        info: &ModelInfo,
        table: &str,
        _: &Mapper,
    ) -> Result<Self> {
        load(attributes, info, table)
    }
}

/// Stored attributes as they are, not migrated nor validated.
impl Output for codec::Attributes {
    fn decode(attributes: codec::Attributes, _: &ModelInfo, _: &str, _: &Mapper) -> Result<Self> {
        Ok(attributes)
    }
}

/// Projected (partial) items as plain values, not validated.
impl Output for Value {
    fn decode(
        attributes: codec::Attributes,
        _: &ModelInfo,
        table: &str,
        _: &Mapper,
    ) -> Result<Self> {
        codec::from_item(&attributes).map_err(|e| Error::convert(table, Default::default(), e))
    }
}

/// The ways to run a query or a scan, written once for both: each type has
/// the fields `mapper`, `after`, `limit` and `page_budget`, and a
/// `spec(&self, &ModelInfo) -> Result<Spec>` that renders it.
macro_rules! terminals {
    ($ty:ident) => {
        impl<'m, T: Model, O: Output> $ty<'m, T, O> {
            /// The results page by page, as DynamoDB returns them; each
            /// page carries the cursor resuming after it. Errors (a bad
            /// cursor, a bad key value, a stored item that fails the model)
            /// come as stream items.
            pub fn pages(self) -> impl Stream<Item = Result<Page<O>>> + Send + 'static {
                let spec = pages::spec_for::<T>(self.mapper, |info| self.spec(info));
                pages::pages(self.mapper.clone(), spec, self.after, self.limit, None)
            }

            /// The results one by one, following every page; only one page
            /// is held in memory.
            pub fn stream(self) -> impl Stream<Item = Result<O>> + Send + 'static {
                let spec = pages::spec_for::<T>(self.mapper, |info| self.spec(info));
                pages::items(self.mapper.clone(), spec, self.after, self.limit)
            }

            /// All results in one vector.
            ///
            /// # Errors
            /// [`Error::Usage`](crate::Error::Usage) for an unknown index, a
            /// range condition without range key or a bad segment,
            /// [`Error::Validation`](crate::Error::Validation) for badly
            /// typed key values, [`Error::InvalidCursor`](crate::Error::InvalidCursor),
            /// [`Error::Stored`](crate::Error::Stored) or
            /// [`Error::Migration`](crate::Error::Migration) for a stored
            /// item that fails the model, [`Error::Service`](crate::Error::Service).
            pub async fn all(self) -> Result<Vec<O>> {
                self.stream().try_collect().await
            }

            /// All results that load, and apart each stored item that does
            /// not (as `batch_get` gives them): one bad stored item does
            /// not fail the others.
            ///
            /// # Errors
            /// As `all`, but for stored items that fail the model
            /// ([`Error::Stored`](crate::Error::Stored),
            /// [`Error::Migration`](crate::Error::Migration),
            /// [`Error::Convert`](crate::Error::Convert)), which go to
            /// [`Loaded::failed`](crate::Loaded::failed).
            pub async fn all_loaded(self) -> Result<$crate::Loaded<O>> {
                let mut loaded = $crate::Loaded {
                    items: Vec::new(),
                    failed: Vec::new(),
                };
                let mut stream = std::pin::pin!(self.stream());
                while let Some(result) = futures::StreamExt::next(&mut stream).await {
                    match result {
                        Ok(item) => loaded.items.push(item),
                        Err(e) if e.is_stored_item() => loaded.failed.push(e),
                        Err(e) => return Err(e),
                    }
                }
                Ok(loaded)
            }

            /// Up to `size` results and the cursor to resume after them
            /// (`None` when there are no more) — for APIs that paginate.
            ///
            /// # Errors
            /// As `all`.
            pub async fn page(self, size: usize) -> Result<Page<O>> {
                let spec = pages::spec_for::<T>(self.mapper, |info| self.spec(info));
                pages::page(
                    self.mapper.clone(),
                    spec,
                    self.after,
                    size,
                    self.page_budget,
                )
                .await
            }

            /// How many requests one `page` call may send (default
            /// [`PAGE_BUDGET`](crate::limits::PAGE_BUDGET)): with a filter that
            /// matches few items, DynamoDB evaluates up to `size` items per
            /// request, and a page of a public API must not read a whole
            /// partition. A page that stops at its budget holds fewer items
            /// than asked, says so ([`Page::partial`]) and carries the
            /// cursor to go on.
            pub fn page_budget(mut self, requests: usize) -> Self {
                self.page_budget = requests.max(1);
                self
            }
        }
    };
}

pub(crate) use terminals;

/// What `all_loaded` read: the items that load, in order, and an error for
/// each stored item that does not (naming its key and what is wrong).
#[derive(Debug)]
pub struct Loaded<O> {
    /// The items that loaded.
    pub items: Vec<O>,
    /// One error per stored item that failed the model.
    pub failed: Vec<Error>,
}

/// One page of results and where the next one starts.
#[derive(Debug)]
pub struct Page<O> {
    /// The items of this page (possibly none, when a filter dropped them all).
    pub items: Vec<O>,
    /// Resumes after this page; `None` when the query or scan is complete.
    pub cursor: Option<Cursor>,
    /// Whether the page stopped at its request budget
    /// ([`Query::page_budget`](crate::Query::page_budget)) with fewer items
    /// than asked and more to read: follow `cursor` for the rest.
    pub partial: bool,
}

/// Query or scan specifics.
#[derive(Clone, Debug)]
pub(crate) enum ReadKind {
    Query {
        key_condition: String,
        forward: bool,
    },
    Scan {
        segment: Option<(i32, i32)>,
    },
}

/// A rendered query or scan: everything but where to start.
#[derive(Clone, Debug)]
pub(crate) struct Spec {
    pub(crate) kind: ReadKind,
    pub(crate) table: String,
    pub(crate) index: Option<String>,
    pub(crate) filter: Option<String>,
    pub(crate) projection: Option<String>,
    pub(crate) names: Option<HashMap<String, String>>,
    pub(crate) values: Option<HashMap<String, AttributeValue>>,
    pub(crate) consistent: bool,
    /// The attributes a start key holds (table and index keys).
    pub(crate) key_names: Vec<KeyAttribute>,
    /// A query's partition: its key attribute and the value queried, which
    /// a start key must hold.
    pub(crate) partition: Option<(String, AttributeValue)>,
    /// The hash key name, when the auto-increment counter item must be skipped.
    pub(crate) skip_counter: Option<String>,
    /// What the span shows as key.
    pub(crate) span_key: String,
}

struct RawPage {
    items: Vec<codec::Attributes>,
    next: Option<codec::Attributes>,
}

impl Spec {
    /// The fingerprint a cursor carries: everything that decides which items
    /// come in which order, nothing that only sizes the pages.
    pub(crate) fn fingerprint(&self) -> u64 {
        let mut parts: Vec<String> = vec![self.table.clone()];
        parts.push(self.index.clone().unwrap_or_default());
        match &self.kind {
            ReadKind::Query {
                key_condition,
                forward,
            } => {
                parts.push(format!("query {key_condition} {forward}"));
            }
            ReadKind::Scan { segment } => parts.push(format!("scan {segment:?}")),
        }
        parts.push(self.filter.clone().unwrap_or_default());
        parts.push(self.projection.clone().unwrap_or_default());
        let mut names: Vec<_> = self.names.iter().flatten().collect();
        names.sort();
        parts.extend(names.into_iter().map(|(k, v)| format!("{k}={v}")));
        let mut values: Vec<_> = self.values.iter().flatten().collect();
        values.sort_by(|a, b| a.0.cmp(b.0));
        parts.extend(values.into_iter().map(|(k, v)| {
            let shown =
                codec::from_attribute(v).map_or_else(|e| e.to_string(), |v| format!("{v:?}"));
            format!("{k}={shown}")
        }));
        cursor::fingerprint(parts.iter().map(String::as_str))
    }

    /// The start key a cursor holds, checked against this request.
    pub(crate) fn start(
        &self,
        cursor: Option<&Cursor>,
        secret: Option<&[u8]>,
    ) -> Result<Option<codec::Attributes>> {
        let Some(cursor) = cursor else {
            return Ok(None);
        };
        let invalid = |message| Error::InvalidCursor {
            table: self.table.clone(),
            message,
        };
        let key =
            cursor::decode(cursor, self.fingerprint(), &self.key_names, secret).map_err(invalid)?;
        if let Some((name, value)) = &self.partition
            && key.get(name) != Some(value)
        {
            return Err(invalid(format!(
                "the cursor's key is in another partition than the query's {name:?}"
            )));
        }
        Ok(Some(key))
    }

    async fn fetch(
        &self,
        mapper: &Mapper,
        start: Option<codec::Attributes>,
        limit: Option<i32>,
    ) -> Result<RawPage> {
        let select = self.projection.as_ref().map(|_| Select::SpecificAttributes);
        let (items, next) = match &self.kind {
            ReadKind::Query {
                key_condition,
                forward,
            } => {
                let span = op_span!("Query", self.table, mapper.traced(&self.span_key));
                let out = send!(
                    mapper
                        .client()
                        .query()
                        .table_name(&self.table)
                        .set_index_name(self.index.clone())
                        .key_condition_expression(key_condition)
                        .set_filter_expression(self.filter.clone())
                        .set_projection_expression(self.projection.clone())
                        .set_select(select)
                        .set_expression_attribute_names(self.names.clone())
                        .set_expression_attribute_values(self.values.clone())
                        .set_scan_index_forward((!*forward).then_some(false))
                        .set_consistent_read(self.consistent.then_some(true))
                        .set_limit(limit)
                        .set_exclusive_start_key(start)
                        .set_return_consumed_capacity(capacity(&span)),
                    span
                )
                .map_err(|e| Error::service(&self.table, "Query", e))?;
                (out.items, out.last_evaluated_key)
            }
            ReadKind::Scan { segment } => {
                let span = op_span!("Scan", self.table, self.span_key);
                let out = send!(
                    mapper
                        .client()
                        .scan()
                        .table_name(&self.table)
                        .set_index_name(self.index.clone())
                        .set_filter_expression(self.filter.clone())
                        .set_projection_expression(self.projection.clone())
                        .set_select(select)
                        .set_expression_attribute_names(self.names.clone())
                        .set_expression_attribute_values(self.values.clone())
                        .set_segment(segment.map(|s| s.0))
                        .set_total_segments(segment.map(|s| s.1))
                        .set_consistent_read(self.consistent.then_some(true))
                        .set_limit(limit)
                        .set_exclusive_start_key(start)
                        .set_return_consumed_capacity(capacity(&span)),
                    span
                )
                .map_err(|e| Error::service(&self.table, "Scan", e))?;
                (out.items, out.last_evaluated_key)
            }
        };
        Ok(RawPage {
            items: items.unwrap_or_default(),
            next: next.filter(|n| !n.is_empty()),
        })
    }
}

struct State {
    start: Option<codec::Attributes>,
    remaining: Option<usize>,
    /// Requests left to send, when bounded.
    requests: Option<usize>,
    done: bool,
    pending: Option<Error>,
}

/// A page as DynamoDB returned it (the auto-increment counter item left
/// out), with what decoding its items needs and the cursor after it.
struct Fetched {
    mapper: Mapper,
    info: Arc<ModelInfo>,
    spec: Arc<Spec>,
    items: Vec<codec::Attributes>,
    cursor: Option<Cursor>,
}

impl Fetched {
    /// The page with every item decoded; the first that fails is the error.
    fn decode<O: Output>(mut self) -> Result<Page<O>> {
        let cursor = self.cursor.take();
        let items = self.into_items().collect::<Result<_>>()?;
        Ok(Page {
            items,
            cursor,
            partial: false,
        })
    }

    /// The items, each decoded when it is taken.
    fn into_items<O: Output>(self) -> impl Iterator<Item = Result<O>> + Send + 'static {
        let Fetched {
            mapper,
            info,
            spec,
            items,
            ..
        } = self;
        items
            .into_iter()
            .map(move |attributes| O::decode(attributes, &info, &spec.table, &mapper))
    }
}

/// The pages of `spec`, from `cursor` on, at most `limit` items in all,
/// from at most `requests` requests. Only one page is held at a time.
pub(crate) fn pages<O: Output>(
    mapper: Mapper,
    spec: Result<(Arc<ModelInfo>, Spec)>,
    cursor: Option<Cursor>,
    limit: Option<usize>,
    requests: Option<usize>,
) -> impl Stream<Item = Result<Page<O>>> + Send + 'static {
    fetched(mapper, spec, cursor, limit, requests).and_then(|page| future::ready(page.decode()))
}

/// The items of `spec`, from `cursor` on, at most `limit` in all, one by
/// one: each decoded as it is taken, from one page held at a time.
pub(crate) fn items<O: Output>(
    mapper: Mapper,
    spec: Result<(Arc<ModelInfo>, Spec)>,
    cursor: Option<Cursor>,
    limit: Option<usize>,
) -> impl Stream<Item = Result<O>> + Send + 'static {
    fetched(mapper, spec, cursor, limit, None)
        .map_ok(|page| stream::iter(page.into_items()))
        .try_flatten()
}

/// The pages of `spec` as fetched, from `cursor` on, at most `limit`
/// items in all, from at most `requests` requests.
fn fetched(
    mapper: Mapper,
    spec: Result<(Arc<ModelInfo>, Spec)>,
    cursor: Option<Cursor>,
    limit: Option<usize>,
    requests: Option<usize>,
) -> impl Stream<Item = Result<Fetched>> + Send + 'static {
    let mut state = State {
        start: None,
        remaining: limit,
        requests,
        done: false,
        pending: None,
    };
    let secret = mapper.cursor_key().map(<[u8]>::to_vec);
    let spec = match spec
        .and_then(|(info, s)| Ok((info, s.start(cursor.as_ref(), secret.as_deref())?, s)))
    {
        Ok((info, start, spec)) => {
            state.start = start;
            Some((info, Arc::new(spec)))
        }
        Err(e) => {
            state.pending = Some(e);
            None
        }
    };
    let fingerprint = spec
        .as_ref()
        .map(|(_, s)| s.fingerprint())
        .unwrap_or_default();
    stream::try_unfold(state, move |mut state| {
        let (mapper, spec) = (mapper.clone(), spec.clone());
        async move {
            if let Some(e) = state.pending.take() {
                return Err(e);
            }
            let Some((info, spec)) = spec else {
                return Ok(None);
            };
            if state.done || state.remaining == Some(0) || state.requests == Some(0) {
                return Ok(None);
            }
            if let Some(requests) = &mut state.requests {
                *requests -= 1;
            }
            let limit = state
                .remaining
                .map(|r| i32::try_from(r).unwrap_or(i32::MAX));
            let mut page = spec.fetch(&mapper, state.start.take(), limit).await?;
            if let Some(hash) = &spec.skip_counter {
                page.items
                    .retain(|attributes| !key::is_counter(attributes.get(hash)));
            }
            crate::ttl::drop_expired(&mut page.items, &info, &mapper);
            if let Some(remaining) = &mut state.remaining {
                *remaining = remaining.saturating_sub(page.items.len());
            }
            let cursor = match &page.next {
                Some(next) => Some(
                    cursor::encode(fingerprint, next, mapper.cursor_key()).map_err(|message| {
                        Error::InvalidCursor {
                            table: spec.table.clone(),
                            message,
                        }
                    })?,
                ),
                None => None,
            };
            state.done = page.next.is_none();
            state.start = page.next;
            let page = Fetched {
                mapper: mapper.clone(),
                info,
                spec,
                items: page.items,
                cursor,
            };
            Ok(Some((page, state)))
        }
    })
}

/// The attributes a start key of a query or scan on `index` (or the
/// table) holds: the index's keys and the table's, each once.
pub(crate) fn key_attributes(info: &ModelInfo, index: Option<&IndexInfo>) -> Vec<KeyAttribute> {
    let index_keys = index
        .into_iter()
        .flat_map(|i| std::iter::once(&i.hash).chain(&i.range));
    let mut keys: Vec<KeyAttribute> = Vec::with_capacity(4);
    for key in index_keys.chain(info.key_parts()) {
        if !keys.iter().any(|k| k.name == key.name) {
            keys.push(key.clone());
        }
    }
    keys
}

/// `T`'s model facts and the request `spec` renders from them.
pub(crate) fn spec_for<T: Model>(
    mapper: &Mapper,
    spec: impl FnOnce(&ModelInfo) -> Result<Spec>,
) -> Result<(Arc<ModelInfo>, Spec)> {
    let info = mapper.model_info::<T>()?;
    let spec = spec(&info)?;
    Ok((info, spec))
}

/// The filter and projection expressions, into `placeholders`.
pub(crate) fn filter_and_projection(
    filter: Option<&Condition>,
    projection: &[AttrPath],
    placeholders: &mut Placeholders,
    info: &ModelInfo,
    own_entity_only: bool,
) -> Result<(Option<String>, Option<String>)> {
    let table = info.table();
    // A model sharing its table reads only its own entity type's items.
    let filter = if own_entity_only {
        crate::entity::filter(info, filter)
    } else {
        filter.cloned()
    };
    let filter = filter
        .map(|f| f.render(placeholders))
        .transpose()
        .map_err(|e| Error::convert(table, Default::default(), e))?;
    Ok((filter, expr::projection(projection, placeholders)))
}

/// Up to `size` items of `spec` from `cursor` on, from at most `budget`
/// requests, and the cursor after the last one; partial when the requests
/// ran out before `size` items with more to read.
pub(crate) async fn page<O: Output>(
    mapper: Mapper,
    spec: Result<(Arc<ModelInfo>, Spec)>,
    cursor: Option<Cursor>,
    size: usize,
    budget: usize,
) -> Result<Page<O>> {
    let pages = pages(mapper, spec, cursor, Some(size), Some(budget));
    let mut pages = std::pin::pin!(pages);
    let mut out = Page {
        items: Vec::new(),
        cursor: None,
        partial: false,
    };
    while let Some(page) = pages.next().await {
        let page = page?;
        out.items.extend(page.items);
        out.cursor = page.cursor;
    }
    out.partial = out.items.len() < size && out.cursor.is_some();
    Ok(out)
}
