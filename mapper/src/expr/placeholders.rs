//! Expression placeholders: attribute names and values never appear in an
//! expression's text, so reserved words and hostile input cannot change it.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// Collects `#nN` name and `:vN` value placeholders for one request.
#[derive(Default, Debug, Clone)]
pub(crate) struct Placeholders {
    names: HashMap<String, String>,
    by_name: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Placeholders {
    /// The placeholder for attribute `name` (one per distinct name).
    pub(crate) fn name(&mut self, name: &str) -> String {
        if let Some(placeholder) = self.by_name.get(name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        self.by_name.insert(name.to_owned(), placeholder.clone());
        placeholder
    }

    /// A fresh placeholder for `value`.
    pub(crate) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// The name map, or `None` when empty (DynamoDB rejects empty maps).
    pub(crate) fn names(&mut self) -> Option<HashMap<String, String>> {
        self.by_name.clear();
        (!self.names.is_empty()).then(|| std::mem::take(&mut self.names))
    }

    /// The value map, or `None` when empty.
    pub(crate) fn values(&mut self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| std::mem::take(&mut self.values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deduplicated_and_never_inlined() {
        let mut p = Placeholders::default();
        let hostile = "name) OR (#x = :y";
        assert_eq!(p.name("map"), "#n0");
        assert_eq!(p.name(hostile), "#n1");
        assert_eq!(p.name("map"), "#n0");
        assert_eq!(p.value(AttributeValue::S(hostile.into())), ":v0");
        let names = p.names().unwrap();
        assert_eq!(names["#n1"], hostile);
        assert!(p.names().is_none());
    }
}
