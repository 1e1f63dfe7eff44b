//! Language settings: the port's default languages (covered by every counter) and how long
//! language matching may pass an entry over, set by a supervisor; and the languages an
//! officer speaks, kept in their profile to pre-fill the counter form.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::AppState;
use crate::auth::Role;
use crate::error::AppError;
use crate::service::{self, counter_languages};

use super::csrf_form::CsrfForm;
use super::forms::Errors;
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
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
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
    CsrfForm(signed, form): CsrfForm,
) -> WebResult<HttpResponse> {
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

/// One language's row of the day's figures.
struct FigureRow {
    language: String,
    served: String,
    share: String,
    wait: String,
    called: String,
    /// What matching cost (+) or saved (−) the language's mean wait.
    extra: String,
    requests: u32,
}

#[derive(askama::Template)]
#[template(path = "language_report.html")]
struct LanguageReportPage {
    l: Layout,
    code: String,
    date: String,
    rows: Vec<FigureRow>,
    errors: Errors,
}

/// `GET /ports/{code}/reports/languages?date=YYYY-MM-DD`: the day's figures per language
/// (supervisors of the port and admins; today without a date).
pub async fn report_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<service::reports::ReportQuery>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let query = query.into_inner();
    let typed = query.date.clone().unwrap_or_default();
    let (port, figures) = state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &code)?;
            let reader = service::reports::reader(&actor, &port)?;
            // What the daily report page accepts for its day.
            let date = query.day(service::reports::today(&port, now));
            let figures = match date {
                // The daily report's section (as of now for today, kept figures for a
                // finished day).
                Ok(date) => Ok((
                    date,
                    service::reports::daily(conn, &reader, date, now)?.languages,
                )),
                Err(e) => Err(e),
            };
            Ok((port, figures))
        })
        .await?;
    let (status, date, rows, errors) = match figures {
        Ok((date, figures)) => (
            StatusCode::OK,
            date.to_string(),
            figures
                .into_iter()
                .map(|f| FigureRow {
                    language: portqueue_core::languages::find(&f.language)
                        .map_or_else(|| f.language.clone(), |l| l.name.to_owned()),
                    served: format!(
                        "{} {} ({} {})",
                        f.served_parties,
                        if f.served_parties == 1 {
                            "party"
                        } else {
                            "parties"
                        },
                        f.served_persons,
                        if f.served_persons == 1 {
                            "person"
                        } else {
                            "persons"
                        }
                    ),
                    share: f.share_in_language.map_or_else(
                        || "no matching".to_owned(),
                        |s| format!("{:.0}%", s * 100.0),
                    ),
                    wait: f
                        .mean_wait_minutes
                        .map_or_else(|| "—".to_owned(), |m| format!("{m:.1} min")),
                    called: format!(
                        "{} in their language, {} with an interpreter",
                        f.called_in_language, f.called_with_interpreter
                    ),
                    extra: f
                        .matching_extra_wait_minutes
                        .map_or_else(|| "—".to_owned(), |m| format!("{m:+.1} min")),
                    requests: f.interpreter_requests,
                })
                .collect(),
            Errors::none(&[("date", "Date")]),
        ),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            Vec::new(),
            Errors::from_app(e, &[("date", "Date")])?,
        ),
    };
    Ok(render(
        status,
        &LanguageReportPage {
            l: Layout::new(&signed, Some(&port), "reports"),
            code: port.code.clone(),
            date,
            rows,
            errors,
        },
    ))
}
