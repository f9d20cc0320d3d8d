//! Key templates: a key attribute's value built from fields,
//! `"CUSTOMER#{username}"` or `"#ORDER#{placed:10}#{order_id}"`. Literal
//! text, and `{field}` parts (an integer's with the width it is
//! zero-padded to, `{n:10}`). Read here once, for the rules, the
//! derive's typed key functions and `mapper`'s rendering and parsing.
//!
//! ```
//! use model_rules::template::{Segment, parse};
//!
//! let segments = parse("#ORDER#{placed:10}#{id}")?;
//! assert_eq!(segments, vec![
//!     Segment::Text("#ORDER#"),
//!     Segment::Field { name: "placed", width: Some(10) },
//!     Segment::Text("#"),
//!     Segment::Field { name: "id", width: None },
//! ]);
//! # Ok::<(), String>(())
//! ```

use crate::{KeyRole, KeyTemplate, Kind, Model, Presence, kind_name};

/// The width integers are zero-padded to when the template gives none:
/// every `u64` and `i64` fits, so keys sort as their numbers do.
pub const DEFAULT_WIDTH: usize = 20;

/// One part of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Literal text.
    Text(&'a str),
    /// A field's value; for a number, the width it is padded to.
    Field {
        /// The field's attribute name.
        name: &'a str,
        /// `{n:10}`: the width (integers only).
        width: Option<usize>,
    },
}

/// The parts of `template`.
///
/// # Errors
/// What is malformed: an empty template or field name, an unclosed or
/// stray brace, a width that is no number from 1 to 38, two fields
/// without text between them, or text after a field that starts with a
/// letter or digit (the field's value could not be told from it: start
/// it with a delimiter such as `#`).
pub fn parse(template: &str) -> Result<Vec<Segment<'_>>, String> {
    if template.is_empty() {
        return Err("a key template is not empty".to_owned());
    }
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner
                .find('}')
                .ok_or_else(|| format!("{template:?}: a `{{` is not closed"))?;
            let (name, width) = match inner[..end].split_once(':') {
                Some((name, width)) => {
                    let width = width
                        .parse::<usize>()
                        .ok()
                        .filter(|w| (1..=38).contains(w))
                        .ok_or_else(|| {
                            format!("{template:?}: the width {width:?} is no number from 1 to 38")
                        })?;
                    (name, Some(width))
                }
                None => (&inner[..end], None),
            };
            if name.is_empty() || name.contains('{') {
                return Err(format!(
                    "{template:?}: a `{{…}}` names a field, e.g. {{order_id}}"
                ));
            }
            if matches!(out.last(), Some(Segment::Field { .. })) {
                return Err(format!(
                    "{template:?}: two fields need text between them (a delimiter such as `#`), or the key could not be parsed back"
                ));
            }
            out.push(Segment::Field { name, width });
            rest = &inner[end + 1..];
        } else {
            let end = rest.find(['{', '}']).unwrap_or(rest.len());
            if rest[end..].starts_with('}') {
                return Err(format!("{template:?}: a `}}` without its `{{`"));
            }
            let text = &rest[..end];
            if matches!(out.last(), Some(Segment::Field { .. }))
                && text.starts_with(|c: char| c.is_alphanumeric())
            {
                return Err(format!(
                    "{template:?}: the text after a field starts with a delimiter such as `#`, not {:?}, or the key could not be parsed back",
                    text.chars().next().unwrap_or_default()
                ));
            }
            out.push(Segment::Text(text));
            rest = &rest[end..];
        }
    }
    Ok(out)
}

