//! A TRACE-level capture of whole sessions holds no password, cookie value or token: a cookie
//! session (sign-in, reads, a write, a 422, a 401 and the sign-in again, a refused sign-in,
//! sign-out) and an OAuth password session with a refresh. The secrets are read off the wire
//! (the recording proxy's text), so the search is for the values that really went by; every
//! error's `Display` and `Debug` and the client's `Debug` are searched too. The capture takes
//! every target at TRACE, `reqwest`'s `log` records included (bridged into `tracing`).

use std::sync::Once;
use std::time::Duration;

use acumatica_emulator::{OAuthClient, User};
use acumatica_sdk::default::{Customer, DefaultEndpoint, SalesOrder};
use acumatica_sdk::oauth::OAuthConfig;
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, Credentials, Error};
use acumatica_tests::logs::LogCapture;
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{Config, Emulator, answers, emulator_with, fast_retries};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::DefaultGuard;

use super::hostile_server::shows;

const PASSWORD: &str = "Rel1ability-Pa55word-x7Q";
const WRONG_PASSWORD: &str = "Typo-Pa55word-not-for-logs";
const CLIENT_SECRET: &str = "reliability-client-secret-9Zk";

/// A TRACE capture of this thread, everything but the emulator's own logs, with `log` records
/// (`reqwest` logs through the `log` crate) forwarded into it.
///
/// The bridge is a process-wide `log` logger that hands each record to the thread's current
/// `tracing` subscriber; installing it needs a global subscriber, which is one that records
/// nothing (threads without a capture log nowhere, as before).
pub(super) fn capture() -> (LogCapture, DefaultGuard) {
    static BRIDGE: Once = Once::new();
    // First the capture: the bridge takes the highest level any subscriber wants as `log`'s.
    let capture = LogCapture::install();
    BRIDGE.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        let _ = tracing_subscriber::registry()
            .with(LevelFilter::OFF)
            .try_init();
    });
    capture
}

/// The values of cookie `name` set in `responses` (empty values, of sign-outs, left out).
fn cookie_values(responses: &str, name: &str) -> Vec<String> {
    let lower = responses.to_ascii_lowercase();
    let marker = format!("set-cookie: {}=", name.to_ascii_lowercase());
    lower
        .match_indices(&marker)
        .filter_map(|(at, _)| {
            let value = responses[at + marker.len()..].split([';', '\r']).next()?;
            (!value.is_empty()).then(|| value.to_owned())
        })
        .collect()
}

