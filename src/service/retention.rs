//! Retention: personal data is kept only as long as a port needs it. After a port's
//! retention days (counted from arrival), an entry's name, nationality, barrier note, urgent
//! reason and the officers' free-text notes in its events are erased; a booked appointment's
//! name and nationality likewise after its slot. Ticket numbers, times, tiers, counters and
//! events stay, so every report reads the same before and after. Each purge is logged with
//! its counts.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::{Actor, Role};
use crate::db::models::Port;
use crate::db::schema::{appointments, entries, entry_events, ports};
use crate::db::{DbConnection, to_db};
use crate::error::{AppError, AppResult};
use crate::service::{audit, transaction};

/// Retention when an admin sets none.
pub const DEFAULT_DAYS: i32 = 30;
/// The longest retention an admin may set (about ten years).
pub const MAX_DAYS: i32 = 3650;
/// What a purged field shows.
pub const ERASED: &str = "erased";

/// What one purge erased (or, on a dry run, would erase) at one port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub port: String,
    pub retention_days: i32,
    pub entries: usize,
    pub appointments: usize,
    pub event_notes: usize,
}

/// A port's retention in days.
pub fn retention_days(conn: &mut DbConnection, port_id: i64) -> AppResult<i32> {
    Ok(ports::table
        .find(port_id)
        .select(ports::retention_days)
        .get_result(conn)?)
}

/// Checks a typed number of retention days.
pub fn parse_days(value: &str) -> AppResult<i32> {
    let days: i32 = value.trim().parse().map_err(|_| {
        AppError::invalid(
            "retention_days",
            format!("`{value}` is not a whole number of days"),
        )
    })?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::invalid(
            "retention_days",
            format!("use between 1 and {MAX_DAYS} days"),
        ));
    }
    Ok(days)
}

/// Sets a port's retention (admins only).
pub fn set_days(conn: &mut DbConnection, actor: &Actor, port_id: i64, days: i32) -> AppResult<()> {
    actor.require_role(Role::Admin)?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::invalid(
            "retention_days",
            format!("use between 1 and {MAX_DAYS} days"),
        ));
    }
    diesel::update(ports::table.find(port_id))
        .set(ports::retention_days.eq(days))
        .execute(conn)?;
    Ok(())
}

/// Erases what is past retention at one port; `dry_run` only counts.
pub fn purge_port(
    conn: &mut DbConnection,
    port: &Port,
    dry_run: bool,
    now: DateTime<Utc>,
) -> AppResult<Purged> {
    let days = retention_days(conn, port.id)?;
    let cutoff = to_db(now - Duration::days(i64::from(days)));
    transaction(conn, |conn| {
        let entry_ids: Vec<i64> = entries::table
            .filter(entries::port_id.eq(port.id))
            .filter(entries::erased_at.is_null())
            .filter(entries::arrived_at.lt(cutoff))
            .filter(entries::status.ne_all(["waiting", "called"]))
            .select(entries::id)
            .load(conn)?;
        let appointment_ids: Vec<i64> = appointments::table
            .filter(appointments::port_id.eq(port.id))
            .filter(appointments::erased_at.is_null())
            .filter(appointments::slot_at.lt(cutoff))
            .select(appointments::id)
            .load(conn)?;
        let mut purged = Purged {
            port: port.code.clone(),
            retention_days: days,
            entries: entry_ids.len(),
            appointments: appointment_ids.len(),
            event_notes: 0,
        };
        for chunk in entry_ids.chunks(500) {
            let events: Vec<(i64, String, String)> = entry_events::table
                .filter(entry_events::entry_id.eq_any(chunk))
                .select((entry_events::id, entry_events::kind, entry_events::detail))
                .load(conn)?;
            for (id, kind, detail) in events {
                // The engine's call reasons name no one; every other note was typed by a person.
                if kind == "called" {
                    continue;
                }
                let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&detail) else {
                    continue;
                };
                let has_note = value
                    .get("note")
                    .is_some_and(|n| n.as_str().is_some_and(|s| s != ERASED));
                if !has_note {
                    continue;
                }
                purged.event_notes += 1;
                if !dry_run {
                    value["note"] = serde_json::json!(ERASED);
                    diesel::update(entry_events::table.find(id))
                        .set(entry_events::detail.eq(value.to_string()))
                        .execute(conn)?;
                }
            }
            if !dry_run {
                diesel::update(entries::table.filter(entries::id.eq_any(chunk)))
                    .set((
                        entries::name.eq(None::<String>),
                        entries::nationality.eq(None::<String>),
                        entries::barrier_note.eq(None::<String>),
                        entries::urgent_reason.eq(None::<String>),
                        entries::erased_at.eq(Some(to_db(now))),
                    ))
                    .execute(conn)?;
            }
        }
        if !dry_run {
            // Phone numbers go sooner: a day after the entry closed, whatever the retention.
            super::sms::erase(conn, &entry_ids)?;
            super::sms::erase_closed(conn, Some(port.id), now)?;
            for chunk in appointment_ids.chunks(500) {
                diesel::update(appointments::table.filter(appointments::id.eq_any(chunk)))
                    .set((
                        appointments::name.eq(ERASED),
                        appointments::nationality.eq(ERASED),
                        appointments::erased_at.eq(Some(to_db(now))),
                    ))
                    .execute(conn)?;
            }
            if purged.entries + purged.appointments + purged.event_notes > 0 {
                let detail = format!(
                    "erased personal data older than {days} days: {} entries, {} appointments, {} event notes",
                    purged.entries, purged.appointments, purged.event_notes
                );
                log::info!("retention purge at {}: {detail}", port.code);
                audit::record(
                    conn,
                    audit::Kind::Purge,
                    None,
                    Some(port.id),
                    Some(&port.code),
                    &detail,
                    now,
                )?;
            }
        }
        Ok(purged)
    })
}

/// Purges every port (or the one given by code).
pub fn purge(
    conn: &mut DbConnection,
    port_code: Option<&str>,
    dry_run: bool,
    now: DateTime<Utc>,
) -> AppResult<Vec<Purged>> {
    let ports: Vec<Port> = match port_code {
        Some(code) => vec![crate::service::port_by_code(conn, code)?],
        None => ports::table
            .order(ports::code.asc())
            .select(Port::as_select())
            .load(conn)?,
    };
    ports
        .iter()
        .map(|port| purge_port(conn, port, dry_run, now))
        .collect()
}
