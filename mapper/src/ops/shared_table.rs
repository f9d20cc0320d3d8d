//! [`Mapper::create_shared_table`]: the table several entity types share,
//! built from all of them — the key schema they agree on, every index any
//! of them declares, TTL and the stream — with a mismatch between their
//! declarations an error before anything is sent.

use std::sync::Arc;

use aws_sdk_dynamodb::types::TableDescription;

use crate::error::{Error, Result};
use crate::index::IndexInfo;
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::ops::table::Throughput;
use crate::stream::StreamView;

/// One model of a shared table, as [`Entities`] lists it.
pub struct Member {
    info: Arc<ModelInfo>,
    ttl: Option<&'static str>,
    stream: Option<StreamView>,
    entity: Option<&'static str>,
}

impl Member {
    /// `T`'s facts, from `mapper` (its table name with the prefix).
    ///
    /// # Errors
    /// [`Error::Model`] for a bad model.
    pub fn of<T: Model>(mapper: &Mapper) -> Result<Member> {
        Ok(Member {
            info: mapper.model_info::<T>()?,
            ttl: T::TTL,
            stream: T::STREAM,
            entity: T::ENTITY,
        })
    }
}

/// The models sharing one table: a tuple of them, `(Customer, Order)`.
pub trait Entities {
    /// Each model's facts.
    ///
    /// # Errors
    /// [`Error::Model`] for a bad model.
    fn members(mapper: &Mapper) -> Result<Vec<Member>>;
}

macro_rules! entities {
    ($($t:ident),+) => {
        impl<$($t: Model),+> Entities for ($($t,)+) {
            fn members(mapper: &Mapper) -> Result<Vec<Member>> {
                Ok(vec![$(Member::of::<$t>(mapper)?),+])
            }
        }
    };
}
entities!(A);
entities!(A, B);
entities!(A, B, C);
entities!(A, B, C, D);
entities!(A, B, C, D, E);
entities!(A, B, C, D, E, F);
entities!(A, B, C, D, E, F, G);
entities!(A, B, C, D, E, F, G, H);

/// What the members must agree on, and the union of their indexes.
struct Agreed {
    indexes: Vec<IndexInfo>,
    ttl: Option<&'static str>,
    stream: Option<StreamView>,
}

/// Checks that the members declare one table alike; every mismatch named.
fn agreed(members: &[Member]) -> Result<Agreed> {
    let Some(first) = members.first() else {
        return Err(Error::Usage {
            table: String::new(),
            message: "a shared table needs at least one entity".to_owned(),
        });
    };
    let table = first.info.table();
    let mut mistakes = Vec::new();
    let mut indexes: Vec<IndexInfo> = Vec::new();
    let (mut ttl, mut stream) = (None, None);
    let mut entities: Vec<&str> = Vec::new();
    for member in members {
        let info = &member.info;
        let entity = member.entity.unwrap_or("(none)");
        if info.table() != table {
            mistakes.push(format!(
                "{entity:?} is in table {:?}, not {table:?}",
                info.table()
            ));
            continue;
        }
        if member.entity.is_none() {
            mistakes.push("every model of a shared table has an entity type".to_owned());
        } else if entities.contains(&entity) {
            mistakes.push(format!("two models have the entity type {entity:?}"));
        }
        entities.push(entity);
        if info.hash_key() != first.info.hash_key() || info.range_key() != first.info.range_key() {
            mistakes.push(format!(
                "{entity:?} declares the key ({:?}, {:?}), not ({:?}, {:?})",
                info.hash_key(),
                info.range_key(),
                first.info.hash_key(),
                first.info.range_key()
            ));
        }
        for index in info.indexes() {
            match indexes.iter().find(|i| i.index.name == index.index.name) {
                Some(same) if same == index => {}
                Some(_) => mistakes.push(format!(
                    "{entity:?} declares index {:?} otherwise than another entity",
                    index.index.name
                )),
                None => indexes.push(index.clone()),
            }
        }
        match (member.ttl, ttl) {
            (Some(m), Some(a)) if m != a => {
                mistakes.push(format!(
                    "{entity:?} has the TTL attribute {m:?}, another {a:?} (a table has one)"
                ));
            }
            (Some(m), _) => ttl = Some(m),
            _ => {}
        }
        match (member.stream, stream) {
            (Some(m), Some(a)) if m != a => {
                mistakes.push(format!("{entity:?} asks the stream {m:?}, another {a:?}"));
            }
            (Some(m), _) => stream = Some(m),
            _ => {}
        }
    }
    if mistakes.is_empty() {
        Ok(Agreed {
            indexes,
            ttl,
            stream,
        })
    } else {
        Err(Error::Model {
            table: table.to_owned(),
            message: mistakes.join("; "),
        })
    }
}

impl Mapper {
    /// Creates the table the entity types `E` share (a tuple of models,
    /// `(Customer, Order)`): their common key schema, every secondary index
    /// any of them declares (the same name declared alike), the TTL
    /// attribute and the stream any of them asks for; and waits until it
    /// is active.
    ///
    /// # Errors
    /// [`Error::Model`] naming every mismatch between their declarations
    /// (another table, another key, an index declared otherwise, two TTL
    /// attributes or streams, a model without an entity type, an entity
    /// type twice), nothing sent; as [`Mapper::create_table`] otherwise.
    pub async fn create_shared_table<E: Entities>(
        &self,
        throughput: Throughput,
    ) -> Result<TableDescription> {
        let members = E::members(self)?;
        let agreed = agreed(&members)?;
        let Some(anchor) = members.first() else {
            return Err(Error::Usage {
                table: String::new(),
                message: "a shared table needs at least one entity".to_owned(),
            });
        };
        self.create_from(
            &anchor.info,
            &agreed.indexes,
            throughput,
            agreed.stream,
            agreed.ttl,
        )
        .await
    }
}
