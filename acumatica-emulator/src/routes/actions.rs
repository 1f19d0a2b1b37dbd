//! `POST /{Entity}/{Action}` (schema, custom and workflow actions) and the status poll of
//! long-running ones.

use std::time::Duration;

use acumatica_codegen::ir::Entity;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::entity::object_body;
use crate::faults::glob;
use crate::gate::Caller;
use crate::metrics::bump;
use crate::model::EndpointModel;
use crate::render::top_links;
use crate::rules;
use crate::state::{AppState, Op, State as Inner};
use crate::store;
use crate::wire;
use crate::write::{body_id, body_keys};

/// The action's name as declared (schema action or workflow action), from a name in any case.
fn canonical_action(entity: &Entity, name: &str) -> Option<String> {
    entity
        .actions()
        .map(|a| a.name.as_str())
        .chain(rules::workflow_actions(&entity.name).map(|(_, a, _)| *a))
        .find(|a| a.eq_ignore_ascii_case(name))
        .map(str::to_owned)
}

pub(super) fn is_action(entity: &Entity, name: &str) -> bool {
    canonical_action(entity, name).is_some()
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

/// Applies an action's effects (rules::ACTION_EFFECTS) to a record.
fn apply_effects(s: &Inner, tenant: &str, entity: &Entity, action: &str, id: Uuid) {
    let effects = rules::action_effects(&entity.name, action);
    if effects.is_empty() {
        return;
    }
    let Some(lock) = s.tenant(tenant) else { return };
    let mut data = store::write(lock);
    let Some(mut record) = data.get(&entity.name, id).cloned() else {
        return;
    };
    for (field, lit) in effects {
        if crate::model::is_value(entity, field) {
            record.insert((*field).to_owned(), json!({ "value": lit.to_json() }));
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
    let Some(action) = canonical_action(entity, action) else {
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
                .filter(|id| t.get(*id).is_some())
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
    bump(&s.metrics.actions_started);
    let record_link = id.map(|id| {
        top_links(ep, &entity.name, id)["self"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    });
    if !is_long(s, &entity.name, &action) {
        if let Some(id) = id {
            apply_effects(s, &tenant, entity, &action, id);
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
            apply_effects(s, &tenant, entity, &action, id);
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
