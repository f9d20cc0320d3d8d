//! Guards: the schema's rules on values an update computes inside
//! DynamoDB — a number moved by a delta, a list appended to, a set grown or
//! shrunk. Only DynamoDB sees the stored value, so each rule becomes part
//! of the update's condition (`n <= :max_minus_delta`, `size(l) <= :room`)
//! and DynamoDB refuses a write that would break it, atomically. When it
//! does, the stored item it hands back tells which rule, for the error.

use std::ops::Bound;

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{ErrorKind, Errors, Lengths, Number, NumberRule, Validator, Value, Violation};

use crate::codec;
use crate::expr::{Action, AttrPath, PathStep, Placeholders, SetOperand, SetValue, Update};

/// One rule an update must keep at one path.
#[derive(Debug)]
pub(crate) struct Guard {
    /// The stored value the condition reads.
    path: AttrPath,
    /// The attribute whose rule it keeps, named when it would break
    /// (`path` itself but for a copy, where `path` is the source).
    rule_of: AttrPath,
    kind: GuardKind,
}

#[derive(Debug)]
enum GuardKind {
    /// The stored number plus `delta` keeps `rule`: the stored number
    /// within `stored` (the rule's bounds shifted by `-delta`). `absent`
    /// is the result when the attribute is absent (`if_not_exists`, ADD).
    Number {
        delta: Number,
        rule: NumberRule,
        stored: Vec<(Bound<Number>, Bound<Number>)>,
        absent: Option<Number>,
    },
    /// The stored collection, changed by `delta` elements at the most
    /// (a set may already hold some added elements, or lack some removed
    /// ones, so the guard is conservative), keeps `lengths`. `absent` is
    /// the length when the attribute is absent.
    Size {
        delta: isize,
        lengths: Lengths,
        absent: Option<usize>,
    },
    /// The list holds an element at `index`: a `SET list[i]` past the end
    /// would append, growing the list past its `lengths`.
    Within { index: usize, lengths: Lengths },
}

/// The guards `update` needs, from the validators `target` finds for its
/// paths (`None`: an attribute the schema does not check). An action
/// whose result cannot be guarded (arithmetic on an attribute whose rule
/// is not a plain number rule, an integer moved by a fraction) is
/// recorded in `errors`. The version attribute, when there is one, is
/// kept within `i64`.
pub(crate) fn derive<'a>(
    update: &Update,
    target: impl Fn(&AttrPath) -> Option<&'a Validator>,
    version: Option<&str>,
    errors: &mut Errors,
) -> Vec<Guard> {
    let mut guards = Vec::new();
    for action in update.actions() {
        // A list element set or removed changes the list's length when the
        // index is past its end (SET appends) or not (REMOVE shrinks it).
        if let Some((list, PathStep::Index(index))) = action.path().parent() {
            let change = match action {
                Action::Remove(_) => Some(Effect::Size(-1, None)),
                Action::Set(..) => Some(Effect::Within(*index)),
                _ => None,
            };
            if let Some(change) = change {
                keep(&mut guards, &list, change, &target, version, errors);
            }
        }
        let (path, change) = match action {
            Action::Set(path, SetValue::Plus(a, b)) => (path, arithmetic(path, a, b, false)),
            Action::Set(path, SetValue::Minus(a, b)) => (path, arithmetic(path, a, b, true)),
            Action::Add(path, Value::Number(n)) => (path, Effect::Number(*n, Some(Number::ZERO))),
            Action::Add(path, set) if set.is_set() => (path, Effect::Size(count(set), Some(0))),
            Action::Delete(path, set) => (path, Effect::Size(-count(set), None)),
            Action::Set(path, SetValue::ListAppend(a, b)) => (path, appended(path, a, b)),
            // A value copied from another attribute (SET a = b, or
            // if_not_exists(b, v)): b's stored value must keep a's rules.
            Action::Set(path, SetValue::Operand(SetOperand::Path(from))) if from != path => {
                (path, Effect::Copied(from.clone(), None, target(from)))
            }
            Action::Set(path, SetValue::Operand(SetOperand::IfNotExists(from, v)))
                if from != path =>
            {
                let absent = match v {
                    Value::Number(n) => Some(*n),
                    _ => None,
                };
                (path, Effect::Copied(from.clone(), absent, target(from)))
            }
            _ => continue,
        };
        keep(&mut guards, path, change, &target, version, errors);
    }
    guards
}

