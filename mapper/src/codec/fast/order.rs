//! The order in which a model's `Serialize` gives its fields, learned on
//! its first fast save, so that later saves find each field's place in
//! the schema by comparing one pointer instead of looking its name up.
//!
//! Serde names struct fields with `&'static str`s: the same field comes
//! with the same address and length every time, and an equal address and
//! length is the same text. A field that does not come where it came the
//! first time (one skipped, a hand-written `Serialize` that varies) is
//! looked for further along, then looked up by name: the order only
//! makes the lookup cheaper, never different.

use std::sync::OnceLock;

use validate::Schema;

/// A field name as serde gives it: its address and length.
type Name = (usize, usize);

fn name_of(name: &'static str) -> Name {
    (name.as_ptr() as usize, name.len())
}

/// A field's name and its place among [`Schema::fields`] (`None` for a
/// field the schema does not know).
type Placed = (Name, Option<usize>);

/// The learned order of a model's fields.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldOrder(OnceLock<Box<[Placed]>>);

/// Finding the fields of one save, in the order they come.
pub(in crate::codec) struct Walk<'a> {
    order: &'a FieldOrder,
    /// Where the next field is expected in the learned order.
    next: usize,
    /// The fields so far, while no order is learned yet.
    seen: Vec<Placed>,
}

impl<'a> Walk<'a> {
    pub(in crate::codec) fn new(order: &'a FieldOrder) -> Walk<'a> {
        Walk {
            order,
            next: 0,
            seen: Vec::new(),
        }
    }

    /// The place of the field `name` among `schema`'s fields.
    #[inline]
    pub(in crate::codec) fn place(&mut self, name: &'static str, schema: &Schema) -> Option<usize> {
        // Where it came the first time, most often.
        if let Some(learned) = self.order.0.get()
            && let Some(&(known, at)) = learned.get(self.next)
            && known == name_of(name)
        {
            self.next += 1;
            return at;
        }
        self.search(name, schema)
    }

    /// [`Walk::place`] of a field not where it came the first time, or
    /// while no order is learned yet.
    #[cold]
    #[inline(never)]
    fn search(&mut self, name: &'static str, schema: &Schema) -> Option<usize> {
        let key = name_of(name);
        let Some(learned) = self.order.0.get() else {
            let at = schema.position(name);
            self.seen.push((key, at));
            return at;
        };
        match learned
            .get(self.next..)
            .and_then(|rest| rest.iter().position(|(known, _)| *known == key))
        {
            Some(ahead) => {
                let (_, at) = learned[self.next + ahead];
                self.next += ahead + 1;
                at
            }
            None => schema.position(name),
        }
    }

    /// Keeps the order of a save that went through, if none is learned.
    pub(in crate::codec) fn finish(self) {
        if self.order.0.get().is_none() {
            let _ = self.order.0.set(self.seen.into_boxed_slice());
        }
    }
}

#[cfg(test)]
mod tests {
    use validate::{int, str};

    use super::*;

    #[test]
    fn fields_are_placed_as_looked_up_in_any_order_they_come() {
        let schema = Schema::new()
            .required("b", int())
            .required("a", str())
            .optional("c", int());
        let order = FieldOrder::default();
        let names: [&'static str; 4] = ["b", "a", "zz", "c"];
        let expected: Vec<Option<usize>> = names.iter().map(|n| schema.position(n)).collect();
        assert_eq!(expected, [Some(1), Some(0), None, Some(2)]);

        // The first save learns; later saves, whole or with fields left
        // out or in another order, find the same places.
        let mut first = Walk::new(&order);
        let placed: Vec<_> = names.iter().map(|n| first.place(n, &schema)).collect();
        assert_eq!(placed, expected);
        first.finish();
        for run in [vec![0, 1, 2, 3], vec![1, 3], vec![3, 0, 2], vec![]] {
            let mut cursor = Walk::new(&order);
            for i in run {
                assert_eq!(cursor.place(names[i], &schema), expected[i], "{}", names[i]);
            }
        }
        // A name with the same text at another address is the same field.
        let other = String::from("a").leak();
        assert_eq!(Walk::new(&order).place(other, &schema), Some(0));
    }
}
