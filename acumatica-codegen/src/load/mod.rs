//! Reading Acumatica endpoint schemas (OpenAPI 3.0.x and Swagger 2.0) into the [`ir`](crate::ir).
//!
//! Both formats describe the same things in slightly different places; [`format`] hides the
//! difference, [`paths`] reads the operations and actions, [`schemas`] the entities, [`keys`]
//! knows the key fields that schemas do not carry, [`xml`] adds what the endpoint XML knows, and
//! [`ad_hoc`] what a tenant's `$adHocSchema` answers add: custom fields and workflow actions.

pub mod ad_hoc;
mod format;
mod keys;
mod node;
mod paths;
mod schemas;
pub mod xml;

use std::path::Path;

use crate::error::{Error, Result};
use crate::ir::Endpoint;

pub use keys::documented_keys;

/// Reads a schema document (OpenAPI 3.0.x or Swagger 2.0 JSON).
///
/// `origin` names the document in errors (a path or a URL).
///
/// ```
/// let json = br##"{"openapi":"3.0.1","info":{"title":"Default/24.200.001","version":"4"},
///   "paths":{},"components":{"schemas":{}}}"##;
/// let endpoint = acumatica_codegen::read_schema(json, "inline").unwrap();
/// assert_eq!((endpoint.name.as_str(), endpoint.version.as_str()), ("Default", "24.200.001"));
/// ```
pub fn read_schema(bytes: &[u8], origin: &str) -> Result<Endpoint> {
    // A UTF-8 byte-order mark is legal in files saved by Windows tools; JSON parsers refuse it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Error::Json {
        origin: origin.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    read_value(&value)
}

/// Reads a schema document from a file.
pub fn read_schema_file(path: &Path) -> Result<Endpoint> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        action: "reading",
        path: path.to_owned(),
        source,
    })?;
    read_schema(&bytes, &path.display().to_string())
}

/// Reads an already parsed schema document.
pub fn read_value(value: &serde_json::Value) -> Result<Endpoint> {
    let doc = format::Document::new(value)?;
    let (name, version) = doc.endpoint_name()?;
    let mut warnings = Vec::new();
    let paths = paths::read(&doc, &mut warnings)?;
    let mut entities = schemas::read(&doc, &paths, &mut warnings)?;
    keys::assign(&name, &mut entities);
    if !entities.values().any(|e| e.top_level.is_some()) {
        warnings.push(crate::ir::Warning {
            pointer: "#/paths".to_owned(),
            message: "no top-level entities: the schema declares no entity paths, so the \
                      generated module has no services"
                .to_owned(),
        });
    }
    Ok(Endpoint {
        name,
        version,
        format: doc.format,
        entities,
        warnings,
    })
}
