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
    let lines = doc_lines(text);
    quote!(#( #[doc = #lines] )*)
}

/// `#![doc = " line"]` attributes for a file's header.
pub(crate) fn inner_doc(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote!(#( #![doc = #lines] )*)
}

/// The lines of a doc comment, made safe to print as `///` lines whatever names, titles and
/// descriptions the schema put into `text`:
///
/// - lines end at `\n` or `\r\n`; other control characters (a bare `\r` is an error in a doc
///   comment) and the Unicode direction controls (`text_direction_codepoint_in_comment`,
///   "Trojan Source") are written as `\u{..}`;
/// - no line can open a Markdown code block, which rustdoc would compile and run as a doctest:
///   leading and repeated spaces are dropped (indented code) and runs of three or more backticks
///   or tildes are backslash-escaped (fences);
/// - no line starts a list, quote or heading (a leading `-`, `+`, `*`, `>`, `#`, `=`, `1.` or
///   `1)` is backslash-escaped, which renders the same), so free text from the schema cannot
///   nest a code block in a list or trip clippy's Markdown lints.
fn doc_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = sanitize_doc_line(line);
            if line.is_empty() {
                line
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

fn sanitize_doc_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_control() || is_direction_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
            i += 1;
        } else if c == ' ' {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            i += 1;
        } else if c == '`' || c == '~' {
            let run = chars[i..].iter().take_while(|&&d| d == c).count();
            for _ in 0..run {
                if run >= 3 {
                    out.push('\\');
                }
                out.push(c);
            }
            i += run;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.truncate(out.trim_end_matches(' ').len());
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    let block_marker = out.starts_with(['-', '+', '*', '>', '#', '='])
        || (digits > 0 && out[digits..].starts_with(['.', ')']));
    if block_marker {
        out.insert(digits, '\\');
    }
    out
}

/// Characters that change the visible direction of text.
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_are_inert() {
        assert_eq!(
            doc_lines("Plain `code`.\n\nNext."),
            [" Plain `code`.", "", " Next."]
        );
        assert_eq!(doc_lines("    indented();"), [" indented();"]);
        assert_eq!(doc_lines("-     in a list"), [" \\- in a list"]);
        assert_eq!(doc_lines("12. item"), [" 12\\. item"]);
        assert_eq!(doc_lines("# Heading"), [" \\# Heading"]);
        assert_eq!(doc_lines("```rust"), [" \\`\\`\\`rust"]);
        assert_eq!(doc_lines("> ~~~~"), [" \\> \\~\\~\\~\\~"]);
        assert_eq!(
            doc_lines("a\rb\tc\u{202e}d"),
            [" a\\u{d}b\\u{9}c\\u{202e}d"]
        );
    }
}
