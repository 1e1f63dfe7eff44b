//! The ticket handed to the applicant, and how it leaves the kiosk.
//!
//! `GET /entries/{id}/ticket` shows the officer the ticket as it prints (on the paper roll the
//! port's printer takes, 80 or 58 mm; `?paper=58` or `?paper=80` overrides it, remembered in
//! this browser) beside the choices for printing it.
//! The ticket itself carries no personal data: the number, the port, when it was issued, the
//! party size, the estimated call window, a QR code to the public status page (the
//! unguessable token, never the database id) and the five instructions as pictograms with
//! short text in the applicant's language, then Spanish and English.
//!
//! No ghost tickets: a ticket counts as issued once it printed or once the officer saw the
//! failure and chose what to do. So every print is recorded (`ticket_printed` events, counted
//! on the page), a failed print records nothing and says why within the printer deadline,
//! and the officer then tries again, prints from the browser, or cancels the ticket.
//! The network printer is reached off the async executor and without a database connection
//! held (`web::block` after [`AppState::run`] has returned it to the pool), so a printer that
//! hangs delays nobody but the officer who pressed "print".

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portqueue_core::Status;
use portqueue_core::tickets::{Catalog, LanguageTexts, Paper, Pictogram};
use serde::Deserialize;

use crate::AppState;
use crate::error::AppError;
use crate::service::entries::{self, Action};
use crate::service::tickets::{self as service, PrintOutcome, TicketDoc};

use super::csrf_form::CsrfForm;
use super::format;
use super::layout::Layout;
use super::session::{self, SignedIn};
use super::web_error::WebError;
use super::{WebResult, render, see_other};

/// The kiosk's paper width, remembered per browser: a kiosk has one printer.
pub const PAPER_COOKIE: &str = "pq_paper";
/// Why a ticket is withdrawn when the officer gives up on printing it (the event's note).
pub const CANCEL_NOTE: &str = "ticket could not be printed";

/// A sentence in one language, marked for the page (`lang`, `dir`).
#[derive(Debug, Clone)]
pub struct Said {
    pub tag: &'static str,
    pub dir: &'static str,
    pub text: String,
}

/// One language's facts on the ticket.
#[derive(Debug, Clone)]
pub struct LanguageFacts {
    pub tag: &'static str,
    pub dir: &'static str,
    pub party_size: String,
    pub estimate: Option<String>,
}

/// One instruction: its pictogram and its sentence in each language of the ticket.
#[derive(Debug, Clone)]
pub struct Step {
    pub number: usize,
    pub file_name: &'static str,
    /// The pictogram's alternative text (English, the kiosk page's language).
    pub alt: &'static str,
    pub texts: Vec<Said>,
}

/// The printable ticket.
#[derive(Debug, Clone)]
pub struct TicketPaper {
    pub paper: u32,
    pub port_name: String,
    pub ticket: String,
    /// Port-local, `YYYY-MM-DD HH:MM`: readable whatever language one reads.
    pub issued_at: String,
    /// "Your number" in each language.
    pub titles: Vec<Said>,
    /// "Please ask an officer for an interpreter", when we have no text in their language.
    pub interpreter: Vec<Said>,
    pub facts: Vec<LanguageFacts>,
    pub steps: Vec<Step>,
    pub qr_svg: Option<String>,
    pub scan: Vec<Said>,
}

impl TicketPaper {
    fn new(doc: &TicketDoc, paper: Paper) -> TicketPaper {
        let languages = &doc.texts.languages;
        let said = |f: &dyn Fn(&LanguageTexts) -> Option<String>| {
            languages
                .iter()
                .filter_map(|l| {
                    f(l).map(|text| Said {
                        tag: l.language.tag,
                        dir: l.language.dir(),
                        text,
                    })
                })
                .collect::<Vec<_>>()
        };
        let steps = Pictogram::ALL
            .iter()
            .enumerate()
            .map(|(i, pictogram)| Step {
                number: i + 1,
                file_name: pictogram.file_name(),
                alt: pictogram.title(),
                texts: said(&|l| l.instructions.get(i).map(|s| s.text.clone())),
            })
            .collect();
        TicketPaper {
            paper: paper.mm(),
            port_name: doc.port.name.clone(),
            ticket: doc.view.ticket.clone(),
            issued_at: doc.issued_at.clone(),
            titles: said(&|l| Some(l.title.clone())),
            interpreter: said(&|l| l.interpreter.clone()),
            facts: languages
                .iter()
                .map(|l| LanguageFacts {
                    tag: l.language.tag,
                    dir: l.language.dir(),
                    party_size: l.party_size.clone(),
                    // The sentence names the window; waiting without one it says why (no
                    // counter open, or too far back: `doc_for` put that sentence in the
                    // block); called or served, it is left out.
                    estimate: doc.shows_estimate().then(|| l.estimate.clone()),
                })
                .collect(),
            steps,
            qr_svg: doc.qr_svg.clone(),
            scan: said(&|l| Some(l.scan_status.clone())),
        }
    }
}

