//! The original dynamodb-mapper's transactions, made atomic, against
//! DynamoDB Local: its scenarios (nominal, transient, setup failing, target
//! not found, insufficient energy, races, max retries, two transactors,
//! new targets, sub-transactions), atomicity, and contention with exact
//! totals. Requests are counted by a fault proxy without faults.

mod models;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_sdk_dynamodb::types::AttributeValue;
use mapper::transact::{CommitError, Targets, TransactionStatus};
use mapper::{Error, Mapper, Model, Throughput, Transaction};
use serde::{Deserialize, Serialize};
use test_support::{FaultProxy, FaultStats, Faults, SetupError, TestDb};

type TestResult = Result<(), SetupError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "user")]
struct User {
    #[model(hash_key)]
    id: i64,
    energy: i64,
    #[serde(default)]
    #[model(default = 0)]
    touched: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "reward")]
struct Reward {
    #[model(hash_key)]
    user: i64,
    #[model(range_key)]
    name: String,
}

/// The setters' own error.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum Refused {
    #[error("user {0} has {1} energy, {2} needed")]
    Insufficient(i64, i64, i64),
    #[error("setup refused")]
    Setup,
}

/// The original's `UserEnergyTransaction`: spend `energy` of user
/// `requester_id`; its record keyed by requester and time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "energy_transaction")]
struct UserEnergyTransaction {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    energy: i64,
    #[serde(skip)]
    fail_setup: bool,
    #[serde(skip)]
    also: Option<i64>,
}

fn spend(requester_id: i64, energy: i64) -> UserEnergyTransaction {
    UserEnergyTransaction {
        requester_id,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        energy,
        fail_setup: false,
        also: None,
    }
}

fn take_energy(amount: i64) -> impl FnMut(&mut User) -> Result<(), Refused> + Send + 'static {
    move |user| {
        if user.energy < amount {
            return Err(Refused::Insufficient(user.id, user.energy, amount));
        }
        user.energy -= amount;
        Ok(())
    }
}

impl Transaction for UserEnergyTransaction {
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        if self.fail_setup {
            return Err(Refused::Setup);
        }
        targets.target::<User>(self.requester_id, take_energy(self.energy));
        if let Some(other) = self.also {
            targets.target::<User>(other, take_energy(self.energy));
        }
        Ok(())
    }
}

/// The same, writing no record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "energy_transaction")]
struct TransientEnergy {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key)]
    datetime: String,
    status: TransactionStatus,
    energy: i64,
}

impl Transaction for TransientEnergy {
    const TRANSIENT: bool = true;
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        targets.target::<User>(self.requester_id, take_energy(self.energy));
        Ok(())
    }
}

/// Buys energy: a reward is created, and the energy transaction runs as a
/// sub-transaction, both in one write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "purchase")]
struct EnergyPurchase {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    rewards: Vec<String>,
    energy: i64,
}

impl Transaction for EnergyPurchase {
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        for name in &self.rewards {
            targets.create(Reward {
                user: self.requester_id,
                name: name.clone(),
            });
        }
        targets.sub(spend(self.requester_id, self.energy))
    }
}

fn purchase(requester_id: i64, rewards: &[&str], energy: i64) -> EnergyPurchase {
    EnergyPurchase {
        requester_id,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        rewards: rewards.iter().map(|r| (*r).to_owned()).collect(),
        energy,
    }
}

struct World {
    db: TestDb,
    proxy: FaultProxy,
    mapper: Mapper,
}

async fn world(users: &[(i64, i64)]) -> Result<World, SetupError> {
    let db = TestDb::with_table::<User>().await?;
    db.mapper
        .create_table::<Reward>(Throughput::OnDemand)
        .await?;
    db.mapper
        .create_table::<UserEnergyTransaction>(Throughput::OnDemand)
        .await?;
    db.mapper
        .create_table::<EnergyPurchase>(Throughput::OnDemand)
        .await?;
    for (id, energy) in users {
        db.mapper
            .create(&User {
                id: *id,
                energy: *energy,
                touched: 0,
            })
            .await?;
    }
    let proxy = FaultProxy::start(&test_support::endpoint().await?, Faults::default()).await?;
    let mapper = db.through(&proxy.endpoint, 3);
    Ok(World { db, proxy, mapper })
}

