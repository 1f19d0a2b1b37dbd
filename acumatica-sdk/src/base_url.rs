//! Checking an instance URL before anything is sent to it.

use crate::error::{Error, Result};

/// Parses an instance URL, naming the setting in the error.
pub(crate) fn parse_base_url(setting: &str, value: &str) -> Result<url::Url> {
    let url = url::Url::parse(value.trim()).map_err(|e| Error::Config {
        setting: setting.to_owned(),
        // The text is not echoed: it may hold a password (`https://user:pass@...`).
        message: format!("not a URL ({e})"),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config {
            setting: setting.to_owned(),
            message: "the URL carries a user name or password (`user:pass@`); give the \
                      credentials with `credentials(...)` or ACUMATICA_USERNAME / \
                      ACUMATICA_PASSWORD, and the URL without them"
                .to_owned(),
        });
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config {
            setting: setting.to_owned(),
            message: format!("expected an http or https URL, not {:?}", url.scheme()),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config {
            setting: setting.to_owned(),
            message: "the instance URL takes no query or fragment".to_owned(),
        });
    }
    Ok(url)
}
