//! Estimates under language matching (docs/design/fair-queue.md, "Estimates under
//! matching"): the projection's runs call at a counter with languages exactly as the live
//! queue's [`next_call_matched`] does, and with matching off, or nobody's language recorded,
//! or every counter covering every language, the projection is exactly today's.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::{
    ArrivalRates, Coverage, EntryLanguage, EstimateInputs, EstimateMatching, OpenCounter,
    Projection, QueueEntry, ShareState, Window, next_call, next_call_matched, place,
};

const POOL: [&str; 4] = ["spa", "eng", "pan", "quc"];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 13, 16, 0, 0).unwrap()
}

#[derive(Debug, Clone)]
struct Queue {
    policy: Policy,
    tz: Tz,
    entries: Vec<QueueEntry>,
    languages: Vec<Option<String>>,
    /// Per counter open now: its languages (`None`: opened without languages), and in how
    /// many minutes it is free.
    counters: Vec<(Option<Vec<String>>, i64)>,
    limit: u32,
    /// Walk-ins per hour expected (the sampled runs' arrivals).
    rate: f64,
}

fn arb_policy() -> impl Strategy<Value = Policy> {
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

fn arb_language() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        5 => prop::sample::select(POOL.to_vec()).prop_map(|l| Some(l.to_owned())),
    ]
}

fn arb_counter() -> impl Strategy<Value = (Option<Vec<String>>, i64)> {
    (
        prop_oneof![
            1 => Just(None),
            4 => prop::sample::subsequence(POOL.to_vec(), 0..=2)
                .prop_map(|ls| Some(ls.into_iter().map(str::to_owned).collect())),
        ],
        prop_oneof![2 => Just(0i64), 1 => 1i64..=30],
    )
}

#[allow(clippy::type_complexity)]
fn arb_row() -> impl Strategy<Value = (i64, bool, Tier, u32, i64, Option<String>)> {
    (
        -120i64..=60,
        any::<bool>(),
        prop_oneof![10 => Just(Tier::Standard), 4 => Just(Tier::Priority), 1 => Just(Tier::Urgent)],
        prop_oneof![4 => 1u32..=3, 1 => 1u32..=8],
        -60i64..=90,
        arb_language(),
    )
}

fn arb_queue(max: usize) -> impl Strategy<Value = Queue> {
    (
        arb_policy(),
        prop::sample::select(vec![chrono_tz::UTC, Tz::America__Tijuana]),
        prop::collection::vec(arb_counter(), 1..=4),
        0u32..=45,
        prop::collection::vec(arb_row(), 1..=max),
        prop_oneof![Just(0.0), 1.0f64..8.0],
    )
        .prop_map(|(policy, tz, counters, limit, rows, rate)| {
            let entries = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    // Arrived before now (waiting); appointments may be booked later.
                    let arrived_at = t0() + Duration::minutes(r.0.min(0));
                    let class = if r.1 {
                        Class::WalkIn
                    } else {
                        Class::Appointment
                    };
                    QueueEntry {
                        id: i as i64 + 1,
                        seq: i as i64 + 1,
                        class,
                        tier: r.2,
                        party_size: r.3,
                        arrived_at,
                        slot_at: (class == Class::Appointment)
                            .then(|| arrived_at + Duration::minutes(r.4)),
                    }
                })
                .collect();
            Queue {
                policy,
                tz,
                entries,
                languages: rows.iter().map(|r| r.5.clone()).collect(),
                counters,
                limit,
                rate,
            }
        })
}

fn inputs(q: &Queue) -> EstimateInputs {
    EstimateInputs {
        open: q
            .counters
            .iter()
            .map(|&(_, free)| {
                if free == 0 {
                    OpenCounter::Idle
                } else {
                    OpenCounter::FreeAt(t0() + Duration::minutes(free))
                }
            })
            .collect(),
        plan: Vec::new(),
        service: Vec::new(),
        minutes_per_person: f64::from(q.policy.minutes_per_person),
        bookings: Vec::new(),
        show_rate: 1.0,
        check_in_offsets_minutes: Vec::new(),
        walk_ins_per_hour: if q.rate > 0.0 {
            vec![(
                t0(),
                ArrivalRates {
                    standard: q.rate,
                    priority: q.rate / 4.0,
                    urgent: q.rate / 20.0,
                },
            )]
        } else {
            Vec::new()
        },
    }
}

