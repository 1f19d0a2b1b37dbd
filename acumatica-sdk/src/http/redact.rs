//! What of an answer's body may be shown: every excerpt in an error or a log line comes from
//! [`excerpt`], which hides the values of credential-like fields first.
//!
//! A token answer that does not decode, a sign-in page echoing a form, or a proxy's error page
//! may carry tokens, passwords or cookies; an error message ends up in logs and bug reports.

/// Field names whose values are credentials, compared without regard to case. `code` is an
/// authorization code; the cookie names are those an Acumatica sign-in sets.
const SENSITIVE: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "password",
    "code",
    "code_verifier",
    ".aspxauth",
    "asp.net_sessionid",
    "authorization",
    "cookie",
    "set-cookie",
];

/// What replaces a hidden value.
pub(crate) const REDACTED: &str = "<redacted>";

/// How much of a body is examined for an excerpt.
const SCAN: usize = 4096;
/// How many characters an excerpt keeps.
const KEEP: usize = 200;

/// The first characters of a body, with credential-like values hidden and control characters
/// escaped, for messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(SCAN)];
    // As text, not as parsed JSON: a truncated or malformed body is hidden the same way, and
    // the excerpt keeps the body's own order.
    let hidden = redact_text(&String::from_utf8_lossy(head));
    let mut out = printable(&hidden);
    if out.chars().count() > KEEP || body.len() > SCAN {
        out = out.chars().take(KEEP).collect();
        out.push('…');
    }
    out
}

/// `text` with control characters escaped and at most 200 characters (for header values such
/// as `Location`, which a hostile server may fill with anything).
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == KEEP * 2 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a field of this name holds a credential.
pub(crate) fn is_sensitive(name: &str) -> bool {
    SENSITIVE.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// A server's message with credential-like values hidden (no length limit).
pub(crate) fn hide(text: &str) -> String {
    redact_text(text)
}

/// Hides `name=value`, `name: value`, `"name":"value"` and `Bearer value` in any text (a form,
/// a truncated JSON, an HTML page). A value ends at its closing quote, or unquoted at `&`, `;`,
/// `,`, `}`, `]` or white space; an unterminated one runs to the end.
fn redact_text(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    // (start, end) byte ranges of values to hide.
    let mut hide: Vec<(usize, usize)> = Vec::new();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-';
    for name in SENSITIVE.iter().chain(["bearer"].iter()) {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(name) {
            let start = from + pos;
            let end = start + name.len();
            from = end;
            if start > 0 && word(bytes[start - 1]) || end < bytes.len() && word(bytes[end]) {
                continue;
            }
            let mut i = end;
            if bytes.get(i) == Some(&b'"') || bytes.get(i) == Some(&b'\'') {
                i += 1;
            }
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let bearer = *name == "bearer";
            if !bearer {
                match bytes.get(i) {
                    Some(b':' | b'=') => i += 1,
                    _ => continue,
                }
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
            }
            let quote = match bytes.get(i) {
                Some(q @ (b'"' | b'\'')) => {
                    i += 1;
                    Some(*q)
                }
                _ => None,
            };
            let value_start = i;
            while let Some(&b) = bytes.get(i) {
                let stop = match quote {
                    Some(q) => b == q,
                    None => {
                        matches!(b, b'&' | b';' | b',' | b'}' | b']') || b.is_ascii_whitespace()
                    }
                };
                if stop {
                    break;
                }
                i += 1;
            }
            if i > value_start {
                hide.push((value_start, i));
            }
        }
    }
    hide.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in hide {
        if start < at {
            continue;
        }
        // Byte positions found through ASCII names: both ends sit on character boundaries.
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0";
    const REFRESH: &str = "8xLOxBtZp8";

    #[test]
    fn json_fields_are_hidden_at_any_depth() {
        let body = format!(
            r#"{{"access_token":"{TOKEN}","expires_in":{{"x":1}},"nested":[{{"Refresh_Token":"{REFRESH}"}}],"token_type":"Bearer"}}"#
        );
        let e = excerpt(body.as_bytes());
        assert!(!e.contains(TOKEN) && !e.contains(REFRESH), "{e}");
        assert!(e.contains("expires_in") && e.contains(REDACTED), "{e}");
    }

    #[test]
    fn truncated_json_forms_and_headers_are_hidden() {
        for body in [
            format!(r#"{{"access_token": "{TOKEN}", "refresh_token":"{REFRESH}"#),
            format!(r#"{{"access_token":"{TOKEN}"#),
            format!("grant_type=refresh_token&refresh_token={REFRESH}&client_secret={TOKEN}"),
            format!("Authorization: Bearer {TOKEN}\r\nCookie: .ASPXAUTH={REFRESH}; x=1"),
            format!("<p>password='{TOKEN}' code={REFRESH}</p>"),
        ] {
            let e = excerpt(body.as_bytes());
            assert!(!e.contains(TOKEN) && !e.contains(REFRESH), "{body} -> {e}");
        }
    }

    #[test]
    fn a_long_body_is_cut_after_hiding() {
        let body = format!(
            r#"{{"access_token":"{TOKEN}","padding":"{}"}}"#,
            "x".repeat(300)
        );
        let e = excerpt(body.as_bytes());
        assert!(!e.contains(TOKEN) && !e.contains("eyJ"), "{e}");
        assert!(e.ends_with('…') && e.chars().count() == KEEP + 1, "{e}");
        let huge = format!("{}\"access_token\":\"{TOKEN}\"", " ".repeat(SCAN - 20));
        assert!(!excerpt(huge.as_bytes()).contains("eyJhbGci"));
    }

    #[test]
    fn ordinary_text_is_kept() {
        let body = r#"{"message":"An error has occurred.","exceptionMessage":"Barcode=12 is not a password policy"}"#;
        assert_eq!(excerpt(body.as_bytes()), body);
        assert_eq!(printable("a\r\nb\u{1b}"), "a\\r\\nb\\u{1b}");
    }
}
