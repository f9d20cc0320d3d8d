//! [`Cursor`]: an opaque position in a query or scan, bound to the query it
//! came from.

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use crate::codec;

/// Where a query or scan stopped, to resume it later — in another request
/// of a paginated API, another process or another day. It is text (safe
/// in URLs) and opaque: it holds the last key read and a fingerprint of
/// the table, index and conditions, so it is refused
/// ([`Error::InvalidCursor`](crate::Error::InvalidCursor)) by any other query.
/// It is not signed: a client can read the key inside it.
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

/// The cursor resuming after `key` (a `LastEvaluatedKey`).
pub(crate) fn encode(fingerprint: u64, key: &codec::Item) -> Result<Cursor, String> {
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
    Ok(Cursor(URL_SAFE_NO_PAD.encode(json)))
}

/// The start key in `cursor`, if it belongs to the query with
/// `fingerprint` and holds only the attributes in `keys`.
pub(crate) fn decode(
    cursor: &Cursor,
    fingerprint: u64,
    keys: &[&str],
) -> Result<codec::Item, String> {
    let damaged = |why: &str| format!("the cursor is damaged ({why})");
    let json = URL_SAFE_NO_PAD
        .decode(cursor.0.as_bytes())
        .map_err(|_| damaged("not base64url"))?;
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
    let mut key = codec::Item::with_capacity(wire.k.len());
    for (name, value) in wire.k {
        if !keys.contains(&name.as_str()) {
            return Err(damaged(&format!("{name:?} is not a key attribute here")));
        }
        let value = match value {
            WireKey::S(s) => AttributeValue::S(s),
            WireKey::N(n) => AttributeValue::N(n),
            WireKey::B(b) => AttributeValue::B(Blob::new(
                STANDARD.decode(b).map_err(|_| damaged("bad binary key"))?,
            )),
        };
        key.insert(name, value);
    }
    if key.is_empty() {
        return Err(damaged("no key"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_only_for_its_own_query() {
        let key: codec::Item = [
            ("h".to_owned(), AttributeValue::N("7".into())),
            ("r".to_owned(), AttributeValue::B(Blob::new(vec![0, 255]))),
        ]
        .into();
        let q = fingerprint(["query", "t", "#n0 = :v0"]);
        let cursor = encode(q, &key).unwrap();
        assert!(
            cursor
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(decode(&cursor, q, &["h", "r"]).unwrap(), key);
        let other = fingerprint(["query", "t", "#n0 = :v1"]);
        assert!(
            decode(&cursor, other, &["h", "r"])
                .unwrap_err()
                .contains("another query")
        );
        assert!(
            decode(&cursor, q, &["h"])
                .unwrap_err()
                .contains("not a key attribute")
        );
        assert!(
            decode(&Cursor::from_string("%%%"), q, &["h"])
                .unwrap_err()
                .contains("damaged")
        );
        assert_ne!(fingerprint(["ab", "c"]), fingerprint(["a", "bc"]));
    }
}
