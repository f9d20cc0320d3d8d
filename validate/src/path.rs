//! Attribute paths: [`Path`] (owned, in errors) and [`PathNode`] (borrowed,
//! built on the stack while validating, materialized only when an error is
//! recorded).

use std::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

/// One step of a [`Path`]: a map key or a list / set position.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A map key (shared with the schema that names it, so recording an
    /// error at a known key does not copy the key).
    Key(Arc<str>),
    /// A list index or a set position (sets are kept in sorted order).
    Index(usize),
}

impl Segment {
    /// A key segment.
    pub fn key(key: impl AsRef<str>) -> Segment {
        Segment::Key(Arc::from(key.as_ref()))
    }
}

/// An owned attribute path such as `cheats[2]` or `meta.owner.id`, printed in
/// DynamoDB document-path syntax. The empty path is the value itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(SmallVec<[Segment; 3]>);

impl Path {
    /// The empty path: the validated value itself.
    pub fn root() -> Path {
        Path(SmallVec::new())
    }

    /// The segments, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this is the empty path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `prefix` is this path or one of its ancestors.
    pub fn starts_with(&self, prefix: &Path) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// This path extended by a map key.
    pub fn key(mut self, key: impl Into<Arc<str>>) -> Path {
        self.0.push(Segment::Key(key.into()));
        self
    }

    /// This path extended by an index.
    pub fn index(mut self, index: usize) -> Path {
        self.0.push(Segment::Index(index));
        self
    }

    /// Prepends `prefix`, for errors found in a nested value.
    pub fn prefixed(self, prefix: &Path) -> Path {
        let mut segments = prefix.0.clone();
        segments.extend(self.0);
        Path(segments)
    }
}

/// A key prints bare when that cannot be misread as a path, quoted otherwise.
fn write_key(f: &mut fmt::Formatter<'_>, key: &str, first: bool) -> fmt::Result {
    let plain = !key.is_empty() && !key.contains(['.', '[', ']', '"', ' ']);
    match (plain, first) {
        (true, true) => f.write_str(key),
        (true, false) => write!(f, ".{key}"),
        (false, true) => write!(f, "{key:?}"),
        (false, false) => write!(f, ".{key:?}"),
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) => write_key(f, key, i == 0)?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl std::str::FromStr for Path {
    type Err = std::convert::Infallible;

    /// Parses the plain form `a.b[2].c` (quoted keys are not parsed back).
    fn from_str(s: &str) -> Result<Path, Self::Err> {
        let mut path = Path::root();
        for part in s.split('.').filter(|p| !p.is_empty()) {
            let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
            if !key.is_empty() {
                path = path.key(key);
            }
            while let Some((index, tail)) = rest.split_once(']') {
                match index.parse() {
                    Ok(i) => path = path.index(i),
                    Err(_) => path = path.key(index),
                }
                rest = tail.trim_start_matches('[');
            }
        }
        Ok(path)
    }
}

/// A borrowed path under construction: each level of validation puts one on
/// the stack, pointing at its parent. Nothing is allocated unless an error
/// calls [`PathNode::to_path`].
#[derive(Clone, Copy, Debug)]
pub struct PathNode<'a> {
    parent: Option<&'a PathNode<'a>>,
    step: Step<'a>,
    depth: u32,
}

#[derive(Clone, Copy, Debug)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Field(&'a Arc<str>),
    Index(usize),
}

impl<'a> PathNode<'a> {
    /// The root of a validation.
    pub const ROOT: PathNode<'static> = PathNode {
        parent: None,
        step: Step::Root,
        depth: 0,
    };

    /// A child for a map key.
    pub fn key(&'a self, key: &'a str) -> PathNode<'a> {
        PathNode {
            parent: Some(self),
            step: Step::Key(key),
            depth: self.depth + 1,
        }
    }

    /// A child for a key the caller already holds shared (a schema field name).
    pub fn field(&'a self, key: &'a Arc<str>) -> PathNode<'a> {
        PathNode {
            parent: Some(self),
            step: Step::Field(key),
            depth: self.depth + 1,
        }
    }

    /// A child for a list index or set position.
    pub fn index(&'a self, index: usize) -> PathNode<'a> {
        PathNode {
            parent: Some(self),
            step: Step::Index(index),
            depth: self.depth + 1,
        }
    }

    /// How many levels below the root this node is.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Whether this node is a list or set position.
    pub fn is_index(&self) -> bool {
        matches!(self.step, Step::Index(_))
    }

    /// Materializes the owned path.
    pub fn to_path(&self) -> Path {
        let mut segments = SmallVec::with_capacity(self.depth as usize);
        let mut node = Some(self);
        while let Some(n) = node {
            match n.step {
                Step::Root => {}
                Step::Key(k) => segments.push(Segment::Key(Arc::from(k))),
                Step::Field(k) => segments.push(Segment::Key(Arc::clone(k))),
                Step::Index(i) => segments.push(Segment::Index(i)),
            }
            node = n.parent;
        }
        segments.reverse();
        Path(segments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_document_paths() {
        let cases = [
            (Path::root(), "(root)"),
            (Path::root().key("cheats").index(2), "cheats[2]"),
            (
                Path::root().key("meta").key("owner").key("id"),
                "meta.owner.id",
            ),
            (Path::root().key("a.b").key("c"), "\"a.b\".c"),
            (Path::root().index(0).key("x"), "[0].x"),
        ];
        for (path, shown) in cases {
            assert_eq!(path.to_string(), shown);
        }
    }

    #[test]
    fn node_materializes_in_order() {
        let root = PathNode::ROOT;
        let meta = root.key("meta");
        let list = meta.index(3);
        let leaf = list.key("id");
        assert_eq!(leaf.to_path().to_string(), "meta[3].id");
        assert_eq!(leaf.depth(), 3);
    }

    #[test]
    fn parses_plain_paths() {
        let p: Path = "meta.owner[2].id".parse().unwrap();
        assert_eq!(p, Path::root().key("meta").key("owner").index(2).key("id"));
    }
}
