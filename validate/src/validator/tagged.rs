//! Polymorphic maps: [`tagged`], a map whose discriminator attribute
//! names its variant, each variant validated by its own rules — serde's
//! internally tagged enums (`#[serde(tag = "kind")]`), PynamoDB's
//! `DiscriminatorAttribute`.

use super::{Failed, Outcome, Rule, Validator, type_error};
use crate::error::{ErrorKind, Errors};
use crate::path::PathNode;
use crate::value::{Value, ValueType};

struct Tagged {
    tag: String,
    variants: Vec<(String, Validator)>,
}

impl Tagged {
    fn names(&self) -> String {
        self.variants
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Rule for Tagged {
    fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let Some(map) = value.as_map_mut() else {
            return type_error("a map", value, path, errors);
        };
        let at = path.key(&self.tag);
        let variant = match map.get(&self.tag) {
            Some(Value::String(name)) => self.variants.iter().find(|(n, _)| n == name),
            Some(other) => {
                return type_error("a variant's name", other, &at, errors);
            }
            None => {
                errors.push(
                    &at,
                    ErrorKind::Required,
                    format!(
                        "the discriminator {:?} names the variant: one of {}",
                        self.tag,
                        self.names()
                    ),
                );
                return Err(Failed);
            }
        };
        let Some((name, rules)) = variant else {
            let given = map.get(&self.tag).map(|v| v.shown().to_string());
            errors.push(
                &at,
                ErrorKind::NotOneOf,
                format!(
                    "{} names no variant: one of {}",
                    given.unwrap_or_default(),
                    self.names()
                ),
            );
            return Err(Failed);
        };
        // The variant's rules see its own fields; the discriminator goes
        // back after them.
        let tag = map.remove_entry(&self.tag);
        let outcome = rules.check(value, path, errors);
        if let (Some(map), Some((key, _))) = (value.as_map_mut(), tag) {
            map.insert(key, Value::String(name.clone()));
        }
        outcome
    }

    fn output_type(&self) -> Option<ValueType> {
        Some(ValueType::Map)
    }
}

/// A map whose attribute `tag` names its variant (one of `variants`' names),
/// the rest of the map validated by that variant's validator (a
/// [`Schema`](crate::Schema), usually): the stored form of an enum with
/// data variants (serde's `#[serde(tag = "kind")]`). A missing or unknown
/// name is an error at the tag's path that lists the variants.
///
/// ```
/// use validate::{Schema, Value, float, tagged};
///
/// let shape = tagged("kind", [
///     ("circle", Schema::new().required("radius", float()).into()),
///     ("square", Schema::new().required("side", float()).into()),
/// ]);
/// let circle: Value = serde_json::json!({"kind": "circle", "radius": 2.0}).try_into()?;
/// assert!(shape.validate(circle).is_ok());
/// let wrong: Value = serde_json::json!({"kind": "circle", "side": 2.0}).try_into()?;
/// assert!(shape.validate(wrong).is_err());
/// let unknown: Value = serde_json::json!({"kind": "hexagon"}).try_into()?;
/// let errors = shape.validate(unknown).unwrap_err();
/// assert_eq!(errors.iter().next().map(|e| e.path.to_string()), Some("kind".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn tagged<N: Into<String>>(
    tag: impl Into<String>,
    variants: impl IntoIterator<Item = (N, Validator)>,
) -> Validator {
    Validator::rule(Tagged {
        tag: tag.into(),
        variants: variants
            .into_iter()
            .map(|(name, rules)| (name.into(), rules))
            .collect(),
    })
}
