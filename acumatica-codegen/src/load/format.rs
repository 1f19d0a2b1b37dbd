//! Where OpenAPI 3 and Swagger 2 keep what the reader needs.

use serde_json::Value;

use super::node::Node;
use crate::error::Result;
use crate::ir::SchemaFormat;

/// A schema document with its format known.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    pub(crate) root: Node<'a>,
    pub(crate) format: SchemaFormat,
}

impl<'a> Document<'a> {
    pub(crate) fn new(value: &'a Value) -> Result<Self> {
        let root = Node::root(value);
        root.object()?;
        let format = if let Some(v) = root.get("openapi") {
            let version = v.str()?;
            if !version.starts_with("3.0") {
                return Err(v.error(format!(
                    "OpenAPI {version} is not supported: Acumatica serves 3.0.x (or Swagger 2.0)"
                )));
            }
            SchemaFormat::OpenApi3
        } else if let Some(v) = root.get("swagger") {
            let version = v.str()?;
            if version != "2.0" {
                return Err(v.error(format!("expected swagger \"2.0\", found {version:?}")));
            }
            SchemaFormat::Swagger2
        } else {
            return Err(root.error(
                "expected an OpenAPI 3.0 (`openapi`) or Swagger 2.0 (`swagger`) document; \
                 neither member is present",
            ));
        };
        Ok(Document { root, format })
    }

    /// Endpoint name and version: from `info.title` (`Default/24.200.001`), else from the
    /// server URL or base path (`.../entity/Default/24.200.001`).
    pub(crate) fn endpoint_name(&self) -> Result<(String, String)> {
        let info = self.root.require("info")?;
        if let Some(title) = info.opt_str("title")?
            && let Some((name, version)) = split_name_version(title)
        {
            return Ok((name, version));
        }
        let base = match self.format {
            SchemaFormat::OpenApi3 => self
                .root
                .get("servers")
                .and_then(|s| s.value.get(0))
                .and_then(|s| s.get("url"))
                .and_then(Value::as_str),
            SchemaFormat::Swagger2 => self.root.get("basePath").and_then(|b| b.value.as_str()),
        };
        if let Some(rest) = base.and_then(|b| b.split("/entity/").nth(1))
            && let Some((name, version)) = split_name_version(rest.trim_end_matches('/'))
        {
            return Ok((name, version));
        }
        Err(info.error(
            "cannot tell the endpoint's name and version: expected `info.title` like \
             \"Default/24.200.001\" or a server URL ending in /entity/<name>/<version>",
        ))
    }

    /// The object holding the named schemas.
    pub(crate) fn schemas(&self) -> Result<Node<'a>> {
        match self.format {
            SchemaFormat::OpenApi3 => self.root.require("components")?.require("schemas"),
            SchemaFormat::Swagger2 => self.root.require("definitions"),
        }
    }

    /// The prefix of a `$ref` to a named schema.
    pub(crate) fn ref_prefix(&self) -> &'static str {
        match self.format {
            SchemaFormat::OpenApi3 => "#/components/schemas/",
            SchemaFormat::Swagger2 => "#/definitions/",
        }
    }

    /// The schema name a `{"$ref": ...}` node points to, or `None` if the node is not a `$ref`.
    pub(crate) fn ref_name(&self, node: &Node<'a>) -> Result<Option<String>> {
        let Some(r) = node.get("$ref") else {
            return Ok(None);
        };
        let target = r.str()?;
        let name = target.strip_prefix(self.ref_prefix()).ok_or_else(|| {
            r.error(format!(
                "expected a reference to a named schema ({}...), found {target:?}",
                self.ref_prefix()
            ))
        })?;
        // Names in references are JSON-pointer escaped.
        Ok(Some(name.replace("~1", "/").replace("~0", "~")))
    }

    /// The schema of an operation's JSON request body, if it has one.
    pub(crate) fn request_body_schema(&self, op: &Node<'a>) -> Result<Option<Node<'a>>> {
        match self.format {
            SchemaFormat::OpenApi3 => {
                let Some(body) = op.get("requestBody") else {
                    return Ok(None);
                };
                let Some(content) = body.get("content") else {
                    return Ok(None);
                };
                let entries = content.entries()?;
                let chosen = entries
                    .iter()
                    .find(|(ct, _)| *ct == "application/json")
                    .or_else(|| entries.first());
                chosen.map(|(_, media)| media.require("schema")).transpose()
            }
            SchemaFormat::Swagger2 => {
                let Some(params) = op.get("parameters") else {
                    return Ok(None);
                };
                for p in params.items()? {
                    if p.opt_str("in")? == Some("body") {
                        return p.require("schema").map(Some);
                    }
                }
                Ok(None)
            }
        }
    }
}

/// Splits `Default/24.200.001` into its two parts.
fn split_name_version(s: &str) -> Option<(String, String)> {
    let (name, version) = s.split_once('/')?;
    let valid = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    (valid(name) && valid(version)).then(|| (name.to_owned(), version.to_owned()))
}
