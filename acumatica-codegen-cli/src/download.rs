//! `--url`: downloading a live tenant's schema and its entities' `$adHocSchema` answers.
//!
//! Every session signs in once and is signed out when it is dropped, whatever happened (an
//! error, a panic in a worker): a leaked session holds one of the tenant's API logins.

use std::collections::VecDeque;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

/// Where and as whom to sign in: `--url` and the `ACUMATICA_*` variables.
#[derive(Clone, Default, clap::Args)]
pub struct Login {
    /// User name for `--url` (or ACUMATICA_USERNAME).
    #[arg(
        long,
        env = "ACUMATICA_USERNAME",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub username: Option<String>,
    /// Password for `--url`: set ACUMATICA_PASSWORD (a flag would show it to other users of
    /// the machine).
    #[arg(long, env = "ACUMATICA_PASSWORD", hide = true, hide_env_values = true)]
    pub password: Option<String>,
    /// Tenant (company) to sign in to (or ACUMATICA_TENANT).
    #[arg(
        long,
        env = "ACUMATICA_TENANT",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub tenant: Option<String>,
    /// Branch to sign in to (or ACUMATICA_BRANCH).
    #[arg(
        long,
        env = "ACUMATICA_BRANCH",
        hide_env_values = true,
        value_name = "NAME",
        hide = true
    )]
    pub branch: Option<String>,
    /// Locale to sign in with (or ACUMATICA_LOCALE).
    #[arg(
        long,
        env = "ACUMATICA_LOCALE",
        hide_env_values = true,
        value_name = "NAME",
        hide = true
    )]
    pub locale: Option<String>,
    /// Endpoint name when `--url` is an instance URL (or ACUMATICA_ENDPOINT; `Default`).
    #[arg(
        long,
        env = "ACUMATICA_ENDPOINT",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub endpoint: Option<String>,
    /// Endpoint version when `--url` is an instance URL (or ACUMATICA_VERSION; `24.200.001`).
    #[arg(
        long,
        env = "ACUMATICA_VERSION",
        hide_env_values = true,
        value_name = "VERSION"
    )]
    pub endpoint_version: Option<String>,
}

// By hand: the password must never reach a log or an error message.
impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("tenant", &self.tenant)
            .field("branch", &self.branch)
            .field("locale", &self.locale)
            .field("endpoint", &self.endpoint)
            .field("endpoint_version", &self.endpoint_version)
            .finish()
    }
}

/// The instance URL and the endpoint's base URL (`.../entity/Default/24.200.001`) of `--url`.
pub fn endpoint_urls(url: &str, login: &Login) -> (String, String) {
    match url.find("/entity/") {
        Some(i) if url.ends_with("swagger.json") => {
            let base = url.trim_end_matches("swagger.json").trim_end_matches('/');
            (url[..i].to_owned(), base.to_owned())
        }
        _ => {
            let instance = url.trim_end_matches('/').to_owned();
            let endpoint = login.endpoint.as_deref().unwrap_or("Default");
            let version = login.endpoint_version.as_deref().unwrap_or("24.200.001");
            let base = format!("{instance}/entity/{endpoint}/{version}");
            (instance, base)
        }
    }
}

/// A signed-in session; signs out when dropped.
#[derive(Debug)]
pub struct Session {
    http: reqwest::blocking::Client,
    instance: String,
}

