//! Language matching's guarantees (docs/design/fair-queue.md, G8 and G9) as property tests
//! on generated days: both classes, all tiers, parties of 1 to 20, random policies, 1 to 5
//! counters each covering a random set of languages, entries speaking a random language
//! (or none recorded), random limits.
//!
//! The live queue is driven as the app drives it: each counter, when free, asks
//! [`next_call_matched`] with the entries registered and not yet called, the stored share
//! state and each entry's `passed_over_since`. At every call the fair order is worked out
//! independently, by calling [`next_call`] repeatedly on everyone eligible, and the call
//! is checked against it.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::simulate::{self, Arrival, CounterLanguages};
use portqueue_core::queue::{
    Coverage, EntryLanguage, LanguageReason, QueueEntry, ShareState, next_call, next_call_matched,
    place,
};

const POOL: [&str; 5] = ["spa", "eng", "hat", "pan", "quc"];

#[derive(Debug, Clone)]
struct Day {
    policy: Policy,
    tz: Tz,
    entries: Vec<QueueEntry>,
    languages: Vec<Option<String>>,
    service_minutes: Vec<i64>,
    counters: Vec<Vec<String>>,
    limit: u32,
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    (500u64..=9500, 0u32..=180, 0u32..=120, 0u32..=120, 1u32..=15).prop_map(
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
        6 => prop::sample::select(POOL.to_vec()).prop_map(|l| Some(l.to_owned())),
    ]
}

fn arb_counter() -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(POOL.to_vec(), 0..=3)
        .prop_map(|ls| ls.into_iter().map(str::to_owned).collect())
}

#[allow(clippy::type_complexity)]
fn arb_row() -> impl Strategy<Value = (i64, bool, Tier, u32, i64, i64, Option<String>)> {
    (
        0i64..600,
        any::<bool>(),
        prop_oneof![12 => Just(Tier::Standard), 5 => Just(Tier::Priority), 1 => Just(Tier::Urgent)],
        prop_oneof![3 => 1u32..=4, 1 => 1u32..=20],
        -120i64..=120,
        1i64..=40,
        arb_language(),
    )
}

fn arb_day(max_entries: usize) -> impl Strategy<Value = Day> {
    (
        arb_policy(),
        prop::sample::select(vec![
            chrono_tz::UTC,
            Tz::America__Tijuana,
            Tz::Asia__Kolkata,
        ]),
        prop::collection::vec(arb_counter(), 1..=5),
        0u32..=60,
        prop::collection::vec(arb_row(), 0..=max_entries),
    )
        .prop_map(|(policy, tz, counters, limit, mut rows)| {
            rows.sort_by_key(|r| r.0);
            let base = Utc.with_ymd_and_hms(2026, 12, 9, 14, 0, 0).unwrap();
            let entries = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let arrived_at = base + Duration::minutes(r.0);
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
            Day {
                policy,
                tz,
                entries,
                languages: rows.iter().map(|r| r.6.clone()).collect(),
                service_minutes: rows.iter().map(|r| r.5).collect(),
                counters,
                limit,
            }
        })
}

/// One call as it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Made {
    index: usize,
    at: DateTime<Utc>,
    counter: usize,
    reason: String,
    state: ShareState,
    matched: Option<LanguageReason>,
}

/// The fair order at `now`: whom [`next_call`] would call, one after another, if nobody new
/// came (the reference the matching rule is checked against).
fn fair_order(
    waiting: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
) -> Vec<i64> {
    let mut left: Vec<QueueEntry> = waiting
        .iter()
        .filter(|e| place(e, policy).eligible_at <= now)
        .cloned()
        .collect();
    let mut state = *state;
    let mut order = Vec::new();
    while let Some(call) = next_call(&left, policy, tz, &state, now) {
        order.push(call.entry_id);
        state = call.state;
        left.retain(|e| e.id != call.entry_id);
    }
    order
}