/// The guard that keeps the rule of the value at `path` (its validator
/// from `target`) through `change`, pushed onto `guards`; or the reason
/// none can, in `errors`.
fn keep<'a>(
    guards: &mut Vec<Guard>,
    path: &AttrPath,
    change: Effect<'a>,
    target: &impl Fn(&AttrPath) -> Option<&'a Validator>,
    version: Option<&str>,
    errors: &mut Errors,
) {
    let Some(validator) = target(path) else {
        return;
    };
    let fail = |errors: &mut Errors, kind, message: String| {
        errors.push_violation(Violation {
            path: path.to_validate_path(),
            kind,
            message: message.into(),
        });
    };
    let (path, rule_of) = (path.clone(), path.clone());
    match change {
        Effect::Number(delta, absent) => {
            let Some(mut rule) = validator.number_rule() else {
                fail(
                    errors,
                    ErrorKind::Custom("unchecked_update".into()),
                    "the schema's rule for this attribute cannot be checked on a value computed by DynamoDB; set the value instead".to_owned(),
                );
                return;
            };
            if rule.integer && !delta.is_integer() {
                fail(
                    errors,
                    ErrorKind::Type,
                    format!("an integer attribute cannot move by {delta}"),
                );
                return;
            }
            if version == Some(path.top()) && path.is_top() {
                rule.bounds
                    .push(validate::IntoBounds::into_bounds(i64::MIN..=i64::MAX));
            }
            if rule.bounds.is_empty() {
                return;
            }
            let Some(stored) = shifted(&rule, delta) else {
                fail(
                    errors,
                    ErrorKind::Range,
                    format!("moving by {delta} leaves DynamoDB's number range"),
                );
                return;
            };
            guards.push(Guard {
                path,
                rule_of,
                kind: GuardKind::Number {
                    delta,
                    rule,
                    stored,
                    absent: absent.and_then(|a| a.checked_add(delta)),
                },
            });
        }
        Effect::Size(delta, absent) => {
            let Some(lengths) = validator.collection_lengths() else {
                fail(
                    errors,
                    ErrorKind::Custom("unchecked_update".into()),
                    "the schema's rule for this collection cannot be checked on a value computed by DynamoDB; set the value instead".to_owned(),
                );
                return;
            };
            if lengths.min() == 0 && lengths.max().is_none() {
                return;
            }
            guards.push(Guard {
                path,
                rule_of,
                kind: GuardKind::Size {
                    delta,
                    lengths,
                    absent: absent.map(|a| a.saturating_add_signed(delta)),
                },
            });
        }
        Effect::Within(index) => {
            if let Some(lengths) = validator.collection_lengths()
                && lengths.max().is_some()
            {
                guards.push(Guard {
                    path,
                    rule_of,
                    kind: GuardKind::Within { index, lengths },
                });
            }
        }
        Effect::Copied(from, absent, source) => {
            let Some(rule) = validator.number_rule() else {
                if !unconstrained(validator) {
                    fail(
                        errors,
                        ErrorKind::Custom("unchecked_update".into()),
                        format!(
                            "the value copied from {from} cannot be checked against this attribute's rules; read it and set the value instead"
                        ),
                    );
                }
                return;
            };
            if rule.integer
                && !source
                    .and_then(Validator::number_rule)
                    .is_some_and(|r| r.integer)
            {
                fail(
                    errors,
                    ErrorKind::Type,
                    format!("{from} may hold a fraction; this attribute is an integer"),
                );
                return;
            }
            if rule.bounds.is_empty() {
                return;
            }
            let Some(stored) = shifted(&rule, Number::ZERO) else {
                return;
            };
            guards.push(Guard {
                path: from,
                rule_of,
                kind: GuardKind::Number {
                    delta: Number::ZERO,
                    rule,
                    stored,
                    absent,
                },
            });
        }
        Effect::Unguarded => {
            if validator
                .number_rule()
                .is_none_or(|r| !r.bounds.is_empty() || r.integer)
            {
                fail(
                    errors,
                    ErrorKind::Custom("unchecked_update".into()),
                    "the schema's rule for this attribute can be kept only for `path + value` or `path - value`; set the value instead".to_owned(),
                );
            }
        }
    }
}

