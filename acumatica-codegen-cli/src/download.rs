//! `--url`: downloading a live tenant's schema, signing in and out with the ACUMATICA_* variables.

use anyhow::{Context, Result, bail};

fn var(name: &str) -> Result<String> {
    std::env::var(name)
        .with_context(|| format!("{name} is not set (needed to sign in to download the schema)"))
}

/// Downloads `/entity/{endpoint}/{version}/swagger.json`, signing in first and out afterwards.
pub fn swagger(url: &str) -> Result<Vec<u8>> {
    let http = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .build()?;
    let (instance, swagger_url) = match url.find("/entity/") {
        Some(i) if url.ends_with("swagger.json") => (url[..i].to_owned(), url.to_owned()),
        _ => {
            let instance = url.trim_end_matches('/').to_owned();
            let endpoint = std::env::var("ACUMATICA_ENDPOINT").unwrap_or_else(|_| "Default".into());
            let version =
                std::env::var("ACUMATICA_VERSION").unwrap_or_else(|_| "24.200.001".into());
            let swagger = format!("{instance}/entity/{endpoint}/{version}/swagger.json");
            (instance, swagger)
        }
    };
    let mut body = serde_json::json!({ "name": var("ACUMATICA_USERNAME")?, "password": var("ACUMATICA_PASSWORD")? });
    for (field, env) in [
        ("tenant", "ACUMATICA_TENANT"),
        ("branch", "ACUMATICA_BRANCH"),
        ("locale", "ACUMATICA_LOCALE"),
    ] {
        if let Ok(v) = std::env::var(env) {
            body[field] = v.into();
        }
    }
    let login = http
        .post(format!("{instance}/entity/auth/login"))
        .json(&body)
        .send()
        .context("signing in")?;
    if !login.status().is_success() {
        let status = login.status();
        let text: String = login.text().unwrap_or_default().chars().take(300).collect();
        bail!("signing in to {instance} failed with {status}: {text}");
    }
    let result = (|| -> Result<Vec<u8>> {
        let resp = http
            .get(&swagger_url)
            .send()
            .with_context(|| format!("GET {swagger_url}"))?;
        let status = resp.status();
        let bytes = resp.bytes()?.to_vec();
        if !status.is_success() {
            let text: String = String::from_utf8_lossy(&bytes).chars().take(300).collect();
            bail!("GET {swagger_url} answered {status}: {text}");
        }
        Ok(bytes)
    })();
    // Sign out whatever happened: a leaked session counts against the tenant's API login limit.
    let _ = http
        .post(format!("{instance}/entity/auth/logout"))
        .header("Content-Length", "0")
        .send();
    result
}
