//! A misbehaving server on 127.0.0.1 ([`MisbehavingServer`]): redirects of the sign-in, the
//! token request, data calls and the sign-out to another origin (and to every other target it
//! offers) are never followed, so the other origin receives no request and no connection (no
//! password, cookie or token); huge and endless bodies end in `BodyTooLarge` quickly, and the
//! server sees the client go away; an undecodable token answer leaves no token in the error's
//! `Display` or `Debug`, nor in a TRACE capture of the call.

use std::time::{Duration, Instant};

use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::oauth::OAuthConfig;
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, ClientBuilder, Credentials, Error, FileLink};
use acumatica_tests::misbehaving::{
    Answer, Behaviour, Framing, MisbehavingServer, OTHER_CUSTOMER_ID, Target, TokenGarbage,
};
use acumatica_tests::{eventually, fast_retries};

const CUSTOMER: &str = "/entity/Default/24.200.001/Customer";
const PASSWORD: &str = "hostile-server-Pa55w0rd";
const CLIENT_SECRET: &str = "hostile-server-client-secret";

async fn start(behaviour: Behaviour) -> MisbehavingServer {
    MisbehavingServer::start(behaviour)
        .await
        .unwrap_or_else(|e| panic!("the misbehaving server did not start: {e}"))
}

fn builder(server: &MisbehavingServer) -> ClientBuilder {
    AcumaticaClient::builder()
        .base_url(server.url())
        .credentials(Credentials::new("admin", PASSWORD).tenant("Company"))
        .retry(fast_retries())
        .timeout(Duration::from_secs(10))
        .drop_logout_timeout(Duration::from_millis(300))
}

fn client(server: &MisbehavingServer) -> AcumaticaClient {
    builder(server).build().unwrap()
}