/// Whether `validator` accepts every value of its type unchanged (a copy
/// of any value of that type keeps it).
fn unconstrained(validator: &Validator) -> bool {
    use validate::plain::Plain;
    match validator.plain() {
        Some(Plain::Number | Plain::Bool | Plain::Null) => true,
        Some(Plain::Int { min, max }) => *min == i64::MIN && *max == i64::MAX,
        Some(Plain::Str(text)) => text.is_any(),
        _ => false,
    }
}

/// What an action does to the stored value at its path.
enum Effect<'a> {
    /// Adds the number; the result for an absent attribute.
    Number(Number, Option<Number>),
    /// Changes the length by at most this; the length for an absent one.
    Size(isize, Option<usize>),
    /// Sets a list element at this index.
    Within(usize),
    /// Copies the value at the path (or, when it is absent, the number),
    /// whose own validator is given.
    Copied(AttrPath, Option<Number>, Option<&'a Validator>),
    /// Something a guard cannot follow.
    Unguarded,
}

fn count(set: &Value) -> isize {
    let n = match set {
        Value::StringSet(s) => s.len(),
        Value::NumberSet(s) => s.len(),
        Value::BinarySet(s) => s.len(),
        _ => 0,
    };
    isize::try_from(n).unwrap_or(isize::MAX)
}

/// `path ± value` (either order for `+`), with `path` itself or
/// `if_not_exists(path, start)` on its side.
fn arithmetic(path: &AttrPath, a: &SetOperand, b: &SetOperand, minus: bool) -> Effect<'static> {
    let itself = |o: &SetOperand| match o {
        SetOperand::Path(p) if p == path => Some(None),
        SetOperand::IfNotExists(p, Value::Number(start)) if p == path => Some(Some(*start)),
        _ => None,
    };
    let number = |o: &SetOperand| match o {
        SetOperand::Value(Value::Number(n)) => Some(*n),
        _ => None,
    };
    let (start, delta) = match (itself(a), number(b), itself(b), number(a)) {
        (Some(start), Some(d), _, _) if minus => (start, Number::ZERO.checked_sub(d)),
        (Some(start), Some(d), _, _) => (start, Some(d)),
        (_, _, Some(start), Some(d)) if !minus => (start, Some(d)),
        _ => return Effect::Unguarded,
    };
    match delta {
        Some(delta) => Effect::Number(delta, start),
        None => Effect::Unguarded,
    }
}

/// `list_append` of `path` (or `if_not_exists(path, start)`) and a list.
fn appended(path: &AttrPath, a: &SetOperand, b: &SetOperand) -> Effect<'static> {
    let itself = |o: &SetOperand| match o {
        SetOperand::Path(p) if p == path => Some(None),
        SetOperand::IfNotExists(p, Value::List(start)) if p == path => Some(Some(start.len())),
        _ => None,
    };
    let items = |o: &SetOperand| match o {
        SetOperand::Value(Value::List(items)) => isize::try_from(items.len()).ok(),
        _ => None,
    };
    match (itself(a), items(b), itself(b), items(a)) {
        (Some(start), Some(n), _, _) | (_, _, Some(start), Some(n)) => Effect::Size(n, start),
        _ => Effect::Unguarded,
    }
}

/// The rule's bounds shifted by `-delta`: what the stored number must be.
fn shifted(rule: &NumberRule, delta: Number) -> Option<Vec<(Bound<Number>, Bound<Number>)>> {
    let shift = |b: Bound<&Number>| -> Option<Bound<Number>> {
        Some(match b {
            Bound::Included(n) => Bound::Included(n.checked_sub(delta)?),
            Bound::Excluded(n) => Bound::Excluded(n.checked_sub(delta)?),
            Bound::Unbounded => Bound::Unbounded,
        })
    };
    rule.bounds
        .iter()
        .map(|b| Some((shift(b.low())?, shift(b.high())?)))
        .collect()
}

