//! Reading the input: the struct's fields with their serde names and
//! `#[model(…)]` options, the struct's options. Syntax errors are gathered
//! and reported together; what the options mean is `check`'s.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Expr, ExprLit, Fields, GenericArgument, Ident, Lit, LitStr, Meta,
    PathArguments, Token, Type,
};

use crate::case;

/// Errors gathered while reading, reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// What a field's Rust type is, as far as DynamoDB keys and the
/// shorthand options care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Float,
    Str,
    Bool,
    Bytes,
    DateTime,
    /// A list, set or map (`Vec`, `HashSet`, `BTreeMap`, …).
    Collection,
    /// A type the derive cannot see into (an alias, a newtype, an enum of
    /// its own): its validator decides, at run time.
    Other,
}

impl Kind {
    fn of(ty: &Type) -> Kind {
        let ty = match ty {
            Type::Reference(r) => &*r.elem,
            other => other,
        };
        let Type::Path(path) = ty else {
            return Kind::Other;
        };
        let Some(last) = path.path.segments.last() else {
            return Kind::Other;
        };
        match last.ident.to_string().as_str() {
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64"
            | "u128" | "usize" => Kind::Int,
            "f32" | "f64" => Kind::Float,
            "String" | "str" => Kind::Str,
            "bool" => Kind::Bool,
            "ByteBuf" | "Bytes" => Kind::Bytes,
            "OffsetDateTime" => Kind::DateTime,
            "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "HashMap" | "BTreeMap" => {
                Kind::Collection
            }
            _ => Kind::Other,
        }
    }
}

/// One option as written, for its span.
pub(crate) type Flag = Option<Span>;

/// A field of the model.
pub(crate) struct Field {
    /// The `DateFormat` variant a serde `with` module implies.
    pub(crate) stored_as: Option<&'static str>,
    pub(crate) ident: Ident,
    /// The field's visibility, given to its typed path.
    pub(crate) vis: syn::Visibility,
    pub(crate) ty: Type,
    /// The attribute name: serde's.
    pub(crate) name: String,
    /// `Option<T>`: optional, and `T` is what `kind` describes.
    pub(crate) optional: bool,
    pub(crate) kind: Kind,
    pub(crate) hash_key: Flag,
    pub(crate) range_key: Flag,
    pub(crate) version: Flag,
    pub(crate) auto_increment: Flag,
    pub(crate) ttl: Flag,
    pub(crate) created_at: Flag,
    pub(crate) updated_at: Flag,
    pub(crate) coerce: Flag,
    pub(crate) default: Option<Expr>,
    pub(crate) default_fn: Option<Expr>,
    pub(crate) range: Option<Expr>,
    pub(crate) length: Option<Expr>,
    pub(crate) matches: Option<LitStr>,
    pub(crate) one_of: Option<Expr>,
    pub(crate) validate: Option<Expr>,
}

/// A secondary index option: `index(name = …, hash = …, range = …)` or
/// `local_index(name = …, range = …)`.
pub(crate) struct IndexOption {
    pub(crate) span: Span,
    pub(crate) local: bool,
    pub(crate) name: Option<LitStr>,
    pub(crate) hash: Option<LitStr>,
    pub(crate) range: Option<LitStr>,
    pub(crate) keys_only: bool,
    /// Key templates: `pk = "ORDER#{order_id}"`, `sk = "ITEM#{item_id}"`,
    /// written in `pk_attribute` (`<name>pk` unless given) and
    /// `sk_attribute` (`<name>sk`).
    pub(crate) pk: Option<LitStr>,
    pub(crate) sk: Option<LitStr>,
    pub(crate) pk_attribute: Option<LitStr>,
    pub(crate) sk_attribute: Option<LitStr>,
}

/// Which key a template builds, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyOf {
    /// The table's hash or range key.
    Table,
    /// An index's (by position).
    Index(usize),
}

/// A key template as declared: its attribute, its text, whose it is and
/// whether it is a hash (`pk`) or range (`sk`) key.
pub(crate) struct Template {
    pub(crate) attribute: String,
    pub(crate) text: LitStr,
    pub(crate) of: KeyOf,
    pub(crate) hash: bool,
}

