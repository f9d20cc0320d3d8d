//! [`Mapper::update`]: an update expression applied in place, every value
//! checked against the schema first. SET values must satisfy the
//! attribute's validator, ADD applies only to numbers and sets, DELETE only
//! to sets, and a required attribute cannot be removed.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use validate::{
    ErrorKind, Errors, Extra, Path, PathNode, Presence, Validator, Value, ValueType, Violation,
};

use crate::decode::load;
use crate::error::{Error, KeyDisplay, Result};
use crate::expr::{
    Action, AttrPath, Condition, PathStep, Placeholders, SetOperand, SetValue, Update,
};
use crate::item::Item;
use crate::key::{IntoKey, Role, check_key_value};
use crate::mapper::Mapper;
use crate::model::{Model, ModelInfo};
use crate::timestamps::Stamps;
use crate::trace::{capacity, op_span, send};
use crate::write::guard::{self, Guard};
use crate::write::outcome;

impl Mapper {
    /// Applies `update` to the stored item with `key` and returns the item
    /// as it now is (read through the load path). The item must exist.
    /// With a version attribute, the version is bumped.
    ///
    /// # Errors
    /// [`Error::Validation`] naming every refused action (nothing is
    /// sent), [`Error::NotFound`], [`Error::Service`].
    ///
    /// The update is applied at least once: when DynamoDB applied it but
    /// its answer was lost (a timeout, a 5xx), the SDK sends it again and
    /// an increment or `ADD` is applied twice. Use
    /// [`Mapper::update_once`] where that matters (counters of money or
    /// stock), or [`Mapper::update_if`] with a condition the update itself
    /// makes false.
    pub async fn update<T: Model>(&self, key: impl IntoKey, update: &Update) -> Result<Item<T>> {
        self.update_inner::<T>(key, update, None, false).await
    }

    /// [`Mapper::update`] applied exactly once: sent as a one-action
    /// `TransactWriteItems` with an idempotency token, which DynamoDB
    /// applies once however often the SDK resends it (within ten minutes).
    /// The item is then read back (strongly consistent), so the returned
    /// item may also hold later writes of others. Costs twice the write
    /// capacity of an `UpdateItem`, plus the read.
    ///
    /// # Errors
    /// As [`Mapper::update`]; [`Error::ReadBack`] when the update was
    /// applied but the item could not be read back;
    /// [`Error::OutcomeUnknown`] (with the token) when DynamoDB never
    /// answered whether it was applied.
    pub async fn update_once<T: Model>(
        &self,
        key: impl IntoKey,
        update: &Update,
    ) -> Result<Item<T>> {
        self.update_inner::<T>(key, update, None, true).await
    }

    /// [`Mapper::update`] applied only when `condition` holds on the stored item.
    ///
    /// # Errors
    /// [`Error::ConditionFailed`] when the condition does not hold, as
    /// [`Mapper::update`] otherwise.
    pub async fn update_if<T: Model>(
        &self,
        key: impl IntoKey,
        update: &Update,
        condition: Condition,
    ) -> Result<Item<T>> {
        self.update_inner::<T>(key, update, Some(condition), false)
            .await
    }

