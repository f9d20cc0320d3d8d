//! [`Set`]: DynamoDB's string, number and binary sets: unique elements, kept sorted.

use std::fmt;

/// A set with unique elements kept in ascending order, so positions
/// (`cheats[2]`) are stable and equality is structural.
///
/// ```
/// use validate::Set;
/// let cheats: Set<String> = ["idkfa", "iddqd", "idkfa"].into_iter().map(String::from).collect();
/// assert_eq!(cheats.len(), 2);
/// assert_eq!(cheats.iter().next().map(String::as_str), Some("iddqd"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Set<T>(Vec<T>);

impl<T: Ord> Set<T> {
    /// The empty set.
    pub fn new() -> Set<T> {
        Set(Vec::new())
    }

    /// Adds `value`; returns whether it was new.
    pub fn insert(&mut self, value: T) -> bool {
        match self.0.binary_search(&value) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, value);
                true
            }
        }
    }

    /// Removes `value`; returns whether it was there.
    pub fn remove(&mut self, value: &T) -> bool {
        match self.0.binary_search(value) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether `value` is an element.
    pub fn contains(&self, value: &T) -> bool {
        self.0.binary_search(value).is_ok()
    }

    /// Restores order and uniqueness after elements were edited in place.
    /// Returns whether duplicates were merged.
    pub(crate) fn normalize(&mut self) -> bool {
        if self.0.windows(2).all(|w| w[0] < w[1]) {
            return false;
        }
        self.0.sort_unstable();
        let before = self.0.len();
        self.0.dedup();
        before != self.0.len()
    }

    pub(crate) fn elements_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

impl<T> Set<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The elements in ascending order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The elements in ascending order.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The elements in ascending order.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T: Ord> Default for Set<T> {
    fn default() -> Set<T> {
        Set::new()
    }
}

impl<T: Ord> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Set<T> {
        let mut set = Set(iter.into_iter().collect());
        set.normalize();
        set
    }
}

impl<T: Ord> From<Vec<T>> for Set<T> {
    fn from(items: Vec<T>) -> Set<T> {
        let mut set = Set(items);
        set.normalize();
        set
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for Set<T> {
    fn from(items: [T; N]) -> Set<T> {
        items.into_iter().collect()
    }
}

impl<T> IntoIterator for Set<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Set<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(&self.0).finish()
    }
}
