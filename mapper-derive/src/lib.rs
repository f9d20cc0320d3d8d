//! `#[derive(Model)]` and `#[derive(Schema)]`, re-exported by `mapper`:
//! declare a model once — fields, keys, validators, defaults — and get the
//! `Schema::new().required(…)` builder and the `impl Model` written for you.
//! See `mapper`'s documentation for the options; this crate is the macro
//! machinery only: `parse` reads the attributes, `check` reports
//! every mistake with its span, `expand` writes the code.

mod case;
mod check;
mod collection;
mod expand;
mod parse;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements `mapper::Model` from the struct and its `#[model(…)]` options.
#[proc_macro_derive(Model, attributes(model))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    parse::model(&input)
        .and_then(|model| check::model(&model).map(|checked| expand::model(&checked)))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `validate::Typed` for a struct stored as a nested map (its
/// fields as for `#[derive(Model)]`, without keys) or a unit-only enum
/// stored as one of its names.
#[proc_macro_derive(Schema, attributes(model))]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    parse::nested(&input)
        .and_then(|nested| check::nested(&nested).map(|()| expand::nested(&nested)))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `mapper::read::Collection` for an enum of entity types
/// sharing a table (one tuple variant each, holding the model or its
/// `Item`): `mapper.query_collection::<Page>(…)` reads them together.
#[proc_macro_derive(Collection)]
pub fn derive_collection(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    collection::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
