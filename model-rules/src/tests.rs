//! The rules of `check`, each mistake where it is.

use super::*;

fn key(name: &str, kind: Kind) -> Field<'_> {
    Field {
        hash_key: true,
        ..Field::new(name, kind, Presence::Required)
    }
}

fn messages(model: &Model<'_>) -> Vec<String> {
    check(model).into_iter().map(|m| m.message).collect()
}

#[test]
fn a_good_model_has_no_mistake() {
    let mut version = Field::new("v", Kind::Integer, Presence::Constant);
    version.version = true;
    let model = Model {
        table: Some("users"),
        fields: vec![key("id", Kind::String), version],
        indexes: vec![Index {
            name: Some("by_v"),
            local: false,
            hash: Some("v"),
            range: None,
        }],
        keys: vec![],
    };
    assert_eq!(check(&model), vec![]);
}

#[test]
fn every_mistake_is_reported_where_it_is() {
    let mut tags = Field::new("tags", Kind::Collection, Presence::Optional);
    tags.range_key = true;
    let mut again = key("again", Kind::Float);
    again.auto_increment = true;
    let model = Model {
        table: Some("bad name"),
        fields: vec![key("id", Kind::Bool), tags, again],
        indexes: vec![
            Index {
                name: None,
                local: true,
                hash: Some("id"),
                range: Some("nope"),
            },
            Index {
                name: Some("i"),
                local: false,
                hash: Some("again"),
                range: None,
            },
            Index {
                name: Some("i"),
                local: false,
                hash: Some("again"),
                range: None,
            },
        ],
        keys: vec![],
    };
    let found = check(&model);
    let at: Vec<At> = found.iter().map(|m| m.at).collect();
    assert_eq!(
        at,
        vec![
            At::Table,
            At::Field(2, Part::HashKey),
            At::Field(0, Part::Type),
            At::Field(1, Part::Type),
            At::Field(1, Part::Type),
            At::Field(2, Part::Type),
            At::Field(2, Part::AutoIncrement),
            At::Index(0, IndexPart::Whole),
            At::Index(0, IndexPart::Whole),
            At::Index(0, IndexPart::Hash),
            At::Index(0, IndexPart::Range),
            At::Index(2, IndexPart::Whole),
        ]
    );
    assert_eq!(found[11].message, "index \"i\" is declared twice");
    assert_eq!(
        found[2].message,
        "hash key \"id\" must be a string, number or binary, not a bool"
    );
    assert_eq!(found[10].message, "no attribute \"nope\" in this model");
}

#[test]
fn unknown_types_are_left_to_the_run_time_check() {
    let mut id = key("id", Kind::Unknown);
    id.auto_increment = true;
    let model = Model {
        table: Some("t"),
        fields: vec![id],
        indexes: vec![],
        keys: vec![],
    };
    assert!(messages(&model).is_empty());
    let any = Model {
        table: Some("t"),
        fields: vec![key("id", Kind::Any)],
        indexes: vec![],
        keys: vec![],
    };
    assert_eq!(
        messages(&any),
        vec!["hash key \"id\" must be a string, number or binary, not a value of any type"]
    );
}

#[test]
fn key_templates_read_fields_that_can_be_in_a_key() {
    let template = |attribute, text, role| KeyTemplate {
        attribute,
        text,
        role,
    };
    let good = Model {
        table: Some("shop"),
        fields: vec![
            Field::new("username", Kind::String, Presence::Required),
            Field::new("order_no", Kind::Integer, Presence::Required),
        ],
        indexes: vec![Index {
            name: Some("gsi1"),
            local: false,
            hash: Some("gsi1pk"),
            range: None,
        }],
        keys: vec![
            template("pk", "CUSTOMER#{username}", KeyRole::Hash),
            template("sk", "#ORDER#{order_no:8}", KeyRole::Range),
            template("gsi1pk", "ORDER#{order_no}", KeyRole::Index),
        ],
    };
    assert_eq!(check(&good), vec![]);

    let mut version = Field::new("v", Kind::Integer, Presence::Constant);
    version.version = true;
    let mut marked = key("id", Kind::String);
    marked.range_key = false;
    let bad = Model {
        table: Some("shop"),
        fields: vec![
            marked,
            Field::new("note", Kind::String, Presence::Optional),
            Field::new("price", Kind::Float, Presence::Required),
            Field::new("name", Kind::String, Presence::Required),
            version,
        ],
        indexes: vec![],
        keys: vec![
            template("pk", "A#{id}", KeyRole::Hash),
            template(
                "sk",
                "{note}#{price}#{missing}#{v}#{name:3}",
                KeyRole::Range,
            ),
            template("sk", "{a}{b}", KeyRole::Index),
            template("name", "N#{id}", KeyRole::Index),
        ],
    };
    let found = check(&bad);
    let messages: Vec<&str> = found.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "the hash key is a field or a template, not both",
            "\"note\" in the template of \"sk\" is optional: the table's key is built from fields every item has (an index's may be optional: items without them are not indexed)",
            "\"price\" in the template of \"sk\" is a float: a key template holds strings, integers and datetimes (values that sort as text)",
            "the template of \"sk\" reads \"missing\", which is no field of this model",
            "\"v\" in the template of \"sk\" is the version, which the mapper sets: a key is built from fields the application sets (e.g. a ULID)",
            "\"name\" in the template of \"sk\" is a string: only an integer is padded to a width",
            "the key attribute \"sk\" has two templates",
            "\"{a}{b}\": two fields need text between them (a delimiter such as `#`), or the key could not be parsed back",
            "the key attribute \"name\" is also a field's name: a template's attribute holds only the key",
        ]
    );
    assert_eq!(found[0].at, At::Field(0, Part::HashKey));
    assert_eq!(found[1].at, At::Key(1));
}

#[test]
fn table_names_follow_dynamodb() {
    assert_eq!(table_name_error("ok_name-1.x", 3), None);
    assert!(table_name_error("ab", 3).is_some_and(|e| e.contains("3 to 255")));
    assert!(table_name_error(&"a".repeat(256), 1).is_some());
    assert!(table_name_error("a b", 1).is_some_and(|e| e.contains("holds ' '")));
}
