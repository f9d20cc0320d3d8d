//! Values checked as serde hands them over: the fast save holds each
//! value of a field to its validator's [`Plain`] form while it writes it
//! (an `i64` against its range before it becomes text, a `&str` against
//! its length before it is copied), so no attribute is read back
//! afterwards; the fast load holds each stored attribute to it as it
//! hands the attribute to the model's `Deserialize` ([`Check::stored`]),
//! so no attribute is walked twice.
//!
//! Only for fields whose plain form reaches every value inside them
//! ([`reaches_all`], [`reads_all`]); the others take their own report
//! path (`report.rs`: their validator on the value as a `Value`). A check
//! says no wherever the validator would not pass the value unchanged (and
//! in a few shapes it does not follow, such as a map key given twice),
//! and no sends the item to the report path, which decides and
//! reports.

use aws_sdk_dynamodb::types::AttributeValue;
use validate::plain::{Plain, Text};
use validate::{Lengths, MAX_NESTING, Number, Presence, Schema};

/// What a value must pass, and how deep it lies (as
/// [`PathNode::depth`](validate::PathNode::depth) counts: 1 for an
/// attribute of the item).
#[derive(Clone, Copy)]
pub(in crate::codec) struct Check<'p> {
    plain: &'p Plain,
    depth: u32,
}

impl<'p> Check<'p> {
    /// The check of an attribute of the item.
    pub(in crate::codec) fn attribute(plain: &'p Plain) -> Check<'p> {
        Check { plain, depth: 1 }
    }

    /// An integer, before it is written as text.
    pub(in crate::codec) fn int(self, v: i64) -> bool {
        match *self.plain {
            Plain::Int { min, max } => min <= v && v <= max,
            Plain::Number => true,
            _ => false,
        }
    }

    /// Any other number, as its text.
    pub(in crate::codec) fn number(self, text: &str) -> bool {
        number_fits(self.plain, text)
    }

    pub(in crate::codec) fn str(self, s: &str) -> bool {
        matches!(self.plain, Plain::Str(text) if text.fits(s))
    }

    pub(in crate::codec) fn bool(self) -> bool {
        matches!(self.plain, Plain::Bool)
    }

    pub(in crate::codec) fn null(self) -> bool {
        matches!(self.plain, Plain::Null)
    }

    pub(in crate::codec) fn bytes(self, len: usize) -> bool {
        matches!(self.plain, Plain::Bytes(lengths) if lengths.fits(len))
    }

    /// A list's length rule and its elements' check; `None` when no list
    /// passes here.
    pub(in crate::codec) fn list(self) -> Option<(Lengths, Check<'p>)> {
        match self.plain {
            Plain::List(lengths, item) if self.depth <= MAX_NESTING => Some((
                *lengths,
                Check {
                    plain: item.plain()?,
                    depth: self.depth + 1,
                },
            )),
            _ => None,
        }
    }

    /// A string set's size rule and its strings' checks; `None` when no
    /// string set passes here.
    pub(in crate::codec) fn str_set(self) -> Option<(Lengths, &'p Text)> {
        match self.plain {
            Plain::Set(lengths, item) => match item.plain()? {
                Plain::Str(text) => Some((*lengths, text)),
                _ => None,
            },
            _ => None,
        }
    }

    /// A map checked entry by entry; `None` when no map passes here.
    pub(in crate::codec) fn map(self) -> Option<MapCheck<'p>> {
        match self.plain {
            Plain::Map(schema) if self.depth <= MAX_NESTING => Some(MapCheck {
                schema,
                depth: self.depth + 1,
                needed: 0,
            }),
            _ => None,
        }
    }
}