/// The string values of `"name":"..."` in JSON bodies.
fn json_values(text: &str, name: &str) -> Vec<String> {
    text.split(&format!("\"{name}\":\""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

fn assert_hidden(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(s.len() >= 16, "a secret too short to search for: {s:?}");
        assert!(!shows(text, s), "{what} shows a secret ({s}):\n{text}");
    }
}

async fn tenant(config: Config) -> (Emulator, RecordingProxy) {
    let emu = emulator_with(config.user(User::new("auditor", PASSWORD))).await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    (emu, proxy)
}

fn cookie_client(url: &str, password: &str) -> AcumaticaClient {
    AcumaticaClient::builder()
        .base_url(url)
        .credentials(Credentials::new("auditor", password).tenant("Company"))
        .retry(fast_retries())
        .timeout(Duration::from_secs(30))
        .drop_logout_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

/// Everything an error shows.
fn shown(err: &Error) -> String {
    format!("{err}\n{err:?}\n{err:#?}")
}

#[tokio::test]
async fn a_trace_capture_of_a_cookie_session_holds_no_password_and_no_cookie() {
    let (logs, _guard) = capture();
    let (emu, proxy) = tenant(Config::default()).await;
    let client = cookie_client(proxy.url(), PASSWORD);
    let mut texts = vec![format!("{client:?}"), format!("{:#?}", client.config())];

    client.login().await.unwrap();
    let c: Customer = client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(c.customer_id, "C001");
    let list = client
        .customers()
        .get_list(QueryOptions::new().top(3))
        .await
        .unwrap();
    assert_eq!(list.len(), 3);
    let saved = client
        .customers()
        .put_entity(
            &Customer {
                customer_id: "SECRETS1".into(),
                customer_name: "Written during the capture".into(),
                ..Customer::default()
            },
            QueryOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(saved.customer_id, "SECRETS1");
    let invalid = SalesOrder {
        order_type: "SO".into(),
        customer_id: "NOBODY".into(),
        ..SalesOrder::default()
    };
    let err = client
        .sales_orders()
        .put_entity(&invalid, QueryOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");
    texts.push(shown(&err));
    let err = client.customers().get_by_id("NOPE").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    texts.push(shown(&err));
    texts.push(format!("{client:?}"));

    // The server forgets the session: 401, a second sign-in, the call again.
    emu.expire_sessions();
    let c: Customer = client.customers().get_by_id("C002").await.unwrap();
    assert_eq!(c.customer_id, "C002");
    texts.push(format!("{client:?}"));

    // A refused sign-in with another password.
    let wrong = cookie_client(proxy.url(), WRONG_PASSWORD);
    let err = wrong.login().await.unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    texts.push(shown(&err));
    texts.push(format!("{wrong:?}"));
    drop(wrong);

    client.logout().await.unwrap();
    texts.push(format!("{client:?}"));

    let m = emu.metrics();
    assert_eq!(
        (m.logins, m.failed_logins, m.logouts, m.active_sessions),
        (2, 1, 1, 0)
    );
    assert_eq!(m.expired_sessions, 1);
    assert_eq!(answers(&m, 401), 1);
    assert_eq!(answers(&m, 422), 1);
    assert_eq!(m.writes.len(), 1, "the one customer written");

    // The secrets, as they went over the wire.
    let responses = proxy.responses();
    let aspxauth = cookie_values(&responses, ".ASPXAUTH");
    let session_ids = cookie_values(&responses, "ASP.NET_SessionId");
    assert_eq!(aspxauth.len(), 2, "two sign-ins: {aspxauth:?}");
    assert_eq!(session_ids.len(), 2, "two sign-ins: {session_ids:?}");
    assert_ne!(aspxauth[0], aspxauth[1]);
    let mut secrets = vec![PASSWORD.to_owned(), WRONG_PASSWORD.to_owned()];
    secrets.extend(aspxauth);
    secrets.extend(session_ids);
    // The search would find them: they are on the wire.
    let sent = proxy.requests();
    for s in &secrets {
        assert!(sent.contains(s.as_str()), "sanity: {s} was sent");
    }

    let text = logs.text();
    // The capture works: the sign-ins, the requests with paths and statuses, the 401.
    for expected in [
        "acumatica.login",
        "acumatica.request",
        "/entity/Default/24.200.001/Customer/C002",
        "401: signing in again",
        "sign-in refused",
        "signed out",
        "status=422",
        // reqwest (through `log`) and hyper-util are in it too.
        "reqwest::connect: starting new connection",
        "hyper_util::client::legacy::pool",
    ] {
        assert!(
            text.contains(expected),
            "no {expected:?} in the capture:\n{text}"
        );
    }
    assert_hidden("the TRACE capture", &text, &secrets);
    for t in &texts {
        assert_hidden("an error or the client's Debug", t, &secrets);
    }
    assert!(!text.contains("Cookie: ") && !text.to_ascii_lowercase().contains("cookie: ."));
}

#[tokio::test]
async fn a_trace_capture_of_an_oauth_session_with_refresh_holds_no_token() {
    let (logs, _guard) = capture();
    let config = Config {
        access_token_lifetime: Duration::from_secs(1),
        oauth_clients: vec![OAuthClient {
            client_id: "5F1A2B3C-0000-4000-8000-RELIABILITY@Company".into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_uri: "https://app.example.com/callback".into(),
        }],
        ..Config::default()
    };
    let (emu, proxy) = tenant(config).await;
    let oc = emu.oauth_client();
    let client = AcumaticaClient::builder()
        .base_url(proxy.url())
        .oauth(OAuthConfig::password(
            oc.client_id,
            CLIENT_SECRET,
            "auditor",
            PASSWORD,
        ))
        .retry(fast_retries())
        .drop_logout_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut texts = vec![format!("{client:?}")];

    let c: Customer = client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(c.customer_id, "C001");
    // Past half of the 1 s lifetime: the next call refreshes first.
    tokio::time::sleep(Duration::from_millis(650)).await;
    let c: Customer = client.customers().get_by_id("C002").await.unwrap();
    assert_eq!(c.customer_id, "C002");
    texts.push(format!("{client:?}"));
    let err = client.customers().get_by_id("NOPE").await.unwrap_err();
    texts.push(shown(&err));
    client.logout().await.unwrap();
    texts.push(format!("{client:?}"));

    let sent = proxy.requests();
    assert_eq!(sent.matches("grant_type=password").count(), 1, "{sent}");
    assert_eq!(
        sent.matches("grant_type=refresh_token").count(),
        1,
        "{sent}"
    );
    let m = emu.metrics();
    assert_eq!(m.active_sessions, 0);

    let responses = proxy.responses();
    let access = json_values(&responses, "access_token");
    let refresh = json_values(&responses, "refresh_token");
    assert_eq!((access.len(), refresh.len()), (2, 2), "{responses}");
    assert_ne!(access[0], access[1]);
    assert_ne!(refresh[0], refresh[1], "the refresh token is replaced");
    let mut secrets = vec![PASSWORD.to_owned(), CLIENT_SECRET.to_owned()];
    secrets.extend(access);
    secrets.extend(refresh);
    // The search would find them: all but the last refresh token went over the wire.
    let last_refresh = secrets.last().cloned().unwrap();
    for s in secrets.iter().filter(|s| **s != last_refresh) {
        assert!(sent.contains(s.as_str()), "sanity: {s} was sent");
    }

    let text = logs.text();
    assert!(text.contains("acumatica.request"), "{text}");
    assert!(text.contains("/entity/Default/24.200.001/Customer/C002"));
    assert_hidden("the TRACE capture", &text, &secrets);
    for t in &texts {
        assert_hidden("an error or the client's Debug", t, &secrets);
    }
    assert!(!text.contains("Bearer "), "{text}");
}

#[test]
fn a_base_url_with_user_info_is_refused_without_echoing_it() {
    for url in [
        "https://user:pa55word@host",
        "https://user:pa55word@host/AcumaticaDB",
        "https://:pa55word@host",
        "https://pa55word@host",
        "http://user:pa55word@127.0.0.1:8080/",
        "https://user:pa55word@host?x=1",
        "ftp://user:pa55word@host",
        "  https://user:pa55word@host  ",
    ] {
        let err = AcumaticaClient::builder()
            .base_url(url)
            .credentials(Credentials::new("admin", "admin"))
            .build()
            .unwrap_err();
        let Error::Config { setting, message } = &err else {
            panic!("{url}: expected Config, got {err:?}");
        };
        assert_eq!(setting, "base_url", "{url}");
        assert!(
            message.contains("user name or password"),
            "{url}: {message}"
        );
        for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
            assert!(!text.contains("pa55word"), "{url}: {text}");
        }
    }
    // A URL that does not parse is not echoed either (it may hold a password).
    for url in [
        "https://user:pa55word@host:99999",
        "https://user:pa55word@",
        "https://user:pa55word@ho st",
        "user:pa55word@host",
    ] {
        let err = AcumaticaClient::builder()
            .base_url(url)
            .credentials(Credentials::new("admin", "admin"))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{url}: {err:?}");
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("pa55word"), "{url}: {text}");
        }
    }
}
