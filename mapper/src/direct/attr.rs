//! An attribute as a [`View`]: what validators see of it, where it lies.

use aws_sdk_dynamodb::types::AttributeValue;
use validate::{Number, Seen, ValueType, View};

/// An attribute seen as a value. Numbers are read once, when seen.
#[derive(Clone, Copy)]
pub(super) enum Attr<'a> {
    Whole(&'a AttributeValue),
    Number(Number),
}

impl<'a> Attr<'a> {
    /// `None` for a number DynamoDB should never have stored.
    pub(super) fn of(attribute: &'a AttributeValue) -> Option<Attr<'a>> {
        match attribute {
            // Most stored numbers are integers, which an i64 reads faster.
            AttributeValue::N(text) => match text.parse::<i64>() {
                Ok(i) => Some(Attr::Number(Number::from(i))),
                Err(_) => text.parse().ok().map(Attr::Number),
            },
            other => Some(Attr::Whole(other)),
        }
    }
}

impl View for Attr<'_> {
    fn value_type_seen(&self) -> Option<ValueType> {
        Some(match self {
            Attr::Number(_) => ValueType::Number,
            Attr::Whole(a) => match a {
                AttributeValue::Null(_) => ValueType::Null,
                AttributeValue::Bool(_) => ValueType::Bool,
                AttributeValue::S(_) => ValueType::String,
                AttributeValue::B(_) => ValueType::Binary,
                AttributeValue::L(_) => ValueType::List,
                AttributeValue::M(_) => ValueType::Map,
                AttributeValue::Ss(_) => ValueType::StringSet,
                AttributeValue::Ns(_) => ValueType::NumberSet,
                AttributeValue::Bs(_) => ValueType::BinarySet,
                _ => return None,
            },
        })
    }
    fn str_seen(&self) -> Option<&str> {
        match self {
            Attr::Whole(AttributeValue::S(s)) => Some(s),
            _ => None,
        }
    }
    fn number_seen(&self) -> Option<Number> {
        match self {
            Attr::Number(n) => Some(*n),
            Attr::Whole(_) => None,
        }
    }
    fn bool_seen(&self) -> Option<bool> {
        match self {
            Attr::Whole(AttributeValue::Bool(b)) => Some(*b),
            _ => None,
        }
    }
    fn bytes_seen(&self) -> Option<&[u8]> {
        match self {
            Attr::Whole(AttributeValue::B(b)) => Some(b.as_ref()),
            _ => None,
        }
    }
    fn len_seen(&self) -> usize {
        match self {
            Attr::Whole(AttributeValue::L(items)) => items.len(),
            Attr::Whole(AttributeValue::M(map)) => map.len(),
            Attr::Whole(AttributeValue::Ss(s) | AttributeValue::Ns(s)) => s.len(),
            Attr::Whole(AttributeValue::Bs(s)) => s.len(),
            _ => 0,
        }
    }
    fn all_elements(&self, f: &mut dyn FnMut(&dyn View) -> bool) -> bool {
        match self {
            Attr::Whole(AttributeValue::L(items)) => {
                items.iter().all(|a| Attr::of(a).is_some_and(|v| f(&v)))
            }
            Attr::Whole(AttributeValue::Ss(s)) => s.iter().all(|e| f(&Seen::Str(e))),
            Attr::Whole(AttributeValue::Ns(s)) => s
                .iter()
                .all(|e| e.parse().is_ok_and(|n| f(&Seen::Number(n)))),
            Attr::Whole(AttributeValue::Bs(s)) => s.iter().all(|b| f(&Seen::Bytes(b.as_ref()))),
            _ => true,
        }
    }
    fn all_entries(&self, f: &mut dyn FnMut(&str, &dyn View) -> bool) -> bool {
        match self {
            Attr::Whole(AttributeValue::M(map)) => map
                .iter()
                .all(|(k, a)| Attr::of(a).is_some_and(|v| f(k, &v))),
            _ => true,
        }
    }
}
