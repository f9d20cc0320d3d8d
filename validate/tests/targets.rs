//! The serde mapping is one serializer and one deserializer, generic over
//! where values go and lie: a target of one's own gets the same mapping
//! (paths included), and can refuse values as they are written.

use serde::Serialize;
use validate::ser::{ListTarget, MapTarget, Serializer, Target, TargetError};
use validate::{Error, Map, Number, Value};

/// Writes `Value`s, but refuses any string longer than `max`.
#[derive(Clone, Copy)]
struct Short {
    max: usize,
}

impl Short {
    fn refuse(v: &str) -> Error {
        <Error as serde::ser::Error>::custom(format!("{v:?} is too long"))
    }
}

impl Target for Short {
    type Item = Value;
    type Error = Error;
    type List = (Short, Vec<Value>);
    type Map = (Short, Map);

    fn bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn int(self, v: i64) -> Result<Value, Error> {
        Ok(Value::from(v))
    }
    fn number(self, v: Number) -> Result<Value, Error> {
        Ok(Value::Number(v))
    }
    fn float(self, v: f64) -> Result<Value, Error> {
        Number::try_from(v).map(Value::Number)
    }
    fn string(self, v: &str) -> Result<Value, Error> {
        if v.len() > self.max {
            return Err(Short::refuse(v));
        }
        Ok(Value::String(v.to_owned()))
    }
    fn bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Binary(v.to_vec()))
    }
    fn null(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn value(self, v: Value) -> Result<Value, Error> {
        Ok(v)
    }
    fn list(self, len: usize) -> Result<(Short, Vec<Value>), Error> {
        Ok((self, Vec::with_capacity(len)))
    }
    fn map(self, _len: usize) -> Result<(Short, Map), Error> {
        Ok((self, Map::new()))
    }
    fn variant(self) -> Result<Short, Error> {
        Ok(self)
    }
    fn tagged(variant: &'static str, item: Value) -> Value {
        Value::Map(Map::from([(variant.to_owned(), item)]))
    }
}

impl ListTarget<Short> for (Short, Vec<Value>) {
    fn element(&self) -> Short {
        self.0
    }
    fn push(&mut self, item: Value) -> Result<(), Error> {
        self.1.push(item);
        Ok(())
    }
    fn finish(self) -> Result<Value, Error> {
        Ok(Value::List(self.1))
    }
}

impl MapTarget<Short> for (Short, Map) {
    type Entry = ();
    fn entry(&self, _key: &str) -> Result<(Short, ()), Error> {
        Ok((self.0, ()))
    }
    fn insert(&mut self, key: String, item: Value, _entry: ()) -> Result<(), Error> {
        self.1.insert(key, item);
        Ok(())
    }
    fn finish(self) -> Result<Value, Error> {
        Ok(Value::Map(self.1))
    }
}

#[derive(Serialize)]
enum Kind {
    Tagged { labels: Vec<String> },
}

#[derive(Serialize)]
struct Doc {
    name: String,
    note: Option<String>,
    kind: Kind,
}

fn doc(label: &str) -> Doc {
    Doc {
        name: "e1m1".into(),
        note: None,
        kind: Kind::Tagged {
            labels: vec!["ok".into(), label.into()],
        },
    }
}

#[test]
fn a_target_of_ones_own_gets_the_mapping_of_to_value() -> Result<(), Error> {
    let written = validate::ser::present(&doc("fine"), Short { max: 8 })?;
    assert_eq!(written, validate::to_value(&doc("fine"))?);
    // `None` fields are left out, enums are tagged, by the serializer.
    assert_eq!(
        written,
        Value::Map(Map::from([
            ("name".to_owned(), Value::from("e1m1")),
            (
                "kind".to_owned(),
                Value::Map(Map::from([(
                    "Tagged".to_owned(),
                    Value::Map(Map::from([(
                        "labels".to_owned(),
                        Value::List(vec![Value::from("ok"), Value::from("fine")]),
                    )])),
                )])),
            ),
        ]))
    );
    Ok(())
}

#[test]
fn what_a_target_refuses_stops_the_serializer_at_its_path() {
    let refused = serde::Serialize::serialize(&doc("far too long"), Serializer(Short { max: 8 }));
    let error = refused.err().map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("kind.Tagged.labels[1]: \"far too long\" is too long")
    );
    // The path grows as the error bubbles out, whatever the target.
    let bare = <Error as TargetError>::within(Short::refuse("x"), || validate::Segment::Index(3));
    assert_eq!(bare.to_string(), "[3]: \"x\" is too long");
}
