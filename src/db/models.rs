//! Rows as stored, and their conversions to the core's plain values.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::fmt;

use chrono_tz::Tz;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::serialize::{self, ToSql};
use diesel::sql_types::Text;

use portqueue_core::queue::{QueueEntry, ShareState};
use portqueue_core::tickets::Paper;
use portqueue_core::{Class, Policy, Status, Tier};

use super::from_db;
use super::schema::{appointments, entries, entry_events, ports, users};

/// A port of entry.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = ports)]
pub struct Port {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub timezone: TimeZone,
    pub walkin_share: f64,
    pub priority_boost_minutes: i32,
    pub early_window_minutes: i32,
    pub late_window_minutes: i32,
    pub max_recalls: i32,
    pub minutes_per_person: i32,
    pub share_state: String,
    pub next_walkin_number: i32,
    pub next_appointment_number: i32,
    pub revision: i64,
    pub printer_addr: Option<String>,
    pub created_at: NaiveDateTime,
    /// The ticket printer's paper roll in millimetres, 80 or 58: see [`Port::paper`].
    pub printer_paper_mm: i32,
    /// A random name of this port's row in this database: with the id, the key of the
    /// port's in-memory queue (`service::live`), which no other database's port can share.
    pub instance: String,
    /// Whether the board announces each call in the called ticket's language too.
    pub announce_ticket_language: bool,
    /// The languages every counter covers (ISO 639-3, comma separated).
    pub default_languages: String,
    /// How long language matching may pass an entry over.
    pub language_wait_limit_minutes: i32,
}

fn non_negative(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

impl Port {
    /// The port's time zone.
    pub fn tz(&self) -> Tz {
        self.timezone.0
    }

    /// The paper roll of the port's ticket printer; 80 mm unless 58 mm is stored.
    pub fn paper(&self) -> Paper {
        Paper::from_mm(self.printer_paper_mm).unwrap_or_default()
    }

    /// The port's queue policy.
    pub fn policy(&self) -> Policy {
        Policy {
            walkin_share: self.walkin_share,
            priority_boost_minutes: non_negative(self.priority_boost_minutes),
            early_window_minutes: non_negative(self.early_window_minutes),
            late_window_minutes: non_negative(self.late_window_minutes),
            max_recalls: non_negative(self.max_recalls),
            minutes_per_person: non_negative(self.minutes_per_person),
        }
    }

    /// The engine's share bookkeeping as of the last call.
    pub fn share_state(&self) -> ShareState {
        serde_json::from_str(&self.share_state).unwrap_or_default()
    }
}

/// An account.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub port_id: Option<i64>,
    pub must_change_password: bool,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// The languages the officer speaks (ISO 639-3, comma separated).
    pub languages: String,
}

/// A booked appointment, imported for the day.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = appointments)]
pub struct Appointment {
    pub id: i64,
    pub port_id: i64,
    pub confirmation: String,
    pub slot_at: NaiveDateTime,
    pub party_size: i32,
    pub name: String,
    pub nationality: String,
    pub language: String,
    pub imported_at: NaiveDateTime,
    pub imported_by: Option<i64>,
}

/// One ticket in the queue.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = entries)]
pub struct Entry {
    pub id: i64,
    pub port_id: i64,
    pub ticket: String,
    pub class: Class,
    pub tier: Tier,
    pub party_size: i32,
    pub language: String,
    pub barriers: String,
    pub barrier_note: Option<String>,
    pub vulnerabilities: String,
    pub urgent_reason: Option<String>,
    pub name: Option<String>,
    pub nationality: Option<String>,
    pub appointment_id: Option<i64>,
    pub slot_at: Option<NaiveDateTime>,
    pub arrived_at: NaiveDateTime,
    pub status: Status,
    pub counter: Option<i32>,
    pub called_at: Option<NaiveDateTime>,
    pub recalls: i32,
    pub finished_at: Option<NaiveDateTime>,
    pub status_token: String,
    pub call_reason: Option<String>,
    pub created_by: Option<i64>,
    /// How many times its ticket was printed.
    pub prints: i32,
    /// When the retention purge erased the personal data (`None`: still there).
    pub erased_at: Option<NaiveDateTime>,
    /// When language matching first passed it over.
    pub language_passed_at: Option<NaiveDateTime>,
    /// Whether the counter that called it covered its language (`None`: no matching).
    pub language_matched: Option<bool>,
    /// Called at a counter that does not cover its language.
    pub interpreter_needed: bool,
    /// An officer asked for an interpreter for it.
    pub interpreter_requested: bool,
}

