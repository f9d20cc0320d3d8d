//! Writes the block back (marks removed) and `impl Migrations` with the
//! plan, built once.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::parse::Block;

/// The block and its `impl Migrations`.
pub(crate) fn block(block: Block) -> TokenStream {
    let p = quote!(::mapper::__private);
    let self_ty = &block.item.self_ty;
    let current = block.current.value;
    let base = block.base.map(|b| {
        let b = b.value;
        quote!(.base(#b))
    });
    let attribute = block.attribute.as_ref().map(|a| quote!(.attribute(#a)));
    let steps = block.steps.iter().map(|step| {
        let (from, to) = (step.from.value, step.to.value);
        let function = &step.function;
        let name = function.to_string();
        // The function's type is checked here: a mismatch points at it.
        let run = quote_spanned!(function.span()=> <#self_ty>::#function);
        quote!(.step(#from, #to, #name, #run))
    });
    let detectors = block.detectors.iter().map(|detector| {
        let version = detector.version.value;
        let function = &detector.function;
        let name = function.to_string();
        let test = quote_spanned!(function.span()=> <#self_ty>::#function);
        quote!(.detect(#version, #name, #test))
    });
    let item = &block.item;
    // A plan its model does not point at would never be used: a compile
    // error (for a type without generics, which a `const` can name).
    let declared = block.item.generics.params.is_empty().then(|| {
        quote! {
            const _: () = ::core::assert!(
                <#self_ty as #p::Model>::MIGRATIONS_DECLARED,
                "#[mapper::migrations] on a model whose #[model(...)] does not say `migrations`: its plan would never be used; add `migrations` to the model's #[model(...)]"
            );
        }
    });
    quote! {
        #item
        #declared

        impl #p::Migrations for #self_ty {
            fn plan() -> &'static #p::migrate::Plan {
                static PLAN: ::std::sync::LazyLock<#p::migrate::Plan> =
                    ::std::sync::LazyLock::new(|| {
                        #p::migrate::Plan::new(#current)
                            #base
                            #attribute
                            #(#steps)*
                            #(#detectors)*
                    });
                &PLAN
            }
        }
    }
}

/// A block whose plan is refused: the error, the block as written (marks
/// removed) and an `impl Migrations` that is never built, so the compiler
/// reports the one mistake rather than its consequences.
pub(crate) fn refused(mut block: syn::ItemImpl, error: syn::Error) -> TokenStream {
    crate::parse::strip(&mut block);
    let p = quote!(::mapper::__private);
    let self_ty = &block.self_ty;
    let error = error.into_compile_error();
    quote! {
        #error
        #block
        impl #p::Migrations for #self_ty {
            fn plan() -> &'static #p::migrate::Plan {
                ::core::unreachable!()
            }
        }
    }
}
