//! Sign-in, cookies, failed logins, 401s, session expiry and OAuth 2.0 (password, refresh, PKCE).

mod common;

use std::time::{Duration, Instant};

use acumatica_emulator::Config;
use base64::Engine as _;
use common::{base, call, client, login, start};
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn login_sets_the_tenant_cookies() {
    let emu = start(Config::default()).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/entity/auth/login", emu.url()))
        .json(&json!({"name": "admin", "password": "admin", "tenant": "Company", "branch": "HQ", "locale": "EN-US"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    for name in [
        ".ASPXAUTH=",
        "ASP.NET_SessionId=",
        "UserBranch=HQ",
        "Locale=",
        "CompanyID=Company",
    ] {
        let c = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {cookies:?}"));
        assert!(c.contains("path=/") && c.contains("HttpOnly"), "{c}");
    }
    let session = cookies
        .iter()
        .find(|c| c.starts_with("ASP.NET_SessionId="))
        .unwrap();
    assert_eq!(
        session.split(';').next().unwrap().len(),
        "ASP.NET_SessionId=".len() + 24
    );
    let m = emu.metrics();
    assert_eq!((m.logins, m.active_sessions), (1, 1));
}

#[tokio::test]
async fn form_login_with_the_company_alias_works_and_the_session_serves_requests() {
    let emu = start(Config::default()).await;
    let c = client();
    let resp = c
        .post(format!("{}/entity/auth/login", emu.url()))
        .form(&[
            ("name", "admin"),
            ("password", "admin"),
            ("company", "Company"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, body) = call(c.get(format!("{}/Customer/C001", base(&emu)))).await;
    assert_eq!(status, 200);
    assert_eq!(body["CustomerID"]["value"], "C001");
}

#[tokio::test]
async fn bad_credentials_are_a_500_px_exception() {
    let emu = start(Config::default()).await;
    let (status, body) = call(
        client()
            .post(format!("{}/entity/auth/login", emu.url()))
            .json(&json!({"name": "admin", "password": "wrong", "tenant": "Company"})),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(body["message"], "An error has occurred.");
    assert_eq!(body["exceptionType"], "PX.Data.PXException");
    assert!(
        body["exceptionMessage"]
            .as_str()
            .unwrap()
            .contains("Invalid credentials")
    );
    let m = emu.metrics();
    assert_eq!((m.failed_logins, m.logins, m.active_sessions), (1, 0, 0));
}

#[tokio::test]
async fn unknown_tenant_is_px_undefined_company_on_a_multi_tenant_site() {
    let emu = start(Config::default().tenants(["Company", "Sandbox"])).await;
    let (status, body) = call(
        client()
            .post(format!("{}/entity/auth/login", emu.url()))
            .json(&json!({"name": "admin", "password": "admin", "tenant": "Nope"})),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(body["exceptionType"], "PX.Data.PXUndefinedCompanyException");
    // The second tenant has its own data: the same keys, reachable after signing in to it.
    let c = client();
    let resp = c
        .post(format!("{}/entity/auth/login", emu.url()))
        .json(&json!({"name": "admin", "password": "admin", "tenant": "sandbox"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    emu.store()
        .tenant("Sandbox")
        .unwrap()
        .insert("Customer", json!({"CustomerID": {"value": "ONLYSANDBOX"}}))
        .unwrap();
    assert_eq!(
        call(c.get(format!("{}/Customer/ONLYSANDBOX", base(&emu))))
            .await
            .0,
        200
    );
    let main = login(&emu).await;
    assert_eq!(
        call(main.get(format!("{}/Customer/ONLYSANDBOX", base(&emu))))
            .await
            .0,
        500
    );
}

#[tokio::test]
async fn requests_without_a_session_and_after_logout_are_401() {
    let emu = start(Config::default()).await;
    let (status, _) = call(client().get(format!("{}/Customer", base(&emu)))).await;
    assert_eq!(status, 401);
    let c = login(&emu).await;
    assert_eq!(
        call(c.get(format!("{}/Customer?$top=1", base(&emu))))
            .await
            .0,
        200
    );
    let resp = c
        .post(format!("{}/entity/auth/logout", emu.url()))
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        call(c.get(format!("{}/Customer?$top=1", base(&emu))))
            .await
            .0,
        401
    );
    let m = emu.metrics();
    assert_eq!((m.logins, m.logouts, m.active_sessions), (1, 1, 0));
    // A forged session id is not a session.
    let forged = client().get(format!("{}/Customer", base(&emu))).header(
        "Cookie",
        "ASP.NET_SessionId=abcdefabcdefabcdefabcdef; .ASPXAUTH=00",
    );
    assert_eq!(call(forged).await.0, 401);
}

#[tokio::test]
async fn expired_sessions_answer_401() {
    let emu = start(Config::default()).await;
    let c = login(&emu).await;
    emu.expire_sessions();
    assert_eq!(
        call(c.get(format!("{}/Customer?$top=1", base(&emu))))
            .await
            .0,
        401
    );
    assert_eq!(emu.metrics().expired_sessions, 1);
}

#[tokio::test]
async fn idle_sessions_expire_on_their_own() {
    let emu = start(Config::default().session_idle_timeout(Duration::from_millis(100))).await;
    let c = login(&emu).await;
    // Watch the metrics (which do not touch the session) until the sweeper has dropped it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.metrics().active_sessions > 0 {
        assert!(
            Instant::now() < deadline,
            "the idle session was never dropped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        call(c.get(format!("{}/Customer?$top=1", base(&emu))))
            .await
            .0,
        401
    );
    assert!(emu.metrics().expired_sessions >= 1);
}

async fn token(
    emu: &acumatica_emulator::Emulator,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    call(
        client()
            .post(format!("{}/identity/connect/token", emu.url()))
            .form(form),
    )
    .await
}

#[tokio::test]
async fn oauth_password_grant_and_refresh_rotation() {
    let emu = start(Config::default()).await;
    let oc = emu.oauth_client();
    assert!(oc.client_id.ends_with("@Company"));
    let (status, tok) = token(
        &emu,
        &[
            ("grant_type", "password"),
            ("client_id", &oc.client_id),
            ("client_secret", &oc.client_secret),
            ("username", "admin"),
            ("password", "admin"),
            ("scope", "api offline_access"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tok}");
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(tok["expires_in"], 3600);
    let access = tok["access_token"].as_str().unwrap().to_owned();
    let refresh = tok["refresh_token"].as_str().unwrap().to_owned();
    let get = |t: String| {
        client()
            .get(format!("{}/Customer/C001", base(&emu)))
            .bearer_auth(t)
    };
    assert_eq!(call(get(access.clone())).await.0, 200);

    let (status, tok2) = token(
        &emu,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &oc.client_id),
            ("client_secret", &oc.client_secret),
            ("refresh_token", &refresh),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tok2}");
    let refresh2 = tok2["refresh_token"].as_str().unwrap();
    assert_ne!(
        refresh2, refresh,
        "every refresh hands out a new refresh token"
    );
    assert_eq!(
        call(get(tok2["access_token"].as_str().unwrap().to_owned()))
            .await
            .0,
        200
    );
    // The old refresh token stopped working.
    let (status, err) = token(
        &emu,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &oc.client_id),
            ("client_secret", &oc.client_secret),
            ("refresh_token", &refresh),
        ],
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // Refreshed tokens reuse the grant's session.
    assert_eq!(emu.metrics().active_sessions, 1);

    // Wrong secret, wrong password, no refresh token without offline_access.
    let (status, err) = token(
        &emu,
        &[
            ("grant_type", "password"),
            ("client_id", &oc.client_id),
            ("client_secret", "x"),
            ("username", "admin"),
            ("password", "admin"),
        ],
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (status, _) = token(
        &emu,
        &[
            ("grant_type", "password"),
            ("client_id", &oc.client_id),
            ("client_secret", &oc.client_secret),
            ("username", "admin"),
            ("password", "no"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let (_, api_only) = token(
        &emu,
        &[
            ("grant_type", "password"),
            ("client_id", &oc.client_id),
            ("client_secret", &oc.client_secret),
            ("username", "admin"),
            ("password", "admin"),
            ("scope", "api"),
        ],
    )
    .await;
    assert!(api_only.get("refresh_token").is_none());
}

#[tokio::test]
async fn expired_access_tokens_are_401_until_refreshed() {
    let emu = start(Config::default().access_token_lifetime(Duration::from_millis(200))).await;
    let oc = emu.oauth_client();
    let (_, tok) = token(
        &emu,
        &[
            ("grant_type", "password"),
            ("client_id", &oc.client_id),
            ("client_secret", &oc.client_secret),
            ("username", "admin"),
            ("password", "admin"),
            ("scope", "api offline_access"),
        ],
    )
    .await;
    let access = tok["access_token"].as_str().unwrap().to_owned();
    let url = format!("{}/Customer/C001", base(&emu));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = call(client().get(&url).bearer_auth(&access)).await.0;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(Instant::now() < deadline, "the access token never expired");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, tok2) = token(
        &emu,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &oc.client_id),
            ("client_secret", &oc.client_secret),
            ("refresh_token", tok["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        call(
            client()
                .get(&url)
                .bearer_auth(tok2["access_token"].as_str().unwrap())
        )
        .await
        .0,
        200
    );
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let emu = start(Config::default()).await;
    let oc = emu.oauth_client();
    let verifier = "a-verifier-of-enough-length-0123456789-abcdefghijklmnop";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let authorize = |redirect: &str| {
        no_redirects
            .get(format!("{}/identity/connect/authorize", emu.url()))
            .query(&[
                ("response_type", "code"),
                ("client_id", oc.client_id.as_str()),
                ("redirect_uri", redirect),
                ("scope", "api offline_access"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("state", "xyz 1"),
            ])
    };
    assert_eq!(
        authorize("http://evil.example/cb")
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    let resp = authorize(&oc.redirect_uri).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let location = reqwest::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(&oc.redirect_uri));
    let q: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz 1");
    let code = q["code"].clone();

    async fn exchange(
        emu: &acumatica_emulator::Emulator,
        verifier: &str,
        code: &str,
    ) -> (u16, serde_json::Value) {
        let oc = emu.oauth_client();
        token(
            emu,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &oc.client_id),
                ("code", code),
                ("redirect_uri", &oc.redirect_uri),
                ("code_verifier", verifier),
            ],
        )
        .await
    }
    // A wrong verifier burns the code, as a one-time code should be.
    let (status, err) = exchange(&emu, "wrong-verifier", &code).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let resp = authorize(&oc.redirect_uri).send().await.unwrap();
    let location = reqwest::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let code: String = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (status, tok) = exchange(&emu, verifier, &code).await;
    assert_eq!(status, 200, "{tok}");
    assert!(tok["refresh_token"].is_string());
    let (status, _) = call(
        client()
            .get(format!("{}/SalesOrder/SO/000001", base(&emu)))
            .bearer_auth(tok["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    // Codes work once.
    assert_eq!(exchange(&emu, verifier, &code).await.0, 400);
}