impl World {
    async fn energy(&self, id: i64) -> Result<Option<i64>, SetupError> {
        let out = self
            .db
            .client()
            .get_item()
            .table_name(self.db.table::<User>())
            .key("id", AttributeValue::N(id.to_string()))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out
            .item
            .and_then(|i| i.get("energy").and_then(|e| e.as_n().ok()?.parse().ok())))
    }

    async fn count<T: Model>(&self) -> Result<i32, SetupError> {
        let out = self
            .db
            .client()
            .scan()
            .table_name(self.db.table::<T>())
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.count())
    }

    fn writes(&self) -> (u64, u64) {
        (
            FaultStats::get(&self.proxy.stats.transact_writes),
            FaultStats::get(&self.proxy.stats.transact_actions),
        )
    }
}

#[tokio::test]
async fn nominal_one_write_of_two_actions_and_one_record() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    let mut tx = spend(1, 10);
    let report = w.mapper.commit(&mut tx).await?;
    assert_eq!(w.energy(1).await?, Some(0));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 1);
    assert_eq!(w.writes(), (1, 2), "one TransactWriteItems of 2 actions");
    assert_eq!(
        (report.attempts, report.conflicts, report.records.len()),
        (1, 0, 1)
    );
    assert_eq!(tx.status, TransactionStatus::Done);
    assert!(tx.datetime.ends_with("+00:00"), "{}", tx.datetime);
    let stored: Vec<_> = w.mapper.scan::<UserEnergyTransaction>().all().await?;
    assert_eq!(stored[0].status, TransactionStatus::Done);
    assert_eq!(stored[0].datetime, tx.datetime);
    Ok(())
}

#[tokio::test]
async fn transient_writes_no_record() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    let mut tx = TransientEnergy {
        requester_id: 1,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        energy: 10,
    };
    w.mapper.commit(&mut tx).await?;
    assert_eq!(w.energy(1).await?, Some(0));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 0);
    assert_eq!(w.writes(), (1, 1));
    // Done, as the original's transient transactions end (regression: it
    // stayed pending after a successful commit).
    assert_eq!(tx.status, TransactionStatus::Done);
    assert!(!tx.datetime.is_empty());
    Ok(())
}

/// Two sub-transactions of one type for one user: each gets its own
/// record (regression: every record of an attempt had the same time, so
/// the two records had one key and DynamoDB refused the write).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "purchase")]
struct TwoSpends {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
}

impl Transaction for TwoSpends {
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        targets.sub(spend(self.requester_id, 3))?;
        targets.sub(spend(self.requester_id, 7))
    }
}

#[tokio::test]
async fn two_sub_transactions_of_one_type_for_one_user_each_commit_their_record() -> TestResult {
    let w = world(&[(1, 100)]).await?;
    let mut tx = TwoSpends {
        requester_id: 1,
        datetime: String::new(),
        status: TransactionStatus::Pending,
    };
    let report = w.mapper.commit(&mut tx).await?;
    assert_eq!(w.energy(1).await?, Some(90), "both spends applied");
    assert_eq!(report.records.len(), 3);
    let records = w.mapper.scan::<UserEnergyTransaction>().all().await?;
    let mut spent: Vec<i64> = records.iter().map(|r| r.energy).collect();
    spent.sort_unstable();
    assert_eq!(spent, [3, 7], "one record each");
    assert_ne!(records[0].datetime, records[1].datetime);
    assert!(records.iter().all(|r| r.status == TransactionStatus::Done));
    assert_eq!(w.count::<TwoSpends>().await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_failing_setup_writes_nothing() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    let mut tx = UserEnergyTransaction {
        fail_setup: true,
        ..spend(1, 10)
    };
    let err = w.mapper.commit(&mut tx).await.err().ok_or("committed")?;
    assert!(matches!(err, CommitError::Aborted(Refused::Setup)), "{err}");
    assert_eq!(w.writes(), (0, 0));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 0);
    assert_eq!(tx.status, TransactionStatus::Pending);
    Ok(())
}

