//! Every identifier the emitter writes, decided once, up front, in sorted order, so that
//! collisions resolve the same way on every run and every machine.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Endpoint, FieldKind};
use crate::naming::{
    Scope, claim_rank, is_keyword, plural, shorten_module, snake_ident, type_ident,
};
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
    /// Custom fields (view, field) → their field-path method and key constant.
    pub(crate) custom: BTreeMap<(String, String), CustomNames>,
}

/// Identifiers of one custom field.
#[derive(Debug, Clone)]
pub(crate) struct CustomNames {
    /// The method of the entity's field paths (`usr_loyalty_tier`).
    pub(crate) method: String,
    /// The key constant of the entity (`USR_LOYALTY_TIER`).
    pub(crate) constant: String,
}

/// Identifiers of one workflow action.
#[derive(Debug, Clone)]
pub(crate) struct WorkflowNames {
    /// The method (`change_loyalty_tier`); its twin is `<method>_batch`.
    pub(crate) method: String,
    /// The parameters struct, when the action has parameters.
    pub(crate) params_ty: Option<String>,
    /// Parameter (view, field) → field identifier of the parameters struct.
    pub(crate) params: BTreeMap<(String, String), String>,
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
    /// Workflow action name → its identifiers.
    pub(crate) workflow: BTreeMap<String, WorkflowNames>,
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
    /// Names that made the same identifier, and what each one got instead, for warnings.
    pub(crate) collisions: Vec<Collision>,
}

/// Two schema names that make the same identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Collision {
    /// What kind of identifier (`type`, `module`, `client accessor`, `field of Customer`).
    pub(crate) what: String,
    /// The name that kept the identifier, and the identifier.
    pub(crate) kept: (String, String),
    /// The name that got another one, and that one.
    pub(crate) moved: (String, String),
    /// JSON pointer of the construct the moved name comes from.
    pub(crate) pointer: String,
}

/// Claims `base` for `key` in `scope`, recording a collision with whoever holds it.
fn claim(
    scope: &mut Scope,
    owners: &mut BTreeMap<String, String>,
    collisions: &mut Vec<Collision>,
    what: &str,
    base: &str,
    key: &str,
    pointer: &str,
) -> String {
    let (got, fell_back) = scope.claim_for(base, key);
    if fell_back {
        // A reserved name has no owner: that is not a collision between two schema names.
        if let Some(owner) = owners.get(base) {
            collisions.push(Collision {
                what: what.to_owned(),
                kept: (owner.clone(), base.to_owned()),
                moved: (key.to_owned(), got.clone()),
                pointer: pointer.to_owned(),
            });
        }
    }
    owners.insert(got.clone(), key.to_owned());
    got
}

/// The order names claim identifiers in ([`claim_rank`]): the usual spelling keeps its
/// identifier when a twin appears.
fn claim_order<'a>(names: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut v: Vec<&String> = names.collect();
    v.sort_by_key(|n| claim_rank(n));
    v
}