/// Drives the live queue. `matching: None` is matching off (plain [`next_call`]). With
/// `check`, every matched call is checked against the fair order (G8, G5).
fn live(
    day: &Day,
    matching: Option<&[Vec<String>]>,
    check: bool,
) -> Result<Vec<Made>, TestCaseError> {
    let entries = &day.entries;
    let policy = &day.policy;
    let n = matching.map_or(day.counters.len(), <[_]>::len);
    let base = entries.first().map(|e| e.arrived_at);
    let mut free_at = vec![base.unwrap_or_default(); n];
    let mut called = vec![false; entries.len()];
    let mut passed_since: Vec<Option<DateTime<Utc>>> = vec![None; entries.len()];
    let mut state = ShareState::default();
    let mut made = Vec::new();
    let limit = Duration::minutes(i64::from(day.limit));
    while made.len() < entries.len() {
        let (counter, now) = free_at
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(k, at)| (at, k))
            .unwrap();
        let idx: Vec<usize> = (0..entries.len())
            .filter(|&i| !called[i] && entries[i].arrived_at <= now)
            .collect();
        let waiting: Vec<QueueEntry> = idx.iter().map(|&i| entries[i].clone()).collect();
        let outcome = match matching {
            None => next_call(&waiting, policy, day.tz, &state, now).map(|c| (c, None, vec![])),
            Some(counters) => {
                let languages: Vec<EntryLanguage> = idx
                    .iter()
                    .map(|&i| EntryLanguage {
                        language: day.languages[i].clone(),
                        passed_over_since: passed_since[i],
                    })
                    .collect();
                let coverage = Coverage {
                    here: counters[counter].clone(),
                    others: (0..n)
                        .filter(|&k| k != counter)
                        .map(|k| counters[k].clone())
                        .collect(),
                    wait_limit_minutes: day.limit,
                };
                next_call_matched(&waiting, &languages, policy, day.tz, &state, now, &coverage)
                    .map(|m| (m.call, Some((m.language_reason, coverage)), m.passed_over))
            }
        };
        let eligible_now = idx
            .iter()
            .any(|&i| place(&entries[i], policy).eligible_at <= now);
        match outcome {
            Some((call, language, passed_over)) => {
                let index = entries.iter().position(|e| e.id == call.entry_id).unwrap();
                prop_assert!(!called[index], "called twice");
                if let (true, Some((reason, coverage))) = (check, &language) {
                    let fair = fair_order(&waiting, policy, day.tz, &state, now);
                    let at = fair.iter().position(|&id| id == call.entry_id).unwrap();
                    let ahead = &fair[..at];
                    let lang_of = |id: i64| day.languages[(id - 1) as usize].as_deref();
                    let covers = |c: &[String], l: &str| c.iter().any(|x| x == l);
                    let mut ahead_sorted = ahead.to_vec();
                    ahead_sorted.sort_unstable();
                    let mut passed_sorted = passed_over.clone();
                    passed_sorted.sort_unstable();
                    prop_assert_eq!(
                        &ahead_sorted,
                        &passed_sorted,
                        "passed over = ahead in the fair order"
                    );
                    for &id in ahead {
                        let e = &entries[(id - 1) as usize];
                        // G8: never urgent, never uncovered elsewhere, never past the limit,
                        // never covered by the calling counter.
                        prop_assert!(e.tier != Tier::Urgent, "urgent passed over");
                        let l = lang_of(id);
                        prop_assert!(l.is_some(), "entry without language passed over");
                        let l = l.unwrap();
                        prop_assert!(
                            !covers(&coverage.here, l),
                            "passed over though covered here"
                        );
                        prop_assert!(
                            coverage.others.iter().any(|c| covers(c, l)),
                            "passed over though no other open counter covers {l}"
                        );
                        if let Some(since) = passed_since[(id - 1) as usize] {
                            prop_assert!(now - since <= limit, "passed over past the limit");
                        }
                    }
                    let l = lang_of(call.entry_id);
                    match reason {
                        LanguageReason::Covered => prop_assert!(covers(&coverage.here, l.unwrap())),
                        LanguageReason::NoLanguage => prop_assert!(l.is_none()),
                        LanguageReason::Urgent => prop_assert_eq!(at, 0),
                        LanguageReason::NobodyCovered => {
                            prop_assert_eq!(at, 0);
                            for &id in &fair {
                                let lid = lang_of(id);
                                prop_assert!(lid.is_some_and(|l| !covers(&coverage.here, l)));
                            }
                        }
                        LanguageReason::NoOpenCounter => prop_assert!(
                            !coverage.others.iter().any(|c| covers(c, l.unwrap()))
                                && !covers(&coverage.here, l.unwrap())
                        ),
                        LanguageReason::LimitReached => {
                            prop_assert!(passed_since[index].is_some_and(|s| now - s > limit))
                        }
                    }
                }
                for id in &passed_over {
                    passed_since[(id - 1) as usize].get_or_insert(now);
                }
                called[index] = true;
                state = call.state;
                free_at[counter] = now + Duration::minutes(day.service_minutes[index]);
                made.push(Made {
                    index,
                    at: now,
                    counter,
                    reason: call.reason,
                    state: call.state,
                    matched: language.map(|(r, _)| r),
                });
            }
            None => {
                // G5: a free counter calls while anyone is eligible.
                prop_assert!(!eligible_now, "someone eligible was not called");
                let next = (0..entries.len())
                    .filter(|&i| !called[i])
                    .map(|i| {
                        place(&entries[i], policy)
                            .eligible_at
                            .max(entries[i].arrived_at)
                    })
                    .min()
                    .unwrap();
                prop_assert!(next > now);
                free_at[counter] = next;
            }
        }
    }
    Ok(made)
}