#[tokio::test]
async fn a_missing_target_is_not_found_and_writes_nothing() -> TestResult {
    let w = world(&[(1, 100)]).await?;
    // Spend on user 1 and on the missing user 2: nothing applied.
    let mut tx = UserEnergyTransaction {
        also: Some(2),
        ..spend(1, 10)
    };
    let err = w.mapper.commit(&mut tx).await.err().ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Mapper(ref e) if e.is_not_found()),
        "{err}"
    );
    assert_eq!(w.writes(), (0, 0));
    assert_eq!(w.energy(1).await?, Some(100));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 0);
    Ok(())
}

#[tokio::test]
async fn insufficient_energy_is_the_setters_error_and_writes_nothing() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    let mut tx = spend(1, 20);
    let err = w.mapper.commit(&mut tx).await.err().ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Aborted(Refused::Insufficient(1, 10, 20))),
        "{err}"
    );
    assert_eq!(w.energy(1).await?, Some(10));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 0);
    assert_eq!(w.writes(), (0, 0));
    Ok(())
}

/// A transaction whose target another client changes right after each of
/// its first `races` reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "energy_transaction")]
struct Raced {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    #[serde(skip)]
    races: u32,
    #[serde(skip)]
    raw: Option<Rival>,
}

/// Another client, changing the user behind the transaction's back.
#[derive(Debug, Clone)]
struct Rival {
    client: aws_sdk_dynamodb::Client,
    table: String,
    reads: Arc<AtomicU32>,
}

impl PartialEq for Rival {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Transaction for Raced {
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        let (races, rival) = (self.races, self.raw.clone());
        let mut spend = take_energy(10);
        targets.target::<User>(self.requester_id, move |user: &mut User| {
            if let Some(rival) = &rival {
                let read = rival.reads.fetch_add(1, Ordering::SeqCst) + 1;
                if read <= races {
                    let (client, table) = (rival.client.clone(), rival.table.clone());
                    let id = user.id;
                    tokio::task::block_in_place(|| {
                        tokio::runtime::Handle::current().block_on(async move {
                            client
                                .update_item()
                                .table_name(table)
                                .key("id", AttributeValue::N(id.to_string()))
                                .update_expression("ADD touched :one")
                                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                                .send()
                                .await
                                .map(drop)
                                .map_err(|_| Refused::Setup)
                        })
                    })?;
                }
            }
            spend(user)
        });
        Ok(())
    }
}

fn raced(w: &World, races: u32) -> (Raced, Arc<AtomicU32>) {
    let reads = Arc::new(AtomicU32::new(0));
    let tx = Raced {
        requester_id: 1,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        races,
        raw: Some(Rival {
            client: w.db.client().clone(),
            table: w.db.table::<User>(),
            reads: Arc::clone(&reads),
        }),
    };
    (tx, reads)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_race_is_read_again_and_retried_until_it_goes_through() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    let (mut tx, reads) = raced(&w, 9);
    let report = w.mapper.commit(&mut tx).await?;
    assert_eq!((report.attempts, report.conflicts), (10, 9));
    assert_eq!(reads.load(Ordering::SeqCst), 10);
    assert_eq!(w.energy(1).await?, Some(0));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_changed_after_every_read_gives_up_after_100_attempts() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    let (mut tx, reads) = raced(&w, u32::MAX);
    let err = w.mapper.commit(&mut tx).await.err().ok_or("committed")?;
    assert!(
        matches!(
            err,
            CommitError::Mapper(Error::MaxRetriesExceeded { attempts: 100, .. })
        ),
        "{err}"
    );
    assert_eq!(reads.load(Ordering::SeqCst), 100);
    assert_eq!(w.energy(1).await?, Some(10));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 0);
    Ok(())
}

