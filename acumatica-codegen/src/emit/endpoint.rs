//! The module indexes: the endpoint's root (`ENDPOINT`, the client accessor trait) and the
//! `entities` and `services` indexes.

use proc_macro2::TokenStream;
use quote::quote;

use super::Cx;
use super::tokens::{doc, ident};
use crate::error::Result;

pub(crate) fn root(cx: &Cx<'_>) -> Result<TokenStream> {
    let rt = &cx.rt;
    let ep = cx.endpoint;
    let client = rt.client();
    let (name, version) = (&ep.name, &ep.version);
    let tr = ident(&cx.names.endpoint_trait)?;
    let mut decls = Vec::new();
    let mut impls = Vec::new();
    for e in ep.top_level() {
        let sn = &cx.names.services[&e.name];
        let (acc, sty) = (ident(&sn.accessor)?, ident(&sn.ty)?);
        let what = match (&e.title, &e.screen_id) {
            (Some(t), Some(s)) => format!(": {t} ({s})."),
            (Some(t), None) => format!(": {t}."),
            (None, Some(s)) => format!(" (screen {s})."),
            (None, None) => ".".to_owned(),
        };
        let d = doc(&format!("The `{}` service{what}", e.name));
        let cfg = cx.service_cfg(&e.name);
        decls.push(quote! { #d #cfg fn #acc(&self) -> #sty; });
        impls.push(quote! { #cfg fn #acc(&self) -> #sty { #sty::new(self) } });
    }
    let trait_doc = match ep.top_level().next() {
        Some(first) => doc(&format!(
            "The services of the `{name}/{version}` endpoint on a client: `client.{}()`.\n\n\
             Bring it into scope with `use ...::{} as _;`.",
            cx.names.services[&first.name].accessor, cx.names.endpoint_trait,
        )),
        None => doc(&format!(
            "The services of the `{name}/{version}` endpoint on a client: none, because its \
             schema declares no top-level entities."
        )),
    };
    let (endpoint_const, entities_use) = endpoint_and_entities(cx);
    let reexport_allow = reexport_allow(cx);
    let services_use = (ep.top_level().next().is_some())
        .then(|| quote!(#reexport_allow pub use self::services::*;));
    // In a user's crate the module is usually private and only a few of its services are used:
    // every other item would be dead code, and the glob re-exports unused imports. Those lints
    // are about the user's code, not the generated code, so they are allowed here, for the
    // generated module only (`unreachable_pub` too, for crates that turn it on). Everything else
    // stays on, and the user's own code keeps all of its warnings.
    let user_crate_allow = matches!(cx.settings.runtime, crate::RuntimeCrate::External)
        .then(|| quote!(#![allow(dead_code, unused_imports, unreachable_pub)]));
    // Split in two crates, the entities and `ENDPOINT` come from the entities crate.
    let (entities_mod, endpoint_const) = match &cx.settings.runtime {
        crate::RuntimeCrate::Split { entities_crate } => {
            let krate = ident(entities_crate)?;
            (
                quote!(pub use ::#krate::entities;),
                quote!(pub use ::#krate::ENDPOINT;),
            )
        }
        _ => (
            quote!(
                pub mod entities;
            ),
            endpoint_const,
        ),
    };
    Ok(quote! {
        #user_crate_allow

        #entities_mod
        pub mod services;

        #entities_use
        #services_use

        #endpoint_const

        #trait_doc
        pub trait #tr {
            #(#decls)*
        }

        impl #tr for #client {
            #(#impls)*
        }
    })
}

/// The root of the entities crate of [`RuntimeCrate::Split`](crate::RuntimeCrate::Split): the
/// entities and `ENDPOINT`, nothing that needs the HTTP stack.
pub(crate) fn model_root(cx: &Cx<'_>) -> Result<TokenStream> {
    let (endpoint_const, entities_use) = endpoint_and_entities(cx);
    Ok(quote! {
        pub mod entities;
        #entities_use
        #endpoint_const
    })
}

/// With entity features every entity may be switched off, leaving the re-exports empty.
fn reexport_allow(cx: &Cx<'_>) -> Option<TokenStream> {
    cx.settings
        .entity_features
        .then(|| quote!(#[allow(unused_imports, unreachable_pub)]))
}

/// `pub const ENDPOINT` with its doc, and the glob re-export of the entities (none when there
/// are no entities: a glob that imports nothing is an unused import).
fn endpoint_and_entities(cx: &Cx<'_>) -> (TokenStream, Option<TokenStream>) {
    let endpoint = cx.rt.endpoint();
    let (name, version) = (&cx.endpoint.name, &cx.endpoint.version);
    let ep_doc = doc(&format!(
        "The endpoint these types were generated from: `{name}/{version}`."
    ));
    let allow = reexport_allow(cx);
    (
        quote!(#ep_doc pub const ENDPOINT: #endpoint = #endpoint::new_static(#name, #version);),
        (!cx.endpoint.entities.is_empty()).then(|| quote!(#allow pub use self::entities::*;)),
    )
}

pub(crate) fn entities_index(cx: &Cx<'_>) -> Result<TokenStream> {
    let mut items = Vec::new();
    for (name, en) in &cx.names.entities {
        let m = ident(&en.module)?;
        let mut exported = vec![ident(&en.ty)?, ident(&en.fields_ty)?];
        if let Some(sn) = cx.names.services.get(name) {
            let workflow = sn.workflow.values().map(|w| &w.params_ty);
            for p in sn
                .actions
                .values()
                .map(|a| &a.params_ty)
                .chain(workflow)
                .flatten()
            {
                exported.push(ident(p)?);
            }
        }
        let cfg = cx.entity_cfg(name);
        items.push(quote! { #cfg mod #m; #cfg pub use self::#m::{#(#exported),*}; });
    }
    Ok(quote!(#(#items)*))
}

pub(crate) fn services_index(cx: &Cx<'_>) -> Result<TokenStream> {
    let mut items = Vec::new();
    for (name, sn) in &cx.names.services {
        let (m, ty) = (ident(&sn.module)?, ident(&sn.ty)?);
        let cfg = cx.service_cfg(name);
        items.push(quote! { #cfg mod #m; #cfg pub use self::#m::#ty; });
    }
    Ok(quote!(#(#items)*))
}
