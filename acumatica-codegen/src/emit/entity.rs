//! One entity file: the struct, its wire mapping, its typed field paths and, for a top-level
//! entity, its endpoint facts and the parameter structs of its actions.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{doc, ident};
use super::{Cx, docs};
use crate::error::Result;
use crate::ir::{Entity, Field, FieldKind};

pub(crate) fn file(cx: &Cx<'_>, e: &Entity) -> Result<TokenStream> {
    let names = &cx.names.entities[&e.name];
    let used = cx
        .usages
        .get(&e.name)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let keys: Vec<&str> = e
        .keys()
        .map(|k| k.fields.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let main = record(
        cx,
        &names.ty,
        &e.name,
        &docs::entity(cx.endpoint, e, used),
        &e.fields,
        &names.fields,
        |wire| names.boxed.contains(wire),
        |wire| keys.contains(&wire),
    )?;
    let field_paths = super::fields::field_set(cx, e)?;
    let top = match &e.top_level {
        Some(_) => top_level(cx, e, &keys)?,
        None => TokenStream::new(),
    };
    let mut params = TokenStream::new();
    if let Some(service) = cx.names.services.get(&e.name) {
        for action in e.actions() {
            let an = &service.actions[&action.name];
            let Some(params_ty) = &an.params_ty else {
                continue;
            };
            let text = format!(
                "Parameters of the `{}` action of [`{}`].\n\nSent as `parameters` in `POST /entity/{}/{}/{}/{}`.",
                action.name, names.ty, cx.endpoint.name, cx.endpoint.version, e.name, action.name
            );
            params.extend(record(
                cx,
                params_ty,
                &action.schema,
                &text,
                &action.parameters,
                &an.param_fields,
                |_| false,
                |_| false,
            )?);
        }
    }
    let custom = super::custom::entity_items(cx, e)?;
    Ok(quote! { #main #top #field_paths #params #custom })
}

/// A struct of fields with its `Entity` impl (the list of its fields) and the one-line impls
/// that hand serde, `Debug` and the JSON schema to the runtime.
#[allow(clippy::too_many_arguments)]
fn record(
    cx: &Cx<'_>,
    ty_name: &str,
    wire_name: &str,
    text: &str,
    fields: &BTreeMap<String, Field>,
    idents: &BTreeMap<String, String>,
    boxed: impl Fn(&str) -> bool,
    is_key: impl Fn(&str) -> bool,
) -> Result<TokenStream> {
    let rt = &cx.rt;
    let (serde, schemars) = (rt.serde(), rt.schemars());
    let (meta, entity_trait, wire_mod) = (rt.entity_meta(), rt.entity_trait(), rt.wire());
    let ty = ident(ty_name)?;
    let doc = doc(text);
    let acronym = (ty_name
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && ty_name.len() > 1)
        .then(|| quote!(#[allow(clippy::upper_case_acronyms)]));

    let mut decls = Vec::new();
    let mut arms = Vec::new();
    let mut visits = Vec::new();
    for (wire, f) in fields {
        let id = ident(&idents[wire])?;
        let fty = field_type(cx, f, boxed(wire))?;
        let fdoc = super::tokens::doc(&docs::field(f, is_key(wire)));
        decls.push(quote! { #fdoc pub #id: #fty, });
        arms.push(quote! { #wire => #wire_mod::read(map, &mut self.#id), });
        visits.push(quote! { visitor.field(#wire, &self.#id); });
    }
    let read_body = if arms.is_empty() {
        quote! { let _ = (name, map); ::core::result::Result::Ok(false) }
    } else {
        quote! {
            match name {
                #(#arms)*
                _ => ::core::result::Result::Ok(false),
            }
        }
    };
    let visit_body = if visits.is_empty() {
        quote! { let _ = visitor; }
    } else {
        quote! { #(#visits)* }
    };

    Ok(quote! {
        #doc
        #acronym
        #[derive(::core::clone::Clone, ::core::default::Default, ::core::cmp::PartialEq)]
        pub struct #ty {
            /// System fields (`id`, `rowNumber`, `note`, `error`, `delete`, `custom`, `files`,
            /// `_links`) and properties the schema does not describe.
            pub meta: #meta,
            #(#decls)*
        }

        impl #entity_trait for #ty {
            const NAME: &'static str = #wire_name;
            fn meta(&self) -> &#meta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut #meta {
                &mut self.meta
            }
            fn read_field<'de, A: #serde::de::MapAccess<'de>>(&mut self, name: &str, map: &mut A) -> ::core::result::Result<bool, A::Error> {
                #read_body
            }
            fn visit_fields<V: #wire_mod::FieldVisitor>(&self, visitor: &mut V) {
                #visit_body
            }
        }

        impl #serde::Serialize for #ty {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                #wire_mod::serialize(self, serializer)
            }
        }

        impl<'de> #serde::Deserialize<'de> for #ty {
            fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                #wire_mod::deserialize(deserializer)
            }
        }

        impl ::core::fmt::Debug for #ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #wire_mod::debug(self, f)
            }
        }

        impl #schemars::JsonSchema for #ty {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#wire_name)
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::core::concat!(::core::module_path!(), "::", #wire_name))
            }
            fn json_schema(generator: &mut #schemars::SchemaGenerator) -> #schemars::Schema {
                #wire_mod::schema::<Self>(generator)
            }
        }
    })
}

fn field_type(cx: &Cx<'_>, f: &Field, boxed: bool) -> Result<TokenStream> {
    let rt = &cx.rt;
    Ok(match &f.kind {
        FieldKind::Value(kind) => {
            let (value, t) = (rt.value(), rt.value_type(*kind));
            quote!(#value<#t>)
        }
        FieldKind::Linked(target) => {
            let t = ident(&cx.names.entities[target].ty)?;
            if boxed {
                quote!(::core::option::Option<::std::boxed::Box<super::#t>>)
            } else {
                quote!(::core::option::Option<super::#t>)
            }
        }
        FieldKind::Detail(target) => {
            let t = ident(&cx.names.entities[target].ty)?;
            quote!(::core::option::Option<::std::vec::Vec<super::#t>>)
        }
        FieldKind::Untyped(_) => {
            let raw = rt.raw_json();
            quote!(::core::option::Option<#raw>)
        }
    })
}

/// `TopLevelEntity` and the `fields()`/`filter()` roots.
fn top_level(cx: &Cx<'_>, e: &Entity, keys: &[&str]) -> Result<TokenStream> {
    let rt = &cx.rt;
    let names = &cx.names.entities[&e.name];
    let (ty, fields_ty) = (ident(&names.ty)?, ident(&names.fields_ty)?);
    let (top, endpoint, query) = (rt.top_level_trait(), rt.endpoint(), rt.query());
    let example_field = e
        .fields
        .keys()
        .next()
        .map(|w| names.fields[w].clone())
        .unwrap_or_default();
    let fields_doc = doc(&format!(
        "Typed paths to the fields of `{}`, for `$filter`, `$select` and `$expand`:\n`{}::fields().{example_field}()`.",
        e.name, names.ty
    ));
    let filter_doc = doc(&format!(
        "The same paths as [`{0}::fields`], named for reading well in filters:\n`{0}::filter().{example_field}().eq(..)`.",
        names.ty
    ));
    Ok(quote! {
        impl #top for #ty {
            const ENDPOINT: #endpoint = super::super::ENDPOINT;
            const KEYS: &'static [&'static str] = &[#(#keys),*];
            type Fields = #fields_ty;
        }

        impl #ty {
            #fields_doc
            pub fn fields() -> #fields_ty {
                <#fields_ty as #query::FieldSet>::at(#query::Path::root())
            }
            #filter_doc
            pub fn filter() -> #fields_ty {
                Self::fields()
            }
        }
    })
}
