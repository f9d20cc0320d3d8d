//! What the options mean, checked before any code is written. The rules
//! of a model's definition (one hash key, keys of key types, versions,
//! auto-increment, indexes, the table's name) are `model_rules::check`,
//! the function `mapper` runs at run time, here pointed at their spans;
//! the rules of the attribute syntax (options that fit the field's type,
//! `#[derive(Schema)]` without keys) are this file's. Every mistake is
//! reported, each at its span, and a checked model is what `expand`
//! writes from.

use model_rules::{At, IndexPart, Part};
use proc_macro2::Span;

use crate::parse::{Errors, Field, KeyOf, Kind, Model, Nested, Template};

/// A model whose definition passed every rule: what `expand` needs,
/// found once.
pub(crate) struct Checked<'a> {
    pub(crate) model: &'a Model,
    pub(crate) table: &'a syn::LitStr,
    /// The hash key: a field, or a template's attribute.
    pub(crate) hash: KeyPart<'a>,
    pub(crate) range: Option<KeyPart<'a>>,
    /// Every key template, the table's then each index's.
    pub(crate) templates: Vec<Template>,
    /// Each index's hash and range key attributes (given, or a
    /// template's).
    pub(crate) index_keys: Vec<(Option<String>, Option<String>)>,
    pub(crate) version: Option<&'a Field>,
    pub(crate) ttl: Option<&'a Field>,
    pub(crate) created_at: Option<&'a Field>,
    pub(crate) updated_at: Option<&'a Field>,
    pub(crate) auto_increment: bool,
}

/// A key of the table: a field, or an attribute built from a template.
#[derive(Clone)]
pub(crate) enum KeyPart<'a> {
    Field(&'a Field),
    Template(String),
}

impl KeyPart<'_> {
    /// The key attribute's name.
    pub(crate) fn name(&self) -> &str {
        match self {
            KeyPart::Field(field) => &field.name,
            KeyPart::Template(attribute) => attribute,
        }
    }
}

/// Checks a `#[derive(Model)]`.
pub(crate) fn model(model: &Model) -> syn::Result<Checked<'_>> {
    let mut errors = Errors::default();
    let table = model.table.as_ref().map(syn::LitStr::value);
    let value = |lit: &Option<syn::LitStr>| lit.as_ref().map(syn::LitStr::value);
    let templates = model.templates();
    let template_of = |of: KeyOf, hash: bool| {
        templates
            .iter()
            .find(|t| t.of == of && t.hash == hash)
            .map(|t| t.attribute.clone())
    };
    let index_names: Vec<[Option<String>; 3]> = model
        .indexes
        .iter()
        .enumerate()
        .map(|(i, index)| {
            let of = KeyOf::Index(i);
            for (given, template, what) in [
                (&index.hash, &index.pk, "hash"),
                (&index.range, &index.sk, "range"),
            ] {
                if let (Some(given), Some(_)) = (given, template) {
                    errors.push(syn::Error::new_spanned(
                        given,
                        format!("an index's {what} key is an attribute or a template, not both"),
                    ));
                }
            }
            [
                value(&index.name),
                value(&index.hash).or_else(|| template_of(of, true)),
                value(&index.range).or_else(|| template_of(of, false)),
            ]
        })
        .collect();
    for (template, attribute, what) in [
        (&model.pk, &model.pk_attribute, "pk"),
        (&model.sk, &model.sk_attribute, "sk"),
    ] {
        if let (None, Some(attribute)) = (template, attribute) {
            errors.push(syn::Error::new_spanned(
                attribute,
                format!(
                    "{what}_attribute names the attribute of {what} = \"…\": give the template"
                ),
            ));
        }
    }
    let texts: Vec<String> = templates.iter().map(|t| t.text.value()).collect();
    let definition = model_rules::Model {
        table: table.as_deref(),
        fields: model.fields.iter().map(rules_field).collect(),
        indexes: model
            .indexes
            .iter()
            .zip(&index_names)
            .map(|(index, [name, hash, range])| model_rules::Index {
                name: name.as_deref(),
                local: index.local,
                hash: hash.as_deref(),
                range: range.as_deref(),
            })
            .collect(),
        keys: templates
            .iter()
            .zip(&texts)
            .map(|(t, text)| model_rules::KeyTemplate {
                attribute: &t.attribute,
                text,
                role: match (t.of, t.hash) {
                    (KeyOf::Table, true) => model_rules::KeyRole::Hash,
                    (KeyOf::Table, false) => model_rules::KeyRole::Range,
                    (KeyOf::Index(_), _) => model_rules::KeyRole::Index,
                },
            })
            .collect(),
    };
    for mistake in model_rules::check(&definition) {
        errors.push(spanned(model, &templates, mistake.at, &mistake.message));
    }
    extra(model.extra.as_ref(), &mut errors);
    entity(model, &mut errors);
    for field in &model.fields {
        common(field, &mut errors);
        // DynamoDB's TTL reads a number of whole seconds: a datetime field
        // is stored so by its serde helper (which the validator follows).
        if let Some(span) = field.ttl
            && field.kind == Kind::DateTime
            && field.validate.is_none()
            && field.stored_as != Some("EpochWholeSeconds")
        {
            errors.at(
                span,
                "a ttl datetime is stored as whole seconds: add #[serde(with = \"validate::datetime::epoch_whole_seconds\")] (or its ::option for an Option)",
            );
        }
    }
    errors.finish()?;
    let find = |pick: fn(&Field) -> bool| model.fields.iter().find(|f| pick(f));
    let templated = |hash: bool| template_of(KeyOf::Table, hash).map(KeyPart::Template);
    let hash = find(|f| f.hash_key.is_some())
        .map(KeyPart::Field)
        .or_else(|| templated(true));
    let range = find(|f| f.range_key.is_some())
        .map(KeyPart::Field)
        .or_else(|| templated(false));
    let auto_increment = matches!(&hash, Some(KeyPart::Field(f)) if f.auto_increment.is_some());
    let index_keys = index_names
        .into_iter()
        .map(|[_, hash, range]| (hash, range))
        .collect();
    match (&model.table, hash) {
        (Some(table), Some(hash)) => Ok(Checked {
            index_keys,
            model,
            table,
            hash,
            range,
            templates,
            version: find(|f| f.version.is_some()),
            ttl: find(|f| f.ttl.is_some()),
            created_at: find(|f| f.created_at.is_some()),
            updated_at: find(|f| f.updated_at.is_some()),
            auto_increment,
        }),
        // The rules report both; an error is returned all the same.
        _ => Err(syn::Error::new(
            model.ident.span(),
            "a model needs its table and a hash key",
        )),
    }
}

