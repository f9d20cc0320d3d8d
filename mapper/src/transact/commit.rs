//! The original dynamodb-mapper's transactions — a persisted record,
//! transactors (a target and a setter), sub-transactions, read-apply-retry
//! — made atomic: each attempt reads every target, applies the setters,
//! and writes every change, condition and record in one
//! `TransactWriteItems`. A conflict re-reads and retries; a setter's error,
//! a missing target or running out of attempts writes nothing.

use std::any::Any;
use std::fmt;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::backoff::Backoff;
use crate::error::{Error, KeyDisplay};
use crate::item::Item;
use crate::key::{IntoKey, Key};
use crate::mapper::Mapper;
use crate::model::Model;
use crate::transact::TransactWrite;
use crate::write::plan::Expect;

/// Where a transaction's record stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionStatus {
    /// Not committed (yet, or a setter or setup refused it).
    #[default]
    Pending,
    /// Being committed (the non-atomic mode of the original; not written
    /// by atomic commits, kept so that records the original wrote load).
    Running,
    /// Committed.
    Done,
}

impl validate::Typed for TransactionStatus {
    fn validator() -> validate::Validator {
        validate::str().one_of(["pending", "running", "done"])
    }
}

/// A transaction in the original's style. The type is the persisted
/// record (a [`Model`] with a status and a datetime attribute); its
/// [`setup`](Transaction::setup) says what it does, as transactors (a
/// target read fresh and a setter that changes it) and sub-transactions.
/// [`Mapper::commit`] runs it.
pub trait Transaction: Model {
    /// No record is written (the original's transient transactions).
    const TRANSIENT: bool = false;
    /// Attempts before giving up on conflicts (the original's 100; per
    /// target in the non-atomic mode).
    const MAX_ATTEMPTS: u32 = 100;
    /// `false`: the original's per-target commit, for transactions past
    /// DynamoDB's 100 actions. A pending record listing the targets
    /// ([`TARGETS_ATTRIBUTE`](crate::transact::TARGETS_ATTRIBUTE)) is written first,
    /// so that a crash leaves a trace; then each target is read, set and
    /// saved on its own (conditioned on its state as read, retried on
    /// conflict); then the sub-transactions' records and the record, done.
    /// **Not atomic**: an error leaves the targets before it applied and
    /// the record pending.
    const ATOMIC: bool = true;
    /// The record's status attribute ([`TransactionStatus`] names).
    const STATUS: &'static str = "status";
    /// The record's time attribute, written in the original's form
    /// (`2026-12-01T15:40:02.933859+00:00`) when the record is committed.
    const DATETIME: &'static str = "datetime";
    /// What a setter or the setup may abort with.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The wait between attempts after a conflict (its `attempts` is
    /// [`Transaction::MAX_ATTEMPTS`]'s): short, with jitter, as contention
    /// on one item resolves in milliseconds.
    fn backoff() -> Backoff {
        Backoff {
            base: std::time::Duration::from_millis(5),
            max: std::time::Duration::from_millis(200),
            attempts: Self::MAX_ATTEMPTS,
        }
    }

    /// Runs once, before the first attempt: adds the transactors and
    /// sub-transactions to `targets`.
    ///
    /// # Errors
    /// Aborts the commit: nothing is written.
    fn setup(&mut self, targets: &mut Targets<Self::Error>) -> Result<(), Self::Error>;
}

/// What a commit failed with.
#[derive(Debug)]
pub enum CommitError<E> {
    /// The setup or a setter refused (nothing was written).
    Aborted(E),
    /// The mapper failed: a target not found, attempts exhausted, a
    /// service error (nothing was written).
    Mapper(Error),
}

impl<E: fmt::Display> fmt::Display for CommitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitError::Aborted(e) => write!(f, "transaction aborted: {e}"),
            CommitError::Mapper(e) => write!(f, "{e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for CommitError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CommitError::Aborted(e) => Some(e),
            CommitError::Mapper(e) => Some(e),
        }
    }
}

impl<E> From<Error> for CommitError<E> {
    fn from(error: Error) -> Self {
        CommitError::Mapper(error)
    }
}

/// What a commit did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitReport {
    /// Attempts made (1 when nothing conflicted).
    pub attempts: u32,
    /// Attempts that found a target changed and were retried.
    pub conflicts: u32,
    /// The keys of the records written (the transaction's, then its
    /// sub-transactions').
    pub records: Vec<KeyDisplay>,
}

