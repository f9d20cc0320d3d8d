//! [`Schema`]: a map validator with required, optional and defaulted keys
//! and a policy for keys it does not know.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use crate::error::{ErrorKind, Errors};
use crate::path::PathNode;
use crate::validator::{Failed, Outcome, Validator, check_depth, type_error};
use crate::value::Value;

/// What a [`Schema`] does with keys it does not list (voluptuous's three policies).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Extra {
    /// Each unknown key is an [`ErrorKind::ExtraKey`] error (the default).
    #[default]
    Forbid,
    /// Unknown keys pass through unchecked.
    Allow,
    /// Unknown keys are dropped from the normalized value.
    Remove,
}

/// A default for an absent key: a value, or a function called each time.
/// (Not named `Default`: a glob import of `validate` would shadow
/// `std::default::Default`.)
#[derive(Clone)]
pub enum DefaultValue {
    /// This value, cloned.
    Value(Value),
    /// The function's result (a fresh id, the current time, …).
    Fn(Arc<dyn Fn() -> Value + Send + Sync>),
}

impl DefaultValue {
    /// Produces the default value.
    pub fn make(&self) -> Value {
        match self {
            DefaultValue::Value(v) => v.clone(),
            DefaultValue::Fn(f) => f(),
        }
    }
}

impl fmt::Debug for DefaultValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultValue::Value(v) => write!(f, "DefaultValue::Value({v})"),
            DefaultValue::Fn(_) => f.write_str("DefaultValue::Fn(..)"),
        }
    }
}

/// Whether a key must be present.
#[derive(Clone, Debug)]
pub enum Presence {
    /// Absent is an [`ErrorKind::Required`] error.
    Required,
    /// Absent is fine.
    Optional,
    /// Absent is filled with the default. The default itself is not
    /// validated, as in Onctuous: it is the programmer's value.
    Default(DefaultValue),
}

/// One key of a [`Schema`].
#[derive(Clone, Debug)]
pub struct Field {
    name: Arc<str>,
    validator: Validator,
    presence: Presence,
}

impl Field {
    /// The key.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The key's validator.
    pub fn validator(&self) -> &Validator {
        &self.validator
    }
    /// Whether the key is required, optional or defaulted.
    pub fn presence(&self) -> &Presence {
        &self.presence
    }
    /// Whether the key must be present (and has no default).
    pub fn is_required(&self) -> bool {
        matches!(self.presence, Presence::Required)
    }
    /// The default value for an absent key, if there is one.
    pub fn default_value(&self) -> Option<Value> {
        match &self.presence {
            Presence::Default(d) => Some(d.make()),
            _ => None,
        }
    }
}

/// A map validator: named keys with their validators, defaults, and an
/// [`Extra`] policy. Every bad key is reported, with its path.
///
/// ```
/// use validate::{Schema, Value, int, set_of, str};
/// let doom_map = Schema::new()
///     .required("episode", int().range(1..=4))
///     .required("map", int().range(1..=9))
///     .required("name", str().length(1..=64))
///     .with_default("cheats", set_of(str()), ["Konami"]);
///
/// let item: Value = [("episode", Value::from(1)), ("map", Value::from(1)), ("name", Value::from("Hangar"))]
///     .into_iter()
///     .collect();
/// let valid = doom_map.validate(item)?;
/// assert_eq!(valid["cheats"].as_string_set().map(|s| s.len()), Some(1));
///
/// let bad: Value = [("episode", Value::from(7)), ("map", Value::from("x"))].into_iter().collect();
/// let errors = doom_map.validate(bad).unwrap_err();
/// assert_eq!(errors.to_string(), "episode: 7 is out of range 1..=4\n\
///                                 map: expected an integer, got string \"x\"\n\
///                                 name: required key not provided");
/// # Ok::<(), validate::Errors>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Sorted by name, so checking is a merge with the (sorted) map.
    fields: Vec<Field>,
    /// Each field's [`tag`], in the same order: finding a name among a few
    /// fields compares integers, not strings.
    tags: Vec<u64>,
    /// Finds a tag's field in one step, when the tags are distinct.
    slots: Option<Slots>,
    /// How many fields are not optional (required or defaulted).
    needed: usize,
    extra: Extra,
}