fn matching(q: &Queue, counters: Vec<Option<Vec<String>>>) -> EstimateMatching {
    EstimateMatching {
        counters,
        entries: q
            .languages
            .iter()
            .map(|l| EntryLanguage {
                language: l.clone(),
                passed_over_since: None,
            })
            .collect(),
        wait_limit_minutes: q.limit,
    }
}

fn project(q: &Queue, m: Option<&EstimateMatching>) -> Vec<portqueue_core::queue::Projected> {
    Projection::new_matched(
        &q.entries,
        &q.policy,
        q.tz,
        &ShareState::default(),
        t0(),
        &inputs(q),
        m,
    )
    .projected()
    .as_ref()
    .clone()
}

/// The live queue driven by hand, nobody arriving, each party keeping its counter
/// `minutes_per_person x party` minutes: each counter, when free, asks
/// [`next_call_matched`] (or [`next_call`] for a counter without languages) with everyone not
/// yet called; counters free at the same instant call in counter order; a counter with
/// nobody eligible waits for the next entry to become eligible. The call order, by id.
fn live_order(q: &Queue) -> Vec<i64> {
    let counters: Vec<Option<Vec<String>>> = q.counters.iter().map(|c| c.0.clone()).collect();
    let mut waiting: Vec<(QueueEntry, EntryLanguage)> = q
        .entries
        .iter()
        .cloned()
        .zip(q.languages.iter().map(|l| EntryLanguage {
            language: l.clone(),
            passed_over_since: None,
        }))
        .collect();
    let mut free: Vec<(DateTime<Utc>, usize)> = q
        .counters
        .iter()
        .enumerate()
        .map(|(k, c)| (t0() + Duration::minutes(c.1), k))
        .collect();
    let mut state = ShareState::default();
    let mut order = Vec::new();
    while !waiting.is_empty() {
        free.sort();
        let (at, k) = free.remove(0);
        let entries: Vec<QueueEntry> = waiting.iter().map(|w| w.0.clone()).collect();
        let call = match &counters[k] {
            Some(here) => {
                let coverage = Coverage {
                    here: here.clone(),
                    others: counters
                        .iter()
                        .enumerate()
                        .filter(|&(j, _)| j != k)
                        .filter_map(|(_, c)| c.clone())
                        .collect(),
                    wait_limit_minutes: q.limit,
                };
                let languages: Vec<EntryLanguage> = waiting.iter().map(|w| w.1.clone()).collect();
                next_call_matched(&entries, &languages, &q.policy, q.tz, &state, at, &coverage)
                    .map(|m| (m.call, m.passed_over))
            }
            None => next_call(&entries, &q.policy, q.tz, &state, at).map(|c| (c, Vec::new())),
        };
        match call {
            Some((call, passed)) => {
                for w in &mut waiting {
                    if passed.contains(&w.0.id) {
                        w.1.passed_over_since.get_or_insert(at);
                    }
                }
                let i = waiting
                    .iter()
                    .position(|w| w.0.id == call.entry_id)
                    .unwrap();
                let (entry, _) = waiting.remove(i);
                state = call.state;
                order.push(entry.id);
                let service =
                    Duration::minutes(i64::from(q.policy.minutes_per_person * entry.party_size));
                free.push((at + service, k));
            }
            None => {
                let next = waiting
                    .iter()
                    .map(|w| place(&w.0, &q.policy).eligible_at)
                    .filter(|&e| e > at)
                    .min()
                    .expect("somebody becomes eligible later");
                free.push((next, k));
            }
        }
    }
    order
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// The projected order under matching (the nominal run: mean service, nobody new) is
    /// the order in which repeated live calls call everyone.
    #[test]
    fn projected_order_is_the_live_matched_order(q in arb_queue(25)) {
        let counters: Vec<Option<Vec<String>>> = q.counters.iter().map(|c| c.0.clone()).collect();
        let m = matching(&q, counters);
        let projected = project(&q, Some(&m));
        let order: Vec<i64> = projected.iter().map(|p| p.entry_id).collect();
        prop_assert_eq!(order, live_order(&q));
        for (k, p) in projected.iter().enumerate() {
            prop_assert_eq!(p.position as usize, k + 1);
        }
    }

    /// Matching that cannot change a call leaves the projection byte for byte as it is
    /// without matching: nobody's language recorded, or every counter covering every
    /// language (G9 for the estimates); windows included, arrivals drawn alike.
    #[test]
    fn projection_without_languages_is_todays(q in arb_queue(25)) {
        let today = project(&q, None);
        let counters: Vec<Option<Vec<String>>> = q.counters.iter().map(|c| c.0.clone()).collect();
        let mut silent = matching(&q, counters);
        for e in &mut silent.entries {
            e.language = None;
        }
        prop_assert_eq!(&project(&q, Some(&silent)), &today);
        let all: Vec<Option<Vec<String>>> = q
            .counters
            .iter()
            .map(|_| Some(POOL.iter().map(|l| (*l).to_owned()).collect()))
            .collect();
        prop_assert_eq!(&project(&q, Some(&matching(&q, all))), &today);
        let none: Vec<Option<Vec<String>>> = q.counters.iter().map(|_| None).collect();
        prop_assert_eq!(&project(&q, Some(&matching(&q, none))), &today);
    }
}

