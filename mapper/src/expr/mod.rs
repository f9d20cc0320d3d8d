//! Expressions: conditions, filters, key conditions, projections and
//! updates. Every attribute name and value is a placeholder (`#nN`, `:vN`),
//! so reserved words (`name`, `status`, `year`), names with `.`, `-`, `#`,
//! `:` or spaces, and hostile values can never change an expression.

mod condition;
mod path;
mod placeholders;
mod typed;
mod update;

use crate::limits::{MAX_EXPRESSION_BYTES, MAX_EXPRESSION_OPERATORS};
pub use condition::{AttrType, Comparator, Condition, IntoOperand, Operand, size};
pub use path::{AttrPath, PathStep, attr};
pub(crate) use placeholders::Placeholders;
pub use typed::{
    Addable, Attr, IntoPath, Listed, Numeric, Path, SetField, Textual, Untyped, ValueFor,
};
pub use update::{Action, SetOperand, SetValue, Update};

/// The operators and functions in an expression as the mapper writes it
/// (tokens apart, placeholders for every name and value): `AND`, `OR`,
/// `NOT`, comparators, `BETWEEN`, `IN`, arithmetic, and each function
/// call. In an update expression (`update`), `=` assigns: no operator.
pub(crate) fn operators(expression: &str, update: bool) -> usize {
    let words = expression
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| match *w {
            "=" => !update,
            "AND" | "OR" | "NOT" | "<>" | "<" | "<=" | ">" | ">=" | "BETWEEN" | "IN" | "+"
            | "-" => true,
            _ => false,
        })
        .count();
    let calls = expression
        .match_indices('(')
        .filter(|(at, _)| {
            expression[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .count();
    words + calls
}

/// Why `expression` (an update expression when `update`) is past
/// DynamoDB's limits on one expression, if it is.
pub(crate) fn past_limits(expression: &str, update: bool) -> Option<String> {
    let (bytes, operators) = (expression.len(), operators(expression, update));
    (bytes > MAX_EXPRESSION_BYTES || operators > MAX_EXPRESSION_OPERATORS).then(|| {
        format!(
            "it has {operators} operators and functions in {bytes} bytes; DynamoDB allows \
             {MAX_EXPRESSION_OPERATORS} in {MAX_EXPRESSION_BYTES} bytes"
        )
    })
}

/// A projection expression: the paths, comma-separated, as placeholders.
pub(crate) fn projection(paths: &[AttrPath], p: &mut Placeholders) -> Option<String> {
    (!paths.is_empty()).then(|| {
        paths
            .iter()
            .map(|path| path.render(p))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use aws_sdk_dynamodb::types::AttributeValue;
    use proptest::prelude::*;
    use validate::Value;

    use super::*;

    /// Every word DynamoDB reserves, from
    /// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html>.
    const RESERVED: &str = include_str!("reserved_words.txt");

    const HOSTILE: &[&str] = &[
        "a.b",
        "a-b",
        "#n0",
        ":v0",
        "with space",
        "x) OR (attribute_exists(y",
        "a[0]",
        "name = :v0",
        "\"quoted\"",
        "'single'",
        "semi;colon",
        "tab\tnew\nline",
        "ünïcødé",
        "#",
        ":",
        "SET #n0 = :v0",
    ];

    #[test]
    fn operators_are_counted_as_dynamodb_counts_them() {
        assert_eq!(operators("#n0 = :v0", false), 1);
        assert_eq!(
            operators(
                "attribute_exists(#n0) AND (#n1 >= :v1 OR size(#n2) <= :v2)",
                false
            ),
            6
        );
        assert_eq!(
            operators("SET #n0 = #n0 + :v0, #n1 = :v1 REMOVE #n2", true),
            1
        );
        assert!(past_limits("#n0 = :v0", false).is_none());
        let wide: Vec<String> = (0..151).map(|i| format!("#n{i} = :v{i}")).collect();
        assert_eq!(operators(&wide.join(" AND "), false), 301);
        assert!(past_limits(&wide.join(" AND "), false).is_some());
        // DynamoDB Local takes 200 assignments, not 400 (4 KB).
        let sets = |n: usize| {
            let sets: Vec<String> = (0..n).map(|i| format!("#n{i} = :v{i}")).collect();
            format!("SET {}", sets.join(", "))
        };
        assert!(past_limits(&sets(200), true).is_none());
        assert!(past_limits(&sets(400), true).is_some());
    }

    /// Tokens an expression may contain besides placeholders and numbers.
    const GRAMMAR: &[&str] = &[
        "SET",
        "REMOVE",
        "ADD",
        "DELETE",
        "AND",
        "OR",
        "NOT",
        "BETWEEN",
        "IN",
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
        "size",
        "if_not_exists",
        "list_append",
        "=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "(",
        ")",
        ",",
        ".",
        "[",
        "]",
    ];

    /// Splits an expression into tokens and checks each is grammar, a
    /// placeholder or a list index.
    fn assert_only_grammar(expression: &str) {
        let mut rest = expression;
        while let Some(c) = rest.chars().next() {
            if c == ' ' {
                rest = &rest[1..];
                continue;
            }
            let len = if c.is_ascii_alphanumeric() || c == '_' || c == '#' || c == ':' {
                rest.find(|c: char| {
                    !(c.is_ascii_alphanumeric() || c == '_' || c == '#' || c == ':')
                })
                .unwrap_or(rest.len())
            } else if rest.starts_with("<=") || rest.starts_with(">=") || rest.starts_with("<>") {
                2
            } else {
                c.len_utf8()
            };
            let token = &rest[..len];
            let placeholder = (token.starts_with("#n") || token.starts_with(":v"))
                && token.len() > 2
                && token[2..].bytes().all(|b| b.is_ascii_digit());
            let index = token.bytes().all(|b| b.is_ascii_digit());
            assert!(
                placeholder || index || GRAMMAR.contains(&token),
                "unexpected token {token:?} in {expression:?}"
            );
            rest = &rest[len..];
        }
    }

    fn everything_on(name: &str, value: &str) -> (Condition, Update, Vec<AttrPath>) {
        let path = || attr(name).key(name).index(3);
        let condition = attr(name)
            .eq(value)
            .and(path().ne(attr(value)))
            .or(!attr(name).exists())
            .or(attr(name).not_exists())
            .or(attr(name).between(value, value))
            .or(attr(name).is_in([value, name]))
            .or(attr(name).begins_with(value))
            .or(attr(name).contains(value))
            .or(attr(name).is_type(AttrType::StringSet))
            .or(size(name).ge(3))
            .or(attr(name).lt(1).and(attr(name).le(2)).and(attr(name).gt(0)));
        let update = Update::new()
            .set(path(), value)
            .set_if_not_exists(attr(value), name)
            .increment(attr(name).key("n"), 2)
            .decrement(attr(name).key("m"), 2)
            .list_append(attr(name).key("l"), vec![Value::from(value)])
            .list_prepend(attr(name).key("p"), vec![Value::from(value)])
            .remove(attr(name).index(0))
            .add(name, 1)
            .delete(
                value,
                Value::from(validate::Set::from_iter([name.to_owned()])),
            );
        (condition, update, vec![attr(name), path()])
    }

    fn check(name: &str, value: &str) {
        let (condition, update, paths) = everything_on(name, value);
        let mut p = Placeholders::default();
        let texts = [
            condition.render(&mut p).unwrap(),
            update.render(&mut p).unwrap().unwrap(),
            projection(&paths, &mut p).unwrap(),
        ];
        for text in &texts {
            assert_only_grammar(text);
        }
        let names = p.names().unwrap();
        let values = p.values().unwrap();
        let named: Vec<&str> = names.values().map(String::as_str).collect();
        assert!(named.contains(&name) && named.contains(&value), "{named:?}");
        assert!(
            values
                .values()
                .any(|v| v == &AttributeValue::S(value.to_owned()))
        );
        // Every placeholder used is defined, and every defined one is used.
        let used: String = texts.concat();
        for placeholder in names.keys().chain(values.keys()) {
            assert!(used.contains(placeholder.as_str()));
        }
    }

    #[test]
    fn every_reserved_word_is_a_placeholder() {
        let words: Vec<&str> = RESERVED.lines().collect();
        assert_eq!(words.len(), 573);
        for word in words {
            check(word, word);
            check(&word.to_lowercase(), word);
        }
    }

    #[test]
    fn hostile_names_and_values_cannot_change_an_expression() {
        for name in HOSTILE {
            for value in HOSTILE {
                check(name, value);
            }
        }
    }

    #[test]
    fn expressions_have_the_expected_shape() {
        let mut p = Placeholders::default();
        let c = attr("status")
            .eq("active")
            .and(attr("year").between(2000, 2020));
        assert_eq!(
            c.render(&mut p).unwrap(),
            "(#n0 = :v0) AND (#n1 BETWEEN :v1 AND :v2)"
        );
        let u = Update::new()
            .set(attr("a").key("b.c").index(2), 1)
            .increment("n", 1)
            .remove("old")
            .add(
                "tags",
                Value::from(validate::Set::from_iter(["x".to_owned()])),
            );
        assert_eq!(
            u.render(&mut p).unwrap().unwrap(),
            "SET #n2.#n3[2] = :v3, #n4 = if_not_exists(#n4, :v4) + :v5 REMOVE #n5 ADD #n6 :v6"
        );
        let names = p.names().unwrap();
        assert_eq!(names["#n3"], "b.c");
        assert_eq!(Update::new().render(&mut p).unwrap(), None);
        assert!(Condition::And(vec![]).render(&mut p).is_err());
    }

    #[test]
    fn an_unstorable_value_is_an_error_not_a_bad_expression() {
        let mut p = Placeholders::default();
        let empty_in_list = Value::List(vec![Value::from(validate::Set::<String>::new())]);
        let err = attr("a").eq(empty_in_list).render(&mut p).unwrap_err();
        assert!(err.message.contains("empty set"), "{err}");
    }

    proptest! {
        #[test]
        fn any_name_and_value_render_as_placeholders(name in "\\PC{1,20}", value in "\\PC{0,20}") {
            check(&name, &value);
            let mut p = Placeholders::default();
            let _ = attr(&*name).eq(&*value).render(&mut p);
            let names: HashMap<String, String> = p.names().unwrap();
            prop_assert_eq!(names.len(), 1);
        }
    }
}
