//! Signing in and out, and changing one's own password.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, sessions, throttle};
use crate::service::accounts;

use super::csrf_form::CsrfForm;
use super::forms::{Errors, FormData};
use super::layout::Layout;
use super::session::{self, LOGIN_COOKIE, SESSION_COOKIE, SignedIn};
use super::{WebError, WebResult, render, see_other};

const LOGIN_LABELS: &[(&str, &str)] = &[("username", "Username"), ("password", "Password")];
const PASSWORD_LABELS: &[(&str, &str)] = &[
    ("current", "Current password"),
    ("new", "New password"),
    ("repeat", "New password again"),
];

#[derive(askama::Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    csrf: String,
    next: String,
    username: String,
    errors: Errors,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only a path on this site may be the place to go after sign-in (no `//evil.example`, and
/// no control characters, which browsers drop: `/<tab>/evil.example` is `//evil.example`).
fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
    {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

fn login_form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    next: String,
    username: String,
    errors: Errors,
) -> HttpResponse {
    // The double-submit token: kept while the browser has one, so two open tabs both work.
    let csrf = req
        .cookie(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64)
        .unwrap_or_else(auth::random_secret);
    let page = LoginPage {
        l: Layout::anonymous(),
        csrf: csrf.clone(),
        next,
        username,
        errors,
    };
    let mut response = render(status, &page);
    if let Err(e) = response.add_cookie(&session::cookie(state, LOGIN_COOKIE, csrf)) {
        log::error!("cannot set the sign-in cookie: {e}");
    }
    response
}

/// `GET /login`.
pub async fn login_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<NextQuery>,
) -> HttpResponse {
    login_form(
        &state,
        &req,
        StatusCode::OK,
        safe_next(&query.next),
        String::new(),
        Errors::none(LOGIN_LABELS),
    )
}

/// Signs in: finds the account, checks the password and starts a session, in three steps
/// so that the slow password check holds no database connection (a flood of sign-in
/// attempts must not starve the officers' pages of connections).
async fn sign_in(
    state: &AppState,
    username: String,
    password: String,
) -> crate::error::AppResult<(crate::db::models::User, sessions::NewSession)> {
    let account = state
        .run(move |conn, _| sessions::find_account(conn, &username))
        .await?;
    let checks = state.password_checks.clone();
    let user = crate::db::run_blocking(move || {
        let _turn = checks.wait();
        sessions::check_password(account, &password)
    })
    .await?;
    let session = state.run({
        let user = user.clone();
        move |conn, now| sessions::start(conn, &user, now)
    });
    Ok((user, session.await?))
}

/// `POST /login`.
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let form = FormData::from(form);
    let expected = req
        .cookie(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !session::same_secret(&form.get("csrf"), &expected) {
        return Err(WebError::Csrf);
    }
    let username = form.get("username").trim().to_owned();
    let password = form.get("password");
    let next = safe_next(&form.get("next"));
    if username.is_empty() || password.is_empty() {
        let mut fields = portqueue_core::FieldErrors::new();
        if username.is_empty() {
            fields.add("username", "enter your username");
        }
        if password.is_empty() {
            fields.add("password", "enter your password");
        }
        return Ok(login_form(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            next,
            username,
            Errors::of(fields, LOGIN_LABELS),
        ));
    }
    let address = state.client_addr(&req);
    let wait = state
        .run({
            let (username, address) = (username.clone(), address.clone());
            move |conn, now| throttle::check(conn, &username, &address, now)
        })
        .await?;
    if let Some(wait) = wait {
        let mut fields = portqueue_core::FieldErrors::new();
        fields.add("password", wait.message());
        let mut response = login_form(
            &state,
            &req,
            StatusCode::TOO_MANY_REQUESTS,
            next,
            username,
            Errors::of(fields, LOGIN_LABELS),
        );
        response.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(wait.seconds),
        );
        return Ok(response);
    }
    let started = sign_in(&state, username.clone(), password).await;
    let outcome = state
        .run({
            let username = username.clone();
            let ok = started.is_ok();
            let wrong = matches!(started, Err(crate::error::AppError::Invalid(_)));
            move |conn, now| {
                if ok {
                    throttle::record_success(conn, &username)
                } else if wrong {
                    throttle::record_failure(conn, &username, &address, now)
                } else {
                    Ok(())
                }
            }
        })
        .await;
    if let Err(e) = outcome {
        log::error!("sign-in throttle not updated: {e}");
    }
    match started {
        Ok((user, new_session)) => {
            let to = if user.must_change_password {
                "/account/password".to_owned()
            } else {
                next
            };
            let mut response = see_other(&to);
            for cookie in [
                session::session_cookie(&state, new_session.token),
                session::removal(&state, LOGIN_COOKIE),
            ] {
                response
                    .add_cookie(&cookie)
                    .map_err(|e| WebError::App(crate::error::AppError::Internal(e.to_string())))?;
            }
            Ok(response)
        }
        Err(e) => {
            let errors = Errors::from_app(e, LOGIN_LABELS)?;
            Ok(login_form(
                &state,
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                next,
                username,
                errors,
            ))
        }
    }
}

/// `POST /logout`: ends the session here and forgets the cookie.
pub async fn logout(
    state: web::Data<AppState>,
    CsrfForm(signed, _): CsrfForm,
) -> WebResult<HttpResponse> {
    let token = signed.token.clone();
    state
        .run(move |conn, _| sessions::end(conn, &token))
        .await?;
    let mut response = see_other("/login");
    response
        .add_cookie(&session::removal(&state, SESSION_COOKIE))
        .map_err(|e| WebError::App(crate::error::AppError::Internal(e.to_string())))?;
    Ok(response)
}

#[derive(askama::Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    forced: bool,
    errors: Errors,
}

/// `GET /account/password`.
pub async fn password_page(signed: SignedIn) -> HttpResponse {
    super::ok(&PasswordPage {
        l: Layout::new(&signed, None, "password"),
        forced: signed.actor.must_change_password,
        errors: Errors::none(PASSWORD_LABELS),
    })
}

/// `POST /account/password`. Passwords are never shown back, not even after an error.
pub async fn change_password(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let token = signed.token.clone();
    let changed = state
        .run(move |conn, _| {
            accounts::change_password(
                conn,
                &actor,
                &form.get("current"),
                &form.get("new"),
                &form.get("repeat"),
                &token,
            )
        })
        .await;
    match changed {
        Ok(()) => Ok(see_other("/?changed=password")),
        Err(e) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                l: Layout::new(&signed, None, "password"),
                forced: signed.actor.must_change_password,
                errors: Errors::from_app(e, PASSWORD_LABELS)?,
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/ports/SYS/queue"), "/ports/SYS/queue");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/\t/evil.example/x"), "/");
        assert_eq!(safe_next("/\n/x"), "/");
        assert_eq!(safe_next(""), "/");
    }
}
