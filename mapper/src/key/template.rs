//! Keys built from fields (`#[model(pk = "CUSTOMER#{username}")]`): the
//! key attributes of a table shared by several entity types, and of its
//! overloaded indexes. A template's attribute is no field of the model:
//! the save path writes it from the item's fields ([`stamp`], after
//! validation, so from the values as stored), and the load path checks,
//! where it lies, that it is what the fields make ([`check`]).
//!
//! A field's value goes into a key as it sorts:
//! - text as it is, each delimiter of the template (each character of its
//!   literal text that is no letter or digit) and `\` escaped with `\`;
//! - an integer zero-padded to its width (`{n:8}`, else 20 digits, which
//!   every `u64` and `i64` fits), so keys sort as numbers do; a negative
//!   number or a fraction is refused (it would not sort);
//! - a datetime in its stored form: the text forms are fixed width, the
//!   epoch forms numbers, so keys sort in time order.
//!
//! An index's template may read optional fields: an item without one is
//! not in the index (its key is not written, and a save of it removes a
//! stored one). The table's key is built from fields every item has.
//!
//! [`Template::parse`] reads a key back into the fields it came from.

use aws_sdk_dynamodb::types::AttributeValue;
use model_rules::template::{DEFAULT_WIDTH, Segment, delimiters, parse};
use validate::{ErrorKind, Errors, PathNode, ValueType};

use crate::codec::Attributes;
use crate::error::{Error, KeyDisplay, Result};
use crate::model::ModelInfo;

/// A key attribute built from fields, as a model declares it
/// ([`Model::KEYS`](crate::Model::KEYS)); the derive writes them from
/// `pk = "…"`, `sk = "…"` and `index(name = "…", pk = "…", sk = "…")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTemplate {
    /// The attribute the key is written in: the table's or an index's
    /// hash or range key.
    pub attribute: &'static str,
    /// The template: text and `{field}` parts (`{n:8}` for an integer
    /// padded to 8 digits).
    pub template: &'static str,
}