fn oauth_client(server: &MisbehavingServer) -> AcumaticaClient {
    AcumaticaClient::builder()
        .base_url(server.url())
        .oauth(OAuthConfig::password(
            "hostile@Company",
            CLIENT_SECRET,
            "admin",
            PASSWORD,
        ))
        .retry(fast_retries())
        .timeout(Duration::from_secs(10))
        .drop_logout_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

/// (method, target) of every request the instance received.
fn seen(server: &MisbehavingServer) -> Vec<(String, String)> {
    server
        .requests()
        .into_iter()
        .map(|r| (r.method, r.target))
        .collect()
}

fn pair(method: &str, target: &str) -> (String, String) {
    (method.to_owned(), target.to_owned())
}

/// Nothing reached the other origin: no connection, no request.
fn assert_other_untouched(server: &MisbehavingServer, case: &str) {
    assert_eq!(
        server.other_connections(),
        0,
        "{case}: something connected to the other origin"
    );
    assert_eq!(server.other_requests(), [], "{case}");
}

/// `err` is `Redirected` for `method path` with `status`, naming exactly `location`.
fn assert_redirected(err: &Error, method: &str, path: &str, status: u16, location: &str) {
    match err {
        Error::Redirected {
            request,
            status: s,
            location: l,
        } => {
            assert_eq!(
                (request.method.as_str(), request.path.as_str()),
                (method, path)
            );
            assert_eq!(*s, status);
            assert_eq!(l, location);
        }
        other => panic!("{method} {path}: expected Redirected, got {other:?}"),
    }
    assert_eq!(err.status(), Some(status));
    assert!(!err.may_have_been_applied(), "{err}");
    assert!(!err.is_transient(), "{err}");
    let shown = err.to_string();
    assert!(shown.contains(location), "{shown}");
    assert!(shown.contains("redirects are not followed"), "{shown}");
}

/// Every target the server offers, other origins first.
fn targets() -> Vec<Target> {
    vec![
        Target::OtherOrigin,
        Target::OtherOriginSchemeRelative,
        Target::OtherOriginHttps,
        Target::OtherOriginWithUserInfo,
        Target::SameHostHttps,
        Target::SameListenerOtherHostName,
        Target::SameOriginWithUserInfo,
        Target::SameOrigin,
        Target::Itself,
        Target::Raw("file:///etc/passwd".into()),
        Target::Raw("ftp://127.0.0.1/x".into()),
    ]
}

const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

#[tokio::test]
async fn a_redirected_sign_in_fails_and_the_password_goes_nowhere_else() {
    for status in STATUSES {
        for to in targets() {
            let case = format!("{status} to {to:?}");
            let server = start(Behaviour::login_redirect(status, to.clone())).await;
            let client = client(&server);
            let err = client.login().await.unwrap_err();
            let location = server.location(&to, "/entity/auth/login");
            assert_redirected(&err, "POST", "/entity/auth/login", status, &location);

            // Exactly one sign-in reached the instance, on one connection; nothing was re-sent
            // (not to `/moved/...` on the same listener, not to itself, not with Basic auth).
            assert_eq!(
                seen(&server),
                [pair("POST", "/entity/auth/login")],
                "{case}"
            );
            assert_eq!(server.connections(), 1, "{case}");
            let login = &server.requests()[0];
            assert!(login.body_text().contains(PASSWORD), "{case}: sanity");
            assert_eq!(login.header("authorization"), None, "{case}");
            assert_eq!(login.header("cookie"), None, "{case}");
            assert_other_untouched(&server, &case);
            assert!(!err.to_string().contains(PASSWORD), "{case}: {err}");
            assert!(!format!("{err:?}").contains(PASSWORD), "{case}");
        }
    }
}

#[tokio::test]
async fn redirected_data_calls_fail_and_no_cookie_or_record_crosses_origins() {
    let customer = Customer {
        customer_id: "C001".into(),
        customer_name: "Renamed".into(),
        ..Customer::default()
    };
    for status in STATUSES {
        for to in targets() {
            let case = format!("{status} to {to:?}");
            let server = start(Behaviour::data_redirect(status, to.clone())).await;
            let client = client(&server);
            let c = client.customers();
            let loc = |target: &str| server.location(&to, target);

            let err = c.get_by_id("C001").await.unwrap_err();
            let path = format!("{CUSTOMER}/C001");
            assert_redirected(&err, "GET", &path, status, &loc(&path));
            let err = c.get_list(QueryOptions::new().top(5)).await.unwrap_err();
            assert_redirected(
                &err,
                "GET",
                CUSTOMER,
                status,
                &loc(&format!("{CUSTOMER}?%24top=5")),
            );
            let err = c
                .put_entity(&customer, QueryOptions::new())
                .await
                .unwrap_err();
            assert_redirected(&err, "PUT", CUSTOMER, status, &loc(CUSTOMER));
            let err = c.delete_by_keys(&["C001"]).await.unwrap_err();
            assert_redirected(&err, "DELETE", &path, status, &loc(&path));
            let files = "/entity/Default/24.200.001/files/9b5c5f1e-3c4d-4e2a-9f7b-1a2b3c4d5e6f";
            let link = FileLink {
                href: files.into(),
                ..FileLink::default()
            };
            let err = c.get_file(&link).await.unwrap_err();
            assert_redirected(&err, "GET", files, status, &loc(files));
            client.logout().await.unwrap();

            assert_eq!(
                seen(&server),
                [
                    pair("POST", "/entity/auth/login"),
                    pair("GET", &path),
                    pair("GET", &format!("{CUSTOMER}?%24top=5")),
                    pair("PUT", CUSTOMER),
                    pair("DELETE", &path),
                    pair("GET", files),
                    pair("POST", "/entity/auth/logout"),
                ],
                "{case}: one request per call, nothing followed"
            );
            // The cookie went with every call, to the instance only.
            let aspxauth = &server.secrets().aspxauth;
            for r in &server.requests()[1..6] {
                assert!(
                    r.header("cookie")
                        .is_some_and(|c| c.contains(aspxauth.as_str())),
                    "{case}: {r:?}"
                );
                assert_eq!(r.header("authorization"), None, "{case}");
            }
            assert_other_untouched(&server, &case);
        }
    }
}

#[tokio::test]
async fn a_followed_redirect_would_have_returned_the_other_origins_customer() {
    // For contrast: the other origin does serve a plausible Customer, which the SDK never
    // returns, and the instance's own answer is served normally.
    let server = start(Behaviour::normal()).await;
    let client = client(&server);
    let c: Customer = client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(c.customer_id, "C001");
    assert_ne!(c.customer_id, OTHER_CUSTOMER_ID);
    client.logout().await.unwrap();
    assert_eq!(server.requests().len(), 3);
    assert_other_untouched(&server, "normal");
}

#[tokio::test]
async fn a_redirected_sign_out_or_token_request_is_not_followed() {
    for status in STATUSES {
        for to in [
            Target::OtherOrigin,
            Target::OtherOriginSchemeRelative,
            Target::OtherOriginWithUserInfo,
        ] {
            let case = format!("{status} to {to:?}");
            let server = start(Behaviour::logout_redirect(status, to.clone())).await;
            let client = client(&server);
            client.login().await.unwrap();
            let err = client.logout().await.unwrap_err();
            let location = server.location(&to, "/entity/auth/logout");
            assert_redirected(&err, "POST", "/entity/auth/logout", status, &location);
            let logouts = seen(&server)
                .iter()
                .filter(|(_, t)| t == "/entity/auth/logout")
                .count();
            assert_eq!(logouts, 1, "{case}: {:?}", seen(&server));
            assert_other_untouched(&server, &case);
            drop(client);

            let server = start(Behaviour::token_redirect(status, to.clone())).await;
            let client = oauth_client(&server);
            let err = client.login().await.unwrap_err();
            let location = server.location(&to, "/identity/connect/token");
            assert_redirected(&err, "POST", "/identity/connect/token", status, &location);
            assert_eq!(
                seen(&server),
                [pair("POST", "/identity/connect/token")],
                "{case}"
            );
            let body = server.requests()[0].body_text();
            assert!(body.contains(CLIENT_SECRET) && body.contains("grant_type=password"));
            assert_other_untouched(&server, &case);
        }
    }
}

#[tokio::test]
async fn a_file_link_cannot_send_the_cookie_to_another_host() {
    // A `files` link comes from the server's answer. `href` holding `@host:port/...` appended to
    // the instance URL would make `http://127.0.0.1:PORT@host:port/...`: user info, then
    // another host, which would get the session cookie (and `Authorization: Basic` made of the
    // instance's host and port).
    let server = start(Behaviour::normal()).await;
    let other = server.other_url().trim_start_matches("http://").to_owned();
    let client = client(&server);
    client.login().await.unwrap();
    let files = "/entity/Default/24.200.001/files/x";
    let refused = [
        format!("@{other}{files}"),
        format!("//{other}{files}"),
        format!(":{}{files}", server.other_url().rsplit(':').next().unwrap()),
        format!(".evil.example{files}"),
        format!("{}{files}", &other[other.len() - 1..]),
        "entity/Default/24.200.001/files/x".to_owned(),
    ];
    for href in &refused {
        let link = FileLink {
            href: href.clone(),
            ..FileLink::default()
        };
        let err = client.customers().get_file(&link).await.unwrap_err();
        match &err {
            Error::InvalidRequest { what, message } => {
                assert_eq!(what, "path", "{href}");
                assert!(
                    message.contains("does not stay on the instance"),
                    "{href}: {message}"
                );
            }
            other => panic!("{href}: expected InvalidRequest, got {other:?}"),
        }
        assert!(!err.may_have_been_applied());
        assert_other_untouched(&server, href);
    }
    // An absolute link to another host is taken as a path of the instance.
    let link = FileLink {
        href: format!("http://{other}{files}"),
        ..FileLink::default()
    };
    let bytes = client.customers().get_file(&link).await.unwrap();
    assert_eq!(&bytes[..], b"[]");
    assert_other_untouched(&server, "an absolute link");
    client.logout().await.unwrap();
    assert_eq!(
        seen(&server),
        [
            pair("POST", "/entity/auth/login"),
            pair("GET", files),
            pair("POST", "/entity/auth/logout"),
        ]
    );
}

#[tokio::test]
async fn a_huge_body_is_refused_at_the_cap_without_reading_it() {
    for framing in [Framing::ContentLength, Framing::Chunked] {
        let server = start(Behaviour::huge_body(20 << 20, framing)).await;
        let client = builder(&server)
            .max_response_bytes(1 << 20)
            .build()
            .unwrap();
        client.login().await.unwrap();
        let started = Instant::now();
        let err = client
            .customers()
            .get_list(QueryOptions::new())
            .await
            .unwrap_err();
        let elapsed = started.elapsed();
        match &err {
            Error::BodyTooLarge { request, limit } => {
                assert_eq!(
                    (request.method.as_str(), request.path.as_str()),
                    ("GET", CUSTOMER)
                );
                assert_eq!(*limit, 1 << 20);
            }
            other => panic!("{framing:?}: expected BodyTooLarge, got {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            format!("GET {CUSTOMER}: the answer is larger than the limit of 1048576 bytes")
        );
        assert!(!err.may_have_been_applied() && !err.is_transient());
        assert!(elapsed < Duration::from_secs(3), "{framing:?}: {elapsed:?}");
        // One data request, not retried.
        assert_eq!(
            seen(&server),
            [pair("POST", "/entity/auth/login"), pair("GET", CUSTOMER)],
            "{framing:?}"
        );
        // The client went away: the server could not write the 20 MiB.
        eventually("the huge body ends", Duration::from_secs(10), || {
            server.streams_open() == 0
        })
        .await;
        assert_eq!(server.streams_ended_by_client(), 1, "{framing:?}");
        assert!(server.streamed_bytes() < 20 << 20, "{framing:?}");
    }
}

#[tokio::test]
async fn huge_and_endless_sign_in_and_token_answers_end_at_the_cap() {
    let cases = [
        (
            "a huge sign-in answer",
            Behaviour {
                login: Answer::Huge {
                    bytes: 20 << 20,
                    framing: Framing::Chunked,
                },
                ..Behaviour::normal()
            },
            "/entity/auth/login",
        ),
        (
            "an endless sign-in answer",
            Behaviour {
                login: Answer::Endless {
                    max: Duration::from_secs(20),
                },
                ..Behaviour::normal()
            },
            "/entity/auth/login",
        ),
        (
            "a huge token answer",
            Behaviour {
                token: Answer::Huge {
                    bytes: 20 << 20,
                    framing: Framing::ContentLength,
                },
                ..Behaviour::normal()
            },
            "/identity/connect/token",
        ),
        (
            "an endless token answer",
            Behaviour {
                token: Answer::Endless {
                    max: Duration::from_secs(20),
                },
                ..Behaviour::normal()
            },
            "/identity/connect/token",
        ),
    ];
    for (case, behaviour, path) in cases {
        let server = start(behaviour).await;
        let client = if path == "/entity/auth/login" {
            builder(&server)
                .max_response_bytes(1 << 20)
                .build()
                .unwrap()
        } else {
            AcumaticaClient::builder()
                .base_url(server.url())
                .oauth(OAuthConfig::password(
                    "hostile@Company",
                    CLIENT_SECRET,
                    "admin",
                    PASSWORD,
                ))
                .max_response_bytes(1 << 20)
                .retry(fast_retries())
                .build()
                .unwrap()
        };
        let started = Instant::now();
        let err = client.login().await.unwrap_err();
        match &err {
            Error::BodyTooLarge { request, limit } => {
                assert_eq!(
                    (request.method.as_str(), request.path.as_str()),
                    ("POST", path)
                );
                assert_eq!(*limit, 1 << 20, "{case}");
            }
            other => panic!("{case}: expected BodyTooLarge, got {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(3), "{case}");
        assert_eq!(seen(&server), [pair("POST", path)], "{case}: not retried");
        eventually(case, Duration::from_secs(5), || server.streams_open() == 0).await;
        assert_eq!(server.streams_ended_by_client(), 1, "{case}");
        assert!(!err.to_string().contains(PASSWORD), "{case}");
    }
}

#[tokio::test]
async fn a_redirect_location_shows_no_token_or_code() {
    // An OAuth-style redirect carries a code or tokens in its query or fragment.
    let (code, token) = ("c0de-5ecret-7731-abcdef", "t0ken-5ecret-8842-abcdef");
    let raw = format!(
        "http://127.0.0.1:9/cb?code={code}&state=xyz#access_token={token}&token_type=Bearer"
    );
    let server = start(Behaviour::login_redirect(302, Target::Raw(raw.clone()))).await;
    let (logs, _guard) = super::secrets::capture();
    let client = client(&server);
    let err = client.login().await.unwrap_err();
    let Error::Redirected { location, .. } = &err else {
        panic!("expected Redirected, got {err:?}");
    };
    assert!(location.starts_with("http://127.0.0.1:9/cb?"), "{location}");
    let err2 = client.customers().get_by_id("C001").await.unwrap_err();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err2.to_string(),
        logs.text(),
    ] {
        assert!(!text.contains(code), "the code shows: {text}");
        assert!(!text.contains(token), "the token shows: {text}");
    }
}

/// Records in a huge answer of `bytes` bytes: 127-byte customers, then one padding record.
fn huge_records(bytes: u64) -> usize {
    ((bytes - 12) / 127) as usize + 1
}

#[tokio::test]
async fn the_cap_is_exact_and_files_have_their_own() {
    const CAP: u64 = 1 << 20;
    for framing in [Framing::ContentLength, Framing::Chunked] {
        // Exactly the cap: read.
        let server = start(Behaviour::huge_body(CAP, framing)).await;
        let client = builder(&server).max_response_bytes(CAP).build().unwrap();
        let records = client
            .customers()
            .get_list(QueryOptions::new())
            .await
            .unwrap_or_else(|e| panic!("{framing:?}: {e}"));
        assert_eq!(records.len(), huge_records(CAP), "{framing:?}");
        assert_eq!(records[0].customer_id, "HUGE000001");
        client.logout().await.unwrap();

        // One byte more: refused.
        let server = start(Behaviour::huge_body(CAP + 1, framing)).await;
        let client = builder(&server).max_response_bytes(CAP).build().unwrap();
        let err = client
            .customers()
            .get_list(QueryOptions::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: CAP, .. }),
            "{framing:?}: {err:?}"
        );
        client.logout().await.unwrap();

        // A file download is capped by max_file_bytes, not by max_response_bytes.
        let server = start(Behaviour::huge_body(64 << 10, framing)).await;
        let client = builder(&server)
            .max_response_bytes(1024)
            .max_file_bytes(64 << 10)
            .build()
            .unwrap();
        let link = FileLink {
            href: "/entity/Default/24.200.001/files/9b5c5f1e-3c4d-4e2a-9f7b-1a2b3c4d5e6f".into(),
            ..FileLink::default()
        };
        let bytes = client.customers().get_file(&link).await.unwrap();
        assert_eq!(bytes.len(), 64 << 10, "{framing:?}");
        client.logout().await.unwrap();

        let server = start(Behaviour::huge_body(4 << 20, framing)).await;
        let client = builder(&server).max_file_bytes(1 << 20).build().unwrap();
        let err = client.customers().get_file(&link).await.unwrap_err();
        match &err {
            Error::BodyTooLarge { request, limit } => {
                assert_eq!(request.path, link.href);
                assert_eq!(*limit, 1 << 20);
            }
            other => panic!("{framing:?}: expected BodyTooLarge, got {other:?}"),
        }
        client.logout().await.unwrap();
    }
}

#[tokio::test]
async fn an_endless_body_ends_at_the_cap_and_the_client_disconnects() {
    let server = start(Behaviour::endless_body(Duration::from_secs(20))).await;
    let client = builder(&server)
        .max_response_bytes(256 << 10)
        .build()
        .unwrap();
    client.login().await.unwrap();
    let started = Instant::now();
    let err = client
        .customers()
        .get_list(QueryOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit, .. } if limit == 256 << 10),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The server sees the client go away long before its 20 s are up.
    eventually("the endless body ends", Duration::from_secs(5), || {
        server.streams_open() == 0
    })
    .await;
    assert_eq!(server.streams_ended_by_client(), 1);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(
        seen(&server),
        [pair("POST", "/entity/auth/login"), pair("GET", CUSTOMER)]
    );
    // The session is still usable afterwards (a new connection).
    client.logout().await.unwrap();
    assert_eq!(server.requests().len(), 3);
}

