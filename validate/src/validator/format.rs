//! Well-known formats: `url`, `email` (datetimes have a module of their
//! own: `crate::datetime`).

use super::{Failed, Outcome, Rule, Validator, type_error};
use crate::error::{ErrorKind, Errors};
use crate::path::PathNode;
use crate::value::{Value, ValueType};

struct Format {
    name: &'static str,
    /// Returns the normalized string, or why the input is not of the format.
    parse: fn(&str) -> Result<Option<String>, String>,
}

impl Rule for Format {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let Value::String(s) = value else {
            return type_error(self.name, value, path, errors);
        };
        match (self.parse)(s) {
            Ok(None) => Ok(()),
            Ok(Some(normalized)) => {
                *s = normalized;
                Ok(())
            }
            Err(why) => {
                errors.push(
                    path,
                    ErrorKind::Format,
                    format!("{} is not {}: {why}", value.shown(), self.name),
                );
                Err(Failed)
            }
        }
    }

    fn output_type(&self) -> Option<ValueType> {
        Some(ValueType::String)
    }
}

/// An absolute URL with a scheme and a host (`https://example.com/x`).
pub fn url() -> Validator {
    Validator::rule(Format {
        name: "a URL",
        parse: |s| match url::Url::parse(s) {
            Ok(u) if u.has_host() => Ok(None),
            Ok(_) => Err("it has no host".to_owned()),
            Err(e) => Err(e.to_string()),
        },
    })
}

/// An email address: `local@domain.tld`, no whitespace, one `@`, a domain
/// of dot-separated labels of letters, digits and hyphens.
pub fn email() -> Validator {
    Validator::rule(Format {
        name: "an email address",
        parse: |s| {
            let (local, domain) = s.split_once('@').ok_or("it has no @")?;
            if local.is_empty() || local.len() > 64 {
                return Err("the part before @ must have 1 to 64 characters".to_owned());
            }
            if local.contains(|c: char| c.is_whitespace() || c == '@' || c.is_control()) {
                return Err("the part before @ has whitespace or a second @".to_owned());
            }
            let labels: Vec<&str> = domain.split('.').collect();
            let label_ok = |l: &&str| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            };
            if labels.len() < 2 || !labels.iter().all(label_ok) {
                return Err(
                    "the domain must be labels of letters, digits and hyphens joined by dots"
                        .to_owned(),
                );
            }
            Ok(None)
        },
    })
}