#[tokio::test]
async fn two_transactors_in_one_write() -> TestResult {
    let w = world(&[(1, 10), (2, 15)]).await?;
    let mut tx = UserEnergyTransaction {
        also: Some(2),
        ..spend(1, 10)
    };
    w.mapper.commit(&mut tx).await?;
    assert_eq!((w.energy(1).await?, w.energy(2).await?), (Some(0), Some(5)));
    assert_eq!(w.writes(), (1, 3));
    Ok(())
}

#[tokio::test]
async fn new_targets_and_a_sub_transaction_in_one_write() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    let mut buy = purchase(1, &["sword", "shield"], 10);
    let report = w.mapper.commit(&mut buy).await?;
    // 2 rewards + the user + 2 records, in one write.
    assert_eq!(w.writes(), (1, 5));
    assert_eq!(report.records.len(), 2);
    assert_eq!(w.energy(1).await?, Some(0));
    assert_eq!(w.count::<Reward>().await?, 2);
    assert_eq!(w.count::<EnergyPurchase>().await?, 1);
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 1);
    // A reward already there: Overwrite, neither written, no record.
    w.db.mapper
        .create(&User {
            id: 2,
            energy: 10,
            touched: 0,
        })
        .await?;
    let mut again = purchase(2, &["helmet", "sword"], 1);
    w.db.mapper
        .create(&Reward {
            user: 2,
            name: "sword".into(),
        })
        .await?;
    let err = w.mapper.commit(&mut again).await.err().ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Mapper(ref e) if e.is_overwrite()),
        "{err}"
    );
    assert_eq!(w.count::<Reward>().await?, 3, "helmet not written");
    assert_eq!(w.energy(2).await?, Some(10));
    // A failing sub-transaction setter: nothing written, no record.
    let mut greedy = purchase(1, &["bow"], 5);
    let err = w
        .mapper
        .commit(&mut greedy)
        .await
        .err()
        .ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Aborted(Refused::Insufficient(..))),
        "{err}"
    );
    assert_eq!(w.count::<Reward>().await?, 3);
    assert_eq!(w.count::<EnergyPurchase>().await?, 1);
    Ok(())
}

#[tokio::test]
async fn contention_on_one_user_loses_nothing() -> TestResult {
    let w = world(&[(1, 400)]).await?;
    let mapper = w.db.mapper.clone();
    // 480 transactions of -1 on 400 energy, 16 at a time.
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let mapper = mapper.clone();
            tokio::spawn(async move {
                let (mut done, mut refused) = (0, 0);
                for _ in 0..30 {
                    match mapper.commit(&mut spend(1, 1)).await {
                        Ok(_) => done += 1,
                        Err(CommitError::Aborted(Refused::Insufficient(..))) => refused += 1,
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok((done, refused))
            })
        })
        .collect();
    let (mut done, mut refused) = (0, 0);
    for task in tasks {
        let (d, r) = task.await??;
        done += d;
        refused += r;
    }
    assert_eq!((done, refused), (400, 80));
    assert_eq!(w.energy(1).await?, Some(0));
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 400);
    Ok(())
}

/// A transfer between two users' energy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "energy_transaction")]
struct Transfer {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    to: i64,
    amount: i64,
}

impl Transaction for Transfer {
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        let amount = self.amount;
        targets.target::<User>(self.requester_id, take_energy(amount));
        targets.target::<User>(self.to, move |user: &mut User| {
            user.energy += amount;
            Ok(())
        });
        Ok(())
    }
}

