//! Taking back a counter action, and keeping a hurried keyboard from acting twice.
//!
//! A counter is worked fast and by keyboard: an extra Enter can complete someone who was
//! never seen. So every counter action (call, recall, complete, no-show, withdraw) can be
//! taken back for [`UNDO_MINUTES`] by the officer who did it, at the counter where it was
//! done. The undo is its own event ([`EventKind::Undone`]); the action stays in the log for
//! the audit trail, and reports read the log through
//! [`portqueue_core::events::without_undone`], so a completion taken back is not counted as
//! served.
//!
//! A form sent twice (a double Enter, a reload) must not act twice: the counter forms carry
//! the *version* they were drawn from (the id of the latest event of the entry, or of the
//! counter), and [`act_once`] and [`call_once`] do nothing when it is no longer current.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use portqueue_core::Status;
use portqueue_core::events::EventKind;

use super::entries::{self, Action};
use super::queue::{self, EntryView};
use super::{lock_port, transaction};
use crate::auth::Actor;
use crate::db::models::{Entry, EventRow, NewEvent, Port};
use crate::db::schema::{entries as entries_t, entry_events, ports};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};

/// How long a counter action can be taken back.
pub const UNDO_MINUTES: i64 = 2;

/// How many of a counter's latest events are looked at to find what it can still undo.
const RECENT_AT_COUNTER: u32 = 20;

/// A counter action that can still be taken back.
#[derive(Debug, Clone)]
pub struct Undoable {
    pub entry_id: i64,
    pub ticket: String,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    /// The last moment the undo is accepted.
    pub until: DateTime<Utc>,
}

impl Undoable {
    /// What the button takes back, in words ("the completion of W-0001").
    pub fn label(&self) -> String {
        format!("{} of {}", action_noun(self.kind), self.ticket)
    }
}

/// The action an event records, as a noun.
pub fn action_noun(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Called => "the call",
        EventKind::Recalled => "the recall",
        EventKind::Served => "the completion",
        EventKind::NoShow => "the no-show",
        EventKind::Withdrawn => "the withdrawal",
        _ => "the action",
    }
}

/// The entry's counter actions that still stand (not taken back), oldest first: the same
/// pairing rule as [`portqueue_core::events::without_undone`].
fn standing_actions(conn: &mut DbConnection, entry_id: i64) -> AppResult<Vec<EventRow>> {
    let rows: Vec<EventRow> = entry_events::table
        .filter(entry_events::entry_id.eq(entry_id))
        .order(entry_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)?;
    let mut standing = Vec::new();
    for row in rows {
        match EventKind::parse(&row.kind) {
            Some(kind) if kind.is_counter_action() => standing.push(row),
            Some(EventKind::Undone) => {
                standing.pop();
            }
            _ => {}
        }
    }
    Ok(standing)
}

