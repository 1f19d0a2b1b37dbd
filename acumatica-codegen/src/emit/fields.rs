//! The typed field paths of an entity (`CustomerFields`): one small method per field.

use proc_macro2::TokenStream;
use quote::quote;

use super::Cx;
use super::tokens::{doc, ident};
use crate::error::Result;
use crate::ir::{Entity, FieldKind};

/// Names of the standard methods that take only `&self`, as the field methods do: clippy's
/// `should_implement_trait` flags those, and `new_ret_no_self` flags `new`.
const STD_METHODS: &[&str] = &["as_ref", "borrow", "clone", "deref", "new"];

pub(crate) fn field_set(cx: &Cx<'_>, e: &Entity) -> Result<TokenStream> {
    let names = &cx.names.entities[&e.name];
    let query = cx.rt.query();
    let ty = ident(&names.fields_ty)?;
    let struct_doc = doc(&format!(
        "Typed paths to the fields of [`{}`], for `$filter`, `$select` and `$expand`.",
        names.ty
    ));
    let mut methods = Vec::new();
    for (wire, f) in &e.fields {
        let m = ident(&names.fields[wire])?;
        let (ret, body, text) = match &f.kind {
            FieldKind::Value(kind) => {
                let t = cx.rt.value_type(*kind);
                (
                    quote!(#query::Field<#t>),
                    quote!(#query::Field::at(self.0.child(#wire))),
                    format!("`{wire}` ({}).", kind.wrapper_name()),
                )
            }
            FieldKind::Linked(target) => {
                let t = ident(&cx.names.entities[target].fields_ty)?;
                (
                    quote!(super::#t),
                    quote!(<super::#t as #query::FieldSet>::at(self.0.child(#wire))),
                    format!(
                        "`{wire}`: the linked `{target}`; pass it to `expand`, or go on to its fields."
                    ),
                )
            }
            FieldKind::Detail(target) => {
                let t = ident(&cx.names.entities[target].fields_ty)?;
                (
                    quote!(#query::Detail<super::#t>),
                    quote!(#query::Detail::at(self.0.child(#wire))),
                    format!("`{wire}`: detail lines of `{target}`; pass it to `expand`."),
                )
            }
            FieldKind::Untyped(_) => (
                quote!(#query::Field<#query::Any>),
                quote!(#query::Field::at(self.0.child(#wire))),
                format!("`{wire}` (untyped)."),
            ),
        };
        let d = doc(&text);
        methods.push(quote! { #d pub fn #m(&self) -> #ret { #body } });
    }
    methods.extend(super::custom::field_path_methods(cx, e)?);
    // Field names such as `FromWarehouseID` read like conversions to clippy, and `Clone` or `New`
    // like the standard methods; the names are the schema's.
    let std_like = e
        .fields
        .keys()
        .any(|w| STD_METHODS.contains(&names.fields[w].as_str()));
    let std_allow =
        std_like.then(|| quote!(#[allow(clippy::should_implement_trait, clippy::new_ret_no_self)]));
    let inherent = (!methods.is_empty()).then(|| {
        quote! {
            #[allow(clippy::wrong_self_convention)]
            #std_allow
            impl #ty {
                #(#methods)*
            }
        }
    });
    Ok(quote! {
        #struct_doc
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        pub struct #ty(#query::Path);

        impl #query::FieldSet for #ty {
            fn at(path: #query::Path) -> Self {
                Self(path)
            }
            fn path(&self) -> &#query::Path {
                &self.0
            }
        }

        #inherent
    })
}