    async fn update_inner<T: Model>(
        &self,
        key: impl IntoKey,
        update: &Update,
        condition: Option<Condition>,
        once: bool,
    ) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        let table = info.table.clone();
        let key = key.into_key();
        let stamps = Stamps::of::<T>(self.now(), &info)?;
        if once {
            // An outcome left unknown is sent again with its token (the
            // same request): DynamoDB answers whether it was applied, and
            // applies it at most once.
            let mut token = None;
            let mut resends = crate::write::outcome::Resends::default();
            let now = self.now();
            let result = loop {
                let mut tx = self.transact_write().at(now).update::<T>(
                    key.clone(),
                    update,
                    condition.clone(),
                );
                if let Some(token) = token.take() {
                    tx = tx.token(token);
                }
                match resends.again(tx.send().await).await {
                    Ok(again) => token = Some(again),
                    Err(result) => break result,
                }
            };
            return match result {
                // Applied: a read back that fails must not say otherwise.
                Ok(()) => self.read_back::<T>(key).await,
                Err(Error::TransactionCanceled { reasons, .. })
                    if reasons.len() == 1 && reasons[0].code == "ConditionalCheckFailed" =>
                {
                    // Which rule: the guards judge the item DynamoDB saw.
                    let plan = update_plan::<T>(&key, update, condition.as_ref(), &info, &stamps)?;
                    Err(refused(
                        reasons[0].item.as_ref(),
                        &info,
                        &plan.guards,
                        table,
                        plan.shown,
                    ))
                }
                Err(e) => Err(e),
            };
        }
        let UpdatePlan {
            key_attributes,
            shown,
            expression,
            condition: conditions,
            mut placeholders,
            guards,
        } = update_plan::<T>(&key, update, condition.as_ref(), &info, &stamps)?;
        let span = op_span!("UpdateItem", table, self.traced(&shown));
        let result = send!(
            self.client()
                .update_item()
                .table_name(&table)
                .set_key(Some(key_attributes))
                .set_update_expression(expression)
                .condition_expression(conditions)
                .set_expression_attribute_names(placeholders.names())
                .set_expression_attribute_values(placeholders.values())
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld
                )
                .set_return_consumed_capacity(capacity(&span)),
            span
        );
        match result {
            Ok(out) => load(out.attributes.unwrap_or_default(), &info, &table),
            Err(e) => Err(outcome::judged(
                e,
                &table,
                shown,
                "UpdateItem",
                |stored, key| refused(stored, &info, &guards, table.clone(), key),
            )),
        }
    }
}

impl Mapper {
    /// The item just written by `update_once`, read (strongly consistent)
    /// with a passing failure retried ([`Backoff::default`](crate::Backoff));
    /// [`Error::ReadBack`] if it cannot be read: the write stays applied.
    async fn read_back<T: Model>(&self, key: crate::key::Key) -> Result<Item<T>> {
        let info = self.model_info::<T>()?;
        crate::Backoff::default()
            .reading(|| self.get_consistent::<T>(key.clone()))
            .await
            .map_err(|e| Error::ReadBack {
                table: info.table.clone(),
                key: key.display(&info),
                source: Box::new(e),
            })
    }
}

/// An update, ready to send: the key, the expression (values checked and
/// normalized, the version bumped), and the condition that the item exists,
/// the caller's condition holds and the schema's guards keep. The one rule
/// for `update`, `update_once` and transactions.
pub(crate) struct UpdatePlan {
    pub(crate) key_attributes: crate::codec::Attributes,
    pub(crate) shown: KeyDisplay,
    pub(crate) expression: Option<String>,
    pub(crate) condition: String,
    pub(crate) placeholders: Placeholders,
    pub(crate) guards: Vec<Guard>,
}

