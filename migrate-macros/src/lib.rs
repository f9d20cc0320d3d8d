//! `#[migrations]`, `#[migration(from = …)]` and `#[detect(…)]`,
//! re-exported by `mapper`: a model's versioned upgrades declared as
//! functions of an `impl` block. `parse` reads the block, `check` runs the
//! `migrate` engine's own plan check at compile time and points its
//! mistakes at their spans, `expand` writes the `impl Migrations`.

mod check;
mod expand;
mod parse;

use proc_macro::TokenStream;
use syn::{ItemImpl, parse_macro_input};

/// Declares a model's migrations on an `impl` block:
///
/// ```ignore
/// #[mapper::migrations(current = 11)] // also: base = 1, attribute = "__schema_version__"
/// impl User {
///     #[detect(1)]
///     fn looks_v1(item: &Value) -> bool { item.get("mail").is_some() }
///     #[migration(from = 1)] // to = from + 1
///     fn noop(item: Value) -> Result<Value, Errors> { Ok(item) }
///     #[migration(from = 2, to = 11)]
///     fn rename_mail(item: Value) -> Result<Value, Errors> { /* … */ }
/// }
/// ```
///
/// and implements `mapper::Migrations` with the plan; the model points at
/// it with `#[model(migrations)]`. A chain that does not lead from the
/// first version to `current` through every step, two steps from one
/// version, a step that does not lead up, a detector off the chain,
/// version 0 or a function of the wrong shape is a compile error at its
/// span.
#[proc_macro_attribute]
pub fn migrations(attr: TokenStream, item: TokenStream) -> TokenStream {
    let block = parse_macro_input!(item as ItemImpl);
    let attr = proc_macro2::TokenStream::from(attr);
    parse::block(attr, block.clone())
        .and_then(|parsed| check::plan(&parsed).map(|()| expand::block(parsed)))
        .unwrap_or_else(|error| expand::refused(block, error))
        .into()
}

/// A step of a `#[migrations]` block (`from = N`, optional `to = M`,
/// default `N + 1`); anywhere else, a compile error.
#[proc_macro_attribute]
pub fn migration(_: TokenStream, item: TokenStream) -> TokenStream {
    outside("migration", item)
}

/// A detector of a `#[migrations]` block (`#[detect(N)]`); anywhere else,
/// a compile error.
#[proc_macro_attribute]
pub fn detect(_: TokenStream, item: TokenStream) -> TokenStream {
    outside("detect", item)
}

fn outside(name: &str, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let error = syn::Error::new(
        proc_macro2::Span::call_site(),
        format!("#[{name}] belongs inside an impl block marked #[mapper::migrations(current = …)]"),
    )
    .into_compile_error();
    quote::quote!(#error #item).into()
}
