//! [`Condition`]: condition and filter expressions, built from paths and
//! values and rendered with placeholders only.

use std::ops::Not;

use validate::Value;

use crate::codec::to_attribute;
use crate::error::CodecError;
use crate::expr::path::AttrPath;
use crate::expr::placeholders::Placeholders;

/// One side of a comparison: an attribute, a value, or `size(attribute)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// The value at a path of the stored item.
    Path(AttrPath),
    /// A literal value (always sent as a placeholder).
    Value(Value),
    /// `size(path)`: a string's or binary's length, a collection's element count.
    Size(AttrPath),
    /// A value given for a typed path that has no DynamoDB form (a NaN, a
    /// number past 38 digits): the expression is refused when rendered,
    /// before anything is sent.
    Unconvertible(CodecError),
}

/// Anything usable as an [`Operand`]: an [`AttrPath`], [`size`], or any
/// value convertible to a [`Value`] (`3`, `"text"`, `true`, …).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared in a condition",
    label = "not a condition operand",
    note = "an operand is an attribute path (`attr(\"name\")`), `size(…)`, or a value: text, a number, a bool, bytes, a set, a list, a map (`validate::Value`)"
)]
pub trait IntoOperand {
    /// The operand.
    fn into_operand(self) -> Operand;
}

impl IntoOperand for Operand {
    fn into_operand(self) -> Operand {
        self
    }
}

impl IntoOperand for AttrPath {
    fn into_operand(self) -> Operand {
        Operand::Path(self)
    }
}

impl<T: Into<Value>> IntoOperand for T {
    fn into_operand(self) -> Operand {
        Operand::Value(self.into())
    }
}

/// `size(path)`, as an operand.
pub fn size(path: impl Into<AttrPath>) -> Operand {
    Operand::Size(path.into())
}

/// A DynamoDB attribute type, for [`AttrPath::is_type`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// `S`
    String,
    /// `N`
    Number,
    /// `B`
    Binary,
    /// `BOOL`
    Bool,
    /// `NULL`
    Null,
    /// `L`
    List,
    /// `M`
    Map,
    /// `SS`
    StringSet,
    /// `NS`
    NumberSet,
    /// `BS`
    BinarySet,
}