/// The version of an entry a form was drawn from: its latest event's id.
pub fn entry_version(conn: &mut DbConnection, entry_id: i64) -> AppResult<i64> {
    Ok(entry_events::table
        .filter(entry_events::entry_id.eq(entry_id))
        .select(diesel::dsl::max(entry_events::id))
        .get_result::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The version of a counter a form was drawn from: the id of the latest event recorded at
/// it (0 before its first call).
pub fn counter_version(conn: &mut DbConnection, port_id: i64, counter: u32) -> AppResult<i64> {
    Ok(entry_events::table
        .filter(entry_events::port_id.eq(port_id))
        .filter(entry_events::counter.eq(i32::try_from(counter).unwrap_or(0)))
        .select(diesel::dsl::max(entry_events::id))
        .get_result::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Reads a version sent back by a form: absent or unreadable means "not checked" (a form
/// of an older page, or a script), never an error.
pub fn parse_version(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

/// What a guarded action did.
#[derive(Debug)]
pub enum Once<T> {
    /// It was done now.
    Done(T),
    /// The form was drawn from a state that has changed since (it was sent twice, or
    /// someone else acted first): nothing was done.
    Stale,
}

/// [`entries::act`], unless `version` is given and the entry has changed since: then
/// nothing is done, so the second of two identical posts is harmless.
pub fn act_once(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    action: Action,
    version: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Once<EntryView>> {
    let (_, port) = entries::load(conn, actor, entry_id)?;
    transaction(conn, |conn| {
        lock_port(conn, port.id)?;
        if let Some(version) = version
            && entry_version(conn, entry_id)? != version
        {
            return Ok(Once::Stale);
        }
        entries::act(conn, actor, entry_id, action, None, now).map(Once::Done)
    })
}

/// [`queue::call_next`], unless `version` is given and the counter has changed since (it
/// already called, say): then nothing is done.
pub fn call_once(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    counter: u32,
    version: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Once<Option<EntryView>>> {
    transaction(conn, |conn| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        if let Some(version) = version
            && counter_version(conn, port_id, counter)? != version
        {
            return Ok(Once::Stale);
        }
        queue::call_next(conn, actor, port_id, counter, now).map(Once::Done)
    })
}

/// The latest action this officer took at this counter that can still be taken back.
pub fn undoable_at_counter(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    counter: u32,
    now: DateTime<Utc>,
) -> AppResult<Option<Undoable>> {
    let Some(actor_id) = actor.id() else {
        return Ok(None);
    };
    let since = now - Duration::minutes(UNDO_MINUTES);
    // The port's first event since then, found among the port's recent events (by time):
    // the counter's are then read from there on by the counter's own index, so that an idle
    // counter never walks back through its whole history looking for recent ones.
    let Some(first_recent) = entry_events::table
        .filter(entry_events::port_id.eq(port_id))
        .filter(entry_events::at.ge(to_db(since)))
        .select(diesel::dsl::min(entry_events::id))
        .get_result::<Option<i64>>(conn)?
    else {
        return Ok(None);
    };
    let recent: Vec<i64> = crate::db::limited::<RECENT_AT_COUNTER, _>(
        entry_events::table
            .filter(entry_events::port_id.eq(port_id))
            .filter(entry_events::counter.eq(i32::try_from(counter).unwrap_or(0)))
            .filter(entry_events::id.ge(first_recent))
            .filter(entry_events::at.ge(to_db(since)))
            .order(entry_events::id.desc())
            .select(entry_events::entry_id),
    )
    .load(conn)?;
    let mut seen = Vec::new();
    let mut best: Option<(i64, Undoable)> = None;
    for entry_id in recent {
        if seen.contains(&entry_id) {
            continue;
        }
        seen.push(entry_id);
        let Some(top) = standing_actions(conn, entry_id)?.pop() else {
            continue;
        };
        let at = from_db(top.at);
        let counter_db = i32::try_from(counter).ok();
        if top.actor_id != Some(actor_id) || top.counter != counter_db || at < since {
            continue;
        }
        if best.as_ref().is_some_and(|(id, _)| *id > top.id) {
            continue;
        }
        let ticket: String = entries_t::table
            .find(entry_id)
            .select(entries_t::ticket)
            .get_result(conn)?;
        let kind = EventKind::parse(&top.kind).unwrap_or(EventKind::Called);
        best = Some((
            top.id,
            Undoable {
                entry_id,
                ticket,
                kind,
                at,
                until: at + Duration::minutes(UNDO_MINUTES),
            },
        ));
    }
    Ok(best.map(|(_, u)| u))
}

/// Takes back the entry's latest counter action that still stands. 409 when there is none
/// or it is older than [`UNDO_MINUTES`]; 403 when another officer took it, or `counter`
/// names another counter than the one it was taken at. Another port's entry answers as
/// [`entries::load`] does for every entry action.
///
/// A call taken back puts the entry back to waiting with its own arrival and eligible
/// times (the engine orders by those, so it is back in its fair place) and gives its class
/// back the share credit the call earned ([`portqueue_core::queue::uncharge`]).
pub fn undo(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    counter: Option<u32>,
    now: DateTime<Utc>,
) -> AppResult<EntryView> {
    let (_, port) = entries::load(conn, actor, entry_id)?;
    transaction(conn, |conn| {
        let port: Port = lock_port(conn, port.id)?;
        let entry: Entry = entries_t::table
            .find(entry_id)
            .select(Entry::as_select())
            .get_result(conn)?;
        let mut standing = standing_actions(conn, entry_id)?;
        let Some(top) = standing.pop() else {
            return Err(AppError::Conflict(format!(
                "{}: nothing to undo",
                entry.ticket
            )));
        };
        let kind = EventKind::parse(&top.kind).unwrap_or(EventKind::Called);
        let at = from_db(top.at);
        if now - at > Duration::minutes(UNDO_MINUTES) {
            return Err(AppError::Conflict(format!(
                "{} of {} was more than {UNDO_MINUTES} minutes ago: it can no longer be undone",
                action_noun(kind),
                entry.ticket
            )));
        }
        if top.actor_id.is_none() || top.actor_id != actor.id() {
            return Err(AppError::Forbidden(format!(
                "{} of {} was done by another officer: only they can undo it",
                action_noun(kind),
                entry.ticket
            )));
        }
        if let (Some(asked), Some(done_at)) = (counter, top.counter)
            && i32::try_from(asked).ok() != Some(done_at)
        {
            return Err(AppError::Forbidden(format!(
                "{} of {} was done at counter {done_at}: undo it there",
                action_noun(kind),
                entry.ticket
            )));
        }
        let from = entry.status;
        // A status the log cannot name stops the undo: a guess could reopen a finished entry.
        let restore = match top.from_status.as_deref() {
            None => Status::Waiting,
            Some(stored) => stored
                .parse::<Status>()
                .map_err(|e| AppError::Internal(format!("event {}: stored status {e}", top.id)))?,
        };
        let target = entries_t::table.find(entry.id);
        let to = match kind {
            EventKind::Called => {
                diesel::update(target)
                    .set((
                        entries_t::status.eq(Status::Waiting.as_str()),
                        entries_t::counter.eq(None::<i32>),
                        entries_t::called_at.eq(None::<chrono::NaiveDateTime>),
                        entries_t::call_reason.eq(None::<String>),
                        entries_t::recalls.eq(0),
                        entries_t::language_matched.eq(None::<bool>),
                        entries_t::interpreter_needed.eq(false),
                    ))
                    .execute(conn)?;
                let tz = port.tz();
                let state = portqueue_core::queue::uncharge(
                    &port.share_state(),
                    &port.policy(),
                    at.with_timezone(&tz).date_naive(),
                    &entry.queue_entry(),
                );
                let state = serde_json::to_string(&state)
                    .map_err(|e| AppError::Internal(format!("share state: {e}")))?;
                diesel::update(ports::table.find(port.id))
                    .set(ports::share_state.eq(state))
                    .execute(conn)?;
                super::sms::on_call_undone(conn, entry.id)?;
                Status::Waiting
            }
            EventKind::Recalled => {
                // Called again at the time of the call before it.
                let previous = standing.last().map(|row| row.at);
                diesel::update(target)
                    .set((
                        entries_t::recalls.eq((entry.recalls - 1).max(0)),
                        entries_t::called_at.eq(previous.or(entry.called_at)),
                    ))
                    .execute(conn)?;
                Status::Called
            }
            _ => {
                if restore == Status::Called
                    && let Some(busy) =
                        top.counter
                            .and_then(|c| u32::try_from(c).ok())
                            .and_then(|c| {
                                queue::at_counter(conn, port.id, c)
                                    .ok()
                                    .flatten()
                                    .map(|e| (c, e))
                            })
                {
                    return Err(AppError::Conflict(format!(
                        "counter {} is now with {}: undo or finish that first",
                        busy.0, busy.1.ticket
                    )));
                }
                diesel::update(target)
                    .set((
                        entries_t::status.eq(restore.as_str()),
                        entries_t::finished_at.eq(None::<chrono::NaiveDateTime>),
                    ))
                    .execute(conn)?;
                restore
            }
        };
        diesel::insert_into(entry_events::table)
            .values(NewEvent {
                entry_id: entry.id,
                port_id: entry.port_id,
                at: to_db(now),
                actor_id: actor.id(),
                kind: EventKind::Undone.as_str().into(),
                from_status: Some(from.as_str().into()),
                to_status: Some(to.as_str().into()),
                counter: top.counter,
                detail:
                    json!({ "note": format!("undid {} (event {})", action_noun(kind), top.id) })
                        .to_string(),
            })
            .execute(conn)?;
        let entry: Entry = entries_t::table
            .find(entry.id)
            .select(Entry::as_select())
            .get_result(conn)?;
        super::queue::entry_view(conn, &entry, &port)
    })
}
