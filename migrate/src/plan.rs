//! [`Plan`]: the steps from a model's first version to its current one,
//! and the detectors of versions written before versions were stored.

use std::collections::BTreeSet;

use validate::{Errors, Value};

use crate::error::{Error, Result};

/// The attribute holding an item's version, unless the plan names another.
pub const DEFAULT_ATTRIBUTE: &str = "__schema_version__";

/// One upgrade: an item at `from` in, the item at `to` out.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// The version the step reads.
    pub from: u32,
    /// The version it writes.
    pub to: u32,
    /// Its name, for errors and reports.
    pub name: &'static str,
    /// The upgrade.
    pub run: fn(Value) -> std::result::Result<Value, Errors>,
}

/// Recognizes items of one version by their shape (items written before
/// versions were stored).
#[derive(Clone, Copy, Debug)]
pub struct Detector {
    /// The version it recognizes.
    pub version: u32,
    /// Its name, for errors and reports.
    pub name: &'static str,
    /// Whether the item is of that version.
    pub test: fn(&Value) -> bool,
}

/// The part of a plan a [`Plan::check`] mistake is in (what the
/// `#[migrations]` macro points its compile error at).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Culprit {
    /// The current version.
    Current,
    /// The first version.
    Base,
    /// The step at this position, in the order added.
    Step(usize),
    /// The detector at this position, in the order added.
    Detector(usize),
}

/// An item brought to the current version.
#[derive(Clone, Debug, PartialEq)]
pub struct Migrated {
    /// The item at the current version, its version attribute set.
    pub value: Value,
    /// The version it was stored at.
    pub from: u32,
}

/// A model's migrations: from `base` (1 unless said) to `current` through
/// its steps, the version stored in one attribute.
#[derive(Clone, Debug)]
pub struct Plan {
    current: u32,
    base: u32,
    attribute: &'static str,
    steps: Vec<Step>,
    detectors: Vec<Detector>,
}

impl Plan {
    /// A plan leading to version `current`, from version 1.
    pub fn new(current: u32) -> Plan {
        Plan {
            current,
            base: 1,
            attribute: DEFAULT_ATTRIBUTE,
            steps: Vec::new(),
            detectors: Vec::new(),
        }
    }

    /// The first version (what an item without version attribute nor
    /// matching detector is, when the plan has no detectors).
    #[must_use]
    pub fn base(mut self, base: u32) -> Plan {
        self.base = base;
        self
    }

    /// The attribute storing the version (default [`DEFAULT_ATTRIBUTE`]).
    #[must_use]
    pub fn attribute(mut self, attribute: &'static str) -> Plan {
        self.attribute = attribute;
        self
    }

    /// Adds the step from `from` to `to`.
    #[must_use]
    pub fn step(
        mut self,
        from: u32,
        to: u32,
        name: &'static str,
        run: fn(Value) -> std::result::Result<Value, Errors>,
    ) -> Plan {
        self.steps.push(Step {
            from,
            to,
            name,
            run,
        });
        self
    }

    /// Adds a detector of items at `version`.
    #[must_use]
    pub fn detect(mut self, version: u32, name: &'static str, test: fn(&Value) -> bool) -> Plan {
        self.detectors.push(Detector {
            version,
            name,
            test,
        });
        self
    }

    /// The current version.
    pub fn current(&self) -> u32 {
        self.current
    }

    /// The first version.
    pub fn first(&self) -> u32 {
        self.base
    }

