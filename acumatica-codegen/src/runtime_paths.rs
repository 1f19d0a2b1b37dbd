//! The only place that spells paths into the runtime crate (`acumatica-sdk`), so that generated
//! code reaches it through one root (`crate` inside the SDK, `::acumatica_sdk` in a user's
//! crate) and nothing in a schema can shadow it.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::ValueKind;

/// Where generated code finds the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeCrate {
    /// Generated into `acumatica-sdk` itself (`crate::...`).
    InSdk,
    /// Generated into another crate that depends on `acumatica-sdk` (`::acumatica_sdk::...`).
    External,
    /// The SDK's own endpoint in two crates, so that the entities compile without the HTTP
    /// stack and in parallel with it: the files under `model/` (the entities, reaching the
    /// value types at `::acumatica_model`) go into the crate named here, the files under
    /// `runtime/` (the client accessor trait and the services, reaching the runtime as `crate`
    /// and the entities through that crate) into `acumatica-sdk`.
    Split {
        /// The entities crate as Rust names it (`acumatica_default_entities`).
        entities_crate: String,
    },
}

/// Token paths to runtime items: the value types, entity traits and queries (the model), and
/// the client, services and batches (the runtime). One crate holds both except in
/// [`RuntimeCrate::Split`].
#[derive(Debug, Clone)]
pub(crate) struct Rt {
    model: TokenStream,
    runtime: TokenStream,
}

impl Rt {
    pub(crate) fn new(krate: &RuntimeCrate) -> Self {
        let (model, runtime) = match krate {
            RuntimeCrate::InSdk => (quote!(crate), quote!(crate)),
            RuntimeCrate::External => (quote!(::acumatica_sdk), quote!(::acumatica_sdk)),
            RuntimeCrate::Split { .. } => (quote!(::acumatica_model), quote!(crate)),
        };
        Rt { model, runtime }
    }

    pub(crate) fn serde(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::__private::serde)
    }

    pub(crate) fn schemars(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::__private::schemars)
    }

    pub(crate) fn value(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::types::Value)
    }

    pub(crate) fn raw_json(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::types::RawJson)
    }

    pub(crate) fn entity_meta(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::EntityMeta)
    }

    pub(crate) fn entity_trait(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::Entity)
    }

    pub(crate) fn top_level_trait(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::TopLevelEntity)
    }

    pub(crate) fn endpoint(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::Endpoint)
    }

    pub(crate) fn wire(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::wire)
    }

    pub(crate) fn query(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::query)
    }

    pub(crate) fn client(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::AcumaticaClient)
    }

    pub(crate) fn entity_service(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::service::EntityService)
    }

    pub(crate) fn batch_call(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::batch::BatchCall)
    }

    pub(crate) fn result(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::error::Result)
    }

    pub(crate) fn custom_key(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::CustomKey)
    }

    pub(crate) fn custom_fields(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::CustomFields)
    }

    pub(crate) fn custom_parameters(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::CustomParameters)
    }

    pub(crate) fn put_custom(&self) -> TokenStream {
        let r = &self.model;
        quote!(#r::entity::put_custom)
    }

    pub(crate) fn no_parameters(&self) -> TokenStream {
        let r = &self.runtime;
        quote!(#r::service::NoParameters)
    }

    /// The Rust type of a value kind.
    pub(crate) fn value_type(&self, kind: ValueKind) -> TokenStream {
        let r = &self.model;
        match kind {
            ValueKind::String => quote!(::std::string::String),
            ValueKind::Decimal => quote!(#r::types::Decimal),
            ValueKind::Boolean => quote!(bool),
            ValueKind::DateTime | ValueKind::DateOnly => quote!(#r::types::DateTime),
            ValueKind::Int => quote!(i32),
            ValueKind::Short => quote!(i16),
            ValueKind::Long => quote!(i64),
            ValueKind::Byte => quote!(u8),
            ValueKind::Double => quote!(f64),
            ValueKind::Guid => quote!(#r::types::Uuid),
        }
    }
}

/// Methods every generated service gets from the runtime's `EntityService` (through `Deref`):
/// action methods must not take these names (nor `<name>_batch`), or they would hide them.
/// `tests/runtime_names.rs` checks the list against the runtime's source, both ways.
pub const SERVICE_METHODS: &[&str] = &[
    "new",
    "client",
    "path",
    "execute",
    "get_list",
    "get_list_stream",
    "get_by_id",
    "get_by_id_with",
    "get_by_ids",
    "get_by_keys",
    "get_by_keys_with",
    "put_entity",
    "insert",
    "update",
    "patch_entity",
    "delete_by_id",
    "delete_by_keys",
    "invoke_action",
    "invoke_custom_action",
    "invoke_workflow_action",
    "put_file",
    "put_file_stream",
    "get_files",
    "get_file",
    "get_ad_hoc_schema",
    // Through derives and `Deref`.
    "deref",
    "clone",
    "fmt",
];

/// Methods of the runtime's client: service accessors must not take these names (an inherent
/// method would silently win over the accessor trait's). Checked like [`SERVICE_METHODS`].
pub const CLIENT_METHODS: &[&str] = &[
    "builder",
    "from_env",
    "config",
    "endpoint_for",
    "session",
    "session_pool",
    "login",
    "logout",
    "stats",
    "batch",
    "inquiry",
    // Through derives.
    "clone",
    "fmt",
];
