//! `POST /{Entity}/{Action}` (schema, custom and workflow actions) and the status poll of
//! long-running ones.

use std::time::Duration;

use acumatica_codegen::ir::{Entity, FieldKind};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::entity::object_body;
use crate::customizations::{EffectTarget, EffectValue, set_custom};
use crate::faults::glob;
use crate::filter::CustomType;
use crate::gate::Caller;
use crate::metrics::bump;
use crate::model::EndpointModel;
use crate::render::top_links;
use crate::rules;
use crate::state::{AppState, Op, State as Inner};
use crate::store;
use crate::wire;
use crate::write::{body_id, body_keys};

/// The action's name as declared (schema action or workflow action of the customizations),
/// from a name in any case.
fn canonical_action(s: &Inner, entity: &Entity, name: &str) -> Option<String> {
    entity
        .actions()
        .map(|a| a.name.as_str())
        .chain(
            s.model
                .custom
                .actions_of(&entity.name)
                .map(|a| a.name.as_str()),
        )
        .find(|a| a.eq_ignore_ascii_case(name))
        .map(str::to_owned)
}

pub(super) fn is_action(s: &Inner, entity: &Entity, name: &str) -> bool {
    canonical_action(s, entity, name).is_some()
}

/// A value a workflow action sets.
#[derive(Debug, Clone)]
enum Assignment {
    /// A contract field.
    Field(String, Value),
    /// A custom field of the record.
    Custom {
        view: String,
        field: String,
        kind: CustomType,
        value: Value,
    },
}

/// What a workflow action of the customizations sets, from its effects and the parameters the
/// call passed in `parameters.custom`; `Err` is the message of the 422 (a parameter of the wrong
/// type). Nothing for a schema action.
fn workflow_assignments(
    s: &Inner,
    entity: &Entity,
    action: &str,
    parameters: Option<&Map<String, Value>>,
) -> Result<Vec<Assignment>, String> {
    let Some(spec) = s.model.custom.action_of(&entity.name, action) else {
        return Ok(Vec::new());
    };
    let passed = parameters
        .and_then(|p| p.get("custom"))
        .and_then(Value::as_object);
    let mut values = Vec::new();
    for p in &spec.parameters {
        let Some(raw) = passed
            .and_then(|c| c.get(&p.view))
            .and_then(|v| v.get(&p.field))
            .and_then(|f| f.get("value"))
        else {
            continue;
        };
        let value = if raw.is_null() {
            Value::Null
        } else {
            crate::write::coerce(p.kind.value_kind(), raw, s.site).map_err(|_| {
                format!(
                    "The value of the parameter {}.{} is not valid for a field of type {}.",
                    p.view,
                    p.field,
                    p.kind.type_name()
                )
            })?
        };
        values.push((p, value));
    }
    let mut out = Vec::new();
    for effect in &spec.effects {
        let value = match &effect.value {
            EffectValue::Constant(v) => v.clone(),
            EffectValue::Parameter { view, field } => {
                match values
                    .iter()
                    .find(|(p, _)| &p.view == view && &p.field == field)
                {
                    Some((_, v)) => v.clone(),
                    // Left out of the call: nothing to set.
                    None => continue,
                }
            }
        };
        let invalid = |target: &str| {
            format!("The value {value} cannot be set to {target}: it is not valid for its type.")
        };
        match &effect.target {
            EffectTarget::Field(name) => {
                let Some(FieldKind::Value(kind)) = entity.fields.get(name).map(|f| &f.kind) else {
                    continue;
                };
                let value = if value.is_null() {
                    value.clone()
                } else {
                    crate::write::coerce(*kind, &value, s.site).map_err(|_| invalid(name))?
                };
                out.push(Assignment::Field(name.clone(), value));
            }
            EffectTarget::Custom { view, field } => {
                let Some(spec) = s.model.custom.field_of(&entity.name, view, field) else {
                    continue;
                };
                let value = if value.is_null() {
                    value.clone()
                } else {
                    crate::write::coerce(spec.kind.value_kind(), &value, s.site)
                        .map_err(|_| invalid(&format!("{view}.{field}")))?
                };
                out.push(Assignment::Custom {
                    view: view.clone(),
                    field: field.clone(),
                    kind: spec.kind,
                    value,
                });
            }
        }
    }
    Ok(out)
}

/// Whether the configured patterns make this action long-running; `!pattern` excludes.
fn is_long(s: &Inner, entity: &str, action: &str) -> bool {
    let subject = format!("{entity}/{action}");
    for p in &s.config.long_running.actions {
        if let Some(neg) = p.strip_prefix('!') {
            if glob(neg, &subject) {
                return false;
            }
        } else if glob(p, &subject) {
            return true;
        }
    }
    false
}

fn location(resp: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
}

/// Applies an action's effects to a record: a schema action's (rules::ACTION_EFFECTS), then a
/// workflow action's assignments.
fn apply_effects(
    s: &Inner,
    tenant: &str,
    entity: &Entity,
    action: &str,
    id: Uuid,
    assignments: &[Assignment],
) {
    let effects = rules::action_effects(&entity.name, action);
    if effects.is_empty() && assignments.is_empty() {
        return;
    }
    let Some(lock) = s.tenant(tenant) else { return };
    let mut data = store::write(lock);
    let Some(mut record) = data.get(&entity.name, id) else {
        return;
    };
    for (field, lit) in effects {
        if crate::model::is_value(entity, field) {
            record.insert((*field).to_owned(), json!({ "value": lit.to_json() }));
        }
    }
    for a in assignments {
        match a {
            Assignment::Field(field, value) => {
                record.insert(field.clone(), json!({ "value": value }));
            }
            Assignment::Custom {
                view,
                field,
                kind,
                value,
            } => set_custom(&mut record, view, field, *kind, value.clone()),
        }
    }
    if data.replace(&entity.name, id, record).is_ok() {
        s.metrics.write(&entity.name, id);
        s.store.mark_dirty();
    }
}

