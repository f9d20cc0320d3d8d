//! [`Cursor`]: an opaque position in a query or scan, bound to the query it
//! came from.

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use validate::Number;

use crate::codec;
use crate::model::{KeyAttribute, KeyType};

/// Where a query or scan stopped, to resume it later — in another request
/// of a paginated API, another process or another day. It is text (safe
/// in URLs) and opaque: it holds the last key read and a fingerprint of
/// the table, index and conditions, so it is refused
/// ([`Error::InvalidCursor`](crate::Error::InvalidCursor)) by any other query,
/// as is one whose key does not fit the table (a missing part, a wrong
/// type, another partition of the query). A client can read the key
/// inside it; with [`Mapper::with_cursor_key`](crate::Mapper::with_cursor_key)
/// cursors are signed, and unsigned or altered ones are refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// A cursor from text a client sent back (checked when used).
    pub fn from_string(text: impl Into<String>) -> Cursor {
        Cursor(text.into())
    }

    /// The cursor as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const VERSION: u8 = 1;

#[derive(Serialize, Deserialize)]
struct Wire {
    v: u8,
    q: String,
    k: BTreeMap<String, WireKey>,
}

#[derive(Serialize, Deserialize)]
enum WireKey {
    S(String),
    N(String),
    B(String),
}

/// A stable 64-bit FNV-1a hash of the parts that define a query or scan.
pub(crate) fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The HMAC-SHA256 tag of `payload` under `secret`.
fn tag(secret: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(payload);
    mac
}

/// The cursor resuming after `key` (a `LastEvaluatedKey`), signed with
/// `secret` when there is one.
pub(crate) fn encode(
    fingerprint: u64,
    key: &codec::Attributes,
    secret: Option<&[u8]>,
) -> Result<Cursor, String> {
    let mut k = BTreeMap::new();
    for (name, value) in key {
        let wire = match value {
            AttributeValue::S(s) => WireKey::S(s.clone()),
            AttributeValue::N(n) => WireKey::N(n.clone()),
            AttributeValue::B(b) => WireKey::B(STANDARD.encode(b.as_ref())),
            other => return Err(format!("key attribute {name:?} is not a scalar: {other:?}")),
        };
        k.insert(name.clone(), wire);
    }
    let wire = Wire {
        v: VERSION,
        q: format!("{fingerprint:016x}"),
        k,
    };
    let json = serde_json::to_vec(&wire).map_err(|e| e.to_string())?;
    let mut text = URL_SAFE_NO_PAD.encode(&json);
    if let Some(secret) = secret {
        text.push('.');
        text.push_str(&URL_SAFE_NO_PAD.encode(tag(secret, &json).finalize().into_bytes()));
    }
    Ok(Cursor(text))
}

