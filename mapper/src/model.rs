//! [`Model`]: a serde type stored in one DynamoDB table, and the facts the
//! mapper derives from it once ([`ModelInfo`]).

pub use crate::key::KeyTemplate;
pub use crate::ops::shared_table::{Entities, Member};
use serde::Serialize;
use serde::de::DeserializeOwned;
use validate::{Presence, Schema, ValueType};

use crate::error::{Error, Result};
use crate::index::{Index, IndexInfo};

/// Names the mapper reserves in a model's table.
pub use crate::key::{COUNTER_ATTRIBUTE, COUNTER_KEY};

/// What a load does with a stored item that does not pass the schema.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReadPolicy {
    /// A typed [`Error::Stored`] naming table, key and every attribute path.
    #[default]
    Strict,
    /// Bad or missing attributes are replaced by their defaults (or dropped
    /// when optional); what was wrong is kept in
    /// [`Item::warnings`](crate::Item::warnings). Fails only when no default
    /// can stand in.
    Lenient,
}

/// A typed model: a serde type stored in one DynamoDB table.
///
/// Declared once with the derive, which writes the schema from the field
/// types and `#[model(…)]` options (the README lists them all):
///
/// ```
/// use std::collections::BTreeSet;
/// use mapper::Model;
///
/// #[derive(serde::Serialize, serde::Deserialize, Model)]
/// #[model(table = "doom_map")]
/// struct DoomMap {
///     #[model(hash_key, range = 1..=4)]
///     episode: i64,
///     #[model(range_key, range = 1..=9)]
///     map: i64,
///     #[model(length = 1..=64)]
///     name: String,
///     #[model(default = ["Konami"])]
///     cheats: BTreeSet<String>,
/// }
/// assert_eq!(DoomMap::RANGE_KEY, Some("map"));
/// ```
///
/// or by hand, with the schema builder (for schemas built at run time):
///
/// ```
/// use std::collections::BTreeSet;
/// use mapper::Model;
/// use validate::{Schema, int, set_of, str};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct DoomMap {
///     episode: i64,
///     map: i64,
///     name: String,
///     cheats: BTreeSet<String>,
/// }
///
/// impl Model for DoomMap {
///     const TABLE: &'static str = "doom_map";
///     const HASH_KEY: &'static str = "episode";
///     const RANGE_KEY: Option<&'static str> = Some("map");
///
///     fn schema() -> Schema {
///         Schema::new()
///             .required("episode", int())
///             .required("map", int())
///             .required("name", str())
///             .with_default("cheats", set_of(str()), ["Konami"])
///     }
/// }
/// ```
pub trait Model: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The table name (the mapper may prefix it per environment).
    const TABLE: &'static str;
    /// The hash (partition) key attribute.
    const HASH_KEY: &'static str;
    /// The range (sort) key attribute, if any.
    const RANGE_KEY: Option<&'static str> = None;
    /// Whether the hash key is an auto-incremented number
    /// ([`Mapper::insert_auto`](crate::Mapper::insert_auto)).
    const AUTO_INCREMENT: bool = false;
    /// How many keys [`Mapper::insert_auto`](crate::Mapper::insert_auto)
    /// tries (each taken by a direct write, or skipped by a counter
    /// increment resent after a lost answer) before giving up.
    const AUTO_INCREMENT_ATTEMPTS: u32 = crate::limits::MAX_AUTO_INCREMENT_ATTEMPTS;
    /// A numeric attribute used for optimistic locking on every write.
    const VERSION: Option<&'static str> = None;
    /// The attribute DynamoDB's TTL reads (`#[model(ttl)]`): whole seconds
    /// since 1970 after which the item expires. `create_table` turns TTL
    /// on for it ([`Mapper::ensure_ttl`](crate::Mapper::ensure_ttl)).
    const TTL: Option<&'static str> = None;
    /// Whether reads hide an item whose TTL has passed but that DynamoDB
    /// has not deleted yet (it deletes lazily, often hours later): `true`
    /// by default (`#[model(expired = "show")]` to see them).
    const HIDE_EXPIRED: bool = true;
    /// The entity type of a model sharing its table with others
    /// (`#[model(entity = "order")]`): written on every write, checked on
    /// every load (see the `entity` module's rules).
    const ENTITY: Option<&'static str> = None;
    /// The attribute the entity type is written in (`_et` by default;
    /// `#[model(entity_attribute = "…")]`).
    const ENTITY_ATTRIBUTE: &'static str = "_et";
    /// The stream `create_table` turns on (`#[model(stream =
    /// "new_and_old_images")]`); [`Mapper::enable_stream`](crate::Mapper::enable_stream)
    /// turns one on for an existing table.
    const STREAM: Option<StreamView> = None;
    /// The datetime the mapper sets when a write creates the item and
    /// never changes after (`#[model(created_at)]`).
    const CREATED_AT: Option<&'static str> = None;
    /// The datetime the mapper sets on every write that changes the item
    /// (`#[model(updated_at)]`); a migration's write-back leaves it.
    const UPDATED_AT: Option<&'static str> = None;
    /// What loads do with stored items that fail the schema.
    const READ_POLICY: ReadPolicy = ReadPolicy::Strict;
    /// Secondary indexes, created with the table and queried by name
    /// ([`Query::index`](crate::Query::index)).
    const INDEXES: &'static [Index] = &[];
    /// Key attributes built from fields (`#[model(pk =
    /// "CUSTOMER#{username}", sk = "CUSTOMER#{username}")]`): each the
    /// table's or an index's key, written by every save from the item's
    /// fields and checked by every load (the `key::template` rules).
    const KEYS: &'static [KeyTemplate] = &[];

    /// The schema every item is validated against, on save and on load.
    /// Its defaults fill absent attributes of new items; its extra-key
    /// policy decides whether unknown stored attributes survive a save
    /// ([`validate::Extra::Remove`] drops them; otherwise they are kept).
    fn schema() -> Schema;

    /// The model's migrations: the plan `#[mapper::migrations]` writes
    /// (`#[model(migrations)]` points here). With a plan, every write
    /// stores the current version, and every load brings older items up
    /// to it (see [`Migrations`]); `None` (the default)
    /// keeps items as stored.
    fn migrations() -> Option<&'static migrate::Plan> {
        None
    }

    /// A check of the whole model before every save of it — `put`,
    /// `put_only`, `create`, `save`, batch puts, transactions (native and
    /// the original's), `insert_auto`, `to_attributes` — after its fields
    /// passed the schema's types and before anything is sent: rules
    /// across fields (`#[model(before_save = path)]` names a
    /// `fn(&Self) -> Result<(), validate::Errors>`). Its errors are
    /// [`Error::Validation`] with their paths; nothing is written. It
    /// runs inside transaction attempts and may run more than once for
    /// one call: no I/O, no side effects. It borrows the model, as every
    /// save does: change the model before saving it.
    ///
    /// # Errors
    /// The broken rules, each at its path.
    fn before_save(&self) -> std::result::Result<(), validate::Errors> {
        Ok(())
    }

    /// Runs on the model after every load — `get`, `find`, `batch_get`,
    /// query, scan, `transact_get`, the item a write gives back, the
    /// loads of migrations — once it is validated (and migrated):
    /// derived fields, caches (`#[model(after_load = path)]` names a
    /// `fn(&mut Self)`). It cannot fail, and must not do I/O.
    fn after_load(&mut self) {}

    /// Whether [`Model::migrations`] returns the plan `#[mapper::migrations]`
    /// writes: the derive sets it with `#[model(migrations)]`, and
    /// `#[mapper::migrations]` on a model that does not say so is a
    /// compile error (its plan would never be used). A hand-written
    /// `Model` that returns that plan sets it too.
    const MIGRATIONS_DECLARED: bool = false;

    /// When a load that migrated an item writes it back (lazily by
    /// default: with the application's next save of it).
    const WRITE_BACK: WriteBack = WriteBack::Lazy;
}

