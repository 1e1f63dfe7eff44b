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

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;

use portqueue_core::reports::{self, DailyReport, KEPT_FORMAT, day_bounds, from_kept, to_kept};

use crate::db::models::Port;
use crate::db::schema::report_days;
use crate::db::{DbConnection, to_db};
use crate::error::AppResult;
use crate::service::reports::{DayLog, load_days};

/// How long after a day's end its figures are first kept.
pub const GRACE: Duration = Duration::minutes(10);

/// Drops the kept figures of `port_id` for every day that ends after `at`: the days a change
/// stamped `at` may alter. Call inside the transaction that writes the change.
pub fn forget_from(conn: &mut DbConnection, port_id: i64, at: DateTime<Utc>) -> AppResult<()> {
    diesel::delete(
        report_days::table
            .filter(report_days::port_id.eq(port_id))
            .filter(report_days::day_end.gt(to_db(at))),
    )
    .execute(conn)?;
    Ok(())
}

/// Whether the figures of `date` may be kept at `now`.
pub fn keepable(port: &Port, date: NaiveDate, now: DateTime<Utc>) -> bool {
    day_bounds(date, port.tz()).1 + GRACE <= now
}

/// The daily reports of every date from `from` to `to`: kept figures where there are some,
/// the rest computed from the log (with as few loads as there are runs of missing days) and
/// kept when their day is over.
pub fn days(
    conn: &mut DbConnection,
    port: &Port,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<DailyReport>> {
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