/// A struct with `#[derive(Model)]`.
pub(crate) struct Model {
    pub(crate) ident: Ident,
    /// The struct's visibility, given to its index handles.
    pub(crate) vis: syn::Visibility,
    pub(crate) generics: syn::Generics,
    pub(crate) table: Option<LitStr>,
    pub(crate) lenient: bool,
    pub(crate) extra: Option<LitStr>,
    pub(crate) indexes: Vec<IndexOption>,
    pub(crate) fields: Vec<Field>,
    /// `migrations`: the model's `#[mapper::migrations]` plan.
    pub(crate) migrations: bool,
    /// `write_back = "immediately"`.
    pub(crate) write_back_now: bool,
    /// `expired = "show"`: reads do not hide items whose TTL has passed.
    pub(crate) show_expired: bool,
    /// `entity = "order"`: the entity type of a model sharing its table.
    pub(crate) entity: Option<LitStr>,
    /// `entity_attribute = "_et"`: the attribute it is written in.
    pub(crate) entity_attribute: Option<LitStr>,
    /// `stream = "new_and_old_images"` (or `new_image`, `old_image`,
    /// `keys_only`): the stream `create_table` turns on.
    pub(crate) stream: Option<syn::Ident>,
    /// `before_save = path`: a `fn(&Self) -> Result<(), validate::Errors>`.
    pub(crate) before_save: Option<syn::Path>,
    /// `after_load = path`: a `fn(&mut Self)`.
    pub(crate) after_load: Option<syn::Path>,
    /// Key templates of the table's keys, and their attributes (`pk`
    /// and `sk` unless given).
    pub(crate) pk: Option<LitStr>,
    pub(crate) sk: Option<LitStr>,
    pub(crate) pk_attribute: Option<LitStr>,
    pub(crate) sk_attribute: Option<LitStr>,
}

impl Model {
    /// Every key template declared, the table's then each index's.
    pub(crate) fn templates(&self) -> Vec<Template> {
        let mut out = Vec::new();
        let mut add =
            |text: &Option<LitStr>, attribute: &Option<LitStr>, default: String, of, hash| {
                if let Some(text) = text {
                    out.push(Template {
                        attribute: attribute.as_ref().map_or(default, LitStr::value),
                        text: text.clone(),
                        of,
                        hash,
                    });
                }
            };
        add(
            &self.pk,
            &self.pk_attribute,
            "pk".to_owned(),
            KeyOf::Table,
            true,
        );
        add(
            &self.sk,
            &self.sk_attribute,
            "sk".to_owned(),
            KeyOf::Table,
            false,
        );
        for (i, index) in self.indexes.iter().enumerate() {
            let name = index.name.as_ref().map(LitStr::value).unwrap_or_default();
            add(
                &index.pk,
                &index.pk_attribute,
                format!("{name}pk"),
                KeyOf::Index(i),
                true,
            );
            add(
                &index.sk,
                &index.sk_attribute,
                format!("{name}sk"),
                KeyOf::Index(i),
                false,
            );
        }
        out
    }
}

/// A type with `#[derive(Schema)]`.
pub(crate) enum Nested {
    /// A struct stored as a map.
    Map {
        ident: Ident,
        generics: syn::Generics,
        extra: Option<LitStr>,
        fields: Vec<Field>,
    },
    /// An internally tagged enum (`#[serde(tag = "kind")]`): a map whose
    /// `tag` attribute names the variant, each variant's fields its own.
    Tagged {
        ident: Ident,
        generics: syn::Generics,
        tag: String,
        /// Each variant's stored name and fields (none for a unit one).
        variants: Vec<(String, Vec<Field>)>,
    },
    /// A unit-only enum stored as one of its (serde) names.
    Names {
        ident: Ident,
        generics: syn::Generics,
        names: Vec<String>,
        /// Each variant, in the order of `names`; `None` when one is
        /// skipped by serde (it has no stored name).
        variants: Option<Vec<Ident>>,
    },
}