    /// The version attribute's name.
    pub fn version_attribute(&self) -> &'static str {
        self.attribute
    }

    /// The steps, in the order given.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Checks that the plan is well formed: no version 0, every step leads
    /// up (`to > from`), one step per `from`, the steps chain from the
    /// first version to the current one using each step, and every
    /// detector recognizes a version of that chain.
    ///
    /// # Errors
    /// [`Error::Plan`] naming the first mistake.
    pub fn check(&self) -> Result<()> {
        let bad = |culprit: Culprit, message: String| Err(Error::Plan { culprit, message });
        if self.current == 0 {
            return bad(Culprit::Current, "versions start at 1".to_owned());
        }
        if self.base == 0 {
            return bad(Culprit::Base, "versions start at 1".to_owned());
        }
        if self.current < self.base {
            return bad(
                Culprit::Current,
                format!(
                    "the current version {} is below the first {}",
                    self.current, self.base
                ),
            );
        }
        let mut froms = BTreeSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            if step.from == 0 {
                return bad(Culprit::Step(i), "versions start at 1".to_owned());
            }
            if step.to <= step.from {
                return bad(
                    Culprit::Step(i),
                    format!(
                        "step {} goes from {} to {}: a step leads up",
                        step.name, step.from, step.to
                    ),
                );
            }
            if !froms.insert(step.from) {
                return bad(
                    Culprit::Step(i),
                    format!("two steps start from version {}", step.from),
                );
            }
        }
        let mut chain = vec![self.base];
        let mut at = self.base;
        while at < self.current {
            let Some(step) = self.steps.iter().find(|s| s.from == at) else {
                return bad(
                    Culprit::Current,
                    format!(
                        "no step from version {at}: the chain does not reach {}",
                        self.current
                    ),
                );
            };
            at = step.to;
            chain.push(at);
        }
        if at != self.current {
            return bad(
                Culprit::Current,
                format!(
                    "the chain ends at {at}, past the current version {}",
                    self.current
                ),
            );
        }
        if let Some((i, stray)) = self
            .steps
            .iter()
            .enumerate()
            .find(|(_, s)| !chain.contains(&s.from))
        {
            return bad(
                Culprit::Step(i),
                format!(
                    "step {} from {} is off the chain {chain:?}",
                    stray.name, stray.from
                ),
            );
        }
        if let Some((i, stray)) = self
            .detectors
            .iter()
            .enumerate()
            .find(|(_, d)| !chain.contains(&d.version))
        {
            return bad(
                Culprit::Detector(i),
                format!(
                    "detector {} recognizes version {}, not in the chain {chain:?}",
                    stray.name, stray.version
                ),
            );
        }
        Ok(())
    }

    /// The version `item` is at: its version attribute; without one, the
    /// first detector that recognizes it, tried from the highest version
    /// down; without detectors, the first version.
    ///
    /// # Errors
    /// [`Error::Newer`] for a version above the current one,
    /// [`Error::BadVersion`], [`Error::Undetected`].
    pub fn version_of(&self, item: &Value) -> Result<u32> {
        if let Some(stored) = item.get(self.attribute) {
            let found = stored
                .as_number()
                .and_then(|n| n.as_u64())
                .filter(|n| *n > 0)
                .ok_or_else(|| Error::BadVersion {
                    attribute: self.attribute,
                    found: stored.to_string(),
                })?;
            // Any whole number above the current version is newer, even
            // one past `u32` (shown as `u32::MAX`).
            if found > u64::from(self.current) {
                return Err(Error::Newer {
                    found: u32::try_from(found).unwrap_or(u32::MAX),
                    current: self.current,
                });
            }
            return u32::try_from(found).map_err(|_| Error::BadVersion {
                attribute: self.attribute,
                found: stored.to_string(),
            });
        }
        if self.detectors.is_empty() {
            return Ok(self.base);
        }
        let mut detectors: Vec<&Detector> = self.detectors.iter().collect();
        detectors.sort_by_key(|d| std::cmp::Reverse(d.version));
        detectors
            .iter()
            .find(|d| (d.test)(item))
            .map(|d| d.version)
            .ok_or_else(|| Error::Undetected {
                tried: detectors.iter().map(|d| d.version).collect(),
            })
    }

    /// Runs every step from `from` up to the current version, then sets
    /// the version attribute.
    ///
    /// # Errors
    /// [`Error::StepFailed`] naming the step and its versions,
    /// [`Error::NoStep`] for a plan that does not chain.
    pub fn upgrade(&self, item: Value, from: u32) -> Result<Value> {
        self.upgrade_keeping(item, from, &[])
    }

    /// [`Plan::upgrade`], where no step may change the attributes named
    /// in `fixed` (an item's key: a step that changed it would make the
    /// item another one).
    ///
    /// # Errors
    /// As [`Plan::upgrade`]; [`Error::StepFailed`] naming the step and the
    /// attribute it changed.
    pub fn upgrade_keeping(&self, mut item: Value, from: u32, fixed: &[&str]) -> Result<Value> {
        let mut at = from;
        while at < self.current {
            let step = self
                .steps
                .iter()
                .find(|s| s.from == at)
                .ok_or(Error::NoStep { from: at })?;
            let failed = |errors| Error::StepFailed {
                from: step.from,
                to: step.to,
                step: step.name,
                errors,
            };
            let before: Vec<Option<Value>> =
                fixed.iter().map(|name| item.get(*name).cloned()).collect();
            item = (step.run)(item).map_err(failed)?;
            let mut errors = Errors::new();
            for (name, before) in fixed.iter().zip(before) {
                if item.get(*name) != before.as_ref() {
                    errors.push(
                        &validate::PathNode::ROOT.key(name),
                        validate::ErrorKind::Custom("key_changed".into()),
                        "a migration step may not change a key attribute: the item would become another one",
                    );
                }
            }
            if !errors.is_empty() {
                return Err(failed(errors));
            }
            at = step.to;
        }
        if let Some(map) = item.as_map_mut() {
            map.insert(self.attribute.to_owned(), Value::from(self.current));
        }
        Ok(item)
    }

    /// `item` at the current version: found at its version
    /// ([`Plan::version_of`]) and upgraded from there ([`Plan::upgrade`]);
    /// an item already current comes back as it was, its version set.
    ///
    /// # Errors
    /// As [`Plan::version_of`] and [`Plan::upgrade`].
    pub fn migrate(&self, item: Value) -> Result<Migrated> {
        let from = self.version_of(&item)?;
        let value = self.upgrade(item, from)?;
        Ok(Migrated { value, from })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: serde_json::Value) -> Value {
        Value::try_from(json).unwrap_or_default()
    }

    fn noop(item: Value) -> std::result::Result<Value, Errors> {
        Ok(item)
    }

    #[test]
    fn ill_formed_plans_are_refused_with_the_mistake_named() {
        let cases: Vec<(Plan, &str)> = vec![
            (Plan::new(0), "versions start at 1"),
            (Plan::new(2).base(3), "below the first"),
            (Plan::new(3).step(1, 1, "stay", noop), "a step leads up"),
            (
                Plan::new(3).step(1, 2, "a", noop).step(1, 3, "b", noop),
                "two steps start from version 1",
            ),
            (Plan::new(3).step(1, 2, "a", noop), "no step from version 2"),
            (Plan::new(3).step(1, 5, "a", noop), "the chain ends at 5"),
            (
                Plan::new(2).step(1, 2, "a", noop).step(4, 5, "b", noop),
                "step b from 4 is off the chain",
            ),
            (
                Plan::new(2).step(1, 2, "a", noop).detect(7, "d", |_| true),
                "recognizes version 7, not in the chain",
            ),
        ];
        for (plan, message) in cases {
            let err = plan
                .check()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(message), "{err} (expected {message})");
        }
        assert!(
            Plan::new(11)
                .step(1, 2, "a", noop)
                .step(2, 11, "b", noop)
                .check()
                .is_ok()
        );
        assert!(Plan::new(1).check().is_ok(), "a model at its first version");
    }

    #[test]
    fn versions_come_from_the_attribute_then_the_detectors_highest_first() {
        let plan = Plan::new(11)
            .step(1, 2, "a", noop)
            .step(2, 11, "b", noop)
            .detect(1, "one", |i| i.get("mail").is_some())
            .detect(2, "two", |i| {
                i.get("mail").is_some() && i.get("id").is_some()
            });
        assert_eq!(
            plan.version_of(&v(serde_json::json!({"mail": 1, "id": 1})))
                .ok(),
            Some(2)
        );
        assert_eq!(
            plan.version_of(&v(serde_json::json!({"mail": 1}))).ok(),
            Some(1)
        );
        assert_eq!(
            plan.version_of(&v(serde_json::json!({"__schema_version__": 11, "mail": 1})))
                .ok(),
            Some(11)
        );
        let err = plan.version_of(&v(serde_json::json!({"other": 1}))).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("no detector recognized the item (tried versions [2, 1])")
        );
        let far = plan.version_of(&v(
            serde_json::json!({"__schema_version__": 5_000_000_000u64}),
        ));
        assert!(matches!(
            far,
            Err(Error::Newer {
                found: u32::MAX,
                current: 11
            })
        ));
        let newer = plan.version_of(&v(serde_json::json!({"__schema_version__": 12})));
        assert!(matches!(
            newer,
            Err(Error::Newer {
                found: 12,
                current: 11
            })
        ));
        let bad = plan.version_of(&v(serde_json::json!({"__schema_version__": "x"})));
        assert!(matches!(bad, Err(Error::BadVersion { .. })));
        // Without detectors, an item without version is at the first one.
        let plain = Plan::new(3).base(2).step(2, 3, "a", noop);
        assert_eq!(plain.version_of(&v(serde_json::json!({}))).ok(), Some(2));
    }

    #[test]
    fn a_failing_step_is_named_with_its_versions() {
        fn refuse(_: Value) -> std::result::Result<Value, Errors> {
            let mut errors = Errors::new();
            errors.push(
                &validate::PathNode::ROOT.key("mail"),
                validate::ErrorKind::Custom("no_mail".into()),
                "mail is missing",
            );
            Err(errors)
        }
        let plan = Plan::new(11)
            .step(1, 2, "noop", noop)
            .step(2, 11, "rename_mail", refuse);
        let err = plan
            .migrate(v(serde_json::json!({})))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("migration rename_mail (2 -> 11) failed:\nmail: mail is missing")
        );
    }
}
