//! Checking in a booked appointment: find it by confirmation number or name, then put it in
//! the queue with its tier.
//!
//! The search is a POST form: what is typed is often a name, and a name in a URL ends up in
//! access logs, proxies and browser history, outside the audited store. `GET` only shows the
//! empty form, and ignores a `q` left in an old bookmark.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use portqueue_core::events::Punctuality;
use portqueue_core::languages;

use crate::AppState;
use crate::db::from_db;
use crate::db::models::Port;
use crate::error::AppError;
use crate::service::appointments::{self, Booking};
use crate::service::walk_ins::TriageInput;
use crate::service::{self};

use super::csrf_form::CsrfForm;
use super::error::capitalise;
use super::format;
use super::forms::Errors;
use super::layout::Layout;
use super::session::SignedIn;
use super::walk_ins::{TriageChoices, triage_from};
use super::{WebResult, render, see_other};

const LABELS: &[(&str, &str)] = &[
    ("tier", "Tier"),
    ("vulnerabilities", "Vulnerabilities"),
    ("urgent_reason", "Urgent reason"),
    ("phone", "Phone for text messages"),
];

/// One booking found, with its check-in form.
struct BookingView {
    index: usize,
    confirmation: String,
    name: String,
    nationality: String,
    language: String,
    party_size: i32,
    slot: String,
    arrival: &'static str,
    arrival_note: String,
    checked_in: bool,
    /// Its check-in button takes the focus (the first booking still to check in).
    focused: bool,
    triage: TriageChoices,
    errors: Errors,
    /// The phone field for text messages, as typed; `None` hides it (no SMS gateway).
    phone: Option<String>,
    /// This form's submission key: a second post of it (an Enter pressed twice) shows the
    /// ticket the first one made instead of "already checked in".
    submission: String,
}

#[derive(askama::Template)]
#[template(path = "check_in.html")]
struct CheckInPage {
    l: Layout,
    code: String,
    q: String,
    searched: bool,
    results: Vec<BookingView>,
    /// The search box takes the focus: no booking to check in, and no form sent back.
    focus_search: bool,
    /// A refusal that is not about one field (already checked in, no such booking).
    message: Option<String>,
}

/// What was typed into one booking's form, and what was wrong with it.
struct Typed {
    confirmation: String,
    triage: TriageInput,
    errors: portqueue_core::FieldErrors,
    phone: String,
    /// The refused form's key, kept so the corrected form still acts once.
    submission: String,
}

fn booking_view(
    port: &Port,
    index: usize,
    booking: &Booking,
    typed: Option<&Typed>,
    now: DateTime<Utc>,
) -> BookingView {
    let tz = port.tz();
    let a = &booking.appointment;
    let slot_at = from_db(a.slot_at);
    let policy = port.policy();
    let (arrival, arrival_note) = match booking.punctuality {
        Punctuality::Early => (
            "early",
            format!(
                "early: may be called from {}",
                format::clock(
                    tz,
                    slot_at - Duration::minutes(i64::from(policy.early_window_minutes)),
                    now
                )
            ),
        ),
        Punctuality::OnTime => ("on-time", "on time".to_owned()),
        Punctuality::Late => (
            "late",
            "late: waits with the walk-ins from now, and keeps the booking reference".to_owned(),
        ),
    };
    let mine = typed.filter(|t| t.confirmation == a.confirmation);
    BookingView {
        index,
        confirmation: a.confirmation.clone(),
        name: a.name.clone(),
        nationality: a.nationality.clone(),
        language: languages::find(&a.language)
            .map_or_else(|| a.language.clone(), |l| l.name.to_owned()),
        party_size: a.party_size,
        slot: format::clock(tz, slot_at, now),
        arrival,
        arrival_note,
        checked_in: booking.checked_in,
        focused: false,
        triage: TriageChoices::new(mine.map_or(&TriageInput::default(), |t| &t.triage)),
        errors: Errors::of(mine.map(|t| t.errors.clone()).unwrap_or_default(), LABELS)
            .with_prefix(index),
        phone: Some(mine.map(|t| t.phone.clone()).unwrap_or_default()),
        submission: mine.map_or_else(super::submissions::new_key, |t| t.submission.clone()),
    }
}

