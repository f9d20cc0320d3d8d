//! The rules of a model's definition, in one function without AWS:
//! [`check`]. `#[derive(Model)]` runs it at compile time, each mistake
//! pointed at its span; `mapper`'s `ModelInfo::of` runs it at run time
//! (for a hand-written `impl Model`), each mistake an `Error::Model`. Both
//! say the same thing in the same words, as `migrate-macros` runs the
//! migration engine's own `Plan::check`.
//!
//! ```
//! use model_rules::{At, Field, Kind, Model, Part, Presence, check};
//!
//! let mut id = Field::new("id", Kind::Float, Presence::Required);
//! id.auto_increment = true;
//! id.hash_key = true;
//! let model = Model { table: Some("users"), fields: vec![id], indexes: vec![], keys: vec![] };
//! let mistakes = check(&model);
//! assert_eq!(mistakes[0].at, At::Field(0, Part::Type));
//! assert_eq!(mistakes[0].message, "an auto-increment hash key must be an integer");
//! ```

pub mod template;

/// What a field's values are, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// A float.
    Float,
    /// A number not known to be whole or not (a validator's type).
    Number,
    /// Bytes.
    Binary,
    /// A date and time (stored as text or as a number).
    DateTime,
    /// A bool.
    Bool,
    /// A list, set or map.
    Collection,
    /// A value of no one type (a validator that takes anything).
    Any,
    /// Not known (a type the derive cannot see into: an alias, a newtype,
    /// an enum of its own); the run-time check decides.
    Unknown,
}

impl Kind {
    /// Whether a key can hold it: `Some(true)` for a string, number or
    /// binary, `Some(false)` for what never can, `None` when unknown.
    fn keyable(self) -> Option<bool> {
        match self {
            Kind::String
            | Kind::Integer
            | Kind::Float
            | Kind::Number
            | Kind::Binary
            | Kind::DateTime => Some(true),
            Kind::Bool | Kind::Collection | Kind::Any => Some(false),
            Kind::Unknown => None,
        }
    }

    /// Whether it is a whole number (`None` when unknown).
    fn integer(self) -> Option<bool> {
        match self {
            Kind::Integer | Kind::Number => Some(true),
            Kind::Unknown => None,
            _ => Some(false),
        }
    }
}

/// Whether a field must be given, and what fills it when it is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// It must be given.
    Required,
    /// It may be absent.
    Optional,
    /// A constant default fills it.
    Constant,
    /// A function generates it (`default_fn`).
    Generated,
}

/// One field of a model, with the roles it is marked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    /// The attribute name.
    pub name: &'a str,
    /// What its values are.
    pub kind: Kind,
    /// Whether it must be given.
    pub presence: Presence,
    /// Marked as the hash key.
    pub hash_key: bool,
    /// Marked as the range key.
    pub range_key: bool,
    /// Marked as the version attribute (optimistic locking).
    pub version: bool,
    /// Marked as an auto-increment key.
    pub auto_increment: bool,
    /// Marked as the TTL attribute (whole seconds since 1970).
    pub ttl: bool,
    /// Marked as the creation datetime the mapper sets.
    pub created_at: bool,
    /// Marked as the last-change datetime the mapper sets.
    pub updated_at: bool,
}

impl<'a> Field<'a> {
    /// A field with no role.
    pub fn new(name: &'a str, kind: Kind, presence: Presence) -> Field<'a> {
        Field {
            name,
            kind,
            presence,
            hash_key: false,
            range_key: false,
            version: false,
            auto_increment: false,
            ttl: false,
            created_at: false,
            updated_at: false,
        }
    }
}

/// A secondary index as declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index<'a> {
    /// Its name.
    pub name: Option<&'a str>,
    /// A local index (the table's hash key, its own range key).
    pub local: bool,
    /// Its hash key attribute (a global index's).
    pub hash: Option<&'a str>,
    /// Its range key attribute.
    pub range: Option<&'a str>,
}

/// Which key a template builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    /// The table's hash key.
    Hash,
    /// The table's range key.
    Range,
    /// A key of a secondary index (its hash or range key names the
    /// template's attribute).
    Index,
}

/// A key attribute whose value is built from fields (`pk =
/// "CUSTOMER#{username}"`): its name, its [`template`] text, its role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTemplate<'a> {
    /// The attribute the key is written in (`pk`, `gsi1pk`).
    pub attribute: &'a str,
    /// The template.
    pub text: &'a str,
    /// Which key it builds.
    pub role: KeyRole,
}

/// A model's definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model<'a> {
    /// Its table's name.
    pub table: Option<&'a str>,
    /// Its fields, in order.
    pub fields: Vec<Field<'a>>,
    /// Its secondary indexes, in order.
    pub indexes: Vec<Index<'a>>,
    /// Its key templates, in order.
    pub keys: Vec<KeyTemplate<'a>>,
}

