//! String rules: `matches`, `sub`, and case and whitespace transforms.

use std::sync::Arc;

use regex::Regex;
use regex_automata::Input;
use regex_automata::dfa::{Automaton, StartKind, dense};

use super::{Failed, Outcome, Rule, Step, Validator, type_error};
use crate::error::{ErrorKind, Errors, Message};
use crate::path::PathNode;
use crate::value::{Value, ValueType};

fn compile(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(regex) => regex,
        Err(e) => panic!("invalid pattern {pattern:?}: {e}"),
    }
}

/// Requires a string that `pattern` matches. The pattern is searched, as
/// `Regex::is_match` does: anchor it with `^…$` to match the whole string.
///
/// # Panics
/// If `pattern` is not a valid regular expression (a programming error).
pub fn matches(pattern: &str) -> Validator {
    Validator::step(Step::Pattern(Pattern::new(pattern)))
}

/// Largest DFA kept for a pattern; bigger patterns use the `regex` engine alone.
const DFA_LIMIT: usize = 1 << 20;

/// A compiled pattern. Short strings (keys, codes, names) dominate item
/// validation, and for those a fully compiled DFA answers several times
/// faster than `Regex::is_match`'s general machinery; patterns it cannot
/// take (Unicode word boundaries, huge automata) use `Regex` alone.
#[derive(Clone)]
pub(crate) struct Pattern {
    regex: Regex,
    source: Arc<str>,
    dfa: Option<Arc<dense::DFA<Vec<u32>>>>,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pattern({})", self.source)
    }
}

impl Pattern {
    fn new(pattern: &str) -> Pattern {
        let regex = compile(pattern);
        let dfa = dense::Builder::new()
            .configure(
                dense::DFA::config()
                    .start_kind(StartKind::Unanchored)
                    .dfa_size_limit(Some(DFA_LIMIT))
                    .determinize_size_limit(Some(DFA_LIMIT)),
            )
            .build(pattern)
            .ok()
            .map(Arc::new);
        Pattern {
            source: Arc::from(regex.as_str()),
            regex,
            dfa,
        }
    }

    #[inline]
    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        if let Some(dfa) = &self.dfa
            && let Some(found) = dfa_is_match(dfa, haystack)
        {
            return found;
        }
        self.regex.is_match(haystack)
    }
}

/// Runs the DFA byte by byte, stopping at the first match state (DFA match
/// states trail the match by one byte, which `is_match` does not care
/// about). `None` when the DFA quits (a byte it cannot decide on).
#[inline]
fn dfa_is_match(dfa: &dense::DFA<Vec<u32>>, haystack: &str) -> Option<bool> {
    let mut state = dfa.start_state_forward(&Input::new(haystack)).ok()?;
    for &byte in haystack.as_bytes() {
        state = dfa.next_state(state, byte);
        if dfa.is_special_state(state) {
            if dfa.is_match_state(state) {
                return Some(true);
            }
            if dfa.is_dead_state(state) {
                return Some(false);
            }
            if dfa.is_quit_state(state) {
                return None;
            }
        }
    }
    Some(dfa.is_match_state(dfa.next_eoi_state(state)))
}

#[inline]
pub(crate) fn check_pattern(
    pattern: &Pattern,
    value: &mut Value,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    let Value::String(s) = value else {
        return type_error("a string", value, path, errors);
    };
    check_str_pattern(pattern, s, path, errors)
}

#[inline]
pub(crate) fn check_str_pattern(
    pattern: &Pattern,
    s: &str,
    path: &PathNode<'_>,
    errors: &mut Errors,
) -> Outcome {
    if pattern.is_match(s) {
        return Ok(());
    }
    errors.push(
        path,
        ErrorKind::Pattern,
        Message::no_match(s, &pattern.source),
    );
    Err(Failed)
}

struct Sub {
    regex: Regex,
    replacement: String,
}

impl Rule for Sub {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let Value::String(s) = value else {
            return type_error("a string", value, path, errors);
        };
        if let std::borrow::Cow::Owned(replaced) =
            self.regex.replace_all(s, self.replacement.as_str())
        {
            *s = replaced;
        }
        Ok(())
    }

    fn output_type(&self) -> Option<ValueType> {
        Some(ValueType::String)
    }
}

/// Replaces every match of `pattern` in a string with `replacement`
/// (`$1`, `$name` expand to groups).
///
/// # Panics
/// If `pattern` is not a valid regular expression (a programming error).
pub fn sub(pattern: &str, replacement: &str) -> Validator {
    Validator::rule(Sub {
        regex: compile(pattern),
        replacement: replacement.to_owned(),
    })
}

struct Transform(fn(&str) -> Option<String>);

impl Rule for Transform {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let Value::String(s) = value else {
            return type_error("a string", value, path, errors);
        };
        if let Some(changed) = (self.0)(s) {
            *s = changed;
        }
        Ok(())
    }

    fn output_type(&self) -> Option<ValueType> {
        Some(ValueType::String)
    }
}

/// Lower-cases a string.
pub fn lower() -> Validator {
    Validator::rule(Transform(|s| {
        (s.chars().any(char::is_uppercase)).then(|| s.to_lowercase())
    }))
}

/// Upper-cases a string.
pub fn upper() -> Validator {
    Validator::rule(Transform(|s| {
        (s.chars().any(char::is_lowercase)).then(|| s.to_uppercase())
    }))
}

/// Title-cases a string as Python's `str.title`: each run of letters starts
/// upper-case and continues lower-case (`"doom MAP"` → `"Doom Map"`).
pub fn title() -> Validator {
    Validator::rule(Transform(|s| {
        let mut out = String::with_capacity(s.len());
        let mut in_word = false;
        for c in s.chars() {
            if c.is_alphabetic() {
                if in_word {
                    out.extend(c.to_lowercase());
                } else {
                    out.extend(c.to_uppercase());
                }
                in_word = true;
            } else {
                out.push(c);
                in_word = false;
            }
        }
        (out != s).then_some(out)
    }))
}

/// Capitalizes a string as Python's `str.capitalize`: first character
/// upper-case, the rest lower-case.
pub fn capitalize() -> Validator {
    Validator::rule(Transform(|s| {
        let mut chars = s.chars();
        let out: String = match chars.next() {
            Some(first) => first
                .to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect(),
            None => String::new(),
        };
        (out != s).then_some(out)
    }))
}

/// Trims whitespace at both ends.
pub fn strip() -> Validator {
    Validator::rule(Transform(|s| {
        let trimmed = s.trim();
        (trimmed.len() != s.len()).then(|| trimmed.to_owned())
    }))
}
