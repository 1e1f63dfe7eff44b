//! What the public sees: a ticket's status page and a port's "now serving" board.
//!
//! Both are reachable without signing in, so everything here is limited to ticket numbers,
//! statuses, positions, estimated windows and counters. No name, nationality, barrier,
//! note, vulnerability or tier ever leaves this module: the types below have no field that
//! could carry them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use portqueue_core::Status;
use portqueue_core::queue::Window;

use super::port_by_code;
use super::queue::snapshot;
use crate::db::models::{Entry, Port};
use crate::db::schema::{entries, ports};
use crate::db::{DbConnection, from_db};
use crate::error::{AppError, AppResult};

/// How long a closed ticket's status link still answers, in hours.
pub const STATUS_LINK_HOURS_AFTER_CLOSE: i64 = 24;

/// How many waiting tickets the board shows as "next".
pub const BOARD_NEXT: usize = 8;
/// How many called tickets the board shows.
pub const BOARD_CALLED: usize = 8;

/// A ticket's public status.
#[derive(Debug, Clone, Serialize)]
pub struct TicketStatus {
    pub ticket: String,
    pub status: Status,
    /// 1-based, while waiting.
    pub position: Option<u32>,
    /// While waiting: the people before this ticket ([`super::queue::Snapshot::people_before`]).
    pub people_before: Option<u32>,
    pub estimate: Option<Window>,
    /// Waiting without a window although counters are open: further back than the
    /// estimates look ahead ([`super::queue::EntryView::beyond_estimate`]).
    #[serde(skip)]
    pub beyond_estimate: bool,
    /// Once called.
    pub counter: Option<u32>,
    pub port_code: String,
    pub port_name: String,
    /// For showing times in the port's zone; not personal.
    #[serde(skip)]
    pub port: Port,
    /// The ticket's language (ISO 639-3), to choose the page's language. Not shown.
    #[serde(skip)]
    pub language: String,
    /// When this status was read: a window on another port-local day shows its date.
    #[serde(skip)]
    pub read_at: DateTime<Utc>,
    /// Until when the link answers: a day after the ticket closed; `None` while open.
    #[serde(skip)]
    pub answers_until: Option<DateTime<Utc>>,
}

/// The status behind an unguessable status token; 404 for anything else.
pub fn ticket_status(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<TicketStatus> {
    let not_found = || AppError::NotFound("no ticket at this address".into());
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let (entry, port): (Entry, Port) = entries::table
        .inner_join(ports::table)
        .filter(entries::status_token.eq(token))
        .select((Entry::as_select(), Port::as_select()))
        .get_result(conn)
        .optional()?
        .ok_or_else(not_found)?;
    // A ticket's link stops answering a day after the ticket closed: a lost or photographed
    // ticket then tells nobody anything, not even that it existed.
    let answers_until = entry
        .finished_at
        .filter(|_| entry.status.is_final())
        .map(|done| from_db(done) + chrono::Duration::hours(STATUS_LINK_HOURS_AFTER_CLOSE));
    if answers_until.is_some_and(|until| until < now) {
        return Err(not_found());
    }
    let (waiting, people_before) = (entry.status == Status::Waiting)
        .then(|| snapshot(conn, &port, now))
        .transpose()?
        .and_then(|queue| {
            let waiting = queue
                .find(entry.id)
                .filter(|e| e.status == Status::Waiting)
                .cloned()?;
            Some((Some(waiting), queue.people_before(entry.id)))
        })
        .unwrap_or_default();
    Ok(TicketStatus {
        ticket: entry.ticket.clone(),
        status: entry.status,
        position: waiting.as_ref().and_then(|w| w.position),
        people_before,
        beyond_estimate: waiting.as_ref().is_some_and(|w| w.beyond_estimate),
        estimate: waiting.and_then(|w| w.estimated_call_at),
        counter: (entry.status == Status::Called)
            .then_some(entry.counter)
            .flatten()
            .and_then(|c| u32::try_from(c).ok()),
        port_code: port.code.clone(),
        port_name: port.name.clone(),
        language: entry.language,
        port,
        read_at: now,
        answers_until,
    })
}

/// A ticket at a counter, on the board.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Called {
    pub ticket: String,
    pub counter: u32,
    pub called_at: DateTime<Utc>,
    /// How many times it was called again without an answer.
    pub recalls: u32,
    /// The called ticket's language (BCP 47 tag), for the board to say the call in it: only
    /// while the port has that turned on, and only for a language we have the sentence in.
    /// It is never shown; the board feed carries nothing else about the person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'static str>,
}

