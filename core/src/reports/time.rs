//! Where a port-local day and its hours begin, daylight-saving days included.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
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

/// The first instant of each hour of the day that starts at `start` and ends at `end`: one
/// every 60 minutes of real time, so a spring-forward day has 23 and a fall-back day 25.
///
/// Each one is a port-local hour wherever the zone's offsets are whole hours, as they are on
/// the borders this serves (a zone that shifts by 30 minutes gets buckets 30 minutes off the
/// local hour after the shift).
pub fn hour_starts(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut hours = Vec::with_capacity(25);
    let mut at = start;
    while at < end {
        hours.push(at);
        at += Duration::hours(1);
    }
    hours
}

/// The index of the hour `at` falls in, for an instant within `[start, end)`.
pub(crate) fn hour_index(start: DateTime<Utc>, at: DateTime<Utc>) -> usize {
    usize::try_from((at - start).num_seconds().div_euclid(3600)).unwrap_or(0)
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
        assert_eq!(hour_starts(start, end).len(), 23);
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), tz);
        assert_eq!(start.to_rfc3339(), "2026-11-01T07:00:00+00:00");
        assert_eq!(hour_starts(start, end).len(), 25);
    }

    #[test]
    fn a_zone_without_local_midnight_starts_its_day_at_the_first_local_minute() {
        // America/Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11.
        let tz = chrono_tz::America::Santiago;
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2022, 9, 11).unwrap(), tz);
        assert_eq!(start.to_rfc3339(), "2022-09-11T04:00:00+00:00");
        assert_eq!(hour_starts(start, end).len(), 23);
    }
}