/// A name's length (up to 255) and seven of its bytes in one integer: all
/// of them for a name up to seven bytes long (so equal tags mean equal
/// names), else the first four and the last three, where names that share
/// a prefix (`created_at`, `created_by`) differ.
#[inline]
fn tag(name: &str) -> u64 {
    let b = name.as_bytes();
    let n = b.len();
    let u32_at = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let first = match n {
        0 => 0,
        // Three bytes (some the same), each in its place.
        1..=3 => {
            u64::from(b[0])
                | u64::from(b[n / 2]) << (8 * (n / 2))
                | u64::from(b[n - 1]) << (8 * (n - 1))
        }
        // Two overlapping words: the bytes they share are the same.
        4..=7 => u32_at(0) | u32_at(n - 4) << (8 * (n - 4)),
        _ => u32_at(0) | (u32_at(n - 4) >> 8) << 32,
    };
    first | (n.min(255) as u64) << 56
}

/// A multiplicative hash table from tags to field positions, with a
/// multiplier chosen so that no two tags share a slot: one multiply, one
/// shift and one comparison find a name.
#[derive(Clone, Debug)]
struct Slots {
    multiplier: u64,
    shift: u32,
    /// Field positions; `u8::MAX` for an empty slot.
    positions: Box<[u8]>,
}

impl Slots {
    /// The table for `tags`, if a multiplier that separates them is found
    /// (never for equal tags, or more than 64 fields).
    fn of(tags: &[u64]) -> Option<Slots> {
        if tags.is_empty() || tags.len() > 64 {
            return None;
        }
        let mut candidate = 0x9E37_79B9_7F4A_7C15_u64;
        for bits in tags.len().next_power_of_two().trailing_zeros() + 1..=12 {
            let shift = 64 - bits;
            for _ in 0..64 {
                // Odd multipliers from a splitmix sequence.
                candidate = candidate.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let multiplier =
                    (candidate ^ (candidate >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9) | 1;
                let mut positions = vec![u8::MAX; 1 << bits].into_boxed_slice();
                let separated = tags.iter().enumerate().all(|(i, &t)| {
                    let slot = &mut positions[(t.wrapping_mul(multiplier) >> shift) as usize];
                    let free = *slot == u8::MAX;
                    *slot = i as u8;
                    free
                });
                if separated {
                    return Some(Slots {
                        multiplier,
                        shift,
                        positions,
                    });
                }
            }
        }
        None
    }

    /// The position of the only field that may have tag `t`.
    #[inline]
    fn position(&self, t: u64) -> usize {
        usize::from(self.positions[(t.wrapping_mul(self.multiplier) >> self.shift) as usize])
    }
}

impl Schema {
    /// A schema with no keys that forbids extra keys.
    pub fn new() -> Schema {
        Schema::default()
    }

    fn field(
        mut self,
        name: impl Into<String>,
        validator: impl Into<Validator>,
        presence: Presence,
    ) -> Schema {
        let field = Field {
            name: Arc::from(name.into()),
            validator: validator.into(),
            presence,
        };
        match self.fields.binary_search_by(|f| f.name.cmp(&field.name)) {
            Ok(at) => self.fields[at] = field,
            Err(at) => self.fields.insert(at, field),
        }
        self.tags = self.fields.iter().map(|f| tag(&f.name)).collect();
        self.slots = Slots::of(&self.tags);
        self.needed = self
            .fields
            .iter()
            .filter(|f| !matches!(f.presence, Presence::Optional))
            .count();
        self
    }

    /// A key that must be present and pass `validator`.
    #[must_use]
    pub fn required(self, name: impl Into<String>, validator: impl Into<Validator>) -> Schema {
        self.field(name, validator, Presence::Required)
    }

    /// A key that may be absent; when present it must pass `validator`.
    #[must_use]
    pub fn optional(self, name: impl Into<String>, validator: impl Into<Validator>) -> Schema {
        self.field(name, validator, Presence::Optional)
    }

