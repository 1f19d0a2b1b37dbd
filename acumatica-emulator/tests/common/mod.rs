//! Helpers shared by the integration tests: start an emulator, sign in, build URLs.

#![allow(dead_code)]

use acumatica_emulator::{Config, Emulator};
use serde_json::{Value, json};

/// Starts an emulator; panics (the test fails) if it cannot.
pub async fn start(config: Config) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

/// `{url}/entity/Default/24.200.001`.
pub fn base(emu: &Emulator) -> String {
    format!("{}/entity/Default/24.200.001", emu.url())
}

/// A client with its own cookie jar (one session per client).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// Signs a fresh client in with the default credentials.
pub async fn login(emu: &Emulator) -> reqwest::Client {
    let c = client();
    let creds = emu.credentials();
    let resp = c
        .post(format!("{}/entity/auth/login", emu.url()))
        .json(
            &json!({ "name": creds.username, "password": creds.password, "tenant": creds.tenant }),
        )
        .send()
        .await
        .expect("login request");
    assert_eq!(
        resp.status(),
        204,
        "login: {}",
        resp.text().await.unwrap_or_default()
    );
    c
}

/// Sends a request and returns (status, body as JSON or Null).
pub async fn call(req: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The `value` of a field of a record.
pub fn val<'v>(record: &'v Value, field: &str) -> &'v Value {
    &record[field]["value"]
}