/// Reads a `#[derive(Model)]` input.
pub(crate) fn model(input: &DeriveInput) -> syn::Result<Model> {
    let mut errors = Errors::default();
    let mut model = Model {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        generics: input.generics.clone(),
        table: None,
        lenient: false,
        extra: None,
        indexes: Vec::new(),
        fields: Vec::new(),
        migrations: false,
        write_back_now: false,
        show_expired: false,
        stream: None,
        entity: None,
        entity_attribute: None,
        before_save: None,
        after_load: None,
        pk: None,
        sk: None,
        pk_attribute: None,
        sk_attribute: None,
    };
    for attr in model_attrs(&input.attrs) {
        let parsed = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            match key.as_str() {
                "table" => model.table = Some(meta.value()?.parse()?),
                "extra" => model.extra = Some(meta.value()?.parse()?),
                "read_policy" => {
                    let policy: LitStr = meta.value()?.parse()?;
                    match policy.value().as_str() {
                        "lenient" => model.lenient = true,
                        "strict" => model.lenient = false,
                        _ => errors.at(policy.span(), "read_policy is \"strict\" or \"lenient\""),
                    }
                }
                "migrations" => model.migrations = true,
                "before_save" => model.before_save = Some(meta.value()?.parse()?),
                "after_load" => model.after_load = Some(meta.value()?.parse()?),
                "expired" => {
                    let shown: LitStr = meta.value()?.parse()?;
                    match shown.value().as_str() {
                        "show" => model.show_expired = true,
                        "hide" => model.show_expired = false,
                        _ => errors.at(shown.span(), "expired is \"hide\" or \"show\""),
                    }
                }
                "entity" => model.entity = Some(meta.value()?.parse()?),
                "pk" => model.pk = Some(meta.value()?.parse()?),
                "sk" => model.sk = Some(meta.value()?.parse()?),
                "pk_attribute" => model.pk_attribute = Some(meta.value()?.parse()?),
                "sk_attribute" => model.sk_attribute = Some(meta.value()?.parse()?),
                "entity_attribute" => model.entity_attribute = Some(meta.value()?.parse()?),
                "stream" => {
                    let view: LitStr = meta.value()?.parse()?;
                    let variant = match view.value().as_str() {
                        "new_and_old_images" => Some("NewAndOldImages"),
                        "new_image" => Some("NewImage"),
                        "old_image" => Some("OldImage"),
                        "keys_only" => Some("KeysOnly"),
                        _ => None,
                    };
                    match variant {
                        Some(variant) => {
                            model.stream = Some(syn::Ident::new(variant, view.span()));
                        }
                        None => errors.at(
                            view.span(),
                            "stream is \"new_and_old_images\", \"new_image\", \"old_image\" or \"keys_only\"",
                        ),
                    }
                }
                "write_back" => {
                    let policy: LitStr = meta.value()?.parse()?;
                    match policy.value().as_str() {
                        "immediately" => model.write_back_now = true,
                        "lazy" => model.write_back_now = false,
                        _ => errors.at(policy.span(), "write_back is \"lazy\" or \"immediately\""),
                    }
                }
                "index" | "local_index" => {
                    let mut index = IndexOption {
                        span: meta.path.span(),
                        local: key == "local_index",
                        name: None,
                        hash: None,
                        range: None,
                        keys_only: false,
                        pk: None,
                        sk: None,
                        pk_attribute: None,
                        sk_attribute: None,
                    };
                    meta.parse_nested_meta(|inner| {
                        let part = inner.path.get_ident().map(ToString::to_string);
                        match part.as_deref() {
                            Some("name") => index.name = Some(inner.value()?.parse()?),
                            Some("hash") => index.hash = Some(inner.value()?.parse()?),
                            Some("range") => index.range = Some(inner.value()?.parse()?),
                            Some("keys_only") => index.keys_only = true,
                            Some("pk") => index.pk = Some(inner.value()?.parse()?),
                            Some("sk") => index.sk = Some(inner.value()?.parse()?),
                            Some("pk_attribute") => {
                                index.pk_attribute = Some(inner.value()?.parse()?);
                            }
                            Some("sk_attribute") => {
                                index.sk_attribute = Some(inner.value()?.parse()?);
                            }
                            _ => errors.at(
                                inner.path.span(),
                                "unknown index option: expected name, hash, range, pk, sk, pk_attribute, sk_attribute or keys_only",
                            ),
                        }
                        Ok(())
                    })?;
                    model.indexes.push(index);
                }
                _ => {
                    if meta.input.peek(Token![=]) {
                        meta.value()?.parse::<Expr>()?;
                    }
                    errors.at(
                        meta.path.span(),
                        "unknown model option: expected table, read_policy, extra, pk, sk, pk_attribute, sk_attribute, index, local_index, migrations, write_back, expired, stream, entity, entity_attribute, before_save or after_load",
                    );
                }
            }
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    match &input.data {
        Data::Struct(data) => model.fields = fields(&data.fields, &input.attrs, &mut errors),
        _ => errors.at(
            input.ident.span(),
            "#[derive(Model)] is for structs with named fields",
        ),
    }
    errors.finish()?;
    Ok(model)
}

/// Reads a `#[derive(Schema)]` input.
pub(crate) fn nested(input: &DeriveInput) -> syn::Result<Nested> {
    let mut errors = Errors::default();
    let mut extra = None;
    for attr in model_attrs(&input.attrs) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("extra") {
                extra = Some(meta.value()?.parse()?);
            } else {
                errors.at(meta.path.span(), "unknown schema option: expected extra");
            }
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    let (tag, adjacent) = match &input.data {
        Data::Enum(_) => serde_tag(&input.attrs, &mut errors),
        _ => (None, false),
    };
    let nested = match (&input.data, tag) {
        (Data::Struct(data), _) => Nested::Map {
            ident: input.ident.clone(),
            generics: input.generics.clone(),
            extra,
            fields: fields(&data.fields, &input.attrs, &mut errors),
        },
        (Data::Enum(data), Some(tag)) => {
            if adjacent {
                errors.at(
                    input.ident.span(),
                    "#[derive(Schema)] takes internally tagged enums (#[serde(tag = \"kind\")]), not adjacently tagged ones (content = …)",
                );
            }
            let rule = serde_rename_all(&input.attrs, &mut errors);
            let mut variants = Vec::new();
            for variant in &data.variants {
                let serde = serde_field(&variant.attrs, &mut errors);
                if serde.skip {
                    continue;
                }
                let name = serde.rename.unwrap_or_else(|| {
                    renamed(&variant.ident.to_string(), rule.as_ref(), true, &mut errors)
                });
                let fields = match &variant.fields {
                    Fields::Named(_) => fields(&variant.fields, &variant.attrs, &mut errors),
                    Fields::Unit => Vec::new(),
                    Fields::Unnamed(_) => {
                        errors.at(
                            variant.ident.span(),
                            "a tagged enum's variants have named fields or none (`Circle { radius: f64 }`, `Empty`)",
                        );
                        Vec::new()
                    }
                };
                variants.push((name, fields));
            }
            Nested::Tagged {
                ident: input.ident.clone(),
                generics: input.generics.clone(),
                tag,
                variants,
            }
        }
        (Data::Enum(data), None) => {
            let rule = serde_rename_all(&input.attrs, &mut errors);
            let mut names = Vec::new();
            let mut variants = Vec::new();
            let mut skipped = false;
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    errors.at(
                        variant.ident.span(),
                        "#[derive(Schema)] takes unit-only enums (stored as their names) and internally tagged ones (#[serde(tag = \"kind\")], stored as maps)",
                    );
                    continue;
                }
                let serde = serde_field(&variant.attrs, &mut errors);
                if serde.skip {
                    skipped = true;
                    continue;
                }
                names.push(serde.rename.unwrap_or_else(|| {
                    renamed(&variant.ident.to_string(), rule.as_ref(), true, &mut errors)
                }));
                variants.push(variant.ident.clone());
            }
            Nested::Names {
                ident: input.ident.clone(),
                generics: input.generics.clone(),
                names,
                variants: (!skipped).then_some(variants),
            }
        }
        (Data::Union(_), _) => {
            errors.at(
                input.ident.span(),
                "#[derive(Schema)] is for structs and unit-only enums",
            );
            Nested::Names {
                ident: input.ident.clone(),
                generics: input.generics.clone(),
                names: Vec::new(),
                variants: None,
            }
        }
    };
    errors.finish()?;
    Ok(nested)
}

