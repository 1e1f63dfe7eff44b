//! The one-line reason in plain words that every call and every projected position carries
//! ("Every position carries a one-line **reason** in plain words").

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{QueueEntry, place};
use crate::model::{Class, Policy, Tier};

/// Why an entry stands where it stands, in words a person in line can check: which rule
/// placed it, since when it counts, any priority head start, and its class's share of
/// officer time. Times are shown as HH:MM in the port's time zone `tz`.
///
/// Examples (default policy):
/// - "urgent: called before everyone else"
/// - "walk-in, waiting since 09:12; priority counts as 2 h earlier; walk-ins get 30% of
///   officer time"
/// - "appointment for 10:00, callable from 09:00; appointments get 70% of officer time"
/// - "appointment checked in late (slot 10:00): ordered with walk-ins from 11:20, booking
///   kept; walk-ins get 30% of officer time"
pub fn reason(entry: &QueueEntry, policy: &Policy, tz: Tz) -> String {
    if entry.tier == Tier::Urgent {
        return "urgent: called before everyone else".to_owned();
    }
    let placement = place(entry, policy);
    let mut parts = Vec::with_capacity(3);
    match (entry.class, entry.slot_at) {
        (Class::Appointment, Some(slot)) if placement.late => parts.push(format!(
            "appointment checked in late (slot {}): ordered with walk-ins from {}, booking kept",
            clock(slot, tz),
            clock(placement.eligible_at, tz)
        )),
        (Class::Appointment, Some(slot)) => parts.push(format!(
            "appointment for {}, callable from {}",
            clock(slot, tz),
            clock(placement.eligible_at, tz)
        )),
        (Class::Appointment, None) => parts.push(format!(
            "appointment, callable from {}",
            clock(placement.eligible_at, tz)
        )),
        (Class::WalkIn, _) => parts.push(format!(
            "walk-in, waiting since {}",
            clock(placement.eligible_at, tz)
        )),
    }
    if entry.tier == Tier::Priority && policy.priority_boost_minutes > 0 {
        parts.push(format!(
            "priority counts as {} earlier",
            duration_words(policy.priority_boost_minutes)
        ));
    }
    let walkin = policy.walkin_weight();
    parts.push(match placement.queue_class {
        Class::WalkIn => format!("walk-ins get {} of officer time", percent(walkin)),
        Class::Appointment => format!(
            "appointments get {} of officer time",
            percent(10_000 - walkin)
        ),
    });
    parts.join("; ")
}

/// HH:MM in the port's time zone.
fn clock(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

/// "2 h", "45 min", "1 h 30 min".
fn duration_words(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Parts per ten thousand as a percentage without needless decimals: "30%", "33.33%".
fn percent(parts: u64) -> String {
    let (whole, hundredths) = (parts / 100, parts % 100);
    match hundredths {
        0 => format!("{whole}%"),
        h if h % 10 == 0 => format!("{whole}.{}%", h / 10),
        h => format!("{whole}.{h:02}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_percentages_read_naturally() {
        assert_eq!(duration_words(120), "2 h");
        assert_eq!(duration_words(45), "45 min");
        assert_eq!(duration_words(90), "1 h 30 min");
        assert_eq!(percent(3000), "30%");
        assert_eq!(percent(3350), "33.5%");
        assert_eq!(percent(3333), "33.33%");
        assert_eq!(percent(5), "0.05%");
    }
}
