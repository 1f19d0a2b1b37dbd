//! OAuth 2.0: the password grant, refreshing before expiry with the refresh token replaced each
//! time, and the authorization code flow with PKCE driven through `/identity/connect/authorize`.

use std::time::Duration;

use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::oauth::{OAuthConfig, Pkce};
use acumatica_sdk::{AcumaticaClient, Error};
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{Config, Emulator, answers, emulator, emulator_with, fast_retries};

fn password_config(emu: &Emulator) -> OAuthConfig {
    let oc = emu.oauth_client();
    let user = emu.credentials();
    OAuthConfig::password(oc.client_id, oc.client_secret, user.username, user.password)
}

fn oauth_client(url: &str, oauth: OAuthConfig) -> AcumaticaClient {
    AcumaticaClient::builder()
        .base_url(url)
        .oauth(oauth)
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// The values of `name=` in form bodies, or of `"name":"` in JSON bodies, in order.
fn values_after(text: &str, marker: &str) -> Vec<String> {
    text.split(marker)
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn password_grant_sends_bearer_tokens() {
    let emu = emulator().await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = oauth_client(proxy.url(), password_config(&emu));
    let c: Customer = client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(c.customer_id, "C001");
    let m = emu.metrics();
    assert_eq!((m.logins, m.active_sessions), (1, 1));

    let sent = proxy.requests();
    assert!(sent.contains("grant_type=password"), "{sent}");
    assert!(sent.contains("scope=api+offline_access"), "{sent}");
    let access = values_after(&proxy.responses(), "\"access_token\":\"");
    assert_eq!(access.len(), 1);
    assert!(
        sent.contains(&format!("authorization: Bearer {}", access[0])),
        "{sent}"
    );
    assert!(!sent.contains("/entity/auth/login"), "no cookie sign-in");

    client.logout().await.unwrap();
    assert_eq!(emu.metrics().active_sessions, 0);
}

#[tokio::test]
async fn a_wrong_client_secret_or_password_is_an_authentication_error() {
    let emu = emulator().await;
    let oc = emu.oauth_client();
    let bad_secret =
        OAuthConfig::password(oc.client_id.clone(), "not the secret", "admin", "admin");
    let err = oauth_client(emu.url(), bad_secret)
        .login()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Authentication { status: 400, .. }),
        "{err:?}"
    );
    let bad_password = OAuthConfig::password(oc.client_id, oc.client_secret, "admin", "wrong");
    let err = oauth_client(emu.url(), bad_password)
        .login()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Authentication { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(emu.metrics().logins, 0);
}

#[tokio::test]
async fn tokens_are_refreshed_before_expiry_and_the_refresh_token_replaced() {
    let emu = emulator_with(Config::default().access_token_lifetime(Duration::from_secs(2))).await;
    let proxy = RecordingProxy::start(emu.addr()).await;
    let client = oauth_client(proxy.url(), password_config(&emu));
    client.customers().get_by_id("C001").await.unwrap();
    // A fresh token is used as it is.
    client.customers().get_by_id("C002").await.unwrap();
    assert_eq!(client.session().logins(), 1);

    for round in 1..=3 {
        // Past half of the token's life, the next request refreshes it first.
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        client.customers().get_by_id("C003").await.unwrap();
        assert_eq!(client.session().logins(), 1 + round);
    }
    let m = emu.metrics();
    assert_eq!(answers(&m, 401), 0, "never used an expired token");
    assert_eq!(answers(&m, 400), 0, "never sent a used refresh token");
    assert_eq!(m.logins, 1, "the refreshes kept the grant's session");
    assert_eq!(m.active_sessions, 1);

    // Each refresh sent the refresh token of the answer before it, and got a new one.
    let issued = values_after(&proxy.responses(), "\"refresh_token\":\"");
    let sent = values_after(&proxy.requests(), "refresh_token=");
    assert_eq!(issued.len(), 4);
    assert_eq!(sent.len(), 3);
    for (sent, issued) in sent.iter().zip(&issued) {
        // A form body ends where the next request line starts, with no separator.
        assert!(sent.starts_with(issued.as_str()), "{sent} vs {issued}");
    }
    let distinct: std::collections::BTreeSet<&String> = issued.iter().collect();
    assert_eq!(distinct.len(), 4);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_after_a_401() {
    let emu = emulator().await;
    let client = oauth_client(emu.url(), password_config(&emu));
    client.customers().get_by_id("C001").await.unwrap();
    // The session ends on the server: the token is refused once, then refreshed.
    emu.expire_sessions();
    client.customers().get_by_id("C002").await.unwrap();
    let m = emu.metrics();
    assert_eq!(answers(&m, 401), 1);
    assert_eq!(m.logins, 2, "a new session for the refreshed token");
}

/// Drives `/identity/connect/authorize` like a browser that does not follow the redirect, and
/// returns the code from the `Location`.
async fn authorize(emu: &Emulator, pkce: &Pkce, state: &str) -> String {
    let oc = emu.oauth_client();
    let url = pkce
        .authorize_url(
            emu.url(),
            &oc.client_id,
            &oc.redirect_uri,
            "api offline_access",
            state,
        )
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::FOUND);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&oc.redirect_uri), "{location}");
    let location = reqwest::Url::parse(&location).unwrap();
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some(state));
    param("code").expect("a code in the redirect")
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let emu = emulator().await;
    let oc = emu.oauth_client();
    let pkce = Pkce::new();
    let code = authorize(&emu, &pkce, "state-42").await;
    let config = OAuthConfig::authorization_code(
        oc.client_id.clone(),
        oc.client_secret.clone(),
        code.clone(),
        pkce.verifier.clone(),
        oc.redirect_uri.clone(),
    );
    let client = oauth_client(emu.url(), config.clone());
    let c: Customer = client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(c.customer_id, "C001");
    assert_eq!(emu.metrics().logins, 1);

    // A code is good for one exchange.
    let err = oauth_client(emu.url(), config).login().await.unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");

    // A code exchanged with another verifier is refused.
    let code = authorize(&emu, &pkce, "state-43").await;
    let wrong = OAuthConfig::authorization_code(
        oc.client_id,
        oc.client_secret,
        code,
        Pkce::new().verifier,
        oc.redirect_uri,
    );
    let err = oauth_client(emu.url(), wrong).login().await.unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    assert_eq!(emu.metrics().logins, 1);
}

