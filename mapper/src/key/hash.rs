//! An item's key hashed as batches compare keys: each key attribute as
//! written (its type and its text), so two writes of one key always hash
//! alike. Batches use it to find a key given twice and to match what
//! DynamoDB leaves unprocessed to the writes it came from.
//!
//! A key's hash is the XOR of its attributes' hashes, each hashed with
//! its side (hash or range key), so the fast save hashes a key
//! attribute the moment it writes it, whatever order the fields come in,
//! and no lookup of the finished item is needed.

use std::hash::BuildHasher;
use std::sync::LazyLock;

use aws_sdk_dynamodb::types::AttributeValue;
use validate::Number;

use crate::codec::{self, Attributes};
use crate::model::ModelInfo;

/// One seed per process, drawn at random: the hashes of keys an
/// adversary chose collide no more than any others.
static STATE: LazyLock<foldhash::fast::RandomState> = LazyLock::new(Default::default);

/// Which of a key's attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeySide {
    /// The hash (partition) key.
    Hash,
    /// The range (sort) key.
    Range,
}

/// The share of the key attribute `attribute` on `side` in its key's hash.
pub(crate) fn part(side: KeySide, attribute: &AttributeValue) -> u64 {
    let side = side as u8;
    match attribute {
        AttributeValue::S(s) => STATE.hash_one((side, 0u8, s.as_str())),
        AttributeValue::N(n) => STATE.hash_one((side, 1u8, n.as_str())),
        AttributeValue::B(b) => STATE.hash_one((side, 2u8, b.as_ref())),
        // No key is of another type; it still hashes as what it is.
        _ => STATE.hash_one((side, 3u8)),
    }
}

/// The key attributes' names, with their sides.
pub(crate) fn sides(info: &ModelInfo) -> impl Iterator<Item = (KeySide, &str)> {
    std::iter::once((KeySide::Hash, info.hash.name.as_str())).chain(
        info.range
            .as_ref()
            .map(|r| (KeySide::Range, r.name.as_str())),
    )
}

/// The hash of the key of `item` (an absent attribute adds nothing).
pub(crate) fn of_item(item: Option<&Attributes>, info: &ModelInfo) -> u64 {
    sides(info)
        .filter_map(|(side, name)| Some(part(side, item?.get(name)?)))
        .fold(0, |hash, share| hash ^ share)
}

/// The hash of a key as DynamoDB gives it back, which may spell a number
/// its own way: numbers are written as the mapper writes them first.
pub(crate) fn of_returned(item: Option<&Attributes>, info: &ModelInfo) -> u64 {
    sides(info)
        .filter_map(|(side, name)| {
            let attribute = item?.get(name)?;
            let respelled = match attribute {
                AttributeValue::N(text) => text
                    .parse::<Number>()
                    .ok()
                    .map(|n| AttributeValue::N(codec::number_text(n))),
                _ => None,
            };
            Some(part(side, respelled.as_ref().unwrap_or(attribute)))
        })
        .fold(0, |hash, share| hash ^ share)
}