/// An entity type is a name, and its attribute is no field's.
fn entity(model: &Model, errors: &mut Errors) {
    if let Some(entity) = &model.entity
        && entity.value().is_empty()
    {
        errors.at(entity.span(), "an entity type is a non-empty name");
    }
    match (&model.entity, &model.entity_attribute) {
        (None, Some(attribute)) => {
            errors.at(attribute.span(), "entity_attribute needs entity = \"…\"");
        }
        (Some(entity), attribute) => {
            let name = attribute
                .as_ref()
                .map_or_else(|| "_et".to_owned(), syn::LitStr::value);
            if model.fields.iter().any(|f| f.name == name) {
                let span = attribute.as_ref().map_or(entity.span(), syn::LitStr::span);
                errors.at(
                    span,
                    format!("the entity attribute {name:?} is a field's name: name another with entity_attribute"),
                );
            }
        }
        (None, None) => {}
    }
}

/// A field as the rules read it: its kind from its type (unknown when a
/// `validate = …` rule replaces the type's), its presence, its roles.
fn rules_field(field: &Field) -> model_rules::Field<'_> {
    use model_rules::{Kind as K, Presence};
    let kind = match (&field.validate, field.kind) {
        (Some(_), _) | (None, Kind::Other) => K::Unknown,
        (None, Kind::Int) => K::Integer,
        (None, Kind::Float) => K::Float,
        (None, Kind::Str) => K::String,
        (None, Kind::Bool) => K::Bool,
        (None, Kind::Bytes) => K::Binary,
        (None, Kind::DateTime) => K::DateTime,
        (None, Kind::Collection) => K::Collection,
    };
    let presence = if field.default.is_some() {
        Presence::Constant
    } else if field.default_fn.is_some() {
        Presence::Generated
    } else if field.optional {
        Presence::Optional
    } else {
        Presence::Required
    };
    let mut out = model_rules::Field::new(&field.name, kind, presence);
    out.hash_key = field.hash_key.is_some();
    out.range_key = field.range_key.is_some();
    out.version = field.version.is_some();
    out.auto_increment = field.auto_increment.is_some();
    out.ttl = field.ttl.is_some();
    out.created_at = field.created_at.is_some();
    out.updated_at = field.updated_at.is_some();
    out
}

