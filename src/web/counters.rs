//! The counter screen: who is at this counter now (with their personal data, and the view is
//! logged), what can be done with them, and "Call next" when the counter is free.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use portqueue_core::{Barrier, Tier, Vulnerability, languages};
use serde::Deserialize;

use crate::AppState;
use crate::db::models::{Entry, Port};
use crate::error::AppError;
use crate::service::entries::{self, Action};
use crate::service::undo::{self, Once};
use crate::service::{self, counter_languages, counters, queue};

use super::csrf_form::CsrfForm;
use super::error::capitalise;
use super::format;
use super::layout::Layout;
use super::session::{self, COUNTER_COOKIE, SignedIn};
use super::{WebError, WebResult, render, see_other};

/// The entry at the counter, as the officer needs it.
struct AtCounter {
    id: i64,
    ticket: String,
    class: String,
    party_size: u32,
    language: String,
    tier: &'static str,
    urgent: bool,
    priority: bool,
    urgent_reason: Option<String>,
    vulnerabilities: Vec<String>,
    barriers: Vec<String>,
    barrier_note: Option<String>,
    name: Option<String>,
    nationality: Option<String>,
    called: String,
    calls: i32,
    max_calls: u32,
    can_recall: bool,
    /// The entry's version: its forms act only while it is current.
    version: i64,
    /// Called at a counter that does not cover its language.
    interpreter_needed: bool,
    /// Whether this counter covered its language (`None`: called without matching).
    language_matched: Option<bool>,
    /// An officer asked for an interpreter.
    interpreter_requested: bool,
    /// Why it was called: the fair order's reason.
    reason: Option<String>,
    /// Called under language matching: the language reason line, beside `reason`.
    language_reason: Option<String>,
}

/// The counter's languages, and the form that opens it with them.
struct LanguagesView {
    /// The counter's own languages' names, when it is open with languages.
    open: Option<Vec<String>>,
    /// The port's default languages' names (every counter covers them).
    defaults: Vec<String>,
    /// Every language, checked as last chosen, as open now, or as in the officer's profile.
    choices: Vec<super::forms::Choice>,
    errors: super::forms::Errors,
    remember: bool,
}

/// What was posted to the languages form, kept when it is refused.
pub struct LanguagesInput {
    chosen: Vec<String>,
    remember: bool,
    errors: super::forms::Errors,
}

const LANGUAGE_LABELS: &[(&str, &str)] = &[("languages", "Languages this counter covers")];

/// An officer-facing name: "Punjabi (Eastern) (ਪੰਜਾਬੀ)".
fn language_label(code: &str) -> String {
    languages::find(code).map_or_else(
        || code.to_owned(),
        |l| {
            if l.native == l.name {
                l.name.to_owned()
            } else {
                format!("{} ({})", l.name, l.native)
            }
        },
    )
}

/// The action the officer can still take back, as the button shows it.
struct UndoView {
    entry_id: i64,
    label: String,
    /// Until when, on the port's clock.
    until: String,
}

#[derive(askama::Template)]
#[template(path = "counter.html")]
struct CounterPage {
    l: Layout,
    code: String,
    counter: u32,
    current: Option<AtCounter>,
    /// What the last action did.
    note: Option<&'static str>,
    /// Why the last action was refused (409).
    refused: Option<String>,
    /// The counter's version, for "Call next" (a second press does nothing).
    version: i64,
    /// The last action here this officer can still undo.
    undo: Option<UndoView>,
    /// The page right after an action: its buttons wait a moment before they answer, so a
    /// key pressed twice does not act twice.
    settle: bool,
    languages: LanguagesView,
}

/// Names from a stored comma-separated list, as labels.
fn labels<T: std::str::FromStr + Copy>(
    list: &[&str],
    label: impl Fn(T) -> &'static str,
) -> Vec<String> {
    list.iter()
        .map(|s| {
            s.parse::<T>()
                .map_or_else(|_| (*s).to_owned(), |v| capitalise(label(v)))
        })
        .collect()
}

