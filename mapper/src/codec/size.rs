//! An item's size as DynamoDB counts it (names and values), and its limit.

use aws_sdk_dynamodb::types::AttributeValue;

use super::Attributes;

/// An estimate of an attribute's stored size, for the request-size limit.
pub(crate) fn attribute_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Ss(v) | AttributeValue::Ns(v) => v.iter().map(String::len).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|a| 1 + attribute_size(a)).sum::<usize>(),
        AttributeValue::M(m) => 3 + item_size(m),
        _ => 1,
    }
}

/// An estimate of an item's stored size.
pub(crate) fn item_size(item: &Attributes) -> usize {
    item.iter().map(|(k, v)| k.len() + attribute_size(v)).sum()
}
