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
}

/// One counter with someone at it.
pub struct CounterRow {
    pub counter: u32,
    pub ticket: String,
    pub party_size: u32,
    pub called: String,
    pub for_how_long: String,
}

/// The part of the page that refreshes itself.
pub struct QueueView {
    pub code: String,
    pub rows: Vec<QueueRow>,
    pub counters: Vec<CounterRow>,
    pub persons: u32,
    pub generated: String,
}

/// How an entry's class reads: a late appointment waits with the walk-ins.
pub fn class_label(class: Class, queue_class: Class) -> String {
    if class == queue_class {
        class.label().to_owned()
    } else {
        format!("{} (late: waits as {})", class.label(), queue_class.label())
    }
}

fn view(
    port: &Port,
    snapshot: &queue::Snapshot,
    printed: &BTreeSet<i64>,
    now: DateTime<Utc>,
) -> QueueView {
    let tz: Tz = port.tz();
    let rows: Vec<QueueRow> = snapshot
        .waiting
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
                .unwrap_or_else(|| "not known yet".into()),
            reason: e.reason.clone(),
        })
        .collect();
    QueueView {
        code: port.code.clone(),
        persons: rows.iter().map(|r| r.party_size).sum(),
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
            })
            .collect(),
        generated: format::clock(tz, snapshot.generated_at, now),
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
    let (port, snapshot, printed, now) = state
        .run(move |conn, now| {
            let port = service::port_for(conn, &actor, &code)?;
            let snapshot = queue::snapshot(conn, &port, now)?;
            let printed = tickets::printed_waiting(&snapshot);
            Ok((port, snapshot, printed, now))
        })
        .await?;
    let q = view(&port, &snapshot, &printed, now);
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