/// The DynamoDB scalar type of a key attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// `S`.
    String,
    /// `N`.
    Number,
    /// `B`.
    Binary,
}

/// A key attribute: its name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAttribute {
    /// The attribute name.
    pub name: String,
    /// The attribute type.
    pub key_type: KeyType,
}

/// What the mapper derives from a [`Model`] once and caches.
#[derive(Clone, Debug)]
pub struct ModelInfo {
    /// The table's name: [`Model::TABLE`], with the mapper's prefix when
    /// the facts come from [`Mapper::model_info`](crate::Mapper::model_info).
    pub(crate) table: String,
    /// The schema.
    pub(crate) schema: Schema,
    /// The hash key.
    pub(crate) hash: KeyAttribute,
    /// The range key.
    pub(crate) range: Option<KeyAttribute>,
    /// Attributes the schema says are sets (absent reads as empty).
    pub(crate) sets: Vec<(String, ValueType)>,
    /// Attributes whose validator declares a set at any depth (checked on
    /// load to be stored as sets).
    pub(crate) holding_sets: Vec<String>,
    /// The secondary indexes, keys typed.
    pub(crate) indexes: Vec<IndexInfo>,
    /// The model's migrations ([`Model::migrations`]), checked.
    pub(crate) migrations: Option<&'static migrate::Plan>,
    /// What the fast save and load know of the model.
    pub(crate) fast: crate::codec::fast::Layout,
    /// The TTL attribute, when reads hide expired items ([`Model::TTL`],
    /// [`Model::HIDE_EXPIRED`]).
    pub(crate) expires: Option<String>,
    /// The entity type and its attribute, for a model sharing its table.
    pub(crate) entity: Option<EntityTag>,
    /// Whether a key attribute's validator may change the value it checks
    /// (it has no plain form): then a load checks the key it validated.
    pub(crate) key_normalized: bool,
    /// The key attributes built from fields ([`Model::KEYS`]).
    pub(crate) templates: Vec<crate::key::template::Template>,
}