/// Counter 1 covers Spanish and English and is free; counter 2 covers Punjabi and is
/// serving someone. A Punjabi speaker arrived first, then six Spanish speakers. Without
/// matching counter 1 calls her now. With it counter 1 passes her over (counter 2 covers her
/// language) and calls the Spanish speakers: her window is counter 2's (exactly the window
/// she would have alone with counter 2), and the first Spanish speaker's starts now.
#[test]
fn a_punjabi_speakers_window_follows_the_punjabi_counter() {
    let policy = Policy {
        minutes_per_person: 12,
        ..Policy::default()
    };
    let now = t0();
    let walk_in = |id: i64| QueueEntry {
        id,
        seq: id,
        class: Class::WalkIn,
        tier: Tier::Standard,
        party_size: 1,
        arrived_at: now - Duration::minutes(30 - id),
        slot_at: None,
    };
    let entries: Vec<QueueEntry> = (1..=7).map(walk_in).collect();
    let languages: Vec<EntryLanguage> = (1..=7)
        .map(|id| EntryLanguage {
            language: Some(if id == 1 { "pan" } else { "spa" }.to_owned()),
            passed_over_since: None,
        })
        .collect();
    let serving = OpenCounter::Serving {
        since: now - Duration::minutes(8),
        party_size: 1,
    };
    let inputs = EstimateInputs {
        open: vec![OpenCounter::Idle, serving],
        plan: Vec::new(),
        service: Vec::new(),
        minutes_per_person: 12.0,
        bookings: Vec::new(),
        show_rate: 1.0,
        check_in_offsets_minutes: Vec::new(),
        walk_ins_per_hour: Vec::new(),
    };
    let m = EstimateMatching {
        counters: vec![
            Some(vec!["spa".into(), "eng".into()]),
            Some(vec!["pan".into()]),
        ],
        entries: languages,
        wait_limit_minutes: 120,
    };
    let tz = chrono_tz::UTC;
    let state = ShareState::default();
    let window = |projected: &[portqueue_core::queue::Projected], id: i64| -> Window {
        projected
            .iter()
            .find(|p| p.entry_id == id)
            .and_then(|p| p.estimate)
            .unwrap()
    };
    let plain = Projection::new(&entries, &policy, tz, &state, now, &inputs);
    let plain = plain.projected();
    let matched = Projection::new_matched(&entries, &policy, tz, &state, now, &inputs, Some(&m));
    let matched = matched.projected();

    // Without matching she is first and called now; under it the Spanish speakers go first
    // at counter 1 and she is called when counter 2 comes free.
    assert_eq!(plain[0].entry_id, 1);
    assert_eq!(window(plain, 1).earliest, now);
    assert_eq!(matched[0].entry_id, 2);
    assert_eq!(window(matched, 2).earliest, now);
    assert!(window(matched, 1).earliest > now);
    // Counter 2 alone, her alone: the same draws of counter 2's remaining service.
    let alone = Projection::new(
        &entries[..1],
        &policy,
        tz,
        &state,
        now,
        &EstimateInputs {
            open: vec![serving],
            ..inputs.clone()
        },
    );
    assert_eq!(window(matched, 1), window(alone.projected(), 1));
    // And the first Spanish speaker, second without matching, waited for a counter.
    assert!(window(plain, 2).earliest > now);

    // A counter that covers everyone's language is unchanged by matching: with counter 2
    // covering Spanish too, everyone's window is today's.
    let everywhere = EstimateMatching {
        counters: vec![
            Some(vec!["spa".into(), "eng".into(), "pan".into()]),
            Some(vec!["pan".into(), "spa".into()]),
        ],
        ..m.clone()
    };
    let same = Projection::new_matched(
        &entries,
        &policy,
        tz,
        &state,
        now,
        &inputs,
        Some(&everywhere),
    );
    assert_eq!(same.projected(), plain);

    // A matched projection is never continued: a newcomer is projected afresh.
    let mut kept = Projection::new_matched(&entries, &policy, tz, &state, now, &inputs, Some(&m));
    assert!(!kept.add_walk_in(
        &QueueEntry {
            id: 8,
            seq: 8,
            arrived_at: now,
            ..walk_in(8)
        },
        &policy,
        tz,
        &state,
        now,
        &inputs
    ));
}

