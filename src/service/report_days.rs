//! Kept daily figures: a day's report is computed once the day is over and kept, so a week,
//! a month or a year reads kept figures instead of walking the event log again.
//!
//! **When a day is kept.** Once its port-local end is [`GRACE`] in the past: by then every
//! server's writes for the day have committed (a change is stamped with its server's clock,
//! and clocks agree to well within that). Today, and a day that only just ended, are always
//! computed fresh.
//!
//! **When kept figures are dropped.** A report only counts what happened before its day's
//! end, so a change can only alter days that end after the time it is stamped with: every
//! event written ([`super::record_event`]), every policy change and every imported or changed
//! booking calls [`forget_from`] with its time, which deletes the port's kept days ending
//! after it. With the real clock that deletes nothing (no kept day ends after "now"); a late
//! change (a backdated write, a booking imported for a past day, `portqueue demo`) drops
//! exactly the days it touches. A kept row of another [`KEPT_FORMAT`] (the arithmetic
//! changed) or another time zone (the port moved) is computed again; the port's name is
//! taken from the port as it is now.
//!
//! **Kept soon after the day ends.** The server's keeper ([`spawn_keeper`]) looks every
//! [`KEEPER_TICK`] for each port's finished days that are not kept (its own time zone's
//! days, from the port's creation and at most [`CATCH_UP_DAYS`] back) and keeps at most
//! [`DAYS_PER_TICK`] of them, the most recent first, each read in its own short transaction:
//! a month's report after midnight then reads kept figures only, and a server that was down
//! catches up in bounded steps that never hold the database for long.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;

use portqueue_core::reports::{self, DailyReport, KEPT_FORMAT, day_bounds, from_kept, to_kept};

use crate::db::models::Port;
use crate::db::schema::{ports, report_days};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};
use crate::service::reports::{DayLog, load_days};

/// How long after a day's end its figures are first kept.
pub const GRACE: Duration = Duration::minutes(10);

/// Drops the kept figures of `port_id` for every day that ends after `at`: the days a change
/// stamped `at` may alter. Call inside the transaction that writes the change.
pub fn forget_from(conn: &mut DbConnection, port_id: i64, at: DateTime<Utc>) -> AppResult<()> {
    let stale = report_days::table
        .filter(report_days::port_id.eq(port_id))
        .filter(report_days::day_end.gt(to_db(at)));
    crate::db::on_backend!(conn, |c| diesel::delete(stale).execute(c))?;
    Ok(())
}

/// Whether the figures of `date` may be kept at `now`.
pub fn keepable(port: &Port, date: NaiveDate, now: DateTime<Utc>) -> bool {
    day_bounds(date, port.tz()).1 + GRACE <= now
}

