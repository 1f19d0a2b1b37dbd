//! Doc comments from the schema: titles, screen IDs, wire names, kinds and mappings.

use std::collections::BTreeMap;

use crate::ir::{Endpoint, Entity, Field, FieldKind, KeySource};

/// Where each entity is used (parent entity, field), for the docs of detail and linked entities.
pub(crate) fn usages(endpoint: &Endpoint) -> BTreeMap<String, Vec<(String, String, bool)>> {
    let mut out: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    for e in endpoint.entities.values() {
        for f in e.fields.values() {
            if let Some(target) = f.kind.entity() {
                let detail = matches!(f.kind, FieldKind::Detail(_));
                out.entry(target.to_owned()).or_default().push((
                    e.name.clone(),
                    f.name.clone(),
                    detail,
                ));
            }
        }
    }
    out
}

/// The doc comment of an entity struct.
pub(crate) fn entity(
    endpoint: &Endpoint,
    e: &Entity,
    used_in: &[(String, String, bool)],
) -> String {
    let ep = format!("{}/{}", endpoint.name, endpoint.version);
    let mut doc = String::new();
    match (&e.title, &e.screen_id) {
        (Some(t), Some(s)) => doc.push_str(&format!("{t} ({s}).\n\n")),
        (Some(t), None) => doc.push_str(&format!("{t}.\n\n")),
        (None, Some(s)) => doc.push_str(&format!("Screen {s}.\n\n")),
        (None, None) => {}
    }
    if let Some(top) = &e.top_level {
        doc.push_str(&format!(
            "Top-level entity `{}` of the `{ep}` endpoint, at `/entity/{ep}/{}`.",
            e.name, e.name
        ));
        match &top.keys {
            Some(keys) => {
                let list = keys
                    .fields
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let how = match keys.source {
                    KeySource::Documented => "",
                    KeySource::Inferred => {
                        " (inferred from the field names; the schema does not say)"
                    }
                };
                doc.push_str(&format!("\n\nKey fields: {list}{how}."));
            }
            None => doc.push_str("\n\nKey fields: unknown; address records by their entity ID."),
        }
    } else {
        doc.push_str(&format!("Entity `{}` of the `{ep}` endpoint.", e.name));
    }
    if !used_in.is_empty() {
        let mut list: Vec<String> = used_in
            .iter()
            .take(6)
            .map(|(parent, field, detail)| {
                format!(
                    "`{parent}.{field}`{}",
                    if *detail { " (detail lines)" } else { "" }
                )
            })
            .collect();
        if used_in.len() > 6 {
            list.push(format!("and {} more", used_in.len() - 6));
        }
        doc.push_str(&format!("\n\nUsed in {}.", list.join(", ")));
    }
    if let Some(d) = &e.description {
        doc.push_str("\n\n");
        doc.push_str(d);
    }
    doc
}

/// The doc comment of a field.
pub(crate) fn field(f: &Field, is_key: bool) -> String {
    let mut doc = match &f.kind {
        FieldKind::Value(k) => format!("`{}` ({}).", f.name, k.wrapper_name()),
        FieldKind::Linked(t) => format!(
            "`{}`: linked entity `{t}`; returned only with `$expand={}`.",
            f.name, f.name
        ),
        FieldKind::Detail(t) => format!(
            "`{}`: detail lines of `{t}`; returned only with `$expand={}`.",
            f.name, f.name
        ),
        FieldKind::Untyped(what) => {
            format!("`{}`: {what} in the schema, kept as untyped JSON.", f.name)
        }
    };
    if is_key {
        doc.push_str(" Key field.");
    }
    if let Some(m) = &f.mapping {
        doc.push_str(&format!(
            "\n\nMapped to `{}.{}` on the screen.",
            m.view, m.field
        ));
    }
    doc
}
