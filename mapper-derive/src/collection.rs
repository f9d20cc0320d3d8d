//! `#[derive(Collection)]`: an enum of entity types sharing a table, one
//! tuple variant a type (`Customer(Customer)` or `Customer(Item<Customer>)`),
//! as `mapper::read::Collection` and the `Output` a query yields.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

/// One variant: its name, its model, and whether it holds `Item<M>`.
struct Member<'a> {
    variant: &'a syn::Ident,
    model: &'a syn::Type,
    item: bool,
}

/// `M` of a type written `Item<M>` (any path ending in `Item`).
fn item_of(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Item" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// Expands `#[derive(Collection)]`.
pub(crate) fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let shape = "#[derive(Collection)] is for an enum of entity types sharing a table, one tuple variant each: enum Page { Customer(Customer), Order(Item<Order>) }";
    let syn::Data::Enum(data) = &input.data else {
        return Err(syn::Error::new(input.ident.span(), shape));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "a collection has no generic parameters",
        ));
    }
    let mut members = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for variant in &data.variants {
        match &variant.fields {
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                let ty = &fields.unnamed[0].ty;
                members.push(match item_of(ty) {
                    Some(model) => Member {
                        variant: &variant.ident,
                        model,
                        item: true,
                    },
                    None => Member {
                        variant: &variant.ident,
                        model: ty,
                        item: false,
                    },
                });
            }
            _ => {
                let e = syn::Error::new(variant.span(), shape);
                match &mut errors {
                    Some(all) => all.combine(e),
                    None => errors = Some(e),
                }
            }
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    let Some(anchor) = members.first().map(|m| m.model) else {
        return Err(syn::Error::new(
            input.ident.span(),
            "a collection names at least one entity type",
        ));
    };
    let p = quote!(::mapper::__private);
    let ident = &input.ident;
    let models: Vec<&syn::Type> = members.iter().map(|m| m.model).collect();
    let arms = members.iter().enumerate().map(|(i, m)| {
        let (variant, model) = (m.variant, m.model);
        let loaded = quote!(#p::load_member::<#model, #anchor>(mapper, info, attributes, table)?);
        let value = if m.item {
            loaded
        } else {
            quote!(#loaded.into_inner())
        };
        quote!(#i => ::core::result::Result::Ok(#ident::#variant(#value)),)
    });
    Ok(quote! {
        impl #p::Output for #ident {
            const OWN_ENTITY_ONLY: bool = false;

            fn decode(
                attributes: ::mapper::codec::Attributes,
                info: &#p::ModelInfo,
                table: &str,
                mapper: &::mapper::Mapper,
            ) -> #p::Result<Self> {
                let attribute = <#anchor as #p::Model>::ENTITY_ATTRIBUTE;
                let which = {
                    let entity = #p::entity_of(&attributes, attribute);
                    [#(<#models as #p::Model>::ENTITY),*]
                        .iter()
                        .position(|member| member.is_some() && *member == entity)
                };
                match which.unwrap_or(usize::MAX) {
                    #(#arms)*
                    _ => {
                        let expected = [#(<#models as #p::Model>::ENTITY),*]
                            .iter()
                            .flatten()
                            .copied()
                            .collect::<::std::vec::Vec<&str>>()
                            .join(" | ");
                        ::core::result::Result::Err(#p::not_a_member(&attributes, info, table, &expected, attribute))
                    }
                }
            }

            fn check(info: &#p::ModelInfo) -> #p::Result<()> {
                #p::check_members::<Self>(info.table())
            }
        }

        impl ::mapper::read::Collection for #ident {
            type Anchor = #anchor;

            fn members() -> ::std::vec::Vec<(&'static str, &'static str, ::core::option::Option<&'static str>)> {
                ::std::vec![#((
                    <#models as #p::Model>::TABLE,
                    <#models as #p::Model>::ENTITY_ATTRIBUTE,
                    <#models as #p::Model>::ENTITY,
                )),*]
            }
        }
    })
}
