//! The daily report on a fixed day whose every figure was worked out by hand.
//!
//! Port TJ1 (El Chaparral), America/Tijuana, Monday 2026-06-15 (PDT, UTC-7, 24 hours),
//! default policy: walk-in share 0.30, priority boost 120 min, early/late windows 60 min.
//! Officers: 1 Ana at counter 1, 2 Ben at counter 2. All times below are port-local.
//!
//! | ticket | class → queue | tier | party | lang | barriers | arrived | eligible | called | end |
//! |---|---|---|---|---|---|---|---|---|---|
//! | W-000 | walk-in | std | 1 | spa | language | 14th 10:00 | = | 14th 10:30 | served 14th 10:50 (closed before the day: ignored) |
//! | W-001 | walk-in | std | 1 | spa | language | 14th 22:00 | = | 08:00 Ana | served 08:20; window 07:30–08:30 |
//! | W-002 | walk-in | std | 3 | spa | language, technical | 08:10 | = | 09:00 Ben | served 09:30; window 08:40–08:50 |
//! | W-003 | walk-in | priority | 2 | hat | literacy | 09:02 | = | 09:10 Ana | served 09:40; window 09:20–10:00 |
//! | W-004 | walk-in | std | 1 | spa | other | 08:30 | = | 10:00 Ben, recalled 10:05 | no-show 10:10 |
//! | W-005 | walk-in | urgent | 1 | spa | technical | 11:00 | = | 11:02 Ana | served 11:30 |
//! | W-006 | walk-in | std | 4 | spa | language | 12:00 | = | — | withdrawn 13:00 |
//! | W-007 | walk-in | std | 1 | rus | technical | 22:00 | = | — | waiting at midnight |
//! | W-008 | walk-in | std | 2 | spa | language | 14:00 | = | 14:30 Ben | served 15:00; window 14:20–14:40 |
//! | A-001 | appt | std | 2 | spa | slot 09:00 | 08:30 on time | 08:30 | 08:40 Ana | served 09:05; window 08:30–09:00 |
//! | A-002 | appt | std | 1 | spa | slot 10:00 | 08:00 early | 09:00 | 10:15 Ana | served 10:45; window 09:00–09:45 |
//! | A-003 | appt → walk-in | priority | 3 | hat | slot 11:00 | 13:30 late | 13:30 | 13:40 Ana | served 14:10 |
//! | A-004 | appt | priority | 1 | spa | slot 16:00 | 15:30 (punctuality not recorded) | 15:30 | 15:45 Ben | served 16:05; window 15:40–16:00 |
//! | A-005 | appt | std | 1 | spa | slot 23:30 | 23:00 on time | 23:00 | 23:50 Ben | still called at midnight; window 23:20–23:40 |
//!
//! Booked for the day: C1001–C1005 (A-001..A-005), C1006 (12:00, listed twice) and C1007
//! (17:00), who never came; C1008 is booked for the 16th.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Tijuana;
use portqueue_core::events::{EntrySnapshot, Event, EventKind, Punctuality};
use portqueue_core::model::{Barrier, Class, Policy, Status, Tier};
use portqueue_core::queue::Window;
use portqueue_core::reports::{
    Booked, CarriedOver, Count, DailyReport, DayInput, LongestWait, PolicyChange, Spread,
    WaitFigures, daily, sum,
};