/// Plans `update` of the item with `key` ([`UpdatePlan`]).
///
/// # Errors
/// [`Error::Validation`] naming every refused action, a bad key.
pub(crate) fn update_plan<T: Model>(
    key: &crate::key::Key,
    update: &Update,
    condition: Option<&Condition>,
    info: &ModelInfo,
    stamps: &Stamps,
) -> Result<UpdatePlan> {
    let table = info.table.as_str();
    let shown = key.display(info);
    let key_attributes = key.to_attributes(info, table)?;
    if let Some(e) = update.unconvertible() {
        return Err(Error::convert(table, shown, e.clone()));
    }
    let (mut checked, guards) = check::<T>(update, info).map_err(|errors| Error::Validation {
        table: table.to_owned(),
        key: shown.clone(),
        errors,
    })?;
    // An update changes the item: `updated_at` now, and `created_at` now
    // where an item stored before the field existed has none.
    if let Some((name, now)) = stamps.updated() {
        checked = checked.action(Action::Set(
            crate::expr::attr(*name),
            SetValue::Operand(SetOperand::Value(stamped(now, table, &shown)?)),
        ));
    }
    if let Some((name, now)) = stamps.created() {
        checked = checked.action(Action::Set(
            crate::expr::attr(*name),
            SetValue::Operand(SetOperand::IfNotExists(
                crate::expr::attr(*name),
                stamped(now, table, &shown)?,
            )),
        ));
    }
    let mut placeholders = Placeholders::default();
    let convert = |e| Error::convert(table, shown.clone(), e);
    let expression = checked.render(&mut placeholders).map_err(convert)?;
    let mut conditions = vec![format!(
        "attribute_exists({})",
        placeholders.name(&info.hash.name)
    )];
    conditions.extend(crate::schema_version::update_condition(
        info,
        &mut placeholders,
    ));
    conditions.extend(crate::entity::own(info, &mut placeholders));
    if let Some(condition) = condition {
        conditions.push(format!(
            "({})",
            condition.render(&mut placeholders).map_err(convert)?
        ));
    }
    for guard in &guards {
        conditions.push(guard.condition(&mut placeholders));
    }
    let condition = conditions.join(" AND ");
    if let Some(expression) = &expression {
        crate::write::plan::within_limits(expression, true, "update expression", table, &shown)?;
    }
    crate::write::plan::within_limits(&condition, false, "condition", table, &shown)?;
    Ok(UpdatePlan {
        key_attributes,
        shown,
        expression,
        condition,
        placeholders,
        guards,
    })
}

/// A stored timestamp as the value an update action sets.
fn stamped(now: &AttributeValue, table: &str, key: &KeyDisplay) -> Result<Value> {
    crate::codec::from_attribute(now).map_err(|e| Error::convert(table, key.clone(), e))
}

/// The error for an update whose condition failed, from the item stored
/// then: absent → not found; not at the model's current version → a
/// migration error; a rule the update would have broken on it → that rule
/// (a validation error naming it); else the caller's condition is false.
/// None of them is a conflict: an update reads nothing beforehand that
/// could have changed.
pub(crate) fn refused(
    stored: Option<&std::collections::HashMap<String, AttributeValue>>,
    info: &ModelInfo,
    guards: &[Guard],
    table: String,
    key: KeyDisplay,
) -> Error {
    let Some(stored) = stored.filter(|item| !item.is_empty()) else {
        return Error::NotFound { table, key };
    };
    if let Some(other) = crate::entity::refused(Some(stored), info, &table, &key) {
        return other;
    }
    if let Some(stale) = crate::schema_version::stale(stored, info, &table, &key) {
        return stale;
    }
    let mut errors = Errors::new();
    for guard in guards {
        guard.broken(stored, &mut errors);
    }
    if errors.is_empty() {
        Error::ConditionFailed { table, key }
    } else {
        Error::Validation { table, key, errors }
    }
}

/// What the schema says about a path.
enum Rule<'a> {
    /// The validator of the value at the path.
    Checked(&'a Validator),
    /// An attribute the schema does not know, allowed by its extra policy.
    Free,
}

fn fail(errors: &mut Errors, path: &AttrPath, kind: ErrorKind, message: impl Into<String>) {
    errors.push_violation(Violation {
        path: path.to_validate_path(),
        kind,
        message: message.into().into(),
    });
}

/// The validator at `path`, walking nested schemas and list elements.
fn target<'a>(
    path: &AttrPath,
    info: &'a ModelInfo,
) -> std::result::Result<Rule<'a>, (ErrorKind, String)> {
    if info
        .migrations
        .is_some_and(|plan| plan.version_attribute() == path.top())
    {
        return Err((
            ErrorKind::Custom("version_attribute".into()),
            "the migrations' version attribute is written by the mapper only".to_owned(),
        ));
    }
    let Some(field) = info.schema.get(path.top()) else {
        return match info.schema.extra_policy() {
            Extra::Allow => Ok(Rule::Free),
            _ => Err((
                ErrorKind::ExtraKey,
                "the attribute is not in the schema".to_owned(),
            )),
        };
    };
    let mut validator = field.validator();
    for step in path.steps() {
        let next = match step {
            PathStep::Name(name) => validator
                .schema()
                .and_then(|s| s.get(name))
                .map(|f| f.validator()),
            PathStep::Index(_) => validator.list_element(),
        };
        validator = next.ok_or_else(|| {
            (
                ErrorKind::Custom("unchecked_path".into()),
                "the schema cannot check a value at this path; set the whole attribute".to_owned(),
            )
        })?;
    }
    Ok(Rule::Checked(validator))
}