impl Session {
    /// Signs in to `instance`.
    pub fn sign_in(instance: &str, login: &Login) -> Result<Session> {
        let name = login
            .username
            .as_deref()
            .context("ACUMATICA_USERNAME is not set (needed to sign in to download the schema)")?;
        let password = login
            .password
            .as_deref()
            .context("ACUMATICA_PASSWORD is not set (needed to sign in to download the schema)")?;
        let http = reqwest::blocking::Client::builder()
            .cookie_store(true)
            // A redirect could carry the session's cookies to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let mut body = serde_json::json!({ "name": name, "password": password });
        for (field, value) in [
            ("tenant", &login.tenant),
            ("branch", &login.branch),
            ("locale", &login.locale),
        ] {
            if let Some(v) = value {
                body[field] = v.clone().into();
            }
        }
        let resp = http
            .post(format!("{instance}/entity/auth/login"))
            .json(&body)
            .send()
            .with_context(|| format!("signing in to {instance}"))?;
        if !resp.status().is_success() {
            let status = resp.status();
            bail!(
                "signing in to {instance} failed with {status}: {}",
                excerpt(&resp.bytes().unwrap_or_default())
            );
        }
        Ok(Session {
            http,
            instance: instance.to_owned(),
        })
    }

    /// `GET url`: the status and the body.
    pub fn get(&self, url: &str) -> Result<(reqwest::StatusCode, Vec<u8>)> {
        let resp = self
            .http
            .get(url)
            .send()
            .with_context(|| format!("GET {url}"))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .with_context(|| format!("reading the answer of GET {url}"))?;
        Ok((status, body.to_vec()))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self
            .http
            .post(format!("{}/entity/auth/logout", self.instance))
            .header("Content-Length", "0")
            .send();
    }
}

/// The first 300 characters of a body, for a message.
fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(300).collect()
}

/// Downloads `{base}/swagger.json` over `session`.
pub fn swagger(session: &Session, base: &str) -> Result<Vec<u8>> {
    let url = format!("{base}/swagger.json");
    let (status, body) = session.get(&url)?;
    if !status.is_success() {
        bail!("GET {url} answered {status}: {}", excerpt(&body));
    }
    Ok(body)
}

/// One entity's `$adHocSchema`: the answer's body, or why there is none.
pub type Answer = Result<Vec<u8>, String>;

/// An entity and its [`Answer`].
pub type AdHocAnswer = (String, Answer);

/// Downloads `{base}/{Entity}/$adHocSchema` for every entity, over `first` and up to
/// `sessions - 1` more sessions (one sign-in each, signed out at the end), with a progress bar
/// on a terminal. A session that cannot sign in (the tenant's login limit) leaves the work to
/// the others. Answers come back in the order of `entities`.
pub fn ad_hoc_schemas(
    first: Session,
    login: &Login,
    base: &str,
    entities: &[String],
    sessions: usize,
) -> Vec<AdHocAnswer> {
    let queue: Mutex<VecDeque<usize>> = Mutex::new((0..entities.len()).collect());
    let answers: Mutex<Vec<Option<Answer>>> = Mutex::new(vec![None; entities.len()]);
    let bar = indicatif::ProgressBar::new(entities.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("$adHocSchema {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let instance = first.instance.clone();
    let work = |session: &Session| loop {
        let Some(i) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front() else {
            break;
        };
        let name = &entities[i];
        bar.set_message(name.clone());
        let url = format!("{base}/{name}/$adHocSchema");
        let answer = match session.get(&url) {
            Ok((status, body)) if status.is_success() => Ok(body),
            Ok((status, body)) => Err(format!("answered {status}: {}", excerpt(&body))),
            Err(e) => Err(format!("{e:#}")),
        };
        answers.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(answer);
        bar.inc(1);
    };
    std::thread::scope(|s| {
        for _ in 1..sessions.min(entities.len()) {
            s.spawn(|| match Session::sign_in(&instance, login) {
                Ok(session) => work(&session),
                Err(e) => bar.println(format!(
                    "warning: one more session for $adHocSchema: {e:#}; going on with fewer"
                )),
            });
        }
        work(&first);
    });
    drop(first);
    bar.finish_and_clear();
    let answers = answers.into_inner().unwrap_or_else(|e| e.into_inner());
    entities
        .iter()
        .cloned()
        .zip(answers)
        .map(|(name, a)| (name, a.unwrap_or_else(|| Err("not downloaded".to_owned()))))
        .collect()
}