/// What a template puts in a key for one segment.
enum Piece<'a> {
    /// The template's own text.
    Text(&'a str),
    /// A field's text, its delimiters to escape.
    Escaped(&'a str),
    /// A number's digits after `zeros` zeros.
    Number { zeros: usize, digits: &'a str },
}

/// A key template, read once with the model's facts.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    pub(crate) attribute: &'static str,
    pub(crate) text: &'static str,
    segments: Vec<Segment<'static>>,
    escaped: Vec<char>,
    /// Whether it builds the table's key (an index's may be absent from an
    /// item written before the index was).
    pub(crate) table_key: bool,
}

impl Template {
    /// Reads `declared` (checked by the model's rules first, so the error
    /// is theirs: what does not parse).
    pub(crate) fn of(
        declared: &KeyTemplate,
        table_key: bool,
    ) -> std::result::Result<Template, String> {
        let segments = parse(declared.template)?;
        Ok(Template {
            attribute: declared.attribute,
            text: declared.template,
            escaped: delimiters(&segments),
            segments,
            table_key,
        })
    }

    /// Records that `field`'s value cannot go in this key (`why`), at the
    /// field's path: the one wording of the saves' and the loads' errors.
    fn refused(&self, errors: &mut Errors, field: &str, why: &str) {
        errors.push(
            &PathNode::ROOT.key(field),
            ErrorKind::Custom("key_template".into()),
            format!("in the key {} = {:?}: {why}", self.attribute, self.text),
        );
    }

    /// Whether `item` has every field it reads (none absent or null).
    fn has_fields(&self, item: &Attributes) -> bool {
        self.fields()
            .all(|f| !matches!(item.get(f), None | Some(AttributeValue::Null(_))))
    }

    /// The fields it reads.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.segments.iter().filter_map(|s| match s {
            Segment::Field { name, .. } => Some(*name),
            Segment::Text(_) => None,
        })
    }

    /// What the template puts in a key for each of its segments, from
    /// `item`'s attributes (as stored), in order: the one rule of what a
    /// key holds, which [`render`](Self::render) writes and
    /// [`matches`](Self::matches) compares.
    fn pieces<'a>(
        &'a self,
        item: &'a Attributes,
    ) -> impl Iterator<Item = std::result::Result<Piece<'a>, (&'static str, String)>> + 'a {
        self.segments.iter().map(move |segment| match *segment {
            Segment::Text(text) => Ok(Piece::Text(text)),
            Segment::Field { name, width } => match item.get(name) {
                Some(AttributeValue::S(text)) => Ok(Piece::Escaped(text)),
                Some(AttributeValue::N(number)) => {
                    let width = width.unwrap_or(DEFAULT_WIDTH);
                    let digits = number.trim_start_matches('0');
                    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
                        Err((
                            name,
                            format!(
                                "{number} is not a whole number from 0 up: it would not sort in a key"
                            ),
                        ))
                    } else if digits.len() > width {
                        Err((
                            name,
                            format!(
                                "{number} has more than the {width} digits the key pads it to: it would not sort"
                            ),
                        ))
                    } else {
                        Ok(Piece::Number {
                            zeros: width - digits.len(),
                            digits,
                        })
                    }
                }
                None | Some(AttributeValue::Null(_)) => {
                    Err((name, "absent: a key is built from it".to_owned()))
                }
                Some(_) => Err((
                    name,
                    "is no string or number: it cannot go in a key".to_owned(),
                )),
            },
        })
    }

    /// The key this template makes of `item`'s attributes (as stored);
    /// the field and why, for a value that cannot go in it.
    pub(crate) fn render(
        &self,
        item: &Attributes,
    ) -> std::result::Result<String, (&'static str, String)> {
        let mut out = String::with_capacity(self.text.len() + 24);
        for piece in self.pieces(item) {
            match piece? {
                Piece::Text(text) => out.push_str(text),
                Piece::Escaped(text) => {
                    for c in text.chars() {
                        if self.escaped.contains(&c) {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
                Piece::Number { zeros, digits } => {
                    out.extend(std::iter::repeat_n('0', zeros));
                    out.push_str(digits);
                }
            }
        }
        Ok(out)
    }

    /// Whether `key` is what this template makes of `item` (as
    /// [`render`](Self::render) would write it, without writing it).
    pub(crate) fn matches(
        &self,
        item: &Attributes,
        key: &str,
    ) -> std::result::Result<bool, (&'static str, String)> {
        let mut rest = key;
        for piece in self.pieces(item) {
            let next = match piece? {
                Piece::Text(text) => rest.strip_prefix(text),
                Piece::Escaped(text) => text.chars().try_fold(rest, |rest, c| {
                    let rest = if self.escaped.contains(&c) {
                        rest.strip_prefix('\\')?
                    } else {
                        rest
                    };
                    rest.strip_prefix(c)
                }),
                Piece::Number { zeros, digits } => rest
                    .get(..zeros)
                    .filter(|padding| padding.bytes().all(|b| b == b'0'))
                    .and_then(|_| rest[zeros..].strip_prefix(digits)),
            };
            match next {
                Some(next) => rest = next,
                None => return Ok(false),
            }
        }
        Ok(rest.is_empty())
    }

    /// The fields `key` was built from, each as stored (text unescaped, a
    /// number without its padding); `number(field)` says which fields are
    /// numbers.
    ///
    /// # Errors
    /// Why `key` is not one this template makes.
    pub(crate) fn parse(
        &self,
        key: &str,
        number: impl Fn(&str) -> bool,
    ) -> std::result::Result<Vec<(&'static str, AttributeValue)>, String> {
        let wrong = || format!("{key:?} is not a key {:?} makes", self.text);
        let mut out = Vec::new();
        let mut rest = key;
        let mut segments = self.segments.iter().peekable();
        while let Some(segment) = segments.next() {
            match *segment {
                Segment::Text(text) => rest = rest.strip_prefix(text).ok_or_else(wrong)?,
                Segment::Field { name, .. } => {
                    // Up to the next text's first (unescaped) character.
                    let stop = match segments.peek() {
                        Some(Segment::Text(text)) => text.chars().next(),
                        _ => None,
                    };
                    let mut value = String::new();
                    let mut chars = rest.char_indices();
                    let mut end = rest.len();
                    while let Some((at, c)) = chars.next() {
                        if c == '\\' {
                            let (_, escaped) = chars.next().ok_or_else(wrong)?;
                            value.push(escaped);
                        } else if Some(c) == stop {
                            end = at;
                            break;
                        } else if self.escaped.contains(&c) {
                            return Err(wrong()); // Rendered, it was escaped.
                        } else {
                            value.push(c);
                        }
                    }
                    rest = &rest[end..];
                    let attribute = if number(name) {
                        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                            return Err(wrong());
                        }
                        let digits = value.trim_start_matches('0');
                        AttributeValue::N(if digits.is_empty() { "0" } else { digits }.to_owned())
                    } else {
                        AttributeValue::S(value)
                    };
                    out.push((name, attribute));
                }
            }
        }
        if rest.is_empty() {
            Ok(out)
        } else {
            Err(wrong())
        }
    }
}

/// Whether the schema stores `field` as a number.
pub(crate) fn is_number(info: &ModelInfo, field: &str) -> bool {
    info.schema
        .get(field)
        .and_then(|f| f.validator().output_type())
        == Some(ValueType::Number)
}

/// Writes every key template of the model into `attributes` (validated,
/// as stored); the bytes it adds.
///
/// # Errors
/// Each field that cannot go in its key, at its path.
pub(crate) fn stamp(
    attributes: &mut Attributes,
    info: &ModelInfo,
) -> std::result::Result<usize, Errors> {
    let mut errors = Errors::new();
    let mut size = 0;
    for template in &info.templates {
        // An index key of an item without one of its fields is not
        // written: the item is not in the index (a sparse index).
        if !template.table_key && !template.has_fields(attributes) {
            continue;
        }
        match template.render(attributes) {
            Ok(key) => {
                size += template.attribute.len() + key.len();
                attributes.insert(template.attribute.to_owned(), AttributeValue::S(key));
            }
            Err((field, why)) => template.refused(&mut errors, field, &why),
        }
    }
    if errors.is_empty() {
        Ok(size)
    } else {
        Err(errors)
    }
}

/// Checks that each key template's attribute of a loaded item is what
/// the template makes of the item's fields (the loads leave the
/// attributes in the item: the decoders skip them, the as-loaded snapshot
/// keeps them). An index's key may be absent (written before the index
/// was; the next save writes it).
///
/// # Errors
/// [`Error::Stored`] naming each key that is not what its template makes
/// of the item's fields (a key is the item's identity: fields that say
/// otherwise would save it under another key).
pub(crate) fn check(item: &Attributes, info: &ModelInfo, table: &str) -> Result<()> {
    let mut errors = Errors::new();
    for template in &info.templates {
        let path = PathNode::ROOT.key(template.attribute);
        let stored = match item.get(template.attribute) {
            Some(AttributeValue::S(stored)) => stored,
            None if !template.table_key => continue,
            None => {
                errors.push(
                    &path,
                    ErrorKind::Required,
                    "the item's key attribute is missing",
                );
                continue;
            }
            Some(_) => {
                errors.push(
                    &path,
                    ErrorKind::Type,
                    "a key built from a template is text",
                );
                continue;
            }
        };
        match template.matches(item, stored) {
            Ok(true) => {}
            Ok(false) => {
                let made = template.render(item).unwrap_or_default();
                errors.push(
                    &path,
                    ErrorKind::Custom("key_template".into()),
                    format!(
                        "the stored key {stored:?} is not {made:?}, what {:?} makes of the item's fields",
                        template.text
                    ),
                );
            }
            Err((field, why)) => template.refused(&mut errors, field, &why),
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(Error::Stored {
        table: table.to_owned(),
        key: crate::key::Key::of_attributes(item, info).display(info),
        errors,
    })
}

/// The facts generated key functions read: a model's, once per model
/// (`ModelInfo::of`, without a mapper's table prefix, which keys do not
/// depend on).
#[doc(hidden)]
pub type Facts = std::sync::OnceLock<Result<ModelInfo>>;

/// The facts in `facts`, read once.
fn facts<M: crate::Model>(facts: &'static Facts) -> Result<&'static ModelInfo> {
    facts
        .get_or_init(ModelInfo::of::<M>)
        .as_ref()
        .map_err(|e| Error::Model {
            table: M::TABLE.to_owned(),
            message: e.to_string(),
        })
}

/// The key template of `attribute`, or a usage error.
fn template_of<'a>(info: &'a ModelInfo, attribute: &str) -> Result<&'a Template> {
    info.template(attribute).ok_or_else(|| Error::Usage {
        table: info.table.clone(),
        message: format!(
            "{attribute:?} is not built from a template (templates: {:?})",
            info.templates
                .iter()
                .map(|t| t.attribute)
                .collect::<Vec<_>>()
        ),
    })
}

/// The key of `attribute` built from field values (each checked and
/// stored by its field's validator, as a save stores it): what the
/// derive's typed key functions (`Order::key_of(…)`, `Order::pk_of(…)`)
/// call.
///
/// # Errors
/// [`Error::Validation`] naming each value that does not pass its field's
/// rules or cannot go in a key.
#[doc(hidden)]
pub fn build<M: crate::Model>(
    facts_of: &'static Facts,
    attribute: &str,
    values: &[(&'static str, validate::Value)],
) -> Result<String> {
    let info = facts::<M>(facts_of)?;
    let template = template_of(info, attribute)?;
    let mut attributes = Attributes::new();
    let mut errors = Errors::new();
    for field in template.fields() {
        let path = PathNode::ROOT.key(field);
        let Some((_, value)) = values.iter().find(|(name, _)| *name == field) else {
            errors.push(&path, ErrorKind::Required, "the key is built from it");
            continue;
        };
        let mut value = value.clone();
        if let Some(rule) = info.schema.get(field)
            && rule
                .validator()
                .check(&mut value, &path, &mut errors)
                .is_err()
        {
            continue;
        }
        match crate::codec::to_attribute(&value) {
            Ok(stored) => {
                attributes.insert(field.to_owned(), stored);
            }
            Err(e) => errors.push(&path, ErrorKind::Type, e.message),
        }
    }
    if errors.is_empty() {
        match template.render(&attributes) {
            Ok(key) => return Ok(key),
            Err((field, why)) => errors.push(
                &PathNode::ROOT.key(field),
                ErrorKind::Custom("key_template".into()),
                format!("in the key {attribute} = {:?}: {why}", template.text),
            ),
        }
    }
    Err(Error::Validation {
        table: info.table.clone(),
        key: KeyDisplay::new(format!("{attribute}=?")),
        errors,
    })
}

/// The fields key `key` of `attribute` was built from, as a map of
/// values as stored (text, or a number without its padding): what the
/// derive's `Order::parse_key("sk", …)` calls.
///
/// # Errors
/// [`Error::Usage`] for an attribute without a template, or a key the
/// template does not make.
#[doc(hidden)]
pub fn parse_key<M: crate::Model>(
    facts_of: &'static Facts,
    attribute: &str,
    key: &str,
) -> Result<validate::Value> {
    let info = facts::<M>(facts_of)?;
    let template = template_of(info, attribute)?;
    let usage = |message: String| Error::Usage {
        table: info.table.clone(),
        message,
    };
    let fields = template
        .parse(key, |field| is_number(info, field))
        .map_err(usage)?;
    let mut out = std::collections::BTreeMap::new();
    for (name, stored) in fields {
        let value = crate::codec::from_attribute(&stored).map_err(|e| usage(e.to_string()))?;
        out.insert(name.to_owned(), value);
    }
    Ok(validate::Value::Map(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &'static str) -> Template {
        Template::of(
            &KeyTemplate {
                attribute: "sk",
                template: text,
            },
            true,
        )
        .unwrap()
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> Attributes {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn keys_sort_as_their_fields_and_parse_back() {
        let t = template("#ORDER#{placed:6}#{id}");
        let s = |v: &str| AttributeValue::S(v.to_owned());
        let n = |v: &str| AttributeValue::N(v.to_owned());
        let key = t
            .render(&item(&[("placed", n("42")), ("id", s("a#b\\c"))]))
            .unwrap();
        assert_eq!(key, "#ORDER#000042#a\\#b\\\\c");
        let back = t.parse(&key, |f| f == "placed").unwrap();
        assert_eq!(back, vec![("placed", n("42")), ("id", s("a#b\\c"))]);
        // Numbers sort as numbers, whatever their digits.
        let nine = t
            .render(&item(&[("placed", n("9")), ("id", s("x"))]))
            .unwrap();
        let ten = t
            .render(&item(&[("placed", n("10")), ("id", s("x"))]))
            .unwrap();
        assert!(nine < ten);
        assert_eq!(
            t.parse(&ten, |f| f == "placed").unwrap()[0],
            ("placed", n("10"))
        );
        let zero = t
            .render(&item(&[("placed", n("0")), ("id", s(""))]))
            .unwrap();
        assert_eq!(
            t.parse(&zero, |f| f == "placed").unwrap()[0],
            ("placed", n("0"))
        );
    }

    #[test]
    fn values_that_would_not_sort_are_refused() {
        let t = template("N#{n:3}");
        for bad in ["-1", "1.5", "1000", "1E+2"] {
            let refused = t.render(&item(&[("n", AttributeValue::N(bad.to_owned()))]));
            assert!(refused.is_err(), "{bad}");
        }
        assert!(t.render(&item(&[])).unwrap_err().1.contains("absent"));
        assert!(t.parse("M#001", |_| true).is_err());
        assert!(t.parse("N#0x1", |_| true).is_err());
        assert!(
            t.parse("N#001#", |_| false).is_err(),
            "an unescaped delimiter"
        );
        assert_eq!(
            t.parse("N#0\\#1", |_| false).unwrap(),
            vec![("n", AttributeValue::S("0#1".to_owned()))]
        );
    }

    proptest::proptest! {
        /// Any text and any `u64`, delimiters and backslashes included:
        /// the key parses back into the same fields, matches them, and
        /// keys of the same text sort as their numbers.
        #[test]
        fn any_fields_round_trip_and_numbers_sort(
            id in "\\PC*",
            other in "[#|\\\\a-z]{0,12}",
            a in proptest::num::u64::ANY,
            b in proptest::num::u64::ANY,
        ) {
            let t = template("#ORDER#{placed}|{id}#{other}");
            let fields = |n: u64| item(&[
                ("placed", AttributeValue::N(n.to_string())),
                ("id", AttributeValue::S(id.clone())),
                ("other", AttributeValue::S(other.clone())),
            ]);
            let key = t.render(&fields(a)).unwrap();
            proptest::prop_assert_eq!(t.matches(&fields(a), &key), Ok(true));
            let back = t.parse(&key, |f| f == "placed").unwrap();
            proptest::prop_assert_eq!(back, vec![
                ("placed", AttributeValue::N(a.to_string())),
                ("id", AttributeValue::S(id.clone())),
                ("other", AttributeValue::S(other.clone())),
            ]);
            let key_b = t.render(&fields(b)).unwrap();
            proptest::prop_assert_eq!(a.cmp(&b), key.cmp(&key_b));
            if a != b {
                proptest::prop_assert_eq!(t.matches(&fields(b), &key), Ok(false));
            }
        }
    }
}