#[tokio::test]
async fn an_authorization_code_session_refreshes_too() {
    let emu = emulator_with(Config::default().access_token_lifetime(Duration::from_secs(2))).await;
    let oc = emu.oauth_client();
    let pkce = Pkce::new();
    let code = authorize(&emu, &pkce, "s").await;
    let client = oauth_client(
        emu.url(),
        OAuthConfig::authorization_code(
            oc.client_id,
            oc.client_secret,
            code,
            pkce.verifier,
            oc.redirect_uri,
        ),
    );
    client.customers().get_by_id("C001").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    client.customers().get_by_id("C002").await.unwrap();
    assert_eq!(client.session().logins(), 2);
    let m = emu.metrics();
    assert_eq!((m.logins, answers(&m, 400), answers(&m, 401)), (1, 0, 0));
}

#[tokio::test]
async fn the_login_limit_refuses_a_token_as_login_limit() {
    let emu = emulator_with(Config::default().max_sessions(Some(1))).await;
    let first = oauth_client(emu.url(), password_config(&emu));
    first.login().await.unwrap();
    let second = oauth_client(emu.url(), password_config(&emu));
    let err = second.customers().get_by_id("C001").await.unwrap_err();
    assert!(
        matches!(&err, Error::LoginLimit { request, .. } if request.path == "/identity/connect/token"),
        "{err:?}"
    );
    assert_eq!(emu.metrics().login_limit_rejections, 1);
    // Signing out with the first token frees the session.
    first.logout().await.unwrap();
    second.customers().get_by_id("C001").await.unwrap();
}
