//! The live queue of a port: who waits, in which order, until about when, and why; and who
//! is at which counter. No names: this page may face the room.

use std::collections::BTreeSet;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use portqueue_core::{Class, Tier};
use serde::Deserialize;

use crate::AppState;
use crate::db::models::Port;
use crate::service::{self, queue, tickets};

use super::WebResult;
use super::format;
use super::layout::Layout;
use super::session::SignedIn;

/// One waiting entry as the table shows it.
pub struct QueueRow {
    pub id: i64,
    /// Whether its ticket printed (a `ticket_printed` event); if not, the row says so and
    /// links to the ticket.
    pub printed: bool,
    pub position: u32,
    pub ticket: String,
    pub class: String,
    pub tier: &'static str,
    pub urgent: bool,
    pub priority: bool,
    pub party_size: u32,
    pub since: String,
    pub waited: String,
    pub window: String,
    pub reason: String,
    /// The language's English name, for planning interpreters.
    pub language: String,
    /// Why it needs an interpreter, if it does: an officer asked for one, or counters are
    /// open with languages and none covers it.
    pub interpreter: Option<&'static str>,
}

/// One counter with someone at it.
pub struct CounterRow {
    pub counter: u32,
    pub ticket: String,
    pub party_size: u32,
    pub called: String,
    pub for_how_long: String,
    /// Why it was called: the fair order's reason.
    pub reason: String,
    /// Called under language matching: the language reason line, beside `reason`.
    pub language_reason: Option<String>,
}

/// How many waiting entries the page lists at once: the next 200 are what officers act on;
/// the rest are a page away or found by ticket number.
pub const PAGE: usize = 200;

/// The part of the page that refreshes itself.
pub struct QueueView {
    pub code: String,
    /// The waiting entries of this page (or those matching the search), in call order.
    pub rows: Vec<QueueRow>,
    /// Everyone waiting.
    pub total: usize,
    /// Those matching the search (everyone without one).
    pub matched: usize,
    /// 1-based place among `matched` of the first and last row shown.
    pub first: usize,
    pub last: usize,
    /// Where the previous and next pages start, if any.
    pub prev_start: Option<usize>,
    pub next_start: Option<usize>,
    /// The ticket searched for, as typed (trimmed).
    pub search: String,
    /// The page's own query (`&start=…&ticket=…`, encoded), for the refresh and the pager.
    pub query: String,
    pub counters: Vec<CounterRow>,
    pub persons: u32,
    pub generated: String,
    /// Counters open now (the estimates' rule) with nobody at them.
    pub free: Vec<u32>,
}

/// The reason without its share clause ("walk-ins get 30% of officer time") when only one
/// class waits: the share decides nothing then.
fn reason_shown(reason: &str, both_classes_wait: bool) -> String {
    match reason.rsplit_once("; ") {
        Some((rest, share)) if !both_classes_wait && share.ends_with("of officer time") => {
            rest.to_owned()
        }
        _ => reason.to_owned(),
    }
}

/// How an entry's class reads: a late appointment waits with the walk-ins.
pub fn class_label(class: Class, queue_class: Class) -> String {
    if class == queue_class {
        class.label().to_owned()
    } else {
        format!("{} (late: waits as {})", class.label(), queue_class.label())
    }
}

