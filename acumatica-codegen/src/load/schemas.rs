//! Reads the named schemas into entities, their fields and the actions' parameters.

use std::collections::{BTreeMap, BTreeSet};

use super::format::Document;
use super::node::Node;
use super::paths::Paths;
use crate::error::Result;
use crate::ir::{Action, Entity, Field, FieldKind, TopLevel, ValueKind, Warning};

/// Property names every entity has; the runtime types them once (`EntityMeta`).
pub(crate) const SYSTEM_FIELDS: &[&str] = &[
    "id",
    "rowNumber",
    "note",
    "custom",
    "error",
    "files",
    "delete",
    "_links",
];

/// Schemas the runtime provides itself.
const RUNTIME_SCHEMAS: &[&str] = &["Entity", "CustomField", "FileLink", "HttpError"];

/// What a named schema is.
#[derive(Debug, Clone, PartialEq)]
enum Class {
    /// A value wrapper; `None` when it is a wrapper of a kind the generator does not know.
    Wrapper(Option<ValueKind>),
    Entity,
    /// `Entity`, `FileLink`, `Custom*Field`, action invocations: not emitted as entities.
    Other,
}

/// How many schemas deep `allOf` may extend entities (Acumatica's go one or two levels deep).
/// Reading extensions is recursive: a limit turns a hostile chain of thousands of schemas into
/// an error instead of a stack overflow.
const MAX_ALLOF_DEPTH: usize = 64;

struct Reader<'d, 'a> {
    doc: &'d Document<'a>,
    schemas: BTreeMap<&'a str, Node<'a>>,
    /// Every schema classified so far (also those reached through `allOf`), so that each is
    /// classified, and warned about, once.
    classes: BTreeMap<&'a str, Class>,
    /// The fields of every entity read so far, with those of the entities it extends.
    fields: BTreeMap<String, BTreeMap<String, Field>>,
    warnings: &'d mut Vec<Warning>,
}

pub(crate) fn read(
    doc: &Document<'_>,
    paths: &Paths,
    warnings: &mut Vec<Warning>,
) -> Result<BTreeMap<String, Entity>> {
    let schemas: BTreeMap<_, _> = doc.schemas()?.entries()?.into_iter().collect();
    let mut reader = Reader {
        doc,
        schemas,
        classes: BTreeMap::new(),
        fields: BTreeMap::new(),
        warnings,
    };
    let names: Vec<&str> = reader.schemas.keys().copied().collect();
    for name in &names {
        let class = reader.classify(name, &mut BTreeSet::new())?;
        reader.classes.insert(name, class);
    }

    let titles = tag_titles(doc)?;
    let mut entities = BTreeMap::new();
    for name in &names {
        if reader.classes[name] != Class::Entity {
            continue;
        }
        let node = reader.schemas[name].clone();
        let fields = reader.entity_fields(name, &mut BTreeSet::new())?;
        let (title, screen_id) = titles.get(*name).cloned().unwrap_or_default();
        entities.insert(
            (*name).to_owned(),
            Entity {
                name: (*name).to_owned(),
                pointer: node.pointer.clone(),
                top_level: None,
                fields,
                title,
                screen_id,
                description: node.opt_str("description")?.map(str::to_owned),
                custom_fields: BTreeMap::new(),
            },
        );
    }

    for (name, facts) in paths {
        let Some(entity) = entities.get_mut(name) else {
            return Err(crate::Error::schema(
                facts.pointer.clone(),
                format!(
                    "the path names entity {name:?}, but {}{name} is not an entity schema",
                    doc.ref_prefix()
                ),
            ));
        };
        let mut top = TopLevel {
            operations: facts.operations.clone(),
            custom_actions: facts.custom_actions,
            ..TopLevel::default()
        };
        for (action, (schema, op_pointer)) in &facts.actions {
            let read = reader.action(name, action, schema, op_pointer)?;
            top.actions.insert(action.clone(), read);
        }
        entity.top_level = Some(top);
    }
    Ok(entities)
}