impl AttrType {
    fn code(self) -> &'static str {
        match self {
            AttrType::String => "S",
            AttrType::Number => "N",
            AttrType::Binary => "B",
            AttrType::Bool => "BOOL",
            AttrType::Null => "NULL",
            AttrType::List => "L",
            AttrType::Map => "M",
            AttrType::StringSet => "SS",
            AttrType::NumberSet => "NS",
            AttrType::BinarySet => "BS",
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A condition (for conditional writes) or filter (for query and scan):
/// `attr("status").eq("active").and(attr("year").ge(2020))`.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `a <op> b`
    Compare(Operand, Comparator, Operand),
    /// `a BETWEEN low AND high`
    Between(Operand, Operand, Operand),
    /// `a IN (b, c, …)`
    In(Operand, Vec<Operand>),
    /// `attribute_exists(path)`
    Exists(AttrPath),
    /// `attribute_not_exists(path)`
    NotExists(AttrPath),
    /// `attribute_type(path, type)`
    Type(AttrPath, AttrType),
    /// `begins_with(path, prefix)`
    BeginsWith(AttrPath, Operand),
    /// `contains(path, operand)`
    Contains(AttrPath, Operand),
    /// Every condition holds.
    And(Vec<Condition>),
    /// At least one condition holds.
    Or(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// The six comparators, on a type that becomes the left operand: one
/// definition for paths (`attr("year").ge(2020)`) and operands
/// (`size("tags").gt(2)`).
macro_rules! comparators {
    ($ty:ty) => {
        impl $ty {
            /// `self = other`
            pub fn eq(self, other: impl IntoOperand) -> Condition {
                compare(self, Comparator::Eq, other)
            }
            /// `self <> other`
            pub fn ne(self, other: impl IntoOperand) -> Condition {
                compare(self, Comparator::Ne, other)
            }
            /// `self < other`
            pub fn lt(self, other: impl IntoOperand) -> Condition {
                compare(self, Comparator::Lt, other)
            }
            /// `self <= other`
            pub fn le(self, other: impl IntoOperand) -> Condition {
                compare(self, Comparator::Le, other)
            }
            /// `self > other`
            pub fn gt(self, other: impl IntoOperand) -> Condition {
                compare(self, Comparator::Gt, other)
            }
            /// `self >= other`
            pub fn ge(self, other: impl IntoOperand) -> Condition {
                compare(self, Comparator::Ge, other)
            }
        }
    };
}

fn compare(left: impl IntoOperand, op: Comparator, right: impl IntoOperand) -> Condition {
    Condition::Compare(left.into_operand(), op, right.into_operand())
}

comparators!(AttrPath);
comparators!(Operand);

/// Builders on paths: `attr("year").exists()`.
impl AttrPath {
    /// `path BETWEEN low AND high` (inclusive).
    pub fn between(self, low: impl IntoOperand, high: impl IntoOperand) -> Condition {
        Condition::Between(Operand::Path(self), low.into_operand(), high.into_operand())
    }
    /// `path IN (…)`: equal to one of `candidates` (DynamoDB allows up to 100).
    pub fn is_in<O: IntoOperand>(self, candidates: impl IntoIterator<Item = O>) -> Condition {
        Condition::In(
            Operand::Path(self),
            candidates
                .into_iter()
                .map(IntoOperand::into_operand)
                .collect(),
        )
    }
    /// `attribute_exists(path)`
    pub fn exists(self) -> Condition {
        Condition::Exists(self)
    }
    /// `attribute_not_exists(path)`
    pub fn not_exists(self) -> Condition {
        Condition::NotExists(self)
    }
    /// `attribute_type(path, t)`
    pub fn is_type(self, t: AttrType) -> Condition {
        Condition::Type(self, t)
    }
    /// `begins_with(path, prefix)`
    pub fn begins_with(self, prefix: impl IntoOperand) -> Condition {
        Condition::BeginsWith(self, prefix.into_operand())
    }
    /// `contains(path, operand)`: a substring, or a member of a set or list.
    pub fn contains(self, operand: impl IntoOperand) -> Condition {
        Condition::Contains(self, operand.into_operand())
    }
}

impl Operand {
    pub(crate) fn render(&self, p: &mut Placeholders) -> Result<String, CodecError> {
        Ok(match self {
            Operand::Path(path) => path.render(p),
            Operand::Value(value) => p.value(to_attribute(value)?),
            Operand::Size(path) => format!("size({})", path.render(p)),
            Operand::Unconvertible(e) => return Err(e.clone()),
        })
    }
}

impl Condition {
    /// `self AND other`
    #[must_use]
    pub fn and(self, other: Condition) -> Condition {
        match self {
            Condition::And(mut all) => {
                all.push(other);
                Condition::And(all)
            }
            first => Condition::And(vec![first, other]),
        }
    }

    /// `self OR other`
    #[must_use]
    pub fn or(self, other: Condition) -> Condition {
        match self {
            Condition::Or(mut any) => {
                any.push(other);
                Condition::Or(any)
            }
            first => Condition::Or(vec![first, other]),
        }
    }

    /// The expression text, names and values as placeholders.
    pub(crate) fn render(&self, p: &mut Placeholders) -> Result<String, CodecError> {
        Ok(match self {
            Condition::Compare(a, op, b) => {
                format!("{} {} {}", a.render(p)?, op.symbol(), b.render(p)?)
            }
            Condition::Between(a, low, high) => format!(
                "{} BETWEEN {} AND {}",
                a.render(p)?,
                low.render(p)?,
                high.render(p)?
            ),
            Condition::In(a, candidates) => {
                let a = a.render(p)?;
                let list = candidates
                    .iter()
                    .map(|c| c.render(p))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("{a} IN ({})", list.join(", "))
            }
            Condition::Exists(path) => format!("attribute_exists({})", path.render(p)),
            Condition::NotExists(path) => format!("attribute_not_exists({})", path.render(p)),
            Condition::Type(path, t) => {
                let path = path.render(p);
                let t = p.value(aws_sdk_dynamodb::types::AttributeValue::S(t.code().into()));
                format!("attribute_type({path}, {t})")
            }
            Condition::BeginsWith(path, prefix) => {
                format!("begins_with({}, {})", path.render(p), prefix.render(p)?)
            }
            Condition::Contains(path, operand) => {
                format!("contains({}, {})", path.render(p), operand.render(p)?)
            }
            Condition::And(all) => join(all, " AND ", p)?,
            Condition::Or(any) => join(any, " OR ", p)?,
            Condition::Not(inner) => format!("NOT ({})", inner.render(p)?),
        })
    }
}

fn join(parts: &[Condition], op: &str, p: &mut Placeholders) -> Result<String, CodecError> {
    if parts.is_empty() {
        return Err(CodecError::new(
            validate::Path::root(),
            format!("an empty{op}condition has no meaning"),
        ));
    }
    let rendered = parts
        .iter()
        .map(|c| Ok(format!("({})", c.render(p)?)))
        .collect::<Result<Vec<_>, CodecError>>()?;
    Ok(rendered.join(op))
}

impl Not for Condition {
    type Output = Condition;

    fn not(self) -> Condition {
        Condition::Not(Box::new(self))
    }
}