/// A key attribute of the schema (or built from a template, text), typed
/// (the rules checked its type).
pub(crate) fn key_attribute(
    schema: &Schema,
    templates: &[crate::key::KeyTemplate],
    table: &str,
    name: &str,
) -> Result<KeyAttribute> {
    if templates.iter().any(|t| t.attribute == name) {
        return Ok(KeyAttribute {
            name: name.to_owned(),
            key_type: KeyType::String,
        });
    }
    let key_type = match schema.get(name).and_then(|f| f.validator().output_type()) {
        Some(ValueType::String) => KeyType::String,
        Some(ValueType::Number) => KeyType::Number,
        Some(ValueType::Binary) => KeyType::Binary,
        _ => {
            return Err(Error::Model {
                table: table.to_owned(),
                message: format!(
                    "key {name:?} must be a string, number or binary attribute of the schema"
                ),
            });
        }
    };
    Ok(KeyAttribute {
        name: name.to_owned(),
        key_type,
    })
}

/// The model's definition as the shared rules read it
/// ([`model_rules::check`], which the derive runs at compile time): each
/// schema field with its kind (its validator's type) and its roles.
fn definition<T: Model>(schema: &Schema) -> model_rules::Model<'_> {
    use model_rules::{Field, Kind};
    let fields = schema
        .fields()
        .map(|f| {
            let name = f.name();
            let kind = match f.validator().output_type() {
                Some(ValueType::String) => Kind::String,
                Some(ValueType::Number) => Kind::Number,
                Some(ValueType::Binary) => Kind::Binary,
                Some(ValueType::Bool) => Kind::Bool,
                Some(t) if t != ValueType::Null => Kind::Collection,
                _ => Kind::Any,
            };
            let presence = match f.presence() {
                Presence::Required => model_rules::Presence::Required,
                Presence::Optional => model_rules::Presence::Optional,
                Presence::Default(validate::DefaultValue::Fn(_)) => {
                    model_rules::Presence::Generated
                }
                Presence::Default(_) => model_rules::Presence::Constant,
            };
            let mut field = Field::new(name, kind, presence);
            field.hash_key = name == T::HASH_KEY;
            field.range_key = T::RANGE_KEY == Some(name);
            field.version = T::VERSION == Some(name);
            field.auto_increment = T::AUTO_INCREMENT && field.hash_key;
            field.ttl = T::TTL == Some(name);
            field.created_at = T::CREATED_AT == Some(name);
            field.updated_at = T::UPDATED_AT == Some(name);
            if field.created_at || field.updated_at {
                // A datetime's validator stores text or a number: whether
                // it takes a datetime is checked on a sample below.
                field.kind = Kind::Unknown;
            }
            field
        })
        .collect();
    let indexes = T::INDEXES
        .iter()
        .map(|i| model_rules::Index {
            name: Some(i.name),
            local: i.kind == crate::index::IndexKind::Local,
            hash: i.hash,
            range: i.range,
        })
        .collect();
    let keys = T::KEYS
        .iter()
        .map(|k| model_rules::KeyTemplate {
            attribute: k.attribute,
            text: k.template,
            role: if k.attribute == T::HASH_KEY {
                model_rules::KeyRole::Hash
            } else if Some(k.attribute) == T::RANGE_KEY {
                model_rules::KeyRole::Range
            } else {
                model_rules::KeyRole::Index
            },
        })
        .collect();
    model_rules::Model {
        table: Some(T::TABLE),
        fields,
        indexes,
        keys,
    }
}

