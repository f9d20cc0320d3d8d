//! A list: its elements, each held to the element check as it comes.

use serde::ser::{self, Serialize};

use super::*;

/// A list: three bytes, and one more per element besides its own size.
/// Under a check, each element passes the element check as it comes, and
/// the length passes at the end.
pub(super) struct SeqSer<'s> {
    items: Vec<AttributeValue>,
    size: &'s mut usize,
    check: Option<(Lengths, Check<'s>)>,
}

impl<'s> SeqSer<'s> {
    pub(super) fn new(
        len: usize,
        size: &'s mut usize,
        check: Option<Check<'s>>,
    ) -> Result<SeqSer<'s>, Bail> {
        let check = match check {
            Some(check) => Some(check.list().ok_or(REFUSED)?),
            None => None,
        };
        *size += 3;
        Ok(SeqSer {
            items: Vec::with_capacity(len),
            size,
            check,
        })
    }

    pub(super) fn push<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Bail> {
        *self.size += 1;
        let element = self.check.map(|(_, element)| element);
        let index = self.items.len();
        let item =
            present(value, self.size, element).map_err(|e| e.within(|| Segment::Index(index)))?;
        self.items.push(item);
        Ok(())
    }

    pub(super) fn finish(self) -> Out {
        passes(self.check.map(|(lengths, _)| lengths), |lengths| {
            lengths.fits(self.items.len())
        })?;
        Ok(Some(AttributeValue::L(self.items)))
    }
}

// The three shapes all make lists.
seq_shapes!(
    SeqSer<'_>:
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);
