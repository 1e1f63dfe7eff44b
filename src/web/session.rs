//! Who is signed in: the session cookie, the form token (CSRF) that goes with it, and the
//! counter this browser works at.
//!
//! The session cookie `pq_session` holds a 256-bit secret (only its hash is stored), is
//! `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` behind TLS. Every form that changes
//! something carries the session's `csrf` token in a hidden field; the sign-in form, which has
//! no session yet, uses a random cookie and the same value in a hidden field (double submit).

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::AppState;
use crate::auth::Actor;
use crate::auth::sessions::{self, SESSION_HOURS};
use crate::db::models::Port;
use crate::error::AppError;
use crate::service::ports;

use super::web_error::WebError;

/// The session cookie.
pub const SESSION_COOKIE: &str = "pq_session";
/// The sign-in form's double-submit cookie.
pub const LOGIN_COOKIE: &str = "pq_login";
/// The counter this browser last worked at.
pub const COUNTER_COOKIE: &str = "pq_counter";

/// Pages a person who must change their password may still open.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 2] = ["/account/password", "/logout"];

/// A signed-in request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    /// The token every form of this session carries.
    pub csrf: String,
    /// The session cookie's value (to end the session on sign-out).
    pub token: String,
    /// The account's own port (officers and supervisors).
    pub home_port: Option<Port>,
    /// The counter remembered in this browser.
    pub counter: Option<u32>,
}

impl SignedIn {
    /// 403 unless a form's `csrf` field is this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if same_secret(sent, &self.csrf) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }
}

/// Compares two secrets in time independent of where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    !b.is_empty()
        && a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The path and query of a request, for coming back after sign-in.
fn path_and_query(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}

/// The shared state; its absence is a wiring mistake, reported as ours.
pub fn state(req: &HttpRequest) -> Result<web::Data<AppState>, WebError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| WebError::App(AppError::Internal("AppState is not configured".into())))
}

/// The counter remembered in this browser's cookie.
pub fn remembered_counter(req: &HttpRequest) -> Option<u32> {
    req.cookie(COUNTER_COOKIE)
        .and_then(|c| c.value().parse::<u32>().ok())
        .filter(|n| crate::service::queue::COUNTERS.contains(n))
}

impl FromRequest for SignedIn {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state(&req)?;
            let next = path_and_query(&req);
            let Some(token) = req
                .cookie(SESSION_COOKIE)
                .map(|c| c.value().to_owned())
                .filter(|t| !t.is_empty())
            else {
                return Err(WebError::SignIn { next });
            };
            let lookup = token.clone();
            let found = state
                .run(move |conn, now| {
                    let Some(session) = sessions::find(conn, &lookup, now)? else {
                        return Ok(None);
                    };
                    let home_port = match session.actor.port_id {
                        Some(_) => ports::visible_to(conn, &session.actor)?.into_iter().next(),
                        None => None,
                    };
                    Ok(Some((session, home_port)))
                })
                .await?;
            let Some((session, home_port)) = found else {
                return Err(WebError::SignIn { next });
            };
            if session.actor.must_change_password
                && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&req.path())
            {
                return Err(WebError::Redirect("/account/password".into()));
            }
            Ok(SignedIn {
                actor: session.actor,
                csrf: session.csrf_token,
                token,
                home_port,
                counter: remembered_counter(&req),
            })
        })
    }
}

/// A cookie with the flags every cookie of ours carries.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies)
        .finish()
}

/// The session cookie for a new session; it lasts as long as the session.
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    let mut c = cookie(state, SESSION_COOKIE, token);
    c.set_max_age(CookieDuration::hours(SESSION_HOURS));
    c
}

/// A cookie that tells the browser to forget `name`.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.make_removal();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole_and_an_empty_expected_token_never_matches() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
        assert!(!same_secret("", ""));
    }
}
