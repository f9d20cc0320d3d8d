//! The serde bridge: [`to_value`] and [`from_value`], and the [`set`] field
//! helper.

pub mod de;
mod number;
pub mod ser;

pub use de::from_value;
pub use number::NUMBER_MARKER;
pub use ser::to_value;

use std::fmt::Display;

use crate::error::Error;
use crate::path::{Path, Segment};

/// The newtype name [`set::serialize`] wraps a collection in, which
/// [`to_value`] turns into a DynamoDB set. Other serializers ignore it.
pub(crate) const SET_MARKER: &str = "\u{0}validate::set";

impl serde::ser::Error for Error {
    fn custom<T: Display>(message: T) -> Error {
        Error::Convert {
            path: Path::root(),
            message: message.to_string(),
        }
    }
}

impl serde::de::Error for Error {
    fn custom<T: Display>(message: T) -> Error {
        Error::Convert {
            path: Path::root(),
            message: message.to_string(),
        }
    }
}

impl Error {
    /// Puts `segment` in front of a conversion error's path, as it bubbles
    /// out of the value at `segment` (a number error becomes a conversion
    /// error there). For serializers and deserializers of `Value`-shaped
    /// data outside this crate, such as the mapper's.
    #[must_use]
    pub fn within(self, segment: Segment) -> Error {
        let this = match self {
            Error::Number { input, problem } => Error::Convert {
                path: Path::root(),
                message: format!("number {input} {problem}"),
            },
            other => other,
        };
        match this {
            Error::Convert { path, message } => {
                let prefix = match segment {
                    Segment::Key(k) => Path::root().key(k),
                    Segment::Index(i) => Path::root().index(i),
                };
                Error::Convert {
                    path: path.prefixed(&prefix),
                    message,
                }
            }
            other => other,
        }
    }
}

/// Serde helper that stores a collection as a DynamoDB set even without a
/// schema: `#[serde(with = "validate::set")]` on a `HashSet<String>`,
/// `BTreeSet<i64>`, `Vec<Vec<u8>>`, … field.
///
/// Without it, [`to_value`] writes collections as lists and a schema's
/// [`set_of`](crate::set_of) turns them into sets; the mapper always
/// validates, so model fields need the helper only to skip that step.
///
/// ```
/// use std::collections::BTreeSet;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Map { #[serde(with = "validate::set")] cheats: BTreeSet<String> }
/// let v = validate::to_value(&Map { cheats: ["iddqd".to_owned()].into() })?;
/// assert!(v["cheats"].as_string_set().is_some());
/// # Ok::<(), validate::Error>(())
/// ```
pub mod set {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// The newtype-struct name [`serialize`] wraps the collection in:
    /// [`to_value`](crate::to_value) makes a set of it, and other
    /// serializers see a newtype of this name around a sequence.
    pub const MARKER: &str = super::SET_MARKER;

    /// Serializes `value` as a set.
    ///
    /// # Errors
    /// Whatever the serializer reports.
    pub fn serialize<T: Serialize + ?Sized, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(super::SET_MARKER, value)
    }

    /// Deserializes a set (or a list) into the collection.
    ///
    /// # Errors
    /// Whatever the deserializer reports.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}
