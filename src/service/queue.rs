//! The live queue of one port: who waits in which order, who is at which counter, and the
//! call itself. The order comes from the pure engine (`portqueue_core::queue`); this module
//! only feeds it what is stored and writes back what it decided.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use portqueue_core::events::EventKind;
use portqueue_core::queue::{self as engine, Counters, Projected, QueueEntry, Window};
use portqueue_core::{Class, Status, Tier};

use super::{EventDetail, lock_port, record_event, transaction};
use crate::auth::Actor;
use crate::db::models::{Entry, Port};
use crate::db::schema::{appointments, entries, ports};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};

/// Counters are numbered 1 to 99 and need no set-up (interfaces.md).
pub const COUNTERS: std::ops::RangeInclusive<u32> = 1..=99;

/// How long after its last call a counter still counts as open for estimates.
const COUNTER_OPEN_MINUTES: i64 = 60;

/// Served entries needed before the day's own service time replaces the policy's.
const MIN_SERVED_FOR_MEAN: usize = 3;

/// An entry as the API and pages show it: ticket numbers and queue facts, no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub id: i64,
    pub ticket: String,
    pub class: Class,
    pub queue_class: Class,
    pub tier: Tier,
    pub party_size: u32,
    pub status: Status,
    pub arrived_at: DateTime<Utc>,
    pub eligible_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_call_at: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub called_at: Option<DateTime<Utc>>,
    /// Calls again without an answer since the first call.
    pub recalls: u32,
    pub reason: String,
    /// The public status page's absolute URL (the ticket's QR code), filled in by the face
    /// that knows the server's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
    /// The unguessable part of the public status link.
    #[serde(skip)]
    pub status_token: String,
}

impl EntryView {
    /// The view of an entry, with its projection while it waits.
    pub fn new(entry: &Entry, port: &Port, projected: Option<&Projected>) -> EntryView {
        let placement = engine::place(&entry.queue_entry(), &port.policy());
        let reason = match (projected, &entry.call_reason) {
            (Some(p), _) => p.reason.clone(),
            (None, Some(reason)) => reason.clone(),
            (None, None) => String::new(),
        };
        EntryView {
            id: entry.id,
            ticket: entry.ticket.clone(),
            class: entry.class(),
            queue_class: placement.queue_class,
            tier: entry.tier(),
            party_size: entry.party_size(),
            status: entry.status(),
            arrived_at: entry.arrived_at(),
            eligible_at: placement.eligible_at,
            position: projected.map(|p| p.position),
            estimated_call_at: projected.and_then(|p| p.estimate),
            counter: entry.counter.and_then(|c| u32::try_from(c).ok()),
            called_at: entry.called_at.map(from_db),
            recalls: u32::try_from(entry.recalls).unwrap_or(0),
            reason,
            status_url: None,
            status_token: entry.status_token.clone(),
        }
    }
}

/// One port's queue at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub generated_at: DateTime<Utc>,
    /// Waiting entries in call order.
    pub waiting: Vec<EntryView>,
    /// Entries now at a counter, by counter.
    pub called: Vec<EntryView>,
}

impl Snapshot {
    /// The waiting entry with this id, if any.
    pub fn find(&self, id: i64) -> Option<&EntryView> {
        self.waiting.iter().chain(&self.called).find(|e| e.id == id)
    }
}

