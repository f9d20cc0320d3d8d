//! Writing the code: the `Schema::new()…` builder a user would write, and
//! the `impl Model` around it. Generated code names the runtime only
//! through `::mapper::__private`, so users depend on `mapper` alone.

use proc_macro2::TokenStream;
use quote::quote;

use crate::check::{Checked, KeyPart};
use crate::parse::{Field, Kind, Nested};

/// The `Schema` builder for `fields`.
fn schema(fields: &[Field], extra: Option<&syn::LitStr>) -> TokenStream {
    let p = quote!(::mapper::__private);
    let mut builder = quote!(#p::validate::Schema::new());
    if let Some(extra) = extra {
        let policy = match extra.value().as_str() {
            "allow" => quote!(Allow),
            "remove" => quote!(Remove),
            _ => quote!(Forbid),
        };
        builder = quote!(#builder.extra(#p::validate::Extra::#policy));
    }
    for field in fields {
        let name = &field.name;
        let ty = &field.ty;
        let mut validator = match &field.validate {
            Some(expr) => quote!({
                #[allow(unused_imports)]
                use #p::validate::*;
                #p::validate::Validator::from(#expr)
            }),
            None => quote!(<#ty as #p::validate::Typed>::validator()),
        };
        if let (Some(form), None) = (field.stored_as, &field.validate) {
            let form = quote::format_ident!("{}", form);
            validator = quote!(#validator.stored_as(#p::validate::DateFormat::#form));
        }
        if let Some(range) = &field.range {
            validator = quote!(#validator.range(#range));
        }
        if let Some(length) = &field.length {
            validator = quote!(#validator.length(#length));
        }
        if let Some(pattern) = &field.matches {
            validator = quote!(#validator.matches(#pattern));
        }
        if let Some(allowed) = &field.one_of {
            validator = quote!(#validator.one_of(#allowed));
        }
        if field.coerce.is_some() {
            validator = quote!(#validator.coerce());
        }
        builder = match (&field.default, &field.default_fn) {
            (Some(default), _) => quote!(#builder.with_default(#name, #validator, #default)),
            (None, Some(function)) => {
                quote!(#builder.with_default_fn(#name, #validator, #function))
            }
            (None, None) if field.optional => quote!(#builder.optional(#name, #validator)),
            (None, None) => quote!(#builder.required(#name, #validator)),
        };
    }
    builder
}

/// A typed path ([`Attr`](mapper::expr::Attr)) for each field, as an
/// associated constant named after the field (`line_items` →
/// `LINE_ITEMS`), visible where the field is.
fn typed_paths(ident: &syn::Ident, generics: &syn::Generics, fields: &[Field]) -> TokenStream {
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    let consts = fields.iter().map(|field| {
        let upper = quote::format_ident!("{}", field_const(&field.ident));
        let (vis, ty, name) = (&field.vis, &field.ty, &field.name);
        let doc = format!("The typed path to the `{name}` attribute.");
        // A datetime's stored form, known from its serde helper: values
        // given for the path are compared in it.
        let path = match (&field.kind, &field.validate) {
            (Kind::DateTime, None) => {
                let form = quote::format_ident!("{}", field.stored_as.unwrap_or("Rfc3339Nanos"));
                quote!(::mapper::expr::Attr::datetime(#name, ::mapper::__private::validate::DateFormat::#form))
            }
            _ => quote!(::mapper::expr::Attr::new(#name)),
        };
        quote! {
            #[doc = #doc]
            #vis const #upper: ::mapper::expr::Attr<Self, #ty> = #path;
        }
    });
    quote! {
        #[allow(dead_code)]
        impl #impl_generics #ident #type_generics #where_clause {
            #(#consts)*
        }
    }
}

/// A unit-only enum as the value it is stored as (its name), usable
/// wherever a value or a key part is: `Update::set("status",
/// Status::Paid)`, `query::<Order>(Status::Paid)`.
fn stored_names(
    ident: &syn::Ident,
    generics: &syn::Generics,
    names: &[String],
    variants: &[syn::Ident],
) -> TokenStream {
    let p = quote!(::mapper::__private);
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    quote! {
        impl #impl_generics ::core::convert::From<#ident #type_generics> for #p::validate::Value #where_clause {
            fn from(value: #ident #type_generics) -> Self {
                #p::validate::Value::from(match value {
                    #(#ident::#variants => #names,)*
                })
            }
        }
        impl #impl_generics #p::KeyPart for #ident #type_generics #where_clause {
            fn into_part(self) -> #p::validate::Value {
                #p::validate::Value::from(self)
            }
        }
        impl #impl_generics #p::IntoKey for #ident #type_generics #where_clause {
            fn into_key(self) -> #p::Key {
                #p::Key { hash: #p::validate::Value::from(self), range: ::core::option::Option::None }
            }
        }
    }
}

/// A typed handle ([`Handle`](mapper::index::Handle)) for each declared
/// index, named after it (`by_status` → `BY_STATUS`) and typed with its
/// keys' field types (an optional field's inner type: items without it
/// are not indexed). A name a field's path already takes gets none.
/// `PRIMARY` is the table's own key, unless a field or index takes it.
fn index_handles(checked: &Checked<'_>) -> TokenStream {
    let model = checked.model;
    let field_of = |name: &str| model.fields.iter().find(|f| f.name == name);
    let key_type = |field: &Field| {
        let ty = crate::parse::option_inner(&field.ty).unwrap_or(&field.ty);
        quote!(#ty)
    };
    // A key attribute: a field's type, or text for a template's.
    let attribute_type = |name: &str| {
        if checked.templates.iter().any(|t| t.attribute == name) {
            Some(quote!(::std::string::String))
        } else {
            field_of(name).map(key_type)
        }
    };
    let part_type = |part: &KeyPart<'_>| match part {
        KeyPart::Field(field) => key_type(field),
        KeyPart::Template(_) => quote!(::std::string::String),
    };
    let taken: Vec<String> = model
        .fields
        .iter()
        .map(|f| upper(&f.ident.to_string()))
        .collect();
    let vis = &model.vis;
    let handles = model.indexes.iter().zip(&checked.index_keys).filter_map(|(index, (hash, range))| {
        let name = index.name.as_ref()?.value();
        let upper_name = upper(&name);
        if taken.contains(&upper_name) || syn::parse_str::<syn::Ident>(&upper_name).is_err() {
            return None;
        }
        let hash = match (index.local, hash) {
            (true, _) => part_type(&checked.hash),
            (false, Some(hash)) => attribute_type(hash)?,
            (false, None) => return None,
        };
        let range = match range {
            Some(range) => attribute_type(range)?,
            None => quote!(()),
        };
        let ident = quote::format_ident!("{}", upper_name);
        let doc = format!("The typed handle of the index `{name}`.");
        Some(quote! {
            #[doc = #doc]
            #vis const #ident: ::mapper::index::Handle<Self, #hash, #range> = ::mapper::index::Handle::new(#name);
        })
    });
    let primary = (!taken.iter().any(|t| t == "PRIMARY")
        && !model
            .indexes
            .iter()
            .any(|i| i.name.as_ref().is_some_and(|n| upper(&n.value()) == "PRIMARY")))
    .then(|| {
        let hash = part_type(&checked.hash);
        let range = match &checked.range {
            Some(range) => part_type(range),
            None => quote!(()),
        };
        quote! {
            /// The typed handle of the table's own key: `PRIMARY.key(…)`
            /// builds an item's key of the key fields' types.
            #vis const PRIMARY: ::mapper::index::Handle<Self, #hash, #range, ::mapper::index::Primary> = ::mapper::index::Handle::primary();
        }
    });
    let (impl_generics, type_generics, where_clause) = model.generics.split_for_impl();
    let ident = &model.ident;
    quote! {
        #[allow(dead_code)]
        impl #impl_generics #ident #type_generics #where_clause {
            #primary
            #(#handles)*
        }
    }
}

/// A field's path constant: its identifier in upper case (`line_items`
/// → `LINE_ITEMS`, a raw identifier's `r#` dropped).
fn field_const(ident: &syn::Ident) -> String {
    let raw = ident.to_string();
    raw.strip_prefix("r#").unwrap_or(&raw).to_uppercase()
}

/// An index name as a constant: `by-status` → `BY_STATUS`.
fn upper(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `impl Model` for a checked `#[derive(Model)]`.
pub(crate) fn model(checked: &Checked<'_>) -> TokenStream {
    let p = quote!(::mapper::__private);
    let model = checked.model;
    let ident = &model.ident;
    let (impl_generics, type_generics, where_clause) = model.generics.split_for_impl();
    let table = checked.table;
    let hash = checked.hash.name();
    let optional = |field: Option<&Field>| match field {
        Some(field) => {
            let name = &field.name;
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };
    let range = match &checked.range {
        Some(range) => {
            let name = range.name();
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };
    let version = optional(checked.version);
    let ttl = optional(checked.ttl);
    let created_at = optional(checked.created_at);
    let updated_at = optional(checked.updated_at);
    let hide_expired = !model.show_expired;
    let entity = model.entity.as_ref().map(|entity| {
        let attribute = model
            .entity_attribute
            .as_ref()
            .map(|a| quote!(const ENTITY_ATTRIBUTE: &'static str = #a;));
        quote! {
            const ENTITY: ::core::option::Option<&'static str> = ::core::option::Option::Some(#entity);
            #attribute
        }
    });
    let stream = model.stream.as_ref().map(|view| {
        quote!(const STREAM: ::core::option::Option<::mapper::stream::StreamView> = ::core::option::Option::Some(::mapper::stream::StreamView::#view);)
    });
    let auto_increment = checked.auto_increment;
    let read_policy = if model.lenient {
        quote!(#p::ReadPolicy::Lenient)
    } else {
        quote!(#p::ReadPolicy::Strict)
    };
    let indexes = model
        .indexes
        .iter()
        .zip(&checked.index_keys)
        .map(|(index, (hash, range))| {
            let name = &index.name;
            let mut declared = if index.local {
                quote!(#p::Index::local(#name, #range))
            } else {
                let range = match range {
                    Some(range) => quote!(::core::option::Option::Some(#range)),
                    None => quote!(::core::option::Option::None),
                };
                quote!(#p::Index::global(#name, #hash, #range))
            };
            if index.keys_only {
                declared = quote!(#declared.projection(#p::IndexProjection::KeysOnly));
            }
            declared
        });
    let schema = schema(&model.fields, model.extra.as_ref());
    let migrations = model.migrations.then(|| {
        quote! {
            fn migrations() -> ::core::option::Option<&'static #p::migrate::Plan> {
                ::core::option::Option::Some(<Self as #p::Migrations>::plan())
            }
            const MIGRATIONS_DECLARED: bool = true;
        }
    });
    let before_save = model.before_save.as_ref().map(|path| {
        quote! {
            fn before_save(&self) -> ::core::result::Result<(), #p::validate::Errors> {
                #path(self)
            }
        }
    });
    let after_load = model.after_load.as_ref().map(|path| {
        quote! {
            fn after_load(&mut self) {
                #path(self)
            }
        }
    });
    let write_back = model
        .write_back_now
        .then(|| quote!(const WRITE_BACK: #p::WriteBack = #p::WriteBack::Immediately;));
    let keys = (!checked.templates.is_empty()).then(|| {
        let templates = checked.templates.iter().map(|t| {
            let (attribute, text) = (&t.attribute, &t.text);
            quote!(#p::KeyTemplate { attribute: #attribute, template: #text })
        });
        quote!(const KEYS: &'static [#p::KeyTemplate] = &[#(#templates),*];)
    });
    let paths = typed_paths(ident, &model.generics, &model.fields);
    let handles = index_handles(checked);
    let key_functions = key_functions(checked);
    quote! {
        #paths
        #handles
        #key_functions
        impl #impl_generics #p::Model for #ident #type_generics #where_clause {
            const TABLE: &'static str = #table;
            const HASH_KEY: &'static str = #hash;
            const RANGE_KEY: ::core::option::Option<&'static str> = #range;
            const AUTO_INCREMENT: bool = #auto_increment;
            const VERSION: ::core::option::Option<&'static str> = #version;
            const TTL: ::core::option::Option<&'static str> = #ttl;
            const CREATED_AT: ::core::option::Option<&'static str> = #created_at;
            const UPDATED_AT: ::core::option::Option<&'static str> = #updated_at;
            const HIDE_EXPIRED: bool = #hide_expired;
            #stream
            #entity
            const READ_POLICY: #p::ReadPolicy = #read_policy;
            const INDEXES: &'static [#p::Index] = &[#(#indexes),*];
            #keys
            #write_back

            fn schema() -> #p::validate::Schema {
                #schema
            }
            #migrations
            #before_save
            #after_load
        }
    }
}

/// `impl Typed` for a `#[derive(Schema)]`.
pub(crate) fn nested(nested: &Nested) -> TokenStream {
    let p = quote!(::mapper::__private);
    let mut paths = TokenStream::new();
    let (ident, generics, body) = match nested {
        Nested::Map {
            ident,
            generics,
            extra,
            fields,
        } => {
            let schema = schema(fields, extra.as_ref());
            paths = typed_paths(ident, generics, fields);
            (
                ident,
                generics,
                quote!(#p::validate::Validator::from(#schema)),
            )
        }
        Nested::Tagged {
            ident,
            generics,
            tag,
            variants,
        } => {
            let variants = variants.iter().map(|(name, fields)| {
                let schema = schema(fields, None);
                quote!((#name, #p::validate::Validator::from(#schema)))
            });
            (
                ident,
                generics,
                quote!(#p::validate::tagged(#tag, [#(#variants),*])),
            )
        }
        Nested::Names {
            ident,
            generics,
            names,
            variants,
        } => {
            if let Some(variants) = variants {
                paths = stored_names(ident, generics, names, variants);
            }
            (
                ident,
                generics,
                quote!(#p::validate::str().one_of([#(#names),*])),
            )
        }
    };
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    quote! {
        #paths
        impl #impl_generics #p::validate::Typed for #ident #type_generics #where_clause {
            fn validator() -> #p::validate::Validator {
                #body
            }
        }
    }
}

/// For a model with key templates: a function per template that builds
/// its key from the fields it reads (`pk_of(username)`), `key_of(…)` for
/// the table's key, and `parse_key(attribute, key)`, which reads a key
/// back into its fields. Each argument is of its field's type (text for
/// a `String`), checked by the field's validator as a save checks it.
/// Not written for a generic model (its facts cannot be held in a
/// static).
fn key_functions(checked: &Checked<'_>) -> TokenStream {
    let model = checked.model;
    if checked.templates.is_empty() || !model.generics.params.is_empty() {
        return TokenStream::new();
    }
    let p = quote!(::mapper::__private);
    let vis = &model.vis;
    let field_of = |name: &str| model.fields.iter().find(|f| f.name == name);
    // The arguments for `names`, each field once, and the values they give.
    let arguments = |names: &[String]| {
        let mut seen: Vec<&str> = Vec::new();
        let mut params = Vec::new();
        let mut values = Vec::new();
        for name in names {
            let Some(field) = field_of(name) else {
                continue;
            };
            if seen.contains(&name.as_str()) {
                continue;
            }
            seen.push(name);
            let ident = &field.ident;
            let ty = crate::parse::option_inner(&field.ty).unwrap_or(&field.ty);
            params.push(quote!(#ident: impl #p::PartFor<#ty>));
            values.push(quote!((#name, #p::PartFor::<#ty>::into_part_for(#ident))));
        }
        (params, values)
    };
    let fields_of = |text: &syn::LitStr| -> Vec<String> {
        model_rules::template::fields(&text.value())
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    let facts = quote!(Self::__mapper_key_facts());
    // Constants the fields' typed paths take.
    let taken: Vec<String> = model.fields.iter().map(|f| field_const(&f.ident)).collect();
    let mut seen_names: Vec<String> = Vec::new();
    let per_template = checked.templates.iter().filter_map(|t| {
        let name: String = t
            .attribute
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{name}_of");
        if seen_names.contains(&name) || syn::parse_str::<syn::Ident>(&name).is_err() {
            return None;
        }
        seen_names.push(name.clone());
        let ident = quote::format_ident!("{}", name);
        let (params, values) = arguments(&fields_of(&t.text));
        let attribute = &t.attribute;
        let doc = format!(
            "The key attribute `{attribute}` = `{}`, built from its fields.",
            t.text.value()
        );
        // The text every key of the template starts with, for a
        // `begins_with` that reads this entity type alone.
        let text = t.text.value();
        let prefix = match model_rules::template::parse(&text).ok()?.first() {
            Some(model_rules::template::Segment::Text(prefix)) => Some((*prefix).to_owned()),
            _ => None,
        };
        let prefix_const = format!("{}_PREFIX", name.trim_end_matches("_of").to_uppercase());
        let prefix = prefix
            .filter(|_| !taken.contains(&prefix_const))
            .map(|prefix| {
                let ident = quote::format_ident!("{}", prefix_const);
                let doc = format!(
                    "The text every `{attribute}` of this model starts with: `begins_with` it to read this entity type alone."
                );
                quote! {
                    #[doc = #doc]
                    #vis const #ident: &'static str = #prefix;
                }
            });
        Some(quote! {
            #[doc = #doc]
            ///
            /// # Errors
            /// A value that does not pass its field's rules or cannot go in a key.
            #vis fn #ident(#(#params),*) -> #p::Result<::std::string::String> {
                #p::build_key::<Self>(#facts, #attribute, &[#(#values),*])
            }
            #prefix
        })
    });
    let per_template: Vec<TokenStream> = per_template.collect();
    // The table's key, when its hash key is built from a template.
    let key_of = match (&checked.hash, &checked.range) {
        (KeyPart::Template(hash), range) => {
            let table_template = |attribute: &str| {
                checked
                    .templates
                    .iter()
                    .find(|t| t.attribute == attribute)
                    .map(|t| fields_of(&t.text))
                    .unwrap_or_default()
            };
            let mut names = table_template(hash);
            let range_value = match range {
                None => quote!(::core::option::Option::None),
                Some(KeyPart::Template(range)) => {
                    names.extend(table_template(range));
                    quote!(::core::option::Option::Some(#p::validate::Value::from(#p::build_key::<Self>(#facts, #range, &values)?)))
                }
                Some(KeyPart::Field(field)) => {
                    names.push(field.name.clone());
                    let name = &field.name;
                    quote!(::core::option::Option::Some(values.iter().find(|(n, _)| *n == #name).map(|(_, v)| v.clone()).unwrap_or_default()))
                }
            };
            let (params, values) = arguments(&names);
            Some(quote! {
                /// The item's key, built from the fields its templates read.
                ///
                /// # Errors
                /// A value that does not pass its field's rules or cannot go in a key.
                #vis fn key_of(#(#params),*) -> #p::Result<#p::Key> {
                    let values = [#(#values),*];
                    ::core::result::Result::Ok(#p::Key {
                        hash: #p::validate::Value::from(#p::build_key::<Self>(#facts, #hash, &values)?),
                        range: #range_value,
                    })
                }
            })
        }
        (KeyPart::Field(_), _) => None,
    };
    let ident = &model.ident;
    quote! {
        #[allow(dead_code)]
        impl #ident {
            #[doc(hidden)]
            fn __mapper_key_facts() -> &'static #p::Facts {
                static FACTS: #p::Facts = #p::Facts::new();
                &FACTS
            }
            #(#per_template)*
            #key_of
            /// The fields key `key` of attribute `attribute` was built
            /// from (a map of their values as stored).
            ///
            /// # Errors
            /// An attribute without a template, or a key it does not make.
            #vis fn parse_key(attribute: &str, key: &str) -> #p::Result<#p::validate::Value> {
                #p::parse_key::<Self>(#facts, attribute, key)
            }
        }
    }
}