impl Entry {
    pub fn arrived_at(&self) -> DateTime<Utc> {
        from_db(self.arrived_at)
    }
    pub fn party_size(&self) -> u32 {
        non_negative(self.party_size)
    }
    /// Comma-separated lists as stored.
    pub fn barrier_list(&self) -> Vec<&str> {
        split_list(&self.barriers)
    }
    pub fn vulnerability_list(&self) -> Vec<&str> {
        split_list(&self.vulnerabilities)
    }

    /// The entry as the engine sees it. The database id is the ticket sequence: ids grow
    /// in registration order, and registrations at one port are serialised.
    pub fn queue_entry(&self) -> QueueEntry {
        QueueEntry {
            id: self.id,
            seq: self.id,
            class: self.class,
            tier: self.tier,
            party_size: self.party_size(),
            arrived_at: self.arrived_at(),
            slot_at: self.slot_at.map(from_db),
        }
    }
}

/// A port's time zone as stored: its IANA name. A name that chrono-tz does not know is an
/// error when read (the name was checked on the way in, so it means a corrupt row), never
/// silently UTC: the day's bounds and every report would shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct TimeZone(pub Tz);

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

impl<DB> FromSql<Text, DB> for TimeZone
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let stored = String::from_sql(bytes)?;
        match stored.parse::<Tz>() {
            Ok(tz) => Ok(TimeZone(tz)),
            Err(_) => {
                Err(format!("stored time zone `{stored}` is not an IANA time zone name").into())
            }
        }
    }
}

impl<DB> ToSql<Text, DB> for TimeZone
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, DB>) -> serialize::Result {
        self.0.name().to_sql(out)
    }
}

/// Splits a stored comma-separated list.
pub fn split_list(s: &str) -> Vec<&str> {
    s.split(',').filter(|p| !p.is_empty()).collect()
}

/// A new entry row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = entries)]
// Absent values bound as NULL (their columns' default) rather than written as `DEFAULT`:
// one statement text whatever is absent, prepared once (`crate::db`).
#[diesel(treat_none_as_default_value = false)]
pub struct NewEntry {
    pub port_id: i64,
    pub ticket: String,
    pub class: Class,
    pub tier: Tier,
    pub party_size: i32,
    pub language: String,
    pub barriers: String,
    pub barrier_note: Option<String>,
    pub vulnerabilities: String,
    pub urgent_reason: Option<String>,
    pub name: Option<String>,
    pub nationality: Option<String>,
    pub appointment_id: Option<i64>,
    pub slot_at: Option<NaiveDateTime>,
    pub arrived_at: NaiveDateTime,
    pub status: Status,
    pub status_token: String,
    pub created_by: Option<i64>,
}

/// A new event row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = entry_events)]
// Absent values bound as NULL (their columns' default) rather than written as `DEFAULT`:
// one statement text whatever is absent, prepared once (`crate::db`).
#[diesel(treat_none_as_default_value = false)]
pub struct NewEvent {
    pub entry_id: i64,
    pub port_id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub counter: Option<i32>,
    pub detail: String,
}

/// A stored event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = entry_events)]
pub struct EventRow {
    pub id: i64,
    pub entry_id: i64,
    pub port_id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub counter: Option<i32>,
    pub detail: String,
}