/// Whether the schema requires the value at `path` (so it cannot be removed).
fn required(path: &AttrPath, info: &ModelInfo) -> bool {
    let Some((parent, last)) = path.parent() else {
        return info
            .schema
            .get(path.top())
            .is_some_and(|f| needed(f.presence()));
    };
    match (last, target(&parent, info)) {
        (PathStep::Name(name), Ok(Rule::Checked(v))) => v
            .schema()
            .and_then(|s| s.get(name))
            .is_some_and(|f| needed(f.presence())),
        _ => false,
    }
}

/// Whether a stored item must hold an attribute of this presence: a
/// required one, and one whose default is generated (the strict load
/// refuses a stored item without it; a constant default fills it).
fn needed(presence: &Presence) -> bool {
    matches!(presence, Presence::Required) || crate::decode::generated(presence)
}

/// Validates `value` for `path`, returning it normalized.
fn checked_value(
    validator: &Validator,
    path: &AttrPath,
    value: &Value,
    errors: &mut Errors,
) -> Value {
    match validator.validate(value.clone()) {
        Ok(normalized) => normalized,
        Err(found) => {
            for violation in found.prefixed(&path.to_validate_path()) {
                errors.push_violation(violation);
            }
            value.clone()
        }
    }
}

fn is_number_operand(operand: &SetOperand, info: &ModelInfo) -> bool {
    match operand {
        SetOperand::Value(v) | SetOperand::IfNotExists(_, v) => v.is_number(),
        SetOperand::Path(p) => {
            matches!(target(p, info), Ok(Rule::Checked(v)) if v.output_type() == Some(ValueType::Number))
        }
    }
}