fn open_entries(conn: &mut DbConnection, port_id: i64) -> AppResult<Vec<Entry>> {
    Ok(entries::table
        .filter(entries::port_id.eq(port_id))
        .filter(entries::status.eq_any([Status::Waiting.as_str(), Status::Called.as_str()]))
        .order(entries::id.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// An entry finished today, as the estimates need it.
#[derive(Queryable)]
struct Finished {
    counter: Option<i32>,
    called_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    party_size: i32,
    status: String,
}

/// The counters open now and when each is free, and the service minutes per person.
fn counters(
    conn: &mut DbConnection,
    port: &Port,
    open: &[Entry],
    now: DateTime<Utc>,
) -> AppResult<Counters> {
    let policy = port.policy();
    let since = to_db(now - Duration::minutes(COUNTER_OPEN_MINUTES));
    let day_start = to_db(local_day_start(port, now));
    // Entries finished today, for the observed mean and the counters recently in use.
    let finished: Vec<Finished> = entries::table
        .filter(entries::port_id.eq(port.id))
        .filter(entries::finished_at.ge(day_start))
        .select((
            entries::counter,
            entries::called_at,
            entries::finished_at,
            entries::party_size,
            entries::status,
        ))
        .load(conn)?;
    let served: Vec<(f64, f64)> = finished
        .iter()
        .filter(|f| f.status == Status::Served.as_str())
        .filter_map(|f| {
            let minutes =
                (from_db(f.finished_at?) - from_db(f.called_at?)).num_seconds() as f64 / 60.0;
            Some((minutes, f64::from(f.party_size)))
        })
        .collect();
    let minutes_per_person = if served.len() >= MIN_SERVED_FOR_MEAN {
        let (minutes, persons) = served
            .iter()
            .fold((0.0, 0.0), |(m, p), (mm, pp)| (m + mm, p + pp));
        (minutes / persons).max(0.5)
    } else {
        f64::from(policy.minutes_per_person)
    };
    let mut free_at: BTreeMap<i32, DateTime<Utc>> = BTreeMap::new();
    for f in &finished {
        if let (Some(c), Some(done)) = (f.counter, f.finished_at)
            && done >= since
        {
            free_at.entry(c).or_insert(now);
        }
    }
    for entry in open.iter().filter(|e| e.status() == Status::Called) {
        if let (Some(c), Some(called)) = (entry.counter, entry.called_at) {
            let expected = from_db(called)
                + Duration::seconds(
                    (minutes_per_person * 60.0 * f64::from(entry.party_size)) as i64,
                );
            free_at.insert(c, expected.max(now));
        }
    }
    Ok(Counters {
        free_at: free_at.into_values().collect(),
        minutes_per_person,
        expected: expected_bookings(conn, port, now)?,
    })
}

/// Bookings that may still arrive: not checked in, with a slot from `late_window` ago to a
/// day ahead. The estimates' pessimistic run lets them take their share when they come;
/// no-shows are common, so they never move anyone's nominal place (see
/// `portqueue_core::queue::Counters::expected`).
fn expected_bookings(
    conn: &mut DbConnection,
    port: &Port,
    now: DateTime<Utc>,
) -> AppResult<Vec<QueueEntry>> {
    let late = Duration::minutes(i64::from(port.policy().late_window_minutes));
    let booked: Vec<(i64, NaiveDateTime, i32)> = appointments::table
        .left_join(entries::table.on(entries::appointment_id.eq(appointments::id.nullable())))
        .filter(appointments::port_id.eq(port.id))
        .filter(entries::id.is_null())
        .filter(appointments::slot_at.ge(to_db(now - late)))
        .filter(appointments::slot_at.lt(to_db(now + Duration::days(1))))
        .select((
            appointments::id,
            appointments::slot_at,
            appointments::party_size,
        ))
        .load(conn)?;
    Ok(booked
        .into_iter()
        .map(|(id, slot, persons)| QueueEntry {
            // Negative ids never collide with an entry's; not registered yet, a booking
            // loses every tie of sequence to those who are.
            id: -id,
            seq: i64::MAX - id,
            class: Class::Appointment,
            tier: Tier::Standard,
            party_size: u32::try_from(persons).unwrap_or(1),
            arrived_at: from_db(slot),
            slot_at: Some(from_db(slot)),
        })
        .collect())
}

/// The start of the port-local day that contains `now`, in UTC: local midnight, or the
/// first local minute of the day where a clock change skips midnight (the same rule as the
/// reports' day, `portqueue_core::reports::day_bounds`).
pub fn local_day_start(port: &Port, now: DateTime<Utc>) -> DateTime<Utc> {
    let tz = port.tz();
    portqueue_core::reports::day_bounds(now.with_timezone(&tz).date_naive(), tz).0
}

/// The port's queue now: waiting entries in call order with estimates, and who is called.
pub fn snapshot(conn: &mut DbConnection, port: &Port, now: DateTime<Utc>) -> AppResult<Snapshot> {
    let open = open_entries(conn, port.id)?;
    let counters = counters(conn, port, &open, now)?;
    let (waiting, called): (Vec<&Entry>, Vec<&Entry>) =
        open.iter().partition(|e| e.status() == Status::Waiting);
    let queue: Vec<_> = waiting.iter().map(|e| e.queue_entry()).collect();
    let projected = engine::project(
        &queue,
        &port.policy(),
        port.tz(),
        &port.share_state(),
        now,
        &counters,
    );
    let by_id: BTreeMap<i64, &Entry> = waiting.iter().map(|e| (e.id, *e)).collect();
    let waiting = projected
        .iter()
        .filter_map(|p| {
            by_id
                .get(&p.entry_id)
                .map(|e| EntryView::new(e, port, Some(p)))
        })
        .collect();
    let mut called: Vec<EntryView> = called
        .into_iter()
        .map(|e| EntryView::new(e, port, None))
        .collect();
    called.sort_by_key(|e| (e.counter, e.id));
    Ok(Snapshot {
        generated_at: now,
        waiting,
        called,
    })
}

/// Checks a counter number from a form or URL.
pub fn parse_counter(value: &str) -> AppResult<u32> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|c| COUNTERS.contains(c))
        .ok_or_else(|| AppError::invalid("counter", "counters are numbered 1 to 99"))
}

/// "Call next" at a counter: the engine picks the entry, and the call, the share state and
/// the event commit together. `None` when nobody is eligible.
pub fn call_next(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    counter: u32,
    now: DateTime<Utc>,
) -> AppResult<Option<EntryView>> {
    if !COUNTERS.contains(&counter) {
        return Err(AppError::invalid(
            "counter",
            "counters are numbered 1 to 99",
        ));
    }
    let counter_db = i32::try_from(counter).unwrap_or(1);
    transaction(conn, |conn| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        let open = open_entries(conn, port.id)?;
        if let Some(busy) = open
            .iter()
            .find(|e| e.status() == Status::Called && e.counter == Some(counter_db))
        {
            return Err(AppError::Conflict(format!(
                "counter {counter} is still with {}: complete, no-show or withdraw it first",
                busy.ticket
            )));
        }
        let waiting: Vec<_> = open
            .iter()
            .filter(|e| e.status() == Status::Waiting)
            .map(Entry::queue_entry)
            .collect();
        let Some(call) = engine::next_call(
            &waiting,
            &port.policy(),
            port.tz(),
            &port.share_state(),
            now,
        ) else {
            return Ok(None);
        };
        let state = serde_json::to_string(&call.state)
            .map_err(|e| AppError::Internal(format!("share state: {e}")))?;
        diesel::update(ports::table.find(port.id))
            .set(ports::share_state.eq(state))
            .execute(conn)?;
        let updated = diesel::update(
            entries::table
                .find(call.entry_id)
                .filter(entries::status.eq(Status::Waiting.as_str())),
        )
        .set((
            entries::status.eq(Status::Called.as_str()),
            entries::counter.eq(counter_db),
            entries::called_at.eq(to_db(now)),
            entries::call_reason.eq(&call.reason),
        ))
        .execute(conn)?;
        if updated != 1 {
            // The port lock makes this impossible; refuse rather than call anyone twice (G7).
            return Err(AppError::Conflict(
                "that entry was just called elsewhere; try again".into(),
            ));
        }
        let entry: Entry = entries::table
            .find(call.entry_id)
            .select(Entry::as_select())
            .first(conn)?;
        record_event(
            conn,
            &entry,
            Some(actor),
            EventKind::Called,
            Some(Status::Waiting),
            Some(Status::Called),
            EventDetail {
                snapshot: None,
                note: Some(call.reason),
            },
            now,
        )?;
        Ok(Some(EntryView::new(&entry, &port, None)))
    })
}

/// The entry now at a counter, if any.
pub fn at_counter(conn: &mut DbConnection, port_id: i64, counter: u32) -> AppResult<Option<Entry>> {
    Ok(entries::table
        .filter(entries::port_id.eq(port_id))
        .filter(entries::status.eq(Status::Called.as_str()))
        .filter(entries::counter.eq(i32::try_from(counter).unwrap_or(0)))
        .select(Entry::as_select())
        .first(conn)
        .optional()?)
}
