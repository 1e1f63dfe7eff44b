//! One service layer: every action a person or program can take is one function here that
//! opens a transaction, reads, calls the pure core, writes the change and its event, and
//! commits. The HTML pages and the JSON API are two thin faces over these functions.

pub mod accounts;
pub mod appointments;
pub mod audit;
pub mod counter_languages;
pub mod counter_plan;
pub mod counters;
pub mod entries;
pub mod group;
pub mod live;
pub mod ports;
pub mod public;
pub mod queue;
pub mod report_days;
pub mod reports;
pub mod retention;
pub mod sms;
pub mod tickets;
pub mod undo;
pub mod walk_ins;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use portqueue_core::Status;
use portqueue_core::events::{EntrySnapshot, EventKind};

use crate::auth::Actor;
use crate::db::models::{Entry, NewEvent, Port};
use crate::db::schema::{self, access_log, entry_events};
use crate::db::{DbConnection, to_db};
use crate::error::{AppError, AppResult};

/// A port by its code, or 404.
pub fn port_by_code(conn: &mut DbConnection, code: &str) -> AppResult<Port> {
    let query =
        schema::ports::table.filter(schema::ports::code.eq(code.trim().to_ascii_uppercase()));
    // The code is unique: no `LIMIT ?`, whose bound value makes SQLite prepare the
    // statement anew on every call (see `crate::db`, "Statements prepared once").
    crate::db::on_backend!(conn, |c| query
        .select(Port::as_select())
        .get_result(c)
        .optional())?
    .ok_or_else(|| AppError::NotFound(format!("no port with code `{code}`")))
}

/// A port the actor may act at: 404 when it does not exist, 403 when it is another port's.
pub fn port_for(conn: &mut DbConnection, actor: &Actor, code: &str) -> AppResult<Port> {
    let port = port_by_code(conn, code)?;
    actor.require_port(&port)?;
    Ok(port)
}

/// Takes the port's write lock for the rest of the transaction and returns the port as it is
/// now. Every change to a port's queue starts here, so that changes to one port happen one
/// after another (G7: no entry is called twice, whatever number of officers press "call next"
/// at once). One portable statement does it: on PostgreSQL the `UPDATE` locks the port's row;
/// on SQLite it takes the database's write lock at the start of the transaction.
pub fn lock_port(conn: &mut DbConnection, port_id: i64) -> AppResult<Port> {
    let lock = crate::db::LockPort::new(port_id);
    Ok(crate::db::on_backend!(conn, |c| lock.get_result::<Port>(c))?)
}

/// Details stored with an event.
#[derive(Debug, Default)]
pub struct EventDetail {
    pub snapshot: Option<EntrySnapshot>,
    pub note: Option<String>,
}

/// What a call under language matching records besides its note.
pub struct CallLanguage<'a> {
    /// Whether the counter covered the entry's language.
    pub matched: bool,
    /// The language reason line, also at the end of the note (read back by
    /// [`queue::language_reasons`]).
    pub reason: &'a str,
    pub passed_over: &'a portqueue_core::events::PassedOver,
}

/// Appends a `called` event; a call under language matching also says whether it matched
/// the entry's language and whom it passed over for language, with the wait limit in force
/// (`language_matched`, `language_reason` and `passed_over` in its detail, read back as
/// [`portqueue_core::events::Event`]'s): the report counts calls in their language and
/// judges the passes by the matching rule from them.
pub fn record_call_event(
    conn: &mut DbConnection,
    entry: &Entry,
    actor: Option<&Actor>,
    note: String,
    matched: Option<CallLanguage<'_>>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let mut body = json!({ "note": note });
    if let Some(call) = matched {
        body["language_matched"] = json!(call.matched);
        body["language_reason"] = json!(call.reason);
        body["passed_over"] = serde_json::to_value(call.passed_over)
            .map_err(|e| AppError::Internal(format!("event passed_over: {e}")))?;
    }
    insert_event(
        conn,
        entry,
        actor,
        EventKind::Called,
        Some(Status::Waiting),
        Some(Status::Called),
        body,
        at,
    )
}

