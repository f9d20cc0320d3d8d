//! Reading many items: [`Query`] (one hash key, of the table or an
//! index) and [`Scan`] (a whole table or index, in parallel segments),
//! both over one paging core (`pages.rs`) that gives pages ([`Page`]),
//! streams or everything at once ([`Loaded`]), resumable from a signed
//! [`Cursor`]. Each item goes through the load path, as a `get` does; a
//! [`Collection`] reads several entity types of one table at once.

pub(crate) mod collection;
pub(crate) mod cursor;
pub(crate) mod pages;
pub(crate) mod query;
pub(crate) mod scan;

pub use collection::Collection;
pub use cursor::Cursor;
pub use pages::{Loaded, Output, Page};
pub use query::{KeyRange, Query, RangeCondition};
pub use scan::Scan;