/// A mistake of the rules, at the span of what it is about: the whole
/// type or expression where there is one.
fn spanned(model: &Model, templates: &[Template], at: At, message: &str) -> syn::Error {
    let whole = || syn::Error::new(model.ident.span(), message);
    match at {
        At::Key(i) => match templates.get(i) {
            Some(template) => syn::Error::new_spanned(&template.text, message),
            None => whole(),
        },
        At::Model => whole(),
        At::Table => match &model.table {
            Some(table) => syn::Error::new_spanned(table, message),
            None => whole(),
        },
        At::Field(i, part) => {
            let Some(field) = model.fields.get(i) else {
                return whole();
            };
            let flag =
                |flag: Option<Span>| syn::Error::new(flag.unwrap_or(field.ident.span()), message);
            match part {
                Part::Type => syn::Error::new_spanned(&field.ty, message),
                Part::HashKey => flag(field.hash_key),
                Part::RangeKey => flag(field.range_key),
                Part::Version => flag(field.version),
                Part::AutoIncrement => flag(field.auto_increment),
                Part::Ttl => flag(field.ttl),
                Part::Timestamp => flag(field.created_at.or(field.updated_at)),
                Part::Default => match &field.default {
                    Some(default) => syn::Error::new_spanned(default, message),
                    None => flag(None),
                },
            }
        }
        At::Index(i, part) => {
            let Some(index) = model.indexes.get(i) else {
                return whole();
            };
            let key = match part {
                IndexPart::Whole => None,
                IndexPart::Hash => index.hash.as_ref(),
                IndexPart::Range => index.range.as_ref(),
            };
            match key {
                Some(key) => syn::Error::new_spanned(key, message),
                None => syn::Error::new(index.span, message),
            }
        }
    }
}

/// Checks a `#[derive(Schema)]`.
pub(crate) fn nested(nested: &Nested) -> syn::Result<()> {
    let mut errors = Errors::default();
    let fields: Vec<&Field> = match nested {
        Nested::Map {
            extra: policy,
            fields,
            ..
        } => {
            extra(policy.as_ref(), &mut errors);
            fields.iter().collect()
        }
        Nested::Tagged { variants, .. } => variants.iter().flat_map(|(_, f)| f).collect(),
        Nested::Names { .. } => Vec::new(),
    };
    for field in fields {
        for span in [
            field.hash_key,
            field.range_key,
            field.version,
            field.auto_increment,
            field.ttl,
            field.created_at,
            field.updated_at,
        ]
        .into_iter()
        .flatten()
        {
            errors.at(
                span,
                "keys, versions, auto_increment, ttl, created_at and updated_at belong to #[derive(Model)]",
            );
        }
        common(field, &mut errors);
    }
    errors.finish()
}

fn extra(policy: Option<&syn::LitStr>, errors: &mut Errors) {
    if let Some(policy) = policy
        && !matches!(policy.value().as_str(), "allow" | "forbid" | "remove")
    {
        errors.push(syn::Error::new_spanned(
            policy,
            "extra is \"allow\", \"forbid\" or \"remove\"",
        ));
    }
}

/// Checks every field takes: defaults, and shorthands that fit the type.
fn common(field: &Field, errors: &mut Errors) {
    if let (Some(_), Some(default_fn)) = (&field.default, &field.default_fn) {
        errors.push(syn::Error::new_spanned(
            default_fn,
            "default and default_fn exclude each other",
        ));
    }
    // `validate = …` replaces the base validator: the type says nothing then.
    if field.validate.is_some() {
        return;
    }
    let kind = field.kind;
    let name = match kind {
        Kind::Int => "an integer",
        Kind::Float => "a float",
        Kind::Str => "a string",
        Kind::Bool => "a bool",
        Kind::Bytes => "binary",
        Kind::DateTime => "a datetime",
        Kind::Collection | Kind::Other => return,
    };
    if let Some(range) = &field.range
        && !matches!(kind, Kind::Int | Kind::Float)
    {
        errors.push(syn::Error::new_spanned(
            range,
            format!("range is for numbers; this field is {name} (use length, or validate = …)"),
        ));
    }
    if let Some(length) = &field.length
        && !matches!(kind, Kind::Str | Kind::Bytes)
    {
        errors.push(syn::Error::new_spanned(
            length,
            format!("length is for strings, binary and collections; this field is {name}"),
        ));
    }
    if let Some(pattern) = &field.matches
        && kind != Kind::Str
    {
        errors.push(syn::Error::new_spanned(
            pattern,
            format!("matches is for strings; this field is {name}"),
        ));
    }
}
