//! Language settings: the port's default languages (covered by every counter) and how long
//! language matching may pass an entry over, set by a supervisor; and the languages an
//! officer speaks, kept in their profile to pre-fill the counter form.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::AppState;
use crate::auth::Role;
use crate::error::AppError;
use crate::service::{self, counter_languages};

use super::forms::{Errors, FormData};
use super::layout::Layout;
use super::session::SignedIn;
use super::{WebResult, render, see_other};

const PORT_LABELS: &[(&str, &str)] = &[
    ("default_languages", "Languages every counter covers"),
    (
        "language_wait_limit_minutes",
        "Longest a person may be passed over",
    ),
];
const MINE_LABELS: &[(&str, &str)] = &[("languages", "Languages you speak")];

#[derive(askama::Template)]
#[template(path = "languages.html")]
struct LanguagesPage {
    l: Layout,
    /// The port's code when a supervisor sets the port's languages; `None`: the officer's own.
    code: Option<String>,
    default_languages: String,
    limit: String,
    mine: String,
    errors: Errors,
    saved: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /ports/{code}/languages`.
pub async fn port_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<SavedQuery>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let port = state
        .run(move |conn, _| {
            actor.require_role(Role::Supervisor)?;
            service::port_for(conn, &actor, &code)
        })
        .await?;
    Ok(super::ok(&LanguagesPage {
        l: Layout::new(&signed, Some(&port), "policy"),
        code: Some(port.code.clone()),
        default_languages: port.default_languages.replace(',', ", "),
        limit: port.language_wait_limit_minutes.to_string(),
        mine: String::new(),
        errors: Errors::none(PORT_LABELS),
        saved: query.saved.is_some(),
    }))
}

/// `POST /ports/{code}/languages`: both fields checked; nothing is saved unless both are
/// right, and what was typed is shown back beside its message.
pub async fn set_port(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let form = FormData::from(form);
    signed.check_csrf(&form.get("csrf"))?;
    let (defaults, limit) = (
        form.get("default_languages"),
        form.get("language_wait_limit_minutes"),
    );
    let actor = signed.actor.clone();
    let (typed_defaults, typed_limit) = (defaults.clone(), limit.clone());
    let (port, done) = state
        .run(move |conn, _| {
            actor.require_role(Role::Supervisor)?;
            let port = service::port_for(conn, &actor, &code)?;
            let done = counter_languages::set_port_languages(
                conn,
                &actor,
                &port,
                &[typed_defaults],
                &typed_limit,
            );
            Ok((port, done))
        })
        .await?;
    match done {
        Ok(()) => Ok(see_other(&format!(
            "/ports/{}/languages?saved=1",
            port.code
        ))),
        Err(e) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LanguagesPage {
                l: Layout::new(&signed, Some(&port), "policy"),
                code: Some(port.code.clone()),
                default_languages: defaults,
                limit,
                mine: String::new(),
                errors: Errors::from_app(e, PORT_LABELS)?,
                saved: false,
            },
        )),
    }
}

/// `GET /account/languages`.
pub async fn mine_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    query: web::Query<SavedQuery>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let mine = state
        .run(move |conn, _| counter_languages::officer_languages(conn, &actor))
        .await?;
    Ok(super::ok(&LanguagesPage {
        l: Layout::new(&signed, None, "languages"),
        code: None,
        default_languages: String::new(),
        limit: String::new(),
        mine: mine.join(", "),
        errors: Errors::none(MINE_LABELS),
        saved: query.saved.is_some(),
    }))
}

/// `POST /account/languages`.
pub async fn set_mine(
    state: web::Data<AppState>,
    signed: SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> WebResult<HttpResponse> {
    let form = FormData::from(form);
    signed.check_csrf(&form.get("csrf"))?;
    let typed = form.get("languages");
    let actor = signed.actor.clone();
    let posted = typed.clone();
    let done = state
        .run(move |conn, _| {
            Ok(counter_languages::parse("languages", &[posted])
                .and_then(|codes| counter_languages::set_officer_languages(conn, &actor, &codes)))
        })
        .await?;
    match done {
        Ok(()) => Ok(see_other("/account/languages?saved=1")),
        Err(AppError::Invalid(fields)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LanguagesPage {
                l: Layout::new(&signed, None, "languages"),
                code: None,
                default_languages: String::new(),
                limit: String::new(),
                mine: typed,
                errors: Errors::of(fields, MINE_LABELS),
                saved: false,
            },
        )),
        Err(e) => Err(e.into()),
    }
}
