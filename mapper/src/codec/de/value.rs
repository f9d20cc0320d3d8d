//! One stored attribute as a node of `validate`'s deserializer, held to
//! its check (if any) before anything of it is handed over.

use std::borrow::Cow;

use aws_sdk_dynamodb::types::AttributeValue;
use validate::Value;
use validate::de::{Node, Open};

use super::map::{Entries, Keys};
use super::refused;
use crate::codec::fast::{Check, Inner};
use crate::codec::{self, read_decimal};

/// An attribute where it lies, and the check it must pass. Lists, maps
/// and sorted string sets are walked where they lie, and the common
/// scalars read there; every other shape is read as a `Value` (one string
/// copy, as the raw client makes), so the rules are `validate`'s own.
#[derive(Clone, Copy)]
pub(super) struct De<'a> {
    pub(super) attribute: &'a AttributeValue,
    pub(super) check: Option<Check<'a>>,
}

impl<'a> De<'a> {
    /// An attribute already checked (by its report check).
    pub(super) fn trusted(attribute: &'a AttributeValue) -> De<'a> {
        De {
            attribute,
            check: None,
        }
    }

    /// Holds the attribute to its check, if it has one: the checks of its
    /// contents, or `Ok(None)` when it has none (checked already).
    #[inline(always)]
    fn held(&self) -> Result<Option<Inner<'a>>, validate::Error> {
        match self.check {
            None => Ok(None),
            Some(check) => check.stored(self.attribute).map(Some).ok_or_else(refused),
        }
    }

    /// The attribute as a `Value`, once it passed its check. Cold: the
    /// common shapes are read where they lie, and this keeps each
    /// visitor's code short.
    #[cold]
    #[inline(never)]
    fn read(&self) -> Result<Value, validate::Error> {
        codec::from_attribute(self.attribute).map_err(serde::de::Error::custom)
    }
}

impl<'a> Node<'a> for De<'a> {
    type Elements = Elements<'a>;
    type Entries = Entries<'a, Keys<'a>>;
    type Strings = Strings<'a>;

    /// Always inline: the deserializer's match on what it returns and
    /// this match on the attribute then fold into one, as a hand-written
    /// deserializer would have it (callgrind: the load path 1.8% fewer
    /// instructions than with the call).
    #[inline(always)]
    fn open(self) -> Result<Open<'a, De<'a>>, validate::Error> {
        let inner = self.held()?;
        Ok(match self.attribute {
            AttributeValue::L(items) => Open::List(Elements {
                items: items.iter(),
                check: match inner {
                    Some(Inner::Elements(check)) => Some(check),
                    _ => None,
                },
            }),
            AttributeValue::M(map) => Open::Map(Entries::new(
                Keys(map.iter()),
                match inner {
                    Some(Inner::Entries(check)) => Some(check),
                    _ => None,
                },
            )),
            // Already as a `Set` keeps it (sorted, unique): walked where it
            // lies, each element read as the `Value` path reads it.
            AttributeValue::Ss(set) if set.is_sorted_by(|a, b| a < b) => {
                Open::Strings(Strings(set.iter()))
            }
            AttributeValue::S(s) => Open::Str(s),
            AttributeValue::N(text) => match text.parse::<i64>() {
                // What the `Value` path gives an integer that fits an i64.
                Ok(i) => Open::Int(i),
                Err(_) => Open::Value(self.read()?),
            },
            _ => Open::Value(self.read()?),
        })
    }

    fn value(self) -> Result<Value, validate::Error> {
        self.held()?;
        self.read()
    }

    /// Read once, and checked as the integer it reads as.
    #[inline]
    fn int(&self) -> Result<Option<i64>, validate::Error> {
        match self.attribute {
            AttributeValue::N(text) if let Ok(i) = text.parse::<i64>() => match self.check {
                Some(check) if !check.int(i) => Err(refused()),
                _ => Ok(Some(i)),
            },
            _ => Ok(None),
        }
    }

    #[inline]
    fn float(&self) -> Result<Option<f64>, validate::Error> {
        match self.attribute {
            AttributeValue::N(text) if let Some(f) = read_decimal(text) => {
                self.held()?;
                Ok(Some(f))
            }
            _ => Ok(None),
        }
    }

    fn digits(&self) -> Result<Option<Cow<'a, str>>, validate::Error> {
        match self.attribute {
            AttributeValue::N(text) => {
                self.held()?;
                Ok(Some(Cow::Borrowed(text)))
            }
            _ => Ok(None),
        }
    }

    #[inline]
    fn is_null(&self) -> Result<bool, validate::Error> {
        match self.attribute {
            AttributeValue::Null(_) => {
                self.held()?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    #[inline]
    fn is_binary(&self) -> bool {
        matches!(self.attribute, AttributeValue::B(_))
    }

    /// Nothing, once checked: every attribute passes its check, read or not.
    fn skip(self) -> Result<(), validate::Error> {
        if self.check.is_some() {
            validate::de::read_whole(self)?;
        }
        Ok(())
    }
}

/// A list's elements, each with the element check (if the list has one).
pub(super) struct Elements<'a> {
    items: std::slice::Iter<'a, AttributeValue>,
    check: Option<Check<'a>>,
}

impl<'a> Iterator for Elements<'a> {
    type Item = De<'a>;
    fn next(&mut self) -> Option<De<'a>> {
        let check = self.check;
        self.items.next().map(|attribute| De { attribute, check })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl ExactSizeIterator for Elements<'_> {}

/// A string set's elements (checked whole before the first is handed
/// over).
pub(super) struct Strings<'a>(std::slice::Iter<'a, String>);

impl<'a> Iterator for Strings<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        self.0.next().map(String::as_str)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Strings<'_> {}
