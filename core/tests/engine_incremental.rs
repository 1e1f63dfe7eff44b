//! A projection continued with a new walk-in (`Projection::add_walk_in`) is exactly the fresh
//! projection of the new queue (`project_with`), entry for entry: position, placement,
//! reason and window. Queues of every kind are generated (walk-ins of all tiers,
//! appointments early, on time and late, urgent ones, counters serving, idle and free at a
//! known time, plans that open and close counters, bookings and usual arrivals), then
//! several walk-ins register one after the other within the minute; after each, the kept
//! projection (continued where it may be, projected afresh where not, as the app does) must
//! equal a fresh one.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::{
    ArrivalRates, EstimateInputs, OpenCounter, Projection, QueueEntry, ServiceSample, ShareState,
    project_with,
};

const TZ: Tz = Tz::America__Tijuana;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap()
}

#[derive(Debug, Clone)]
struct Waiting {
    class: Class,
    tier: Tier,
    party_size: u32,
    /// Seconds before `now` it arrived (negative: within the minute, after `now`).
    ago: i64,
    /// Minutes from arrival to the slot (appointments): early, on time, late, or booked
    /// for much later (so that some are called after every walk-in waiting).
    slot: i64,
}

fn waiting() -> impl Strategy<Value = Waiting> {
    (
        prop_oneof![4 => Just(Class::WalkIn), 1 => Just(Class::Appointment)],
        prop_oneof![14 => Just(Tier::Standard), 4 => Just(Tier::Priority), 1 => Just(Tier::Urgent)],
        prop_oneof![6 => 1u32..4, 1 => 4u32..12],
        prop_oneof![9 => 0i64..36_000, 1 => -50i64..0],
        prop_oneof![4 => -240i64..300, 1 => 600i64..1_600],
    )
        .prop_map(|(class, tier, party_size, ago, slot)| Waiting {
            class,
            tier,
            party_size,
            ago,
            slot,
        })
}

fn entries(list: &[Waiting]) -> Vec<QueueEntry> {
    list.iter()
        .enumerate()
        .map(|(i, w)| {
            let arrived_at = now() - Duration::seconds(w.ago);
            QueueEntry {
                id: i as i64 + 1,
                seq: i as i64 + 1,
                class: w.class,
                tier: w.tier,
                party_size: w.party_size,
                arrived_at,
                slot_at: (w.class == Class::Appointment)
                    .then(|| arrived_at + Duration::minutes(w.slot)),
            }
        })
        .collect()
}

fn counter() -> impl Strategy<Value = OpenCounter> {
    prop_oneof![
        Just(OpenCounter::Idle),
        (0i64..90, 1u32..5).prop_map(|(m, party_size)| OpenCounter::Serving {
            since: now() - Duration::minutes(m),
            party_size,
        }),
        (-10i64..60).prop_map(|m| OpenCounter::FreeAt(now() + Duration::minutes(m))),
    ]
}

