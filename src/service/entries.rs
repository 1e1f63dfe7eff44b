//! What happens to an entry after it is called: complete, no-show, recall, withdraw.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use portqueue_core::Status;
use portqueue_core::events::EventKind;

use super::live::{self, Change};
use super::{EventDetail, lock_port, log_access, record_event};
use crate::auth::Actor;
use crate::db::models::{Entry, Port};
use crate::db::schema::{entries, ports};
use crate::db::{DbConnection, to_db};
use crate::error::{AppError, AppResult};
use crate::service::queue::EntryView;

/// An officer's action on one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Seen at the counter: `called` → `served`.
    Complete,
    /// Did not come after the calls: `called` → `no_show`.
    NoShow,
    /// Call again without an answer, up to the policy's `max_recalls`.
    Recall,
    /// Left the queue: `waiting` or `called` → `withdrawn`.
    Withdraw,
}

impl Action {
    /// The action named in an URL (`complete`, `no-show`, `recall`, `withdraw`).
    pub fn parse(name: &str) -> AppResult<Action> {
        match name {
            "complete" => Ok(Action::Complete),
            "no-show" => Ok(Action::NoShow),
            "recall" => Ok(Action::Recall),
            "withdraw" => Ok(Action::Withdraw),
            other => Err(AppError::NotFound(format!(
                "`{other}` is not an action: use complete, no-show, recall or withdraw"
            ))),
        }
    }

    fn event(self) -> EventKind {
        match self {
            Action::Complete => EventKind::Served,
            Action::NoShow => EventKind::NoShow,
            Action::Recall => EventKind::Recalled,
            Action::Withdraw => EventKind::Withdrawn,
        }
    }
}

/// An entry and its port, if the actor may see it. Another port's entry answers 404, the
/// same as a missing one: an id must not tell which port it belongs to.
pub fn load(conn: &mut DbConnection, actor: &Actor, entry_id: i64) -> AppResult<(Entry, Port)> {
    let found: Option<(Entry, Port)> = entries::table
        .inner_join(ports::table)
        .filter(entries::id.eq(entry_id))
        .select((Entry::as_select(), Port::as_select()))
        .get_result(conn)
        .optional()?;
    match found {
        Some((entry, port)) if actor.can_act_at(&port) => Ok((entry, port)),
        _ => Err(AppError::NotFound(format!("no entry {entry_id}"))),
    }
}

/// An entry with its personal data, for an officer of its port; the view is logged.
pub fn view_personal(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    now: DateTime<Utc>,
) -> AppResult<(Entry, Port)> {
    let (entry, port) = load(conn, actor, entry_id)?;
    log_access(
        conn,
        actor,
        Some(port.id),
        Some(entry.id),
        "view entry",
        now,
    )?;
    Ok((entry, port))
}

/// Locks the entry's port (the change's revision) and reads the entry under that lock.
fn locked_entry(conn: &mut DbConnection, port_id: i64, entry_id: i64) -> AppResult<(Port, Entry)> {
    let port = lock_port(conn, port_id)?;
    let entry = entries::table
        .find(entry_id)
        .select(Entry::as_select())
        .get_result(conn)?;
    Ok((port, entry))
}

/// The columns of an entry row, for `UPDATE … RETURNING` (`as_returning` does not go
/// through the multi-backend connection).
fn entry_row() -> <Entry as Selectable<<DbConnection as Connection>::Backend>>::SelectExpression {
    <Entry as Selectable<<DbConnection as Connection>::Backend>>::construct_selection()
}

/// Applies an action; 409 when the entry's present state does not allow it.
pub fn act(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    action: Action,
    note: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<EntryView> {
    let (_, port) = load(conn, actor, entry_id)?;
    live::commit(conn, |conn, _| {
        let (port, entry) = locked_entry(conn, port.id, entry_id)?;
        let from = entry.status;
        let max_recalls = i32::try_from(port.policy().max_recalls).unwrap_or(i32::MAX);
        let to = match (action, from) {
            (Action::Complete, Status::Called) => Status::Served,
            (Action::NoShow, Status::Called) => Status::NoShow,
            (Action::Recall, Status::Called) if entry.recalls < max_recalls => Status::Called,
            (Action::Recall, Status::Called) => {
                return Err(AppError::Conflict(format!(
                    "{} was already called {} times without an answer: mark it no-show",
                    entry.ticket,
                    entry.recalls + 1
                )));
            }
            (Action::Withdraw, Status::Waiting | Status::Called) => Status::Withdrawn,
            (_, status) => {
                return Err(AppError::Conflict(format!(
                    "{} is {}: it cannot be {} now",
                    entry.ticket,
                    status.label(),
                    match action {
                        Action::Complete => "completed",
                        Action::NoShow => "marked no-show",
                        Action::Recall => "recalled",
                        Action::Withdraw => "withdrawn",
                    }
                )));
            }
        };
        let target = entries::table.find(entry.id);
        let entry: Entry = match action {
            Action::Recall => diesel::update(target)
                .set((
                    entries::recalls.eq(entries::recalls + 1),
                    entries::called_at.eq(to_db(now)),
                ))
                .returning(entry_row())
                .get_result(conn)?,
            _ => diesel::update(target)
                .set((
                    entries::status.eq(to.as_str()),
                    entries::finished_at.eq(to_db(now)),
                ))
                .returning(entry_row())
                .get_result(conn)?,
        };
        record_event(
            conn,
            &entry,
            Some(actor),
            action.event(),
            Some(from),
            Some(to),
            EventDetail {
                snapshot: None,
                note,
            },
            now,
        )?;
        if to.is_final() {
            super::sms::on_close(conn, entry.id)?;
        }
        let view = super::queue::entry_view(conn, &entry, &port)?;
        Ok((view, Some(Change::of(port, vec![entry]))))
    })
}

/// Marks that an interpreter was requested for a waiting or called entry (`requested`
/// false takes the mark back); the change and its event commit together. The live queue
/// shows the mark with the entry's language.
pub fn request_interpreter(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    requested: bool,
    now: DateTime<Utc>,
) -> AppResult<EntryView> {
    let (_, port) = load(conn, actor, entry_id)?;
    let view = live::commit(conn, |conn, _| {
        let (port, entry) = locked_entry(conn, port.id, entry_id)?;
        let status = entry.status;
        if !matches!(status, Status::Waiting | Status::Called) {
            return Err(AppError::Conflict(format!(
                "{} is {}: an interpreter is asked for only while it waits or is called",
                entry.ticket,
                status.label()
            )));
        }
        let entry: Entry = diesel::update(entries::table.find(entry.id))
            .set(entries::interpreter_requested.eq(requested))
            .returning(entry_row())
            .get_result(conn)?;
        record_event(
            conn,
            &entry,
            Some(actor),
            EventKind::InterpreterRequested,
            Some(status),
            Some(status),
            EventDetail {
                snapshot: None,
                note: Some(if requested { "requested" } else { "cancelled" }.to_owned()),
            },
            now,
        )?;
        let view = super::queue::entry_view(conn, &entry, &port)?;
        Ok((view, Some(Change::of(port, vec![entry]))))
    })?;
    if view.status != Status::Waiting {
        return Ok(view);
    }
    // Still waiting: the same view as the live queue's, with its place, window, reason and
    // whether an interpreter is needed as things stand.
    let live = super::queue::officer_queue(conn, &port, now)?;
    Ok(match live.snapshot.find(view.id) {
        Some(waiting) => {
            let mut waiting = waiting.clone();
            waiting.interpreter_needed = live.interpreter_needed(&waiting);
            waiting
        }
        None => view,
    })
}
