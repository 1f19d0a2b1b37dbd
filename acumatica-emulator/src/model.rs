//! The endpoints being served: each schema read once with the generator's reader.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use acumatica_codegen::ir::{Endpoint, Entity, FieldKind};

use crate::config::SchemaSource;
use crate::customizations::Customizations;
use crate::error::Error;

/// One endpoint: its model and the schema document it was read from (served as swagger.json).
#[derive(Debug)]
pub(crate) struct EndpointModel {
    pub(crate) ir: Arc<Endpoint>,
    pub(crate) schema: Arc<[u8]>,
}

impl EndpointModel {
    /// `/entity/{name}/{version}`, the prefix of every URL of this endpoint.
    pub(crate) fn base(&self) -> String {
        format!("/entity/{}/{}", self.ir.name, self.ir.version)
    }

    /// A top-level entity by URL name, ignoring case.
    pub(crate) fn top_level(&self, name: &str) -> Option<&Entity> {
        self.ir.top_level_entity(name)
    }

    /// Any entity by schema name.
    pub(crate) fn entity(&self, name: &str) -> Option<&Entity> {
        self.ir.entity(name)
    }
}

/// Every endpoint being served, plus facts merged over all of them.
#[derive(Debug)]
pub(crate) struct Model {
    pub(crate) endpoints: Vec<EndpointModel>,
    /// Top-level entity name → its key fields (from the first endpoint that knows them).
    pub(crate) keys: BTreeMap<String, Vec<String>>,
    /// The tenant's custom fields and workflow actions, resolved against the endpoints (none
    /// until [`Model::customize`]).
    pub(crate) custom: Customizations,
}

/// The embedded default schema, read once per process: it is 2.5 MB and every test starts an
/// emulator.
static DEFAULT_IR: OnceLock<Result<Arc<Endpoint>, String>> = OnceLock::new();

fn read(source: &SchemaSource) -> Result<Arc<Endpoint>, Error> {
    if source.is_embedded_default() {
        return DEFAULT_IR
            .get_or_init(|| {
                acumatica_codegen::read_schema(&source.bytes, &source.origin)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(Error::Schema);
    }
    acumatica_codegen::read_schema(&source.bytes, &source.origin)
        .map(Arc::new)
        .map_err(|e| Error::Schema(e.to_string()))
}

impl Model {
    pub(crate) fn load(sources: &[SchemaSource]) -> Result<Model, Error> {
        let mut endpoints: Vec<EndpointModel> = Vec::new();
        let mut keys = BTreeMap::new();
        for source in sources {
            let ir = read(source)?;
            if endpoints
                .iter()
                .any(|e| e.ir.name.eq_ignore_ascii_case(&ir.name) && e.ir.version == ir.version)
            {
                return Err(Error::Config(format!(
                    "endpoint {}/{} is configured twice",
                    ir.name, ir.version
                )));
            }
            for entity in ir.top_level() {
                if let Some(k) = entity.keys() {
                    keys.entry(entity.name.clone())
                        .or_insert_with(|| k.fields.clone());
                }
            }
            endpoints.push(EndpointModel {
                ir,
                schema: source.bytes.clone(),
            });
        }
        Ok(Model {
            endpoints,
            keys,
            custom: Customizations::none(),
        })
    }

    /// Serves `custom` (checked against the endpoints, every entity and field required), or
    /// with `None` the built-in customizations on the entities the endpoints have.
    pub(crate) fn customize(
        &mut self,
        custom: Option<&Customizations>,
        site: chrono::FixedOffset,
    ) -> Result<(), Error> {
        self.custom = match custom {
            Some(c) => c.resolve(self, true, site)?,
            None => Customizations::builtin().resolve(self, false, site)?,
        };
        Ok(())
    }

    /// An endpoint by URL name (any case) and version.
    pub(crate) fn endpoint(&self, name: &str, version: &str) -> Option<&EndpointModel> {
        self.endpoints
            .iter()
            .find(|e| e.ir.name.eq_ignore_ascii_case(name) && e.ir.version == version)
    }

    /// The schema name of a top-level entity in any endpoint, from a name in any case.
    pub(crate) fn canonical_entity(&self, name: &str) -> Option<String> {
        self.endpoints
            .iter()
            .find_map(|e| e.top_level(name).map(|x| x.name.clone()))
    }

    /// The first endpoint's definition of an entity, if any endpoint has it.
    pub(crate) fn any_entity(&self, name: &str) -> Option<&Entity> {
        self.endpoints.iter().find_map(|e| e.entity(name))
    }

    /// Key fields of a top-level entity.
    pub(crate) fn keys_of(&self, entity: &str) -> &[String] {
        self.keys.get(entity).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Whether a field of an entity holds a plain value.
pub(crate) fn is_value(entity: &Entity, field: &str) -> bool {
    entity
        .fields
        .get(field)
        .is_some_and(|f| matches!(f.kind, FieldKind::Value(_)))
}
