//! Small token helpers: identifiers that cannot panic, and doc attributes.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::error::{Error, Result};

/// An identifier from a name the naming module produced; an internal error (not a panic) if it
/// is somehow not a valid identifier.
pub(crate) fn ident(name: &str) -> Result<Ident> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !crate::naming::is_keyword(name);
    if valid {
        Ok(Ident::new(name, Span::call_site()))
    } else {
        Err(Error::Emit {
            file: "(identifier)".into(),
            message: format!("{name:?} is not a valid identifier"),
        })
    }
}

/// `#[doc = " line"]` attributes, one per line, so prettyplease prints them as `/// line`.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote!(#( #[doc = #lines] )*)
}

/// `#![doc = " line"]` attributes for a file's header.
pub(crate) fn inner_doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote!(#( #![doc = #lines] )*)
}