async fn page(
    state: &AppState,
    signed: &SignedIn,
    code: String,
    q: String,
    typed: Option<Typed>,
    message: Option<String>,
) -> WebResult<CheckInPage> {
    let actor = signed.actor.clone();
    let query = q.clone();
    let (port, found, now) = state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &code)?;
            let found = appointments::search(conn, &actor, &port, &query, now)?;
            Ok((port, found, now))
        })
        .await?;
    let mut results: Vec<BookingView> = found
        .iter()
        .enumerate()
        .map(|(i, b)| booking_view(&port, i + 1, b, typed.as_ref(), now))
        .map(|mut view| {
            view.phone = view.phone.filter(|_| state.text_messages);
            view
        })
        .collect();
    // A form sent back with errors has its error summary take the focus; otherwise the first
    // booking still to check in does, and with none the search box does.
    let sent_back = results.iter().any(|r| !r.errors.is_empty());
    let first_open = results.iter_mut().find(|r| !r.checked_in);
    let focus_search = match first_open {
        _ if sent_back => false,
        Some(r) => {
            r.focused = true;
            false
        }
        None => true,
    };
    Ok(CheckInPage {
        l: Layout::new(signed, Some(&port), "check_in"),
        code: port.code.clone(),
        searched: !q.trim().is_empty(),
        q,
        results,
        focus_search,
        message,
    })
}

/// `GET /ports/{code}/check-in`: the empty search form. A `q` in the address (an old
/// bookmark) is ignored: searching is done by POST only.
pub async fn form(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let page = page(
        &state,
        &signed,
        code.into_inner(),
        String::new(),
        None,
        None,
    )
    .await?;
    Ok(super::ok(&page))
}

/// `POST /ports/{code}/check-in` with `csrf` and `q`: the bookings found, on the same page
/// with what was typed kept in the box (the view is logged, without what was typed).
pub async fn search(
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    code: web::Path<String>,
) -> WebResult<HttpResponse> {
    let page = page(
        &state,
        &signed,
        code.into_inner(),
        form.get("q"),
        None,
        form.get("q").trim().is_empty().then(|| {
            "Nothing to search for: type a confirmation number (all of it or a part, like \
             24127) or part of a name, then search."
                .to_owned()
        }),
    )
    .await?;
    Ok(super::ok(&page))
}

/// `POST /ports/{code}/check-in/{confirmation}`: checks in, then shows the printable ticket.
pub async fn check_in(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(signed, form): CsrfForm,
    path: web::Path<(String, String)>,
) -> WebResult<HttpResponse> {
    let (code, confirmation) = path.into_inner();
    let triage = triage_from(&form);
    let actor = signed.actor.clone();
    let (port_code, typed_triage, number) = (code.clone(), triage.clone(), confirmation.clone());
    let phone = form.get("phone");
    let submission = form.get("submission");
    if let super::submissions::Claim::Made(id) = state.submissions.claim(&submission).await {
        // The same form again (an Enter pressed twice): the ticket it already made.
        return Ok(see_other(&format!("/entries/{id}/ticket")));
    }
    let (enabled, typed_phone, base_url) =
        (state.text_messages, phone.clone(), state.base_url(&req));
    let done = match state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &port_code)?;
            let text = crate::service::walk_ins::TextOptIn {
                phone: &typed_phone,
                enabled,
                base_url: &base_url,
            };
            Ok(appointments::check_in_texting(
                conn,
                &actor,
                port.id,
                &number,
                &typed_triage,
                Some(&text),
                now,
            ))
        })
        .await
    {
        Ok(done) => done,
        Err(e) => {
            state.submissions.failed(&submission);
            return Err(e.into());
        }
    };
    if let Ok((entry, _)) = &done {
        state.submissions.made(&submission, entry.id);
    } else {
        state.submissions.failed(&submission);
    }
    let q = match form.get("q") {
        q if q.trim().is_empty() => confirmation.clone(),
        q => q,
    };
    let (status, typed, message) = match done {
        Ok((entry, _)) => return Ok(see_other(&format!("/entries/{}/ticket", entry.id))),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(Typed {
                confirmation: confirmation.trim().to_ascii_uppercase(),
                triage,
                errors,
                phone,
                submission,
            }),
            None,
        ),
        Err(e @ (AppError::Conflict(_) | AppError::NotFound(_))) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::CONFLICT),
            None,
            Some(capitalise(&e.message())),
        ),
        Err(other) => return Err(other.into()),
    };
    let page = page(&state, &signed, code, q, typed, message).await?;
    Ok(render(status, &page))
}
