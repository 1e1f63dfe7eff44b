//! Daily queue reports: one port-local day, or a range of days, read from the
//! append-only event log and counted by the pure arithmetic in [`portqueue_core::reports`];
//! and the "what-if" replay of a day's arrivals under another policy.
//!
//! **Who may read.** Supervisors of the port and admins. The per-officer and per-counter
//! figures are for those roles, every report carries them, and reading reports is
//! the supervisor's job (see [`Role::Supervisor`]); so the whole report needs that role and
//! an officer gets 403 rather than a report with holes in it.
//!
//! **What is read** (the input contract of [`portqueue_core::reports`]): for the days
//! `[first day's start, last day's end)`, the entries with an event inside, plus the entries
//! still open at the first day's start (decided from their events, never from their present
//! status, so that a past day reads the same after entries change); all their events before
//! the last day's end, in log order; the bookings with a slot in the days; the names of the
//! officers who acted; and the policy in force at each day's end. That is six queries
//! whatever the number of entries or days (the event load is cut into chunks of
//! [`ID_CHUNK`] entries only to stay under the databases' limits on bound values).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use portqueue_core::events::{EntrySnapshot, Event, EventKind};
use portqueue_core::reports::{self, Booked, DailyReport, DayInput, RangeReport};
use portqueue_core::{Policy, Status};

use crate::auth::{Actor, Role};
use crate::db::models::{EventRow, Port};
use crate::db::schema::{appointments, entries, entry_events, policy_changes, users};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};

/// The longest range one report sums: a month.
pub const MAX_RANGE_DAYS: i64 = 31;

/// Entries per event query: well under SQLite's and PostgreSQL's limits on bound values.
pub const ID_CHUNK: usize = 10_000;

/// The events that put an entry in the queue; they carry its snapshot.
const JOIN_KINDS: [EventKind; 2] = [EventKind::Registered, EventKind::CheckedIn];
/// The events that end an entry's life.
const FINAL_KINDS: [EventKind; 3] = [EventKind::Served, EventKind::NoShow, EventKind::Withdrawn];

/// Leave to read one port's reports, made only by [`reader`]: the functions that read a
/// report take it instead of an actor, so access is checked once, where the leave is made,
/// and a caller cannot forget it.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    port: &'a Port,
}

impl<'a> Reader<'a> {
    /// The port whose reports may be read.
    pub fn port(&self) -> &'a Port {
        self.port
    }
}

/// 403 unless `actor` may read reports of `port`: its supervisors, and admins.
pub fn reader<'a>(actor: &Actor, port: &'a Port) -> AppResult<Reader<'a>> {
    actor.require_port(port)?;
    actor.require_role(Role::Supervisor)?;
    Ok(Reader { port })
}

/// Reads a `YYYY-MM-DD` date from a form, a query string or the command line; 422 naming
/// `field` when it is missing or not a date.
pub fn parse_date(field: &str, value: Option<&str>) -> AppResult<NaiveDate> {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(AppError::invalid(
            field,
            "give a date as YYYY-MM-DD, like 2026-11-25",
        ));
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            field,
            format!("use a date as YYYY-MM-DD, like 2026-11-25; got \"{value}\""),
        )
    })?;
    // Both databases store times that far and farther, but no queue ever ran outside these.
    if !(2000..=2199).contains(&chrono::Datelike::year(&date)) {
        return Err(AppError::invalid(
            field,
            format!("give a date between the years 2000 and 2199; got \"{value}\""),
        ));
    }
    Ok(date)
}

/// Checks a range of dates: `from` not after `to`, at most [`MAX_RANGE_DAYS`] days.
pub fn check_range(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if from > to {
        return Err(AppError::invalid(
            "to",
            format!("must be on or after the first date, {from}"),
        ));
    }
    if (to - from).num_days() + 1 > MAX_RANGE_DAYS {
        return Err(AppError::invalid(
            "to",
            format!("a range covers at most {MAX_RANGE_DAYS} days (a month)"),
        ));
    }
    Ok(())
}

/// Both values, or the field errors of both at once (a form shows every bad field).
pub fn both<A, B>(a: AppResult<A>, b: AppResult<B>) -> AppResult<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(AppError::Invalid(mut first)), Err(AppError::Invalid(second))) => {
            for (field, message) in second.iter() {
                first.add(field, message);
            }
            Err(first.into())
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// The port-local date of `now`: the day a report page opens on.
pub fn today(port: &Port, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&port.tz()).date_naive()
}