type Setter<T, E> = Box<dyn FnMut(&mut T) -> Result<(), E> + Send>;

/// One target: its key, how to make it when absent, its setters, and the
/// item read this attempt.
struct TargetItem<T: Model, E> {
    key: Key,
    new: Option<Box<dyn Fn() -> T + Send>>,
    setters: Vec<Setter<T, E>>,
    item: Option<Item<T>>,
}

/// A target of any model.
trait AnyTarget<E>: Send {
    fn as_any(&mut self) -> &mut dyn Any;
    fn read<'a>(&'a mut self, mapper: &'a Mapper) -> BoxFuture<'a, Result<(), Error>>;
    fn apply(&mut self) -> Result<(), E>;
    fn write<'a>(&'a mut self, tx: TransactWrite<'a>) -> TransactWrite<'a>;
    /// What the target is, for a non-atomic commit's record.
    fn describe(&self) -> String;
}

impl<T: Model, E: 'static> AnyTarget<E> for TargetItem<T, E> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn read<'a>(&'a mut self, mapper: &'a Mapper) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            self.item = match mapper.get_consistent::<T>(self.key.clone()).await {
                Ok(item) => Some(item),
                Err(Error::NotFound { table, key }) => match &self.new {
                    Some(new) => Some(Item::new(new())),
                    None => return Err(Error::NotFound { table, key }),
                },
                Err(other) => return Err(other),
            };
            Ok(())
        })
    }

    fn apply(&mut self) -> Result<(), E> {
        apply(&mut self.item, &mut self.setters)
    }

    fn write<'a>(&'a mut self, tx: TransactWrite<'a>) -> TransactWrite<'a> {
        write(&mut self.item, tx)
    }

    fn describe(&self) -> String {
        format!("{}: {:?}", T::TABLE, self.key)
    }
}

/// A target found by a getter of the caller's (a query, an index, a
/// lookup elsewhere) instead of by key.
struct Found<T: Model, E> {
    getter: Getter<T>,
    setters: Vec<Setter<T, E>>,
    item: Option<Item<T>>,
}

type Getter<T> =
    Box<dyn for<'m> Fn(&'m Mapper) -> BoxFuture<'m, Result<Option<Item<T>>, Error>> + Send>;

impl<T: Model, E: 'static> AnyTarget<E> for Found<T, E> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn read<'a>(&'a mut self, mapper: &'a Mapper) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            match (self.getter)(mapper).await? {
                Some(item) => self.item = Some(item),
                None => {
                    return Err(Error::NotFound {
                        table: mapper.model_info::<T>()?.table.clone(),
                        key: KeyDisplay::new("(found by the transaction's getter)"),
                    });
                }
            }
            Ok(())
        })
    }

    fn apply(&mut self) -> Result<(), E> {
        apply(&mut self.item, &mut self.setters)
    }

    fn write<'a>(&'a mut self, tx: TransactWrite<'a>) -> TransactWrite<'a> {
        write(&mut self.item, tx)
    }

    fn describe(&self) -> String {
        format!("{} (found by a getter)", T::TABLE)
    }
}

/// A new item that must not exist yet (its creation fails the commit with
/// [`Error::Overwrite`] when the key is taken, instead of a retry).
struct Creation<T> {
    model: T,
}

impl<T: Model, E: 'static> AnyTarget<E> for Creation<T> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn read<'a>(&'a mut self, _mapper: &'a Mapper) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async { Ok(()) })
    }

    fn apply(&mut self) -> Result<(), E> {
        Ok(())
    }

    fn write<'a>(&'a mut self, tx: TransactWrite<'a>) -> TransactWrite<'a> {
        tx.create(&self.model)
    }

    fn describe(&self) -> String {
        format!("{} (new)", T::TABLE)
    }
}

/// Runs a target's setters, in order, on the item read.
fn apply<T, E>(item: &mut Option<Item<T>>, setters: &mut [Setter<T, E>]) -> Result<(), E> {
    if let Some(item) = item {
        for setter in setters {
            setter(item)?;
        }
    }
    Ok(())
}

/// A target's write: its item saved on the condition that it is still as
/// read (a new one: created).
fn write<'a, T: Model>(item: &'a mut Option<Item<T>>, tx: TransactWrite<'a>) -> TransactWrite<'a> {
    match item {
        Some(item) => tx.save_whole(item),
        None => tx,
    }
}