/// A port-local time in June 2026.
fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Tijuana
        .with_ymd_and_hms(2026, 6, day, hour, minute, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

fn t(hour: u32, minute: u32) -> DateTime<Utc> {
    at(15, hour, minute)
}

fn window(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Window> {
    Some(Window {
        earliest: from,
        latest: to,
    })
}

fn event(entry_id: i64, at: DateTime<Utc>, actor: Option<i64>, kind: EventKind) -> Event {
    let (from, to) = match kind {
        EventKind::Registered | EventKind::CheckedIn => (None, Some(Status::Waiting)),
        EventKind::Called => (Some(Status::Waiting), Some(Status::Called)),
        EventKind::Recalled => (Some(Status::Called), Some(Status::Called)),
        EventKind::Served => (Some(Status::Called), Some(Status::Served)),
        EventKind::NoShow => (Some(Status::Called), Some(Status::NoShow)),
        EventKind::Withdrawn => (Some(Status::Waiting), Some(Status::Withdrawn)),
        EventKind::TicketPrinted | EventKind::Undone | EventKind::InterpreterRequested => {
            (None, None)
        }
    };
    Event {
        entry_id,
        at,
        actor_id: actor,
        kind,
        from,
        to,
        counter: None,
        snapshot: None,
        note: None,
        language_matched: None,
        passed_over: None,
    }
}

/// An officer at their own counter (Ana at 1, Ben at 2).
fn at_counter(entry_id: i64, at: DateTime<Utc>, officer: i64, kind: EventKind) -> Event {
    Event {
        counter: Some(officer as u32),
        ..event(entry_id, at, Some(officer), kind)
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_in(
    id: i64,
    ticket: &str,
    tier: Tier,
    party_size: u32,
    language: &str,
    barriers: &[Barrier],
    arrived: DateTime<Utc>,
    estimate: Option<Window>,
) -> Event {
    Event {
        snapshot: Some(EntrySnapshot {
            ticket: ticket.to_string(),
            class: Class::WalkIn,
            queue_class: Class::WalkIn,
            tier,
            party_size,
            language: language.to_string(),
            barriers: barriers.to_vec(),
            vulnerabilities: Vec::new(),
            arrived_at: arrived,
            eligible_at: arrived,
            slot_at: None,
            confirmation: None,
            punctuality: None,
            estimate,
        }),
        ..event(id, arrived, Some(1), EventKind::Registered)
    }
}

#[allow(clippy::too_many_arguments)]
fn check_in(
    id: i64,
    ticket: &str,
    tier: Tier,
    party_size: u32,
    slot: DateTime<Utc>,
    arrived: DateTime<Utc>,
    punctuality: Option<Punctuality>,
    estimate: Option<Window>,
) -> Event {
    let policy = Policy::default();
    let late = arrived > slot + Duration::minutes(i64::from(policy.late_window_minutes));
    let eligible = if late {
        arrived
    } else {
        arrived.max(slot - Duration::minutes(i64::from(policy.early_window_minutes)))
    };
    Event {
        snapshot: Some(EntrySnapshot {
            ticket: ticket.to_string(),
            class: Class::Appointment,
            queue_class: if late {
                Class::WalkIn
            } else {
                Class::Appointment
            },
            tier,
            party_size,
            language: if ticket == "A-003" { "hat" } else { "spa" }.to_string(),
            barriers: Vec::new(),
            vulnerabilities: Vec::new(),
            arrived_at: arrived,
            eligible_at: eligible,
            slot_at: Some(slot),
            confirmation: Some(format!("C100{}", &ticket[4..])),
            punctuality,
            estimate,
        }),
        ..event(id, arrived, Some(2), EventKind::CheckedIn)
    }
}

use Barrier::{Language, Literacy, Other, Technical};
use EventKind::{Called, NoShow, Recalled, Served, TicketPrinted, Withdrawn};
use Tier::{Priority, Standard, Urgent};

/// Every event of every entry open on the 15th, up to the 15th's end, in log order, plus one
/// entry closed the day before (harmless extra input).
#[rustfmt::skip]
fn fixture_events() -> Vec<Event> {
    let mut events = vec![
        // The day before.
        walk_in(100, "W-000", Standard, 1, "spa", &[Language], at(14, 10, 0), None),
        at_counter(100, at(14, 10, 30), 1, Called),
        at_counter(100, at(14, 10, 50), 1, Served),
        walk_in(1, "W-001", Standard, 1, "spa", &[Language], at(14, 22, 0), window(t(7, 30), t(8, 30))),
        // The day.
        check_in(10, "A-002", Standard, 1, t(10, 0), t(8, 0), Some(Punctuality::Early), window(t(9, 0), t(9, 45))),
        at_counter(1, t(8, 0), 1, Called),
        walk_in(2, "W-002", Standard, 3, "spa", &[Language, Technical], t(8, 10), window(t(8, 40), t(8, 50))),
        event(2, t(8, 11), Some(1), TicketPrinted),
        at_counter(1, t(8, 20), 1, Served),
        walk_in(4, "W-004", Standard, 1, "spa", &[Other], t(8, 30), None),
        check_in(9, "A-001", Standard, 2, t(9, 0), t(8, 30), Some(Punctuality::OnTime), window(t(8, 30), t(9, 0))),
        at_counter(9, t(8, 40), 1, Called),
        at_counter(2, t(9, 0), 2, Called),
        walk_in(3, "W-003", Priority, 2, "hat", &[Literacy], t(9, 2), window(t(9, 20), t(10, 0))),
        at_counter(9, t(9, 5), 1, Served),
        at_counter(3, t(9, 10), 1, Called),
        at_counter(2, t(9, 30), 2, Served),
        at_counter(3, t(9, 40), 1, Served),
        at_counter(4, t(10, 0), 2, Called),
        at_counter(4, t(10, 5), 2, Recalled),
        at_counter(4, t(10, 10), 2, NoShow),
        at_counter(10, t(10, 15), 1, Called),
        at_counter(10, t(10, 45), 1, Served),
        walk_in(5, "W-005", Urgent, 1, "spa", &[Technical], t(11, 0), None),
        at_counter(5, t(11, 2), 1, Called),
        at_counter(5, t(11, 30), 1, Served),
        walk_in(6, "W-006", Standard, 4, "spa", &[Language], t(12, 0), None),
        event(6, t(13, 0), Some(1), Withdrawn),
        check_in(11, "A-003", Priority, 3, t(11, 0), t(13, 30), Some(Punctuality::Late), None),
        at_counter(11, t(13, 40), 1, Called),
        walk_in(8, "W-008", Standard, 2, "spa", &[Language], t(14, 0), window(t(14, 20), t(14, 40))),
        at_counter(11, t(14, 10), 1, Served),
        at_counter(8, t(14, 30), 2, Called),
        at_counter(8, t(15, 0), 2, Served),
        check_in(12, "A-004", Priority, 1, t(16, 0), t(15, 30), None, window(t(15, 40), t(16, 0))),
        at_counter(12, t(15, 45), 2, Called),
        at_counter(12, t(16, 5), 2, Served),
        walk_in(7, "W-007", Standard, 1, "rus", &[Technical], t(22, 0), None),
        check_in(13, "A-005", Standard, 1, t(23, 30), t(23, 0), Some(Punctuality::OnTime), window(t(23, 20), t(23, 40))),
        at_counter(13, t(23, 50), 2, Called),
    ];
    // The app passes events in log order; the report must not depend on it beyond ties.
    events.reverse();
    events
}

/// What happened on the 16th: A-005 served just after midnight, W-007 called and served,
/// a new walk-in registered.
fn next_day_events() -> Vec<Event> {
    vec![
        at_counter(13, at(16, 0, 10), 2, Served),
        at_counter(7, at(16, 7, 0), 1, Called),
        at_counter(7, at(16, 7, 30), 1, Served),
        walk_in(
            14,
            "W-101",
            Standard,
            2,
            "spa",
            &[Language],
            at(16, 8, 0),
            None,
        ),
        at_counter(14, at(16, 8, 5), 1, Called),
    ]
}

fn booked() -> Vec<Booked> {
    [
        ("C1001", t(9, 0)),
        ("C1002", t(10, 0)),
        ("C1003", t(11, 0)),
        ("C1004", t(16, 0)),
        ("C1005", t(23, 30)),
        ("C1006", t(12, 0)),
        ("C1006", t(12, 0)),
        ("C1007", t(17, 0)),
        ("C1008", at(16, 9, 0)),
    ]
    .into_iter()
    .map(|(confirmation, slot_at)| Booked {
        confirmation: confirmation.to_string(),
        slot_at,
    })
    .collect()
}

fn input(date: NaiveDate, events: Vec<Event>) -> DayInput {
    DayInput {
        port_code: "TJ1".to_string(),
        port_name: "El Chaparral".to_string(),
        date,
        tz: Tijuana,
        policy: Policy::default(),
        events,
        booked: booked(),
        officers: BTreeMap::from([(1, "Ana".to_string()), (2, "Ben".to_string())]),
        policy_changes: Vec::new(),
        as_of: None,
    }
}

fn june(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, day).unwrap()
}

fn fixture_report() -> DailyReport {
    daily(&input(june(15), fixture_events()))
}

fn count(parties: u32, persons: u32) -> Count {
    Count { parties, persons }
}

fn spread(median: f64, p90: f64, max: f64) -> Spread {
    Spread {
        median: Some(median),
        p90: Some(p90),
        max: Some(max),
    }
}

#[test]
fn fixture_day_bounds_and_hours() {
    let r = fixture_report();
    assert_eq!(r.day_start.to_rfc3339(), "2026-06-15T00:00:00-07:00");
    assert_eq!(r.day_end.to_rfc3339(), "2026-06-16T00:00:00-07:00");
    assert_eq!(r.hours, 24);
    assert_eq!(r.time_zone, "America/Tijuana");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn fixture_walk_ins_by_barrier_language_and_tier() {
    let w = fixture_report().figures.walk_ins;
    // Registered during the day: W-002..W-008 (W-001 arrived the day before) = 7 parties,
    // persons 3 + 2 + 1 + 1 + 4 + 1 + 2 = 14.
    assert_eq!((w.parties, w.persons), (7, 14));
    // language: W-002 (3), W-006 (4), W-008 (2) = 3 parties, 9 persons.
    assert_eq!(w.by_barrier["language"], count(3, 9));
    // literacy: W-003 (2).
    assert_eq!(w.by_barrier["literacy"], count(1, 2));
    // technical: W-002 (3, counted again: two barriers), W-005 (1), W-007 (1) = 3, 5.
    assert_eq!(w.by_barrier["technical"], count(3, 5));
    // other: W-004 (1).
    assert_eq!(w.by_barrier["other"], count(1, 1));
    // spa: W-002 3, W-004 1, W-005 1, W-006 4, W-008 2 = 5, 11; hat: W-003; rus: W-007.
    let languages: Vec<(&str, Count)> = w
        .by_language
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        languages,
        [
            ("hat", count(1, 2)),
            ("rus", count(1, 1)),
            ("spa", count(5, 11))
        ]
    );
    // urgent: W-005; priority: W-003 (2); standard: W-002, W-004, W-006, W-007, W-008
    // = 5 parties, 3 + 1 + 4 + 1 + 2 = 11 persons.
    assert_eq!(w.by_tier["urgent"], count(1, 1));
    assert_eq!(w.by_tier["priority"], count(1, 2));
    assert_eq!(w.by_tier["standard"], count(5, 11));
}

#[test]
fn fixture_appointments_booked_checked_in_and_not_arrived() {
    let a = fixture_report().figures.appointments;
    // Booked with a slot on the 15th: C1001..C1007 (C1006 listed twice counts once; C1008
    // is the 16th's) = 7.
    assert_eq!(a.booked, 7);
    // Checked in: A-001..A-005 = 5 parties, 2 + 1 + 3 + 1 + 1 = 8 persons.
    assert_eq!((a.checked_in, a.persons), (5, 8));
    // Early: A-002 (08:00 < 10:00 - 60 min). Late: A-003 (13:30 > 11:00 + 60 min).
    // On time, and A-004 (not recorded; 15:30 is within 15:00..17:00).
    assert_eq!((a.early, a.on_time, a.late), (1, 3, 1));
    // C1006 and C1007 never checked in.
    assert_eq!(a.not_arrived, 2);
}

#[test]
fn fixture_outcomes_and_carried_over() {
    let o = fixture_report().figures.outcomes;
    // Open at the start: W-001 (W-000 closed the day before).
    assert_eq!(o.carried_in, 1);
    // 7 walk-ins + 5 check-ins.
    assert_eq!(o.arrived, 12);
    // Served: W-001, W-002, W-003, W-005, W-008, A-001, A-002, A-003, A-004 = 9;
    // persons 1 + 3 + 2 + 1 + 2 + 2 + 1 + 3 + 1 = 16.
    assert_eq!((o.served, o.served_persons), (9, 16));
    assert_eq!((o.no_show, o.withdrawn), (1, 1)); // W-004, W-006
    // Open at midnight: W-007 (waiting), A-005 (called at 23:50).
    assert_eq!(o.waiting, 2);
    // Conservation: carried in + arrived = closed + still open: 1 + 12 = 9 + 1 + 1 + 2.
    assert_eq!(
        o.carried_in + o.arrived,
        o.served + o.no_show + o.withdrawn + o.waiting
    );
    assert_eq!(
        o.carried_over,
        [
            CarriedOver {
                ticket: "W-007".into(),
                queue_class: "walk_in".into(),
                tier: "standard".into(),
                party_size: 1,
                status: "waiting".into(),
                arrived_at: t(22, 0).with_timezone(&Tijuana).fixed_offset(),
                waited_minutes: 120.0, // 22:00 to midnight
            },
            CarriedOver {
                ticket: "A-005".into(),
                queue_class: "appointment".into(),
                tier: "standard".into(),
                party_size: 1,
                status: "called".into(),
                arrived_at: t(23, 0).with_timezone(&Tijuana).fixed_offset(),
                waited_minutes: 60.0, // 23:00 to midnight
            },
        ]
    );
}

#[test]
fn fixture_waits_by_class_and_tier() {
    let w = fixture_report().figures.waits;
    // First calls during the day (minutes from eligible / from arrival):
    //   W-001 600/600 (14th 22:00 -> 08:00), W-002 50/50, W-003 8/8, W-004 90/90, W-005 2/2,
    //   W-008 30/30, A-001 10/10, A-002 75/135 (eligible 09:00, arrived 08:00, called 10:15),
    //   A-003 10/10, A-004 15/15, A-005 50/50.
    // All 11, from eligible sorted: 2 8 10 10 15 30 50 50 75 90 600 -> median (6th) 30,
    // p90 (rank ceil(9.9) = 10) 90, max 600.
    // From arrival: 2 8 10 10 15 30 50 50 90 135 600 -> 30, 135, 600.
    assert_eq!(
        w.all,
        WaitFigures {
            calls: 11,
            from_eligible: spread(30.0, 90.0, 600.0),
            from_arrival: spread(30.0, 135.0, 600.0),
            // W-007, waiting since 22:00: 120 minutes so far at midnight.
            still_waiting: 1,
            still_waiting_so_far: spread(120.0, 120.0, 120.0),
        }
    );
    // Walk-in queue (incl. late A-003): 2 8 10 30 50 90 600 -> median 30, p90 rank 7 = 600.
    assert_eq!(
        w.by_class["walk_in"],
        WaitFigures {
            calls: 7,
            from_eligible: spread(30.0, 600.0, 600.0),
            from_arrival: spread(30.0, 600.0, 600.0),
            still_waiting: 1,
            still_waiting_so_far: spread(120.0, 120.0, 120.0),
        }
    );
    // Appointment queue: 10 15 50 75 -> median (15 + 50) / 2 = 32.5, p90 rank 4 = 75;
    // from arrival 10 15 50 135 -> 32.5, 135, 135.
    assert_eq!(
        w.by_class["appointment"],
        WaitFigures {
            calls: 4,
            from_eligible: spread(32.5, 75.0, 75.0),
            from_arrival: spread(32.5, 135.0, 135.0),
            // A-005 is called, not waiting.
            still_waiting: 0,
            still_waiting_so_far: Spread::default(),
        }
    );
    // Urgent: W-005 2.
    assert_eq!(w.by_tier["urgent"].from_eligible, spread(2.0, 2.0, 2.0));
    // Priority: W-003 8, A-003 10, A-004 15 -> median 10, p90 rank 3 = 15.
    assert_eq!(w.by_tier["priority"].calls, 3);
    assert_eq!(
        w.by_tier["priority"].from_eligible,
        spread(10.0, 15.0, 15.0)
    );
    // Standard: 10 30 50 50 75 90 600 -> median 50, p90 rank 7 = 600;
    // from arrival 10 30 50 50 90 135 600 -> 50, 600, 600.
    assert_eq!(w.by_tier["standard"].calls, 7);
    assert_eq!(
        w.by_tier["standard"].from_eligible,
        spread(50.0, 600.0, 600.0)
    );
    assert_eq!(
        w.by_tier["standard"].from_arrival,
        spread(50.0, 600.0, 600.0)
    );
}

#[test]
fn fixture_fairness_share_overtakes_and_longest_single() {
    let f = fixture_report().figures.fairness;
    assert_eq!(f.walkin_share_target, 0.30);
    // Served persons by queue class: walk-in W-001 1 + W-002 3 + W-003 2 + W-005 1 +
    // W-008 2 + A-003 (late) 3 = 12; appointment A-001 2 + A-002 1 + A-004 1 = 4.
    assert_eq!(
        (f.served_persons_walk_in, f.served_persons_appointment),
        (12, 4)
    );
    assert_eq!(f.walkin_share_served, Some(0.75)); // 12 / 16
    // W-003 (priority, effective 09:02 - 2 h = 07:02) passed W-004 (08:30) at 09:10: within
    // the bound. W-002 (08:10) passed nobody earlier. A-002 was not yet eligible at A-001's
    // call. Nothing beyond the bound.
    assert_eq!(f.overtakes_beyond_bound, 0);
    assert!(f.overtakes.is_empty());
    // Standard parties of one: W-001 600 (called), W-004 90, A-002 75, A-005 50, and W-007
    // still waiting 120 at midnight: W-001.
    assert_eq!(
        f.longest_standard_single_wait,
        Some(LongestWait {
            ticket: "W-001".into(),
            minutes: 600.0,
            still_waiting: false,
        })
    );
}

#[test]
fn fixture_estimates_error_and_share_after_window() {
    let e = fixture_report().figures.estimates;
    // Calls with a window: W-001 08:00 in 07:30–08:30 -> 0; W-002 09:00 after 08:50 -> 10;
    // W-003 09:10 before 09:20 -> 10; W-008 14:30 in -> 0; A-001 08:40 in -> 0;
    // A-002 10:15 after 09:45 -> 30; A-004 15:45 in -> 0; A-005 23:50 after 23:40 -> 10.
    // Errors 0 0 0 0 10 10 10 30 -> median (0 + 10) / 2 = 5.
    assert_eq!(e.calls_with_estimate, 8);
    assert_eq!(
        (e.within_window, e.before_window, e.after_window),
        (4, 1, 3)
    );
    assert_eq!(e.median_abs_error_minutes, Some(5.0));
    assert_eq!(e.after_window_share, Some(0.375)); // 3 / 8
    assert_eq!(e.meets_targets, Some(false)); // 5 <= 15, but 0.375 > 0.05
}

#[test]
fn fixture_hourly_arrivals_calls_and_queue_length() {
    let r = fixture_report();
    let arrivals: Vec<u32> = r.hourly.iter().map(|h| h.arrivals).collect();
    let calls: Vec<u32> = r.hourly.iter().map(|h| h.calls).collect();
    let queue: Vec<u32> = r.hourly.iter().map(|h| h.queue_length).collect();
    // 08: A-002 08:00, W-002 08:10, W-004 08:30, A-001 08:30; 09: W-003; 11: W-005;
    // 12: W-006; 13: A-003; 14: W-008; 15: A-004; 22: W-007; 23: A-005.
    #[rustfmt::skip]
    assert_eq!(arrivals, [0,0,0,0,0,0,0,0, 4,1,0,1,1,1,1,1, 0,0,0,0,0,0,1,1]);
    assert_eq!(r.hourly[8].walk_ins, 2);
    assert_eq!(r.hourly[8].check_ins, 2);
    // 08: W-001, A-001; 09: W-002, W-003; 10: W-004, A-002; 11: W-005; 13: A-003;
    // 14: W-008; 15: A-004; 23: A-005.
    #[rustfmt::skip]
    assert_eq!(calls, [0,0,0,0,0,0,0,0, 2,2,2,1,0,1,1,1, 0,0,0,0,0,0,0,1]);
    // Waiting just before each hour's end (events at the boundary belong to the next hour):
    // 00–07 W-001 (called at 08:00); 08 W-002, W-004, A-002; 09 W-004 (called at 10:00),
    // A-002; 10–11 nobody; 12 W-006 (withdrew at 13:00); 13–21 nobody; 22–23 W-007.
    #[rustfmt::skip]
    assert_eq!(queue, [1,1,1,1,1,1,1,1, 3,2,0,0,1,0,0,0, 0,0,0,0,0,0,1,1]);
    assert_eq!(r.hourly[0].label, "00:00");
    assert_eq!(r.hourly[23].start.to_rfc3339(), "2026-06-15T23:00:00-07:00");
}

#[test]
fn fixture_officers_and_counters() {
    let r = fixture_report();
    type Row<'a> = (Option<i64>, &'a str, u32, u32, u32, u32, Option<f64>);
    let officers: Vec<Row> = r
        .figures
        .officers
        .iter()
        .map(|o| {
            (
                o.officer_id,
                o.name.as_str(),
                o.calls,
                o.recalls,
                o.served,
                o.no_show,
                o.median_service_minutes,
            )
        })
        .collect();
    // Ana: calls W-001, A-001, W-003, A-002, W-005, A-003 = 6, all served; service minutes
    // 20 25 30 30 28 30 -> sorted 20 25 28 30 30 30 -> median (28 + 30) / 2 = 29.
    // Ben: calls W-002, W-004, W-008, A-004, A-005 = 5, one recall (W-004); served W-002
    // (30), W-008 (30), A-004 (20); no-show W-004 (10); A-005 not finished by midnight.
    // 10 20 30 30 -> median 25.
    assert_eq!(
        officers,
        [
            (Some(1), "Ana", 6, 0, 6, 0, Some(29.0)),
            (Some(2), "Ben", 5, 1, 3, 1, Some(25.0)),
        ]
    );
    let counters: Vec<(Option<u32>, u32, u32, Option<f64>)> = r
        .figures
        .counters
        .iter()
        .map(|c| (c.counter, c.calls, c.served, c.median_service_minutes))
        .collect();
    assert_eq!(
        counters,
        [(Some(1), 6, 6, Some(29.0)), (Some(2), 5, 3, Some(25.0))]
    );
}

#[test]
fn fixture_json_has_the_documented_keys() {
    let json = serde_json::to_value(fixture_report()).unwrap();
    for pointer in [
        "/port",
        "/date",
        "/walk_ins/parties",
        "/walk_ins/persons",
        "/walk_ins/by_barrier/language/parties",
        "/walk_ins/by_barrier/literacy/persons",
        "/walk_ins/by_barrier/technical",
        "/walk_ins/by_barrier/other",
        "/walk_ins/by_language/spa/persons",
        "/appointments/booked",
        "/appointments/checked_in",
        "/appointments/early",
        "/appointments/on_time",
        "/appointments/late",
        "/appointments/not_arrived",
        "/outcomes/served",
        "/outcomes/no_show",
        "/outcomes/withdrawn",
        "/outcomes/waiting",
        "/waits/all/from_eligible/p90",
        "/fairness/walkin_share_target",
        "/fairness/walkin_share_served",
        "/fairness/overtakes_beyond_bound",
        "/estimates/median_abs_error_minutes",
        "/hourly/0/queue_length",
    ] {
        assert!(json.pointer(pointer).is_some(), "missing {pointer}");
    }
    assert_eq!(json["port"], "TJ1");
    assert_eq!(json["date"], "2026-06-15");
    assert_eq!(json["day_start"], "2026-06-15T00:00:00-07:00");
    assert_eq!(
        json["outcomes"]["carried_over"][0]["arrived_at"],
        "2026-06-15T22:00:00-07:00"
    );
}

#[test]
fn later_events_never_change_a_past_day() {
    let before = fixture_report();
    // The next day: A-005 served, W-007 called and served, a new walk-in; and an entry
    // withdrawn the next day instead.
    let mut events = fixture_events();
    events.extend(next_day_events());
    events.push(event(7, at(16, 6, 0), Some(2), Withdrawn));
    events.push(walk_in(
        15,
        "W-102",
        Urgent,
        1,
        "spa",
        &[Technical],
        at(16, 0, 0),
        None,
    ));
    let after = daily(&input(june(15), events));
    assert_eq!(before, after);
    assert_eq!(
        serde_json::to_string(&before).unwrap(),
        serde_json::to_string(&after).unwrap()
    );
}

#[test]
fn range_sums_counts_and_recomputes_medians_from_samples() {
    let mut events = fixture_events();
    events.extend(next_day_events());
    let day1 = daily(&input(june(15), events.clone()));
    let day2 = daily(&input(june(16), events));
    // The 16th: open at its start W-007 and A-005 (2); arrived W-101; served A-005 00:10 and
    // W-007 07:30; W-101 called 08:05, still open. Booked: C1008, never came.
    assert_eq!(day2.figures.outcomes.carried_in, 2);
    assert_eq!(day2.figures.outcomes.served, 2);
    assert_eq!(day2.figures.outcomes.waiting, 1);
    assert_eq!(day2.figures.appointments.not_arrived, 1);

    let range = sum(&[day2.clone(), day1.clone()]);
    assert_eq!(range.from, Some(june(15)));
    assert_eq!(range.to, Some(june(16)));
    assert_eq!(range.days, 2);
    let o = &range.figures.outcomes;
    // carried in from the 15th's start; still open at the 16th's end.
    assert_eq!((o.carried_in, o.arrived, o.waiting), (1, 13, 1));
    assert_eq!((o.served, o.no_show, o.withdrawn), (11, 1, 1));
    assert_eq!(
        o.carried_in + o.arrived,
        o.served + o.no_show + o.withdrawn + o.waiting
    );
    assert_eq!(range.figures.walk_ins.parties, 8);
    assert_eq!(range.figures.walk_ins.by_barrier["language"], count(4, 11));
    assert_eq!(
        (
            range.figures.appointments.booked,
            range.figures.appointments.not_arrived
        ),
        (8, 3)
    );
    // Waits, recomputed: the 15th's 11 plus W-007 (22:00 -> 07:00 = 540) and W-101 (5):
    // 2 5 8 10 10 15 30 50 50 75 90 540 600 -> median (7th) 30, p90 rank ceil(11.7) = 12:
    // 540. Averaging the days' medians (30 and 5) would give 17.5.
    assert_eq!(range.figures.waits.all.calls, 13);
    assert_eq!(
        range.figures.waits.all.from_eligible,
        spread(30.0, 540.0, 600.0)
    );
    // Served persons: walk-in 12 + W-007 1 = 13, appointment 4 + A-005 1 = 5 -> 13 / 18.
    assert_eq!(range.figures.fairness.walkin_share_served, Some(0.7222));
    // Ben's services: 10 20 30 30 and A-005 (23:50 -> 00:10) 20 -> median 20.
    let ben = range
        .figures
        .officers
        .iter()
        .find(|o| o.officer_id == Some(2))
        .unwrap();
    assert_eq!(ben.median_service_minutes, Some(20.0));
    assert_eq!(range.daily.len(), 2);
    assert_eq!(range.daily[0].calls, 11);
    assert_eq!(range.daily[1].calls, 2);
}

#[test]
fn overtakes_beyond_the_priority_bound_are_counted_and_listed() {
    let events = vec![
        walk_in(1, "W-1", Standard, 1, "spa", &[Language], t(9, 0), None),
        walk_in(2, "W-2", Standard, 1, "spa", &[Language], t(9, 30), None),
        // Appointment-class entry waiting since 08:00: another queue class, never counted.
        check_in(
            20,
            "A-020",
            Standard,
            1,
            t(8, 30),
            t(8, 0),
            Some(Punctuality::OnTime),
            None,
        ),
        // W-2 (effective 09:30) called while W-1 (09:00) waits: 30 min beyond the bound.
        at_counter(2, t(9, 45), 1, Called),
        at_counter(1, t(10, 0), 1, Called),
        walk_in(3, "W-3", Standard, 1, "spa", &[Language], t(9, 55), None),
        walk_in(4, "W-4", Priority, 1, "spa", &[Language], t(12, 0), None),
        // Urgent called past everyone: rule 1, not an overtake.
        walk_in(5, "W-5", Urgent, 1, "spa", &[Language], t(12, 1), None),
        at_counter(5, t(12, 2), 1, Called),
        // W-4 (priority: 12:00 - 2 h = 10:00) called while W-3 (09:55) waits: 5 min beyond.
        at_counter(4, t(12, 5), 2, Called),
        at_counter(3, t(12, 10), 2, Called),
        at_counter(20, t(12, 15), 1, Called),
    ];
    let f = daily(&input(june(15), events)).figures.fairness;
    assert_eq!(f.overtakes_beyond_bound, 2);
    let listed: Vec<(&str, &str, &str, f64)> = f
        .overtakes
        .iter()
        .map(|o| {
            (
                o.passed_ticket.as_str(),
                o.by_ticket.as_str(),
                o.queue_class.as_str(),
                o.beyond_minutes,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("W-1", "W-2", "walk_in", 30.0),
            ("W-3", "W-4", "walk_in", 5.0)
        ]
    );
    assert_eq!(
        f.overtakes[1].called_at.to_rfc3339(),
        "2026-06-15T12:05:00-07:00"
    );
    assert_eq!(
        f.overtakes[1].by_effective_at.to_rfc3339(),
        "2026-06-15T10:00:00-07:00"
    );
}

#[test]
fn an_appointment_not_yet_eligible_is_not_overtaken() {
    let events = vec![
        // Early: eligible from 09:00 (slot 10:00 - 60 min), effective 09:00.
        check_in(
            1,
            "A-001",
            Standard,
            1,
            t(10, 0),
            t(8, 0),
            Some(Punctuality::Early),
            None,
        ),
        check_in(
            2,
            "A-002",
            Standard,
            1,
            t(9, 0),
            t(8, 45),
            Some(Punctuality::OnTime),
            None,
        ),
        // A-002 (effective 08:45, earlier anyway) at 08:50; then at 08:55 a later one while
        // A-001 is not yet eligible: not an overtake.
        at_counter(2, t(8, 50), 1, Called),
        check_in(
            3,
            "A-003",
            Standard,
            1,
            t(9, 15),
            t(8, 52),
            Some(Punctuality::OnTime),
            None,
        ),
        at_counter(3, t(8, 55), 1, Called),
    ];
    let f = daily(&input(june(15), events)).figures.fairness;
    assert_eq!(f.overtakes_beyond_bound, 0);
}

// ---- A day read at 15:00, with a policy change at noon, worked by hand ------------------
//
// Wednesday 2026-06-17, TJ1, PDT. One counter (Ana, 1). Policy: the default until 12:00,
// when "sup" raises the walk-in share from 30% to 50% (nothing else changes).
//
// | ticket | queue | party | arrived | eligible | window | called | end |
// |---|---|---|---|---|---|---|---|
// | W-011 | walk-in | 1 | 09:00 | 09:00 | 09:00–09:30 | 09:40 | served 10:00 |
// | W-012 | walk-in | 1 | 09:00 | 09:00 | — | 10:20 | served 10:40 |
// | A-006 | appt (slot 09:30, C1006) | 2 | 09:00 | 09:00 | 09:10–09:40 | 09:10 | served 09:40 |
// | A-007 | appt (slot 10:00, C1007) | 1 | 09:05 | 09:05 | 09:30–10:00 | 10:00 | served 10:20 |
// | W-013 | walk-in | 1 | 13:00 | 13:00 | 13:10–13:40 | 13:25 | served 13:45 |
// | A-008 | appt (slot 13:30, C1008) | 1 | 13:00 | 13:00 | 13:10–13:30 | 13:05 | served 13:25 |
// | W-014 | walk-in | 1 | 14:30 | 14:30 | 15:30–16:30 | 16:00 | served 16:20 |
// | W-015 | walk-in | 3 | 23:00 | 23:00 | — | — | waiting at midnight |
//
// Booked and never came: C1009 (slot 15:30) and C1010 (slot 13:00).

fn noon_change() -> PolicyChange {
    PolicyChange {
        at: at(17, 12, 0),
        changed_by: Some("sup".into()),
        before: Policy::default(),
        after: Policy {
            walkin_share: 0.5,
            ..Policy::default()
        },
    }
}

#[rustfmt::skip]
fn afternoon_events() -> Vec<Event> {
    let d = |h, m| at(17, h, m);
    vec![
        walk_in(21, "W-011", Standard, 1, "spa", &[Language], d(9, 0), window(d(9, 0), d(9, 30))),
        walk_in(22, "W-012", Standard, 1, "spa", &[Language], d(9, 0), None),
        check_in(31, "A-006", Standard, 2, d(9, 30), d(9, 0), Some(Punctuality::OnTime), window(d(9, 10), d(9, 40))),
        check_in(32, "A-007", Standard, 1, d(10, 0), d(9, 5), Some(Punctuality::OnTime), window(d(9, 30), d(10, 0))),
        at_counter(31, d(9, 10), 1, Called),
        at_counter(31, d(9, 40), 1, Served),
        at_counter(21, d(9, 40), 1, Called),
        at_counter(21, d(10, 0), 1, Served),
        at_counter(32, d(10, 0), 1, Called),
        at_counter(32, d(10, 20), 1, Served),
        at_counter(22, d(10, 20), 1, Called),
        at_counter(22, d(10, 40), 1, Served),
        walk_in(23, "W-013", Standard, 1, "spa", &[Language], d(13, 0), window(d(13, 10), d(13, 40))),
        check_in(33, "A-008", Standard, 1, d(13, 30), d(13, 0), Some(Punctuality::OnTime), window(d(13, 10), d(13, 30))),
        at_counter(33, d(13, 5), 1, Called),
        at_counter(33, d(13, 25), 1, Served),
        at_counter(23, d(13, 25), 1, Called),
        at_counter(23, d(13, 45), 1, Served),
        walk_in(24, "W-014", Standard, 1, "spa", &[Language], d(14, 30), window(d(15, 30), d(16, 30))),
        at_counter(24, d(16, 0), 1, Called),
        at_counter(24, d(16, 20), 1, Served),
        walk_in(25, "W-015", Standard, 3, "spa", &[Language], d(23, 0), None),
    ]
}

fn afternoon_input(as_of: Option<DateTime<Utc>>) -> DayInput {
    let d = |h, m| at(17, h, m);
    DayInput {
        // The app passes the policy in force at the day's end.
        policy: noon_change().after,
        policy_changes: vec![noon_change()],
        as_of,
        booked: [
            ("C1006", d(9, 30)),
            ("C1007", d(10, 0)),
            ("C1008", d(13, 30)),
            ("C1009", d(15, 30)),
            ("C1010", d(13, 0)),
        ]
        .into_iter()
        .map(|(confirmation, slot_at)| Booked {
            confirmation: confirmation.to_string(),
            slot_at,
        })
        .collect(),
        ..input(june(17), afternoon_events())
    }
}

#[test]
fn a_day_read_at_15_00_counts_only_what_has_happened() {
    let r = daily(&afternoon_input(Some(at(17, 15, 0))));
    assert!(!r.complete);
    assert_eq!(r.as_of.unwrap().to_rfc3339(), "2026-06-17T15:00:00-07:00");
    // The day still has 24 hours, but only 00:00..15:00 have begun (15:00 just now, in
    // progress and empty): no hour from 16:00 on.
    assert_eq!(r.hours, 24);
    assert_eq!(r.hourly.len(), 16);
    let now = r.hourly.last().unwrap();
    assert_eq!(
        (
            now.label.as_str(),
            now.in_progress,
            now.arrivals,
            now.queue_length
        ),
        ("15:00", true, 0, 1)
    );
    assert!(r.hourly[..15].iter().all(|h| !h.in_progress));
    // 09h: W-011, W-012, A-006, A-007 arrive; A-006 (09:10) and W-011 (09:40) called; at
    // 10:00 A-007 (called at 10:00 itself, in the next hour) and W-012 still wait.
    let h9 = &r.hourly[9];
    assert_eq!(
        (
            h9.arrivals,
            h9.walk_ins,
            h9.check_ins,
            h9.calls,
            h9.queue_length
        ),
        (4, 2, 2, 2, 2)
    );
    // 10h: A-007, W-012 called. 13h: W-013, A-008 arrive and are called. 14h: W-014
    // arrives and is still waiting at 15:00.
    assert_eq!((r.hourly[10].calls, r.hourly[10].queue_length), (2, 0));
    let h13 = &r.hourly[13];
    assert_eq!((h13.arrivals, h13.calls, h13.queue_length), (2, 2, 0));
    let h14 = &r.hourly[14];
    assert_eq!((h14.arrivals, h14.calls, h14.queue_length), (1, 0, 1));

    // Bookings: 5 for the day, 3 came. C1010 (13:00 + 60 min late window = 14:00, passed)
    // never arrived; C1009 (15:30 + 60 = 16:30, ahead) is not yet due.
    let a = &r.figures.appointments;
    assert_eq!(
        (a.booked, a.checked_in, a.not_arrived, a.not_yet_due),
        (5, 3, 1, 1)
    );

    // Outcomes: 7 arrived; 6 served (W-011 1, W-012 1, A-006 2, A-007 1, W-013 1, A-008 1
    // = 7 persons); W-014 still waiting: 0 + 7 = 6 + 0 + 0 + 1.
    let o = &r.figures.outcomes;
    assert_eq!(
        (
            o.carried_in,
            o.arrived,
            o.served,
            o.served_persons,
            o.waiting
        ),
        (0, 7, 6, 7, 1)
    );
    // W-014 has waited 14:30 -> 15:00 = 30 minutes so far (not 14:30 -> midnight, 570).
    assert_eq!(o.carried_over.len(), 1);
    assert_eq!(o.carried_over[0].ticket, "W-014");
    assert_eq!(o.carried_over[0].waited_minutes, 30.0);
    let longest = r
        .figures
        .fairness
        .longest_standard_single_wait
        .as_ref()
        .unwrap();
    // Standard singles: W-011 40, W-012 80, A-007 55, W-013 25, A-008 5 called; W-014 30
    // so far. The longest is W-012's 80, finished.
    assert_eq!(
        (
            longest.ticket.as_str(),
            longest.minutes,
            longest.still_waiting
        ),
        ("W-012", 80.0, false)
    );

    // Waits from eligible to the first call: A-006 10, W-011 40, A-007 55, W-012 80,
    // A-008 5, W-013 25.
    let w = &r.figures.waits;
    // Walk-ins 25 40 80: median 40, p90 rank ceil(2.7) = 3 -> 80. W-014 waits 30 so far.
    let walk = &w.by_class["walk_in"];
    assert_eq!(
        (walk.calls, walk.from_eligible),
        (3, spread(40.0, 80.0, 80.0))
    );
    assert_eq!(
        (walk.still_waiting, walk.still_waiting_so_far),
        (1, spread(30.0, 30.0, 30.0))
    );
    // Appointments 5 10 55: median 10, p90 55.
    let appt = &w.by_class["appointment"];
    assert_eq!(
        (appt.calls, appt.from_eligible),
        (3, spread(10.0, 55.0, 55.0))
    );
    assert_eq!(appt.still_waiting, 0);
    // All: 5 10 25 40 55 80: median (25 + 40) / 2 = 32.5, p90 rank ceil(5.4) = 6 -> 80.
    assert_eq!(w.all.from_eligible, spread(32.5, 80.0, 80.0));

    // Windows: A-006 09:10 in 09:10–09:40; W-011 09:40 after 09:00–09:30 (10 min);
    // A-007 10:00 in 09:30–10:00; A-008 13:05 before 13:10–13:30 (5 min); W-013 13:25 in
    // 13:10–13:40. Widths 30 30 30 20 30 -> median 30. 1 of 5 after, 1 of 5 before.
    let e = &r.figures.estimates;
    assert_eq!(
        (
            e.calls_with_estimate,
            e.within_window,
            e.before_window,
            e.after_window
        ),
        (5, 3, 1, 1)
    );
    assert_eq!(
        (e.after_window_share, e.before_window_share),
        (Some(0.2), Some(0.2))
    );
    assert_eq!(e.median_width_minutes, Some(30.0));
    assert_eq!(e.median_abs_error_minutes, Some(0.0));

    check_noon_change_fairness(&r, "15:00");
}

/// The fairness figures of the afternoon day up to `to` ("15:00" or midnight): they are
/// the same read at 15:00 and after midnight, since nobody waited in both queues after 13:05.
fn check_noon_change_fairness(r: &DailyReport, to: &str) {
    let f = &r.figures.fairness;
    // The policy change is listed with its time (port-local) and who made it.
    assert_eq!(f.policy_changes.len(), 1);
    assert_eq!(
        f.policy_changes[0].at.to_rfc3339(),
        "2026-06-17T12:00:00-07:00"
    );
    assert_eq!(f.policy_changes[0].changed_by.as_deref(), Some("sup"));
    assert_eq!(
        (
            f.policy_changes[0].before.walkin_share,
            f.policy_changes[0].after.walkin_share
        ),
        (0.3, 0.5)
    );
    // The target shown at the end is the one in force then; the share is judged by period.
    assert_eq!(f.walkin_share_target, 0.5);
    assert_eq!(f.periods.len(), 2);
    let (morning, afternoon) = (&f.periods[0], &f.periods[1]);
    assert_eq!(morning.from.format("%H:%M").to_string(), "00:00");
    assert_eq!(morning.to.format("%H:%M").to_string(), "12:00");
    assert_eq!(afternoon.to.format("%H:%M").to_string(), to);
    // Morning, target 30%. Eligible and waiting: walk-ins W-011 09:00–09:40, W-012
    // 09:00–10:20; appointments A-006 09:00–09:10, A-007 09:05–10:00. Both queues: 09:00 to
    // 10:00 = 60 minutes. Calls while both waited: A-006 (2 persons, 09:10), W-011 (1, 09:40),
    // A-007 (1, 10:00); W-012's call at 10:20 is not (no appointment waiting). One stretch:
    // 4 persons, 1 walk-in = 25%; expected 0.3 x 4 = 1.2, off by 0.2, within two of the
    // largest party (2 x 2 = 4).
    assert_eq!(morning.target, 0.3);
    assert_eq!(morning.both_waiting_minutes, 60.0);
    assert_eq!(
        (
            morning.calls_while_both_waited,
            morning.persons_called_while_both_waited,
            morning.walkin_persons_called_while_both_waited
        ),
        (3, 4, 1)
    );
    assert_eq!(morning.walkin_share_called, Some(0.25));
    assert_eq!((morning.stretches, morning.stretches_off_share), (1, 0));
    // Afternoon, target 50%: W-013 13:00–13:25, A-008 13:00–13:05: both for 5 minutes;
    // one call while both waited (A-008, 1 person, no walk-in): 0%, off by 0.5 <= 2.
    // W-014 waits alone from 14:30: not counted.
    assert_eq!(afternoon.target, 0.5);
    assert_eq!(afternoon.both_waiting_minutes, 5.0);
    assert_eq!(
        (
            afternoon.calls_while_both_waited,
            afternoon.persons_called_while_both_waited
        ),
        (1, 1)
    );
    assert_eq!(afternoon.walkin_share_called, Some(0.0));
    assert_eq!((afternoon.stretches, afternoon.stretches_off_share), (1, 0));
    // The day: 65 minutes both waiting; 1 walk-in person of 5 = 20%, against the target in
    // force at each call weighted by persons: (0.3 x 4 + 0.5 x 1) / 5 = 0.34 (not the 50%
    // of the day's end).
    assert_eq!(f.both_waiting_minutes, 65.0);
    assert_eq!(
        (
            f.walkin_persons_called_while_both_waited,
            f.persons_called_while_both_waited
        ),
        (1, 5)
    );
    assert_eq!(f.walkin_share_called_while_both_waited, Some(0.2));
    assert_eq!(f.target_in_force_at_calls, Some(0.34));
    assert_eq!(f.share_kept, Some(true));
    assert_eq!(f.overtakes_beyond_bound, 0);
    assert!(f.kept);
}

#[test]
fn the_same_day_read_after_midnight_is_complete() {
    // Read at 00:30 the next day, or with no reading time: the same, whole-day figures.
    let r = daily(&afternoon_input(Some(at(18, 0, 30))));
    assert_eq!(r, daily(&afternoon_input(None)));
    assert!(r.complete);
    assert_eq!(r.as_of, None);
    assert_eq!(r.hourly.len(), 24);
    // W-014 called at 16:00 (16h), W-015 arrives at 23:00 and waits past midnight.
    assert_eq!(
        (
            r.hourly[16].calls,
            r.hourly[23].arrivals,
            r.hourly[23].queue_length
        ),
        (1, 1, 1)
    );
    // The day is over: C1009 and C1010 both never arrived.
    let a = &r.figures.appointments;
    assert_eq!(
        (a.booked, a.checked_in, a.not_arrived, a.not_yet_due),
        (5, 3, 2, 0)
    );
    let o = &r.figures.outcomes;
    assert_eq!((o.arrived, o.served, o.waiting), (8, 7, 1));
    // W-015: 23:00 -> midnight = 60 minutes.
    assert_eq!(o.carried_over[0].ticket, "W-015");
    assert_eq!(o.carried_over[0].waited_minutes, 60.0);
    // Walk-in waits now 25 40 80 90 (W-014 14:30 -> 16:00): median 60, p90 rank 4 -> 90;
    // W-015 waits 60 so far. All: 5 10 25 40 55 80 90: median 40, p90 rank 7 -> 90.
    let walk = &r.figures.waits.by_class["walk_in"];
    assert_eq!(
        (walk.calls, walk.from_eligible),
        (4, spread(60.0, 90.0, 90.0))
    );
    assert_eq!(
        (walk.still_waiting, walk.still_waiting_so_far),
        (1, spread(60.0, 60.0, 60.0))
    );
    assert_eq!(r.figures.waits.all.from_eligible, spread(40.0, 90.0, 90.0));
    // W-014's window 15:30–16:30 held its 16:00 call; widths 20 30 30 30 30 60 -> 30.
    let e = &r.figures.estimates;
    assert_eq!(
        (e.calls_with_estimate, e.after_window, e.before_window),
        (6, 1, 1)
    );
    assert_eq!(
        (e.after_window_share, e.median_width_minutes),
        (Some(0.1667), Some(30.0))
    );
    check_noon_change_fairness(&r, "00:00");
}

#[test]
fn an_hour_in_progress_is_marked_and_counted_to_the_reading_time() {
    // Read at 14:45: the 14h hour is in progress; W-014 waits at 14:45, 15 minutes so far.
    let r = daily(&afternoon_input(Some(at(17, 14, 45))));
    assert_eq!(r.hourly.len(), 15);
    let last = r.hourly.last().unwrap();
    assert!(last.in_progress);
    assert_eq!((last.arrivals, last.queue_length), (1, 1));
    assert_eq!(r.figures.outcomes.carried_over[0].waited_minutes, 15.0);
    // Read before the day begins: no hours, nothing counted, every booking not yet due.
    let r = daily(&afternoon_input(Some(at(16, 20, 0))));
    assert!(r.hourly.is_empty());
    assert_eq!(r.figures.outcomes.arrived, 0);
    assert_eq!(
        (
            r.figures.appointments.not_yet_due,
            r.figures.appointments.not_arrived
        ),
        (5, 0)
    );
}

#[test]
fn a_stretch_far_from_its_share_is_not_kept() {
    // W-040 waits from 08:00 while ten single appointments (eligible 08:00) are called one
    // after the other: one stretch of 10 persons, 0 walk-ins. Expected 0.3 x 10 = 3 walk-in
    // persons; off by 3 > two of the largest party waiting (2 x 1 = 2): not kept.
    let d = |h, m| at(17, h, m);
    let mut events = vec![walk_in(
        40,
        "W-040",
        Standard,
        1,
        "spa",
        &[Language],
        d(8, 0),
        None,
    )];
    for i in 0..10 {
        let id = 50 + i;
        let ticket = format!("A-0{}", 50 + i);
        let mut e = check_in(
            id,
            &ticket,
            Standard,
            1,
            d(9, 0),
            d(8, 0),
            Some(Punctuality::OnTime),
            None,
        );
        if let Some(snap) = e.snapshot.as_mut() {
            snap.confirmation = None;
        }
        events.push(e);
        events.push(at_counter(id, d(8, 10 + 4 * i as u32), 1, Called));
        events.push(at_counter(id, d(8, 12 + 4 * i as u32), 1, Served));
    }
    let r = daily(&input(june(17), events));
    let f = &r.figures.fairness;
    assert_eq!(f.periods.len(), 1);
    assert_eq!(
        (
            f.persons_called_while_both_waited,
            f.walkin_persons_called_while_both_waited
        ),
        (10, 0)
    );
    assert_eq!(f.periods[0].stretches_off_share, 1);
    assert_eq!(f.share_kept, Some(false));
    assert!(!f.kept);
}
