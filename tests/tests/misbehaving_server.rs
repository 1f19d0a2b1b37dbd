//! The misbehaving server (`acumatica_tests::misbehaving`) answers every scenario as
//! documented, checked with plain reqwest (redirects never followed automatically).

use std::time::{Duration, Instant};

use acumatica_tests::eventually;
use acumatica_tests::misbehaving::{
    Answer, Behaviour, ENDLESS_LIMIT, Framing, MisbehavingServer, OTHER_CUSTOMER_ID,
    REDIRECT_PASSWORD, REDIRECT_USER, Target, TokenGarbage,
};
use futures::StreamExt;
use serde_json::{Value, json};

const CUSTOMER: &str = "/entity/Default/24.200.001/Customer/C001";
const PASSWORD: &str = "correct horse battery staple";

async fn start(behaviour: Behaviour) -> MisbehavingServer {
    MisbehavingServer::start(behaviour)
        .await
        .unwrap_or_else(|e| panic!("the misbehaving server did not start: {e}"))
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

fn login_body() -> Value {
    json!({"name": "admin", "password": PASSWORD, "tenant": "Company"})
}

fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_normal_sign_in_sets_the_session_cookies_and_sign_out_answers_204() {
    let server = start(Behaviour::normal()).await;
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert!(server.other_url().starts_with("http://127.0.0.1:"));
    assert_ne!(server.url(), server.other_url());
    let c = http();
    let resp = c
        .post(format!("{}/entity/auth/login", server.url()))
        .json(&login_body())
        .send()
        .await
        .expect("sign-in");
    assert_eq!(resp.status(), 204);
    let s = server.secrets();
    let cookies = set_cookies(&resp);
    assert!(
        cookies.contains(&format!(".ASPXAUTH={}; path=/; HttpOnly", s.aspxauth)),
        "{cookies:?}"
    );
    assert!(
        cookies.contains(&format!(
            "ASP.NET_SessionId={}; path=/; HttpOnly",
            s.session_id
        )),
        "{cookies:?}"
    );

    let cookie = format!(
        ".ASPXAUTH={}; ASP.NET_SessionId={}",
        s.aspxauth, s.session_id
    );
    let (status, body) = get_json(&c, &format!("{}{CUSTOMER}", server.url()), &cookie).await;
    assert_eq!(status, 200);
    assert_eq!(body["CustomerID"]["value"], "C001");
    let (status, list) = get_json(
        &c,
        &format!("{}/entity/Default/24.200.001/Customer?$top=1", server.url()),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["CustomerID"]["value"], "C001");

    let resp = c
        .post(format!("{}/entity/auth/logout", server.url()))
        .header("Cookie", &cookie)
        .header("Content-Length", "0")
        .send()
        .await
        .expect("sign-out");
    assert_eq!(resp.status(), 204);

    // Everything was recorded, in order, with headers and bodies.
    let requests = server.requests();
    let lines: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.target.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("POST", "/entity/auth/login"),
            ("GET", CUSTOMER),
            ("GET", "/entity/Default/24.200.001/Customer?$top=1"),
            ("POST", "/entity/auth/logout"),
        ]
    );
    let sent: Value = serde_json::from_slice(&requests[0].body).expect("JSON body");
    assert_eq!(sent, login_body());
    assert!(
        requests[0]
            .header("content-type")
            .is_some_and(|v| v.starts_with("application/json"))
    );
    assert_eq!(requests[1].header("COOKIE"), Some(cookie.as_str()));
    assert_eq!(server.other_requests(), []);
    assert_eq!(server.other_connections(), 0);

    server.clear();
    assert_eq!(server.requests(), []);
    assert_eq!(server.connections(), 0);
}

