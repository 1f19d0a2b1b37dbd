//! Sessions: sign-in on first use, one re-sign-in after the tenant expires the session, login
//! failures and the API login limit as their own errors, logout (explicit and on drop), and
//! `SessionPool` (lazy, bounded, signs every session out on close and on drop).

use std::time::Duration;

use acumatica_emulator::User;
use acumatica_sdk::default::{Customer, DefaultEndpoint};
use acumatica_sdk::query::QueryOptions;
use acumatica_sdk::{AcumaticaClient, Credentials, Error};
use acumatica_tests::proxy::RecordingProxy;
use acumatica_tests::{
    Config, answers, builder, builder_at, client, emulator, emulator_with, eventually,
};

const DEADLINE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn signs_in_on_first_use_and_again_after_the_session_expires() {
    let emu = emulator().await;
    let client = client(&emu);
    assert_eq!(
        emu.metrics().logins,
        0,
        "no sign-in before the first request"
    );
    let first: Customer = client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(emu.metrics().logins, 1);

    emu.expire_sessions();
    assert_eq!(emu.metrics().active_sessions, 0);
    let again: Customer = client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(again, first);
    let m = emu.metrics();
    assert_eq!(m.logins, 2, "exactly one new sign-in");
    assert_eq!(answers(&m, 401), 1, "one 401, then the retry succeeded");
    assert_eq!(client.session().logins(), 2);

    // Concurrent requests that all meet the expired session sign in once between them.
    emu.expire_sessions();
    let service = client.customers();
    let results = futures::future::join_all(
        ["C001", "C002", "C003", "C004", "C005"].map(|k| service.get_by_id(k)),
    )
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(emu.metrics().logins, 3);
}