/// What the "now serving" board shows.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub port_code: String,
    pub port_name: String,
    /// Tickets now at a counter, the latest call first.
    pub called: Vec<Called>,
    /// The next tickets in call order.
    pub next: Vec<String>,
    /// Changes whenever the port's queue changes: lets a board ask "anything new?" cheaply.
    pub revision: i64,
    pub generated_at: DateTime<Utc>,
}

/// The port's revision alone: the cheap question a board asks every second or two.
pub fn revision(conn: &mut DbConnection, code: &str) -> AppResult<i64> {
    Ok(port_by_code(conn, code)?.revision)
}

/// The board of a port.
pub fn board(conn: &mut DbConnection, code: &str, now: DateTime<Utc>) -> AppResult<Board> {
    let port = port_by_code(conn, code)?;
    board_of(conn, &port, now)
}

/// The board of a port already read (with the revision it was read at): the queue snapshot
/// and the engine's projection, the costly part that the web's board hub does once per
/// revision for every screen.
pub fn board_of(conn: &mut DbConnection, port: &Port, now: DateTime<Utc>) -> AppResult<Board> {
    let queue = snapshot(conn, port, now)?;
    let spoken = if port.announce_ticket_language {
        let ids: Vec<i64> = queue.called.iter().map(|e| e.id).collect();
        entries::table
            .filter(entries::id.eq_any(ids))
            .select((entries::id, entries::language))
            .load::<(i64, String)>(conn)?
    } else {
        Vec::new()
    };
    let catalog = portqueue_core::tickets::Catalog::shared();
    let language_of = |id: i64| {
        let (_, code) = spoken.iter().find(|(e, _)| *e == id)?;
        portqueue_core::languages::find(code)
            .filter(|l| catalog.has(l.code))
            .map(|l| l.tag)
    };
    let mut called: Vec<Called> = queue
        .called
        .iter()
        .filter_map(|e| {
            Some(Called {
                ticket: e.ticket.clone(),
                counter: e.counter?,
                called_at: e.called_at?,
                recalls: e.recalls,
                language: language_of(e.id),
            })
        })
        .collect();
    called.sort_by(|a, b| {
        b.called_at
            .cmp(&a.called_at)
            .then(a.counter.cmp(&b.counter))
    });
    called.truncate(BOARD_CALLED);
    Ok(Board {
        port_code: port.code.clone(),
        port_name: port.name.clone(),
        called,
        next: queue
            .waiting
            .iter()
            .take(BOARD_NEXT)
            .map(|e| e.ticket.clone())
            .collect(),
        revision: port.revision,
        generated_at: now,
    })
}

/// A call window's two ends as shown, port-local: `HH:MM`, with the date (`YYYY-MM-DD
/// HH:MM`) before a time not on the day of `now` and not on the day of the end before it,
/// so a window past midnight or on another day can never be read as today's.
pub fn window_times(port: &Port, window: &Window, now: DateTime<Utc>) -> (String, String) {
    let tz = port.tz();
    let today = now.with_timezone(&tz).date_naive();
    let show = |at: DateTime<Utc>, day_before: chrono::NaiveDate| {
        let local = at.with_timezone(&tz);
        if local.date_naive() == day_before {
            local.format("%H:%M").to_string()
        } else {
            local.format("%Y-%m-%d %H:%M").to_string()
        }
    };
    let earliest_day = window.earliest.with_timezone(&tz).date_naive();
    (
        show(window.earliest, today),
        show(window.latest, earliest_day),
    )
}

/// The local time of day, `HH:MM`, in the port's zone.
pub fn local_hhmm(port: &Port, at: DateTime<Utc>) -> String {
    at.with_timezone(&port.tz()).format("%H:%M").to_string()
}