impl ModelInfo {
    /// Derives and checks the model's facts: the rules of a model's
    /// definition ([`model_rules::check`], the same the derive runs at
    /// compile time), that the keys and version named are in the schema,
    /// and the migration plan.
    ///
    /// # Errors
    /// [`Error::Model`] naming every broken rule.
    pub fn of<T: Model>() -> Result<ModelInfo> {
        let schema = T::schema();
        let table = T::TABLE;
        let named = [
            ("hash key", Some(T::HASH_KEY)),
            ("range key", T::RANGE_KEY),
            ("version attribute", T::VERSION),
            ("ttl attribute", T::TTL),
            ("created_at attribute", T::CREATED_AT),
            ("updated_at attribute", T::UPDATED_AT),
        ];
        let templated = |name: &str| T::KEYS.iter().any(|k| k.attribute == name);
        let mut mistakes: Vec<String> = named
            .into_iter()
            .filter_map(|(role, name)| Some((role, name?)))
            .filter(|(_, name)| schema.get(name).is_none() && !templated(name))
            .map(|(role, name)| format!("{role} {name:?} is not in the schema"))
            .collect();
        if mistakes.is_empty() {
            mistakes.extend(
                model_rules::check(&definition::<T>(&schema))
                    .into_iter()
                    .map(|m| m.message),
            );
            for key in T::KEYS {
                let used = key.attribute == T::HASH_KEY
                    || Some(key.attribute) == T::RANGE_KEY
                    || T::INDEXES
                        .iter()
                        .any(|i| i.hash == Some(key.attribute) || i.range == Some(key.attribute));
                if !used {
                    mistakes.push(format!(
                        "the template of {:?} builds no key: name it as the hash key, the range key or an index's key",
                        key.attribute
                    ));
                }
            }
            if let Some(entity) = T::ENTITY {
                if entity.is_empty() {
                    mistakes.push("an entity type is a non-empty name".to_owned());
                }
                if schema.get(T::ENTITY_ATTRIBUTE).is_some() {
                    mistakes.push(format!(
                        "the entity attribute {:?} is a field's name: name another with entity_attribute",
                        T::ENTITY_ATTRIBUTE
                    ));
                }
            }
            // The mapper writes a datetime into each: its rule must take one.
            for (role, name) in [("created_at", T::CREATED_AT), ("updated_at", T::UPDATED_AT)] {
                if let Some(name) = name
                    && let Err(why) = crate::codec::stored_datetime(
                        &schema,
                        name,
                        time::OffsetDateTime::UNIX_EPOCH,
                    )
                {
                    mistakes.push(format!("{role} {name:?} must hold a datetime: {why}"));
                }
            }
        }
        if !mistakes.is_empty() {
            return Err(Error::Model {
                table: table.to_owned(),
                message: mistakes.join("; "),
            });
        }
        let hash = key_attribute(&schema, T::KEYS, table, T::HASH_KEY)?;
        let range = T::RANGE_KEY
            .map(|r| key_attribute(&schema, T::KEYS, table, r))
            .transpose()?;
        let sets = schema
            .fields()
            .filter_map(|f| {
                f.validator()
                    .output_type()
                    .filter(|t| t.is_set())
                    .map(|t| (f.name().to_owned(), t))
            })
            .collect();
        let holding_sets = schema
            .fields()
            .filter(|f| crate::codec::sets::holds_sets(f.validator()))
            .map(|f| f.name().to_owned())
            .collect();
        let indexes = crate::index::resolve(T::INDEXES, &schema, T::KEYS, table, &hash)?;
        let normalizes = |name: &str| {
            !templated(name)
                && schema
                    .get(name)
                    .is_none_or(|f| f.validator().plain().is_none())
        };
        let templates = T::KEYS
            .iter()
            .map(|k| {
                let table_key = k.attribute == T::HASH_KEY || Some(k.attribute) == T::RANGE_KEY;
                crate::key::template::Template::of(k, table_key).map_err(|why| Error::Model {
                    table: table.to_owned(),
                    message: format!("the key template of {:?}: {why}", k.attribute),
                })
            })
            .collect::<Result<_>>()?;
        let key_normalized =
            normalizes(&hash.name) || range.as_ref().is_some_and(|r| normalizes(&r.name));
        let info = ModelInfo {
            expires: T::TTL.filter(|_| T::HIDE_EXPIRED).map(str::to_owned),
            entity: T::ENTITY.map(|name| EntityTag {
                attribute: T::ENTITY_ATTRIBUTE.to_owned(),
                name: name.to_owned(),
            }),
            key_normalized,
            templates,
            table: table.to_owned(),
            fast: crate::codec::fast::Layout::of(&schema, T::HASH_KEY, T::RANGE_KEY),
            schema,
            hash,
            range,
            sets,
            holding_sets,
            indexes,
            migrations: T::migrations(),
        };
        check_plan(&info)?;
        Ok(info)
    }
}