/// What the page says happened just before (`?note=`), from a fixed list: never echoed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Note {
    PrintedOnPrinter,
    PrintedInBrowser,
    Cancelled,
    InterpreterRequested,
    InterpreterCancelled,
}

impl Note {
    fn parse(value: &str) -> Option<Note> {
        match value {
            "printed" => Some(Note::PrintedOnPrinter),
            "browser" => Some(Note::PrintedInBrowser),
            "cancelled" => Some(Note::Cancelled),
            "interpreter" => Some(Note::InterpreterRequested),
            "interpreter-off" => Some(Note::InterpreterCancelled),
            _ => None,
        }
    }
}

#[derive(askama::Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    l: Layout,
    id: i64,
    code: String,
    ticket: String,
    /// Whether the ticket may (still) be printed: it waits or has been called.
    printable: bool,
    /// What became of it, once it no longer waits.
    status: Option<String>,
    prints: i64,
    printer_addr: Option<String>,
    /// The language the applicant reads, in English (for the officer).
    language_name: String,
    /// Set when we have no text in the applicant's language.
    interpreter_for: Option<String>,
    /// The applicant's language when its text is a draft no native speaker has checked.
    draft_language: Option<String>,
    note: Option<String>,
    /// Why the last print failed, right after it failed.
    failure: Option<String>,
    issued_long: String,
    party_size: u32,
    position: Option<u32>,
    /// Still waiting: an interpreter may be asked for before the call.
    waiting: bool,
    /// An officer asked for an interpreter for this party.
    interpreter_requested: bool,
    t: TicketPaper,
    /// The phone for text messages, masked (`+52 ••• ••• 1234`), and each message's state.
    phone: Option<String>,
    texts: Vec<String>,
}

impl TicketPage {
    fn new(
        signed: &SignedIn,
        doc: &TicketDoc,
        paper: Paper,
        note: Option<Note>,
        failure: Option<String>,
    ) -> TicketPage {
        let tz = doc.port.tz();
        let status = doc.view.status;
        let draft_language = Catalog::shared()
            .review_state(doc.language.code)
            .filter(|state| state.reviewed_by.is_none())
            .map(|_| doc.language.name.to_owned());
        let note = note.map(|n| match n {
            Note::PrintedOnPrinter => format!(
                "Printed on the ticket printer{}. Hand the ticket over.",
                doc.port
                    .printer_addr
                    .as_deref()
                    .map(|a| format!(" at {a}"))
                    .unwrap_or_default()
            ),
            Note::PrintedInBrowser => "Recorded as printed from this browser.".to_owned(),
            Note::Cancelled => format!(
                "Ticket {} was cancelled and has left the queue ({CANCEL_NOTE}).",
                doc.view.ticket
            ),
            Note::InterpreterRequested => format!(
                "Noted: an interpreter is requested for {}; the live queue shows it.",
                doc.view.ticket
            ),
            Note::InterpreterCancelled => "The interpreter request is cancelled.".to_owned(),
        });
        TicketPage {
            l: Layout::new(signed, Some(&doc.port), "ticket"),
            id: doc.view.id,
            code: doc.port.code.clone(),
            ticket: doc.view.ticket.clone(),
            printable: matches!(status, Status::Waiting | Status::Called),
            status: match status {
                Status::Waiting => None,
                Status::Called => Some(format!(
                    "called to counter {}",
                    doc.view.counter.unwrap_or_default()
                )),
                other => Some(other.label().to_owned()),
            },
            prints: doc.prints,
            printer_addr: doc.port.printer_addr.clone(),
            language_name: doc.language.name.to_owned(),
            interpreter_for: doc
                .texts
                .needs_interpreter
                .then(|| doc.language.name.to_owned()),
            draft_language,
            note,
            failure,
            issued_long: format!(
                "{}, {}",
                format::long_date(tz, doc.view.arrived_at),
                doc.view.arrived_at.with_timezone(&tz).format("%H:%M")
            ),
            party_size: doc.view.party_size,
            position: doc.view.position,
            waiting: status == Status::Waiting,
            interpreter_requested: doc.view.interpreter_requested,
            t: TicketPaper::new(doc, paper),
            phone: None,
            texts: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    paper: String,
    #[serde(default)]
    note: String,
}

/// The paper asked for in the query, else the one this browser remembers, else the port's
/// printer's (`port_paper`); and whether it was asked for (to remember it).
fn paper_of(req: &HttpRequest, query: &TicketQuery, port_paper: Paper) -> (Paper, bool) {
    match Paper::parse(&query.paper) {
        Some(paper) => (paper, true),
        None => (
            req.cookie(PAPER_COOKIE)
                .and_then(|c| Paper::parse(c.value()))
                .unwrap_or(port_paper),
            false,
        ),
    }
}

/// Loads the ticket of an entry for this officer.
async fn load_doc(
    state: &AppState,
    req: &HttpRequest,
    signed: &SignedIn,
    id: i64,
) -> WebResult<TicketDoc> {
    let actor = signed.actor.clone();
    let base = state.base_url(req);
    Ok(state
        .run(move |conn, now| service::ticket_doc(conn, &actor, id, &base, now))
        .await?)
}

/// `GET /entries/{id}/ticket`.
pub async fn ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed: SignedIn,
    id: web::Path<i64>,
    query: web::Query<TicketQuery>,
) -> WebResult<HttpResponse> {
    let doc = load_doc(&state, &req, &signed, id.into_inner()).await?;
    let (paper, chosen) = paper_of(&req, &query, doc.port.paper());
    let mut page = TicketPage::new(&signed, &doc, paper, Note::parse(&query.note), None);
    let (actor, entry_id) = (signed.actor.clone(), doc.view.id);
    let (phone, texts) = state
        .run(move |conn, now| crate::service::sms::for_officer(conn, &actor, entry_id, now))
        .await?;
    page.phone = phone;
    page.texts = texts
        .iter()
        .map(|m| format!("{}: {}", m.kind, m.status))
        .collect();
    let mut response = super::ok(&page);
    if chosen {
        let mut remember = session::cookie(&state, PAPER_COOKIE, paper.mm().to_string());
        remember.set_max_age(CookieDuration::days(365));
        response
            .add_cookie(&remember)
            .map_err(|e| WebError::App(AppError::Internal(e.to_string())))?;
    }
    Ok(response)
}

/// `GET /entries/{id}/ticket.png`: the slip exactly as the thermal printer draws it (the
/// same raster, with the QR code as the printer draws it), on the roll the ticket page shows.
/// Officers of the ticket's port only, through the same loading (and checks) as the ticket.
pub async fn ticket_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed: SignedIn,
    id: web::Path<i64>,
    query: web::Query<TicketQuery>,
) -> WebResult<HttpResponse> {
    let doc = load_doc(&state, &req, &signed, id.into_inner()).await?;
    let (paper, _) = paper_of(&req, &query, doc.port.paper());
    let png = web::block(move || doc.escpos_on(paper).map(|p| p.slip.to_png()))
        .await
        .map_err(|e| WebError::App(AppError::Internal(format!("slip worker: {e}"))))??;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Cache-Control", "no-store"))
        .body(png))
}

