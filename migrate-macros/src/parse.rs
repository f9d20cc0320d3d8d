//! Reads a `#[migrations]` block: its options, and each function marked
//! `#[migration(…)]` or `#[detect(…)]`, the marks removed.

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, ImplItem, ItemImpl, LitInt, LitStr, ReturnType};

/// A parsed `#[migrations]` block.
pub(crate) struct Block {
    /// The `impl` block, marks removed.
    pub(crate) item: ItemImpl,
    pub(crate) current: Version,
    pub(crate) base: Option<Version>,
    pub(crate) attribute: Option<LitStr>,
    pub(crate) steps: Vec<Step>,
    pub(crate) detectors: Vec<Detector>,
}

/// A version written in the source, with its span.
#[derive(Clone, Copy)]
pub(crate) struct Version {
    pub(crate) value: u32,
    pub(crate) span: Span,
}

/// A `#[migration(from = …, to = …)]` function.
pub(crate) struct Step {
    pub(crate) from: Version,
    pub(crate) to: Version,
    pub(crate) function: syn::Ident,
    /// Where errors about the step point (its `from`).
    pub(crate) span: Span,
}

/// A `#[detect(…)]` function.
pub(crate) struct Detector {
    pub(crate) version: Version,
    pub(crate) function: syn::Ident,
    /// Where errors about the detector point (its version).
    pub(crate) span: Span,
}

/// Removes the `#[migration]` and `#[detect]` marks of a block's
/// functions, returning each function's marks.
pub(crate) fn strip(
    item: &mut ItemImpl,
) -> Vec<(&mut syn::ImplItemFn, Vec<(&'static str, Attribute)>)> {
    let mut marked = Vec::new();
    for member in &mut item.items {
        let ImplItem::Fn(function) = member else {
            continue;
        };
        let mut marks = Vec::new();
        function.attrs.retain(|a| {
            let mark = ["migration", "detect"]
                .into_iter()
                .find(|name| a.path().is_ident(name));
            if let Some(mark) = mark {
                marks.push((mark, a.clone()));
            }
            mark.is_none()
        });
        marked.push((function, marks));
    }
    marked
}

fn version(lit: &LitInt) -> syn::Result<Version> {
    Ok(Version {
        value: lit.base10_parse()?,
        span: lit.span(),
    })
}

/// Reads the block and the marks of its functions.
pub(crate) fn block(attr: TokenStream, mut item: ItemImpl) -> syn::Result<Block> {
    let mut current = None;
    let mut base = None;
    let mut attribute = None;
    let options = syn::meta::parser(|meta| {
        let key = meta.path.get_ident().map(ToString::to_string);
        match key.as_deref() {
            Some("current") => current = Some(version(&meta.value()?.parse()?)?),
            Some("base") => base = Some(version(&meta.value()?.parse()?)?),
            Some("attribute") => attribute = Some(meta.value()?.parse()?),
            _ => return Err(meta.error("expected current, base or attribute")),
        }
        Ok(())
    });
    syn::parse::Parser::parse2(options, attr)?;
    let current = current.ok_or_else(|| {
        syn::Error::new(
            Span::call_site(),
            "#[migrations] needs the current version: #[migrations(current = N)]",
        )
    })?;
    if !item.generics.params.is_empty() {
        return Err(syn::Error::new(
            item.generics.span(),
            "#[migrations] is for the impl block of one model type, without generics",
        ));
    }
    let mut steps = Vec::new();
    let mut detectors = Vec::new();
    let mut errors: Option<syn::Error> = None;
    let mut fail = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    for (function, marks) in strip(&mut item) {
        for (mark, attr) in marks {
            let span = attr.span();
            if let Err(e) = signature(&function.sig, mark) {
                fail(e);
                continue;
            }
            let ident = function.sig.ident.clone();
            if mark == "detect" {
                match attr.parse_args::<LitInt>().and_then(|lit| version(&lit)) {
                    Ok(version) => detectors.push(Detector {
                        version,
                        function: ident,
                        span: version.span,
                    }),
                    Err(e) => fail(e),
                }
                continue;
            }
            let mut from = None;
            let mut to = None;
            let parsed = attr.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(ToString::to_string);
                match key.as_deref() {
                    Some("from") => from = Some(version(&meta.value()?.parse()?)?),
                    Some("to") => to = Some(version(&meta.value()?.parse()?)?),
                    _ => return Err(meta.error("expected from or to")),
                }
                Ok(())
            });
            match (parsed, from) {
                (Err(e), _) => fail(e),
                (Ok(()), None) => fail(syn::Error::new(
                    span,
                    "a migration names the version it reads: #[migration(from = N)]",
                )),
                (Ok(()), Some(from)) => steps.push(Step {
                    to: to.unwrap_or(Version {
                        value: from.value.saturating_add(1),
                        span: from.span,
                    }),
                    from,
                    function: ident,
                    span: from.span,
                }),
            }
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    Ok(Block {
        item,
        current,
        base,
        attribute,
        steps,
        detectors,
    })
}

/// A step is `fn(Value) -> Result<Value, Errors>`, a detector
/// `fn(&Value) -> bool`: plain functions (the types themselves are
/// checked by the compiler where the plan names them).
fn signature(sig: &syn::Signature, mark: &str) -> syn::Result<()> {
    let shape = if mark == "detect" {
        "fn(item: &Value) -> bool"
    } else {
        "fn(item: Value) -> Result<Value, Errors>"
    };
    if let Some(asyncness) = sig.asyncness {
        return Err(syn::Error::new(
            asyncness.span(),
            format!("a #[{mark}] function is not async: {shape}"),
        ));
    }
    if let Some(FnArg::Receiver(receiver)) = sig.inputs.first() {
        return Err(syn::Error::new(
            receiver.span(),
            format!("a #[{mark}] function takes the item, not self: {shape}"),
        ));
    }
    if sig.inputs.len() != 1 || matches!(sig.output, ReturnType::Default) {
        return Err(syn::Error::new(
            sig.span(),
            format!("a #[{mark}] function is {shape}"),
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            sig.generics.span(),
            format!("a #[{mark}] function is not generic: {shape}"),
        ));
    }
    Ok(())
}
