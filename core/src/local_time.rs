//! Port-local days and hours: the one set of rules the report, the what-if replay, the counter
//! plan and the estimates' usual arrivals all use.
//!
//! - [`day_bounds`]: the port-local day `[local midnight, next local midnight)`, 23 or 25 hours
//!   on daylight-saving days.
//! - [`hour_starts`]: where each port-local hour of a span begins.
//! - [`local_hours`]: the hours ahead of a moment, with their local hour of day (the counter
//!   plan's rows).
//!
//! An hour begins wherever the local clock shows minute 0. Every zone's offset is a whole
//! number of quarter hours, so walking UTC in quarter hours finds each one: clock changes and
//! half-hour zones need nothing special.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The port-local day `[local midnight, next local midnight)` as UTC instants.
///
/// On a daylight-saving day this is 23 or 25 hours long. Where a zone moves its clocks at
/// midnight itself, so that 00:00 does not exist, the day starts at the first local minute
/// that does; where midnight happens twice, at the first of them.
pub fn day_bounds(date: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = date.succ_opt().unwrap_or(date);
    (local_day_start(date, tz), local_day_start(next, tz))
}

fn local_day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    // Clock changes are whole minutes, and no gap lasts a day.
    (0..24 * 60)
        .find_map(|minute| {
            tz.from_local_datetime(&(midnight + Duration::minutes(minute)))
                .earliest()
        })
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

const QUARTER_SECONDS: i64 = 15 * 60;

/// The first instant of each port-local hour in `[start, end)`: `start` itself, then every
/// instant after it at which the local clock shows minute 0. A whole day has 24 of them, 23 on
/// a spring-forward day and 25 on a fall-back day (two 01:00 hours, told apart by offset).
pub fn hour_starts(tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut hours = Vec::with_capacity(25);
    if start >= end {
        return hours;
    }
    hours.push(start);
    let secs = start.timestamp();
    let mut at = DateTime::<Utc>::from_timestamp(secs - secs.rem_euclid(QUARTER_SECONDS), 0)
        .unwrap_or(start);
    loop {
        at += Duration::seconds(QUARTER_SECONDS);
        if at >= end {
            break;
        }
        if at > start && at.with_timezone(&tz).minute() == 0 {
            hours.push(at);
        }
    }
    hours
}

/// The start of each port-local hour from `now` on for `hours` hours (the first is `now`
/// itself), with its local hour of day: the rows of the counter plan and of the usual
/// arrivals, by [`hour_starts`]'s rule.
pub fn local_hours(tz: Tz, now: DateTime<Utc>, hours: i64) -> Vec<(DateTime<Utc>, u32)> {
    hour_starts(tz, now, now + Duration::hours(hours))
        .into_iter()
        .map(|at| (at, at.with_timezone(&tz).hour()))
        .collect()
}

/// The index of the hour `at` falls in, among `hours` from [`hour_starts`] (`at` at or after
/// the first).
pub fn hour_index(hours: &[DateTime<Utc>], at: DateTime<Utc>) -> usize {
    hours.partition_point(|h| *h <= at).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tijuana_spring_forward_day_has_23_hours_and_fall_back_day_25() {
        let tz = chrono_tz::America::Tijuana;
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(), tz);
        assert_eq!(start.to_rfc3339(), "2026-03-08T08:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-03-09T07:00:00+00:00");
        let hours = hour_starts(tz, start, end);
        assert_eq!(hours.len(), 23);
        // 01:00 PST is followed by 03:00 PDT.
        let labels: Vec<String> = hours
            .iter()
            .map(|h| h.with_timezone(&tz).format("%H").to_string())
            .collect();
        assert_eq!(&labels[..4], ["00", "01", "03", "04"]);
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), tz);
        assert_eq!(start.to_rfc3339(), "2026-11-01T07:00:00+00:00");
        assert_eq!(hour_starts(tz, start, end).len(), 25);
    }

    #[test]
    fn a_zone_without_local_midnight_starts_its_day_at_the_first_local_minute() {
        // America/Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11.
        let tz = chrono_tz::America::Santiago;
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2022, 9, 11).unwrap(), tz);
        assert_eq!(start.to_rfc3339(), "2022-09-11T04:00:00+00:00");
        assert_eq!(hour_starts(tz, start, end).len(), 23);
    }

    #[test]
    fn a_half_hour_shift_keeps_hours_on_the_local_clock() {
        // Australia/Lord_Howe moves its clocks by 30 minutes (02:00 -> 02:30 on 2026-10-04):
        // the day has 23.5 hours. Local 02:00 never shows, so the 01:00 hour runs to 03:00
        // local (90 minutes), and every hour still starts at local :00.
        let tz = chrono_tz::Australia::Lord_Howe;
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2026, 10, 4).unwrap(), tz);
        assert_eq!((end - start).num_minutes(), 23 * 60 + 30);
        let hours = hour_starts(tz, start, end);
        assert_eq!(hours.len(), 23);
        for h in &hours {
            assert_eq!(h.with_timezone(&tz).minute(), 0, "{h}");
        }
        assert_eq!((hours[2] - hours[1]).num_minutes(), 90);
        assert_eq!(hour_index(&hours, hours[2] - Duration::seconds(1)), 1);
        assert_eq!(hour_index(&hours, hours[2]), 2);
    }

    #[test]
    fn the_plan_rows_are_the_reports_hours() {
        let tz = chrono_tz::America::Tijuana;
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), tz);
        let now = start + Duration::minutes(20);
        let rows = local_hours(tz, now, 24);
        assert_eq!(rows[0], (now, 0));
        // From 01:00 on, the plan's rows start exactly where the report's hours do.
        let report = hour_starts(tz, start, end);
        let plan: Vec<DateTime<Utc>> = rows[1..].iter().map(|r| r.0).collect();
        assert_eq!(plan[..], report[1..plan.len() + 1]);
        // The fall-back day: 01:00 twice.
        assert_eq!(rows[1].1, 1);
        assert_eq!(rows[2].1, 1);
    }
}
