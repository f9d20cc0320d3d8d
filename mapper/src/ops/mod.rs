//! The operations on one item or one table, each a part of `impl Mapper`:
//! `get`/`find` (`get.rs`), `put`/`put_only`/`create` (`put.rs`),
//! conflict-detecting `save` (`save.rs`), `delete`/`delete_key`
//! (`delete.rs`), `update`/`update_once` (`update.rs`), `insert_auto`
//! (`auto_increment.rs`), `to_attributes`/`from_attributes` without the
//! network (`convert.rs`), and tables from models (`table.rs`, and the
//! table entity types share, `shared_table.rs`). Each
//! writes through `encode` and reads through `decode`; the conditions
//! they send are built in `write/`.

pub(crate) mod auto_increment;
pub(crate) mod convert;
pub(crate) mod delete;
pub(crate) mod get;
pub(crate) mod put;
pub(crate) mod save;
pub(crate) mod shared_table;
pub(crate) mod table;
pub(crate) mod update;
