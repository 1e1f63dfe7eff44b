//! Under language matching, a projection continued with a new walk-in
//! (`Projection::add_walk_in_matched`) is exactly the fresh matched projection of the new
//! queue (`Projection::new_matched`), entry for entry: position, placement, reason and
//! window, as `engine_incremental.rs` checks without matching. Days of every kind are
//! generated: policies, one to four counters open now (idle, serving, free at a known time),
//! some with languages and some without, plans that open and close counters, entries of
//! every class and tier with languages some counter covers, languages no counter covers and
//! none recorded, pass-over clocks already running, wait limits, bookings and usual
//! arrivals; then several walk-ins of any language register one after the other within the
//! minute. After each, the kept projection (continued where it may be, projected afresh
//! where not, as the app does) must equal a fresh one.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::{
    ArrivalRates, EntryLanguage, EstimateInputs, EstimateMatching, OpenCounter, Projection,
    QueueEntry, ServiceSample, ShareState,
};

/// "xho": a language no counter covers.
const POOL: [&str; 5] = ["spa", "eng", "pan", "quc", "xho"];
/// What counters may cover.
const COVERED: [&str; 4] = ["spa", "eng", "pan", "quc"];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 13, 16, 0, 0).unwrap()
}

fn policy() -> impl Strategy<Value = Policy> {
    (500u64..=9500, 0u32..=120, 0u32..=60, 0u32..=60, 1u32..=12).prop_map(
        |(weight, boost, early, late, minutes)| Policy {
            walkin_share: weight as f64 / 10_000.0,
            priority_boost_minutes: boost,
            early_window_minutes: early,
            late_window_minutes: late,
            max_recalls: 2,
            minutes_per_person: minutes,
        },
    )
}

fn language() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        6 => prop::sample::select(POOL.to_vec()).prop_map(|l| Some(l.to_owned())),
    ]
}

/// A language and, sometimes, a pass-over clock already running (minutes ago).
fn entry_language() -> impl Strategy<Value = EntryLanguage> {
    (
        language(),
        prop_oneof![4 => Just(None), 1 => (0i64..60).prop_map(Some)],
    )
        .prop_map(|(language, passed)| EntryLanguage {
            passed_over_since: passed
                .filter(|_| language.is_some())
                .map(|m| now() - Duration::minutes(m)),
            language,
        })
}

#[derive(Debug, Clone)]
struct Waiting {
    class: Class,
    tier: Tier,
    party_size: u32,
    /// Seconds before `now` it arrived (negative: within the minute, after `now`).
    ago: i64,
    /// Minutes from arrival to the slot (appointments).
    slot: i64,
    language: EntryLanguage,
}