#[tokio::test]
async fn random_transfers_keep_the_sum_and_never_go_negative() -> TestResult {
    let accounts: Vec<(i64, i64)> = (1..=8).map(|id| (id, 1_000)).collect();
    let w = world(&accounts).await?;
    let tasks: Vec<_> = (0..32_u64)
        .map(|task| {
            let mapper = w.db.mapper.clone();
            tokio::spawn(async move {
                let mut seed = task.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                let mut next = move |n: u64| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed % n
                };
                let mut done = 0;
                for _ in 0..50 {
                    let from = next(8) as i64 + 1;
                    let to = (from + next(7) as i64) % 8 + 1;
                    let mut transfer = Transfer {
                        requester_id: from,
                        datetime: String::new(),
                        status: TransactionStatus::Pending,
                        to,
                        amount: next(400) as i64 + 1,
                    };
                    match mapper.commit(&mut transfer).await {
                        Ok(_) => done += 1,
                        Err(CommitError::Aborted(Refused::Insufficient(..))) => {}
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok(done)
            })
        })
        .collect();
    let mut done = 0;
    for task in tasks {
        done += task.await??;
    }
    let mut sum = 0;
    for id in 1..=8 {
        let energy = w.energy(id).await?.ok_or("account gone")?;
        assert!(energy >= 0, "account {id} at {energy}");
        sum += energy;
    }
    assert_eq!(sum, 8_000);
    assert_eq!(w.count::<UserEnergyTransaction>().await?, done);
    assert!(done > 800, "{done} transfers went through");
    Ok(())
}

/// Spends the energy of whichever user has the most, found by a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "energy_transaction")]
struct FromRichest {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    at_least: i64,
}

impl Transaction for FromRichest {
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        let at_least = self.at_least;
        targets.target_with::<User>(
            move |mapper| {
                Box::pin(async move {
                    let rich = mapper
                        .scan::<User>()
                        .filter(mapper::attr("energy").ge(at_least))
                        .consistent()
                        .all()
                        .await?;
                    Ok(rich.into_iter().max_by_key(|u| u.energy))
                })
            },
            take_energy(at_least),
        );
        Ok(())
    }
}

#[tokio::test]
async fn a_target_found_by_a_getter_of_the_callers() -> TestResult {
    let w = world(&[(1, 3), (2, 12), (3, 7)]).await?;
    let mut richest = FromRichest {
        requester_id: 9,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        at_least: 10,
    };
    w.mapper.commit(&mut richest).await?;
    assert_eq!(
        (w.energy(1).await?, w.energy(2).await?, w.energy(3).await?),
        (Some(3), Some(2), Some(7))
    );
    // Nobody has 10 left: the getter finds none, nothing is written.
    let err = w
        .mapper
        .commit(&mut richest)
        .await
        .err()
        .ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Mapper(ref e) if e.is_not_found()),
        "{err}"
    );
    assert_eq!(w.count::<UserEnergyTransaction>().await?, 1);
    Ok(())
}

/// Takes 1 energy from each of `users` (refusing at user `fail_at`),
/// atomically or target by target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "energy_transaction")]
struct Levy<const ATOMIC: bool> {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    users: i64,
    #[serde(skip)]
    fail_at: Option<i64>,
}

impl<const A: bool> Transaction for Levy<A> {
    const ATOMIC: bool = A;
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        for id in 1..=self.users {
            let fail = self.fail_at == Some(id);
            targets.target::<User>(id, move |user: &mut User| {
                if fail {
                    return Err(Refused::Insufficient(user.id, user.energy, 1_000));
                }
                user.energy -= 1;
                Ok(())
            });
        }
        Ok(())
    }
}

fn levy<const A: bool>(requester_id: i64, users: i64, fail_at: Option<i64>) -> Levy<A> {
    Levy {
        requester_id,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        users,
        fail_at,
    }
}