    /// A key filled with `default` when absent; when present it must pass `validator`.
    #[must_use]
    pub fn with_default(
        self,
        name: impl Into<String>,
        validator: impl Into<Validator>,
        default: impl IntoDefault,
    ) -> Schema {
        self.field(
            name,
            validator,
            Presence::Default(DefaultValue::Value(default.into_default())),
        )
    }

    /// A key filled with `make()` when absent.
    #[must_use]
    pub fn with_default_fn(
        self,
        name: impl Into<String>,
        validator: impl Into<Validator>,
        make: impl Fn() -> Value + Send + Sync + 'static,
    ) -> Schema {
        self.field(
            name,
            validator,
            Presence::Default(DefaultValue::Fn(Arc::new(make))),
        )
    }

    /// Sets the policy for keys the schema does not list.
    #[must_use]
    pub fn extra(mut self, policy: Extra) -> Schema {
        self.extra = policy;
        self
    }

    /// The policy for unknown keys.
    pub fn extra_policy(&self) -> Extra {
        self.extra
    }

    /// The keys, sorted by name.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = &Field> {
        self.fields.iter()
    }

    /// How many keys a map must have: the required and the defaulted ones
    /// (a stored item gets no defaults).
    pub fn needed_keys(&self) -> usize {
        self.needed
    }

    /// The key named `name`.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.fields.get(self.position(name)?)
    }

    /// Where the key named `name` is among [`Schema::fields`], for callers
    /// that keep facts of their own about each key.
    ///
    /// ```
    /// use validate::{Schema, int, str};
    ///
    /// let schema = Schema::new().required("name", str()).required("age", int());
    /// assert_eq!(schema.position("name"), Some(1), "keys are sorted");
    /// assert_eq!(schema.fields().nth(1).map(|f| f.name()), Some("name"));
    /// assert_eq!(schema.position("nickname"), None);
    /// ```
    #[inline]
    pub fn position(&self, name: &str) -> Option<usize> {
        match &self.slots {
            Some(slots) => {
                let wanted = tag(name);
                let at = slots.position(wanted);
                let field = self.fields.get(at)?;
                (self.tags.get(at) == Some(&wanted) && (name.len() <= 7 || *field.name == *name))
                    .then_some(at)
            }
            None => self.search(name),
        }
    }

    /// [`Schema::position`] where tags do not find names in one step.
    #[inline(never)]
    fn search(&self, name: &str) -> Option<usize> {
        if self.fields.len() <= 16 {
            // Few keys: comparing tags rejects all but the one at once,
            // cheaper than the string comparisons of a binary search.
            let wanted = tag(name);
            return self.tags.iter().enumerate().position(|(i, &t)| {
                t == wanted && (name.len() <= 7 || *self.fields[i].name == *name)
            });
        }
        self.fields.binary_search_by(|f| (*f.name).cmp(name)).ok()
    }

    /// Validates `value`, returning it normalized (coercions done, defaults
    /// filled, extra keys handled) or every error found.
    ///
    /// # Errors
    /// [`Errors`] listing every failure with its path.
    pub fn validate(&self, mut value: Value) -> Result<Value, Errors> {
        self.validate_in_place(&mut value)?;
        Ok(value)
    }

    /// Like [`Schema::validate`], normalizing `value` where it stands.
    ///
    /// # Errors
    /// [`Errors`] listing every failure with its path; `value` may then be
    /// partly normalized.
    pub fn validate_in_place(&self, value: &mut Value) -> Result<(), Errors> {
        let mut errors = Errors::new();
        match self.check(value, &PathNode::ROOT, &mut errors) {
            Ok(()) => Ok(()),
            Err(Failed) => Err(errors),
        }
    }

    /// Checks `value` at `path`, recording every failure in `errors`.
    ///
    /// # Errors
    /// `Failed` if anything failed; the reasons are in `errors`.
    pub fn check(&self, value: &mut Value, path: &PathNode<'_>, errors: &mut Errors) -> Outcome {
        let Value::Map(map) = value else {
            return type_error("a map", value, path, errors);
        };
        check_depth(0, path, errors)?;
        let fields = self.fields.as_slice();
        let mut failed = false;
        let mut fill_defaults = false;
        let mut extras = false;
        let mut next = 0;
        let mut absent = |field: &Field, errors: &mut Errors| match field.presence {
            Presence::Required => {
                errors.push(
                    &path.field(&field.name),
                    ErrorKind::Required,
                    "required key not provided",
                );
                true
            }
            Presence::Optional => false,
            Presence::Default(_) => {
                fill_defaults = true;
                false
            }
        };
        // Both the map and the fields are sorted by key: one merge pass.
        'entries: for (key, item) in map.iter_mut() {
            while let Some(field) = fields.get(next) {
                match (*field.name).cmp(key.as_str()) {
                    Ordering::Less => {
                        failed |= absent(field, errors);
                        next += 1;
                    }
                    Ordering::Equal => {
                        failed |= field
                            .validator
                            .check(item, &path.field(&field.name), errors)
                            .is_err();
                        next += 1;
                        continue 'entries;
                    }
                    Ordering::Greater => break,
                }
            }
            extras = true;
            if self.extra == Extra::Forbid {
                errors.push(&path.key(key), ErrorKind::ExtraKey, "extra key not allowed");
                failed = true;
            }
        }
        for field in &fields[next..] {
            failed |= absent(field, errors);
        }
        if fill_defaults {
            for field in fields {
                if let Presence::Default(default) = &field.presence
                    && !map.contains_key(&*field.name)
                {
                    map.insert(field.name.to_string(), default.make());
                }
            }
        }
        if extras && self.extra == Extra::Remove {
            map.retain(|key, _| self.get(key).is_some());
        }
        if failed { Err(Failed) } else { Ok(()) }
    }
}