/// A sub-transaction's record, of any type.
trait AnyRecord: Send + Sync {
    fn write<'a>(&'a self, tx: TransactWrite<'a>, now: &str) -> TransactWrite<'a>;
    fn key(&self, mapper: &Mapper) -> KeyDisplay;
}

impl<S: Transaction> AnyRecord for S {
    fn write<'a>(&'a self, tx: TransactWrite<'a>, now: &str) -> TransactWrite<'a> {
        tx.record::<S>(self, now)
    }

    fn key(&self, mapper: &Mapper) -> KeyDisplay {
        record_key(self, mapper)
    }
}

fn record_key<R: Model>(record: &R, mapper: &Mapper) -> KeyDisplay {
    match (mapper.model_info::<R>(), validate::to_value(record)) {
        (Ok(info), Ok(value)) => Key::of_item(&value, &info).display(&info),
        _ => KeyDisplay::default(),
    }
}

/// What a transaction does, filled by its [`Transaction::setup`].
pub struct Targets<E> {
    /// One write action each, in this order.
    targets: Vec<Entry<E>>,
    records: Vec<Box<dyn AnyRecord>>,
}

struct Entry<E> {
    /// Table and key, so that a key named twice is read once.
    identity: String,
    target: Box<dyn AnyTarget<E>>,
    /// For a creation: its key, to name it when taken.
    creation: Option<KeyDisplay>,
}

impl<E: Send + 'static> Targets<E> {
    /// The target of `T` with `key` (it must exist), changed by `setter`.
    /// A key named twice is read once, its setters applied in order.
    pub fn target<T: Model>(
        &mut self,
        key: impl IntoKey,
        setter: impl FnMut(&mut T) -> Result<(), E> + Send + 'static,
    ) {
        self.add(key.into_key(), None, Box::new(setter));
    }

    /// As [`Targets::target`], for a target that may not exist yet: `new`
    /// makes it (then it is created, on the condition that its key is
    /// still free).
    pub fn target_or_new<T: Model>(
        &mut self,
        key: impl IntoKey,
        new: impl Fn() -> T + Send + 'static,
        setter: impl FnMut(&mut T) -> Result<(), E> + Send + 'static,
    ) {
        self.add(key.into_key(), Some(Box::new(new)), Box::new(setter));
    }

    fn add<T: Model>(
        &mut self,
        key: Key,
        new: Option<Box<dyn Fn() -> T + Send>>,
        setter: Setter<T, E>,
    ) {
        let identity = format!("{}\u{0}{:?}", T::TABLE, key);
        let existing = self
            .targets
            .iter_mut()
            .find(|entry| entry.identity == identity)
            .and_then(|entry| entry.target.as_any().downcast_mut::<TargetItem<T, E>>());
        match existing {
            Some(target) => {
                target.setters.push(setter);
                if target.new.is_none() {
                    target.new = new;
                }
            }
            None => self.targets.push(Entry {
                identity,
                target: Box::new(TargetItem {
                    key,
                    new,
                    setters: vec![setter],
                    item: None,
                }),
                creation: None,
            }),
        }
    }

    /// A target found by `getter` (read again on every attempt; it should
    /// read strongly consistent), changed by `setter`. `None` from the
    /// getter fails the commit with [`Error::NotFound`].
    pub fn target_with<T: Model>(
        &mut self,
        getter: impl for<'m> Fn(&'m Mapper) -> BoxFuture<'m, Result<Option<Item<T>>, Error>>
        + Send
        + 'static,
        setter: impl FnMut(&mut T) -> Result<(), E> + Send + 'static,
    ) {
        self.targets.push(Entry {
            identity: format!("found {}", self.targets.len()),
            target: Box::new(Found {
                getter: Box::new(getter),
                setters: vec![Box::new(setter)],
                item: None,
            }),
            creation: None,
        });
    }

    /// A new item, created in the same write on the condition that its
    /// key is free; a taken key fails the commit with [`Error::Overwrite`]
    /// (nothing is written), it is not retried.
    pub fn create<T: Model>(&mut self, model: T) {
        let key = validate::to_value(&model)
            .map(|value| {
                Key::of_named(&value, T::HASH_KEY, T::RANGE_KEY).shown(T::HASH_KEY, T::RANGE_KEY)
            })
            .unwrap_or_default();
        self.targets.push(Entry {
            identity: format!("new {}", self.targets.len()),
            target: Box::new(Creation { model }),
            creation: Some(key),
        });
    }

    /// A sub-transaction: its setup runs now, its targets join this
    /// transaction's, its record is written with the parent's (unless
    /// transient), all in the same `TransactWriteItems`.
    ///
    /// # Errors
    /// The sub-transaction's setup error.
    pub fn sub<S: Transaction<Error = E>>(&mut self, mut sub: S) -> Result<(), E> {
        sub.setup(self)?;
        if !S::TRANSIENT {
            self.records.push(Box::new(sub));
        }
        Ok(())
    }
}