impl<'a> Reader<'_, 'a> {
    fn classify(&mut self, name: &str, visiting: &mut BTreeSet<String>) -> Result<Class> {
        if let Some(c) = self.classes.get(name) {
            return Ok(c.clone());
        }
        let class = self.classify_uncached(name, visiting)?;
        if let Some((key, _)) = self.schemas.get_key_value(name) {
            self.classes.insert(*key, class.clone());
        }
        Ok(class)
    }

    fn classify_uncached(&mut self, name: &str, visiting: &mut BTreeSet<String>) -> Result<Class> {
        if let Some(kind) = ValueKind::from_wrapper_name(name) {
            return Ok(Class::Wrapper(Some(kind)));
        }
        if RUNTIME_SCHEMAS.contains(&name) || ValueKind::from_custom_field_type(name).is_some() {
            return Ok(Class::Other);
        }
        let node = self.schemas[name].clone();
        node.object()?;
        if let Some(all_of) = node.get("allOf") {
            if !visiting.insert(name.to_owned()) {
                return Err(node.error(format!("`allOf` of {name:?} refers back to itself")));
            }
            too_deep(&node, visiting)?;
            for part in all_of.items()? {
                if let Some(target) = self.doc.ref_name(&part)? {
                    let target_class = if target == "Entity" {
                        Class::Entity
                    } else if target == "CustomField" {
                        Class::Other
                    } else {
                        self.require_schema(&part, &target)?;
                        self.classify(&target, visiting)?
                    };
                    if target_class == Class::Entity {
                        return Ok(Class::Entity);
                    }
                }
            }
            visiting.remove(name);
        }
        if let Some(value) = node.get("properties").and_then(|p| p.get("value"))
            && name.ends_with("Value")
            && node.get("allOf").is_none()
        {
            let kind = wrapper_kind_from_shape(&value);
            if let (Some(ValueKind::Decimal), Some("integer"), Some(format)) = (
                kind,
                value.value.get("type").and_then(|t| t.as_str()),
                value.value.get("format").and_then(|f| f.as_str()),
            ) {
                self.warnings.push(Warning {
                    pointer: value.pointer.clone(),
                    message: format!(
                        "value wrapper {name} holds integers of the unknown format {format:?}; \
                         typed as a decimal, which holds every integer of up to 28 digits \
                         (all of `u64` and `i64`)"
                    ),
                });
            }
            if kind.is_none() {
                self.warnings.push(Warning {
                    pointer: node.pointer.clone(),
                    message: format!(
                        "value wrapper {name} holds a value the generator does not know; \
                             its fields are kept as untyped JSON"
                    ),
                });
            }
            return Ok(Class::Wrapper(kind));
        }
        let invocation = node
            .get("properties")
            .is_some_and(|p| p.get("entity").is_some());
        if !invocation {
            self.warnings.push(Warning {
                pointer: node.pointer.clone(),
                message: format!(
                    "schema {name:?} is not an entity, a value wrapper or an action; skipped"
                ),
            });
        }
        Ok(Class::Other)
    }

    fn require_schema(&self, at: &Node<'a>, target: &str) -> Result<()> {
        if self.schemas.contains_key(target) {
            Ok(())
        } else {
            Err(at.error(format!(
                "refers to {}{target}, which the document does not define",
                self.doc.ref_prefix()
            )))
        }
    }

    /// The fields of an entity schema: the properties of its inline `allOf` parts, plus those of
    /// any entity it extends.
    fn entity_fields(
        &mut self,
        name: &str,
        visiting: &mut BTreeSet<String>,
    ) -> Result<BTreeMap<String, Field>> {
        if let Some(fields) = self.fields.get(name) {
            return Ok(fields.clone());
        }
        let node = self.schemas[name].clone();
        if !visiting.insert(name.to_owned()) {
            return Err(node.error(format!("`allOf` of {name:?} refers back to itself")));
        }
        too_deep(&node, visiting)?;
        let mut fields = BTreeMap::new();
        let parts = match node.get("allOf") {
            Some(all_of) => all_of.items()?,
            None => vec![node.clone()],
        };
        for part in parts {
            if let Some(target) = self.doc.ref_name(&part)? {
                if target != "Entity" {
                    // A part that is not there would silently take its fields with it.
                    self.require_schema(&part, &target)?;
                    if self.classes.get(target.as_str()) == Some(&Class::Entity) {
                        fields.extend(self.entity_fields(&target, visiting)?);
                    }
                }
                continue;
            }
            let Some(props) = part.get("properties") else {
                continue;
            };
            for (prop, pnode) in props.entries()? {
                if SYSTEM_FIELDS.contains(&prop) {
                    continue;
                }
                let kind = self.field_kind(&pnode)?;
                fields.insert(
                    prop.to_owned(),
                    Field {
                        name: prop.to_owned(),
                        kind,
                        pointer: pnode.pointer.clone(),
                        mapping: None,
                    },
                );
            }
        }
        visiting.remove(name);
        self.fields.insert(name.to_owned(), fields.clone());
        Ok(fields)
    }

    fn field_kind(&mut self, node: &Node<'a>) -> Result<FieldKind> {
        node.object()?;
        if let Some(target) = self.doc.ref_name(node)? {
            self.require_schema(node, &target)?;
            return Ok(match self.classes.get(target.as_str()) {
                Some(Class::Wrapper(Some(kind))) => FieldKind::Value(*kind),
                Some(Class::Entity) => FieldKind::Linked(target),
                _ => self.untyped(
                    node,
                    format!("a reference to {target}, which is not a value wrapper or an entity"),
                ),
            });
        }
        if node.opt_str("type")? == Some("array") {
            let items = node.require("items")?;
            if let Some(target) = self.doc.ref_name(&items)? {
                self.require_schema(&items, &target)?;
                if self.classes.get(target.as_str()) == Some(&Class::Entity) {
                    return Ok(FieldKind::Detail(target));
                }
                return Ok(self.untyped(
                    node,
                    format!("an array of {target}, which is not an entity"),
                ));
            }
            return Ok(self.untyped(node, "an array of inline schemas"));
        }
        let shape = match (node.opt_str("type")?, node.opt_str("format")?) {
            (Some(t), Some(f)) => format!("an inline {t} ({f})"),
            (Some(t), None) => format!("an inline {t}"),
            _ => "an inline schema without a type".to_owned(),
        };
        Ok(self.untyped(node, shape))
    }

    fn untyped(&mut self, node: &Node<'a>, what: impl Into<String>) -> FieldKind {
        let what = what.into();
        self.warnings.push(Warning {
            pointer: node.pointer.clone(),
            message: format!("expected a value wrapper, an entity or an array of entities, found {what}; kept as untyped JSON"),
        });
        FieldKind::Untyped(what)
    }

    fn action(
        &mut self,
        entity: &str,
        action: &str,
        schema: &str,
        op_pointer: &str,
    ) -> Result<Action> {
        let Some(node) = self.schemas.get(schema).cloned() else {
            return Err(crate::Error::schema(
                op_pointer,
                format!(
                    "action {action} refers to {}{schema}, which the document does not define",
                    self.doc.ref_prefix()
                ),
            ));
        };
        let props = node.require("properties")?;
        let target = props.require("entity")?;
        match self.doc.ref_name(&target)? {
            Some(t) if t == entity => {}
            Some(t) => self.warnings.push(Warning {
                pointer: target.pointer.clone(),
                message: format!(
                    "action {entity}/{action} applies to {t}, not {entity}; typed as {entity}"
                ),
            }),
            None => return Err(target.error("expected `entity` to be a `$ref` to the entity")),
        }
        let mut parameters = BTreeMap::new();
        let mut custom_parameters = false;
        if let Some(params) = props.get("parameters")
            && let Some(pprops) = params.get("properties")
        {
            for (name, pnode) in pprops.entries()? {
                if name == "custom" {
                    custom_parameters = true;
                    continue;
                }
                let kind = self.field_kind(&pnode)?;
                parameters.insert(
                    name.to_owned(),
                    Field {
                        name: name.to_owned(),
                        kind,
                        pointer: pnode.pointer.clone(),
                        mapping: None,
                    },
                );
            }
        }
        Ok(Action {
            name: action.to_owned(),
            schema: schema.to_owned(),
            pointer: node.pointer.clone(),
            parameters,
            custom_parameters,
        })
    }
}

