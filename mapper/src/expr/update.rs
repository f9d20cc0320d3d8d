//! [`Update`]: update expressions (`SET`, `REMOVE`, `ADD`, `DELETE`) with
//! counters, `if_not_exists`, `list_append` and arithmetic, rendered with
//! placeholders only.

use validate::Value;

use crate::codec::to_attribute;
use crate::error::CodecError;
use crate::expr::path::AttrPath;
use crate::expr::placeholders::Placeholders;
use crate::expr::typed::{Addable, IntoPath, Listed, Numeric, SetField, ValueFor};

/// An operand on the right of a `SET`: a path, a value, or
/// `if_not_exists(path, value)`.
#[derive(Clone, Debug, PartialEq)]
pub enum SetOperand {
    /// The current value at a path.
    Path(AttrPath),
    /// A literal value.
    Value(Value),
    /// The current value at the path, or `value` when it is absent.
    IfNotExists(AttrPath, Value),
}

/// What a `SET` assigns.
#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    /// `path = operand`
    Operand(SetOperand),
    /// `path = a + b`
    Plus(SetOperand, SetOperand),
    /// `path = a - b`
    Minus(SetOperand, SetOperand),
    /// `path = list_append(a, b)`
    ListAppend(SetOperand, SetOperand),
}

/// One action of an update expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// `SET path = value`
    Set(AttrPath, SetValue),
    /// `REMOVE path`
    Remove(AttrPath),
    /// `ADD path value`: adds to a number (absent counts as 0) or puts
    /// elements into a set.
    Add(AttrPath, Value),
    /// `DELETE path value`: takes elements out of a set.
    Delete(AttrPath, Value),
}

impl Action {
    /// The path the action writes.
    pub fn path(&self) -> &AttrPath {
        match self {
            Action::Set(p, _) | Action::Remove(p) | Action::Add(p, _) | Action::Delete(p, _) => p,
        }
    }
}

/// An update expression, built action by action:
///
/// ```
/// use mapper::{Update, attr};
/// let update = Update::new()
///     .set("name", "Hangar")
///     .increment("plays", 1)
///     .add("cheats", validate::Value::from(validate::Set::from_iter(["iddqd".to_owned()])))
///     .list_append(attr("log"), vec![validate::Value::from("renamed")])
///     .remove("obsolete");
/// assert_eq!(update.actions().len(), 5);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use = "an update does nothing until sent with Mapper::update"]
pub struct Update {
    actions: Vec<Action>,
    /// Values given for typed paths that have no DynamoDB form: the
    /// update is refused before anything is sent.
    unconvertible: Vec<CodecError>,
}

impl Update {
    /// An empty update.
    pub fn new() -> Update {
        Update::default()
    }

    /// The actions, in the order they were added.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// Adds any action.
    pub fn action(mut self, action: Action) -> Update {
        self.actions.push(action);
        self
    }

    /// The first value given for a typed path that has no DynamoDB form.
    pub(crate) fn unconvertible(&self) -> Option<&CodecError> {
        self.unconvertible.first()
    }

    /// `value` for `path`, or the update holds why it has no DynamoDB form.
    fn value<T: ?Sized>(&mut self, value: impl ValueFor<T>) -> Option<Value> {
        match value.into_value() {
            Ok(value) => Some(value),
            Err(e) => {
                self.unconvertible.push(e);
                None
            }
        }
    }

    /// `SET path = value`. A typed path (`Order::STATUS`) takes a value of
    /// its field's type; a path given as text, any value.
    pub fn set<P: IntoPath>(mut self, path: P, value: impl ValueFor<P::Value>) -> Update {
        let Some(value) = self.value(value) else {
            return self;
        };
        self.action(Action::Set(
            path.into_path(),
            SetValue::Operand(SetOperand::Value(value)),
        ))
    }

    /// `SET path = if_not_exists(path, value)`: sets only an absent attribute.
    pub fn set_if_not_exists<P: IntoPath>(
        mut self,
        path: P,
        value: impl ValueFor<P::Value>,
    ) -> Update {
        let Some(value) = self.value(value) else {
            return self;
        };
        let path = path.into_path();
        self.action(Action::Set(
            path.clone(),
            SetValue::Operand(SetOperand::IfNotExists(path, value)),
        ))
    }

    /// `SET path = if_not_exists(path, 0) + by`: an atomic counter that
    /// starts from zero, on a number field.
    pub fn increment<P: IntoPath>(self, path: P, by: impl Into<Value>) -> Update
    where
        P::Value: Numeric,
    {
        let path = path.into_path();
        self.action(Action::Set(
            path.clone(),
            SetValue::Plus(
                SetOperand::IfNotExists(path, Value::from(0)),
                SetOperand::Value(by.into()),
            ),
        ))
    }