/// The key of the creation whose action is at `index` of the write, if it
/// is one (each target is one action, in the order added).
fn creation_at<E>(plan: &Targets<E>, index: usize) -> Option<&KeyDisplay> {
    plan.targets.get(index)?.creation.as_ref()
}

/// The commit's datetimes in the original dynamodb-mapper's form, one per
/// record: now for the first, a microsecond (the form's precision) later
/// for each next, so that two records of one type and key (two
/// sub-transactions of one kind for one user) never share a key, as in
/// the original, which took each record's time on its own.
fn record_times(now: OffsetDateTime, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let at = now + time::Duration::microseconds(i64::try_from(i).unwrap_or(i64::MAX));
            match validate::DateFormat::DynamodbMapper.write(at) {
                Ok(validate::Value::String(text)) => text,
                _ => String::new(),
            }
        })
        .collect()
}

impl Mapper {
    /// Commits `transaction` atomically: its setup runs once; then, per
    /// attempt (up to [`Transaction::MAX_ATTEMPTS`]), every target of it
    /// and of its sub-transactions is read (strongly consistent), the
    /// setters applied, and one `TransactWriteItems` sends an update per
    /// changed target conditioned on its state as read, a create per new
    /// target, a condition check per unchanged target, and the record of
    /// each non-transient transaction (`status` done, `datetime` now). A
    /// target changed by another writer meanwhile cancels the attempt:
    /// backoff with jitter, read again, retry. On success the transaction
    /// holds its record as stored.
    ///
    /// # Errors
    /// [`CommitError::Aborted`] with the setup's or a setter's error;
    /// [`CommitError::Mapper`] with [`Error::NotFound`] for a missing
    /// target, [`Error::MaxRetriesExceeded`] after the attempts,
    /// [`Error::InvalidTransaction`] past 100 actions, or another
    /// error. Nothing is written on error, and the status stays pending.
    pub async fn commit<X: Transaction>(
        &self,
        transaction: &mut X,
    ) -> Result<CommitReport, CommitError<X::Error>> {
        let mut plan = Targets {
            targets: Vec::new(),
            records: Vec::new(),
        };
        transaction.setup(&mut plan).map_err(CommitError::Aborted)?;
        if !X::ATOMIC {
            return self.commit_each(transaction, plan).await;
        }
        let backoff = X::backoff();
        let mut report = CommitReport::default();
        for attempt in 1..=X::MAX_ATTEMPTS {
            report.attempts = attempt;
            if attempt > 1 {
                tokio::time::sleep(backoff.delay(attempt - 1)).await;
            }
            for entry in &mut plan.targets {
                entry.target.read(self).await?;
                entry.target.apply().map_err(CommitError::Aborted)?;
            }
            let at = self.now();
            let now = record_times(at, plan.records.len() + 1);
            // The same write sent again with its token while its outcome
            // is unknown (the targets are not read again meanwhile).
            let mut token = None;
            let mut resends = crate::write::outcome::Resends::default();
            let sent = loop {
                let mut tx = self.transact_write().at(at);
                if let Some(token) = token.take() {
                    tx = tx.token(token);
                }
                for entry in &mut plan.targets {
                    tx = entry.target.write(tx);
                }
                if !X::TRANSIENT {
                    tx = tx.record::<X>(transaction, &now[0]);
                }
                for (record, now) in plan.records.iter().zip(&now[1..]) {
                    tx = record.write(tx, now);
                }
                match resends.again(tx.send().await).await {
                    Ok(again) => token = Some(again),
                    Err(sent) => break sent,
                }
            };
            match sent {
                Ok(()) => {
                    if !X::TRANSIENT {
                        report.records.push(record_key(transaction, self));
                    }
                    // Done, as the original's: a transient one too, though
                    // no record of it is written.
                    *transaction = self.committed(transaction, &now[0])?;
                    report
                        .records
                        .extend(plan.records.iter().map(|r| r.key(self)));
                    return Ok(report);
                }
                Err(Error::TransactionCanceled { table, reasons })
                    if reasons.iter().any(|r| {
                        r.code == "ConditionalCheckFailed" && creation_at(&plan, r.index).is_some()
                    }) =>
                {
                    let taken = reasons
                        .iter()
                        .find_map(|r| creation_at(&plan, r.index))
                        .cloned()
                        .unwrap_or_default();
                    return Err(CommitError::Mapper(Error::Overwrite { table, key: taken }));
                }
                Err(e) if e.is_conflict() => report.conflicts += 1,
                Err(e) => return Err(CommitError::Mapper(e)),
            }
        }
        Err(CommitError::Mapper(Error::MaxRetriesExceeded {
            table: self.model_info::<X>()?.table.clone(),
            operation: "transaction commit",
            attempts: X::MAX_ATTEMPTS,
        }))
    }