async fn get_json(c: &reqwest::Client, url: &str, cookie: &str) -> (u16, Value) {
    let resp = c
        .get(url)
        .header("Cookie", cookie)
        .send()
        .await
        .expect("GET");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn sign_in_redirects_point_at_the_other_origin_which_records_what_reaches_it() {
    for status in [302, 307, 308] {
        let server = start(Behaviour::login_redirect(status, Target::OtherOrigin)).await;
        let c = http();
        let resp = c
            .post(format!("{}/entity/auth/login", server.url()))
            .json(&login_body())
            .send()
            .await
            .expect("sign-in");
        assert_eq!(resp.status().as_u16(), status);
        assert!(set_cookies(&resp).is_empty());
        let to = location(&resp);
        assert_eq!(to, format!("{}/entity/auth/login", server.other_url()));
        assert_eq!(
            to,
            server.location(&Target::OtherOrigin, "/entity/auth/login")
        );
        assert_eq!(server.requests().len(), 1);
        assert_eq!(server.other_connections(), 0, "nothing followed yet");

        // What a client that follows would do: re-POST the password there. The other origin
        // records it and answers as if the sign-in had worked.
        let followed = c
            .post(&to)
            .json(&login_body())
            .header("Cookie", "a=b")
            .send()
            .await
            .expect("follow");
        assert_eq!(followed.status(), 204);
        let cookies = set_cookies(&followed);
        assert!(
            cookies
                .iter()
                .any(|c| c.contains(&server.secrets().other_aspxauth)),
            "{cookies:?}"
        );
        let there = server.other_requests();
        assert_eq!(there.len(), 1);
        assert_eq!(there[0].method, "POST");
        assert!(there[0].text().contains(PASSWORD));
        assert_eq!(there[0].header("cookie"), Some("a=b"));
        assert_eq!(server.other_connections(), 1);
    }
}

#[tokio::test]
async fn data_call_redirects_lead_to_a_plausible_customer_on_the_other_origin() {
    for status in [301, 302, 307] {
        let server = start(Behaviour::data_redirect(status, Target::OtherOrigin)).await;
        let c = http();
        // Sign-in and sign-out stay normal.
        let login = c
            .post(format!("{}/entity/auth/login", server.url()))
            .json(&login_body())
            .send()
            .await
            .expect("sign-in");
        assert_eq!(login.status(), 204);
        let target = format!("{CUSTOMER}?$expand=MainContact");
        let resp = c
            .get(format!("{}{target}", server.url()))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status().as_u16(), status);
        let to = location(&resp);
        assert_eq!(to, format!("{}{target}", server.other_url()));

        let (code, record) = get_json(&c, &to, "").await;
        assert_eq!(code, 200);
        assert_eq!(record["CustomerID"]["value"], OTHER_CUSTOMER_ID);
        assert!(record["id"].is_string() && record["_links"]["self"].is_string());
        let (_, list) = get_json(
            &c,
            &format!("{}/entity/Default/24.200.001/Customer", server.other_url()),
            "",
        )
        .await;
        assert_eq!(list[0]["CustomerID"]["value"], OTHER_CUSTOMER_ID);
        assert_eq!(server.other_requests()[0].target, target);

        let logout = c
            .post(format!("{}/entity/auth/logout", server.url()))
            .send()
            .await
            .expect("sign-out");
        assert_eq!(logout.status(), 204);
    }
}

#[tokio::test]
async fn every_redirect_target_has_the_documented_location() {
    let server = start(Behaviour::data_redirect(302, Target::OtherOrigin)).await;
    let other = server.other_url().trim_start_matches("http://").to_owned();
    let this = server.url().trim_start_matches("http://").to_owned();
    let port = this.rsplit(':').next().unwrap_or_default().to_owned();
    let cases = [
        (Target::OtherOrigin, format!("http://{other}{CUSTOMER}")),
        (
            Target::OtherOriginSchemeRelative,
            format!("//{other}{CUSTOMER}"),
        ),
        (
            Target::OtherOriginHttps,
            format!("https://{other}{CUSTOMER}"),
        ),
        (
            Target::OtherOriginWithUserInfo,
            format!("http://{REDIRECT_USER}:{REDIRECT_PASSWORD}@{other}{CUSTOMER}"),
        ),
        (Target::SameHostHttps, format!("https://{this}{CUSTOMER}")),
        (
            Target::SameListenerOtherHostName,
            format!("http://localhost:{port}{CUSTOMER}"),
        ),
        (
            Target::SameOriginWithUserInfo,
            format!("http://{REDIRECT_USER}:{REDIRECT_PASSWORD}@{this}/moved{CUSTOMER}"),
        ),
        (Target::SameOrigin, format!("/moved{CUSTOMER}")),
        (Target::Itself, CUSTOMER.to_owned()),
        (
            Target::Raw("file:///etc/passwd".into()),
            "file:///etc/passwd".to_owned(),
        ),
    ];
    let c = http();
    for (to, expected) in cases {
        assert_eq!(server.location(&to, CUSTOMER), expected, "{to:?}");
        let server = start(Behaviour::data_redirect(307, to.clone())).await;
        let resp = c
            .get(format!("{}{CUSTOMER}", server.url()))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), 307, "{to:?}");
        assert_eq!(location(&resp), server.location(&to, CUSTOMER), "{to:?}");
    }

    // The same-origin target is served normally, by the instance itself.
    let server = start(Behaviour::data_redirect(307, Target::SameOrigin)).await;
    let (status, record) = get_json(&c, &format!("{}/moved{CUSTOMER}", server.url()), "").await;
    assert_eq!(status, 200);
    assert_eq!(record["CustomerID"]["value"], "C001");
    assert_eq!(server.other_connections(), 0);

    // Sign-out and token redirects exist too.
    let server = start(Behaviour::logout_redirect(308, Target::OtherOrigin)).await;
    let resp = c
        .post(format!("{}/entity/auth/logout", server.url()))
        .send()
        .await
        .expect("sign-out");
    assert_eq!(resp.status(), 308);
    assert_eq!(
        location(&resp),
        format!("{}/entity/auth/logout", server.other_url())
    );
    let server = start(Behaviour::token_redirect(307, Target::OtherOrigin)).await;
    let resp = c
        .post(format!("{}/identity/connect/token", server.url()))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 307);
    assert_eq!(
        location(&resp),
        format!("{}/identity/connect/token", server.other_url())
    );
}

