//! The codec's target for `validate`'s serializer: each value straight to
//! its `AttributeValue`, with its size as DynamoDB counts it, held to its
//! check (if any) as it is written. The mapping (which serde shape is
//! which DynamoDB type, the paths of errors) is the serializer's, the one
//! `validate::to_value` runs.

use aws_sdk_dynamodb::primitives::Blob;
use validate::ser::{ListTarget, MapTarget, Target};

use super::*;

/// An attribute as written, and its size as [`attribute_size`] counts it.
pub(super) struct Counted {
    pub(super) attribute: AttributeValue,
    pub(super) size: usize,
}

impl Counted {
    fn number(text: String) -> Counted {
        Counted {
            size: text.len(),
            attribute: AttributeValue::N(text),
        }
    }
}

/// Writes attributes, each held to the check given (none: unchecked).
#[derive(Clone, Copy)]
pub(super) struct Checked<'s>(pub(super) Option<Check<'s>>);

impl<'s> Checked<'s> {
    /// A number's text, held to the check.
    fn number_text(self, text: String) -> Result<Counted, Bail> {
        passes(self.0, |c| c.number(&text))?;
        Ok(Counted::number(text))
    }
}

impl<'s> Target for Checked<'s> {
    type Item = Counted;
    type Error = Bail;
    type List = List<'s>;
    type Map = Entries<'s>;

    fn bool(self, v: bool) -> Result<Counted, Bail> {
        passes(self.0, Check::bool)?;
        Ok(Counted {
            attribute: AttributeValue::Bool(v),
            size: 1,
        })
    }
    /// Checked before it becomes text.
    fn int(self, v: i64) -> Result<Counted, Bail> {
        passes(self.0, |c| c.int(v))?;
        Ok(Counted::number(int_text(v)))
    }
    fn number(self, v: Number) -> Result<Counted, Bail> {
        self.number_text(number_text(v))
    }
    fn float(self, v: f64) -> Result<Counted, Bail> {
        self.number_text(float_text(v).ok_or(REFUSED)?)
    }
    fn string(self, v: &str) -> Result<Counted, Bail> {
        passes(self.0, |c| c.str(v))?;
        Ok(Counted {
            attribute: AttributeValue::S(v.to_owned()),
            size: v.len(),
        })
    }
    fn bytes(self, v: &[u8]) -> Result<Counted, Bail> {
        passes(self.0, |c| c.bytes(v.len()))?;
        Ok(Counted {
            attribute: AttributeValue::B(Blob::new(v)),
            size: v.len(),
        })
    }
    /// NULL counts one byte.
    fn null(self) -> Result<Counted, Bail> {
        passes(self.0, Check::null)?;
        Ok(Counted {
            attribute: AttributeValue::Null(true),
            size: 1,
        })
    }
    /// A marked set: unchecked only (a checked field's schema says what
    /// set it is).
    #[cold]
    fn value(self, v: Value) -> Result<Counted, Bail> {
        if self.0.is_some() {
            return Err(REFUSED);
        }
        let attribute = codec::into_attribute(v).map_err(|_| REFUSED)?;
        Ok(Counted {
            size: attribute_size(&attribute),
            attribute,
        })
    }
    fn list(self, len: usize) -> Result<List<'s>, Bail> {
        let check = self.0.map(|c| c.list().ok_or(REFUSED)).transpose()?;
        Ok(List {
            items: Vec::with_capacity(len),
            size: 3,
            check,
        })
    }
    fn map(self, len: usize) -> Result<Entries<'s>, Bail> {
        let check = self.0.map(|c| c.map().ok_or(REFUSED)).transpose()?;
        Ok(Entries {
            map: HashMap::with_capacity(len),
            size: 3,
            check,
        })
    }
    /// Enum variants with fields are not followed by checks.
    fn variant(self) -> Result<Checked<'s>, Bail> {
        match self.0 {
            Some(_) => Err(REFUSED),
            None => Ok(self),
        }
    }
    /// A map of one key: three bytes and the key, besides the value.
    fn tagged(variant: &'static str, item: Counted) -> Counted {
        Counted {
            attribute: AttributeValue::M(HashMap::from([(variant.to_owned(), item.attribute)])),
            size: 3 + variant.len() + item.size,
        }
    }
}

/// A list: three bytes, and one more per element besides its own size.
/// Under a check, each element passes the element check as it comes, and
/// the length passes at the end.
pub(super) struct List<'s> {
    items: Vec<AttributeValue>,
    size: usize,
    check: Option<(Lengths, Check<'s>)>,
}

impl<'s> ListTarget<Checked<'s>> for List<'s> {
    fn element(&self) -> Checked<'s> {
        Checked(self.check.map(|(_, element)| element))
    }
    fn push(&mut self, item: Counted) -> Result<(), Bail> {
        self.size += 1 + item.size;
        self.items.push(item.attribute);
        Ok(())
    }
    fn finish(self) -> Result<Counted, Bail> {
        passes(self.check.map(|(lengths, _)| lengths), |lengths| {
            lengths.fits(self.items.len())
        })?;
        Ok(Counted {
            attribute: AttributeValue::L(self.items),
            size: self.size,
        })
    }
}

/// A map: three bytes, and each entry's key and value. Under a check,
/// each key is one its schema knows and each value passes its field's
/// check as it comes; at the end, every key the schema needs is there.
pub(super) struct Entries<'s> {
    map: codec::Attributes,
    size: usize,
    check: Option<MapCheck<'s>>,
}

impl<'s> MapTarget<Checked<'s>> for Entries<'s> {
    /// Whether the key is one the schema needs.
    type Entry = bool;

    /// Out of line: one copy for every type.
    #[inline(never)]
    fn entry(&self, key: &str) -> Result<(Checked<'s>, bool), Bail> {
        Ok(match &self.check {
            Some(map) => {
                let (check, needed) = map.entry(key).ok_or(REFUSED)?;
                (Checked(Some(check)), needed)
            }
            None => (Checked(None), false),
        })
    }

    #[inline(never)]
    fn insert(&mut self, key: String, item: Counted, needed: bool) -> Result<(), Bail> {
        let key_len = key.len();
        self.size += key_len + item.size;
        // A key given twice (by a hand-written `Serialize`) counts once,
        // and is not followed by checks.
        if let Some(old) = self.map.insert(key, item.attribute) {
            self.size -= key_len + attribute_size(&old);
            if self.check.is_some() {
                return Err(REFUSED);
            }
        }
        if needed && let Some(map) = &mut self.check {
            map.given();
        }
        Ok(())
    }

    fn finish(self) -> Result<Counted, Bail> {
        passes(self.check.as_ref(), |map| map.complete())?;
        Ok(Counted {
            attribute: AttributeValue::M(self.map),
            size: self.size,
        })
    }
}
