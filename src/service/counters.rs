//! What a counter's page shows, read in one service call: the party at the counter (a view
//! of personal data, logged), what can be undone there, and the counter's languages.

use chrono::{DateTime, Utc};

use super::counter_languages::{self, OpenCounter};
use super::undo::{self, Undoable};
use super::{entries, port_for, queue};
use crate::auth::Actor;
use crate::db::DbConnection;
use crate::db::models::{Entry, Port};
use crate::error::AppResult;

/// The party at a counter now.
#[derive(Debug, Clone)]
pub struct AtCounter {
    pub entry: Entry,
    /// The entry's version, which the forms acting on it carry (a stale form is refused).
    pub version: i64,
    /// The language line of its call, when matching chose it.
    pub language_reason: Option<String>,
}

/// A counter's page.
#[derive(Debug, Clone)]
pub struct Desk {
    pub port: Port,
    pub current: Option<AtCounter>,
    /// The counter's version (its latest event), carried by the "call next" form.
    pub version: i64,
    pub undoable: Option<Undoable>,
    /// The counter's languages, when it is open with languages today.
    pub open: Option<OpenCounter>,
    /// The officer's own languages (what the languages form offers first).
    pub officer_languages: Vec<String>,
}

/// Counter `counter` of the port `code` as `actor` sees it now.
pub fn desk(
    conn: &mut DbConnection,
    actor: &Actor,
    code: &str,
    counter: u32,
    now: DateTime<Utc>,
) -> AppResult<Desk> {
    let port = port_for(conn, actor, code)?;
    let current = match queue::at_counter(conn, port.id, counter)? {
        Some(entry) => {
            let entry = entries::view_personal(conn, actor, entry.id, now)?.0;
            Some(AtCounter {
                version: undo::entry_version(conn, entry.id)?,
                language_reason: queue::language_reasons(conn, &[entry.id])?.remove(&entry.id),
                entry,
            })
        }
        None => None,
    };
    Ok(Desk {
        version: undo::counter_version(conn, port.id, counter)?,
        undoable: undo::undoable_at_counter(conn, actor, port.id, counter, now)?,
        open: counter_languages::open_counters(conn, &port, now)?
            .into_iter()
            .find(|c| c.counter == counter),
        officer_languages: counter_languages::officer_languages(conn, actor)?,
        current,
        port,
    })
}