/// An error once `allOf` extensions nest deeper than [`MAX_ALLOF_DEPTH`] schemas.
fn too_deep(node: &Node<'_>, visiting: &BTreeSet<String>) -> Result<()> {
    if visiting.len() > MAX_ALLOF_DEPTH {
        return Err(node.error(format!(
            "`allOf` extends schemas more than {MAX_ALLOF_DEPTH} levels deep"
        )));
    }
    Ok(())
}

/// The kind of a wrapper the generator does not know by name, from the shape of its `value`.
fn wrapper_kind_from_shape(value: &Node<'_>) -> Option<ValueKind> {
    let t = value.value.get("type")?.as_str()?;
    let f = value.value.get("format").and_then(|f| f.as_str());
    Some(match (t, f) {
        ("string", Some("date-time")) => ValueKind::DateTime,
        ("string", Some("date")) => ValueKind::DateOnly,
        ("string", Some("uuid")) => ValueKind::Guid,
        ("string", _) => ValueKind::String,
        ("boolean", _) => ValueKind::Boolean,
        ("integer", None | Some("int32")) => ValueKind::Int,
        ("integer", Some("int64")) => ValueKind::Long,
        ("integer", Some("int16")) => ValueKind::Short,
        ("integer", Some("uint8")) => ValueKind::Byte,
        // An integer format not known here (`uint64`, `uint32`, `int128`): a type that holds
        // every value of it, with a warning from the caller.
        ("integer", Some(_)) => ValueKind::Decimal,
        // Numbers on an ERP are amounts: exact decimals, whatever the schema's format says.
        ("number", _) => ValueKind::Decimal,
        _ => return None,
    })
}

/// Entity name → (screen title, screen ID).
type Titles = BTreeMap<String, (Option<String>, Option<String>)>;

/// Entity name → (screen title, screen ID) from the document's tags:
/// `{"name": "Account", "description": "Chart of Accounts (GL202500)"}`.
fn tag_titles(doc: &Document<'_>) -> Result<Titles> {
    let mut out = BTreeMap::new();
    let Some(tags) = doc.root.get("tags") else {
        return Ok(out);
    };
    for tag in tags.items()? {
        let (Some(name), Some(desc)) = (tag.opt_str("name")?, tag.opt_str("description")?) else {
            continue;
        };
        let desc = desc.trim();
        let (title, screen) = match desc.rfind('(') {
            Some(open) if desc.ends_with(')') => {
                let screen = &desc[open + 1..desc.len() - 1];
                let title = desc[..open].trim();
                (
                    (!title.is_empty()).then(|| title.to_owned()),
                    (!screen.is_empty()).then(|| screen.to_owned()),
                )
            }
            _ => ((!desc.is_empty()).then(|| desc.to_owned()), None),
        };
        out.insert(name.to_owned(), (title, screen));
    }
    Ok(out)
}
