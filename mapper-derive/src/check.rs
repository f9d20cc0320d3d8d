//! What the options mean, checked before any code is written: one hash
//! key, keys of key types, options that fit the field's type. Every
//! mistake is reported, each at its span.

use syn::spanned::Spanned;

use crate::parse::{Errors, Field, Kind, Model, Nested};

/// Checks a `#[derive(Model)]`.
pub(crate) fn model(model: &Model) -> syn::Result<()> {
    let mut errors = Errors::default();
    if model.table.is_none() {
        errors.at(
            model.ident.span(),
            "a model needs its table: #[model(table = \"...\")]",
        );
    }
    extra(model.extra.as_ref(), &mut errors);
    let hashes: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| f.hash_key.is_some())
        .collect();
    let ranges: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| f.range_key.is_some())
        .collect();
    if hashes.is_empty() {
        errors.at(
            model.ident.span(),
            "a model needs a hash key: mark one field #[model(hash_key)]",
        );
    }
    for extra_key in hashes.iter().skip(1) {
        errors.at(
            key_span(extra_key.hash_key, extra_key),
            "a model has one hash key",
        );
    }
    for extra_key in ranges.iter().skip(1) {
        errors.at(
            key_span(extra_key.range_key, extra_key),
            "a model has at most one range key",
        );
    }
    let versions: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| f.version.is_some())
        .collect();
    for extra_version in versions.iter().skip(1) {
        errors.at(
            key_span(extra_version.version, extra_version),
            "a model has at most one version attribute",
        );
    }
    for field in &model.fields {
        let is_key = field.hash_key.is_some() || field.range_key.is_some();
        if field.hash_key.is_some() && field.range_key.is_some() {
            errors.at(
                key_span(field.range_key, field),
                "a field is the hash key or the range key, not both",
            );
        }
        if is_key {
            if !field.kind.is_key() && field.validate.is_none() {
                errors.at(
                    field.ty.span(),
                    "a key field must be a string, number or binary type (String, an integer, a float, serde_bytes::ByteBuf, time::OffsetDateTime)",
                );
            }
            if let Some(default) = &field.default {
                errors.at(
                    default.span(),
                    "a key cannot have a constant default: every item would share it (use default_fn, e.g. mapper::keygen::uuid)",
                );
            }
            if field.optional && field.default_fn.is_none() {
                errors.at(
                    field.ty.span(),
                    "an optional key needs default_fn to generate it (e.g. mapper::keygen::uuid)",
                );
            }
        }
        if let Some(span) = field.auto_increment {
            if field.hash_key.is_none() {
                errors.at(span, "auto_increment goes on the hash key");
            } else if field.kind != Kind::Int {
                errors.at(field.ty.span(), "an auto_increment key must be an integer");
            }
            if !ranges.is_empty() {
                errors.at(
                    span,
                    "an auto_increment hash key cannot be combined with a range key",
                );
            }
        }
        if field.version.is_some() && field.kind != Kind::Int {
            errors.at(field.ty.span(), "a version attribute must be an integer");
        }
        common(field, &mut errors);
    }
    for index in &model.indexes {
        let kind = if index.local { "local_index" } else { "index" };
        if index.name.is_none() {
            errors.at(index.span, format!("{kind} needs name = \"...\""));
        }
        if !index.local && index.hash.is_none() {
            errors.at(index.span, "index needs hash = \"<attribute>\"");
        }
        if index.local && index.hash.is_some() {
            errors.at(
                index.span,
                "a local_index shares the table's hash key: give range only",
            );
        }
        if index.local && index.range.is_none() {
            errors.at(index.span, "local_index needs range = \"<attribute>\"");
        }
        for key in index.hash.iter().chain(&index.range) {
            match model.fields.iter().find(|f| f.name == key.value()) {
                None => errors.at(
                    key.span(),
                    format!("no attribute {:?} in this model", key.value()),
                ),
                // The key rule, for the index's keys too, where the type
                // says for sure (an enum of its own may be stored as text).
                Some(field) if never_key(field) => errors.at(
                    key.span(),
                    format!(
                        "an index key must be a string, number or binary attribute; {:?} is a list, set, map or bool",
                        key.value()
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    errors.finish()
}

/// Whether a field's type is one DynamoDB never takes as a key: a bool, or
/// a collection (a list, set or map), unless the field has a rule of its own.
fn never_key(field: &Field) -> bool {
    if field.validate.is_some() {
        return false;
    }
    let syn::Type::Path(path) = &field.ty else {
        return false;
    };
    path.path.segments.last().is_some_and(|last| {
        matches!(
            last.ident.to_string().as_str(),
            "bool" | "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "HashMap" | "BTreeMap"
        )
    })
}

/// Checks a `#[derive(Schema)]`.
pub(crate) fn nested(nested: &Nested) -> syn::Result<()> {
    let mut errors = Errors::default();
    if let Nested::Map {
        extra: policy,
        fields,
        ..
    } = nested
    {
        extra(policy.as_ref(), &mut errors);
        for field in fields {
            for span in [
                field.hash_key,
                field.range_key,
                field.version,
                field.auto_increment,
            ]
            .into_iter()
            .flatten()
            {
                errors.at(
                    span,
                    "keys, versions and auto_increment belong to #[derive(Model)]",
                );
            }
            common(field, &mut errors);
        }
    }
    errors.finish()
}

fn key_span(flag: Option<proc_macro2::Span>, field: &Field) -> proc_macro2::Span {
    flag.unwrap_or_else(|| field.ident.span())
}

fn extra(policy: Option<&syn::LitStr>, errors: &mut Errors) {
    if let Some(policy) = policy
        && !matches!(policy.value().as_str(), "allow" | "forbid" | "remove")
    {
        errors.at(
            policy.span(),
            "extra is \"allow\", \"forbid\" or \"remove\"",
        );
    }
}

/// Checks every field takes: defaults, and shorthands that fit the type.
fn common(field: &Field, errors: &mut Errors) {
    if let (Some(_), Some(default_fn)) = (&field.default, &field.default_fn) {
        errors.at(
            default_fn.span(),
            "default and default_fn exclude each other",
        );
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
        Kind::Other => return,
    };
    if let Some(range) = &field.range
        && !matches!(kind, Kind::Int | Kind::Float)
    {
        errors.at(
            range.span(),
            format!("range is for numbers; this field is {name} (use length, or validate = …)"),
        );
    }
    if let Some(length) = &field.length
        && !matches!(kind, Kind::Str | Kind::Bytes)
    {
        errors.at(
            length.span(),
            format!("length is for strings, binary and collections; this field is {name}"),
        );
    }
    if let Some(pattern) = &field.matches
        && kind != Kind::Str
    {
        errors.at(
            pattern.span(),
            format!("matches is for strings; this field is {name}"),
        );
    }
}
