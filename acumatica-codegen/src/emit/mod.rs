//! From the model to Rust: one file per entity and per service, plus module indexes.
//!
//! Generated code states facts (types, wire names, keys, actions) and calls the runtime for
//! everything else, through the paths in [`runtime_paths`](crate::runtime_paths).

mod custom;
mod docs;
mod endpoint;
mod entity;
mod fields;
mod names;
mod service;
mod tokens;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::Result;
use crate::ir::Endpoint;
use crate::output::{GeneratedFile, format_file};
use crate::runtime_paths::{Rt, RuntimeCrate};

pub(crate) use tokens::inner_doc;

/// How to generate.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where generated code finds the runtime.
    pub runtime: RuntimeCrate,
    /// What the schema is called in every file's header: a label, such as the schema's file
    /// name (`Default_24.200.001.json`), never a path as it was typed. The output depends only
    /// on the schema's content and these settings, so the same schema reached as `./x.json`,
    /// `x.json` or `/abs/x.json` must get the same label (see [`source_label`]).
    pub source: String,
    /// Gate every entity behind cargo features, one per top-level entity (see [`entity_features`]):
    /// a crate then compiles only the entities it enables.
    pub entity_features: bool,
}

impl Settings {
    /// Settings for code that lives in a crate depending on `acumatica-sdk`.
    pub fn external(source: impl Into<String>) -> Self {
        Settings {
            runtime: RuntimeCrate::External,
            source: source.into(),
            entity_features: false,
        }
    }
}

/// The label [`Settings::source`] should get for a schema read from `path`: its file name, so
/// that how the path was spelled, and where the command ran, never reaches the output.
pub fn source_label(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Everything the emitters share.
pub(crate) struct Cx<'a> {
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) names: &'a names::Names,
    pub(crate) rt: Rt,
    pub(crate) usages: &'a BTreeMap<String, Vec<(String, String, bool)>>,
    pub(crate) settings: &'a Settings,
    /// Entity → the features that compile it (empty when features are off).
    pub(crate) gates: &'a BTreeMap<String, Vec<String>>,
}

/// The feature that enables every entity.
pub const ALL_ENTITIES_FEATURE: &str = "all-entities";

/// The cargo features of an endpoint generated with [`Settings::entity_features`]: one per
/// top-level entity, named like its module (`customer`, `sales_order`), sorted. Enabling one
/// compiles the entity, its service and every entity it references; [`ALL_ENTITIES_FEATURE`]
/// enables them all.
pub fn entity_features(endpoint: &Endpoint) -> Vec<String> {
    let names = names::Names::new(endpoint);
    let mut features: Vec<String> = endpoint
        .top_level()
        .map(|e| names.entities[&e.name].module.clone())
        .collect();
    features.sort();
    features
}

/// Warnings about the names the generator chose: schema names that make the same identifier
/// (`BRANCH` and `Branch` both make the module `branch`), each naming both and what the one that
/// gave way got instead. The natural name (`Branch`) keeps the identifier; the other gets a
/// suffix that depends on its own name only, so adding a name never renames an existing one.
pub fn naming_warnings(endpoint: &Endpoint) -> Vec<crate::ir::Warning> {
    names::Names::new(endpoint)
        .collisions
        .into_iter()
        .map(|c| crate::ir::Warning {
            pointer: c.pointer.clone(),
            message: format!(
                "`{}` and `{}` both make the {} `{}`: `{}` keeps it, `{}` gets `{}`",
                c.kept.0, c.moved.0, c.what, c.kept.1, c.kept.0, c.moved.0, c.moved.1
            ),
        })
        .collect()
}

/// Entity → the features whose top-level entity reaches it; entities no top-level entity
/// reaches are compiled with [`ALL_ENTITIES_FEATURE`].
fn gates(endpoint: &Endpoint, names: &names::Names) -> BTreeMap<String, Vec<String>> {
    let mut gates: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for top in endpoint.top_level() {
        let feature = &names.entities[&top.name].module;
        for reached in endpoint.reachable([top.name.as_str()]) {
            gates.entry(reached).or_default().push(feature.clone());
        }
    }
    for name in endpoint.entities.keys() {
        let list = gates.entry(name.clone()).or_default();
        if list.is_empty() {
            list.push(ALL_ENTITIES_FEATURE.to_owned());
        }
        list.sort();
        list.dedup();
    }
    gates
}