/// Reads a whole body as a stream: (bytes read, the first `keep` bytes).
async fn read_all(resp: reqwest::Response, keep: usize) -> (u64, Vec<u8>) {
    let mut stream = resp.bytes_stream();
    let (mut n, mut kept) = (0u64, Vec::new());
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("a complete body");
        n += chunk.len() as u64;
        if kept.len() < keep {
            kept.extend_from_slice(&chunk[..chunk.len().min(keep - kept.len())]);
        }
    }
    (n, kept)
}

#[tokio::test]
async fn huge_bodies_have_the_configured_size_with_or_without_content_length() {
    let c = http();
    for framing in [Framing::ContentLength, Framing::Chunked] {
        // Small enough to parse whole.
        let server = start(Behaviour::huge_body(1_000_000, framing)).await;
        let resp = c
            .get(format!("{}{CUSTOMER}", server.url()))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), 200);
        let body = resp.bytes().await.expect("body");
        assert_eq!(body.len(), 1_000_000);
        let parsed: Value = serde_json::from_slice(&body).expect("a JSON array");
        assert!(parsed.as_array().is_some_and(|a| a.len() > 1000));

        // Big: 64 MB, counted as it streams.
        let total = 64 * 1024 * 1024;
        let server = start(Behaviour::huge_body(total, framing)).await;
        let resp = c
            .get(format!("{}{CUSTOMER}", server.url()))
            .send()
            .await
            .expect("GET");
        assert_eq!(resp.status(), 200);
        let announced = resp
            .headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let chunked = resp
            .headers()
            .get(reqwest::header::TRANSFER_ENCODING)
            .is_some_and(|v| v == "chunked");
        match framing {
            Framing::ContentLength => {
                assert_eq!(announced, Some(total.to_string()));
                assert!(!chunked);
            }
            Framing::Chunked => {
                assert_eq!(announced, None);
                assert!(chunked);
            }
        }
        let (n, head) = read_all(resp, 16).await;
        assert_eq!(n, total);
        assert!(head.starts_with(b"[{\"CustomerID\""));
        eventually("the stream closed", Duration::from_secs(10), || {
            server.streams_open() == 0
        })
        .await;
        assert_eq!(server.streamed_bytes(), total);
        assert_eq!(server.streams_ended_by_client(), 0);
    }
}

#[tokio::test]
async fn an_endless_body_stops_when_the_client_goes_away() {
    let server = start(Behaviour::endless_body(Duration::from_secs(50))).await;
    let c = http();
    let started = Instant::now();
    let resp = c
        .get(format!("{}{CUSTOMER}", server.url()))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .is_none()
    );
    let mut stream = resp.bytes_stream();
    let mut n = 0usize;
    while n < 8 * 1024 * 1024 {
        let chunk = stream
            .next()
            .await
            .expect("it does not end")
            .expect("no error");
        n += chunk.len();
    }
    assert_eq!(server.streams_open(), 1);
    drop(stream);
    drop(c);
    eventually(
        "the server noticed the client left",
        Duration::from_secs(20),
        || server.streams_open() == 0,
    )
    .await;
    assert_eq!(server.streams_ended_by_client(), 1);
    assert!(started.elapsed() < Duration::from_secs(40));
    let written = server.streamed_bytes();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.streamed_bytes(), written, "it stopped writing");
}