/// Whether `text` shows `secret` or a 12-character piece of its random part.
pub(super) fn shows(text: &str, secret: &str) -> bool {
    const JWT_HEAD: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ";
    let random = secret.strip_prefix(JWT_HEAD).unwrap_or(secret);
    let chars: Vec<char> = random.chars().collect();
    text.contains(secret)
        || chars
            .windows(12)
            .step_by(6)
            .any(|w| text.contains(&w.iter().collect::<String>()))
}

#[tokio::test]
async fn an_undecodable_token_answer_leaves_no_token_in_errors_or_logs() {
    let (logs, _guard) = super::secrets::capture();
    let mut every_secret: Vec<String> = vec![PASSWORD.into(), CLIENT_SECRET.into()];
    for garbage in [
        TokenGarbage::Truncated,
        TokenGarbage::WrappedInArray,
        TokenGarbage::ExpiresInObject,
    ] {
        let server = start(Behaviour::undecodable_token(garbage)).await;
        let secrets = server.secrets().clone();
        every_secret.extend(secrets.all().iter().map(|s| (*s).to_owned()));
        let client = oauth_client(&server);
        let mut shown = vec![format!("{client:?}")];
        match garbage {
            TokenGarbage::ExpiresInObject => {
                // `expires_in` is not a number: the SDK takes the default lifetime and the
                // token works.
                client.login().await.unwrap();
                let c: Customer = client.customers().get_by_id("C001").await.unwrap();
                assert_eq!(c.customer_id, "C001");
                let sent = server.requests();
                assert_eq!(
                    sent[1].header("authorization"),
                    Some(format!("Bearer {}", secrets.access_token).as_str())
                );
            }
            _ => {
                let err = client.login().await.unwrap_err();
                let Error::Decode {
                    request, excerpt, ..
                } = &err
                else {
                    panic!("{garbage:?}: expected Decode, got {err:?}");
                };
                assert_eq!(request.path, "/identity/connect/token");
                assert!(excerpt.contains("<redacted>"), "{excerpt}");
                assert!(excerpt.contains("\"access_token\""), "{excerpt}");
                assert!(!err.may_have_been_applied());
                shown.push(err.to_string());
                shown.push(format!("{err:?}"));
                shown.push(format!("{err:#?}"));
                // A data call signs in inside its request span and logs the failure at DEBUG.
                let err = client.customers().get_by_id("C001").await.unwrap_err();
                assert!(matches!(err, Error::Decode { .. }), "{err:?}");
                shown.push(err.to_string());
                shown.push(format!("{err:?}"));
                assert_eq!(
                    seen(&server),
                    [
                        pair("POST", "/identity/connect/token"),
                        pair("POST", "/identity/connect/token")
                    ],
                    "{garbage:?}: a decode failure is not retried"
                );
            }
        }
        shown.push(format!("{client:?}"));
        drop(client);
        for text in &shown {
            for secret in secrets.all().iter().chain(&[PASSWORD, CLIENT_SECRET]) {
                assert!(!shows(text, secret), "{garbage:?} shows {secret}: {text}");
            }
        }
        assert_other_untouched(&server, &format!("{garbage:?}"));
    }
    let text = logs.text();
    assert!(text.contains("acumatica.request"), "sanity: {text}");
    assert!(
        text.contains("cannot decode the response"),
        "sanity: {text}"
    );
    for secret in &every_secret {
        assert!(!shows(&text, secret), "the log shows {secret}:\n{text}");
    }
    assert!(
        !text.contains("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ"),
        "the log shows a token"
    );
}