fn at_counter(
    entry: &Entry,
    port: &Port,
    version: i64,
    language_reason: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> AtCounter {
    let tz = port.tz();
    let max_recalls = port.policy().max_recalls;
    let language = language_label(&entry.language);
    let class = entry.class;
    AtCounter {
        id: entry.id,
        ticket: entry.ticket.clone(),
        class: match &entry.slot_at {
            Some(slot) => format!(
                "{}, booked for {}",
                class.label(),
                format::clock(tz, crate::db::from_db(*slot), now)
            ),
            None => class.label().to_owned(),
        },
        party_size: entry.party_size(),
        language,
        tier: entry.tier.label(),
        urgent: entry.tier == Tier::Urgent,
        priority: entry.tier == Tier::Priority,
        urgent_reason: entry.urgent_reason.clone(),
        vulnerabilities: labels::<Vulnerability>(&entry.vulnerability_list(), Vulnerability::label),
        barriers: labels::<Barrier>(&entry.barrier_list(), Barrier::label),
        barrier_note: entry.barrier_note.clone(),
        name: entry.name.clone().or(entry
            .erased_at
            .map(|_| crate::service::retention::ERASED.into())),
        nationality: entry.nationality.clone().or(entry
            .erased_at
            .map(|_| crate::service::retention::ERASED.into())),
        called: entry
            .called_at
            .map(|t| format::clock(tz, crate::db::from_db(t), now))
            .unwrap_or_default(),
        calls: entry.recalls + 1,
        max_calls: max_recalls + 1,
        can_recall: u32::try_from(entry.recalls).unwrap_or(u32::MAX) < max_recalls,
        version,
        interpreter_needed: entry.interpreter_needed,
        language_matched: entry.language_matched,
        interpreter_requested: entry.interpreter_requested,
        reason: entry.call_reason.clone().filter(|r| !r.is_empty()),
        language_reason,
    }
}

fn note_text(note: &str) -> Option<&'static str> {
    Some(match note {
        "called" => "Called. Ask the party below to come to this counter.",
        "nobody" => "Nobody is eligible to be called now. Try again in a moment.",
        "complete" => "Done: marked as served.",
        "no-show" => "Marked as no-show.",
        "recall" => "Called again.",
        "withdraw" => "Withdrawn from the queue.",
        "undone" => "Undone: the last action was taken back.",
        "languages" => "Counter open with these languages: call next calls whom it can serve.",
        "closed" => "Languages cleared: this counter calls in the plain fair order.",
        "interpreter" => "Noted: interpreter requested.",
        "already" => {
            "Nothing more was done: that action was already taken (the button was pressed twice, or someone acted first)."
        }
        _ => return None,
    })
}

/// The counter page for `(code, n)`, with an optional note or refusal.
async fn counter_view(
    state: &AppState,
    signed: &SignedIn,
    code: String,
    counter: u32,
    note: Option<&'static str>,
    refused: Option<String>,
    status: StatusCode,
) -> WebResult<HttpResponse> {
    counter_view_with(state, signed, code, counter, note, refused, status, None).await
}

/// [`counter_view`], with the languages form as posted when it was refused.
#[allow(clippy::too_many_arguments)]
async fn counter_view_with(
    state: &AppState,
    signed: &SignedIn,
    code: String,
    counter: u32,
    note: Option<&'static str>,
    refused: Option<String>,
    status: StatusCode,
    posted: Option<LanguagesInput>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let (desk, now) = state
        .run(move |conn, now| Ok((counters::desk(conn, &actor, &code, counter, now)?, now)))
        .await?;
    let counters::Desk {
        port,
        current,
        version,
        undoable,
        open,
        officer_languages: mine,
    } = desk;
    let tz = port.tz();
    let (chosen, remember, errors) = match posted {
        Some(p) => (p.chosen, p.remember, p.errors),
        None => (
            open.as_ref().map_or(mine, |o| o.languages.clone()),
            false,
            super::forms::Errors::none(LANGUAGE_LABELS),
        ),
    };
    let languages_view = LanguagesView {
        open: open
            .as_ref()
            .map(|o| o.languages.iter().map(|c| language_label(c)).collect()),
        defaults: counter_languages::split(&port.default_languages)
            .iter()
            .map(|c| language_label(c))
            .collect(),
        choices: languages::LANGUAGES
            .iter()
            .map(|l| {
                super::forms::Choice::new(
                    l.code,
                    &format!("{} ({})", language_label(l.code), l.code),
                    chosen.iter().any(|c| c == l.code),
                )
            })
            .collect(),
        errors,
        remember,
    };
    let mut response = render(
        status,
        &CounterPage {
            l: Layout::new(signed, Some(&port), "counter"),
            code: port.code.clone(),
            counter,
            current: current
                .as_ref()
                .map(|c| at_counter(&c.entry, &port, c.version, c.language_reason.clone(), now)),
            settle: note.is_some(),
            note,
            refused,
            version,
            undo: undoable.map(|u| UndoView {
                entry_id: u.entry_id,
                label: u.label(),
                until: format::clock(tz, u.until, now),
            }),
            languages: languages_view,
        },
    );
    let mut remember = session::cookie(state, COUNTER_COOKIE, counter.to_string());
    remember.set_max_age(CookieDuration::days(30));
    response
        .add_cookie(&remember)
        .map_err(|e| WebError::App(AppError::Internal(e.to_string())))?;
    Ok(response)
}