impl ModelInfo {
    /// The table's name: [`Model::TABLE`], with the mapper's prefix when
    /// the facts come from [`Mapper::model_info`](crate::Mapper::model_info).
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The hash key.
    pub fn hash_key(&self) -> &KeyAttribute {
        &self.hash
    }

    /// The range key, for a table that has one.
    pub fn range_key(&self) -> Option<&KeyAttribute> {
        self.range.as_ref()
    }

    /// The secondary indexes, keys typed.
    pub fn indexes(&self) -> &[IndexInfo] {
        &self.indexes
    }

    /// The model's migrations ([`Model::migrations`]), checked.
    pub fn migrations(&self) -> Option<&'static migrate::Plan> {
        self.migrations
    }

    /// The table's key attributes: the hash key, then the range key.
    pub(crate) fn key_parts(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.hash).chain(&self.range)
    }

    /// The template of key attribute `name`, if it is built from fields.
    pub(crate) fn template(&self, name: &str) -> Option<&crate::key::template::Template> {
        self.templates.iter().find(|t| t.attribute == name)
    }

    /// Whether the mapper writes attributes the model has no field for:
    /// its entity type, keys built from templates.
    pub(crate) fn has_computed(&self) -> bool {
        self.entity.is_some() || !self.templates.is_empty()
    }

    /// Whether attribute `name` is one the mapper writes and the model
    /// has no field for (see [`has_computed`](Self::has_computed)).
    pub(crate) fn is_computed(&self, name: &str) -> bool {
        self.entity.as_ref().is_some_and(|e| e.attribute == name)
            || self.templates.iter().any(|t| t.attribute == name)
    }

    /// Whether attribute `name` is no attribute of the model's: neither
    /// a field of its schema nor one the mapper writes for it (written by
    /// other code, say), kept through saves unless the schema removes
    /// extras.
    pub(crate) fn is_unknown(&self, name: &str) -> bool {
        self.schema.get(name).is_none() && !self.is_computed(name)
    }

    /// The entity type, for a model sharing its table.
    pub(crate) fn entity(&self) -> Option<&EntityTag> {
        self.entity.as_ref()
    }

    /// The set type of attribute `name`, if the schema says it is a set.
    pub fn set_type(&self, name: &str) -> Option<ValueType> {
        self.sets
            .iter()
            .find(|(set, _)| set == name)
            .map(|(_, set_type)| *set_type)
    }

    /// The index named `name`.
    ///
    /// # Errors
    /// [`Error::Usage`] naming the indexes the model declares.
    pub fn index(&self, table: &str, name: &str) -> Result<&IndexInfo> {
        self.indexes
            .iter()
            .find(|i| i.index.name == name)
            .ok_or_else(|| Error::Usage {
                table: table.to_owned(),
                message: format!(
                    "no index {name:?} on this model (declared: {:?})",
                    self.indexes
                        .iter()
                        .map(|i| i.index.name)
                        .collect::<Vec<_>>()
                ),
            })
    }
}

