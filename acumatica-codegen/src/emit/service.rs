//! One service file: a thin typed shim over the runtime's generic `EntityService`, adding only
//! the entity's named actions (each with its `_batch` twin).

use proc_macro2::TokenStream;
use quote::quote;

use super::Cx;
use super::tokens::{doc, ident};
use crate::error::Result;
use crate::ir::Entity;

pub(crate) fn file(cx: &Cx<'_>, e: &Entity) -> Result<TokenStream> {
    let rt = &cx.rt;
    let en = &cx.names.entities[&e.name];
    let sn = &cx.names.services[&e.name];
    let (service, client) = (rt.entity_service(), rt.client());
    let ty = ident(&sn.ty)?;
    let entity = ident(&en.ty)?;
    let title = e
        .title
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let struct_doc = doc(&format!(
        "Service for [`{entity}`](super::super::entities::{entity}){title}: `client.{}()`.\n\n\
         The standard operations (`get_list`, `get_by_id`, `get_by_keys`, `put_entity`, `delete_by_id`, \
         `put_file`, `get_ad_hoc_schema`, ... each with a `_batch` twin) come from the generic \
         [`EntityService`]({}) this type dereferences to; the entity's named actions are below.",
        sn.accessor,
        if !matches!(cx.settings.runtime, crate::RuntimeCrate::External) {
            "crate::service::EntityService"
        } else {
            "acumatica_sdk::service::EntityService"
        },
    ));

    let no_params = rt.no_parameters();
    let mut methods = Vec::new();
    for action in e.actions() {
        let an = &sn.actions[&action.name];
        let name = &action.name;
        let value = match an.params_ty {
            Some(_) => quote!(::core::option::Option::Some(parameters)),
            None => quote!(::core::option::Option::None::<&#no_params>),
        };
        methods.push(action_methods(
            cx,
            e,
            ActionDoc {
                what: "action",
                source: "",
                name,
            },
            &an.method,
            an.params_ty.as_deref(),
            quote!(self.0.invoke_action_batch(#name, entity, #value)),
        )?);
    }
    methods.extend(super::custom::workflow_methods(cx, e)?);
    let new_doc = doc(&format!(
        "The service on `client`; usually reached as `client.{}()`.",
        sn.accessor
    ));
    Ok(quote! {
        #struct_doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        pub struct #ty(#service<super::super::entities::#entity>);

        impl #ty {
            #new_doc
            pub fn new(client: &#client) -> Self {
                Self(#service::new(client))
            }
            #(#methods)*
        }

        impl ::core::ops::Deref for #ty {
            type Target = #service<super::super::entities::#entity>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }
    })
}

/// What an action method's docs say: `what` (`action`, `workflow action`), where it comes from
/// (a sentence, or nothing) and its name.
pub(crate) struct ActionDoc<'a> {
    pub(crate) what: &'a str,
    pub(crate) source: &'a str,
    pub(crate) name: &'a str,
}

/// An action's two methods: `method(&self, entity[, parameters])`, which runs the deferred call,
/// and `method_batch`, whose body is `call` (with `entity` and, when the action has a
/// parameters struct `params_ty`, `parameters` in scope).
pub(crate) fn action_methods(
    cx: &Cx<'_>,
    e: &Entity,
    d: ActionDoc<'_>,
    method: &str,
    params_ty: Option<&str>,
    call: TokenStream,
) -> Result<TokenStream> {
    let (batch_call, result) = (cx.rt.batch_call(), cx.rt.result());
    let entity = ident(&cx.names.entities[&e.name].ty)?;
    let (m, m_batch) = (ident(method)?, ident(&format!("{method}_batch"))?);
    let (what, name) = (d.what, d.name);
    let url = format!(
        "POST /entity/{}/{}/{}/{name}",
        cx.endpoint.name, cx.endpoint.version, e.name
    );
    let run_doc = doc(&format!(
        "Runs the `{name}` {what} on `entity` ({url}); only its key fields or ID are needed.{}\n\n\
         Waits for a long-running action to finish (202, then polling its status).",
        d.source
    ));
    let batch_doc = doc(&format!(
        "The `{name}` {what} as a deferred call, for a batch; see [`Self::{method}`]."
    ));
    let (params_in, params_arg) = match params_ty {
        Some(p) => {
            let p = ident(p)?;
            (
                quote!(, parameters: &super::super::entities::#p),
                quote!(, parameters),
            )
        }
        None => (quote!(), quote!()),
    };
    Ok(quote! {
        #run_doc
        pub async fn #m(&self, entity: &super::super::entities::#entity #params_in) -> #result<()> {
            self.0.execute(self.#m_batch(entity #params_arg)).await
        }
        #batch_doc
        pub fn #m_batch(&self, entity: &super::super::entities::#entity #params_in) -> #batch_call<()> {
            #call
        }
    })
}
