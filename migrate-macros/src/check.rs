//! The plan checked at compile time by the engine's own rule
//! ([`migrate::Plan::check`]), its mistake pointed at its span.

use migrate::{Culprit, Plan};

use crate::parse::Block;

/// Builds the plan's shape (versions only) and checks it.
pub(crate) fn plan(block: &Block) -> syn::Result<()> {
    let mut plan = Plan::new(block.current.value);
    if let Some(base) = block.base {
        plan = plan.base(base.value);
    }
    for step in &block.steps {
        plan = plan.step(step.from.value, step.to.value, name(&step.function), Ok);
    }
    for detector in &block.detectors {
        plan = plan.detect(detector.version.value, name(&detector.function), |_| false);
    }
    let Err(migrate::Error::Plan { message, culprit }) = plan.check() else {
        return Ok(());
    };
    let span = match culprit {
        Culprit::Current => block.current.span,
        Culprit::Base => block.base.map_or(block.current.span, |b| b.span),
        Culprit::Step(i) => block.steps.get(i).map_or(block.current.span, |s| s.span),
        Culprit::Detector(i) => block
            .detectors
            .get(i)
            .map_or(block.current.span, |d| d.span),
    };
    Err(syn::Error::new(span, format!("migration plan: {message}")))
}

/// A function's name as the plan's messages show it (a compile-time
/// plan lives as long as the macro run).
fn name(function: &syn::Ident) -> &'static str {
    Box::leak(function.to_string().into_boxed_str())
}
