//! The endpoint XML (`Default_24.200.001.endpoint.xml`): screen IDs and the mapping of each field
//! to the screen's data view and field. It only adds documentation to a model read from JSON.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};
use crate::ir::{Endpoint, Mapping, Warning};

/// A minimal element tree: the endpoint XML is small (about 1 MB) and read once.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    fn children_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// What the endpoint XML adds: per top-level entity its screen ID and field mappings, and the
/// mappings of its actions' parameters.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct EndpointXml {
    /// Endpoint name from the root element.
    pub name: String,
    /// Endpoint version from the root element.
    pub version: String,
    /// Top-level entity → what the XML says about it.
    pub entities: BTreeMap<String, XmlEntity>,
}

/// What the endpoint XML says about one top-level entity.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct XmlEntity {
    /// Screen ID (`AR303000`).
    pub screen: Option<String>,
    /// Field → its data view and field on the screen.
    pub mappings: BTreeMap<String, Mapping>,
    /// Action → parameter → mapping.
    pub action_mappings: BTreeMap<String, BTreeMap<String, Mapping>>,
}

/// Reads an endpoint XML file.
pub fn read_endpoint_xml_file(path: &Path) -> Result<EndpointXml> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        action: "reading",
        path: path.to_owned(),
        source,
    })?;
    read_endpoint_xml(&bytes, &path.display().to_string())
}

/// Reads an endpoint XML document (UTF-8, with or without a byte-order mark).
pub fn read_endpoint_xml(bytes: &[u8], origin: &str) -> Result<EndpointXml> {
    let err = |message: String| Error::Xml {
        origin: origin.to_owned(),
        message,
    };
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| err(format!("not UTF-8: {e}")))?;
    // Anything that does not start with markup is not XML at all (a CSV, a JSON schema given
    // in the wrong place): say so, rather than what the XML parser makes of it.
    let start = text.trim_start();
    if !start.starts_with('<') {
        let what = if start.is_empty() {
            "it is empty".to_owned()
        } else if start.starts_with('{') || start.starts_with('[') {
            "it looks like JSON (a schema goes in --schema)".to_owned()
        } else {
            let first: String = start
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(40)
                .collect();
            format!("it starts with {first:?}, not with an XML element")
        };
        return Err(err(format!(
            "not an endpoint XML document ({what}); expected <Endpoint ...> as Acumatica exports it"
        )));
    }
    let root = parse_tree(text).map_err(err)?;
    if root.name != "Endpoint" {
        return Err(err(format!(
            "expected the root element <Endpoint>, found <{}>",
            root.name
        )));
    }
    let mut out = EndpointXml {
        name: root.attr("name").unwrap_or_default().to_owned(),
        version: root.attr("version").unwrap_or_default().to_owned(),
        entities: BTreeMap::new(),
    };
    for top in root.children_named("TopLevelEntity") {
        let Some(name) = top.attr("name") else {
            return Err(err("a <TopLevelEntity> has no name attribute".into()));
        };
        let mut entity = XmlEntity {
            screen: top.attr("screen").map(str::to_owned),
            ..Default::default()
        };
        if let Some(mappings) = top.child("Mappings") {
            entity.mappings = direct_mappings(mappings);
        }
        if let Some(actions) = top.child("Actions") {
            for action in actions.children_named("Action") {
                if let (Some(aname), Some(m)) = (action.attr("name"), action.child("Mappings")) {
                    entity
                        .action_mappings
                        .insert(aname.to_owned(), direct_mappings(m));
                }
            }
        }
        out.entities.insert(name.to_owned(), entity);
    }
    Ok(out)
}

/// `<Mapping field="F"><To object="View" field="DacField"/></Mapping>` → F → (View, DacField).
/// Nested mappings (fields of linked entities) are left out: a linked entity's type is shared
/// by many parents, each mapping it differently.
fn direct_mappings(mappings: &Element) -> BTreeMap<String, Mapping> {
    let mut out = BTreeMap::new();
    for m in mappings.children_named("Mapping") {
        let (Some(field), Some(to)) = (m.attr("field"), m.child("To")) else {
            continue;
        };
        if let Some(view) = to.attr("object") {
            out.insert(
                field.to_owned(),
                Mapping {
                    view: view.to_owned(),
                    field: to.attr("field").unwrap_or_default().to_owned(),
                },
            );
        }
    }
    out
}

impl EndpointXml {
    /// Adds screen IDs and field mappings to `endpoint`; returns warnings for what does not match.
    pub fn apply(&self, endpoint: &mut Endpoint) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if !self.name.eq_ignore_ascii_case(&endpoint.name) || self.version != endpoint.version {
            warnings.push(Warning {
                pointer: "endpoint XML".into(),
                message: format!(
                    "the XML describes {}/{}, the schema {}/{}",
                    self.name, self.version, endpoint.name, endpoint.version
                ),
            });
        }
        for (name, xml) in &self.entities {
            let Some(entity) = endpoint.entities.get_mut(name) else {
                warnings.push(Warning {
                    pointer: format!("endpoint XML: TopLevelEntity {name}"),
                    message: "not in the schema; ignored".into(),
                });
                continue;
            };
            if entity.screen_id.is_none() {
                entity.screen_id = xml.screen.clone();
            }
            for (field, mapping) in &xml.mappings {
                if let Some(f) = entity.fields.get_mut(field) {
                    f.mapping = Some(mapping.clone());
                }
            }
            if let Some(top) = entity.top_level.as_mut() {
                for (action, params) in &xml.action_mappings {
                    let Some(a) = top.actions.get_mut(action) else {
                        continue;
                    };
                    for (param, mapping) in params {
                        if let Some(p) = a.parameters.get_mut(param) {
                            p.mapping = Some(mapping.clone());
                        }
                    }
                }
            }
        }
        warnings
    }
}

fn parse_tree(text: &str) -> std::result::Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let pos = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                stack.push(element(&e).map_err(|m| format!("at byte {pos}: {m}"))?)
            }
            Ok(Event::Empty(e)) => {
                let el = element(&e).map_err(|m| format!("at byte {pos}: {m}"))?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(el);
                }
            }
            Ok(Event::End(_)) => {
                let (Some(done), Some(_)) = (stack.pop(), stack.last()) else {
                    return Err(format!("at byte {pos}: closing tag without an opening tag"));
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(done);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at byte {pos}: {e}")),
        }
    }
    if stack.len() != 1 {
        return Err(format!(
            "unexpected end of document inside <{}>",
            stack.last().map(|e| e.name.as_str()).unwrap_or("?")
        ));
    }
    let document = stack.pop().unwrap_or_default();
    document
        .children
        .into_iter()
        .next()
        .ok_or_else(|| "the document is empty".to_owned())
}

fn element(e: &BytesStart<'_>) -> std::result::Result<Element, String> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = BTreeMap::new();
    for a in e.attributes() {
        let a = a.map_err(|err| err.to_string())?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| err.to_string())?
            .into_owned();
        attrs.insert(key, value);
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
    })
}