fn counter_from_path(n: &str) -> WebResult<u32> {
    queue::parse_counter(n).map_err(|_| {
        WebError::App(AppError::NotFound(format!(
            "there is no counter {n}: counters are numbered 1 to 99"
        )))
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct CounterQuery {
    #[serde(default)]
    note: String,
    #[serde(default)]
    n: String,
}

/// `GET /ports/{code}/counters?n=3`: the counter picker's answer.
pub async fn pick(
    _signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<CounterQuery>,
) -> WebResult<HttpResponse> {
    // The path is only ever put back into a URL encoded.
    let code = super::url_encode(code.trim());
    Ok(match queue::parse_counter(&query.n) {
        Ok(n) => see_other(&format!("/ports/{code}/counters/{n}")),
        Err(_) => see_other(&format!(
            "/ports/{code}/queue?counter={}",
            super::url_encode(&query.n)
        )),
    })
}

/// `GET /ports/{code}/counters/{n}`.
pub async fn counter_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<(String, String)>,
    query: web::Query<CounterQuery>,
) -> WebResult<HttpResponse> {
    let (code, n) = path.into_inner();
    let counter = counter_from_path(&n)?;
    counter_view(
        &state,
        &signed,
        code,
        counter,
        note_text(&query.note),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /ports/{code}/counters/{n}/call-next`.
pub async fn call_next(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let version = undo::parse_version(&form.get("version"));
    let (code, n) = path.into_inner();
    let counter = counter_from_path(&n)?;
    let actor = signed.actor.clone();
    let port_code = code.clone();
    let (port, called) = state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &port_code)?;
            let called = undo::call_once(conn, &actor, port.id, counter, version, now);
            Ok((port, called))
        })
        .await?;
    // Back to the counter by the port's stored code, never the path as typed.
    let back = format!("/ports/{}/counters/{counter}", port.code);
    match called {
        Ok(Once::Done(Some(_))) => Ok(see_other(&format!("{back}?note=called"))),
        Ok(Once::Done(None)) => Ok(see_other(&format!("{back}?note=nobody"))),
        Ok(Once::Stale) => Ok(see_other(&format!("{back}?note=already"))),
        Err(AppError::Conflict(message)) => {
            counter_view(
                &state,
                &signed,
                code,
                counter,
                None,
                Some(capitalise(&message)),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /entries/{id}/{action}` (complete, no-show, recall, withdraw); back to the counter
/// named in the form, or to the ticket.
pub async fn act(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    path: web::Path<(i64, String)>,
) -> WebResult<HttpResponse> {
    let (id, name) = path.into_inner();
    let action = Action::parse(&name)?;
    let counter = queue::parse_counter(&form.get("counter")).ok();
    let version = undo::parse_version(&form.get("version"));
    let actor = signed.actor.clone();
    let (port, done) = state
        .run(move |conn, now| {
            let (_, port) = entries::load(conn, &actor, id)?;
            Ok((port, undo::act_once(conn, &actor, id, action, version, now)))
        })
        .await?;
    match (done, counter) {
        (Ok(Once::Done(_)), Some(counter)) => Ok(see_other(&format!(
            "/ports/{}/counters/{counter}?note={name}",
            port.code
        ))),
        (Ok(Once::Stale), Some(counter)) => Ok(see_other(&format!(
            "/ports/{}/counters/{counter}?note=already",
            port.code
        ))),
        (Ok(_), None) => Ok(see_other(&format!("/entries/{id}/ticket"))),
        (Err(AppError::Conflict(message)), Some(counter)) => {
            counter_view(
                &state,
                &signed,
                port.code,
                counter,
                None,
                Some(capitalise(&message)),
                StatusCode::CONFLICT,
            )
            .await
        }
        (Err(e), _) => Err(e.into()),
    }
}

/// `POST /entries/{id}/undo`: takes back this officer's latest action on the entry, back to
/// the counter named in the form (or to the ticket).
pub async fn undo(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let counter = queue::parse_counter(&form.get("counter")).ok();
    let actor = signed.actor.clone();
    let (port, done) = state
        .run(move |conn, now| {
            let (_, port) = entries::load(conn, &actor, id)?;
            Ok((port, undo::undo(conn, &actor, id, counter, now)))
        })
        .await?;
    match (done, counter) {
        (Ok(_), Some(counter)) => Ok(see_other(&format!(
            "/ports/{}/counters/{counter}?note=undone",
            port.code
        ))),
        (Ok(_), None) => Ok(see_other(&format!("/entries/{id}/ticket"))),
        (Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))), Some(counter)) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::CONFLICT);
            counter_view(
                &state,
                &signed,
                port.code,
                counter,
                None,
                Some(capitalise(&e.message())),
                status,
            )
            .await
        }
        (Err(e), _) => Err(e.into()),
    }
}

