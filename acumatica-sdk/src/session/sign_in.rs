//! Signing a session in: a cookie sign-in or an OAuth token, retried like an idempotent request
//! (429 declines, 502/503/504, dropped connections; `Retry-After` honoured).

use std::sync::atomic::Ordering;

use tracing::Instrument;

use super::Session;
use crate::config::Credentials;
use crate::error::{Error, RequestInfo, Result};
use crate::http::{Attempts, BodyLimit, CallKind, error_for, exchange};
use crate::oauth::{self, OAuthConfig, OAuthGrant};
use crate::shared::Counters;

impl Session {
    pub(super) async fn cookie_login(&self, creds: &Credentials) -> Result<u64> {
        // Instrumented, not entered: a guard held across `.await` would leave the span entered
        // on the thread while this future waits, and swallow other tasks' events.
        let span = tracing::debug_span!("acumatica.login", session = self.inner.id);
        self.cookie_login_in_span(creds).instrument(span).await
    }

    async fn cookie_login_in_span(&self, creds: &Credentials) -> Result<u64> {
        let shared = &self.inner.shared;
        let mut body =
            serde_json::json!({ "name": creds.username, "password": creds.password.expose() });
        for (k, v) in [
            ("tenant", &creds.tenant),
            ("branch", &creds.branch),
            ("locale", &creds.locale),
        ] {
            if let Some(v) = v {
                body[k] = v.clone().into();
            }
        }
        let request = RequestInfo {
            method: reqwest::Method::POST,
            path: "/entity/auth/login".into(),
        };
        let url = shared.config.url("/entity/auth/login")?;
        let mut attempts = Attempts::new(shared, CallKind::Idempotent);
        let resp = loop {
            let req = shared.http.post(url.clone()).json(&body);
            let result = exchange(
                &shared.config,
                req,
                request.clone(),
                false,
                BodyLimit::Response,
            )
            .await;
            match attempts.again(&result, &self.inner.retries) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => break result?,
            }
        };
        if !(200..300).contains(&resp.status) {
            tracing::debug!(status = resp.status, "sign-in refused");
            return Err(error_for(&resp, true));
        }
        self.signed_in_now();
        let mut st = self.state();
        st.cookies.clear();
        st.cookies.absorb(&resp.headers);
        st.active = true;
        st.generation += 1;
        tracing::debug!(status = resp.status, "signed in");
        Ok(st.generation)
    }

    fn signed_in_now(&self) {
        self.inner.logins.fetch_add(1, Ordering::Relaxed);
        Counters::bump(&self.inner.shared.stats.logins);
    }

    pub(super) async fn oauth_login(&self, cfg: &OAuthConfig) -> Result<u64> {
        let shared = &self.inner.shared;
        let refresh = self
            .state()
            .token
            .as_ref()
            .and_then(|t| t.refresh.clone())
            .or_else(|| shared.shared_refresh_token());
        let retries = &self.inner.retries;
        let token = match refresh {
            Some(r) => {
                match super::token::request_token(shared, &oauth::refresh_form(cfg, &r), retries)
                    .await
                {
                    Ok(t) => t,
                    // An expired refresh chain: start over with the grant, if it can be used again.
                    Err(Error::Authentication { .. })
                        if matches!(cfg.grant, OAuthGrant::Password { .. }) =>
                    {
                        super::token::request_token(shared, &oauth::initial_form(cfg), retries)
                            .await?
                    }
                    Err(e) => return Err(e),
                }
            }
            None => {
                if matches!(cfg.grant, OAuthGrant::AuthorizationCode { .. }) && shared.code_used() {
                    return Err(Error::Config {
                        setting: "oauth".into(),
                        message: "the authorization code was already exchanged and no refresh token is left; obtain a new code".into(),
                    });
                }
                super::token::request_token(shared, &oauth::initial_form(cfg), retries).await?
            }
        };
        shared.set_shared_refresh_token(cfg, token.refresh.clone());
        self.signed_in_now();
        let mut st = self.state();
        st.token = Some(token);
        st.active = true;
        st.generation += 1;
        Ok(st.generation)
    }
}