impl Cx<'_> {
    /// `#[cfg(any(feature = ..))]` for an entity's items, or nothing when features are off.
    pub(crate) fn entity_cfg(&self, entity: &str) -> TokenStream {
        match self.gates.get(entity) {
            Some(features) if self.settings.entity_features => match features.as_slice() {
                [one] => quote!(#[cfg(feature = #one)]),
                many => quote!(#[cfg(any(#(feature = #many),*))]),
            },
            _ => TokenStream::new(),
        }
    }

    /// `#[cfg(feature = ..)]` for a top-level entity's service, or nothing when features are off.
    pub(crate) fn service_cfg(&self, entity: &str) -> TokenStream {
        if !self.settings.entity_features {
            return TokenStream::new();
        }
        let feature = &self.names.entities[entity].module;
        quote!(#[cfg(feature = #feature)])
    }
}

/// Generates the module for `endpoint` as one file, for a build script: [`generate`]'s files
/// with every `mod x;` inlined, ready for `include!` inside a module of the crate (see
/// [`output::single_file`](crate::output::single_file)).
///
/// In a build script's `main` (`examples/tenant-app/build.rs` is a whole one):
///
/// ```no_run
/// let schema = std::path::Path::new("schemas/tenant.json");
/// println!("cargo::rerun-if-changed={}", schema.display());
/// let endpoint = acumatica_codegen::read_schema_file(schema).unwrap();
/// let settings = acumatica_codegen::Settings::external(acumatica_codegen::source_label(schema));
/// let code = acumatica_codegen::generate_single_file(&endpoint, &settings).unwrap();
/// let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("tenant.rs");
/// std::fs::write(out, code).unwrap();
/// ```
pub fn generate_single_file(endpoint: &Endpoint, settings: &Settings) -> Result<String> {
    crate::output::single_file(&generate(endpoint, settings)?)
}

/// Generates the module for `endpoint`: `mod.rs`, `entities/*.rs`, `services/*.rs`, with paths
/// relative to the module's directory, sorted by path.
///
/// ```
/// # fn main() -> Result<(), acumatica_codegen::Error> {
/// let json = br##"{"swagger":"2.0","info":{"title":"Tiny/1.0","version":"4"},"paths":{},"definitions":{}}"##;
/// let endpoint = acumatica_codegen::read_schema(json, "inline")?;
/// let files = acumatica_codegen::generate(&endpoint, &acumatica_codegen::Settings::external("inline"))?;
/// assert!(files.iter().any(|f| f.path.ends_with("mod.rs")));
/// # Ok(()) }
/// ```
pub fn generate(endpoint: &Endpoint, settings: &Settings) -> Result<Vec<GeneratedFile>> {
    let names = names::Names::new(endpoint);
    let usages = docs::usages(endpoint);
    let gates = if settings.entity_features {
        gates(endpoint, &names)
    } else {
        BTreeMap::new()
    };
    // Tokens are not `Send`, so each thread makes its own context over the shared names.
    let cx = || Cx {
        endpoint,
        names: &names,
        rt: Rt::new(&settings.runtime),
        usages: &usages,
        gates: &gates,
        settings,
    };
    let ep = format!("{}/{}", endpoint.name, endpoint.version);
    let banner = format!(
        "Generated by acumatica-codegen from {}; do not edit by hand.",
        settings.source
    );
    let top_count = endpoint.top_level().count();

    // Every file is one job; jobs are spread over the cores and the result sorted by path, so
    // the output does not depend on the number of threads.
    enum Job<'e> {
        Root,
        ModelRoot,
        EntitiesIndex,
        ServicesIndex,
        Entity(&'e crate::ir::Entity),
        Service(&'e crate::ir::Entity),
    }
    // Split in two crates, the files of each get its own folder: `model/`, `runtime/`.
    let split = matches!(settings.runtime, RuntimeCrate::Split { .. });
    let (model, runtime) = if split {
        ("model/", "runtime/")
    } else {
        ("", "")
    };
    let mut jobs = vec![Job::Root, Job::EntitiesIndex, Job::ServicesIndex];
    if split {
        jobs.push(Job::ModelRoot);
    }
    jobs.extend(endpoint.entities.values().map(Job::Entity));
    jobs.extend(endpoint.top_level().map(Job::Service));
    let emit = |cx: &Cx<'_>, job: &Job<'_>| -> Result<GeneratedFile> {
        match job {
            Job::Root => format_file(
                &format!("{runtime}mod.rs"),
                &format!(
                    "{banner}\n\nThe `{ep}` endpoint: {top_count} top-level entities ([`services`]) and {} entity types ([`entities`]).",
                    endpoint.entities.len()
                ),
                endpoint::root(cx)?,
            ),
            Job::ModelRoot => format_file(
                &format!("{model}mod.rs"),
                &format!(
                    "{banner}\n\nThe entity types of the `{ep}` endpoint ([`entities`]), without its services."
                ),
                endpoint::model_root(cx)?,
            ),
            Job::EntitiesIndex => format_file(
                &format!("{model}entities/mod.rs"),
                &format!("{banner}\n\nEntity types of the `{ep}` endpoint."),
                endpoint::entities_index(cx)?,
            ),
            Job::ServicesIndex => format_file(
                &format!("{runtime}services/mod.rs"),
                &format!("{banner}\n\nServices of the `{ep}` endpoint, one per top-level entity."),
                endpoint::services_index(cx)?,
            ),
            Job::Entity(e) => {
                let module = &cx.names.entities[&e.name].module;
                let title = e
                    .title
                    .as_deref()
                    .map(|t| format!(": {t}"))
                    .unwrap_or_default();
                format_file(
                    &format!("{model}entities/{module}.rs"),
                    &format!("`{}`{title}.\n\n{banner}", e.name),
                    entity::file(cx, e)?,
                )
            }
            Job::Service(e) => {
                let module = &cx.names.services[&e.name].module;
                format_file(
                    &format!("{runtime}services/{module}.rs"),
                    &format!("The `{}` service.\n\n{banner}", e.name),
                    service::file(cx, e)?,
                )
            }
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len().max(1));
    let chunk = jobs.len().div_ceil(threads).max(1);
    let mut files = Vec::with_capacity(jobs.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(|| {
                    let cx = cx();
                    part.iter()
                        .map(|job| emit(&cx, job))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(part) => files.push(part),
                Err(_) => files.push(Err(crate::Error::Emit {
                    file: "(worker thread)".into(),
                    message: "a generator thread panicked".into(),
                })),
            }
        }
    });
    let mut files = files
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