/// `POST /ports/{code}/counters/{n}/languages`: opens the counter with the languages it
/// covers (or changes them); with `remember`, they become the officer's profile languages.
pub async fn open_with_languages(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let (code, n) = path.into_inner();
    let counter = counter_from_path(&n)?;
    let chosen = form.all("languages");
    let remember = !form.get("remember").is_empty();
    let actor = signed.actor.clone();
    let port_code = code.clone();
    let posted = chosen.clone();
    let (port, done) = state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &port_code)?;
            let done = counter_languages::parse("languages", &posted).and_then(|codes| {
                counter_languages::open(conn, &actor, &port, counter, &codes, now)?;
                if remember {
                    counter_languages::set_officer_languages(conn, &actor, &codes)?;
                }
                Ok(())
            });
            Ok((port, done))
        })
        .await?;
    match done {
        Ok(()) => Ok(see_other(&format!(
            "/ports/{}/counters/{counter}?note=languages",
            port.code
        ))),
        Err(e) => {
            let errors = super::forms::Errors::from_app(e, LANGUAGE_LABELS)?;
            counter_view_with(
                &state,
                &signed,
                code,
                counter,
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(LanguagesInput {
                    chosen,
                    remember,
                    errors,
                }),
            )
            .await
        }
    }
}

/// `POST /ports/{code}/counters/{n}/close`: the counter no longer covers languages for
/// matching (it calls in the plain fair order until opened again).
pub async fn close_languages(
    state: web::Data<AppState>,
    CsrfForm(signed, _): CsrfForm,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let (code, n) = path.into_inner();
    let counter = counter_from_path(&n)?;
    let actor = signed.actor.clone();
    let port = state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &code)?;
            counter_languages::close(conn, &actor, &port, counter, now)?;
            Ok(port)
        })
        .await?;
    Ok(see_other(&format!(
        "/ports/{}/counters/{counter}?note=closed",
        port.code
    )))
}

/// `POST /entries/{id}/interpreter`: marks (or, with `off`, unmarks) that an interpreter
/// was requested for the entry; back to the counter named in the form, to the ticket page
/// (`back=ticket`, where a waiting party is registered), or the queue.
pub async fn interpreter(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let requested = form.get("off").is_empty();
    let counter = queue::parse_counter(&form.get("counter")).ok();
    let actor = signed.actor.clone();
    let port = state
        .run(move |conn, now| {
            let (_, port) = entries::load(conn, &actor, id)?;
            entries::request_interpreter(conn, &actor, id, requested, now)?;
            Ok(port)
        })
        .await?;
    Ok(see_other(&match counter {
        Some(counter) => format!("/ports/{}/counters/{counter}?note=interpreter", port.code),
        None if form.get("back") == "ticket" => format!(
            "/entries/{id}/ticket?note={}",
            if requested {
                "interpreter"
            } else {
                "interpreter-off"
            }
        ),
        None => format!("/ports/{}/queue", port.code),
    }))
}