/// A default value: anything convertible to a [`Value`], or an array of
/// strings (a string set, as in `with_default("cheats", set_of(str()), ["Konami"])`).
pub trait IntoDefault {
    /// The default as a value.
    fn into_default(self) -> Value;
}

impl<T: Into<Value>> IntoDefault for T {
    fn into_default(self) -> Value {
        self.into()
    }
}

impl<const N: usize> IntoDefault for [&str; N] {
    fn into_default(self) -> Value {
        Value::StringSet(self.into_iter().map(str::to_owned).collect())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Slots, tag};

    /// The tag as its doc says: the length, then all bytes up to seven,
    /// or the first four and the last three.
    fn spelled_out(name: &str) -> u64 {
        let b = name.as_bytes();
        let mut seven = [0u8; 8];
        if b.len() <= 7 {
            seven[..b.len()].copy_from_slice(b);
        } else {
            seven[..4].copy_from_slice(&b[..4]);
            seven[4..7].copy_from_slice(&b[b.len() - 3..]);
        }
        u64::from_le_bytes(seven) | (b.len().min(255) as u64) << 56
    }

    proptest! {
        #[test]
        fn tags_hold_the_length_and_first_seven_bytes(name in "\\PC{0,12}") {
            prop_assert_eq!(tag(&name), spelled_out(&name));
        }
    }

    #[test]
    fn distinct_tags_get_a_table_and_equal_ones_do_not() {
        let tags = |names: &[&str]| names.iter().map(|n| tag(n)).collect::<Vec<_>>();
        let model = tags(&["device", "at", "label", "tags", "value", "notes", "meta"]);
        let slots = Slots::of(&model).expect("a table for a typical model");
        for (i, &t) in model.iter().enumerate() {
            assert_eq!(slots.position(t), i);
        }
        let many: Vec<String> = (0..64).map(|i| format!("field_{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(Slots::of(&tags(&many)).is_some(), "64 fields");
        assert!(Slots::of(&tags(&["created_at", "created_by", "attribute_one"])).is_some());
        assert!(
            Slots::of(&tags(&["user_1_name", "user_2_name"])).is_none(),
            "equal tags"
        );
    }

    #[test]
    fn tags_of_every_short_length() {
        for name in [
            "", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh",
        ] {
            assert_eq!(tag(name), spelled_out(name), "{name:?}");
        }
        assert_eq!(tag(&"x".repeat(300)) >> 56, 255);
    }
}