#[tokio::test]
async fn past_100_targets_atomic_refuses_and_non_atomic_goes_target_by_target() -> TestResult {
    let users: Vec<(i64, i64)> = (1..=101).map(|id| (id, 10)).collect();
    let w = world(&users).await?;
    // Atomic: 101 targets + the record cannot be one transaction.
    let mut atomic = levy::<true>(1, 101, None);
    let err = w
        .mapper
        .commit(&mut atomic)
        .await
        .err()
        .ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Mapper(Error::InvalidTransaction { .. })),
        "{err}"
    );
    assert_eq!(w.writes(), (0, 0));
    // Non-atomic: the pending record with its targets, then each target.
    let mut each = levy::<false>(1, 101, None);
    let report = w.mapper.commit(&mut each).await?;
    assert_eq!(report.records.len(), 1);
    assert_eq!(each.status, TransactionStatus::Done);
    for id in [1, 50, 101] {
        assert_eq!(w.energy(id).await?, Some(9));
    }
    let records = w.mapper.scan::<Levy<false>>().all().await?;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].status, TransactionStatus::Done);
    // A failure half way: the targets before it applied, the record pending
    // with the list of all targets: the trace a crash would leave too.
    let mut broken = levy::<false>(2, 101, Some(50));
    let err = w
        .mapper
        .commit(&mut broken)
        .await
        .err()
        .ok_or("committed")?;
    assert!(matches!(err, CommitError::Aborted(_)), "{err}");
    assert_eq!(w.energy(49).await?, Some(8));
    assert_eq!(w.energy(50).await?, Some(9));
    let pending =
        w.db.client()
            .query()
            .table_name(w.db.table::<UserEnergyTransaction>())
            .key_condition_expression("requester_id = :r")
            .expression_attribute_values(":r", AttributeValue::N("2".into()))
            .send()
            .await?
            .items
            .unwrap_or_default();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].get("status"),
        Some(&AttributeValue::S("pending".into()))
    );
    let targets = pending[0]
        .get(mapper::transact::TARGETS_ATTRIBUTE)
        .and_then(|t| t.as_l().ok())
        .map(Vec::len);
    assert_eq!(targets, Some(101));
    Ok(())
}

/// Grants rewards: new items only, with the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "purchase")]
struct Grant {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    rewards: Vec<String>,
}

impl Transaction for Grant {
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        for name in &self.rewards {
            targets.create(Reward {
                user: self.requester_id,
                name: name.clone(),
            });
        }
        Ok(())
    }
}

#[tokio::test]
async fn two_new_rewards_in_one_write_of_three_actions_or_neither() -> TestResult {
    let w = world(&[]).await?;
    let grant = |names: &[&str]| Grant {
        requester_id: 1,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        rewards: names.iter().map(|n| (*n).to_owned()).collect(),
    };
    w.mapper.commit(&mut grant(&["sword", "shield"])).await?;
    assert_eq!(w.writes(), (1, 3), "2 rewards + the record");
    assert_eq!(w.count::<Reward>().await?, 2);
    let err = w
        .mapper
        .commit(&mut grant(&["helmet", "shield"]))
        .await
        .err()
        .ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Mapper(ref e) if e.is_overwrite()),
        "{err}"
    );
    assert_eq!(w.count::<Reward>().await?, 2, "helmet not written");
    assert_eq!(
        w.count::<EnergyPurchase>().await?,
        1,
        "one record, the first grant's"
    );
    Ok(())
}

/// A non-atomic purchase: its new reward is created on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Model)]
#[model(table = "purchase")]
struct PurchaseEach {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = validate::datetime().stored_as(validate::DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
}

impl Transaction for PurchaseEach {
    const ATOMIC: bool = false;
    type Error = Refused;

    fn setup(&mut self, targets: &mut Targets<Refused>) -> Result<(), Refused> {
        targets.create(Reward {
            user: self.requester_id,
            name: "taken".into(),
        });
        Ok(())
    }
}

/// A non-atomic commit whose new target's key is taken fails with
/// `Overwrite` naming it (a taken key is no conflict to retry).
#[tokio::test]
async fn a_non_atomic_creation_of_a_taken_key_is_an_overwrite() -> TestResult {
    let w = world(&[(1, 10)]).await?;
    w.db.mapper
        .create(&Reward {
            user: 1,
            name: "taken".into(),
        })
        .await?;
    let mut tx = PurchaseEach {
        requester_id: 1,
        datetime: String::new(),
        status: TransactionStatus::Pending,
    };
    let err = w.mapper.commit(&mut tx).await.err().ok_or("committed")?;
    assert!(
        matches!(err, CommitError::Mapper(Error::Overwrite { ref key, .. }) if key.to_string().contains("taken")),
        "{err}"
    );
    Ok(())
}