/// Checks every action against `T`'s schema; values come back normalized,
/// the version (if any) bumped, with the guards that keep the schema's
/// rules on values DynamoDB computes.
fn check<T: Model>(
    update: &Update,
    info: &ModelInfo,
) -> std::result::Result<(Update, Vec<Guard>), Errors> {
    let mut errors = Errors::new();
    let mut out = Update::new();
    if update.actions().is_empty() {
        errors.push_violation(Violation {
            path: Path::root(),
            kind: ErrorKind::Custom("empty_update".into()),
            message: "an update needs at least one action".into(),
        });
    }
    let keys: Vec<&str> = info.key_parts().map(|k| k.name.as_str()).collect();
    let mut seen: Vec<&AttrPath> = Vec::with_capacity(update.actions().len());
    for action in update.actions() {
        let path = action.path();
        if let Some(other) = seen.iter().find(|s| overlap(s, path)) {
            fail(
                &mut errors,
                path,
                ErrorKind::Custom("overlapping_paths".into()),
                format!(
                    "DynamoDB refuses two actions on overlapping paths ({other} and {path}) in one update"
                ),
            );
            continue;
        }
        seen.push(path);
        if keys.contains(&path.top()) {
            fail(
                &mut errors,
                path,
                ErrorKind::Custom("key_attribute".into()),
                "key attributes cannot be updated",
            );
            continue;
        }
        if let Some(template) = info
            .templates
            .iter()
            .find(|t| t.fields().any(|f| f == path.top()))
        {
            let message = if template.table_key {
                format!(
                    "{} builds the key {} = {:?}: key attributes cannot be updated",
                    path.top(),
                    template.attribute,
                    template.text
                )
            } else {
                format!(
                    "{} builds the index key {} = {:?}, which an update cannot rewrite: save the item instead (a save, partial too, rewrites the index key with it)",
                    path.top(),
                    template.attribute,
                    template.text
                )
            };
            fail(
                &mut errors,
                path,
                ErrorKind::Custom("key_attribute".into()),
                message,
            );
            continue;
        }
        if T::VERSION == Some(path.top()) {
            fail(
                &mut errors,
                path,
                ErrorKind::Custom("version_attribute".into()),
                "the version attribute is maintained by the mapper",
            );
            continue;
        }
        if T::CREATED_AT == Some(path.top()) || T::UPDATED_AT == Some(path.top()) {
            fail(
                &mut errors,
                path,
                ErrorKind::Custom("timestamp_attribute".into()),
                "created_at and updated_at are set by the mapper",
            );
            continue;
        }
        let target = match target(path, info) {
            Ok(t) => t,
            Err((kind, message)) => {
                fail(&mut errors, path, kind, message);
                continue;
            }
        };
        let output = match &target {
            Rule::Checked(v) => v.output_type(),
            Rule::Free => None,
        };
        let action = match (action, &target) {
            (Action::Remove(p), _) => {
                if required(p, info) {
                    fail(
                        &mut errors,
                        p,
                        ErrorKind::Required,
                        "a required attribute cannot be removed",
                    );
                }
                action.clone()
            }
            (Action::Set(p, SetValue::Operand(SetOperand::Value(v))), Rule::Checked(validator)) => {
                let v = checked_value(validator, p, v, &mut errors);
                index_key_value(p, &v, info, &mut errors);
                Action::Set(p.clone(), SetValue::Operand(SetOperand::Value(v)))
            }
            (
                Action::Set(p, SetValue::Operand(SetOperand::IfNotExists(from, v))),
                Rule::Checked(validator),
            ) => {
                // Another path's value, when it exists, is copied: its
                // type must be this one's (its rules are guarded).
                let same =
                    matches!(target_of(from, info), Some(t) if Some(t) == validator.output_type());
                if from != p && !same {
                    fail(
                        &mut errors,
                        p,
                        ErrorKind::Type,
                        format!("{from} does not have this attribute's type"),
                    );
                }
                let v = checked_value(validator, p, v, &mut errors);
                index_key_value(p, &v, info, &mut errors);
                Action::Set(
                    p.clone(),
                    SetValue::Operand(SetOperand::IfNotExists(from.clone(), v)),
                )
            }
            (
                Action::Set(p, SetValue::Operand(SetOperand::Path(from))),
                Rule::Checked(validator),
            ) => {
                let same =
                    matches!(target_of(from, info), Some(t) if Some(t) == validator.output_type());
                if !same {
                    fail(
                        &mut errors,
                        p,
                        ErrorKind::Type,
                        format!("{from} does not have this attribute's type"),
                    );
                }
                action.clone()
            }
            (Action::Set(p, SetValue::Plus(a, b) | SetValue::Minus(a, b)), _) => {
                if output.is_some_and(|t| t != ValueType::Number)
                    || !is_number_operand(a, info)
                    || !is_number_operand(b, info)
                {
                    fail(
                        &mut errors,
                        p,
                        ErrorKind::Type,
                        "arithmetic needs a number attribute and number operands",
                    );
                }
                action.clone()
            }
            (Action::Set(p, SetValue::ListAppend(a, b)), _) => {
                if output.is_some_and(|t| t != ValueType::List) {
                    fail(
                        &mut errors,
                        p,
                        ErrorKind::Type,
                        "list_append needs a list attribute",
                    );
                }
                let element = match &target {
                    Rule::Checked(v) => v.list_element(),
                    Rule::Free => None,
                };
                let mut operand = |o: &SetOperand| match o {
                    SetOperand::Value(Value::List(items))
                    | SetOperand::IfNotExists(_, Value::List(items)) => {
                        let items = match element {
                            Some(element) => items
                                .iter()
                                .enumerate()
                                .map(|(i, item)| {
                                    checked_value(element, &p.clone().index(i), item, &mut errors)
                                })
                                .collect(),
                            None => items.clone(),
                        };
                        match o {
                            SetOperand::IfNotExists(from, _) => {
                                SetOperand::IfNotExists(from.clone(), Value::List(items))
                            }
                            _ => SetOperand::Value(Value::List(items)),
                        }
                    }
                    SetOperand::Path(_) => o.clone(),
                    _ => {
                        fail(&mut errors, p, ErrorKind::Type, "list_append takes lists");
                        o.clone()
                    }
                };
                let (a, b) = (operand(a), operand(b));
                Action::Set(p.clone(), SetValue::ListAppend(a, b))
            }
            (Action::Set(..), Rule::Free) => action.clone(),
            (Action::Add(p, v), _) => {
                let v = &as_set(&target, output, p, v, &mut errors);
                let fits = match output {
                    Some(ValueType::Number) => v.is_number(),
                    Some(t) if t.is_set() => v.value_type() == t,
                    Some(_) => false,
                    None => v.is_number() || v.is_set(),
                };
                if !fits {
                    fail(
                        &mut errors,
                        p,
                        ErrorKind::Type,
                        format!(
                            "ADD works only on numbers and sets, with a value of the same type (got {})",
                            v.value_type().name()
                        ),
                    );
                    action.clone()
                } else if let (Rule::Checked(validator), true) = (&target, v.is_set()) {
                    Action::Add(p.clone(), checked_value(validator, p, v, &mut errors))
                } else {
                    action.clone()
                }
            }
            (Action::Delete(p, v), _) => {
                let v = as_set(&target, output, p, v, &mut errors);
                let fits = v.is_set() && output.is_none_or(|t| t == v.value_type());
                if !fits {
                    fail(
                        &mut errors,
                        p,
                        ErrorKind::Type,
                        "DELETE works only on sets, with a set of the same type",
                    );
                }
                Action::Delete(p.clone(), v)
            }
        };
        out = out.action(action);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(version) = T::VERSION {
        out = out.increment(version, 1);
    }
    let validator = |path: &AttrPath| match target(path, info) {
        Ok(Rule::Checked(v)) => Some(v),
        _ => None,
    };
    let guards = guard::derive(&out, validator, T::VERSION, &mut errors);
    if errors.is_empty() {
        Ok((out, guards))
    } else {
        Err(errors)
    }
}

/// A typed path's set value serializes as a list (serde has no sets):
/// on a set attribute it becomes the set the save would store, through
/// the attribute's validator, as the save's value does.
fn as_set(
    target: &Rule<'_>,
    output: Option<ValueType>,
    path: &AttrPath,
    value: &Value,
    errors: &mut Errors,
) -> Value {
    match (target, value) {
        (Rule::Checked(validator), Value::List(_)) if output.is_some_and(ValueType::is_set) => {
            checked_value(validator, path, value, errors)
        }
        _ => value.clone(),
    }
}

/// DynamoDB's key rules on a value set into an index key attribute.
fn index_key_value(path: &AttrPath, value: &Value, info: &ModelInfo, errors: &mut Errors) {
    if !path.is_top() {
        return;
    }
    let role = info.indexes.iter().find_map(|i| {
        if i.hash.name == path.top() {
            Some(Role::Hash)
        } else {
            i.range
                .as_ref()
                .filter(|r| r.name == path.top())
                .map(|_| Role::Range)
        }
    });
    if let (Some(role), Ok(attribute)) = (role, crate::codec::to_attribute(value)) {
        check_key_value(&attribute, role, &PathNode::ROOT.key(path.top()), errors);
    }
}

fn target_of(path: &AttrPath, info: &ModelInfo) -> Option<ValueType> {
    match target(path, info) {
        Ok(Rule::Checked(v)) => v.output_type(),
        _ => None,
    }
}

/// Whether one path is the other or inside it.
fn overlap(a: &AttrPath, b: &AttrPath) -> bool {
    a.top() == b.top() && a.steps().iter().zip(b.steps()).all(|(x, y)| x == y)
}
