//! Writing the code: the `Schema::new()…` builder a user would write, and
//! the `impl Model` around it. Generated code names the runtime only
//! through `::mapper::__private`, so users depend on `mapper` alone.

use proc_macro2::TokenStream;
use quote::quote;

use crate::check::Checked;
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
    let taken: Vec<String> = model
        .fields
        .iter()
        .map(|f| upper(&f.ident.to_string()))
        .collect();
    let vis = &model.vis;
    let handles = model.indexes.iter().filter_map(|index| {
        let name = index.name.as_ref()?.value();
        let upper_name = upper(&name);
        if taken.contains(&upper_name) || syn::parse_str::<syn::Ident>(&upper_name).is_err() {
            return None;
        }
        let hash = match (index.local, &index.hash) {
            (true, _) => key_type(checked.hash),
            (false, Some(hash)) => key_type(field_of(&hash.value())?),
            (false, None) => return None,
        };
        let range = match &index.range {
            Some(range) => key_type(field_of(&range.value())?),
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
        let hash = key_type(checked.hash);
        let range = match checked.range {
            Some(range) => key_type(range),
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
    let hash = &checked.hash.name;
    let optional = |field: Option<&Field>| match field {
        Some(field) => {
            let name = &field.name;
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };
    let range = optional(checked.range);
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
    let indexes = model.indexes.iter().map(|index| {
        let name = &index.name;
        let mut declared = if index.local {
            let range = &index.range;
            quote!(#p::Index::local(#name, #range))
        } else {
            let hash = &index.hash;
            let range = match &index.range {
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
    let paths = typed_paths(ident, &model.generics, &model.fields);
    let handles = index_handles(checked);
    quote! {
        #paths
        #handles
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