#[tokio::test]
async fn an_endless_body_is_bounded_in_time() {
    assert_eq!(ENDLESS_LIMIT, Duration::from_secs(60));
    let server = start(Behaviour::endless_body(Duration::from_millis(500))).await;
    let c = http();
    let started = Instant::now();
    let resp = c
        .get(format!("{}{CUSTOMER}", server.url()))
        .send()
        .await
        .expect("GET");
    let mut stream = resp.bytes_stream();
    let mut failed = false;
    let mut n = 0u64;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => n += c.len() as u64,
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    assert!(failed, "the body is cut, never ended properly");
    assert!(n > 0);
    assert!(
        elapsed >= Duration::from_millis(450) && elapsed < Duration::from_secs(15),
        "{elapsed:?}"
    );
    eventually("the stream closed", Duration::from_secs(5), || {
        server.streams_open() == 0
    })
    .await;
    assert_eq!(
        server.streams_ended_by_client(),
        0,
        "ended by the time limit"
    );
}

#[tokio::test]
async fn undecodable_token_answers_carry_the_secret_tokens() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct TokenResponse {
        access_token: String,
        token_type: String,
        expires_in: u64,
        refresh_token: Option<String>,
    }
    let c = http();
    // A normal token answer decodes.
    let server = start(Behaviour::normal()).await;
    let text = c
        .post(format!("{}/identity/connect/token", server.url()))
        .form(&[("grant_type", "password"), ("password", PASSWORD)])
        .send()
        .await
        .expect("token")
        .text()
        .await
        .expect("body");
    let token: TokenResponse = serde_json::from_str(&text).expect("decodes");
    assert_eq!(token.access_token, server.secrets().access_token);

    for garbage in [
        TokenGarbage::ExpiresInObject,
        TokenGarbage::Truncated,
        TokenGarbage::WrappedInArray,
    ] {
        let server = start(Behaviour::undecodable_token(garbage)).await;
        assert_eq!(server.behaviour().token, Answer::UndecodableToken(garbage));
        let resp = c
            .post(format!("{}/identity/connect/token", server.url()))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "old")])
            .send()
            .await
            .expect("token");
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()
                .get(reqwest::header::CONTENT_TYPE)
                .is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json"))
        );
        let text = resp.text().await.expect("body");
        let s = server.secrets();
        assert!(text.contains(&format!(r#""access_token":"{}""#, s.access_token)));
        assert!(text.contains(&format!(r#""refresh_token":"{}""#, s.refresh_token)));
        assert!(
            serde_json::from_str::<TokenResponse>(&text).is_err(),
            "{garbage:?}"
        );
        // The form was recorded.
        assert_eq!(
            server.requests()[0].body_text(),
            "grant_type=refresh_token&refresh_token=old"
        );
    }
}

#[tokio::test]
async fn chunked_request_bodies_are_recorded_decoded() {
    let server = start(Behaviour::normal()).await;
    let chunks: Vec<Result<&'static str, std::io::Error>> =
        vec![Ok("{\"CustomerID\":"), Ok("{\"value\":\"C9\"}}")];
    let resp = http()
        .put(format!(
            "{}/entity/Default/24.200.001/Customer",
            server.url()
        ))
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("PUT");
    assert_eq!(resp.status(), 200);
    let echo: Value = resp.json().await.expect("echo");
    assert_eq!(echo["CustomerID"]["value"], "C9");
    let r = &server.requests()[0];
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body_text(), r#"{"CustomerID":{"value":"C9"}}"#);
}

#[tokio::test]
async fn dropping_the_server_stops_both_listeners() {
    let server = start(Behaviour::endless_body(Duration::from_secs(50))).await;
    let (url, other) = (server.url().to_owned(), server.other_url().to_owned());
    let c = http();
    let resp = c.get(format!("{url}{CUSTOMER}")).send().await.expect("GET");
    let mut stream = resp.bytes_stream();
    assert!(stream.next().await.is_some_and(|c| c.is_ok()));
    drop(server);
    // The endless stream is cut at once.
    let cut = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                return true;
            }
        }
        true
    })
    .await;
    assert_eq!(cut, Ok(true));
    for u in [url, other] {
        let fresh = http();
        let mut refused = false;
        for _ in 0..100 {
            if fresh.get(format!("{u}/entity")).send().await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "{u} still answers");
    }
}