pub(super) fn invoke(
    state: &AppState,
    ep: &EndpointModel,
    entity: &Entity,
    caller: &Caller,
    action: &str,
    body: &[u8],
) -> Response {
    let s = &*state.0;
    let Some(action) = canonical_action(s, entity, action) else {
        return wire::message(
            StatusCode::NOT_FOUND,
            &format!("The {} entity has no action named {action}.", entity.name),
        );
    };
    let body = match object_body(body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    // `entity` in the documentation's actions, `Entity` in its processing examples (D-PROC).
    let target = body
        .get("entity")
        .or_else(|| body.get("Entity"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let tenant = caller.session.tenant.clone();
    let Some(lock) = s.tenant(&tenant) else {
        return wire::not_found_500();
    };
    let id = {
        let data = store::read(lock);
        let keys = s.model.keys_of(&entity.name);
        let named = body_id(&target).is_some() || body_keys(&entity.name, keys, &target).is_some();
        let found = data.table(&entity.name).and_then(|t| {
            body_id(&target)
                .filter(|id| t.contains(*id))
                .or_else(|| body_keys(&entity.name, keys, &target).and_then(|k| t.find_by_keys(&k)))
        });
        if named && found.is_none() {
            return wire::not_found_500();
        }
        found
    };
    // Validate typed parameters against their kinds, as a PUT would.
    if let Some(params) = body.get("parameters").and_then(Value::as_object)
        && let Some(def) = entity
            .top_level
            .as_ref()
            .and_then(|t| t.actions.get(&action))
    {
        for (name, field) in &def.parameters {
            let (Some(v), acumatica_codegen::ir::FieldKind::Value(kind)) =
                (params.get(name).and_then(|p| p.get("value")), &field.kind)
            else {
                continue;
            };
            if !v.is_null() && crate::write::coerce(*kind, v, s.site).is_err() {
                let mut echo = target.clone();
                echo.insert(
                    "error".into(),
                    Value::String(format!("The value of the parameter {name} is not valid.")),
                );
                return wire::json(StatusCode::UNPROCESSABLE_ENTITY, &Value::Object(echo));
            }
        }
    }
    // A workflow action's parameters are checked against their types, as a PUT checks values.
    let assignments = match workflow_assignments(
        s,
        entity,
        &action,
        body.get("parameters").and_then(Value::as_object),
    ) {
        Ok(a) => a,
        Err(message) => {
            let mut echo = target.clone();
            echo.insert("error".into(), Value::String(message));
            return wire::json(StatusCode::UNPROCESSABLE_ENTITY, &Value::Object(echo));
        }
    };
    bump(&s.metrics.actions_started);
    let record_link = id.map(|id| {
        top_links(ep, &entity.name, id)["self"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    });
    if !is_long(s, &entity.name, &action) {
        if let Some(id) = id {
            apply_effects(s, &tenant, entity, &action, id, &assignments);
        }
        let mut resp = StatusCode::NO_CONTENT.into_response();
        if let Some(link) = &record_link {
            location(&mut resp, link);
        }
        return resp;
    }
    let op = Uuid::new_v4();
    s.ops.lock().unwrap_or_else(|e| e.into_inner()).insert(
        op,
        Op {
            done: false,
            record_link,
        },
    );
    caller.session.set_busy(Some(op));
    let duration: Duration = s.config.long_running.duration;
    let state2 = state.clone();
    let session = caller.session.clone();
    let entity_name = entity.name.clone();
    let poll = format!("{}/{}/{action}/status/{op}", ep.base(), entity.name);
    tokio::spawn(async move {
        tokio::time::sleep(duration).await;
        let s = &*state2.0;
        if let Some(id) = id
            && let Some(entity) = s.model.any_entity(&entity_name)
        {
            apply_effects(s, &tenant, entity, &action, id, &assignments);
        }
        if let Some(op) = s.ops.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&op) {
            op.done = true;
        }
        session.set_busy(None);
    });
    let mut resp = StatusCode::ACCEPTED.into_response();
    location(&mut resp, &poll);
    resp
}

pub(super) fn status(
    s: &Inner,
    ep: &EndpointModel,
    entity: &Entity,
    action: &str,
    op: &str,
) -> Response {
    let Ok(op_id) = Uuid::parse_str(op) else {
        return wire::not_found_500();
    };
    let op = s
        .ops
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&op_id)
        .cloned();
    let Some(op) = op else {
        return wire::not_found_500();
    };
    if op.done {
        let mut resp = StatusCode::NO_CONTENT.into_response();
        if let Some(link) = &op.record_link {
            location(&mut resp, link);
        }
        resp
    } else {
        let mut resp = StatusCode::ACCEPTED.into_response();
        location(
            &mut resp,
            &format!("{}/{}/{action}/status/{op_id}", ep.base(), entity.name),
        );
        resp
    }
}
