//! Migrations over a table: a whole table brought to the current
//! version in bulk ([`MigrateTable`], `bulk.rs`: dry run, checkpoints,
//! resume), and a migrated item written back at once when its model asks
//! ([`WriteBack::Immediately`]). A model declares its versioned upgrades
//! with `#[mapper::migrations]` ([`Migrations`]); every load migrates
//! lazily and every write stamps the schema version (`schema_version.rs`);
//! the engine itself is the `migrate` crate.

pub(crate) mod bulk;

use validate::{ErrorKind, PathNode};

use crate::item::Item;
use crate::mapper::Mapper;
use crate::model::Model;
pub use crate::model::{Migrations, WriteBack};
pub use bulk::{Census, MigrateTable, MigrationReport, Sample};

impl Mapper {
    /// Writes a just-loaded item back when a load migrated it and `T`'s
    /// write-back is [`WriteBack::Immediately`]: its save, conditioned on
    /// the raw item as loaded. The load has what it asked for whatever
    /// the write-back does: a write-back that fails (someone wrote
    /// meanwhile, an answer was lost, DynamoDB refused it) leaves the item
    /// migrated in memory, to be written by its next save, with a warning
    /// that says why (`item.warnings`, at the version attribute); it never
    /// makes an item unreadable.
    pub(crate) async fn written_back<T: Model>(&self, item: &mut Item<T>) {
        if item.upgraded.is_none() || self.write_back::<T>() != WriteBack::Immediately {
            return;
        }
        // Boxed: the loads that call this keep their futures small.
        if let Err(e) = Box::pin(self.save_migrated(item)).await
            && let Some(plan) = T::migrations()
        {
            item.warnings.push(
                &PathNode::ROOT.key(plan.version_attribute()),
                ErrorKind::Custom("write_back_failed".into()),
                format!("the migrated item was not written back: {e}"),
            );
        }
    }
}