/// Counter 1 covers Spanish and English, counter 2 Punjabi, both free with nobody at them.
/// Two Spanish speakers and then a Punjabi speaker registered in the minute the projection
/// is made from (its start: they came after it). Live, counter 1 calls the first Spanish
/// speaker and counter 2 calls the Punjabi speaker at once, passing over the second Spanish
/// speaker, who waits for counter 1. The projection must say the same: neither counter,
/// idle at the minute's start, calls before the end of the minute the Punjabi speaker came
/// in, so counter 2 does not take the second Spanish speaker (its fair-order head when she
/// alone had come).
#[test]
fn free_counters_with_languages_call_as_the_live_queue_does() {
    let policy = Policy {
        minutes_per_person: 12,
        ..Policy::default()
    };
    let now = t0();
    let walk_in = |id: i64| QueueEntry {
        id,
        seq: id,
        class: Class::WalkIn,
        tier: Tier::Standard,
        party_size: 1,
        arrived_at: now + Duration::seconds(10 * id),
        slot_at: None,
    };
    let entries: Vec<QueueEntry> = (1..=3).map(walk_in).collect();
    let languages: Vec<EntryLanguage> = ["spa", "spa", "pan"]
        .iter()
        .map(|l| EntryLanguage {
            language: Some((*l).to_owned()),
            passed_over_since: None,
        })
        .collect();
    let inputs = EstimateInputs {
        open: vec![OpenCounter::Idle, OpenCounter::Idle],
        plan: Vec::new(),
        service: Vec::new(),
        minutes_per_person: 12.0,
        bookings: Vec::new(),
        show_rate: 1.0,
        check_in_offsets_minutes: Vec::new(),
        walk_ins_per_hour: Vec::new(),
    };
    let m = EstimateMatching {
        counters: vec![
            Some(vec!["spa".into(), "eng".into()]),
            Some(vec!["pan".into()]),
        ],
        entries: languages.clone(),
        wait_limit_minutes: 20,
    };
    let tz = chrono_tz::UTC;
    let state = ShareState::default();
    let projection = Projection::new_matched(&entries, &policy, tz, &state, now, &inputs, Some(&m));
    let projected = projection.projected();
    let order: Vec<i64> = projected.iter().map(|p| p.entry_id).collect();
    let window = |id: i64| -> Window {
        projected
            .iter()
            .find(|p| p.entry_id == id)
            .and_then(|p| p.estimate)
            .unwrap()
    };

    // The live calls once everyone has come: counter 1 takes the fair head, counter 2 the
    // first entry it covers.
    let came = entries[2].arrived_at;
    let first = next_call_matched(
        &entries,
        &languages,
        &policy,
        tz,
        &state,
        came,
        &Coverage {
            here: vec!["spa".into(), "eng".into()],
            others: vec![vec!["pan".into()]],
            wait_limit_minutes: 20,
        },
    )
    .unwrap();
    assert_eq!(first.call.entry_id, 1);
    let second = next_call_matched(
        &entries[1..],
        &languages[1..],
        &policy,
        tz,
        &first.call.state,
        came,
        &Coverage {
            here: vec!["pan".into()],
            others: vec![vec!["spa".into(), "eng".into()]],
            wait_limit_minutes: 20,
        },
    )
    .unwrap();
    assert_eq!(second.call.entry_id, 3);

    // The projection: the Punjabi speaker second (one person before her), called at once,
    // her window from the moment she came (the idle counters call in the runs at the
    // minute's end, a window starting within the minute starts when its entry is there);
    // the second Spanish speaker after counter 1's first party.
    assert_eq!(order, vec![1, 3, 2]);
    assert_eq!(projected[1].position, 2);
    assert_eq!(window(1).earliest, entries[0].arrived_at);
    assert_eq!(window(3).earliest, came);
    assert!(window(3).earliest < now + Duration::minutes(1));
    assert!(window(2).earliest > now + Duration::minutes(1));
    assert!(window(2).latest >= came + Duration::minutes(12));
}