impl<'p> Check<'p> {
    /// Holds a stored attribute to the check, as far as it lies at the
    /// top: a scalar whole, a set with its elements, a list or map by its
    /// length or kind, whose contents the returned [`Inner`] checks as
    /// they are read. `None` wherever the validator would not pass it
    /// unchanged.
    pub(in crate::codec) fn stored(self, attribute: &AttributeValue) -> Option<Inner<'p>> {
        let passes = match attribute {
            AttributeValue::L(items) => {
                let (lengths, item) = self.list()?;
                return lengths.fits(items.len()).then_some(Inner::Elements(item));
            }
            AttributeValue::M(_) => return self.map().map(Inner::Entries),
            AttributeValue::Ss(set) => {
                let (lengths, text) = self.str_set()?;
                !set.is_empty() && lengths.fits(set.len()) && set.iter().all(|s| text.fits(s))
            }
            AttributeValue::Ns(set) => match self.plain {
                Plain::Set(lengths, item) => {
                    let item = item.plain()?;
                    !set.is_empty()
                        && lengths.fits(set.len())
                        && set.iter().all(|n| number_fits(item, n))
                }
                _ => false,
            },
            // Binary sets are not read checked (`reads_all`): no scalar.
            _ => scalar_fits(self.plain, attribute),
        };
        passes.then_some(Inner::Done)
    }
}

/// What the contents of a stored attribute must pass, once the attribute
/// passed [`Check::stored`].
pub(in crate::codec) enum Inner<'p> {
    /// Nothing more: a scalar, or a set whose elements passed.
    Done,
    /// Each element of a list.
    Elements(Check<'p>),
    /// Each entry of a map.
    Entries(MapCheck<'p>),
}

/// A map under a [`Plain::Map`] check, entry by entry.
pub(in crate::codec) struct MapCheck<'p> {
    schema: &'p Schema,
    /// The depth of the map's values.
    depth: u32,
    /// The entries so far that the schema needs.
    needed: usize,
}

impl<'p> MapCheck<'p> {
    /// The check of the value at `key`, and whether the schema needs the
    /// key; `None` for a key the schema does not know.
    pub(in crate::codec) fn entry(&self, key: &str) -> Option<(Check<'p>, bool)> {
        let field = self.schema.get(key)?;
        let check = Check {
            plain: field.validator().plain()?,
            depth: self.depth,
        };
        Some((check, !matches!(field.presence(), Presence::Optional)))
    }

    /// Counts a key the schema needs as given (each key is given once).
    pub(in crate::codec) fn given(&mut self) {
        self.needed += 1;
    }

    /// Whether every key the schema needs was given.
    pub(in crate::codec) fn complete(&self) -> bool {
        self.needed == self.schema.needed_keys()
    }
}

/// Whether `plain` has the plain forms of every validator inside it, so
/// that values can be checked all the way down as they are written.
pub(crate) fn reaches_all(plain: &Plain) -> bool {
    plain_inside(plain, &reaches_all)
}

/// Whether `plain` has the plain forms of every validator inside it and
/// no binary set, so that stored values can be checked all the way down
/// as they are read ([`Check::stored`]).
pub(crate) fn reads_all(plain: &Plain) -> bool {
    plain_inside(plain, &|item| {
        matches!(item, Plain::Str(_) | Plain::Int { .. } | Plain::Number)
    })
}

/// Whether every validator inside `plain` has a plain form, a set's
/// elements' form passing `set_item`.
fn plain_inside(plain: &Plain, set_item: &dyn Fn(&Plain) -> bool) -> bool {
    let inside = |p: &Plain| plain_inside(p, set_item);
    match plain {
        Plain::List(_, item) => item.plain().is_some_and(inside),
        Plain::Set(_, item) => item.plain().is_some_and(set_item),
        Plain::Map(schema) => schema
            .fields()
            .all(|f| f.validator().plain().is_some_and(inside)),
        _ => true,
    }
}

/// A scalar attribute (string, number, boolean, null, binary) under
/// `plain`; `false` for a type the plain form does not take, and for
/// any other shape.
fn scalar_fits(plain: &Plain, attribute: &AttributeValue) -> bool {
    match (plain, attribute) {
        (Plain::Str(text), AttributeValue::S(s)) => text.fits(s),
        (_, AttributeValue::N(text)) => number_fits(plain, text),
        (Plain::Bool, AttributeValue::Bool(_)) | (Plain::Null, AttributeValue::Null(_)) => true,
        (Plain::Bytes(length), AttributeValue::B(b)) => length.fits(b.as_ref().len()),
        _ => false,
    }
}

/// A number's text under an `Int` or `Number` check.
#[inline]
fn number_fits(plain: &Plain, text: &str) -> bool {
    match *plain {
        Plain::Int { min, max } => int_fits(min, max, text),
        Plain::Number => is_number(text),
        _ => false,
    }
}

