//! [`View`]: a read-only look at a value held elsewhere (a DynamoDB
//! attribute, say), so that [`Validator::accepts`](crate::Validator::accepts)
//! can vouch for it without building a [`Value`] first.

use crate::number::Number;
use crate::value::{Value, ValueType};

/// A value seen where it lies. Implement it for a foreign representation
/// to ask [`Validator::accepts`](crate::Validator::accepts) whether that
/// representation, read as a [`Value`], would pass unchanged.
///
/// ```
/// use validate::{Value, View, ValueType, int};
/// let seven = Value::from(7);
/// assert_eq!(seven.value_type_seen(), Some(ValueType::Number));
/// assert!(int().range(1..=9).accepts(&seven));
/// ```
pub trait View {
    /// The type the value reads as, or `None` when it cannot be read as a
    /// [`Value`] at all (a malformed number, an unknown type).
    fn value_type_seen(&self) -> Option<ValueType>;
    /// The text of a string.
    fn str_seen(&self) -> Option<&str>;
    /// A number (read, for a foreign representation that keeps text).
    fn number_seen(&self) -> Option<Number>;
    /// A boolean.
    fn bool_seen(&self) -> Option<bool>;
    /// The bytes of a binary value.
    fn bytes_seen(&self) -> Option<&[u8]>;
    /// How many elements a list or set has, or entries a map; 0 otherwise.
    fn len_seen(&self) -> usize;
    /// Calls `f` on each element of a list or set, in order, until it
    /// returns `false`; whether every call returned `true`.
    fn all_elements(&self, f: &mut dyn FnMut(&dyn View) -> bool) -> bool;
    /// Calls `f` on each entry of a map until it returns `false`; whether
    /// every call returned `true`.
    fn all_entries(&self, f: &mut dyn FnMut(&str, &dyn View) -> bool) -> bool;
}

/// How deep lists and maps nest in `view` (as [`Value::nesting`]), or
/// `None` when some part cannot be read.
pub(crate) fn nesting(view: &dyn View) -> Option<u32> {
    let mut deepest = 0;
    let readable = match view.value_type_seen()? {
        ValueType::List => {
            view.all_elements(&mut |e| nesting(e).map(|n| deepest = deepest.max(n)).is_some())
        }
        ValueType::Map => {
            view.all_entries(&mut |_, e| nesting(e).map(|n| deepest = deepest.max(n)).is_some())
        }
        ValueType::NumberSet => {
            return view
                .all_elements(&mut |e| e.number_seen().is_some())
                .then_some(0);
        }
        _ => return Some(0),
    };
    readable.then_some(deepest + 1)
}

/// Whether `view` reads as exactly `value`: `None` when that is not
/// worked out here (maps and sets of the same type).
pub(crate) fn seen_equal(view: &dyn View, value: &Value) -> Option<bool> {
    if view.value_type_seen()? != value.value_type() {
        return Some(false);
    }
    Some(match value {
        Value::String(s) => view.str_seen() == Some(s.as_str()),
        Value::Number(n) => view.number_seen() == Some(*n),
        Value::Bool(b) => view.bool_seen() == Some(*b),
        Value::Null => true,
        Value::Binary(b) => view.bytes_seen() == Some(b.as_slice()),
        Value::List(items) => {
            if view.len_seen() != items.len() {
                return Some(false);
            }
            let mut expected = items.iter();
            let mut all = Some(true);
            view.all_elements(&mut |e| match expected.next().map(|v| seen_equal(e, v)) {
                Some(Some(true)) => true,
                Some(Some(false)) => {
                    all = Some(false);
                    false
                }
                _ => {
                    all = None;
                    false
                }
            });
            return all;
        }
        _ => return None,
    })
}

impl View for Value {
    fn value_type_seen(&self) -> Option<ValueType> {
        Some(self.value_type())
    }
    fn str_seen(&self) -> Option<&str> {
        self.as_str()
    }
    fn number_seen(&self) -> Option<Number> {
        self.as_number().copied()
    }
    fn bool_seen(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn bytes_seen(&self) -> Option<&[u8]> {
        match self {
            Value::Binary(b) => Some(b),
            _ => None,
        }
    }
    fn len_seen(&self) -> usize {
        match self {
            Value::List(items) => items.len(),
            Value::Map(map) => map.len(),
            Value::StringSet(s) => s.len(),
            Value::NumberSet(s) => s.len(),
            Value::BinarySet(s) => s.len(),
            _ => 0,
        }
    }
    fn all_elements(&self, f: &mut dyn FnMut(&dyn View) -> bool) -> bool {
        match self {
            Value::List(items) => items.iter().all(|v| f(v)),
            Value::StringSet(s) => s.iter().all(|e| f(&Seen::Str(e))),
            Value::NumberSet(s) => s.iter().all(|n| f(&Seen::Number(*n))),
            Value::BinarySet(s) => s.iter().all(|b| f(&Seen::Bytes(b))),
            _ => true,
        }
    }
    fn all_entries(&self, f: &mut dyn FnMut(&str, &dyn View) -> bool) -> bool {
        match self {
            Value::Map(map) => map.iter().all(|(k, v)| f(k, v)),
            _ => true,
        }
    }
}

/// A scalar seen on its own: a set element, a map key.
#[derive(Clone, Copy, Debug)]
pub enum Seen<'a> {
    /// A string.
    Str(&'a str),
    /// A number.
    Number(Number),
    /// Binary.
    Bytes(&'a [u8]),
}

impl View for Seen<'_> {
    fn value_type_seen(&self) -> Option<ValueType> {
        Some(match self {
            Seen::Str(_) => ValueType::String,
            Seen::Number(_) => ValueType::Number,
            Seen::Bytes(_) => ValueType::Binary,
        })
    }
    fn str_seen(&self) -> Option<&str> {
        match self {
            Seen::Str(s) => Some(s),
            _ => None,
        }
    }
    fn number_seen(&self) -> Option<Number> {
        match self {
            Seen::Number(n) => Some(*n),
            _ => None,
        }
    }
    fn bool_seen(&self) -> Option<bool> {
        None
    }
    fn bytes_seen(&self) -> Option<&[u8]> {
        match self {
            Seen::Bytes(b) => Some(b),
            _ => None,
        }
    }
    fn len_seen(&self) -> usize {
        0
    }
    fn all_elements(&self, _: &mut dyn FnMut(&dyn View) -> bool) -> bool {
        true
    }
    fn all_entries(&self, _: &mut dyn FnMut(&str, &dyn View) -> bool) -> bool {
        true
    }
}