/// 409 unless the ticket may be printed now.
/// `POST /entries/{id}/print`: sends the ticket to the port's network printer. Success is
/// recorded and leads back to the ticket; a failure records nothing and shows the officer
/// why, with the choices (try again, print from the browser, cancel the ticket).
pub async fn print(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(signed, _): CsrfForm,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let doc = load_doc(&state, &req, &signed, id).await?;
    match service::send_to_port_printer(&doc).await? {
        Ok(outcome) => {
            let actor = signed.actor.clone();
            state
                .run(move |conn, now| service::record_print(conn, &actor, id, &outcome, now))
                .await?;
            Ok(see_other(&format!("/entries/{id}/ticket?note=printed")))
        }
        Err(error) => {
            log::warn!("ticket {} did not print: {error}", doc.view.ticket);
            let (paper, _) = paper_of(&req, &TicketQuery::default(), doc.port.paper());
            let failure = format!("The ticket did not print: {error}.");
            Ok(render(
                StatusCode::BAD_GATEWAY,
                &TicketPage::new(&signed, &doc, paper, None, Some(failure)),
            ))
        }
    }
}

/// `POST /entries/{id}/printed`: the officer printed the ticket from the kiosk browser.
pub async fn printed(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(signed, _): CsrfForm,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    load_doc(&state, &req, &signed, id)
        .await?
        .require_printable()?;
    let actor = signed.actor.clone();
    state
        .run(move |conn, now| service::record_print(conn, &actor, id, &PrintOutcome::Browser, now))
        .await?;
    Ok(see_other(&format!("/entries/{id}/ticket?note=browser")))
}

/// `POST /entries/{id}/cancel`: the ticket could not be printed and the officer gives it up;
/// the entry leaves the queue, with the reason in its event.
pub async fn cancel(
    state: web::Data<AppState>,
    CsrfForm(signed, _): CsrfForm,
    id: web::Path<i64>,
) -> WebResult<HttpResponse> {
    let id = id.into_inner();
    let actor = signed.actor.clone();
    state
        .run(move |conn, now| {
            entries::act(
                conn,
                &actor,
                id,
                Action::Withdraw,
                Some(CANCEL_NOTE.to_owned()),
                now,
            )
        })
        .await?;
    Ok(see_other(&format!("/entries/{id}/ticket?note=cancelled")))
}