pub(crate) use model_rules::table_name_error;

/// When a load that migrated an item writes it back ([`Model::WRITE_BACK`],
/// or per mapper with [`Mapper::with_write_back`](crate::Mapper::with_write_back)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteBack {
    /// When the application next saves the item: that save sends the
    /// migration's changes with its own (one request), conditioned on the
    /// raw item as loaded.
    #[default]
    Lazy,
    /// At once, by `get`, `find` and `batch_get`, with the same condition;
    /// a failed condition (someone wrote meanwhile) is not an error, the
    /// item stays migrated in memory.
    Immediately,
}

/// The declared migrations of a model: written by `#[mapper::migrations]`
/// on an `impl` block; the model points at them with `#[model(migrations)]`.
///
/// ```
/// use mapper::{Migrations, Model};
/// use validate::{Errors, Value};
///
/// #[derive(serde::Serialize, serde::Deserialize, Model)]
/// #[model(table = "users", migrations)]
/// struct User {
///     #[model(hash_key)]
///     id: i64,
///     email: String,
/// }
///
/// #[mapper::migrations(current = 2)]
/// impl User {
///     /// Items written before versions were stored hold `mail`.
///     #[detect(1)]
///     fn looks_v1(item: &Value) -> bool {
///         item.get("mail").is_some()
///     }
///
///     #[migration(from = 1)]
///     fn rename_mail(mut item: Value) -> Result<Value, Errors> {
///         if let Some(map) = item.as_map_mut()
///             && let Some(mail) = map.remove("mail")
///         {
///             map.insert("email".to_owned(), mail);
///         }
///         Ok(item)
///     }
/// }
///
/// let legacy: Value = serde_json::json!({ "id": 1, "mail": "a@b.c" }).try_into()?;
/// let migrated = User::plan().migrate(legacy)?;
/// assert_eq!(migrated.from, 1);
/// assert_eq!(migrated.value.get("email"), Some(&Value::from("a@b.c")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With a plan, every write stores the current version in the plan's
/// attribute (`__schema_version__` unless named), and every load finds
/// the stored item's version (that attribute, else the detectors from the
/// highest version down, else the first version when there are no
/// detectors) and runs the steps above it before validating. A migrated
/// item remembers the raw item as loaded: its save sends the migration
/// with the application's changes, conditioned on that raw item.
pub trait Migrations {
    /// The plan, checked when the model is first used.
    fn plan() -> &'static migrate::Plan;
}

/// Checks a model's plan once, with its facts: well formed, and its
/// version attribute not one of the model's attributes.
pub(crate) fn check_plan(info: &ModelInfo) -> Result<()> {
    let Some(plan) = info.migrations else {
        return Ok(());
    };
    let bad = |message: String| Error::Model {
        table: info.table.clone(),
        message,
    };
    plan.check().map_err(|e| bad(e.to_string()))?;
    if info.schema.get(plan.version_attribute()).is_some() {
        return Err(bad(format!(
            "the migrations' version attribute {:?} is also a model attribute",
            plan.version_attribute()
        )));
    }
    Ok(())
}

/// What a stream record shows of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamView {
    /// The key only.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both.
    NewAndOldImages,
}

/// The entity type of a model, and the attribute it is written in
/// (`crate::entity` writes and checks it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EntityTag {
    pub(crate) attribute: String,
    pub(crate) name: String,
}