/// An integer within `min..=max`; text that is not an `i64` (a larger
/// integer, `1.0`) is left to the report path.
fn int_fits(min: i64, max: i64, text: &str) -> bool {
    text.parse::<i64>().is_ok_and(|i| min <= i && i <= max)
}

/// Text that reads as a [`Number`]. A plain decimal of at most 38 digits
/// always does, and is told apart without reading it.
fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let mut digits = 0;
    let mut points = 0;
    for b in unsigned.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return text.parse::<Number>().is_ok(),
        }
    }
    (1..=38).contains(&digits) && points <= 1 || text.parse::<Number>().is_ok()
}

#[cfg(test)]
mod tests {
    use validate::{Schema, int, list_of, maybe, number, set_of, str};

    use super::*;

    fn reaches(validator: &validate::Validator) -> bool {
        validator.plain().is_some_and(reaches_all)
    }

    #[test]
    fn only_validators_plain_all_the_way_down_are_checked_while_writing() {
        assert!(reaches(&int().range(0..)));
        assert!(reaches(&list_of(str().length(1..=3))));
        assert!(reaches(&set_of(str())));
        let nested = Schema::new()
            .required("unit", str().one_of(["C", "F"]))
            .optional("scale", list_of(int()));
        assert!(reaches(&nested.clone().into()));
        assert!(!reaches(&list_of(maybe(str()))), "an element without one");
        let deeper = Schema::new().required("inner", nested.required("odd", str().lower()));
        assert!(
            !reaches(&deeper.into()),
            "a normalizing rule two levels down"
        );
    }

    #[test]
    fn only_validators_plain_all_the_way_down_without_binary_sets_are_checked_while_reading() {
        let reads = |validator: &validate::Validator| validator.plain().is_some_and(reads_all);
        assert!(reads(&set_of(int().range(0..))));
        assert!(reads(&list_of(set_of(str().length(1..=3)))));
        let nested = Schema::new().required("codes", set_of(validate::bytes()));
        assert!(!reads(&nested.clone().into()), "a binary set inside");
        assert!(reaches(&nested.into()), "written checked all the same");
        assert!(
            !reads(&list_of(maybe(str()))),
            "an element without a plain form"
        );
    }

    #[test]
    fn checks_hold_written_values_to_the_plain_form() {
        let small = int().range(1..=9);
        let Some(plain) = small.plain() else {
            panic!("int() has a plain form")
        };
        let check = Check::attribute(plain);
        assert!(check.int(9) && !check.int(10) && !check.int(0));
        assert!(check.number("3") && !check.number("3.5"));
        assert!(!check.str("3") && !check.bool() && !check.null());
        assert!(check.list().is_none() && check.map().is_none());

        let any = number();
        let Some(plain) = any.plain() else {
            panic!("number() has a plain form")
        };
        assert!(Check::attribute(plain).int(i64::MAX));
        assert!(Check::attribute(plain).number("-1.5E+3"));
    }

    #[test]
    fn maps_need_their_keys_and_lists_stop_at_the_nesting_limit() {
        let schema: validate::Validator = Schema::new()
            .required("a", int())
            .optional("b", int())
            .into();
        let Some(plain) = schema.plain() else {
            panic!("a schema of plain fields has a plain form")
        };
        let Some(mut map) = Check::attribute(plain).map() else {
            panic!("a map passes here")
        };
        assert!(matches!(map.entry("b"), Some((_, false))), "b is optional");
        assert!(matches!(map.entry("a"), Some((_, true))));
        assert!(map.entry("c").is_none(), "an unknown key");
        assert!(!map.complete());
        map.given();
        assert!(map.complete());

        let mut validator = list_of(int());
        for _ in 0..MAX_NESTING {
            validator = list_of(validator);
        }
        let Some(plain) = validator.plain() else {
            panic!("lists of plain elements have a plain form")
        };
        let mut check = Check::attribute(plain);
        let mut depth = 1;
        while let Some((_, inner)) = check.list() {
            check = inner;
            depth += 1;
        }
        assert_eq!(depth, MAX_NESTING + 1, "no list below the limit");
    }
}
