//! What the fast paths need of each schema field, found once per model
//! (in [`ModelInfo`](crate::model::ModelInfo)) instead of on every item.

use validate::{Field, Schema, ValueType};

use super::check::{reaches_all, reads_all};
use crate::key::hash::KeySide;

/// What the fast save and load need of a schema field.
#[derive(Clone, Debug)]
pub(crate) struct FieldSlot {
    pub(in crate::codec) field: Field,
    /// The set type of the attribute, if the schema makes it a set.
    pub(in crate::codec) set_type: Option<ValueType>,
    /// Whether a list given for it becomes that set.
    pub(in crate::codec) lists_as_sets: bool,
    /// Whether its values are checked as they are written
    /// ([`Check`](super::check::Check)), not through its report check: its
    /// validator is plain all the way down, and it is no number or
    /// binary set (those are made from a list once written).
    pub(in crate::codec) writes_checked: bool,
    /// Whether its stored values are checked as they are read, not
    /// through its report check first: its validator is plain all the way down, with
    /// no binary set inside.
    pub(in crate::codec) reads_checked: bool,
    /// Whether its validator declares a set at any depth
    /// ([`holds_sets`](crate::codec::sets::holds_sets)).
    pub(in crate::codec) holds_sets: bool,
    /// The key attribute it is, if it is one.
    pub(in crate::codec) key: Option<KeySide>,
}

/// What the fast paths know of a model, found once (kept in its
/// [`ModelInfo`](crate::model::ModelInfo), opaque to everything else).
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// Each schema field's slot, in [`Schema::fields`] order.
    pub(in crate::codec) slots: Vec<FieldSlot>,
    /// The order the model's `Serialize` gives its fields in, once seen.
    pub(in crate::codec) order: super::FieldOrder,
    /// The slots whose stored values are not checked where they lie: a
    /// load runs their report check first.
    pub(in crate::codec) report: Vec<usize>,
}

impl Layout {
    /// The layout of a model with `schema`, keyed on `hash` and `range`.
    pub(crate) fn of(schema: &Schema, hash: &str, range: Option<&str>) -> Layout {
        let slots = slots(schema, hash, range);
        let report = (0..slots.len())
            .filter(|&at| !slots[at].reads_checked)
            .collect();
        Layout {
            slots,
            order: super::FieldOrder::default(),
            report,
        }
    }
}

/// The slots of `schema`'s fields, in [`Schema::fields`] order, for a
/// model keyed on `hash` and `range`.
fn slots(schema: &Schema, hash: &str, range: Option<&str>) -> Vec<FieldSlot> {
    schema
        .fields()
        .map(|field| {
            let validator = field.validator();
            let set_type = validator.output_type().filter(|t| t.is_set());
            let plain = validator.plain();
            FieldSlot {
                field: field.clone(),
                set_type,
                lists_as_sets: validator.takes_lists_as_sets(),
                writes_checked: plain.is_some_and(reaches_all)
                    && !matches!(set_type, Some(ValueType::NumberSet | ValueType::BinarySet)),
                reads_checked: plain.is_some_and(reads_all),
                holds_sets: crate::codec::sets::holds_sets(validator),
                key: if field.name() == hash {
                    Some(KeySide::Hash)
                } else if Some(field.name()) == range {
                    Some(KeySide::Range)
                } else {
                    None
                },
            }
        })
        .collect()
}
