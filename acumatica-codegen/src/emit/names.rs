//! Every identifier the emitter writes, decided once, up front, in sorted order, so that
//! collisions resolve the same way on every run and every machine.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Endpoint, FieldKind};
use crate::naming::{Scope, is_keyword, plural, snake_ident, type_ident};
use crate::runtime_paths::{CLIENT_METHODS, SERVICE_METHODS};

/// Identifiers of one entity's items.
#[derive(Debug, Clone)]
pub(crate) struct EntityNames {
    /// The struct (`SalesOrder`).
    pub(crate) ty: String,
    /// Its typed field paths (`SalesOrderFields`).
    pub(crate) fields_ty: String,
    /// File stem and module name (`sales_order`).
    pub(crate) module: String,
    /// Wire name → field identifier.
    pub(crate) fields: BTreeMap<String, String>,
    /// Linked fields that must be boxed because they close a cycle of linked entities.
    pub(crate) boxed: BTreeSet<String>,
}

/// Identifiers of one top-level entity's service.
#[derive(Debug, Clone)]
pub(crate) struct ServiceNames {
    /// The service type (`SalesOrderService`).
    pub(crate) ty: String,
    /// File stem and module name.
    pub(crate) module: String,
    /// Accessor on the client (`sales_orders`).
    pub(crate) accessor: String,
    /// Action name → (method, parameters type if the action has parameters).
    pub(crate) actions: BTreeMap<String, ActionNames>,
}

/// Identifiers of one action.
#[derive(Debug, Clone)]
pub(crate) struct ActionNames {
    /// The method (`release_from_hold`); its twin is `<method>_batch`.
    pub(crate) method: String,
    /// The parameters struct, when the action has parameters.
    pub(crate) params_ty: Option<String>,
    /// Field identifiers of the parameters struct.
    pub(crate) param_fields: BTreeMap<String, String>,
}

/// All names of one endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    pub(crate) entities: BTreeMap<String, EntityNames>,
    pub(crate) services: BTreeMap<String, ServiceNames>,
    /// The accessor trait (`DefaultEndpoint`).
    pub(crate) endpoint_trait: String,
}

impl Names {
    pub(crate) fn new(endpoint: &Endpoint) -> Names {
        // Types share one namespace: entities first, then derived names, each group sorted.
        let mut types = Scope::for_types();
        // A module named like its parent (`entities::entities`) trips clippy's `module_inception`.
        let mut modules = Scope::with_reserved(["mod", "entities"]);
        let mut entities = BTreeMap::new();
        for name in endpoint.entities.keys() {
            let ty = types.claim(&type_ident(name));
            let module = modules.claim(&snake_ident(&ty));
            entities.insert(
                name.clone(),
                EntityNames {
                    ty,
                    fields_ty: String::new(),
                    module,
                    fields: BTreeMap::new(),
                    boxed: BTreeSet::new(),
                },
            );
        }
        for (name, names) in entities.iter_mut() {
            names.fields_ty = types.claim(&derived(&names.ty, "Fields"));
            names.fields = field_idents(endpoint.entities[name].fields.keys());
        }
        for name in boxed_cycle_edges(endpoint) {
            if let Some(n) = entities.get_mut(&name.0) {
                n.boxed.insert(name.1);
            }
        }

        let mut accessors = Scope::with_reserved(CLIENT_METHODS.iter().copied());
        let mut service_modules = Scope::with_reserved(["mod", "services"]);
        let mut services = BTreeMap::new();
        for entity in endpoint.top_level() {
            let ty_name = &entities[&entity.name].ty;
            let ty = types.claim(&derived(ty_name, "Service"));
            let module = service_modules.claim(&snake_ident(ty_name));
            let accessor = accessors.claim(&accessor_base(ty_name));
            let mut methods = Scope::with_reserved(
                SERVICE_METHODS
                    .iter()
                    .flat_map(|m| [(*m).to_owned(), format!("{m}_batch")])
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str),
            );
            let mut actions = BTreeMap::new();
            for action in entity.actions() {
                let method = claim_with_twin(&mut methods, &snake_ident(&action.name));
                let params_ty = (!action.parameters.is_empty())
                    .then(|| types.claim(&derived(&type_ident(&action.schema), "Parameters")));
                actions.insert(
                    action.name.clone(),
                    ActionNames {
                        method,
                        params_ty,
                        param_fields: field_idents(action.parameters.keys()),
                    },
                );
            }
            services.insert(
                entity.name.clone(),
                ServiceNames {
                    ty,
                    module,
                    accessor,
                    actions,
                },
            );
        }
        let endpoint_trait = types.claim(&format!(
            "{}Endpoint",
            heck::ToUpperCamelCase::to_upper_camel_case(type_ident(&endpoint.name).as_str())
        ));
        Names {
            entities,
            services,
            endpoint_trait,
        }
    }
}

/// A type name made from another one: `SalesOrder` → `SalesOrderFields`. The `_` that escapes a
/// keyword goes (`Self_` → `SelfFields`): inside the name it would not be UpperCamelCase.
fn derived(ty: &str, suffix: &str) -> String {
    format!("{}{suffix}", ty.trim_end_matches('_'))
}

/// The client accessor of a service: the plural of the entity's snake-case name, made on the
/// word itself (`Type` → `types`, not `type_s`) and escaped again when the plural is a keyword
/// (`A` → `as_`).
fn accessor_base(ty: &str) -> String {
    let snake = snake_ident(ty);
    let mut accessor = plural(snake.trim_end_matches('_'));
    if is_keyword(&accessor) {
        accessor.push('_');
    }
    accessor
}

/// Field identifiers of one struct: snake case, `meta` reserved for the system fields.
fn field_idents<'a>(wire_names: impl Iterator<Item = &'a String>) -> BTreeMap<String, String> {
    let mut scope = Scope::with_reserved(["meta"]);
    wire_names
        .map(|w| (w.clone(), scope.claim(&snake_ident(w))))
        .collect()
}

/// Claims `base` and `base_batch` together, trying `base_2`, `base_3`, ... until both are free.
fn claim_with_twin(scope: &mut Scope, base: &str) -> String {
    let base = base.trim_end_matches('_');
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            base.to_owned()
        } else {
            format!("{base}_{n}")
        };
        let twin = format!("{candidate}_batch");
        let plain_ok = !scope.contains(&candidate) && !crate::naming::is_keyword(&candidate);
        if plain_ok && !scope.contains(&twin) {
            scope.claim(&candidate);
            scope.claim(&twin);
            return candidate;
        }
        n += 1;
    }
}

/// Linked fields (entity, wire name) whose target can reach back to the field's own entity
/// through linked fields: without a `Box` such a struct would have infinite size. Detail
/// collections are `Vec`s and break cycles by themselves.
fn boxed_cycle_edges(endpoint: &Endpoint) -> Vec<(String, String)> {
    let linked = |e: &str| -> Vec<(String, String)> {
        endpoint
            .entities
            .get(e)
            .map(|ent| {
                ent.fields
                    .values()
                    .filter_map(|f| match &f.kind {
                        FieldKind::Linked(t) => Some((f.name.clone(), t.clone())),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(e) = stack.pop() {
            if e == to {
                return true;
            }
            if seen.insert(e.clone()) {
                stack.extend(linked(&e).into_iter().map(|(_, t)| t));
            }
        }
        false
    };
    let mut out = Vec::new();
    for name in endpoint.entities.keys() {
        for (field, target) in linked(name) {
            if reaches(&target, name) {
                out.push((name.clone(), field));
            }
        }
    }
    out
}
