//! Times as officers read them: stored in UTC, shown in the port's own time zone.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use portqueue_core::queue::Window;

/// `09:12`, port-local; with the date in front when it is not the same local day as `now`.
pub fn clock(tz: Tz, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = t.with_timezone(&tz);
    if local.date_naive() == now.with_timezone(&tz).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%-d %b %H:%M").to_string()
    }
}

/// `2026-11-25 09:12`, port-local.
pub fn date_time(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// `Wednesday 25 November 2026`, port-local.
pub fn long_date(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%A %-d %B %Y").to_string()
}

/// A span in words: `1 h 20 min`, `5 min`, `less than a minute`.
pub fn span(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, 0) => "less than a minute".into(),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// An estimated call window: `10:05–10:25`.
pub fn window(tz: Tz, w: &Window, now: DateTime<Utc>) -> String {
    format!(
        "{}–{}",
        clock(tz, w.earliest, now),
        clock(tz, w.latest, now)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_shown_in_the_port_zone_with_the_date_only_when_another_day() {
        let tz: Tz = "America/Tijuana".parse().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 17, 12, 0).unwrap();
        assert_eq!(clock(tz, t, now), "09:12");
        let yesterday = Utc.with_ymd_and_hms(2026, 11, 25, 7, 50, 0).unwrap();
        assert_eq!(clock(tz, yesterday, now), "24 Nov 23:50");
        assert_eq!(date_time(tz, t), "2026-11-25 09:12");
    }

    #[test]
    fn spans_read_as_words() {
        assert_eq!(span(Duration::minutes(80)), "1 h 20 min");
        assert_eq!(span(Duration::minutes(5)), "5 min");
        assert_eq!(span(Duration::minutes(120)), "2 h");
        assert_eq!(span(Duration::seconds(30)), "less than a minute");
        assert_eq!(span(Duration::minutes(-3)), "less than a minute");
    }
}
