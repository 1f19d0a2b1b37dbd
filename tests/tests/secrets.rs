//! No secret in `Debug` output or in logs: passwords, client secrets, the `.ASPXAUTH` and session
//! cookies, bearer and refresh tokens. Logs are captured at TRACE level during a sign-in,
//! requests, a failure and a sign-out; the secrets themselves are read off the wire.
//!
//! Every test here captures logs from its start: `tracing` caches whether a callsite is enabled
//! when it is first hit, and a test thread without a subscriber would cache "disabled" for the
//! SDK's spans while another test is capturing.

use acumatica_emulator::User;
use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::oauth::{OAuthConfig, Pkce};
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, Credentials};
use acumatica_tests::logs::LogCapture;
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{Config, emulator_with};

const PASSWORD: &str = "Pa55-w0rd-do-not-log";
const CLIENT_SECRET: &str = "client-secret-do-not-log";

async fn tenant() -> acumatica_tests::Emulator {
    emulator_with(Config::default().user(User::new("auditor", PASSWORD))).await
}

/// The value of cookie `name` in the `Set-Cookie` headers of `responses`.
fn cookie_value(responses: &str, name: &str) -> String {
    let marker = format!("set-cookie: {name}=");
    let lower = responses.to_ascii_lowercase();
    let at = lower
        .find(&marker.to_ascii_lowercase())
        .unwrap_or_else(|| panic!("no {name} cookie was set"));
    responses[at + marker.len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// The string values of `"name":"..."` in JSON bodies.
fn json_values(text: &str, name: &str) -> Vec<String> {
    text.split(&format!("\"{name}\":\""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

fn assert_hidden(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(s.len() >= 8, "a secret too short to search for: {s:?}");
        assert!(!text.contains(s), "{what} shows a secret ({s}):\n{text}");
    }
}

#[tokio::test]
async fn debug_output_shows_no_secret() {
    let (logs, _guard) = LogCapture::install();
    let emu = tenant().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let credentials = Credentials::new("auditor", PASSWORD).tenant("Company");
    let client = AcumaticaClient::builder()
        .base_url(proxy.url())
        .credentials(credentials.clone())
        .build()
        .unwrap();
    client.customers().get_by_id("C001").await.unwrap();
    let aspxauth = cookie_value(&proxy.responses(), ".ASPXAUTH");
    let session_id = cookie_value(&proxy.responses(), "ASP.NET_SessionId");

    let shown = [
        ("credentials", format!("{credentials:?}")),
        ("config", format!("{:#?}", client.config())),
        ("client", format!("{client:?}")),
        ("session", format!("{:?}", client.session())),
        ("service", format!("{:?}", client.customers())),
    ];
    for (what, text) in &shown {
        assert_hidden(what, text, &[PASSWORD, &aspxauth, &session_id]);
    }
    // They do show what is not secret.
    assert!(shown[0].1.contains("auditor") && shown[0].1.contains("<redacted>"));
    assert!(
        shown[2].1.contains(".ASPXAUTH"),
        "cookie names, not values: {}",
        shown[2].1
    );

    let oauth = OAuthConfig::password("0B1D@Company", CLIENT_SECRET, "auditor", PASSWORD);
    let pkce = Pkce::new();
    let code = OAuthConfig::authorization_code(
        "0B1D@Company",
        CLIENT_SECRET,
        "authorization-code-do-not-log",
        pkce.verifier.clone(),
        "https://app.example.com/cb",
    );
    let oauth_client = AcumaticaClient::builder()
        .base_url(emu.url())
        .oauth(code.clone())
        .build()
        .unwrap();
    for (what, text) in [
        ("password grant", format!("{oauth:?}")),
        ("code grant", format!("{code:#?}")),
        ("pkce", format!("{pkce:?}")),
        ("oauth client", format!("{oauth_client:?}")),
    ] {
        assert_hidden(
            what,
            &text,
            &[
                PASSWORD,
                CLIENT_SECRET,
                "authorization-code-do-not-log",
                pkce.verifier.expose(),
            ],
        );
    }

    // Nor do errors.
    let wrong = AcumaticaClient::builder()
        .base_url(emu.url())
        .credentials(Credentials::new("auditor", "wrong-password-do-not-log"))
        .build()
        .unwrap();
    let err = wrong.login().await.unwrap_err();
    assert_hidden(
        "error",
        &format!("{err:?} {err}"),
        &["wrong-password-do-not-log"],
    );
    let text = logs.text();
    assert!(text.contains("sign-in refused"), "{text}");
    assert_hidden(
        "the logs",
        &text,
        &[
            PASSWORD,
            "wrong-password-do-not-log",
            &aspxauth,
            &session_id,
        ],
    );
}

#[tokio::test]
async fn logs_of_a_cookie_session_show_no_secret() {
    let emu = tenant().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let (logs, _guard) = LogCapture::install();
    let client = AcumaticaClient::builder()
        .base_url(proxy.url())
        .credentials(Credentials::new("auditor", PASSWORD).tenant("Company"))
        .build()
        .unwrap();
    client
        .customers()
        .get_list(QueryOptions::new().top(3))
        .await
        .unwrap();
    let _: Customer = client.customers().get_by_id("C002").await.unwrap();
    emu.expire_sessions();
    client.customers().get_by_id("C003").await.unwrap(); // 401, sign-in again, retry
    client.customers().get_by_id("NOPE").await.unwrap_err();
    client.logout().await.unwrap();

    let text = logs.text();
    // The capture works: sign-ins, requests with their paths and statuses are there.
    assert!(text.contains("acumatica.login"), "{text}");
    assert!(text.contains("acumatica.request"), "{text}");
    assert!(
        text.contains("/entity/Default/24.200.001/Customer/C002"),
        "{text}"
    );
    assert!(text.contains("401: signing in again"), "{text}");

    let responses = proxy.responses();
    let mut secrets = vec![PASSWORD.to_owned()];
    for name in [".ASPXAUTH", "ASP.NET_SessionId"] {
        // Both sessions' cookies.
        let lower = responses.to_ascii_lowercase();
        let marker = format!("set-cookie: {}=", name.to_ascii_lowercase());
        for (at, _) in lower.match_indices(&marker) {
            let value = responses[at + marker.len()..].split(';').next().unwrap();
            if !value.is_empty() {
                secrets.push(value.to_owned());
            }
        }
    }
    assert!(secrets.len() >= 5, "two sessions' cookies: {secrets:?}");
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_hidden("the logs", &text, &secrets);
}

#[tokio::test]
async fn logs_of_an_oauth_session_show_no_token() {
    let mut config = Config::default().user(User::new("auditor", PASSWORD));
    let mut oc = acumatica_tests::emulator().await.oauth_client();
    oc.client_secret = CLIENT_SECRET.to_owned();
    config.oauth_clients = vec![oc.clone()];
    config.access_token_lifetime = std::time::Duration::from_secs(1);
    let emu = emulator_with(config).await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let (logs, _guard) = LogCapture::install();
    let client = AcumaticaClient::builder()
        .base_url(proxy.url())
        .oauth(OAuthConfig::password(
            oc.client_id,
            CLIENT_SECRET,
            "auditor",
            PASSWORD,
        ))
        .build()
        .unwrap();
    client.customers().get_by_id("C001").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    client.customers().get_by_id("C002").await.unwrap(); // refreshes first
    client.logout().await.unwrap();
    assert!(client.session().logins() >= 2, "a refresh happened");

    let text = logs.text();
    assert!(text.contains("acumatica.request"), "{text}");
    let responses = proxy.responses();
    let mut secrets = json_values(&responses, "access_token");
    secrets.extend(json_values(&responses, "refresh_token"));
    assert!(secrets.len() >= 4, "{secrets:?}");
    secrets.push(PASSWORD.to_owned());
    secrets.push(CLIENT_SECRET.to_owned());
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_hidden("the logs", &text, &secrets);
}

#[tokio::test]
async fn a_sign_in_span_does_not_swallow_other_sessions_requests() {
    let (logs, _guard) = LogCapture::install();
    let emu = emulator_with(Config::default().latency(
        std::time::Duration::from_millis(200),
        std::time::Duration::ZERO,
    ))
    .await;
    let early = acumatica_tests::client(&emu);
    early.login().await.unwrap();
    let late = acumatica_tests::client(&emu);
    // `late` signs in (slowly) while `early` sends a request on the same thread.
    let customers = early.customers();
    let (a, b) = tokio::join!(late.login(), customers.get_by_id("C001"));
    a.unwrap();
    b.unwrap();
    let late_login = format!("acumatica.login{{session={}}}", late.session().id());
    let early_request = format!("session={}}}", early.session().id());
    let text = logs.text();
    assert!(text.contains(&late_login), "{text}");
    for line in text.lines() {
        assert!(
            !(line.contains(&late_login) && line.contains(&early_request)),
            "a request of session {} logged inside session {}'s sign-in: {line}",
            early.session().id(),
            late.session().id()
        );
    }
}