fn model_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("model"))
}

/// The fields serde writes, with their options.
fn fields(fields: &Fields, attrs: &[Attribute], errors: &mut Errors) -> Vec<Field> {
    let Fields::Named(named) = fields else {
        errors.at(fields.span(), "expected a struct with named fields");
        return Vec::new();
    };
    let rule = serde_rename_all(attrs, errors);
    let mut out = Vec::new();
    for field in &named.named {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let serde = serde_field(&field.attrs, errors);
        if serde.skip {
            continue;
        }
        if let Some(span) = serde.flatten {
            errors.at(span, "#[serde(flatten)] is not supported in a model: nest a #[derive(Schema)] struct instead");
        }
        let name = serde.rename.unwrap_or_else(|| {
            let raw = ident.to_string();
            let raw = raw.strip_prefix("r#").unwrap_or(&raw).to_owned();
            renamed(&raw, rule.as_ref(), false, errors)
        });
        let (optional, inner) = match option_inner(&field.ty) {
            Some(inner) => (true, inner),
            None => (false, &field.ty),
        };
        let mut out_field = Field {
            ident,
            vis: field.vis.clone(),
            stored_as: serde.with.as_deref().and_then(epoch_form),
            ty: field.ty.clone(),
            name,
            optional,
            kind: Kind::of(inner),
            hash_key: None,
            range_key: None,
            version: None,
            auto_increment: None,
            ttl: None,
            created_at: None,
            updated_at: None,
            coerce: None,
            default: None,
            default_fn: None,
            range: None,
            length: None,
            matches: None,
            one_of: None,
            validate: None,
        };
        for attr in model_attrs(&field.attrs) {
            let parsed = attr.parse_nested_meta(|meta| {
                let span = meta.path.span();
                let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                let f = &mut out_field;
                match key.as_str() {
                    "hash_key" => f.hash_key = Some(span),
                    "range_key" => f.range_key = Some(span),
                    "version" => f.version = Some(span),
                    "auto_increment" => f.auto_increment = Some(span),
                    "ttl" => f.ttl = Some(span),
                    "created_at" => f.created_at = Some(span),
                    "updated_at" => f.updated_at = Some(span),
                    "coerce" => f.coerce = Some(span),
                    "default" => f.default = Some(meta.value()?.parse()?),
                    "default_fn" => f.default_fn = Some(meta.value()?.parse()?),
                    "range" => f.range = Some(meta.value()?.parse()?),
                    "length" => f.length = Some(meta.value()?.parse()?),
                    "matches" => f.matches = Some(meta.value()?.parse()?),
                    "one_of" => f.one_of = Some(meta.value()?.parse()?),
                    "validate" => f.validate = Some(meta.value()?.parse()?),
                    _ => {
                        // Consume a value, if any, so parsing goes on.
                        if meta.input.peek(Token![=]) {
                            meta.value()?.parse::<Expr>()?;
                        }
                        errors.at(
                            span,
                            "unknown field option: expected hash_key, range_key, version, auto_increment, ttl, created_at, updated_at, default, default_fn, range, length, matches, one_of, coerce or validate",
                        );
                    }
                }
                Ok(())
            });
            if let Err(e) = parsed {
                errors.push(e);
            }
        }
        out.push(out_field);
    }
    out
}