    /// `SET path = if_not_exists(path, 0) - by`, on a number field.
    pub fn decrement<P: IntoPath>(self, path: P, by: impl Into<Value>) -> Update
    where
        P::Value: Numeric,
    {
        let path = path.into_path();
        self.action(Action::Set(
            path.clone(),
            SetValue::Minus(
                SetOperand::IfNotExists(path, Value::from(0)),
                SetOperand::Value(by.into()),
            ),
        ))
    }

    /// `SET path = list_append(if_not_exists(path, []), items)`: appends,
    /// starting from an empty list, to a list field: for a typed path, a
    /// list of the field's type (`vec![LineItem { … }]`); for a path given
    /// as text, a list of values.
    pub fn list_append<P: IntoPath>(mut self, path: P, items: impl ValueFor<P::Value>) -> Update
    where
        P::Value: Listed,
    {
        let Some(items) = self.value(items) else {
            return self;
        };
        let path = path.into_path();
        self.action(Action::Set(
            path.clone(),
            SetValue::ListAppend(
                SetOperand::IfNotExists(path, Value::List(Vec::new())),
                SetOperand::Value(items),
            ),
        ))
    }

    /// `SET path = list_append(items, if_not_exists(path, []))`: prepends,
    /// to a list field.
    pub fn list_prepend<P: IntoPath>(mut self, path: P, items: impl ValueFor<P::Value>) -> Update
    where
        P::Value: Listed,
    {
        let Some(items) = self.value(items) else {
            return self;
        };
        let path = path.into_path();
        self.action(Action::Set(
            path.clone(),
            SetValue::ListAppend(
                SetOperand::Value(items),
                SetOperand::IfNotExists(path, Value::List(Vec::new())),
            ),
        ))
    }

    /// `REMOVE path`
    pub fn remove(self, path: impl IntoPath) -> Update {
        self.action(Action::Remove(path.into_path()))
    }

    /// `ADD path value`: to a number, or elements into a set; for a
    /// typed path, a value of the field's type (a number, or a set of its
    /// elements); for a path given as text, any value.
    pub fn add<P: IntoPath>(mut self, path: P, value: impl ValueFor<P::Value>) -> Update
    where
        P::Value: Addable,
    {
        let Some(value) = self.value(value) else {
            return self;
        };
        self.action(Action::Add(path.into_path(), value))
    }

    /// `DELETE path value`: elements out of a set (for a typed path, a set
    /// of the field's type).
    pub fn delete<P: IntoPath>(mut self, path: P, value: impl ValueFor<P::Value>) -> Update
    where
        P::Value: SetField,
    {
        let Some(value) = self.value(value) else {
            return self;
        };
        self.action(Action::Delete(path.into_path(), value))
    }

    /// The expression text, `None` when there is no action.
    pub(crate) fn render(&self, p: &mut Placeholders) -> Result<Option<String>, CodecError> {
        if let Some(e) = self.unconvertible.first() {
            return Err(e.clone());
        }
        let (mut set, mut remove, mut add, mut delete) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for action in &self.actions {
            match action {
                Action::Set(path, value) => {
                    let path = path.render(p);
                    set.push(format!("{path} = {}", value.render(p)?));
                }
                Action::Remove(path) => remove.push(path.render(p)),
                Action::Add(path, value) => {
                    let path = path.render(p);
                    add.push(format!("{path} {}", p.value(to_attribute(value)?)));
                }
                Action::Delete(path, value) => {
                    let path = path.render(p);
                    delete.push(format!("{path} {}", p.value(to_attribute(value)?)));
                }
            }
        }
        let clauses: Vec<String> = [
            ("SET", set),
            ("REMOVE", remove),
            ("ADD", add),
            ("DELETE", delete),
        ]
        .into_iter()
        .filter(|(_, parts)| !parts.is_empty())
        .map(|(keyword, parts)| format!("{keyword} {}", parts.join(", ")))
        .collect();
        Ok((!clauses.is_empty()).then(|| clauses.join(" ")))
    }
}

impl SetOperand {
    fn render(&self, p: &mut Placeholders) -> Result<String, CodecError> {
        Ok(match self {
            SetOperand::Path(path) => path.render(p),
            SetOperand::Value(value) => p.value(to_attribute(value)?),
            SetOperand::IfNotExists(path, value) => {
                let path = path.render(p);
                format!("if_not_exists({path}, {})", p.value(to_attribute(value)?))
            }
        })
    }
}

impl SetValue {
    fn render(&self, p: &mut Placeholders) -> Result<String, CodecError> {
        Ok(match self {
            SetValue::Operand(o) => o.render(p)?,
            SetValue::Plus(a, b) => format!("{} + {}", a.render(p)?, b.render(p)?),
            SetValue::Minus(a, b) => format!("{} - {}", a.render(p)?, b.render(p)?),
            SetValue::ListAppend(a, b) => {
                format!("list_append({}, {})", a.render(p)?, b.render(p)?)
            }
        })
    }
}