/// Appends one event to the log. Call inside the transaction that makes the change.
#[allow(clippy::too_many_arguments)]
pub fn record_event(
    conn: &mut DbConnection,
    entry: &Entry,
    actor: Option<&Actor>,
    kind: EventKind,
    from: Option<Status>,
    to: Option<Status>,
    detail: EventDetail,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let mut body = json!({});
    if let Some(snapshot) = detail.snapshot {
        body["snapshot"] = serde_json::to_value(snapshot)
            .map_err(|e| AppError::Internal(format!("event snapshot: {e}")))?;
    }
    if let Some(note) = detail.note {
        body["note"] = json!(note);
    }
    insert_event(conn, entry, actor, kind, from, to, body, at)
}

#[allow(clippy::too_many_arguments)]
fn insert_event(
    conn: &mut DbConnection,
    entry: &Entry,
    actor: Option<&Actor>,
    kind: EventKind,
    from: Option<Status>,
    to: Option<Status>,
    body: serde_json::Value,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let event = NewEvent {
        entry_id: entry.id,
        port_id: entry.port_id,
        at: to_db(at),
        actor_id: actor.and_then(Actor::id),
        kind: kind.as_str().into(),
        from_status: from.map(|s| s.as_str().into()),
        to_status: to.map(|s| s.as_str().into()),
        counter: entry.counter,
        detail: body.to_string(),
    };
    crate::db::on_backend!(conn, |c| diesel::insert_into(entry_events::table)
        .values(&event)
        .execute(c))?;
    report_days::forget_from(conn, entry.port_id, at)
}

/// Records that `actor` saw personal data (names, nationality, notes) of a port or an entry.
pub fn log_access(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: Option<i64>,
    entry_id: Option<i64>,
    action: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    // The command line's system actor shows nobody's data: nothing to log.
    let Some(user_id) = actor.id() else {
        return Ok(());
    };
    diesel::insert_into(access_log::table)
        .values((
            access_log::at.eq(to_db(at)),
            access_log::user_id.eq(user_id),
            access_log::port_id.eq(port_id),
            access_log::entry_id.eq(entry_id),
            access_log::action.eq(action),
        ))
        .execute(conn)?;
    Ok(())
}

/// Runs `f` in one transaction: the change and its event commit together, or not at all.
///
/// A SQLite writer first waits its turn in its app's writer queue
/// ([`crate::turns::WriterQueue`]); PostgreSQL needs no such help (its row locks queue
/// waiters). A SQLite transaction takes the write lock as it begins (`BEGIN IMMEDIATE`):
/// one that began by reading would fail at once, without waiting, when another process
/// (`portqueue demo`, the command line) committed between its first read and its first
/// write; taken at the start, the lock is waited for like any other.
pub fn transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    let done = if !matches!(conn, DbConnection::Sqlite(_)) {
        conn.transaction(f)
    } else {
        let _turn = crate::turns::WriterQueue::turn();
        write_transaction(conn, f)
    };
    if done.is_ok() {
        // Caches built over the kept queues (the board hub) must see every committed change
        // made here at once, not only those applied to a kept queue (policy, settings, undo).
        live::note_change();
    }
    done
}

/// [`Connection::transaction`] with the outermost SQLite transaction begun by
/// `BEGIN IMMEDIATE` (an inner one is a savepoint, as ever).
fn write_transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T>,
) -> AppResult<T> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <DbConnection as Connection>::TransactionManager;
    let began = match conn {
        DbConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgresql(_) => Err(diesel::result::Error::AlreadyInTransaction),
    };
    match began {
        Ok(()) => {}
        Err(diesel::result::Error::AlreadyInTransaction) => return conn.transaction(f),
        Err(e) => return Err(e.into()),
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Trims an optional text field; empty means absent. Longer than `max` is an error.
pub fn optional_text(
    errors: &mut portqueue_core::FieldErrors,
    field: &str,
    value: &str,
    max: usize,
) -> Option<String> {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(field, format!("use at most {max} characters"));
        None
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        // The web and API gate refuses these earlier; this also covers the command line.
        errors.add(
            field,
            "contains a control character (such as NUL); remove it",
        );
        None
    } else if value.is_empty() {
        None
    } else {
        Some(value.to_owned())
    }
}