/// 422 naming `field` when `date` is after the port's today: a day that has not begun has
/// nothing to report (counting it "as of now" would count waits into the future).
pub fn check_begun(port: &Port, field: &str, date: NaiveDate, now: DateTime<Utc>) -> AppResult<()> {
    let today = today(port, now);
    if date > today {
        return Err(AppError::invalid(
            field,
            format!("that day has not begun at this port (today is {today})"),
        ));
    }
    Ok(())
}

/// One day's report input, with what could not be read from the log.
#[derive(Debug, Clone)]
pub struct DayLog {
    pub input: DayInput,
    /// Rows of the log that could not be read (never expected; shown, not hidden).
    pub warnings: Vec<String>,
    /// The day's counter-language changes, for what matching cost or saved each language.
    pub matching: reports::DayMatching,
}

impl DayLog {
    /// The day's report: the core's arithmetic, plus the warnings of the load.
    pub fn report(&self) -> DailyReport {
        let mut report = reports::daily_matched(&self.input, &self.matching);
        report.warnings.extend(self.warnings.iter().cloned());
        report
    }
}

/// The daily report of `port` for a port-local date. Supervisors of the port and admins.
///
/// A finished day's figures are kept and read back ([`super::report_days`]); today's are
/// computed fresh at `now`. A day after the port's today is refused ([`check_begun`]).
pub fn daily(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<DailyReport> {
    let port = reader.port();
    check_begun(port, "date", date, now)?;
    super::report_days::days(conn, port, date, date, now)?
        .pop()
        .ok_or_else(|| AppError::Internal(format!("no day computed for {date}")))
}

/// Several days summed (a week, a month: at most [`MAX_RANGE_DAYS`]), from the same daily
/// reports as [`daily`] gives one by one (kept figures for the finished days).
///
/// Only days that have begun are counted: a range reaching past the port's today is
/// counted up to today (as of `now`) and says so in `asked_to`; one that starts after
/// today is refused, naming `from`.
pub fn range(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<RangeReport> {
    let port = reader.port();
    check_range(from, to)?;
    check_begun(port, "from", from, now)?;
    let counted_to = to.min(today(port, now));
    let days = super::report_days::days(conn, port, from, counted_to, now)?;
    let mut report = reports::sum(&days);
    report.asked_to = (counted_to < to).then_some(to);
    Ok(report)
}

/// One day's input (no role check: for the callers above and the benchmark).
pub fn load_day(conn: &mut DbConnection, port: &Port, date: NaiveDate) -> AppResult<DayLog> {
    load_days(conn, port, date, date)?
        .pop()
        .ok_or_else(|| AppError::Internal(format!("no day loaded for {date}")))
}

/// The input of every day from `from` to `to`, read with one set of queries.
///
/// Each day gets exactly the entries a one-day load would select, so a range is the sum of
/// the days as they read alone: the entries with an event in the day, and those open at its
/// start (joined before it, not closed before it).
pub fn load_days(
    conn: &mut DbConnection,
    port: &Port,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<DayLog>> {
    let tz = port.tz();
    let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let bounds: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        dates.iter().map(|d| reports::day_bounds(*d, tz)).collect();
    let (Some(&(start, _)), Some(&(_, end))) = (bounds.first(), bounds.last()) else {
        return Ok(Vec::new());
    };

    let mut ids: Vec<i64> = entry_events::table
        .filter(entry_events::port_id.eq(port.id))
        .filter(entry_events::at.ge(to_db(start)))
        .filter(entry_events::at.lt(to_db(end)))
        .select(entry_events::entry_id)
        .distinct()
        .load(conn)?;
    ids.extend(open_at(conn, port.id, start)?);
    ids.sort_unstable();
    ids.dedup();

    let mut rows: Vec<EventRow> = Vec::new();
    for chunk in ids.chunks(ID_CHUNK) {
        // By the entries alone (they are the port's): with the port in the filter too, the
        // planner walked the port's events by time, back to its first.
        rows.extend(
            entry_events::table
                .filter(entry_events::entry_id.eq_any(chunk))
                .filter(entry_events::at.lt(to_db(end)))
                .order(entry_events::id.asc())
                .select(EventRow::as_select())
                .load::<EventRow>(conn)?,
        );
    }
    rows.sort_by_key(|row| row.id);

    let language_changes = super::counter_languages::changes(conn, port.id, start, end)?;
    let booked: Vec<(String, NaiveDateTime)> = appointments::table
        .filter(appointments::port_id.eq(port.id))
        .filter(appointments::slot_at.ge(to_db(start)))
        .filter(appointments::slot_at.lt(to_db(end)))
        .select((appointments::confirmation, appointments::slot_at))
        .load(conn)?;

    let actor_ids: BTreeSet<i64> = rows.iter().filter_map(|row| row.actor_id).collect();
    let officers: BTreeMap<i64, String> = if actor_ids.is_empty() {
        BTreeMap::new()
    } else {
        users::table
            .filter(users::id.eq_any(actor_ids.iter().copied().collect::<Vec<_>>()))
            .select((users::id, users::username))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect()
    };

    // The policy at a day's end is what the first change after it replaced; with no later
    // change, it is the port's policy now. The changes during the days are listed in them.
    let later_changes: Vec<(NaiveDateTime, String, String, Option<String>)> = policy_changes::table
        .left_join(users::table.on(users::id.nullable().eq(policy_changes::changed_by)))
        .filter(policy_changes::port_id.eq(port.id))
        .filter(policy_changes::changed_at.ge(to_db(start)))
        .order((policy_changes::changed_at.asc(), policy_changes::id.asc()))
        .select((
            policy_changes::changed_at,
            policy_changes::before_policy,
            policy_changes::after_policy,
            users::username.nullable(),
        ))
        .load(conn)?;

    // Every row read once; each day takes the events of its own entries.
    let mut warnings: Vec<(DateTime<Utc>, String)> = Vec::new();
    let events: Vec<Event> = rows
        .iter()
        .filter_map(|row| {
            to_event(row)
                .map_err(|w| warnings.push((from_db(row.at), w)))
                .ok()
        })
        .collect();
    let lives = entry_spans(&portqueue_core::events::without_undone(&events), &bounds);

    let mut days = Vec::with_capacity(dates.len());
    for (index, (date, &(day_start, day_end))) in dates.iter().zip(&bounds).enumerate() {
        let wanted = |entry_id: i64| {
            lives
                .get(&entry_id)
                .is_some_and(|span| span.belongs_to(index, day_start))
        };
        let mut day_warnings: Vec<String> = warnings
            .iter()
            .filter(|(at, _)| *at >= day_start && *at < day_end)
            .map(|(_, w)| w.clone())
            .collect();
        let policy = match later_changes
            .iter()
            .find(|(changed_at, ..)| from_db(*changed_at) >= day_end)
        {
            Some((changed_at, before, ..)) => serde_json::from_str::<Policy>(before)
                .unwrap_or_else(|e| {
                    day_warnings.push(format!(
                        "the policy change of {} could not be read ({e}); the port's present \
                         policy is shown",
                        from_db(*changed_at).to_rfc3339()
                    ));
                    port.policy()
                }),
            None => port.policy(),
        };
        let mut policy_changes = Vec::new();
        for (changed_at, before, after, by) in &later_changes {
            let at = from_db(*changed_at);
            if at < day_start || at >= day_end {
                continue;
            }
            let read = |text: &str| serde_json::from_str::<Policy>(text);
            match (read(before), read(after)) {
                (Ok(before), Ok(after)) => policy_changes.push(reports::PolicyChange {
                    at,
                    changed_by: by.clone(),
                    before,
                    after,
                }),
                (Err(e), _) | (_, Err(e)) => day_warnings.push(format!(
                    "the policy change of {} could not be read ({e}); not listed",
                    at.to_rfc3339()
                )),
            }
        }
        days.push(DayLog {
            input: DayInput {
                port_code: port.code.clone(),
                port_name: port.name.clone(),
                date: *date,
                tz,
                policy,
                policy_changes,
                as_of: None,
                events: events
                    .iter()
                    .filter(|e| e.at < day_end && wanted(e.entry_id))
                    .cloned()
                    .collect(),
                booked: booked
                    .iter()
                    .map(|(confirmation, slot)| Booked {
                        confirmation: confirmation.clone(),
                        slot_at: from_db(*slot),
                    })
                    .filter(|b| b.slot_at >= day_start && b.slot_at < day_end)
                    .collect(),
                officers: officers.clone(),
            },
            warnings: day_warnings,
            matching: reports::DayMatching {
                changes: language_changes
                    .iter()
                    .filter(|c| c.at >= day_start && c.at < day_end)
                    .cloned()
                    .collect(),
                default_languages: super::counter_languages::split(&port.default_languages),
                wait_limit_minutes: u32::try_from(port.language_wait_limit_minutes).unwrap_or(0),
            },
        });
    }
    Ok(days)
}

/// The entries that may be open at `at`: those open now (waiting or called) and those
/// finished at or after `at`. An entry open at `at` is one of them: it is either still open,
/// or it closed since (its `finished_at` is its last closing; an undo that reopens an entry
/// clears it). Read from `entries` through its (port, status) and (port, finished_at)
/// indexes, so the cost is the open entries and those finished since `at` (for today's
/// report, today's), never every event the port ever had. Reading one too many is harmless:
/// each entry's own events decide ([`entry_spans`]); one that arrived after `at` has no
/// span before it.
fn open_at(conn: &mut DbConnection, port_id: i64, at: DateTime<Utc>) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = entries::table
        .filter(entries::port_id.eq(port_id))
        .filter(entries::status.eq_any([Status::Waiting.as_str(), Status::Called.as_str()]))
        .select(entries::id)
        .load(conn)?;
    ids.extend(
        entries::table
            .filter(entries::port_id.eq(port_id))
            .filter(entries::finished_at.ge(to_db(at)))
            .select(entries::id)
            .load::<i64>(conn)?,
    );
    Ok(ids)
}

/// When an entry joined and closed, and which days of a range hold one of its events.
struct Span {
    joined: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    days_with_events: Vec<bool>,
}

impl Span {
    /// The one-day selection: an event in the day, or open at its start.
    fn belongs_to(&self, day: usize, day_start: DateTime<Utc>) -> bool {
        self.days_with_events[day]
            || (self.joined.is_some_and(|j| j < day_start)
                && self.closed.is_none_or(|c| c >= day_start))
    }
}

fn entry_spans(events: &[Event], bounds: &[(DateTime<Utc>, DateTime<Utc>)]) -> HashMap<i64, Span> {
    let mut spans: HashMap<i64, Span> = HashMap::new();
    for event in events {
        let span = spans.entry(event.entry_id).or_insert_with(|| Span {
            joined: None,
            closed: None,
            days_with_events: vec![false; bounds.len()],
        });
        if JOIN_KINDS.contains(&event.kind) && span.joined.is_none() {
            span.joined = Some(event.at);
        }
        if FINAL_KINDS.contains(&event.kind) && span.closed.is_none() {
            span.closed = Some(event.at);
        }
        // Days are consecutive: the last one that starts at or before the event.
        let day = bounds.partition_point(|(start, _)| *start <= event.at);
        if day > 0 && event.at < bounds[day - 1].1 {
            span.days_with_events[day - 1] = true;
        }
    }
    spans
}

/// What `record_event` stores in `detail`.
#[derive(Debug, Default, Deserialize)]
struct StoredDetail {
    #[serde(default)]
    snapshot: Option<EntrySnapshot>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    language_matched: Option<bool>,
    #[serde(default)]
    passed_over: Option<portqueue_core::events::PassedOver>,
}

/// A stored row as the core's [`Event`]; a row that cannot be read is named, not guessed.
fn to_event(row: &EventRow) -> Result<Event, String> {
    let kind = EventKind::parse(&row.kind)
        .ok_or_else(|| format!("event {}: unknown kind `{}`, not counted", row.id, row.kind))?;
    let status = |value: &Option<String>| -> Result<Option<Status>, String> {
        value
            .as_deref()
            .map(|s| {
                s.parse::<Status>()
                    .map_err(|e| format!("event {}: {e}; not counted", row.id))
            })
            .transpose()
    };
    let detail: StoredDetail = if row.detail.trim().is_empty() {
        StoredDetail::default()
    } else {
        serde_json::from_str(&row.detail)
            .map_err(|e| format!("event {}: detail unreadable ({e}); not counted", row.id))?
    };
    Ok(Event {
        entry_id: row.entry_id,
        at: from_db(row.at),
        actor_id: row.actor_id,
        kind,
        from: status(&row.from_status)?,
        to: status(&row.to_status)?,
        counter: row.counter.and_then(|c| u32::try_from(c).ok()),
        snapshot: detail.snapshot,
        note: detail.note,
        language_matched: detail.language_matched,
        passed_over: detail.passed_over,
    })
}

/// The query string of the report pages and the API's report routes: one `date`, or `from`
/// and `to`. Every value is text until checked, so a bad one is a 422 naming its field
/// rather than a 400 from the extractor.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Which report a query asks for.
pub enum Wanted {
    Day(NaiveDate),
    Range(NaiveDate, NaiveDate),
}

/// [`parse_date`], or the word `today` (any case): the port-local `today`. What the report
/// pages accept for each date they are given.
pub fn parse_date_or_today(
    field: &str,
    value: Option<&str>,
    today: NaiveDate,
) -> AppResult<NaiveDate> {
    match value.map(str::trim) {
        Some(word) if word.eq_ignore_ascii_case("today") => Ok(today),
        _ => parse_date(field, value),
    }
}

impl ReportQuery {
    /// A range when `from` or `to` is given; else the day ([`ReportQuery::day`]).
    pub fn wanted(&self, today: NaiveDate) -> AppResult<Wanted> {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        if given(&self.from) || given(&self.to) {
            let (from, to) = both(
                parse_date_or_today("from", self.from.as_deref(), today),
                parse_date_or_today("to", self.to.as_deref(), today),
            )?;
            check_range(from, to)?;
            Ok(Wanted::Range(from, to))
        } else {
            Ok(Wanted::Day(self.day(today)?))
        }
    }

    /// The day asked for: `date` as [`parse_date_or_today`] reads it, today at the port
    /// when none is given. The daily report page and the languages page read it so.
    pub fn day(&self, today: NaiveDate) -> AppResult<NaiveDate> {
        match self.date.as_deref().map(str::trim) {
            None | Some("") => Ok(today),
            Some(_) => parse_date_or_today("date", self.date.as_deref(), today),
        }
    }
}

// ---- What-if ---------------------------------------------------------------------------

pub use portqueue_core::reports::what_if::{
    Scenario, WhatIf, WhatIfEntry, WhatIfInput, WhatIfParams, replay,
};

/// The what-if query of the page and the API: the day and the settings to change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WhatIfQuery {
    pub date: Option<String>,
    #[serde(flatten)]
    pub settings: WhatIfInput,
}

/// The day's arrivals replayed under other settings ([`replay`]), read from the log of
/// `date` at the reader's port. A day not over is measured as of `now` on both sides; a
/// day not begun is refused ([`check_begun`]).
pub fn what_if(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    date: NaiveDate,
    params: &WhatIfParams,
    now: DateTime<Utc>,
) -> AppResult<WhatIf> {
    let port = reader.port();
    check_begun(port, "date", date, now)?;
    let mut day = load_day(conn, port, date)?;
    // Today is measured as of now on both sides, as the report is.
    day.input.as_of = Some(now);
    replay(&day.input, params).map_err(AppError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_iso_and_ranges_a_month_at_most() {
        assert_eq!(
            parse_date("date", Some(" 2026-11-01 ")).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        for bad in [None, Some(""), Some("11/01/2026"), Some("2026-02-30")] {
            let e = parse_date("date", bad).unwrap_err();
            assert!(e.fields().unwrap().get("date").is_some(), "{bad:?}");
        }
        // The report pages also take the word "today": the port-local date they are given.
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let query = |date: &str| ReportQuery {
            date: Some(date.to_owned()),
            ..ReportQuery::default()
        };
        for word in ["today", " Today ", ""] {
            assert_eq!(query(word).day(today).unwrap(), today, "{word:?}");
        }
        assert!(query("yesterday").day(today).is_err());
        assert!(matches!(
            ReportQuery {
                from: Some("2026-11-20".into()),
                to: Some("today".into()),
                ..ReportQuery::default()
            }
            .wanted(today),
            Ok(Wanted::Range(_, to)) if to == today
        ));
        let d = |day| NaiveDate::from_ymd_opt(2026, 10, day).unwrap();
        assert!(check_range(d(1), d(31)).is_ok());
        assert!(check_range(d(2), d(1)).is_err());
        assert!(check_range(d(1), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()).is_err());
    }
}