#[tokio::test]
async fn a_refused_login_is_an_authentication_error() {
    let emu = emulator().await;
    let client = AcumaticaClient::builder()
        .base_url(emu.url())
        .credentials(Credentials::new("admin", "wrong password").tenant("Company"))
        .build()
        .unwrap();
    let err = client.login().await.unwrap_err();
    let Error::Authentication {
        status,
        message,
        exception_type,
        request,
    } = &err
    else {
        panic!("not an authentication error: {err:?}");
    };
    assert_eq!(*status, 500);
    assert!(message.contains("Invalid credentials"), "{message}");
    assert_eq!(exception_type.as_deref(), Some("PX.Data.PXException"));
    assert_eq!(request.path, "/entity/auth/login");

    // A request signs in by itself and reports the same error, without retrying.
    let err = client
        .customers()
        .get_list(QueryOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    let m = emu.metrics();
    assert_eq!((m.logins, m.failed_logins), (0, 2));
}

#[tokio::test]
async fn an_unknown_tenant_is_an_authentication_error() {
    let emu = emulator_with(Config::default().tenants(["Company", "Other"])).await;
    let client = AcumaticaClient::builder()
        .base_url(emu.url())
        .credentials(Credentials::new("admin", "admin").tenant("Nowhere"))
        .build()
        .unwrap();
    let err = client.login().await.unwrap_err();
    assert!(
        matches!(&err, Error::Authentication { exception_type: Some(t), .. } if t.contains("PXUndefinedCompanyException")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_api_login_limit_is_its_own_error() {
    for status in [500, 429] {
        let mut config = Config::default().max_sessions(Some(1));
        config.login_limit_status = status;
        let emu = emulator_with(config).await;
        let first = client(&emu);
        first.login().await.unwrap();
        let second = client(&emu);
        let err = second.customers().get_by_id("C001").await.unwrap_err();
        assert!(
            matches!(&err, Error::LoginLimit { status: s, message, .. } if *s == status && message.contains("API Login Limit")),
            "{status}: {err:?}"
        );
        // Not retried like a 429 of the request pipeline.
        assert_eq!(emu.metrics().login_limit_rejections, 1, "{status}");

        // Signing the first session out frees the slot.
        first.logout().await.unwrap();
        second.customers().get_by_id("C001").await.unwrap();
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_the_next_request_signs_in() {
    let emu = emulator().await;
    let client = client(&emu);
    client.login().await.unwrap();
    assert_eq!(emu.metrics().active_sessions, 1);
    assert!(client.session().is_active());
    client.logout().await.unwrap();
    let m = emu.metrics();
    assert_eq!((m.active_sessions, m.logouts), (0, 1));
    assert!(!client.session().is_active());
    client.logout().await.unwrap(); // idempotent: nothing to sign out
    assert_eq!(emu.metrics().logouts, 1);

    client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(emu.metrics().logins, 2);
}

#[tokio::test]
async fn dropping_the_last_clone_signs_out_in_the_background() {
    let emu = emulator().await;
    let client = client(&emu);
    let clone = client.clone();
    clone.customers().get_by_id("C001").await.unwrap();
    drop(client);
    // A clone still holds the session.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(emu.metrics().active_sessions, 1);
    drop(clone);
    eventually("the session is signed out", DEADLINE, || {
        emu.metrics().active_sessions == 0
    })
    .await;
    assert_eq!(emu.metrics().logouts, 1);
}

#[tokio::test]
async fn session_pool_opens_sessions_lazily_up_to_its_size_and_closes_them_all() {
    let emu = emulator().await;
    let client = client(&emu);
    let pool = client.session_pool(3);
    assert_eq!(pool.max_sessions(), 3);
    assert_eq!(
        emu.metrics().logins,
        0,
        "nothing opened before the first acquire"
    );

    // One request at a time needs one session.
    let call = client.customers().get_by_id_batch("C001");
    for _ in 0..5 {
        let s = pool.acquire().await.unwrap();
        call.run_on(&s).await.unwrap();
        pool.release(s);
    }
    assert_eq!(pool.stats().sessions, 1);
    assert_eq!(emu.metrics().active_sessions, 1);

    // Three held at once: three sessions, each signed in separately.
    let held = [
        pool.acquire().await.unwrap(),
        pool.acquire().await.unwrap(),
        pool.acquire().await.unwrap(),
    ];
    assert_eq!(emu.metrics().active_sessions, 3);
    let ids: std::collections::BTreeSet<u64> = held.iter().map(|s| s.id()).collect();
    assert_eq!(ids.len(), 3);
    for s in &held {
        call.run_on(s).await.unwrap();
    }
    // A fourth waits for one to come back; it never opens a fourth session.
    let waiting = tokio::time::timeout(Duration::from_millis(100), pool.acquire()).await;
    assert!(waiting.is_err(), "a fourth session was handed out");
    let [a, b, c] = held;
    pool.release(a);
    let again = pool.acquire().await.unwrap();
    assert_eq!(emu.metrics().logins, 3);
    pool.release(again);
    pool.release(b);
    pool.release(c);
    let stats = pool.stats();
    assert_eq!((stats.sessions, stats.logins), (3, 3));

    pool.close().await.unwrap();
    let m = emu.metrics();
    assert_eq!((m.active_sessions, m.logouts), (0, 3));
    assert!(
        pool.acquire().await.is_err(),
        "a closed pool hands out nothing"
    );
}

#[tokio::test]
async fn dropping_a_session_pool_signs_its_sessions_out_in_the_background() {
    let emu = emulator().await;
    let client = client(&emu);
    let pool = client.session_pool(2);
    let (a, b) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    pool.release(a);
    pool.release(b);
    assert_eq!(emu.metrics().active_sessions, 2);
    drop(pool);
    eventually("the pool's sessions are signed out", DEADLINE, || {
        emu.metrics().active_sessions == 0
    })
    .await;
    assert_eq!(emu.metrics().logouts, 2);
}

#[tokio::test]
async fn a_user_of_a_pool_cancelled_mid_sign_in_leaves_no_session_behind() {
    let emu = emulator().await;
    // The server's answers reach the client 300 ms late: a sign-in the server accepted is still
    // in flight when the task using it is cancelled.
    let proxy = RecordingProxy::with_delay(emu.addr(), Duration::from_millis(300)).await;
    let client = builder_at(proxy.url(), &emu).build().unwrap();
    let pool = client.session_pool(2);
    let task = {
        let (pool, call) = (pool.clone(), client.customers().get_by_id_batch("C001"));
        tokio::spawn(async move {
            let s = pool.acquire().await?;
            call.run_on(&s).await
        })
    };
    eventually("the server opened the session", DEADLINE, || {
        emu.metrics().logins == 1
    })
    .await;
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert_eq!(emu.metrics().active_sessions, 1);
    drop(pool);
    eventually("the session is signed out", DEADLINE, || {
        emu.metrics().active_sessions == 0
    })
    .await;
    assert_eq!(emu.metrics().logouts, 1);
}

#[tokio::test]
async fn a_user_of_a_pool_cancelled_mid_request_leaves_no_session_behind() {
    let emu =
        emulator_with(Config::default().latency(Duration::from_millis(300), Duration::ZERO)).await;
    let client = client(&emu);
    let pool = client.session_pool(2);
    let task = {
        let (pool, call) = (
            pool.clone(),
            client.customers().get_list_batch(QueryOptions::new()),
        );
        tokio::spawn(async move {
            let s = pool.acquire().await?;
            call.run_on(&s).await
        })
    };
    eventually("the request is in", DEADLINE, || {
        emu.metrics().requests_total == 2
    })
    .await;
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    drop(pool);
    eventually("the session is signed out", DEADLINE, || {
        emu.metrics().active_sessions == 0
    })
    .await;
}

#[tokio::test]
async fn a_pool_stops_growing_at_the_login_limit() {
    let emu = emulator_with(Config::default().max_sessions(Some(2))).await;
    let client = client(&emu);
    let pool = client.session_pool(4);
    let (a, b) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    let third = tokio::spawn({
        let pool = pool.clone();
        async move { pool.acquire().await }
    });
    eventually("the pool saw the login limit", DEADLINE, || {
        pool.stats().login_limit_hit
    })
    .await;
    assert!(emu.metrics().login_limit_rejections >= 1);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !third.is_finished(),
        "it waits for a session instead of failing"
    );
    pool.release(a);
    let c = third.await.unwrap().unwrap();
    pool.release(c);
    pool.release(b);
    // From now on the pool works with the two sessions it has and tries no more sign-ins.
    let rejections = emu.metrics().login_limit_rejections;
    let call = client.customers().get_by_id_batch("C001");
    let sessions = futures::future::join_all((0..6).map(|_| async {
        let s = pool.acquire().await.unwrap();
        call.run_on(&s).await.unwrap();
        pool.release(s);
    }));
    sessions.await;
    let m = emu.metrics();
    assert_eq!((m.logins, m.login_limit_rejections), (2, rejections));
    assert_eq!(pool.stats().sessions, 2);
    pool.close().await.unwrap();
    assert_eq!(emu.metrics().active_sessions, 0);
}

#[tokio::test]
async fn another_user_of_the_tenant_signs_in_with_their_own_credentials() {
    let emu = emulator_with(Config::default().user(User::new("clerk", "clerk-pass"))).await;
    let client = builder(&emu)
        .credentials(Credentials::new("clerk", "clerk-pass").tenant("Company"))
        .build()
        .unwrap();
    client.customers().get_by_id("C001").await.unwrap();
    assert_eq!(emu.metrics().logins, 1);
}
