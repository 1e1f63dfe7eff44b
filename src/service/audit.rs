//! The security audit log (sign-in waits and unlocks, retention purges) and the reading of
//! the personal-data access log by a port's supervisors.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::auth::{Actor, Role};
use crate::db::models::Port;
use crate::db::schema::{access_log, audit_events, entries, users};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::AppResult;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Failed sign-ins made an account or an address wait.
    SignInThrottled,
    /// An admin ended an account's wait.
    SignInUnlocked,
    /// Personal data past a port's retention was erased.
    Purge,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SignInThrottled => "sign_in_throttled",
            Kind::SignInUnlocked => "sign_in_unlocked",
            Kind::Purge => "purge",
        }
    }
}

/// Appends one audit event.
pub fn record(
    conn: &mut DbConnection,
    kind: Kind,
    actor_id: Option<i64>,
    port_id: Option<i64>,
    subject: Option<&str>,
    detail: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::at.eq(to_db(at)),
            audit_events::kind.eq(kind.as_str()),
            audit_events::actor_id.eq(actor_id),
            audit_events::port_id.eq(port_id),
            audit_events::subject.eq(subject),
            audit_events::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

/// One stored audit event.
#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub id: i64,
    pub at: chrono::NaiveDateTime,
    pub kind: String,
    pub subject: Option<String>,
    pub detail: String,
}

/// The latest audit events of one kind, newest first.
pub fn recent(conn: &mut DbConnection, kind: Kind, limit: i64) -> AppResult<Vec<AuditRow>> {
    Ok(audit_events::table
        .filter(audit_events::kind.eq(kind.as_str()))
        .order(audit_events::id.desc())
        .limit(limit)
        .select((
            audit_events::id,
            audit_events::at,
            audit_events::kind,
            audit_events::subject,
            audit_events::detail,
        ))
        .load(conn)?)
}

/// One line of the personal-data access log, as a supervisor reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccessLine {
    pub at: DateTime<Utc>,
    /// Who saw it.
    pub officer: String,
    /// What was seen: the action logged ("view entry", "live queue", …).
    pub action: String,
    /// Whose data: the entry's ticket number, if one entry was seen.
    pub ticket: Option<String>,
    pub entry_id: Option<i64>,
}

/// What to show of the access log.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    /// Only this account (username).
    pub officer: Option<String>,
    /// Only this port-local day.
    pub day: Option<NaiveDate>,
}

/// A stored access line: when, who, what, which entry, its ticket.
type AccessRow = (
    chrono::NaiveDateTime,
    String,
    String,
    Option<i64>,
    Option<String>,
);

/// The most lines one page shows.
pub const ACCESS_PAGE_LIMIT: i64 = 500;

/// The access log of `port`, newest first, for its supervisors (and admins).
pub fn access_log_for(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    filter: &AccessFilter,
) -> AppResult<Vec<AccessLine>> {
    actor.require_port(port)?;
    actor.require_role(Role::Supervisor)?;
    let mut query = access_log::table
        .inner_join(users::table.on(users::id.eq(access_log::user_id)))
        .left_join(entries::table.on(entries::id.nullable().eq(access_log::entry_id)))
        .filter(access_log::port_id.eq(port.id))
        .into_boxed();
    if let Some(officer) = &filter.officer {
        query = query.filter(users::username.eq(crate::auth::username_key(officer)));
    }
    if let Some(day) = filter.day {
        let (start, end) = portqueue_core::reports::day_bounds(day, port.tz());
        query = query
            .filter(access_log::at.ge(to_db(start)))
            .filter(access_log::at.lt(to_db(end)));
    }
    let rows: Vec<AccessRow> = query
        .order(access_log::id.desc())
        .limit(ACCESS_PAGE_LIMIT)
        .select((
            access_log::at,
            users::username,
            access_log::action,
            access_log::entry_id,
            entries::ticket.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, officer, action, entry_id, ticket)| AccessLine {
            at: from_db(at),
            officer,
            action,
            ticket,
            entry_id,
        })
        .collect())
}