/// The start key in `cursor`, if it belongs to the query with
/// `fingerprint`, is signed with `secret` (when there is one) and holds
/// exactly the attributes in `keys`, each of its key type.
pub(crate) fn decode(
    cursor: &Cursor,
    fingerprint: u64,
    keys: &[KeyAttribute],
    secret: Option<&[u8]>,
) -> Result<codec::Attributes, String> {
    let damaged = |why: &str| format!("the cursor is damaged ({why})");
    let (payload, signature) = match cursor.0.split_once('.') {
        Some((payload, signature)) => (payload, Some(signature)),
        None => (cursor.0.as_str(), None),
    };
    let json = URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .map_err(|_| damaged("not base64url"))?;
    if let Some(secret) = secret {
        let signature = signature
            .and_then(|s| URL_SAFE_NO_PAD.decode(s.as_bytes()).ok())
            .ok_or_else(|| "the cursor is not signed".to_owned())?;
        tag(secret, &json)
            .verify_slice(&signature)
            .map_err(|_| "the cursor's signature does not match".to_owned())?;
    }
    let wire: Wire = serde_json::from_slice(&json).map_err(|_| damaged("not a cursor"))?;
    if wire.v != VERSION {
        return Err(format!("cursor version {} is not supported", wire.v));
    }
    if wire.q != format!("{fingerprint:016x}") {
        return Err(
            "the cursor comes from another query or scan (table, index, conditions, filter, projection or order differ)"
                .to_owned(),
        );
    }
    let mut key = codec::Attributes::with_capacity(wire.k.len());
    for (name, value) in wire.k {
        let Some(attribute) = keys.iter().find(|k| k.name == name) else {
            return Err(damaged(&format!("{name:?} is not a key attribute here")));
        };
        let value = match (value, attribute.key_type) {
            (WireKey::S(s), KeyType::String) if !s.is_empty() => AttributeValue::S(s),
            (WireKey::N(n), KeyType::Number) if n.parse::<Number>().is_ok() => AttributeValue::N(n),
            (WireKey::B(b), KeyType::Binary) => match STANDARD.decode(b) {
                Ok(bytes) if !bytes.is_empty() => AttributeValue::B(Blob::new(bytes)),
                _ => return Err(damaged(&format!("bad binary key {name:?}"))),
            },
            _ => return Err(damaged(&format!("key {name:?} is not of its key type"))),
        };
        key.insert(name, value);
    }
    if let Some(missing) = keys.iter().find(|k| !key.contains_key(&k.name)) {
        return Err(damaged(&format!("key {:?} is missing", missing.name)));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_only_for_its_own_query() {
        let key: codec::Attributes = [
            ("h".to_owned(), AttributeValue::N("7".into())),
            ("r".to_owned(), AttributeValue::B(Blob::new(vec![0, 255]))),
        ]
        .into();
        let q = fingerprint(["query", "t", "#n0 = :v0"]);
        let keys = [
            KeyAttribute {
                name: "h".to_owned(),
                key_type: KeyType::Number,
            },
            KeyAttribute {
                name: "r".to_owned(),
                key_type: KeyType::Binary,
            },
        ];
        let cursor = encode(q, &key, None).unwrap();
        assert!(
            cursor
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode(&cursor, q, &keys, None).unwrap(), key);
        let other = fingerprint(["query", "t", "#n0 = :v1"]);
        assert!(
            decode(&cursor, other, &keys, None)
                .unwrap_err()
                .contains("another query")
        );
        assert!(
            decode(&cursor, q, &keys[..1], None)
                .unwrap_err()
                .contains("not a key attribute")
        );
        assert!(
            decode(&Cursor::from_string("%%%"), q, &keys, None)
                .unwrap_err()
                .contains("damaged")
        );
        assert_ne!(fingerprint(["ab", "c"]), fingerprint(["a", "bc"]));
    }

    #[test]
    fn a_damaged_key_or_signature_is_refused() {
        let keys = [
            KeyAttribute {
                name: "h".to_owned(),
                key_type: KeyType::String,
            },
            KeyAttribute {
                name: "r".to_owned(),
                key_type: KeyType::Number,
            },
        ];
        let q = fingerprint(["scan"]);
        let item = |h: AttributeValue, r: Option<AttributeValue>| -> codec::Attributes {
            let mut item = codec::Attributes::from([("h".to_owned(), h)]);
            item.extend(r.map(|r| ("r".to_owned(), r)));
            item
        };
        let s = |t: &str| AttributeValue::S(t.to_owned());
        let n = |t: &str| AttributeValue::N(t.to_owned());
        let cases = [
            (
                item(n("1"), Some(n("2"))),
                "key \"h\" is not of its key type",
            ),
            (
                item(s("a"), Some(s("2"))),
                "key \"r\" is not of its key type",
            ),
            (
                item(s("a"), Some(n("x"))),
                "key \"r\" is not of its key type",
            ),
            (
                item(s(""), Some(n("2"))),
                "key \"h\" is not of its key type",
            ),
            (item(s("a"), None), "key \"r\" is missing"),
        ];
        for (key, message) in cases {
            let cursor = encode(q, &key, None).unwrap();
            let err = decode(&cursor, q, &keys, None).unwrap_err();
            assert!(err.contains(message), "{err}");
        }
        let key = item(s("a"), Some(n("2")));
        let signed = encode(q, &key, Some(b"secret")).unwrap();
        assert_eq!(decode(&signed, q, &keys, Some(b"secret")).unwrap(), key);
        let err = decode(&signed, q, &keys, Some(b"other")).unwrap_err();
        assert!(err.contains("signature does not match"), "{err}");
        let unsigned = encode(q, &key, None).unwrap();
        let err = decode(&unsigned, q, &keys, Some(b"secret")).unwrap_err();
        assert!(err.contains("not signed"), "{err}");
        // A forged key with the signature of another.
        let forged = encode(q, &item(s("b"), Some(n("2"))), None).unwrap();
        let (_, signature) = signed.as_str().split_once('.').unwrap();
        let forged = Cursor::from_string(format!("{forged}.{signature}"));
        assert!(decode(&forged, q, &keys, Some(b"secret")).is_err());
    }
}
