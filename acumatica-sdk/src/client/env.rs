//! `AcumaticaClient::from_env`: settings from `ACUMATICA_*` variables and a `.env` file.

use std::collections::BTreeMap;

use super::{ClientBuilder, Credentials};
use crate::error::{Error, Result};

/// The variables the client reads.
pub(crate) const VARIABLES: &[&str] = &[
    "ACUMATICA_URL",
    "ACUMATICA_USERNAME",
    "ACUMATICA_PASSWORD",
    "ACUMATICA_TENANT",
    "ACUMATICA_BRANCH",
    "ACUMATICA_LOCALE",
    "ACUMATICA_ENDPOINT",
    "ACUMATICA_VERSION",
];

/// The `ACUMATICA_*` variables: a `.env` file's, overridden by the process environment's.
#[derive(Default)]
pub(crate) struct ProcessEnv(BTreeMap<String, String>);

impl ProcessEnv {
    pub(crate) fn load() -> Self {
        let mut vars = BTreeMap::new();
        if let Ok(iter) = dotenvy::dotenv_iter() {
            for (k, v) in iter.flatten() {
                if VARIABLES.contains(&k.as_str()) {
                    vars.insert(k, v);
                }
            }
        }
        for k in VARIABLES {
            if let Ok(v) = std::env::var(k) {
                vars.insert((*k).to_owned(), v);
            }
        }
        ProcessEnv(vars)
    }

    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        ProcessEnv(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    fn require(&self, name: &str, what: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| Error::Config {
            setting: name.to_owned(),
            message: format!("not set ({what})"),
        })
    }
}

pub(crate) fn builder_from_env(env: &ProcessEnv) -> Result<ClientBuilder> {
    let url = env.require(
        "ACUMATICA_URL",
        "the instance URL, e.g. https://tenant.acumatica.com",
    )?;
    crate::base_url::parse_base_url("ACUMATICA_URL", url)?;
    let username = env.require("ACUMATICA_USERNAME", "the user to sign in as")?;
    let password = env.require("ACUMATICA_PASSWORD", "the user's password")?;
    let mut creds = Credentials::new(username, password);
    creds.tenant = env.get("ACUMATICA_TENANT").map(str::to_owned);
    creds.branch = env.get("ACUMATICA_BRANCH").map(str::to_owned);
    creds.locale = env.get("ACUMATICA_LOCALE").map(str::to_owned);
    let mut builder = ClientBuilder::default().base_url(url).credentials(creds);
    match (env.get("ACUMATICA_ENDPOINT"), env.get("ACUMATICA_VERSION")) {
        (Some(name), Some(version)) => {
            check_segment("ACUMATICA_ENDPOINT", name)?;
            check_version(version)?;
            builder = builder.endpoint(name, version);
        }
        (None, Some(version)) => {
            check_version(version)?;
            builder = builder.endpoint("Default", version);
        }
        (Some(_), None) => {
            return Err(Error::Config {
                setting: "ACUMATICA_VERSION".into(),
                message:
                    "not set, but ACUMATICA_ENDPOINT is (set both, e.g. Default and 24.200.001)"
                        .into(),
            });
        }
        (None, None) => {}
    }
    Ok(builder)
}

fn check_segment(name: &str, value: &str) -> Result<()> {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        Ok(())
    } else {
        Err(Error::Config {
            setting: name.into(),
            message: format!("{value:?} is not an endpoint name"),
        })
    }
}

fn check_version(value: &str) -> Result<()> {
    let ok = value.split('.').count() >= 2
        && value
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::Config {
            setting: "ACUMATICA_VERSION".into(),
            message: format!("{value:?} is not an endpoint version like 24.200.001"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(pairs: &[(&str, &str)]) -> String {
        builder_from_env(&ProcessEnv::from_pairs(pairs))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn missing_and_malformed_settings_are_named() {
        assert!(err(&[]).starts_with("configuration: ACUMATICA_URL: not set"));
        assert!(err(&[("ACUMATICA_URL", "ftp://x")]).starts_with("configuration: ACUMATICA_URL:"));
        assert!(
            err(&[("ACUMATICA_URL", "not a url")]).starts_with("configuration: ACUMATICA_URL:")
        );
        let base = [
            ("ACUMATICA_URL", "https://t.example.com"),
            ("ACUMATICA_USERNAME", "admin"),
        ];
        assert!(err(&base).starts_with("configuration: ACUMATICA_PASSWORD: not set"));
        let mut with_pw = base.to_vec();
        with_pw.push(("ACUMATICA_PASSWORD", "hunter2"));
        with_pw.push(("ACUMATICA_VERSION", "24.x"));
        let e = err(&with_pw);
        assert!(
            e.starts_with("configuration: ACUMATICA_VERSION:") && !e.contains("hunter2"),
            "{e}"
        );
    }

    #[test]
    fn a_complete_environment_builds() {
        let client = builder_from_env(&ProcessEnv::from_pairs(&[
            ("ACUMATICA_URL", "https://t.example.com/AcumaticaDB"),
            ("ACUMATICA_USERNAME", "admin"),
            ("ACUMATICA_PASSWORD", "hunter2"),
            ("ACUMATICA_TENANT", "Company"),
            ("ACUMATICA_ENDPOINT", "Default"),
            ("ACUMATICA_VERSION", "23.200.001"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(
            client.config().endpoint.as_ref().unwrap().to_string(),
            "Default/23.200.001"
        );
        assert!(!format!("{client:?}").contains("hunter2"));
    }
}
