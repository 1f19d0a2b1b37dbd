//! What the tenant's `$adHocSchema` adds to an entity file and a service file: a key constant
//! per custom field (`Customer::USR_LOYALTY_TIER`), a field-path method per custom field
//! (`Customer::fields().usr_loyalty_tier()`), and a typed method with its `_batch` twin and its
//! parameters struct per workflow action. Without an `$adHocSchema` nothing here emits a token.

use proc_macro2::TokenStream;
use quote::quote;

use super::Cx;
use super::tokens::{doc, ident};
use crate::error::Result;
use crate::ir::{CustomField, Entity};

/// The key constants of an entity's custom fields, and the parameters structs of its workflow
/// actions.
pub(crate) fn entity_items(cx: &Cx<'_>, e: &Entity) -> Result<TokenStream> {
    let names = &cx.names.entities[&e.name];
    let ty = ident(&names.ty)?;
    let key = cx.rt.custom_key();
    let mut consts = Vec::new();
    for (k, f) in &e.custom_fields {
        let n = &names.custom[k];
        let c = ident(&n.constant)?;
        let t = cx.rt.value_type(f.kind);
        let (view, field) = (&f.view, &f.field);
        let text = format!(
            "{}\n\nRead it with `{ty}::{}.get(&record)`, write it with `{ty}::{}.set(&mut record, value)`; \
             ask for it with `$custom` through the field path `{}()`.",
            describe(f),
            n.constant,
            n.constant,
            n.method
        );
        let d = doc(&text);
        consts.push(quote! { #d pub const #c: #key<Self, #t> = #key::new(#view, #field); });
    }
    let mut out = TokenStream::new();
    if !consts.is_empty() {
        out.extend(quote! { impl #ty { #(#consts)* } });
    }
    if let Some(service) = cx.names.services.get(&e.name) {
        for action in e.workflow_actions() {
            let an = &service.workflow[&action.name];
            let Some(params_ty) = &an.params_ty else {
                continue;
            };
            out.extend(parameters(
                cx,
                e,
                &action.name,
                params_ty,
                action.parameters.values(),
                |k| &an.params[k],
            )?);
        }
    }
    Ok(out)
}

/// The parameters struct of a workflow action and its `CustomParameters` impl.
fn parameters<'a>(
    cx: &Cx<'_>,
    e: &Entity,
    action: &str,
    params_ty: &str,
    fields: impl Iterator<Item = &'a CustomField>,
    field_ident: impl Fn(&(String, String)) -> &'a String,
) -> Result<TokenStream> {
    let rt = &cx.rt;
    let (custom_fields, custom_parameters, put) =
        (rt.custom_fields(), rt.custom_parameters(), rt.put_custom());
    let ty = ident(params_ty)?;
    let entity_ty = &cx.names.entities[&e.name].ty;
    let struct_doc = doc(&format!(
        "Parameters of the workflow action `{action}` of [`{entity_ty}`], from the tenant's \
         `$adHocSchema`.\n\nSent as `parameters.custom` in `POST /entity/{}/{}/{}/{action}`; only \
         the parameters that are `Some` are sent.",
        cx.endpoint.name, cx.endpoint.version, e.name
    ));
    let mut decls = Vec::new();
    let mut puts = Vec::new();
    for f in fields {
        let id = ident(field_ident(&(f.view.clone(), f.field.clone())))?;
        let t = rt.value_type(f.kind);
        let d = doc(&format!("`{}.{}` ({}).", f.view, f.field, f.type_name()));
        let (view, field) = (&f.view, &f.field);
        decls.push(quote! { #d pub #id: ::core::option::Option<#t>, });
        puts.push(quote! { #put(&mut out, #view, #field, &self.#id); });
    }
    Ok(quote! {
        #struct_doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::default::Default, ::core::cmp::PartialEq)]
        pub struct #ty {
            #(#decls)*
        }

        impl #custom_parameters for #ty {
            fn custom_fields(&self) -> #custom_fields {
                let mut out = #custom_fields::new();
                #(#puts)*
                out
            }
        }
    })
}

/// The field-path methods of an entity's custom fields (inside its `...Fields` impl).
pub(crate) fn field_path_methods(cx: &Cx<'_>, e: &Entity) -> Result<Vec<TokenStream>> {
    let names = &cx.names.entities[&e.name];
    let query = cx.rt.query();
    let ty = ident(&names.ty)?;
    let mut methods = Vec::new();
    for (k, f) in &e.custom_fields {
        let n = &names.custom[k];
        let (m, c) = (ident(&n.method)?, ident(&n.constant)?);
        let t = cx.rt.value_type(f.kind);
        let filter = if matches!(
            f.kind,
            crate::ir::ValueKind::String
                | crate::ir::ValueKind::Decimal
                | crate::ir::ValueKind::DateTime
        ) {
            format!(
                " and filter on it (`cf.{}`)",
                f.kind.wrapper_name().trim_end_matches("Value")
            )
        } else {
            String::new()
        };
        let d = doc(&format!(
            "`{}.{}` ({}), a custom field: pass it to `QueryOptions::custom` to have it returned{filter}.",
            f.view,
            f.field,
            f.type_name()
        ));
        methods.push(quote! {
            #d pub fn #m(&self) -> #query::CustomPath<#t> { #query::CustomPath::at(&self.0, #ty::#c) }
        });
    }
    Ok(methods)
}

/// The methods of a service for its entity's workflow actions, each with its `_batch` twin.
pub(crate) fn workflow_methods(cx: &Cx<'_>, e: &Entity) -> Result<Vec<TokenStream>> {
    let no_params = cx.rt.no_parameters();
    let sn = &cx.names.services[&e.name];
    let mut methods = Vec::new();
    for action in e.workflow_actions() {
        let an = &sn.workflow[&action.name];
        let name = &action.name;
        let call = match an.params_ty {
            Some(_) => quote!(self.0.invoke_workflow_action_batch(#name, entity, parameters)),
            None => quote!(self.0.invoke_action_batch(
                #name, entity, ::core::option::Option::None::<&#no_params>
            )),
        };
        methods.push(super::service::action_methods(
            cx,
            e,
            super::service::ActionDoc {
                what: "workflow action",
                source: " From the tenant's `$adHocSchema`.",
                name,
            },
            &an.method,
            an.params_ty.as_deref(),
            call,
        )?);
    }
    Ok(methods)
}

/// `` `CurrentCustomer.UsrLoyaltyTier` (CustomStringField), a custom field of the tenant. ``
fn describe(f: &CustomField) -> String {
    let what = if f.field.starts_with("Attribute") {
        "a user-defined attribute"
    } else {
        "a custom field"
    };
    format!(
        "`{}.{}` ({}), {what} of the tenant.",
        f.view,
        f.field,
        f.type_name()
    )
}