/// The stored datetime form a serde helper module writes for: the epoch
/// modules of `validate::datetime` (the field then stores a number, as
/// DynamoDB's TTL reads it, with no second option to say so).
fn epoch_form(with: &str) -> Option<&'static str> {
    let with = with.replace(' ', "");
    let with = with.strip_suffix("::option").unwrap_or(&with);
    if with.ends_with("datetime::epoch_whole_seconds") {
        Some("EpochWholeSeconds")
    } else if with.ends_with("datetime::epoch_seconds") {
        Some("EpochSeconds")
    } else if with.ends_with("datetime::epoch_millis") {
        Some("EpochMillis")
    } else {
        None
    }
}

/// `T` of an `Option<T>`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// What the serde attributes of a field or variant say.
#[derive(Default)]
struct SerdeField {
    rename: Option<String>,
    skip: bool,
    flatten: Option<Span>,
    /// `with = "…"`: the module that writes the field.
    with: Option<String>,
}

/// The `serde(…)` metas of `attrs`, each parsed as a `Meta`.
fn serde_metas(attrs: &[Attribute], errors: &mut Errors) -> Vec<Meta> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
            Ok(metas) => out.extend(metas),
            Err(e) => errors.push(e),
        }
    }
    out
}

/// `#[serde(tag = "…")]` on an enum: the attribute naming its variant,
/// and whether `content = "…"` makes it adjacently tagged.
fn serde_tag(attrs: &[Attribute], errors: &mut Errors) -> (Option<String>, bool) {
    let metas = serde_metas(attrs, errors);
    let named = |key: &str| {
        metas.iter().find_map(|meta| match meta {
            Meta::NameValue(nv) if nv.path.is_ident(key) => string_value(&nv.value),
            _ => None,
        })
    };
    (named("tag"), named("content").is_some())
}

