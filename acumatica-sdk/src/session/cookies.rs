//! The cookies of one session, kept by hand so that many sessions can share one connection pool
//! (reqwest's cookie store belongs to a whole `reqwest::Client`).

use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};

/// Cookie name → value, in the order they were set, and the `Cookie` header they make (built
/// when they change, not for every request).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct CookieJar(Vec<(String, String)>, Option<HeaderValue>);

impl std::fmt::Debug for CookieJar {
    /// Names only: the values are credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

impl CookieJar {
    /// Takes in every `Set-Cookie` of an answer; an empty value or `Max-Age=0` deletes.
    pub(crate) fn absorb(&mut self, headers: &HeaderMap) {
        let mut changed = false;
        for v in headers.get_all(SET_COOKIE) {
            changed = true;
            let Ok(text) = v.to_str() else { continue };
            let mut parts = text.split(';');
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            let expired = parts.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0"
                    || a.starts_with("expires=thu, 01-jan-1970")
                    || a.starts_with("expires=thu, 01 jan 1970")
            });
            self.0.retain(|(n, _)| n != name);
            if !value.is_empty() && !expired {
                self.0.push((name.to_owned(), value.to_owned()));
            }
        }
        if changed {
            self.1 = self.build();
        }
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
        self.1 = None;
    }

    /// The `Cookie` header, if there are cookies.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        self.1.clone()
    }

    fn build(&self) -> Option<HeaderValue> {
        if self.0.is_empty() {
            return None;
        }
        let text = self
            .0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut value = HeaderValue::from_str(&text).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_updates_and_deletes() {
        let mut jar = CookieJar::default();
        let mut h = HeaderMap::new();
        h.append(
            SET_COOKIE,
            HeaderValue::from_static(".ASPXAUTH=ABC; path=/; HttpOnly"),
        );
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("ASP.NET_SessionId=s1; path=/; HttpOnly"),
        );
        jar.absorb(&h);
        let mut h2 = HeaderMap::new();
        h2.append(
            SET_COOKIE,
            HeaderValue::from_static("ASP.NET_SessionId=s2; path=/"),
        );
        h2.append(
            SET_COOKIE,
            HeaderValue::from_static(".ASPXAUTH=; expires=Thu, 01-Jan-1970 00:00:00 GMT; path=/"),
        );
        jar.absorb(&h2);
        assert_eq!(
            jar.header().unwrap().to_str().unwrap(),
            "ASP.NET_SessionId=s2"
        );
        assert_eq!(format!("{jar:?}"), "[\"ASP.NET_SessionId\"]");
    }
}
