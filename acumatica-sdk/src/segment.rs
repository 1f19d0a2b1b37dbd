//! One URL path segment from a value a user gave (a key, an action, a file name, a tenant):
//! percent-encoded, and refused when no encoding can keep it from addressing another resource.
//!
//! - `.` and `..` are dot segments: every URL parser (and IIS) resolves them, encoded (`%2E`)
//!   or not, so `DELETE /Customer/../Vendor/V001` would delete a vendor.
//! - An empty value makes `//`, which servers collapse.
//! - In a key, `/` and `|` are Acumatica's key separators (§ "Key segments" of the contract
//!   API: "if the value of a key field contains a slash, you need to refer to a record by its
//!   entity ID"); IIS decodes `%2F` before routing, so no encoding keeps them one key.
//! - Everything else outside `A-Z a-z 0-9 - . _ ~` is percent-encoded: `%`, `?`, `#`, `;`, `\`,
//!   white space, control characters, non-ASCII.

use crate::error::Error;

/// What a segment is, for the error message and the rules that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A key value of a record.
    Key,
    /// An action name.
    Action,
    /// An attached file's name.
    FileName,
    /// Another name placed in a path (a tenant, an inquiry).
    Name,
}

impl Segment {
    fn what(self) -> &'static str {
        match self {
            Segment::Key => "key",
            Segment::Action => "action name",
            Segment::FileName => "file name",
            Segment::Name => "name",
        }
    }
}

const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` as one path segment, or [`Error::InvalidRequest`] naming the value's role.
pub(crate) fn segment(value: &str, kind: Segment) -> Result<String, Error> {
    let refuse = |message: String| {
        Err(Error::InvalidRequest {
            what: kind.what().to_owned(),
            message,
        })
    };
    if value.is_empty() {
        return refuse("is empty".to_owned());
    }
    if value == "." || value == ".." {
        return refuse(format!(
            "{value:?} is a relative path segment, which would address another resource"
        ));
    }
    let separators: &[char] = match kind {
        Segment::Key => &['/', '|'],
        Segment::FileName => &['/', '\\'],
        Segment::Action | Segment::Name => &['/'],
    };
    if let Some(c) = value.chars().find(|c| separators.contains(c)) {
        let hint = match kind {
            Segment::Key => {
                "Acumatica reads it as a key separator; address the record by its entity ID \
                 (get_by_id with the record's id) or find it with a $filter on the key field"
            }
            _ => "it would be read as a path separator",
        };
        return refuse(format!(
            "{} contains {c:?}: {hint}",
            crate::http::printable(value)
        ));
    }
    Ok(percent_encoding::utf8_percent_encode(value, UNRESERVED).to_string())
}

/// Key values joined as `/k1/k2` (the shape `GET /SalesOrder/SO/000123` takes).
pub(crate) fn keys<S: AsRef<str>>(values: &[S]) -> Result<String, Error> {
    if values.is_empty() {
        return Err(Error::InvalidRequest {
            what: "key".into(),
            message: "no key values given".into(),
        });
    }
    let mut out = String::new();
    for v in values {
        out.push('/');
        out.push_str(&segment(v.as_ref(), Segment::Key)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_would_move_the_path_are_refused() {
        for bad in ["", ".", "..", "a/b", "SO|000123"] {
            assert!(
                matches!(
                    segment(bad, Segment::Key),
                    Err(Error::InvalidRequest { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(keys::<&str>(&[]).is_err());
        assert!(segment("..\\x", Segment::FileName).is_err());
    }

    #[test]
    fn everything_else_is_one_encoded_segment() {
        let cases = [
            ("C001", "C001"),
            ("...", "..."),
            (".x", ".x"),
            ("a\\b", "a%5Cb"),
            ("100%", "100%25"),
            ("a?b#c;d", "a%3Fb%23c%3Bd"),
            ("%2e%2e", "%252e%252e"),
            ("two words\r\n", "two%20words%0D%0A"),
            ("Zoë", "Zo%C3%AB"),
        ];
        for (value, want) in cases {
            assert_eq!(segment(value, Segment::Key).unwrap(), want, "{value:?}");
        }
        let long = "x".repeat(10_000);
        assert_eq!(segment(&long, Segment::Key).unwrap(), long);
        assert_eq!(keys(&["SO", "000123"]).unwrap(), "/SO/000123");
    }

    #[test]
    fn an_encoded_segment_survives_url_parsing_unchanged() {
        // What reqwest does with the path: WHATWG parsing, which resolves dot segments.
        for value in ["...", "a\\b", "%2e", "x%2F", "a b", "\u{0}", "#", "?"] {
            let seg = segment(value, Segment::Key).unwrap();
            let url = url::Url::parse(&format!("http://h/entity/D/1/Customer/{seg}")).unwrap();
            assert_eq!(
                url.path(),
                format!("/entity/D/1/Customer/{seg}"),
                "{value:?}"
            );
            assert!(url.query().is_none() && url.fragment().is_none());
        }
    }
}