fn string_value(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    }
}

fn serde_field(attrs: &[Attribute], errors: &mut Errors) -> SerdeField {
    let mut out = SerdeField::default();
    for meta in serde_metas(attrs, errors) {
        match &meta {
            Meta::NameValue(nv) if nv.path.is_ident("rename") => {
                out.rename = string_value(&nv.value);
            }
            // `rename(serialize = "…", deserialize = "…")`: what is written.
            Meta::List(list) if list.path.is_ident("rename") => {
                let inner = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated);
                for part in inner.into_iter().flatten() {
                    if let Meta::NameValue(nv) = part
                        && nv.path.is_ident("serialize")
                    {
                        out.rename = string_value(&nv.value);
                    }
                }
            }
            Meta::Path(p) if p.is_ident("skip") || p.is_ident("skip_serializing") => {
                out.skip = true;
            }
            Meta::Path(p) if p.is_ident("flatten") => out.flatten = Some(p.span()),
            Meta::NameValue(nv) if nv.path.is_ident("with") => {
                out.with = string_value(&nv.value);
            }
            _ => {}
        }
    }
    out
}

/// The struct's or enum's `#[serde(rename_all = "…")]` rule.
fn serde_rename_all(attrs: &[Attribute], errors: &mut Errors) -> Option<LitStr> {
    let mut rule = None;
    for meta in serde_metas(attrs, errors) {
        match &meta {
            Meta::NameValue(nv) if nv.path.is_ident("rename_all") => {
                if let Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) = &nv.value
                {
                    rule = Some(s.clone());
                }
            }
            Meta::List(list) if list.path.is_ident("rename_all") => {
                let inner = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated);
                for part in inner.into_iter().flatten() {
                    if let Meta::NameValue(nv) = part
                        && nv.path.is_ident("serialize")
                        && let Expr::Lit(ExprLit {
                            lit: Lit::Str(s), ..
                        }) = &nv.value
                    {
                        rule = Some(s.clone());
                    }
                }
            }
            _ => {}
        }
    }
    rule
}

fn renamed(name: &str, rule: Option<&LitStr>, variant: bool, errors: &mut Errors) -> String {
    let Some(rule) = rule else {
        return name.to_owned();
    };
    case::rename(name, &rule.value(), variant).unwrap_or_else(|| {
        errors.at(rule.span(), "unknown rename_all rule");
        name.to_owned()
    })
}