fn waiting() -> impl Strategy<Value = Waiting> {
    (
        prop_oneof![4 => Just(Class::WalkIn), 1 => Just(Class::Appointment)],
        prop_oneof![14 => Just(Tier::Standard), 4 => Just(Tier::Priority), 1 => Just(Tier::Urgent)],
        prop_oneof![6 => 1u32..4, 1 => 4u32..9],
        prop_oneof![9 => 0i64..14_400, 1 => -50i64..0],
        prop_oneof![4 => -240i64..300, 1 => 600i64..1_600],
        entry_language(),
    )
        .prop_map(|(class, tier, party_size, ago, slot, language)| Waiting {
            class,
            tier,
            party_size,
            ago,
            slot,
            language,
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

/// A counter open now and what it covers (`None`: open without languages).
fn counter() -> impl Strategy<Value = (OpenCounter, Option<Vec<String>>)> {
    (
        prop_oneof![
            1 => Just(OpenCounter::Idle),
            3 => (0i64..60, 1u32..5).prop_map(|(m, party_size)| OpenCounter::Serving {
                since: now() - Duration::minutes(m),
                party_size,
            }),
            1 => (-10i64..40).prop_map(|m| OpenCounter::FreeAt(now() + Duration::minutes(m))),
        ],
        prop_oneof![
            1 => Just(None),
            4 => prop::sample::subsequence(COVERED.to_vec(), 0..=2)
                .prop_map(|ls| Some(ls.into_iter().map(str::to_owned).collect())),
        ],
    )
}

#[derive(Debug, Clone)]
struct Day {
    policy: Policy,
    tz: Tz,
    inputs: EstimateInputs,
    matching: EstimateMatching,
    state: ShareState,
}

fn day() -> impl Strategy<Value = Day> {
    (
        (
            policy(),
            prop::sample::select(vec![chrono_tz::UTC, Tz::America__Tijuana]),
            prop::collection::vec(counter(), 1..=4),
            0u32..=45,
            prop::option::of(prop::collection::vec(0u32..5, 1..30)),
        ),
        (
            prop::collection::vec((1u32..5, 2.0f64..40.0), 0..45),
            prop::collection::vec((1i64..60, -30i64..600, 1u32..4), 0..8),
            0.5f64..1.0,
            prop::collection::vec(-40.0f64..40.0, 0..5),
            prop::option::of((0.0f64..12.0, 0.0f64..3.0, 0.0f64..0.5)),
            any::<bool>(),
            0u64..40_000,
            0u64..40_000,
        ),
    )
        .prop_map(
            |(
                (policy, tz, counters, limit, plan),
                (service, bookings, show_rate, offsets, rates, today, wc, ac),
            )| {
                let inputs = EstimateInputs {
                    open: counters.iter().map(|c| c.0).collect(),
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
                    minutes_per_person: f64::from(policy.minutes_per_person),
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
                };
                let state = if today {
                    ShareState {
                        day: Some(now().with_timezone(&tz).date_naive()),
                        walkin_credit: wc,
                        appointment_credit: ac,
                        walkin_backlogged: true,
                        appointment_backlogged: true,
                        last_class: Some(Class::WalkIn),
                        walkin_weight: policy.walkin_weight(),
                    }
                } else {
                    ShareState::default()
                };
                Day {
                    policy,
                    tz,
                    inputs,
                    matching: EstimateMatching {
                        counters: counters.into_iter().map(|c| c.1).collect(),
                        entries: Vec::new(),
                        wait_limit_minutes: limit,
                    },
                    state,
                }
            },
        )
}

/// A walk-in registering within the minute: tier, party, language, and seconds after the
/// last (negative: its clock was read before the last one's).
fn newcomer() -> impl Strategy<Value = (Tier, u32, EntryLanguage, i64)> {
    (
        prop_oneof![8 => Just(Tier::Standard), 1 => Just(Tier::Priority), 1 => Just(Tier::Urgent)],
        1u32..6,
        language().prop_map(|language| EntryLanguage {
            language,
            passed_over_since: None,
        }),
        prop_oneof![3 => Just(0i64), 3 => 1i64..8, 1 => -3i64..0],
    )
}

fn fresh(
    queue: &[QueueEntry],
    languages: &[EntryLanguage],
    day: &Day,
) -> (Projection, EstimateMatching) {
    let matching = EstimateMatching {
        entries: languages.to_vec(),
        ..day.matching.clone()
    };
    let projection = Projection::new_matched(
        queue,
        &day.policy,
        day.tz,
        &day.state,
        now(),
        &day.inputs,
        Some(&matching),
    );
    (projection, matching)
}

/// Registers each newcomer in turn, keeping the projection as the app does, and compares it
/// with a fresh one after each. Returns how many were continued.
fn check(
    list: &[Waiting],
    newcomers: &[(Tier, u32, EntryLanguage, i64)],
    day: &Day,
) -> Result<usize, TestCaseError> {
    let mut queue = entries(list);
    let mut languages: Vec<EntryLanguage> = list.iter().map(|w| w.language.clone()).collect();
    let (mut kept, _) = fresh(&queue, &languages, day);
    let mut continued = 0;
    let mut arrived = queue
        .iter()
        .map(|e| e.arrived_at)
        .max()
        .unwrap_or(now())
        .max(now());
    for (k, (tier, party_size, language, after)) in newcomers.iter().enumerate() {
        arrived += Duration::seconds(*after);
        let id = queue.len() as i64 + 1;
        let entry = QueueEntry {
            id,
            seq: id,
            class: Class::WalkIn,
            tier: *tier,
            party_size: *party_size,
            arrived_at: arrived,
            slot_at: None,
        };
        queue.push(entry.clone());
        languages.push(language.clone());
        let (fresh, matching) = fresh(&queue, &languages, day);
        if kept.add_walk_in_matched(
            &entry,
            language,
            &day.policy,
            day.tz,
            &day.state,
            now(),
            &day.inputs,
            Some(&matching),
        ) {
            continued += 1;
        } else {
            kept = fresh.clone();
        }
        prop_assert_eq!(kept.projected().len(), fresh.projected().len());
        for (a, b) in kept.projected().iter().zip(fresh.projected().iter()) {
            prop_assert_eq!(a, b, "after newcomer {} of {}", k + 1, newcomers.len());
        }
    }
    Ok(continued)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn a_continued_matched_projection_is_the_fresh_one(
        list in prop_oneof![
            prop::collection::vec(waiting(), 0..60),
            prop::collection::vec(waiting(), 60..260),
        ],
        newcomers in prop::collection::vec(newcomer(), 1..6),
        day in day(),
    ) {
        check(&list, &newcomers, &day)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn a_continued_matched_projection_of_a_long_queue_is_the_fresh_one(
        list in prop::collection::vec(waiting(), 900..1400),
        newcomers in prop::collection::vec(newcomer(), 1..4),
        day in day(),
    ) {
        check(&list, &newcomers, &day)?;
    }
}

/// A long queue at a busy port whose counters serve with languages (one Spanish and
/// English, one Punjabi, one without languages), people of every language waiting (some
/// whose language no counter covers, some passed over already): every standard walk-in
/// registered within the minute, each no earlier than the one before, continues the kept
/// projection (the fast path is really taken under matching), and each result is the fresh
/// projection.
#[test]
fn registrations_into_a_long_matched_queue_continue_the_projection() {
    let serving = |minutes: i64, party_size: u32| OpenCounter::Serving {
        since: now() - Duration::minutes(minutes),
        party_size,
    };
    let counters = vec![
        (
            serving(4, 2),
            Some(vec!["spa".to_owned(), "eng".to_owned()]),
        ),
        (serving(12, 1), Some(vec!["pan".to_owned()])),
        (serving(30, 3), None),
    ];
    let (continued, registered) = register_into_a_long_matched_queue(counters);
    assert_eq!(continued, registered, "every registration continued");
}

/// The same port with the Punjabi counter idle (its officer between two parties): the
/// idle counter's first call waits for the end of the minute the last party waiting came
/// in, so only the first newcomer of the minute moves it and is projected afresh; every
/// later one of the minute continues the kept projection, and each result is the fresh one.
#[test]
fn with_a_counter_idle_only_the_first_registration_of_the_minute_projects_afresh() {
    let counters = vec![
        (
            OpenCounter::Serving {
                since: now() - Duration::minutes(4),
                party_size: 2,
            },
            Some(vec!["spa".to_owned(), "eng".to_owned()]),
        ),
        (OpenCounter::Idle, Some(vec!["pan".to_owned()])),
        (OpenCounter::Idle, None),
    ];
    let (continued, registered) = register_into_a_long_matched_queue(counters);
    assert_eq!(
        continued,
        registered - 1,
        "all but the minute's first continued"
    );
}

/// Registers eight standard walk-ins of every language (one no counter covers, one with
/// none recorded; some in the same instant as the one before, all within the minute) into
/// 1,200 waiting at a busy port with `counters` open; checks each result against a fresh
/// projection. Returns how many continued the kept projection and how many registered.
fn register_into_a_long_matched_queue(
    counters: Vec<(OpenCounter, Option<Vec<String>>)>,
) -> (usize, usize) {
    let list: Vec<Waiting> = (0..1_200)
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
            party_size: 1 + (i % 4) as u32,
            ago: 14_400 - i64::from(i) * 12,
            slot: i64::from(i % 50) * 5 - 60,
            language: EntryLanguage {
                language: (i % 6 != 5).then(|| POOL[(i % 5) as usize].to_owned()),
                passed_over_since: (i % 11 == 2).then(|| now() - Duration::minutes(3)),
            },
        })
        .collect();
    let policy = Policy::default();
    let day = Day {
        policy,
        tz: Tz::America__Tijuana,
        inputs: EstimateInputs {
            open: counters.iter().map(|c| c.0).collect(),
            plan: (0..36)
                .map(|h| (now() + Duration::hours(h), if h < 8 { 3 } else { 2 }))
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
        },
        matching: EstimateMatching {
            counters: counters.into_iter().map(|c| c.1).collect(),
            entries: Vec::new(),
            wait_limit_minutes: 20,
        },
        state: ShareState::default(),
    };
    // Every language, one no counter covers and none recorded; some registered in the same
    // instant as the previous one.
    let newcomers: Vec<(Tier, u32, EntryLanguage, i64)> = (0..8)
        .map(|i| {
            (
                Tier::Standard,
                1 + i % 3,
                EntryLanguage {
                    language: (i != 6).then(|| POOL[i as usize % 5].to_owned()),
                    passed_over_since: None,
                },
                if i % 3 == 2 { 0 } else { 2 },
            )
        })
        .collect();
    let continued = check(&list, &newcomers, &day).unwrap();
    (continued, newcomers.len())
}

/// The last walk-in waiting is called, at a counter with languages, while the newcomer is
/// already eligible: with the newcomer, walk-ins stay "backlogged" after that call, so the
/// share rule does not start afresh at the next one and the newcomer goes before the
/// appointment that became eligible meanwhile. A continuation that took that call as one
/// the newcomer cannot change would call the appointment first.
#[test]
fn under_matching_the_newcomer_keeps_walk_ins_backlogged_for_the_share_rule() {
    let policy = Policy::default();
    let tz = Tz::America__Tijuana;
    let early = Duration::minutes(i64::from(policy.early_window_minutes));
    let spanish = || EntryLanguage {
        language: Some("spa".to_owned()),
        passed_over_since: None,
    };
    let list = vec![
        Waiting {
            class: Class::WalkIn,
            tier: Tier::Standard,
            party_size: 2,
            ago: 600,
            slot: 0,
            language: spanish(),
        },
        Waiting {
            class: Class::Appointment,
            tier: Tier::Standard,
            party_size: 1,
            ago: 300,
            // Eligible ten minutes from now.
            slot: 5 + early.num_minutes() + 10,
            language: spanish(),
        },
        // Booked for much later: the last call, so the runs' look-ahead stays put.
        Waiting {
            class: Class::Appointment,
            tier: Tier::Standard,
            party_size: 1,
            ago: 200,
            slot: 300,
            language: spanish(),
        },
    ];
    // One counter with languages, free a minute from now, when the newcomer is there.
    let day = Day {
        policy,
        tz,
        inputs: EstimateInputs {
            open: vec![OpenCounter::FreeAt(now() + Duration::minutes(1))],
            plan: Vec::new(),
            service: Vec::new(),
            minutes_per_person: 10.0,
            bookings: Vec::new(),
            show_rate: 1.0,
            check_in_offsets_minutes: Vec::new(),
            walk_ins_per_hour: Vec::new(),
        },
        matching: EstimateMatching {
            counters: vec![Some(vec!["spa".to_owned()])],
            entries: Vec::new(),
            wait_limit_minutes: 20,
        },
        state: ShareState {
            day: Some(now().with_timezone(&tz).date_naive()),
            walkin_credit: 0,
            appointment_credit: 100_000,
            walkin_backlogged: true,
            appointment_backlogged: true,
            last_class: Some(Class::Appointment),
            walkin_weight: policy.walkin_weight(),
        },
    };
    let newcomers = [(Tier::Standard, 2, spanish(), 5)];
    let continued = check(&list, &newcomers, &day).unwrap();
    assert_eq!(continued, 1, "continued");
    let mut queue = entries(&list);
    queue.push(QueueEntry {
        id: 4,
        seq: 4,
        class: Class::WalkIn,
        tier: Tier::Standard,
        party_size: 2,
        arrived_at: now() + Duration::seconds(5),
        slot_at: None,
    });
    let languages = vec![spanish(), spanish(), spanish(), spanish()];
    let order: Vec<i64> = fresh(&queue, &languages, &day)
        .0
        .projected()
        .iter()
        .map(|p| p.entry_id)
        .collect();
    assert_eq!(order, [1, 4, 2, 3], "the newcomer before the appointment");
}
