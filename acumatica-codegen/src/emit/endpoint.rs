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
    let (endpoint, client) = (rt.endpoint(), rt.client());
    let (name, version) = (&ep.name, &ep.version);
    let tr = ident(&cx.names.endpoint_trait)?;
    let mut decls = Vec::new();
    let mut impls = Vec::new();
    for e in ep.top_level() {
        let sn = &cx.names.services[&e.name];
        let (acc, sty) = (ident(&sn.accessor)?, ident(&sn.ty)?);
        let what = match (&e.title, &e.screen_id) {
            (Some(t), Some(s)) => format!(" {t} ({s})."),
            (Some(t), None) => format!(" {t}."),
            _ => String::new(),
        };
        let d = doc(&format!("The `{}` service:{what}", e.name));
        let cfg = cx.service_cfg(&e.name);
        decls.push(quote! { #d #cfg fn #acc(&self) -> #sty; });
        impls.push(quote! { #cfg fn #acc(&self) -> #sty { #sty::new(self) } });
    }
    let trait_doc = doc(&format!(
        "The services of the `{name}/{version}` endpoint on a client: `client.{}()`.\n\n\
         Bring it into scope with `use ...::{};` (the SDK's prelude does for the built-in endpoint).",
        ep.top_level()
            .next()
            .map(|e| cx.names.services[&e.name].accessor.as_str())
            .unwrap_or("service"),
        cx.names.endpoint_trait,
    ));
    let ep_doc = doc(&format!(
        "The endpoint these types were generated from: `{name}/{version}`."
    ));
    // With entity features, every entity may be switched off, leaving the re-exports empty.
    let reexport_allow = cx
        .settings
        .entity_features
        .then(|| quote!(#[allow(unused_imports, unreachable_pub)]));
    Ok(quote! {
        pub mod entities;
        pub mod services;

        #reexport_allow
        pub use self::entities::*;
        #reexport_allow
        pub use self::services::*;

        #ep_doc
        pub const ENDPOINT: #endpoint = #endpoint::new_static(#name, #version);

        #trait_doc
        pub trait #tr {
            #(#decls)*
        }

        impl #tr for #client {
            #(#impls)*
        }
    })
}

pub(crate) fn entities_index(cx: &Cx<'_>) -> Result<TokenStream> {
    let mut items = Vec::new();
    for (name, en) in &cx.names.entities {
        let m = ident(&en.module)?;
        let mut exported = vec![ident(&en.ty)?, ident(&en.fields_ty)?];
        if let Some(sn) = cx.names.services.get(name) {
            for an in sn.actions.values() {
                if let Some(p) = &an.params_ty {
                    exported.push(ident(p)?);
                }
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
