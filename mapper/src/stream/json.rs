//! DynamoDB's JSON (`{"id": {"S": "a"}}`), as Lambda's stream events
//! carry an item, read as attributes.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value as Json;

use crate::codec::Attributes;
use crate::error::CodecError;

/// An item in DynamoDB's JSON (`{"id": {"S": "a"}, "n": {"N": "1"}}`) as
/// attributes.
///
/// # Errors
/// Anything that is not DynamoDB's JSON, named with its path.
pub fn attributes_from_json(json: &Json) -> std::result::Result<Attributes, CodecError> {
    let map = json
        .as_object()
        .ok_or_else(|| CodecError::new(validate::Path::root(), "an item is a JSON object"))?;
    map.iter()
        .map(|(name, value)| {
            let path = validate::Path::root().key(name.as_str());
            Ok((name.clone(), attribute_from_json(value, &path)?))
        })
        .collect()
}

fn attribute_from_json(
    json: &Json,
    path: &validate::Path,
) -> std::result::Result<AttributeValue, CodecError> {
    let bad = |why: &str| CodecError::new(path.clone(), why);
    let object = json.as_object().filter(|o| o.len() == 1).ok_or_else(|| {
        bad("an attribute is an object of one type tag (S, N, B, BOOL, NULL, L, M, SS, NS, BS)")
    })?;
    let Some((tag, value)) = object.iter().next() else {
        return Err(bad("an attribute has a type tag"));
    };
    let text = |v: &Json| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad("expected text"))
    };
    let bytes = |v: &Json| {
        let text = v.as_str().ok_or_else(|| bad("expected base64 text"))?;
        STANDARD
            .decode(text)
            .map(Blob::new)
            .map_err(|e| bad(&format!("not base64: {e}")))
    };
    let list = value.as_array().ok_or_else(|| bad("expected a list"));
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(text(value)?),
        "N" => AttributeValue::N(text(value)?),
        "B" => AttributeValue::B(bytes(value)?),
        "BOOL" => AttributeValue::Bool(value.as_bool().ok_or_else(|| bad("expected a bool"))?),
        "NULL" => AttributeValue::Null(true),
        "L" => AttributeValue::L(
            list?
                .iter()
                .enumerate()
                .map(|(i, v)| attribute_from_json(v, &path.clone().index(i)))
                .collect::<std::result::Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(
            attributes_from_json(value)
                .map_err(|e| CodecError::new(e.path.prefixed(path), e.message))?,
        ),
        "SS" => AttributeValue::Ss(
            list?
                .iter()
                .map(text)
                .collect::<std::result::Result<_, _>>()?,
        ),
        "NS" => AttributeValue::Ns(
            list?
                .iter()
                .map(text)
                .collect::<std::result::Result<_, _>>()?,
        ),
        "BS" => AttributeValue::Bs(
            list?
                .iter()
                .map(bytes)
                .collect::<std::result::Result<_, _>>()?,
        ),
        other => return Err(bad(&format!("unknown attribute type {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_of_dynamodb_json_is_read_and_a_wrong_one_named_with_its_path() {
        let json = serde_json::json!({
            "s": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": "AAE="}, "t": {"BOOL": true},
            "z": {"NULL": true}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]},
            "bs": {"BS": ["AA=="]},
            "l": {"L": [{"N": "1"}, {"M": {"k": {"S": "v"}}}]}
        });
        let item = attributes_from_json(&json).unwrap();
        assert_eq!(item["n"], AttributeValue::N("1.5".into()));
        assert_eq!(item["b"], AttributeValue::B(Blob::new(vec![0, 1])));
        assert_eq!(item["t"], AttributeValue::Bool(true));
        assert_eq!(item["bs"], AttributeValue::Bs(vec![Blob::new(vec![0])]));
        let AttributeValue::L(list) = &item["l"] else {
            panic!("not a list")
        };
        assert_eq!(
            list[1],
            AttributeValue::M([("k".to_owned(), AttributeValue::S("v".into()))].into())
        );
        let bad = serde_json::json!({"l": {"L": [{"N": "1"}, {"M": {"k": {"X": 1}}}]}});
        let err = attributes_from_json(&bad).unwrap_err();
        assert_eq!(err.path.to_string(), "l[1].k");
        assert!(attributes_from_json(&serde_json::json!({"b": {"B": "%%"}})).is_err());
    }
}