/// The daily reports of every date from `from` to `to`: kept figures where there are some,
/// the rest computed from the log (with as few loads as there are runs of missing days) and
/// kept when their day is over. Every date must have begun at `now` (a 422 otherwise): a
/// day not begun would be counted "as of" a moment before its start.
pub fn days(
    conn: &mut DbConnection,
    port: &Port,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<DailyReport>> {
    crate::service::reports::check_begun(port, "date", to, now)?;
    let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let kept: HashMap<String, String> = report_days::table
        .filter(report_days::port_id.eq(port.id))
        .filter(report_days::date.ge(from.to_string()))
        .filter(report_days::date.le(to.to_string()))
        .filter(report_days::format.eq(KEPT_FORMAT))
        .filter(report_days::time_zone.eq(&port.timezone))
        .select((report_days::date, report_days::figures))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut found: Vec<Option<DailyReport>> = dates
        .iter()
        .map(|date| {
            if !keepable(port, *date, now) {
                return None;
            }
            let text = kept.get(&date.to_string())?;
            match from_kept(text) {
                Ok(mut report) if report.date == *date => {
                    report.port_name.clone_from(&port.name);
                    Some(report)
                }
                Ok(_) => None,
                Err(e) => {
                    log::warn!("kept report of {} {date} unreadable ({e})", port.code);
                    None
                }
            }
        })
        .collect();

    // Each run of consecutive missing days is read with one load.
    let mut i = 0;
    while i < dates.len() {
        if found[i].is_some() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < dates.len() && found[j + 1].is_none() {
            j += 1;
        }
        let mut logs = load_days(conn, port, dates[i], dates[j])?;
        for (k, log) in logs.iter_mut().enumerate() {
            // A day not over is counted as of now (and never kept: see `keepable`).
            log.input.as_of = Some(now);
            let report = log.report();
            if keepable(port, dates[i + k], now) {
                keep(conn, port, log, &report, now)?;
            }
            found[i + k] = Some(report);
        }
        i = j + 1;
    }
    Ok(found.into_iter().flatten().collect())
}

/// Stores a finished day's figures. Two servers computing the same day at once write the
/// same figures: whichever insert loses is dropped.
fn keep(
    conn: &mut DbConnection,
    port: &Port,
    log: &DayLog,
    report: &DailyReport,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let date = log.input.date;
    let (_, day_end) = reports::day_bounds(date, port.tz());
    diesel::delete(
        report_days::table
            .filter(report_days::port_id.eq(port.id))
            .filter(report_days::date.eq(date.to_string())),
    )
    .execute(conn)?;
    let inserted = diesel::insert_into(report_days::table)
        .values((
            report_days::port_id.eq(port.id),
            report_days::date.eq(date.to_string()),
            report_days::format.eq(KEPT_FORMAT),
            report_days::time_zone.eq(&port.timezone),
            report_days::day_end.eq(to_db(day_end)),
            report_days::computed_at.eq(to_db(now)),
            report_days::figures.eq(to_kept(report)),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// How far back the keeper keeps a port's missing days: a month's report and a few days
/// more. Older days are kept when a report first reads them.
pub const CATCH_UP_DAYS: i64 = 35;

/// The most days the keeper computes in one tick, all ports together: each is one day's
/// log, so a tick costs a bounded amount whatever the history or the number of ports.
pub const DAYS_PER_TICK: usize = 4;

/// How often the keeper looks for finished days.
pub const KEEPER_TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// While the keeper has days left (catching up), it looks again after this instead.
const KEEPER_BUSY_TICK: std::time::Duration = std::time::Duration::from_secs(5);

/// Keeps up to `budget` finished days that no kept figures cover yet, over every port: for
/// each port the days from its creation (at most [`CATCH_UP_DAYS`] back) to its last
/// finished day, in its own time zone; the most recent days of all ports first. Returns the
/// (port code, date) of the days kept, and whether days were left for a later tick.
pub fn keep_finished_days(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    budget: usize,
) -> AppResult<(Vec<(String, NaiveDate)>, bool)> {
    let all: Vec<Port> = ports::table
        .order(ports::id.asc())
        .select(Port::as_select())
        .load(conn)?;
    let mut missing: Vec<(NaiveDate, usize)> = Vec::new();
    for (index, port) in all.iter().enumerate() {
        let tz = port.tz();
        let today = now.with_timezone(&tz).date_naive();
        let created = from_db(port.created_at).with_timezone(&tz).date_naive();
        let from = (today - Duration::days(CATCH_UP_DAYS)).max(created);
        let Some(last) = today.pred_opt() else {
            continue;
        };
        if from > last {
            continue;
        }
        let kept: HashSet<String> = report_days::table
            .filter(report_days::port_id.eq(port.id))
            .filter(report_days::date.ge(from.to_string()))
            .filter(report_days::date.le(last.to_string()))
            .filter(report_days::format.eq(KEPT_FORMAT))
            .filter(report_days::time_zone.eq(&port.timezone))
            .select(report_days::date)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        missing.extend(
            from.iter_days()
                .take_while(|d| *d <= last)
                .filter(|d| keepable(port, *d, now) && !kept.contains(&d.to_string()))
                .map(|d| (d, index)),
        );
    }
    // The most recent days first (yesterday is the one reports will read), then by port.
    missing.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = missing.len() > budget;
    let mut done = Vec::new();
    for (date, index) in missing.into_iter().take(budget) {
        let port = &all[index];
        match keep_day(conn, port, date, now) {
            Ok(()) => done.push((port.code.clone(), date)),
            // The database was busy or the day could not be read: nothing is kept, and the
            // next tick tries again.
            Err(e) => log::info!("kept figures of {} {date} not written yet: {e}", port.code),
        }
    }
    Ok((done, left))
}

/// Reads one finished day and keeps its figures, in one transaction that holds the port's
/// row: every change that can drop a kept day holds it too (`lock_port`), so none can
/// commit between the read and the write, on SQLite or PostgreSQL, and figures are never
/// kept from a state a late change already altered. The hold lasts one day's read.
pub fn keep_day(
    conn: &mut DbConnection,
    port: &Port,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !keepable(port, date, now) {
        return Ok(());
    }
    super::transaction(conn, |conn| {
        diesel::update(ports::table.find(port.id))
            .set(ports::revision.eq(ports::revision))
            .execute(conn)?;
        let log = load_days(conn, port, date, date)?
            .pop()
            .ok_or_else(|| AppError::Internal(format!("no day read for {date}")))?;
        let report = log.report();
        keep(conn, port, &log, &report, now)
    })
}

/// Runs the keeper for the life of the server, on its own thread (like the retention
/// purge): one pool connection for one tick's bounded work, then none until the next.
pub fn spawn_keeper(state: crate::AppState) {
    let spawned = std::thread::Builder::new()
        .name("report-days".into())
        .spawn(move || {
            loop {
                // Through the app's writer queue, like every other write of this server.
                let result =
                    state.blocking(|conn, now| keep_finished_days(conn, now, DAYS_PER_TICK));
                let pause = match result {
                    Ok((kept, left)) => {
                        for (code, date) in &kept {
                            log::debug!("kept the figures of {code} {date}");
                        }
                        if left { KEEPER_BUSY_TICK } else { KEEPER_TICK }
                    }
                    Err(e) => {
                        log::warn!("keeping finished days' figures failed (tried again): {e}");
                        KEEPER_TICK
                    }
                };
                std::thread::sleep(pause);
            }
        });
    if let Err(e) = spawned {
        log::error!("cannot start the keeper of finished days' figures: {e}");
    }
}
