//! serde's `rename_all` rules, so derived attribute names are serde's.

/// `name` (a Rust field or variant name) renamed by serde's `rule`; `None`
/// for a rule serde does not know.
pub(crate) fn rename(name: &str, rule: &str, variant: bool) -> Option<String> {
    // Words of a snake_case field or a PascalCase variant.
    let words: Vec<String> = if variant {
        let mut words = Vec::new();
        let mut word = String::new();
        for c in name.chars() {
            if c.is_uppercase() && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.extend(c.to_lowercase());
        }
        words.push(word);
        words
    } else {
        name.split('_').map(str::to_lowercase).collect()
    };
    let capitalized = |w: &String| {
        let mut chars = w.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    Some(match rule {
        "lowercase" => words.concat(),
        "UPPERCASE" => words.concat().to_uppercase(),
        "PascalCase" => words.iter().map(capitalized).collect(),
        "camelCase" => {
            let mut out = words.first().cloned().unwrap_or_default();
            out.extend(words.iter().skip(1).map(capitalized));
            out
        }
        "snake_case" => words.join("_"),
        "SCREAMING_SNAKE_CASE" => words.join("_").to_uppercase(),
        "kebab-case" => words.join("-"),
        "SCREAMING-KEBAB-CASE" => words.join("-").to_uppercase(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::rename;

    #[test]
    fn fields_and_variants_rename_as_serde_does() {
        let cases = [
            ("first_name", "camelCase", false, "firstName"),
            ("first_name", "PascalCase", false, "FirstName"),
            ("first_name", "SCREAMING_SNAKE_CASE", false, "FIRST_NAME"),
            ("first_name", "kebab-case", false, "first-name"),
            ("first_name", "lowercase", false, "firstname"),
            ("VeryTasty", "snake_case", true, "very_tasty"),
            ("VeryTasty", "camelCase", true, "veryTasty"),
            ("VeryTasty", "SCREAMING-KEBAB-CASE", true, "VERY-TASTY"),
            ("VeryTasty", "lowercase", true, "verytasty"),
        ];
        for (name, rule, variant, expected) in cases {
            assert_eq!(
                rename(name, rule, variant).as_deref(),
                Some(expected),
                "{name} {rule}"
            );
        }
        assert_eq!(rename("a", "Title Case", false), None);
    }
}