impl Guard {
    /// The condition that keeps the rule, placeholders only.
    pub(crate) fn condition(&self, p: &mut Placeholders) -> String {
        let path = self.path.render(p);
        let mut number = |n: Number| p.value(AttributeValue::N(codec::number_text(n)));
        let (mut parts, absent_ok) = match &self.kind {
            GuardKind::Number {
                rule,
                stored,
                absent,
                ..
            } => {
                let mut parts = Vec::new();
                for (low, high) in stored {
                    match low {
                        Bound::Included(l) => parts.push(format!("{path} >= {}", number(*l))),
                        Bound::Excluded(l) => parts.push(format!("{path} > {}", number(*l))),
                        Bound::Unbounded => {}
                    }
                    match high {
                        Bound::Included(h) => parts.push(format!("{path} <= {}", number(*h))),
                        Bound::Excluded(h) => parts.push(format!("{path} < {}", number(*h))),
                        Bound::Unbounded => {}
                    }
                }
                (parts, absent.is_some_and(|a| rule.allows(&a)))
            }
            GuardKind::Size {
                delta,
                lengths,
                absent,
            } => {
                let mut parts = Vec::new();
                let mut size = |op: &str, n: usize| {
                    let v = p.value(AttributeValue::N(n.to_string()));
                    parts.push(format!("size({path}) {op} {v}"));
                };
                // Growing can only break the upper bound, shrinking the lower.
                if *delta >= 0 {
                    if let Some(max) = lengths.max() {
                        size("<=", max.saturating_sub(delta.unsigned_abs()));
                    }
                    let min = lengths.min().saturating_sub(delta.unsigned_abs());
                    if min > 0 {
                        size(">=", min);
                    }
                } else {
                    size(">=", lengths.min().saturating_add(delta.unsigned_abs()));
                }
                (parts, absent.is_none_or(|a| lengths.fits(a)))
            }
            GuardKind::Within { index, .. } => {
                let v = p.value(AttributeValue::N(index.to_string()));
                (vec![format!("size({path}) > {v}")], false)
            }
        };
        if parts.is_empty() {
            parts.push(format!("attribute_exists({path})"));
        }
        let kept = parts.join(" AND ");
        if absent_ok {
            format!("(attribute_not_exists({path}) OR ({kept}))")
        } else {
            format!("({kept})")
        }
    }

    /// Records in `errors` the rule this update would break on `stored`
    /// (the item as it was when DynamoDB refused the condition).
    pub(crate) fn broken(&self, stored: &codec::Attributes, errors: &mut Errors) {
        let old = at(stored, &self.path);
        let (kind, message) = match &self.kind {
            GuardKind::Number {
                delta,
                rule,
                absent,
                ..
            } => {
                let new = match old {
                    Some(AttributeValue::N(text)) => text
                        .parse::<Number>()
                        .ok()
                        .and_then(|old| old.checked_add(*delta)),
                    None => *absent,
                    Some(_) => None,
                };
                match new {
                    Some(new) if !rule.allows(&new) => {
                        let bounds: Vec<String> =
                            rule.bounds.iter().map(ToString::to_string).collect();
                        (
                            ErrorKind::Range,
                            format!(
                                "the update would make it {new}, out of range {}",
                                bounds.join(" and ")
                            ),
                        )
                    }
                    _ => return,
                }
            }
            GuardKind::Size {
                delta,
                lengths,
                absent,
            } => {
                let len = match old {
                    Some(AttributeValue::L(l)) => Some(l.len()),
                    Some(AttributeValue::Ss(s)) => Some(s.len()),
                    Some(AttributeValue::Ns(s)) => Some(s.len()),
                    Some(AttributeValue::Bs(s)) => Some(s.len()),
                    _ => None,
                };
                let new = match (old, len) {
                    (None, _) => *absent,
                    (Some(_), len) => len.map(|l| l.saturating_add_signed(*delta)),
                };
                match new {
                    Some(new) if !lengths.fits(new) => (
                        ErrorKind::Length,
                        format!("the update could make its length {new}, out of range {lengths}"),
                    ),
                    _ => return,
                }
            }
            GuardKind::Within { index, lengths } => match old {
                Some(AttributeValue::L(list)) if list.len() <= *index => (
                    ErrorKind::Length,
                    format!(
                        "index {index} is past the end of the list (length {}): DynamoDB would append, and the list may not grow past {lengths}",
                        list.len()
                    ),
                ),
                None => (
                    ErrorKind::Length,
                    format!("no list to set element {index} of"),
                ),
                _ => return,
            },
        };
        errors.push_violation(Violation {
            path: self.rule_of.to_validate_path(),
            kind,
            message: message.into(),
        });
    }
}

/// The value at `path` in a stored item.
fn at<'a>(item: &'a codec::Attributes, path: &AttrPath) -> Option<&'a AttributeValue> {
    let mut value = item.get(path.top())?;
    for step in path.steps() {
        value = match (step, value) {
            (PathStep::Name(name), AttributeValue::M(map)) => map.get(name)?,
            (PathStep::Index(i), AttributeValue::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}