fn inputs() -> impl Strategy<Value = EstimateInputs> {
    (
        prop::collection::vec(counter(), 0..5),
        prop::option::of(prop::collection::vec(0u32..5, 1..40)),
        prop::collection::vec((1u32..5, 2.0f64..40.0), 0..45),
        3.0f64..15.0,
        prop::collection::vec((1i64..60, -30i64..600, 1u32..4), 0..12),
        0.5f64..1.0,
        prop::collection::vec(-40.0f64..40.0, 0..6),
        prop::option::of((0.0f64..20.0, 0.0f64..4.0, 0.0f64..1.0)),
    )
        .prop_map(
            |(open, plan, service, per_person, bookings, show_rate, offsets, rates)| {
                EstimateInputs {
                    open,
                    plan: plan
                        .map(|hours| {
                            hours
                                .iter()
                                .enumerate()
                                .map(|(h, &n)| (now() + Duration::hours(h as i64), n))
                                .collect()
                        })
                        .unwrap_or_default(),
                    service: service
                        .into_iter()
                        .map(|(party_size, minutes)| ServiceSample {
                            party_size,
                            minutes,
                        })
                        .collect(),
                    minutes_per_person: per_person,
                    bookings: bookings
                        .into_iter()
                        .map(|(id, slot, party_size)| {
                            let slot = now() + Duration::minutes(slot);
                            QueueEntry {
                                id: -id,
                                seq: i64::MAX - id,
                                class: Class::Appointment,
                                tier: Tier::Standard,
                                party_size,
                                arrived_at: slot,
                                slot_at: Some(slot),
                            }
                        })
                        .collect(),
                    show_rate,
                    check_in_offsets_minutes: offsets,
                    walk_ins_per_hour: rates
                        .map(|(standard, priority, urgent)| {
                            (0..12)
                                .map(|h| {
                                    (
                                        now() + Duration::hours(h),
                                        ArrivalRates {
                                            standard,
                                            priority,
                                            urgent,
                                        },
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            },
        )
}

fn share_state() -> impl Strategy<Value = ShareState> {
    (
        any::<bool>(),
        0u64..40_000,
        0u64..40_000,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(today, walkin_credit, appointment_credit, w, a)| {
            if !today {
                return ShareState::default();
            }
            ShareState {
                day: Some(now().with_timezone(&TZ).date_naive()),
                walkin_credit,
                appointment_credit,
                walkin_backlogged: w,
                appointment_backlogged: a,
                last_class: Some(Class::WalkIn),
                walkin_weight: Policy::default().walkin_weight(),
            }
        })
}

/// A walk-in registering within the minute: tier and party, and seconds after the last
/// (negative: its clock was read before the last one's, as when it waited for the lock).
fn newcomer() -> impl Strategy<Value = (Tier, u32, i64)> {
    (
        prop_oneof![8 => Just(Tier::Standard), 1 => Just(Tier::Priority), 1 => Just(Tier::Urgent)],
        1u32..6,
        prop_oneof![4 => 0i64..8, 1 => -3i64..0],
    )
}

/// Registers each newcomer in turn, keeping the projection as the app does, and compares it
/// with a fresh one after each. Returns how many were continued.
fn check(
    mut queue: Vec<QueueEntry>,
    newcomers: &[(Tier, u32, i64)],
    inputs: &EstimateInputs,
    state: &ShareState,
) -> Result<usize, TestCaseError> {
    let policy = Policy::default();
    let at = now();
    let mut kept = Projection::new(&queue, &policy, TZ, state, at, inputs);
    let mut continued = 0;
    let mut arrived = queue
        .iter()
        .map(|e| e.arrived_at)
        .max()
        .unwrap_or(at)
        .max(at);
    for (k, &(tier, party_size, after)) in newcomers.iter().enumerate() {
        arrived += Duration::seconds(after);
        let id = queue.len() as i64 + 1;
        let entry = QueueEntry {
            id,
            seq: id,
            class: Class::WalkIn,
            tier,
            party_size,
            arrived_at: arrived,
            slot_at: None,
        };
        queue.push(entry.clone());
        if kept.add_walk_in(&entry, &policy, TZ, state, at, inputs) {
            continued += 1;
        } else {
            kept = Projection::new(&queue, &policy, TZ, state, at, inputs);
        }
        let fresh = project_with(&queue, &policy, TZ, state, at, inputs);
        prop_assert_eq!(kept.projected().len(), fresh.len());
        for (a, b) in kept.projected().iter().zip(&fresh) {
            prop_assert_eq!(a, b, "after newcomer {} of {}", k + 1, newcomers.len());
        }
    }
    Ok(continued)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_continued_projection_is_the_fresh_one(
        list in prop_oneof![
            prop::collection::vec(waiting(), 0..209),
            prop::collection::vec(waiting(), 209..320),
        ],
        newcomers in prop::collection::vec(newcomer(), 1..6),
        inputs in inputs(),
        state in share_state(),
    ) {
        check(entries(&list), &newcomers, &inputs, &state)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn a_continued_projection_of_a_long_queue_is_the_fresh_one(
        list in prop::collection::vec(waiting(), 900..1600),
        newcomers in prop::collection::vec(newcomer(), 1..4),
        inputs in inputs(),
        state in share_state(),
    ) {
        check(entries(&list), &newcomers, &inputs, &state)?;
    }
}

/// A long queue of walk-ins at a busy port: every standard walk-in registered within the
/// minute, each no earlier than the one before (the app takes a walk-in's time under the
/// port's lock), continues the kept projection (the fast path is really taken), and each
/// result is the fresh projection.
#[test]
fn registrations_into_a_long_queue_continue_the_projection() {
    let newcomers: Vec<(Tier, u32, i64)> = (0..8)
        .map(|i| (Tier::Standard, 1 + i % 3, if i % 3 == 2 { 0 } else { 2 }))
        .collect();
    let continued = check(
        busy_queue(1_200),
        &newcomers,
        &busy_inputs(),
        &ShareState::default(),
    )
    .unwrap();
    assert_eq!(continued, newcomers.len(), "every registration continued");
}

/// A short queue at a busy port (counters serving, 60 to 200 waiting): one more walk-in moves
/// the last nominal call, so the runs' look-ahead and their number change only in steps;
/// nearly every registration continues the kept projection, and each result is the fresh
/// projection.
#[test]
fn registrations_into_a_short_queue_mostly_continue_the_projection() {
    let newcomers: Vec<(Tier, u32, i64)> = (0..40)
        .map(|i| (Tier::Standard, 1 + i % 3, if i % 3 == 2 { 0 } else { 2 }))
        .collect();
    for waiting in [60, 120, 180] {
        let continued = check(
            busy_queue(waiting),
            &newcomers,
            &busy_inputs(),
            &ShareState::default(),
        )
        .unwrap();
        assert!(
            continued >= newcomers.len() * 3 / 4,
            "{continued} of {} registrations continued at {waiting} waiting",
            newcomers.len()
        );
    }
}

/// `n` waiting at a busy port: walk-ins of every tier and appointments, the last came now.
fn busy_queue(n: u32) -> Vec<QueueEntry> {
    let list: Vec<Waiting> = (0..n)
        .map(|i| Waiting {
            class: if i % 7 == 3 {
                Class::Appointment
            } else {
                Class::WalkIn
            },
            tier: match i % 23 {
                5 => Tier::Urgent,
                1 | 9 | 14 => Tier::Priority,
                _ => Tier::Standard,
            },
            party_size: 1 + i % 4,
            ago: (i64::from(n) - i64::from(i)) * 30,
            slot: i64::from(i % 50) * 5 - 60,
        })
        .collect();
    entries(&list)
}

/// What a busy port projects with: four counters (three serving, one idle), a plan, the
/// port's own service times, bookings and usual arrivals.
fn busy_inputs() -> EstimateInputs {
    EstimateInputs {
        open: vec![
            OpenCounter::Serving {
                since: now() - Duration::minutes(4),
                party_size: 2,
            },
            OpenCounter::Idle,
            OpenCounter::Serving {
                since: now() - Duration::minutes(30),
                party_size: 1,
            },
            OpenCounter::FreeAt(now() + Duration::minutes(5)),
        ],
        plan: (0..36)
            .map(|h| (now() + Duration::hours(h), if h < 8 { 4 } else { 3 }))
            .collect(),
        service: (0..300)
            .map(|i| ServiceSample {
                party_size: 1 + i % 4,
                minutes: 4.0 + f64::from(i % 17),
            })
            .collect(),
        minutes_per_person: 10.0,
        bookings: (1..30)
            .map(|i| {
                let slot = now() + Duration::minutes(i * 13);
                QueueEntry {
                    id: -i,
                    seq: i64::MAX - i,
                    class: Class::Appointment,
                    tier: Tier::Standard,
                    party_size: 2,
                    arrived_at: slot,
                    slot_at: Some(slot),
                }
            })
            .collect(),
        show_rate: 0.85,
        check_in_offsets_minutes: vec![-20.0, -5.0, 0.0, 10.0],
        walk_ins_per_hour: (0..12)
            .map(|h| {
                (
                    now() + Duration::hours(h),
                    ArrivalRates {
                        standard: 20.0,
                        priority: 3.0,
                        urgent: 0.5,
                    },
                )
            })
            .collect(),
    }
}

/// The last walk-in waiting is called while the newcomer is already eligible: with the
/// newcomer, walk-ins stay "backlogged" after that call, so the share rule does not start
/// afresh at the next one and the newcomer goes before the appointment that became
/// eligible meanwhile. A continuation that took that call as one the newcomer cannot change
/// would call the appointment first.
#[test]
fn the_newcomer_keeps_walk_ins_backlogged_for_the_share_rule() {
    let policy = Policy::default();
    let at = now();
    let early = Duration::minutes(i64::from(policy.early_window_minutes));
    let walk_in = QueueEntry {
        id: 1,
        seq: 1,
        class: Class::WalkIn,
        tier: Tier::Standard,
        party_size: 2,
        arrived_at: at - Duration::minutes(10),
        slot_at: None,
    };
    let slot = at + early + Duration::minutes(10);
    let appointment = QueueEntry {
        id: 2,
        seq: 2,
        class: Class::Appointment,
        tier: Tier::Standard,
        party_size: 1,
        arrived_at: at - Duration::minutes(5),
        slot_at: Some(slot),
    };
    let newcomer = QueueEntry {
        id: 3,
        seq: 3,
        class: Class::WalkIn,
        tier: Tier::Standard,
        party_size: 2,
        arrived_at: at + Duration::seconds(5),
        slot_at: None,
    };
    // No counter open now; the plan opens one a minute from now, when the newcomer is
    // already there.
    let inputs = EstimateInputs {
        open: Vec::new(),
        plan: vec![(at, 0), (at + Duration::minutes(1), 1)],
        service: Vec::new(),
        minutes_per_person: 10.0,
        bookings: Vec::new(),
        show_rate: 1.0,
        check_in_offsets_minutes: Vec::new(),
        walk_ins_per_hour: Vec::new(),
    };
    let state = ShareState {
        day: Some(at.with_timezone(&TZ).date_naive()),
        walkin_credit: 0,
        appointment_credit: 100_000,
        walkin_backlogged: true,
        appointment_backlogged: true,
        last_class: Some(Class::Appointment),
        walkin_weight: policy.walkin_weight(),
    };
    let queue = vec![walk_in, appointment];
    let mut kept = Projection::new(&queue, &policy, TZ, &state, at, &inputs);
    assert!(kept.add_walk_in(&newcomer, &policy, TZ, &state, at, &inputs));
    let mut all = queue.clone();
    all.push(newcomer);
    let fresh = project_with(&all, &policy, TZ, &state, at, &inputs);
    let order: Vec<i64> = fresh.iter().map(|p| p.entry_id).collect();
    assert_eq!(order, [1, 3, 2], "the newcomer before the appointment");
    assert_eq!(kept.projected().as_slice(), fresh.as_slice());
}

/// An entry without a window is told apart: beyond the look-ahead while a counter is open
/// (the plan closes every counter before its turn, and reopens past the 36 hours), without a
/// counter when none is open; a continued projection says the same as a fresh one.
#[test]
fn an_entry_without_a_window_is_beyond_the_look_ahead_only_with_a_counter_open() {
    let at = now();
    let policy = Policy::default();
    let state = ShareState::default();
    let walk_in = |i: i64| QueueEntry {
        id: i,
        seq: i,
        class: Class::WalkIn,
        tier: Tier::Standard,
        party_size: 20,
        arrived_at: at - Duration::minutes(60 - i),
        slot_at: None,
    };
    let queue: Vec<QueueEntry> = (1..=10).map(walk_in).collect();
    // One counter for 8 hours now and 8 tomorrow: 16 hours, under five parties of 200
    // minutes; the next opening is 48 hours away.
    let open = EstimateInputs {
        open: vec![OpenCounter::Idle],
        plan: vec![
            (at, 1),
            (at + Duration::hours(8), 0),
            (at + Duration::hours(24), 1),
            (at + Duration::hours(32), 0),
            (at + Duration::hours(48), 1),
        ],
        service: Vec::new(),
        minutes_per_person: 10.0,
        bookings: Vec::new(),
        show_rate: 1.0,
        check_in_offsets_minutes: Vec::new(),
        walk_ins_per_hour: Vec::new(),
    };
    let projected = project_with(&queue, &policy, TZ, &state, at, &open);
    let first = &projected[0];
    assert!(first.estimate.is_some() && !first.beyond_look_ahead);
    let last = projected.last().unwrap();
    assert!(
        last.estimate.is_none() && last.beyond_look_ahead,
        "{last:?}"
    );
    for p in &projected {
        assert_eq!(p.beyond_look_ahead, p.estimate.is_none(), "{p:?}");
    }

    let mut kept = Projection::new(&queue, &policy, TZ, &state, at, &open);
    let newcomer = QueueEntry {
        arrived_at: at + Duration::seconds(5),
        ..walk_in(11)
    };
    kept.add_walk_in(&newcomer, &policy, TZ, &state, at, &open);
    let mut all = queue.clone();
    all.push(newcomer);
    let fresh = project_with(&all, &policy, TZ, &state, at, &open);
    assert_eq!(kept.projected().as_slice(), fresh.as_slice());
    assert!(fresh.last().unwrap().beyond_look_ahead);

    // No counter open (the plan opens one tomorrow): nobody has a window, and nobody is
    // "beyond": no counter is open.
    let closed = EstimateInputs {
        open: Vec::new(),
        plan: vec![(at, 0), (at + Duration::hours(16), 1)],
        ..open
    };
    for p in project_with(&queue, &policy, TZ, &state, at, &closed) {
        assert!(p.estimate.is_none() && !p.beyond_look_ahead, "{p:?}");
    }
}
