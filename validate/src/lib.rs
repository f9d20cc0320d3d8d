//! DynamoDB-shaped values and composable validators that report every error
//! with its path: Rust's take on [Onctuous](https://pypi.org/project/onctuous/).
//!
//! - [`Value`] models DynamoDB's data: null, bool, exact 38-digit
//!   [`Number`], string, binary, list, map, and string/number/binary [`Set`]s.
//! - [`to_value`] / [`from_value`] bridge any serde type; [`ser`] and
//!   [`de`] are that one mapping generic over where values go and lie,
//!   for codec authors (the mapper's attributes are one such target).
//! - [`Schema`] and the validator functions ([`int`], [`str`](fn@str), [`set_of`],
//!   [`range`], [`matches`](fn@matches), [`all`], [`any`], …) check and normalize values,
//!   returning the normalized value or [`Errors`]: every failure, each with
//!   its [`Path`] and machine-readable [`ErrorKind`].
//!
//! ```
//! use validate::{Schema, Value, int, number, set_of, str};
//!
//! let schema = Schema::new()
//!     .required("episode", int().range(1..=4))
//!     .required("name", str().length(1..=64))
//!     .optional("cheats", set_of(str().matches(r"^id[a-z]+$")))
//!     .optional("rating", number().range(0..=10));
//!
//! let item: Value = serde_json::json!({
//!     "episode": 1, "name": "Hangar", "cheats": ["idkfa", "KONAMI", "iddqd"], "rating": 11
//! }).try_into()?;
//! let errors = schema.validate(item).unwrap_err();
//! assert_eq!(errors.len(), 2);
//! assert_eq!(errors.to_string(), "cheats[1]: \"KONAMI\" does not match ^id[a-z]+$\n\
//!                                 rating: 11 is out of range 0..=10");
//! # Ok::<(), validate::Error>(())
//! ```
//!
//! Validation allocates nothing on the valid path beyond what it returns:
//! paths are linked stack frames ([`PathNode`]) materialized only when an
//! error is recorded.

pub mod datetime;
#[cfg(feature = "rust_decimal")]
pub mod decimal;
mod error;
mod json;
mod number;
mod path;
mod schema;
mod serde;
mod sets;
mod typed;
mod validator;
mod value;

pub use datetime::{DateFormat, datetime};
pub use error::{Error, ErrorKind, Errors, Message, NumberProblem, Result, Violation};
pub use number::{MAX_DIGITS, MAX_EXPONENT, MIN_EXPONENT, Number};
pub use path::{Path, PathNode, Segment};
pub use schema::{DefaultValue, Extra, Field, IntoDefault, Presence, Schema};
pub use serde::{NUMBER_MARKER, de, from_value, ser, set, to_value};
pub use sets::Set;
pub use typed::Typed;
pub use validator::{
    Bounds, Failed, IntoBounds, Invalid, Lengths, MAX_NESTING, NumberRule, Outcome, Rule, ToBound,
    Validator, all, any, anything, bool, boolean, bytes, capitalize, clamp, custom, email, float,
    int, is_false, is_true, length, list_of, literal, lower, map_of, matches, maybe, msg,
    not_one_of, null, number, one_of, range, set_of, str, strip, sub, tagged, title, transform,
    upper, url,
};
pub use value::{Index, Map, Value, ValueType};

/// Validators in plain terms, for codec authors: what a validator requires
/// of a value it passes unchanged, as data ([`Validator::plain`]), so a
/// codec can check values in its own representation as it writes or reads
/// them. Everyday validation does not need it.
pub mod plain {
    pub use crate::validator::{Plain, Text};
}
