//! [`AttrPath`]: an attribute, or a value nested inside one, named segment
//! by segment so that no name is ever parsed.

use std::fmt;

use crate::expr::placeholders::Placeholders;

/// One step of an [`AttrPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// A map key (or, first, the attribute name), taken literally: dots,
    /// brackets and spaces are part of the name.
    Name(String),
    /// A list position.
    Index(usize),
}

/// A path to an attribute or into it: `attr("address").key("city")`,
/// `attr("log").index(0)`. Names are literal — `attr("a.b")` is the
/// attribute named `a.b`, not `b` inside `a` — and always sent as
/// placeholders.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttrPath {
    top: String,
    rest: Vec<PathStep>,
}

/// The top-level attribute `name` (taken literally), as a path to build on.
pub fn attr(name: impl Into<String>) -> AttrPath {
    AttrPath {
        top: name.into(),
        rest: Vec::new(),
    }
}

impl AttrPath {
    /// The path into map key `name` of this value.
    #[must_use]
    pub fn key(mut self, name: impl Into<String>) -> AttrPath {
        self.rest.push(PathStep::Name(name.into()));
        self
    }

    /// The path to list position `index` of this value.
    #[must_use]
    pub fn index(mut self, index: usize) -> AttrPath {
        self.rest.push(PathStep::Index(index));
        self
    }

    /// The top-level attribute name.
    pub fn top(&self) -> &str {
        &self.top
    }

    /// The steps after the top-level attribute.
    pub fn steps(&self) -> &[PathStep] {
        &self.rest
    }

    /// Whether this is a top-level attribute.
    pub fn is_top(&self) -> bool {
        self.rest.is_empty()
    }

    /// The path this one is a step into, and that step; `None` for a
    /// top-level attribute.
    pub fn parent(&self) -> Option<(AttrPath, &PathStep)> {
        let (last, parents) = self.rest.split_last()?;
        let parent = AttrPath {
            top: self.top.clone(),
            rest: parents.to_vec(),
        };
        Some((parent, last))
    }

    /// The expression text: `#n0.#n1[2]`, every name a placeholder.
    pub(crate) fn render(&self, p: &mut Placeholders) -> String {
        let mut out = p.name(&self.top);
        for step in &self.rest {
            match step {
                PathStep::Name(name) => {
                    out.push('.');
                    out.push_str(&p.name(name));
                }
                PathStep::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// The path as validate reports it, for error messages.
    pub(crate) fn to_validate_path(&self) -> validate::Path {
        let mut path = validate::Path::root().key(self.top.as_str());
        for step in &self.rest {
            path = match step {
                PathStep::Name(name) => path.key(name.as_str()),
                PathStep::Index(i) => path.index(*i),
            };
        }
        path
    }
}

impl From<&str> for AttrPath {
    fn from(name: &str) -> AttrPath {
        attr(name)
    }
}

impl From<String> for AttrPath {
    fn from(name: String) -> AttrPath {
        attr(name)
    }
}

impl From<&String> for AttrPath {
    fn from(name: &String) -> AttrPath {
        attr(name.as_str())
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_validate_path(), f)
    }
}