impl Names {
    pub(crate) fn new(endpoint: &Endpoint) -> Names {
        let mut collisions = Vec::new();
        // Types share one namespace: entities first, then derived names, each group sorted.
        let mut types = Scope::for_types();
        let mut type_owners = BTreeMap::new();
        // A module named like its parent (`entities::entities`) trips clippy's `module_inception`.
        let mut modules = Scope::with_reserved(["mod", "entities"]);
        let mut module_owners = BTreeMap::new();
        let mut entities = BTreeMap::new();
        for name in claim_order(endpoint.entities.keys()) {
            let pointer = &endpoint.entities[name].pointer;
            let ty = claim(
                &mut types,
                &mut type_owners,
                &mut collisions,
                "type",
                &type_ident(name),
                name,
                pointer,
            );
            let module = claim(
                &mut modules,
                &mut module_owners,
                &mut collisions,
                "module",
                &shorten_module(&snake_ident(&ty)),
                name,
                pointer,
            );
            entities.insert(
                name.clone(),
                EntityNames {
                    ty,
                    fields_ty: String::new(),
                    module,
                    fields: BTreeMap::new(),
                    boxed: BTreeSet::new(),
                    custom: BTreeMap::new(),
                },
            );
        }
        for (name, names) in entities.iter_mut() {
            names.fields_ty = types.claim(&derived(&names.ty, "Fields"));
            names.fields = field_idents(
                endpoint.entities[name].fields.values(),
                &format!("field of `{name}`"),
                &mut collisions,
            );
        }
        for name in boxed_cycle_edges(endpoint) {
            if let Some(n) = entities.get_mut(&name.0) {
                n.boxed.insert(name.1);
            }
        }

        let mut accessors = Scope::with_reserved(CLIENT_METHODS.iter().copied());
        let mut accessor_owners = BTreeMap::new();
        let mut service_modules = Scope::with_reserved(["mod", "services"]);
        let mut service_module_owners = BTreeMap::new();
        let mut services = BTreeMap::new();
        let top: Vec<&String> = endpoint.top_level().map(|e| &e.name).collect();
        for name in claim_order(top.into_iter()) {
            let entity = &endpoint.entities[name];
            let ty_name = &entities[&entity.name].ty;
            let ty = claim(
                &mut types,
                &mut type_owners,
                &mut collisions,
                "type",
                &derived(ty_name, "Service"),
                name,
                &entity.pointer,
            );
            let module = claim(
                &mut service_modules,
                &mut service_module_owners,
                &mut collisions,
                "service module",
                &shorten_module(&snake_ident(ty_name)),
                name,
                &entity.pointer,
            );
            let accessor = claim(
                &mut accessors,
                &mut accessor_owners,
                &mut collisions,
                "client accessor",
                &accessor_base(ty_name),
                name,
                &entity.pointer,
            );
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
                        param_fields: field_idents(
                            action.parameters.values(),
                            &format!("parameter of `{}.{}`", entity.name, action.name),
                            &mut collisions,
                        ),
                    },
                );
            }
            services.insert(
                entity.name.clone(),
                (
                    methods,
                    ServiceNames {
                        ty,
                        module,
                        accessor,
                        actions,
                        workflow: BTreeMap::new(),
                    },
                ),
            );
        }
        let endpoint_trait = types.claim(&format!(
            "{}Endpoint",
            heck::ToUpperCamelCase::to_upper_camel_case(type_ident(&endpoint.name).as_str())
        ));
        // What the tenant's `$adHocSchema` adds claims its names last, so that every name the
        // schema alone makes stays the same with or without it.
        for (name, names) in entities.iter_mut() {
            let entity = &endpoint.entities[name];
            names.custom = custom_idents(entity.custom_fields.keys(), names.fields.values());
        }
        for (name, (methods, service)) in services.iter_mut() {
            let entity = &endpoint.entities[name];
            let owner = &entities[name].ty;
            for action in entity.workflow_actions() {
                let method = claim_with_twin(methods, &snake_ident(&action.name));
                let params_ty = (!action.parameters.is_empty()).then(|| {
                    types.claim(&derived(
                        &format!(
                            "{}{}",
                            owner.trim_end_matches('_'),
                            type_ident(&action.name)
                        ),
                        "Parameters",
                    ))
                });
                let params = custom_idents(action.parameters.keys(), std::iter::empty())
                    .into_iter()
                    .map(|(k, n)| (k, n.method))
                    .collect();
                service.workflow.insert(
                    action.name.clone(),
                    WorkflowNames {
                        method,
                        params_ty,
                        params,
                    },
                );
            }
        }
        let services = services.into_iter().map(|(k, (_, s))| (k, s)).collect();
        Names {
            entities,
            services,
            endpoint_trait,
            collisions,
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
fn field_idents<'a>(
    fields: impl Iterator<Item = &'a crate::ir::Field>,
    what: &str,
    collisions: &mut Vec<Collision>,
) -> BTreeMap<String, String> {
    let mut scope = Scope::with_reserved(["meta"]);
    let mut owners = BTreeMap::new();
    let mut fields: Vec<&crate::ir::Field> = fields.collect();
    fields.sort_by_key(|f| claim_rank(&f.name));
    fields
        .into_iter()
        .map(|f| {
            let (w, p) = (&f.name, &f.pointer);
            let id = claim(
                &mut scope,
                &mut owners,
                collisions,
                what,
                &snake_ident(w),
                w,
                p,
            );
            (w.clone(), id)
        })
        .collect()
}

/// Method and constant names of custom fields (view, field): the field's own name in snake case
/// (`usr_loyalty_tier`), or with its view in front when two views have a field of that name;
/// never one of `taken` (the contract fields' identifiers) nor the field-path trait's methods.
fn custom_idents<'a>(
    keys: impl Iterator<Item = &'a (String, String)>,
    taken: impl Iterator<Item = &'a String>,
) -> BTreeMap<(String, String), CustomNames> {
    let keys: Vec<&(String, String)> = keys.collect();
    let mut methods = Scope::with_reserved(["meta", "at", "path"]);
    for t in taken {
        methods.claim(t);
    }
    // Associated constants of the entity traits, which an inherent constant would shadow.
    let mut constants = Scope::with_reserved(["NAME", "KEYS", "ENDPOINT"]);
    let shared = |field: &str| keys.iter().filter(|(_, f)| f == field).count() > 1;
    keys.iter()
        .map(|key| {
            let (view, field) = (&key.0, &key.1);
            let base = if shared(field) {
                snake_ident(&format!("{view}_{field}"))
            } else {
                snake_ident(field)
            };
            let method = methods.claim(&base);
            let constant = constants.claim(&method.trim_end_matches('_').to_ascii_uppercase());
            ((*key).clone(), CustomNames { method, constant })
        })
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