fn strip(made: &[Made]) -> Vec<(usize, DateTime<Utc>, usize, String, ShareState)> {
    made.iter()
        .map(|m| (m.index, m.at, m.counter, m.reason.clone(), m.state))
        .collect()
}

fn arrivals(day: &Day) -> Vec<Arrival> {
    day.entries
        .iter()
        .enumerate()
        .map(|(i, e)| Arrival {
            ticket: format!("T{}", e.id),
            class: e.class,
            tier: e.tier,
            party_size: e.party_size,
            arrived_at: e.arrived_at,
            slot_at: e.slot_at,
            service_minutes: Some(day.service_minutes[i] as f64),
            language: day.languages[i].clone(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    /// G8 on the live queue: every pass-over is allowed by the rule, and a free counter
    /// always calls someone when anyone is eligible.
    #[test]
    fn passing_over_stays_within_the_rule(day in arb_day(40)) {
        live(&day, Some(&day.counters), true)?;
    }

    /// G9: when every counter covers every language, the calls (who, when, where, reason and
    /// share state) are exactly those of matching off.
    #[test]
    fn full_coverage_calls_exactly_the_fair_order(day in arb_day(40)) {
        let all: Vec<Vec<String>> = day
            .counters
            .iter()
            .map(|_| POOL.iter().map(|l| (*l).to_owned()).collect())
            .collect();
        let off = live(&day, None, false)?;
        let on = live(&day, Some(&all), true)?;
        prop_assert_eq!(strip(&off), strip(&on));
        prop_assert!(on.iter().all(|m| m.matched.is_some_and(LanguageReason::matched)));
    }

    /// `simulate` under matching makes the live queue's calls when service lasts the same,
    /// and with full coverage its rows are `simulate`'s without matching (G9).
    #[test]
    fn simulate_matches_the_live_queue(day in arb_day(30)) {
        let arrivals = arrivals(&day);
        let counters = day.counters.len() as u32;
        let languages = CounterLanguages { counters: day.counters.clone(), wait_limit_minutes: day.limit };
        let rows = simulate::run_matched(&arrivals, &day.policy, counters, day.tz, &languages);
        let live = live(&day, Some(&day.counters), false)?;
        prop_assert_eq!(rows.len(), live.len());
        for ((row, language), made) in rows.iter().zip(&live) {
            prop_assert_eq!(&row.ticket, &format!("T{}", made.index + 1));
            prop_assert_eq!(row.called_at, made.at);
            prop_assert_eq!(row.counter as usize, made.counter + 1);
            prop_assert_eq!(Some(language.language_matched), made.matched.map(LanguageReason::matched));
        }
        let all = CounterLanguages {
            counters: day.counters.iter().map(|_| POOL.iter().map(|l| (*l).to_owned()).collect()).collect(),
            wait_limit_minutes: day.limit,
        };
        let plain = simulate::run(&arrivals, &day.policy, counters, day.tz);
        let full: Vec<_> = simulate::run_matched(&arrivals, &day.policy, counters, day.tz, &all)
            .into_iter()
            .map(|(row, _)| row)
            .collect();
        prop_assert_eq!(plain, full);
    }
}

/// The bound by hand: a Punjabi speaker first in line, a Spanish-only counter free and a
/// Punjabi counter busy. The Spanish counter passes her over until she has been passed over
/// for longer than the limit; then it calls her with an interpreter.
#[test]
fn a_passed_over_entry_is_called_once_the_limit_has_run() {
    let policy = Policy::default();
    let t0 = Utc.with_ymd_and_hms(2026, 12, 9, 15, 0, 0).unwrap();
    let walk_in = |id: i64, minutes: i64| QueueEntry {
        id,
        seq: id,
        class: Class::WalkIn,
        tier: Tier::Standard,
        party_size: 1,
        arrived_at: t0 + Duration::minutes(minutes),
        slot_at: None,
    };
    let entries = vec![walk_in(1, 0), walk_in(2, 1)];
    let coverage = Coverage {
        here: vec!["spa".into()],
        others: vec![vec!["pan".into()]],
        wait_limit_minutes: 20,
    };
    let lang = |l: &str, since: Option<DateTime<Utc>>| EntryLanguage {
        language: Some(l.into()),
        passed_over_since: since,
    };
    let state = ShareState::default();
    let now = t0 + Duration::minutes(5);
    let first = next_call_matched(
        &entries,
        &[lang("pan", None), lang("spa", None)],
        &policy,
        chrono_tz::UTC,
        &state,
        now,
        &coverage,
    )
    .unwrap();
    assert_eq!(first.call.entry_id, 2);
    assert_eq!(first.passed_over, vec![1]);
    assert!(first.language_matched);
    assert_eq!(
        first.language_line,
        "Spanish: this counter covers it; passed over 1 whose language another open counter covers"
    );
    // 20 minutes after: still within the limit.
    let later = vec![walk_in(1, 0), walk_in(3, 10)];
    let at_limit = next_call_matched(
        &later,
        &[lang("pan", Some(now)), lang("spa", None)],
        &policy,
        chrono_tz::UTC,
        &state,
        now + Duration::minutes(20),
        &coverage,
    )
    .unwrap();
    assert_eq!(at_limit.call.entry_id, 3);
    // One minute more: she is called, with an interpreter.
    let past = next_call_matched(
        &later,
        &[lang("pan", Some(now)), lang("spa", None)],
        &policy,
        chrono_tz::UTC,
        &state,
        now + Duration::minutes(21),
        &coverage,
    )
    .unwrap();
    assert_eq!(past.call.entry_id, 1);
    assert!(past.interpreter_needed);
    assert_eq!(past.language_reason, LanguageReason::LimitReached);
    assert_eq!(
        past.language_line,
        "passed over for more than 20 min (the limit); Punjabi (Eastern): interpreter needed"
    );
    // And with no Punjabi counter open, she is never passed over.
    let alone = Coverage {
        others: vec![vec!["eng".into()]],
        ..coverage
    };
    let call = next_call_matched(
        &entries,
        &[lang("pan", None), lang("spa", None)],
        &policy,
        chrono_tz::UTC,
        &state,
        now,
        &alone,
    )
    .unwrap();
    assert_eq!(call.call.entry_id, 1);
    assert_eq!(call.language_reason, LanguageReason::NoOpenCounter);
}