/// What of a field a mistake is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Its type.
    Type,
    /// Its hash key mark.
    HashKey,
    /// Its range key mark.
    RangeKey,
    /// Its version mark.
    Version,
    /// Its auto-increment mark.
    AutoIncrement,
    /// Its TTL mark.
    Ttl,
    /// Its `created_at` or `updated_at` mark.
    Timestamp,
    /// Its default.
    Default,
}

/// What of an index a mistake is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexPart {
    /// The declaration as a whole.
    Whole,
    /// Its hash key.
    Hash,
    /// Its range key.
    Range,
}

/// Where a mistake is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// The model as a whole.
    Model,
    /// Its table name.
    Table,
    /// A field (by position) and what of it.
    Field(usize, Part),
    /// An index (by position) and what of it.
    Index(usize, IndexPart),
    /// A key template (by position).
    Key(usize),
}

/// A broken rule: where, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    /// Where it is.
    pub at: At,
    /// What is wrong, and what to write instead.
    pub message: String,
}

/// Every broken rule of `model`, in the order of the definition; none for
/// a good one. A field of [`Kind::Unknown`] passes the type rules (the
/// run-time check, which knows its validator, decides).
pub fn check(model: &Model<'_>) -> Vec<Mistake> {
    let mut out = Vec::new();
    let mut push = |at: At, message: String| out.push(Mistake { at, message });
    match model.table {
        None => push(
            At::Model,
            "a model needs its table: #[model(table = \"...\")]".to_owned(),
        ),
        Some(table) => {
            if let Some(why) = table_name_error(table, 1) {
                push(At::Table, format!("the table name {table:?} {why}"));
            }
        }
    }
    let marked = |pick: fn(&Field<'_>) -> bool| {
        model
            .fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| pick(f))
            .map(|(i, _)| i)
    };
    let hashes: Vec<usize> = marked(|f| f.hash_key).collect();
    let ranges: Vec<usize> = marked(|f| f.range_key).collect();
    let templated = |role: KeyRole| model.keys.iter().position(|k| k.role == role);
    if hashes.is_empty() && templated(KeyRole::Hash).is_none() {
        push(
            At::Model,
            "a model needs a hash key: mark one field #[model(hash_key)], or build it from fields with pk = \"…\"".to_owned(),
        );
    }
    for (marks, role, what) in [
        (&hashes, KeyRole::Hash, "hash"),
        (&ranges, KeyRole::Range, "range"),
    ] {
        if let (Some(&field), Some(_)) = (marks.first(), templated(role)) {
            let part = if role == KeyRole::Hash {
                Part::HashKey
            } else {
                Part::RangeKey
            };
            push(
                At::Field(field, part),
                format!("the {what} key is a field or a template, not both"),
            );
        }
    }
    for &i in hashes.iter().skip(1) {
        push(
            At::Field(i, Part::HashKey),
            "a model has one hash key".to_owned(),
        );
    }
    for &i in ranges.iter().skip(1) {
        push(
            At::Field(i, Part::RangeKey),
            "a model has at most one range key".to_owned(),
        );
    }
    for i in marked(|f| f.version).skip(1) {
        push(
            At::Field(i, Part::Version),
            "a model has at most one version attribute".to_owned(),
        );
    }
    for i in marked(|f| f.ttl).skip(1) {
        push(
            At::Field(i, Part::Ttl),
            "a model has at most one ttl attribute".to_owned(),
        );
    }
    for (marks, what) in [
        (
            marked(|f| f.created_at).skip(1).collect::<Vec<_>>(),
            "created_at",
        ),
        (marked(|f| f.updated_at).skip(1).collect(), "updated_at"),
    ] {
        for i in marks {
            push(
                At::Field(i, Part::Timestamp),
                format!("a model has at most one {what} attribute"),
            );
        }
    }
    for (i, field) in model.fields.iter().enumerate() {
        let name = field.name;
        if field.created_at || field.updated_at {
            let what = if field.created_at {
                "created_at"
            } else {
                "updated_at"
            };
            if field.created_at && field.updated_at {
                push(
                    At::Field(i, Part::Timestamp),
                    format!("{name:?} is created_at or updated_at, not both"),
                );
            }
            if field.hash_key || field.range_key || field.version || field.ttl {
                push(
                    At::Field(i, Part::Timestamp),
                    format!(
                        "{what} {name:?} is set by the mapper: it cannot also be a key, the version or the ttl"
                    ),
                );
            }
            if !matches!(field.kind, Kind::DateTime | Kind::Unknown) {
                push(
                    At::Field(i, Part::Type),
                    format!(
                        "{what} {name:?} must be a datetime (time::OffsetDateTime, or an Option of it), not {}",
                        kind_name(field.kind)
                    ),
                );
            }
        }
        if field.hash_key && field.range_key {
            push(
                At::Field(i, Part::RangeKey),
                format!("{name:?} is the hash key or the range key, not both"),
            );
        }
        if let Some(role) = role(field) {
            if field.kind.keyable() == Some(false) {
                push(
                    At::Field(i, Part::Type),
                    format!(
                        "{role} key {name:?} must be a string, number or binary, not {}",
                        kind_name(field.kind)
                    ),
                );
            }
            match field.presence {
                Presence::Required | Presence::Generated => {}
                Presence::Constant => push(
                    At::Field(i, Part::Default),
                    format!(
                        "{role} key {name:?} has a constant default: every item would share it (use default_fn, e.g. mapper::keygen::uuid)"
                    ),
                ),
                Presence::Optional => push(
                    At::Field(i, Part::Type),
                    format!(
                        "{role} key {name:?} must be required, or generated by default_fn (e.g. mapper::keygen::uuid)"
                    ),
                ),
            }
        }
        if field.auto_increment {
            if !field.hash_key {
                push(
                    At::Field(i, Part::AutoIncrement),
                    "auto_increment goes on the hash key".to_owned(),
                );
            } else if field.kind.integer() == Some(false) {
                push(
                    At::Field(i, Part::Type),
                    "an auto-increment hash key must be an integer".to_owned(),
                );
            }
            if !ranges.is_empty() {
                push(
                    At::Field(i, Part::AutoIncrement),
                    "an auto-increment hash key cannot be combined with a range key".to_owned(),
                );
            }
        }
        if field.ttl {
            if field.hash_key || field.range_key {
                push(
                    At::Field(i, Part::Ttl),
                    format!("{name:?} is a key: a key cannot expire"),
                );
            }
            let stored_as_number = matches!(
                field.kind,
                Kind::Integer | Kind::Number | Kind::DateTime | Kind::Unknown
            );
            if !stored_as_number {
                push(
                    At::Field(i, Part::Type),
                    format!(
                        "ttl attribute {name:?} must be a datetime or an integer of seconds, stored as a number (whole seconds since 1970), not {}",
                        kind_name(field.kind)
                    ),
                );
            }
        }
        if field.version && field.kind.integer() == Some(false) {
            push(
                At::Field(i, Part::Type),
                format!("version attribute {name:?} must be an integer"),
            );
        }
    }
    for (i, index) in model.indexes.iter().enumerate() {
        let kind = if index.local { "local_index" } else { "index" };
        let whole = At::Index(i, IndexPart::Whole);
        if index.name.is_none() {
            push(whole, format!("{kind} needs name = \"...\""));
        }
        if !index.local && index.hash.is_none() {
            push(whole, "index needs hash = \"<attribute>\"".to_owned());
        }
        if index.local && index.hash.is_some() {
            push(
                whole,
                "a local_index shares the table's hash key: give range only".to_owned(),
            );
        }
        if index.local && index.range.is_none() {
            push(
                whole,
                "local_index needs range = \"<attribute>\"".to_owned(),
            );
        }
        if index.local && ranges.is_empty() && templated(KeyRole::Range).is_none() {
            push(
                whole,
                "a local_index needs a table with a range key".to_owned(),
            );
        }
        if let Some(name) = index.name
            && model.indexes[..i]
                .iter()
                .any(|other| other.name == Some(name))
        {
            push(whole, format!("index {name:?} is declared twice"));
        }
        let keys = [
            (index.hash, IndexPart::Hash),
            (index.range, IndexPart::Range),
        ];
        for (key, part) in keys {
            let Some(key) = key else { continue };
            if model.keys.iter().any(|k| k.attribute == key) {
                continue; // A template's attribute: a string.
            }
            match model.fields.iter().find(|f| f.name == key) {
                None => push(
                    At::Index(i, part),
                    format!("no attribute {key:?} in this model"),
                ),
                Some(field) if field.kind.keyable() == Some(false) => push(
                    At::Index(i, part),
                    format!(
                        "an index key must be a string, number or binary attribute; {key:?} is {}",
                        kind_name(field.kind)
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    for (i, key) in model.keys.iter().enumerate() {
        for message in template::mistakes(model, i, key) {
            push(At::Key(i), message);
        }
    }
    out
}

/// The key a field is, if it is one.
fn role(field: &Field<'_>) -> Option<&'static str> {
    if field.hash_key {
        Some("hash")
    } else if field.range_key {
        Some("range")
    } else {
        None
    }
}

/// A kind, for messages.
pub(crate) fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Integer => "an integer",
        Kind::Float => "a float",
        Kind::Number => "a number",
        Kind::Binary => "binary",
        Kind::DateTime => "a datetime",
        Kind::Bool => "a bool",
        Kind::Collection => "a list, set or map",
        Kind::Any => "a value of any type",
        Kind::Unknown => "of an unknown type",
    }
}

/// Why `name` is no DynamoDB table name (3 to 255 of `a-z A-Z 0-9 _ - .`),
/// with `min` characters at least: 1 for a model's own name (a mapper's
/// prefix may make it longer), 3 for the name sent.
pub fn table_name_error(name: &str, min: usize) -> Option<String> {
    if name.len() < min || name.len() > 255 {
        return Some(format!(
            "must be {min} to 255 characters long (it has {})",
            name.chars().count()
        ));
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map(|c| format!("holds {c:?}; DynamoDB allows only a-z, A-Z, 0-9, '_', '-' and '.'"))
}

#[cfg(test)]
mod tests;