    /// The non-atomic commit ([`Transaction::ATOMIC`] false): the pending
    /// record with its targets, each target on its own, then the records.
    async fn commit_each<X: Transaction>(
        &self,
        transaction: &mut X,
        mut plan: Targets<X::Error>,
    ) -> Result<CommitReport, CommitError<X::Error>> {
        let now = record_times(self.now(), plan.records.len() + 1);
        let mut report = CommitReport::default();
        if !X::TRANSIENT {
            let targets = plan.targets.iter().map(|e| e.target.describe()).collect();
            self.transact_write()
                .record_as::<X>(
                    transaction,
                    &now[0],
                    TransactionStatus::Pending,
                    Some(targets),
                    Expect::Absent,
                )
                .send()
                .await?;
        }
        let backoff = X::backoff();
        for entry in &mut plan.targets {
            let mut attempt = 0;
            loop {
                attempt += 1;
                report.attempts = report.attempts.max(attempt);
                if attempt > 1 {
                    tokio::time::sleep(backoff.delay(attempt - 1)).await;
                }
                entry.target.read(self).await?;
                entry.target.apply().map_err(CommitError::Aborted)?;
                match entry.target.write(self.transact_write()).send().await {
                    Ok(()) => break,
                    Err(e) if entry.creation.is_some() && e.is_overwrite() => {
                        return Err(CommitError::Mapper(Error::Overwrite {
                            table: self.model_info::<X>()?.table.clone(),
                            key: entry.creation.clone().unwrap_or_default(),
                        }));
                    }
                    Err(e) if e.is_conflict() && attempt < X::MAX_ATTEMPTS => {
                        report.conflicts += 1;
                    }
                    Err(e) if e.is_conflict() => {
                        return Err(CommitError::Mapper(Error::MaxRetriesExceeded {
                            table: self.model_info::<X>()?.table.clone(),
                            operation: "transaction commit (one target)",
                            attempts: X::MAX_ATTEMPTS,
                        }));
                    }
                    Err(e) => return Err(CommitError::Mapper(e)),
                }
            }
        }
        for (record, now) in plan.records.iter().zip(&now[1..]) {
            record.write(self.transact_write(), now).send().await?;
            report.records.push(record.key(self));
        }
        if !X::TRANSIENT {
            // Our own pending record, now done (a blind put over it).
            self.transact_write()
                .record_as::<X>(
                    transaction,
                    &now[0],
                    TransactionStatus::Done,
                    None,
                    Expect::Anything,
                )
                .send()
                .await?;
            report.records.insert(0, record_key(transaction, self));
        }
        *transaction = self.committed(transaction, &now[0])?;
        Ok(report)
    }

    /// The record as committed: status done, datetime `now`.
    fn committed<X: Transaction>(&self, record: &X, now: &str) -> Result<X, Error> {
        let info = self.model_info::<X>()?;
        let value =
            crate::transact::marked::<X>(record, &info.table, now, TransactionStatus::Done)?;
        let value = info
            .schema
            .validate(value)
            .map_err(|errors| Error::Validation {
                table: info.table.clone(),
                key: KeyDisplay::default(),
                errors,
            })?;
        validate::from_value(value)
            .map_err(|e| Error::convert(&info.table, KeyDisplay::default(), e))
    }
}