/// The characters a field's text is escaped for in `segments` (each
/// preceded by `\`, as `\` itself is): the delimiters, every character of
/// the literal text that is no letter or digit.
pub fn delimiters(segments: &[Segment<'_>]) -> Vec<char> {
    let mut out: Vec<char> = vec!['\\'];
    for segment in segments {
        if let Segment::Text(text) = segment {
            for c in text.chars().filter(|c| !c.is_alphanumeric()) {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The fields `template` reads, in order, each once (`[]` for a
/// malformed one).
pub fn fields(template: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for segment in parse(template).unwrap_or_default() {
        if let Segment::Field { name, .. } = segment
            && !out.contains(&name)
        {
            out.push(name);
        }
    }
    out
}

/// The mistakes of key template `key`, the `i`th of `model` (the part
/// of [`check`](crate::check) about templates).
pub(crate) fn mistakes(model: &Model<'_>, i: usize, key: &KeyTemplate<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let attribute = key.attribute;
    if attribute.is_empty() {
        out.push("a key attribute has a name".to_owned());
    }
    if model.fields.iter().any(|f| f.name == attribute) {
        out.push(format!(
            "the key attribute {attribute:?} is also a field's name: a template's attribute holds only the key"
        ));
    }
    if model.keys[..i].iter().any(|k| k.attribute == attribute) {
        out.push(format!("the key attribute {attribute:?} has two templates"));
    }
    if model.fields.iter().any(|f| f.auto_increment) {
        out.push("an auto-increment model's key is its number, not a template".to_owned());
    }
    let segments = match parse(key.text) {
        Ok(segments) => segments,
        Err(why) => {
            out.push(why);
            return out;
        }
    };
    for segment in segments {
        let Segment::Field { name, width } = segment else {
            continue;
        };
        let Some(field) = model.fields.iter().find(|f| f.name == name) else {
            out.push(format!(
                "the template of {attribute:?} reads {name:?}, which is no field of this model"
            ));
            continue;
        };
        let keyable = matches!(
            field.kind,
            Kind::String | Kind::Integer | Kind::Number | Kind::DateTime | Kind::Unknown
        );
        if !keyable {
            out.push(format!(
                "{name:?} in the template of {attribute:?} is {}: a key template holds strings, integers and datetimes (values that sort as text)",
                kind_name(field.kind)
            ));
        }
        if width.is_some() && !matches!(field.kind, Kind::Integer | Kind::Number | Kind::Unknown) {
            out.push(format!(
                "{name:?} in the template of {attribute:?} is {}: only an integer is padded to a width",
                kind_name(field.kind)
            ));
        }
        // An index key may be absent: an item without the field is not
        // in the index (a sparse index). The table's key may not.
        if field.presence == Presence::Optional && key.role != KeyRole::Index {
            out.push(format!(
                "{name:?} in the template of {attribute:?} is optional: the table's key is built from fields every item has (an index's may be optional: items without them are not indexed)"
            ));
        }
        let set_by_mapper = [
            (field.version, "the version"),
            (field.created_at, "created_at"),
            (field.updated_at, "updated_at"),
        ];
        for (marked, role) in set_by_mapper {
            if marked {
                out.push(format!(
                    "{name:?} in the template of {attribute:?} is {role}, which the mapper sets: a key is built from fields the application sets (e.g. a ULID)"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_text_and_fields() {
        assert_eq!(
            parse("CUSTOMER#{username}").unwrap(),
            vec![
                Segment::Text("CUSTOMER#"),
                Segment::Field {
                    name: "username",
                    width: None
                }
            ]
        );
        assert_eq!(
            parse("{a}").unwrap(),
            vec![Segment::Field {
                name: "a",
                width: None
            }]
        );
        assert_eq!(fields("A#{a}#{b}#{a}"), vec!["a", "b"]);
        assert_eq!(
            delimiters(&parse("ORDER#{a}|x-{b}").unwrap()),
            vec!['\\', '#', '|', '-']
        );
    }

    #[test]
    fn malformed_templates_say_why() {
        for (bad, why) in [
            ("", "not empty"),
            ("A#{a", "not closed"),
            ("A#}", "without its"),
            ("{}", "names a field"),
            ("{a}{b}", "two fields"),
            ("{a}x{b}", "starts with a delimiter"),
            ("{a:0}", "1 to 38"),
            ("{a:wide}", "1 to 38"),
        ] {
            let message = parse(bad).unwrap_err();
            assert!(message.contains(why), "{bad:?}: {message}");
        }
    }
}