#[allow(clippy::too_many_arguments)]
fn view(
    port: &Port,
    live: &queue::OfficerQueue,
    printed: &BTreeSet<i64>,
    now: DateTime<Utc>,
    start: usize,
    search: &str,
) -> QueueView {
    let (snapshot, floor) = (&live.snapshot, &live.floor);
    let tz: Tz = port.tz();
    let classes: BTreeSet<_> = snapshot.waiting.iter().map(|e| e.queue_class).collect();
    let both_classes_wait = classes.len() > 1;
    let needle = search.to_ascii_uppercase();
    let matching: Vec<&queue::EntryView> = snapshot
        .waiting
        .iter()
        .filter(|e| needle.is_empty() || e.ticket.contains(&needle))
        .collect();
    let start = if start < matching.len() { start } else { 0 };
    let shown = &matching[start..(start + PAGE).min(matching.len())];
    let rows: Vec<QueueRow> = shown
        .iter()
        .map(|e| QueueRow {
            id: e.id,
            printed: printed.contains(&e.id),
            position: e.position.unwrap_or_default(),
            ticket: e.ticket.clone(),
            class: class_label(e.class, e.queue_class),
            tier: e.tier.label(),
            urgent: e.tier == Tier::Urgent,
            priority: e.tier == Tier::Priority,
            party_size: e.party_size,
            since: format::clock(tz, e.arrived_at, now),
            waited: format::span(now - e.arrived_at),
            window: e
                .estimated_call_at
                .map(|w| format::window(tz, &w, now))
                .unwrap_or_else(|| "no counter open".into()),
            reason: reason_shown(&e.reason, both_classes_wait),
            language: floor
                .languages
                .get(&e.id)
                .map(|code| {
                    portqueue_core::languages::find(code)
                        .map_or_else(|| code.clone(), |l| l.name.to_owned())
                })
                .unwrap_or_default(),
            interpreter: if e.interpreter_requested {
                Some("interpreter requested")
            } else if live.interpreter_needed(e) {
                Some("interpreter needed: no open counter covers it")
            } else {
                None
            },
        })
        .collect();
    let mut query = String::new();
    if start > 0 {
        query.push_str(&format!("&start={start}"));
    }
    if !search.is_empty() {
        query.push_str(&format!("&ticket={}", super::url_encode(search)));
    }
    QueueView {
        code: port.code.clone(),
        persons: snapshot.waiting.iter().map(|e| e.party_size).sum(),
        total: snapshot.waiting.len(),
        matched: matching.len(),
        first: start + 1,
        last: start + rows.len(),
        prev_start: (start > 0).then(|| start.saturating_sub(PAGE)),
        next_start: (start + PAGE < matching.len()).then_some(start + PAGE),
        search: search.to_owned(),
        query,
        rows,
        counters: snapshot
            .called
            .iter()
            .map(|e| CounterRow {
                counter: e.counter.unwrap_or_default(),
                ticket: e.ticket.clone(),
                party_size: e.party_size,
                called: e
                    .called_at
                    .map(|t| format::clock(tz, t, now))
                    .unwrap_or_default(),
                for_how_long: e
                    .called_at
                    .map(|t| format::span(now - t))
                    .unwrap_or_default(),
                reason: e.reason.clone(),
                language_reason: live.language_reasons.get(&e.id).cloned(),
            })
            .collect(),
        generated: format::clock(tz, snapshot.generated_at, now),
        free: floor.free.clone(),
    }
}

#[derive(askama::Template)]
#[template(path = "queue.html")]
struct QueuePage {
    l: Layout,
    q: QueueView,
    /// The counter picker's value: remembered, or as typed when it was refused.
    counter: String,
    counter_error: Option<&'static str>,
    password_changed: bool,
}

#[derive(askama::Template)]
#[template(path = "queue_table.html")]
struct QueueFragment {
    q: QueueView,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    fragment: Option<String>,
    #[serde(default)]
    changed: Option<String>,
    /// A counter number the picker refused, shown back beside the field.
    #[serde(default)]
    counter: Option<String>,
    /// Where the listed page starts among the waiting (0 = the next to be called).
    #[serde(default)]
    start: Option<String>,
    /// A ticket number, or part of one, to find among everyone waiting.
    #[serde(default)]
    ticket: Option<String>,
}

/// `GET /ports/{code}/queue` (and `?fragment=1`: only the part that refreshes, for the
/// script that updates the page in place).
pub async fn queue_page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<QueueQuery>,
) -> WebResult<HttpResponse> {
    let actor = signed.actor.clone();
    let (port, live, printed, now) = state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &code)?;
            let live = queue::officer_queue(conn, &port, now)?;
            let printed = tickets::printed_waiting(&live.snapshot);
            Ok((port, live, printed, now))
        })
        .await?;
    let start = query
        .start
        .as_deref()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let search: String = query
        .ticket
        .as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(12)
        .collect();
    let q = view(&port, &live, &printed, now, start, &search);
    if query.fragment.is_some() {
        return Ok(super::ok(&QueueFragment { q }));
    }
    Ok(super::ok(&QueuePage {
        l: Layout::new(&signed, Some(&port), "queue"),
        q,
        counter: query
            .counter
            .clone()
            .or_else(|| signed.counter.map(|c| c.to_string()))
            .unwrap_or_default(),
        counter_error: query
            .counter
            .is_some()
            .then_some("counters are numbered 1 to 99"),
        password_changed: query.changed.as_deref() == Some("password"),
    }))
}
