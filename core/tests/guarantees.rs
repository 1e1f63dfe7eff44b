//! The guarantees of `docs/design/fair-queue.md` (G1–G7) as property tests, on random
//! workloads (both classes, all tiers, parties of 1 to 20, arrivals spread over minutes to
//! more than a day, random policies, 1 to 6 counters, several time zones):
//!
//! - on the *live queue*: counters calling [`next_call`] one after another while entries
//!   arrive, each officer taking a random time per party;
//! - on [`simulate::run`], which must also make exactly the calls of the live queue when
//!   service lasts `minutes_per_person x party_size`;
//! - on [`project`], whose order must be the live queue's when nobody new arrives.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::simulate::{self, Arrival};
use portqueue_core::queue::{
    Counters, Placement, QueueEntry, ShareState, next_call, place, project,
};

/// One arrival as generated, before it becomes an entry.
#[derive(Debug, Clone)]
struct RawArrival {
    offset_minutes: i64,
    class: Class,
    tier: Tier,
    party_size: u32,
    slot_offset_minutes: i64,
    service_minutes: i64,
}

#[derive(Debug, Clone)]
struct Workload {
    policy: Policy,
    tz: Tz,
    counters: usize,
    entries: Vec<QueueEntry>,
    /// Minutes each entry keeps its counter on the live queue (officers differ).
    service_minutes: Vec<i64>,
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    (500u64..=9500, 0u32..=180, 0u32..=120, 0u32..=120, 1u32..=15).prop_map(
        |(weight, boost, early, late, minutes)| Policy {
            // An exact number of parts per ten thousand, so `walkin_weight()` is `weight`.
            walkin_share: weight as f64 / 10_000.0,
            priority_boost_minutes: boost,
            early_window_minutes: early,
            late_window_minutes: late,
            max_recalls: 2,
            minutes_per_person: minutes,
        },
    )
}

fn arb_tz() -> impl Strategy<Value = Tz> {
    prop::sample::select(vec![
        chrono_tz::UTC,
        Tz::America__Tijuana,
        Tz::Asia__Kolkata,
        Tz::Europe__Athens,
        Tz::Pacific__Auckland,
    ])
}

fn arb_tier(urgent: bool) -> BoxedStrategy<Tier> {
    if urgent {
        prop_oneof![12 => Just(Tier::Standard), 5 => Just(Tier::Priority), 1 => Just(Tier::Urgent)]
            .boxed()
    } else {
        prop_oneof![3 => Just(Tier::Standard), 1 => Just(Tier::Priority)].boxed()
    }
}

fn arb_arrival(
    spread: i64,
    urgent: bool,
    walkin_percent: u32,
) -> impl Strategy<Value = RawArrival> {
    (
        0..spread,
        (0u32..100).prop_map(move |p| {
            if p < walkin_percent {
                Class::WalkIn
            } else {
                Class::Appointment
            }
        }),
        arb_tier(urgent),
        prop_oneof![3 => 1u32..=4, 1 => 1u32..=20],
        -240i64..=240,
        1i64..=40,
    )
        .prop_map(
            |(offset_minutes, class, tier, party_size, slot_offset_minutes, service_minutes)| {
                RawArrival {
                    offset_minutes,
                    class,
                    tier,
                    party_size,
                    slot_offset_minutes,
                    service_minutes,
                }
            },
        )
}

fn arb_workload(max_entries: usize, urgent: bool) -> impl Strategy<Value = Workload> {
    (
        arb_policy(),
        arb_tz(),
        1usize..=6,
        0i64..1440,
        (10i64..=1800, 10u32..=90),
    )
        .prop_flat_map(
            move |(policy, tz, counters, start, (spread, walkin_percent))| {
                prop::collection::vec(arb_arrival(spread, urgent, walkin_percent), 0..=max_entries)
                    .prop_map(move |raw| build(policy, tz, counters, start, raw))
            },
        )
}

/// Entries in arrival order: ticket sequence is registration order.
fn build(
    policy: Policy,
    tz: Tz,
    counters: usize,
    start: i64,
    mut raw: Vec<RawArrival>,
) -> Workload {
    raw.sort_by_key(|r| r.offset_minutes);
    let base = Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap() + Duration::minutes(start);
    let entries = raw
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let arrived_at = base + Duration::minutes(r.offset_minutes);
            QueueEntry {
                id: i as i64 + 1,
                seq: i as i64 + 1,
                class: r.class,
                tier: r.tier,
                party_size: r.party_size,
                arrived_at,
                slot_at: (r.class == Class::Appointment)
                    .then(|| arrived_at + Duration::minutes(r.slot_offset_minutes)),
            }
        })
        .collect();
    Workload {
        policy,
        tz,
        counters,
        entries,
        service_minutes: raw.iter().map(|r| r.service_minutes).collect(),
    }
}

/// One call as it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Made {
    index: usize,
    at: DateTime<Utc>,
    counter: usize,
    finished_at: DateTime<Utc>,
    reason: String,
}

/// The live queue: each counter, when free, presses "call next"; the app passes the entries
/// registered so far and not yet called, with the stored share state. A counter with nobody
/// eligible tries again when the next entry becomes eligible.
fn live(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    mut free_at: Vec<DateTime<Utc>>,
    service: impl Fn(usize) -> Duration,
) -> Vec<Made> {
    let placements: Vec<Placement> = entries.iter().map(|e| place(e, policy)).collect();
    let mut called = vec![false; entries.len()];
    let mut state = ShareState::default();
    let mut made = Vec::new();
    while made.len() < entries.len() {
        let (counter, now) = free_at
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(k, at)| (at, k))
            .expect("at least one counter");
        let waiting: Vec<QueueEntry> = entries
            .iter()
            .zip(&called)
            .filter(|(e, c)| !**c && e.arrived_at <= now)
            .map(|(e, _)| e.clone())
            .collect();
        match next_call(&waiting, policy, tz, &state, now) {
            Some(call) => {
                let index = entries.iter().position(|e| e.id == call.entry_id).unwrap();
                assert!(!called[index], "entry {} called twice", call.entry_id);
                called[index] = true;
                state = call.state;
                let finished_at = now + service(index);
                made.push(Made {
                    index,
                    at: now,
                    counter,
                    finished_at,
                    reason: call.reason,
                });
                free_at[counter] = finished_at;
            }
            None => {
                let next = (0..entries.len())
                    .filter(|&i| !called[i])
                    .map(|i| placements[i].eligible_at)
                    .min()
                    .expect("someone is still waiting");
                assert!(next > now, "an eligible entry was not called");
                free_at[counter] = next;
            }
        }
    }
    made
}

fn opening(entries: &[QueueEntry]) -> DateTime<Utc> {
    entries
        .iter()
        .map(|e| e.arrived_at)
        .min()
        .unwrap_or_default()
}

fn live_day(w: &Workload) -> Vec<Made> {
    let free_at = vec![opening(&w.entries); w.counters];
    live(&w.entries, &w.policy, w.tz, free_at, |i| {
        Duration::minutes(w.service_minutes[i])
    })
}

/// What was true at each call: who was eligible and waiting (the called entry included).
struct Trace<'a> {
    entries: &'a [QueueEntry],
    placements: Vec<Placement>,
    calls: &'a [Made],
    /// Index of each entry's call in `calls`.
    call_of: Vec<usize>,
}

impl<'a> Trace<'a> {
    fn new(entries: &'a [QueueEntry], policy: &Policy, calls: &'a [Made]) -> Self {
        let mut call_of = vec![usize::MAX; entries.len()];
        for (k, c) in calls.iter().enumerate() {
            call_of[c.index] = k;
        }
        Self {
            entries,
            placements: entries.iter().map(|e| place(e, policy)).collect(),
            calls,
            call_of,
        }
    }

    /// Entries eligible and not yet called at call `k` (the one called at `k` included).
    fn eligible_at_call(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        let now = self.calls[k].at;
        (0..self.entries.len())
            .filter(move |&i| self.call_of[i] >= k && self.placements[i].eligible_at <= now)
    }
}

/// G7 at engine level: everyone called exactly once, a counter never serves two at once.
fn check_conservation(t: &Trace) -> Result<(), TestCaseError> {
    prop_assert_eq!(t.calls.len(), t.entries.len());
    prop_assert!(
        t.call_of.iter().all(|&k| k != usize::MAX),
        "someone was never called"
    );
    let mut by_counter: Vec<Vec<&Made>> = Vec::new();
    for c in t.calls {
        if by_counter.len() <= c.counter {
            by_counter.resize(c.counter + 1, Vec::new());
        }
        by_counter[c.counter].push(c);
    }
    for calls in &by_counter {
        for pair in calls.windows(2) {
            prop_assert!(
                pair[1].at >= pair[0].finished_at,
                "counter busy twice at once"
            );
        }
    }
    Ok(())
}

/// G1 urgent first, G2 no early appointments, G3 bounded overtaking.
fn check_order(t: &Trace) -> Result<(), TestCaseError> {
    for (k, call) in t.calls.iter().enumerate() {
        let b = call.index;
        let pb = &t.placements[b];
        // G2: "no appointment is called before its eligible_at".
        prop_assert!(call.at >= pb.eligible_at, "entry {} called early", b + 1);
        let eligible: Vec<usize> = t.eligible_at_call(k).collect();
        // G1: "while an urgent entry is eligible, the next call is an urgent entry".
        let urgent_waiting = eligible.iter().any(|&i| t.entries[i].tier == Tier::Urgent);
        if urgent_waiting {
            prop_assert_eq!(
                t.entries[b].tier,
                Tier::Urgent,
                "urgent entry passed at call {}",
                k
            );
        }
        // G3: "if non-urgent entries a and b are of one class, a was eligible when b was
        // called, and b was called first, then effective(b) <= effective(a)".
        if t.entries[b].tier != Tier::Urgent {
            for &a in &eligible {
                let pa = &t.placements[a];
                if a != b && t.entries[a].tier != Tier::Urgent && pa.queue_class == pb.queue_class {
                    prop_assert!(
                        pb.effective_at <= pa.effective_at,
                        "entry {} (effective {}) called before entry {} (effective {})",
                        b + 1,
                        pb.effective_at,
                        a + 1,
                        pa.effective_at
                    );
                }
            }
        }
    }
    Ok(())
}

/// G5: "while anyone is eligible and a counter is free, someone is called". Checked per
/// counter: in no moment of a counter's idle time was an entry eligible and not yet called.
fn check_work_conserving(t: &Trace, counters: usize) -> Result<(), TestCaseError> {
    let start = opening(t.entries);
    for k in 0..counters {
        let mut free_from = start;
        let mut idle = Vec::new();
        for c in t.calls.iter().filter(|c| c.counter == k) {
            idle.push((free_from, c.at));
            free_from = c.finished_at;
        }
        idle.push((free_from, DateTime::<Utc>::MAX_UTC));
        for (from, until) in idle {
            for (i, p) in t.placements.iter().enumerate() {
                let called_at = t.calls[t.call_of[i]].at;
                prop_assert!(
                    from.max(p.eligible_at) >= until.min(called_at),
                    "counter {} idle from {} to {} while entry {} waited",
                    k + 1,
                    from,
                    until,
                    i + 1
                );
            }
        }
    }
    Ok(())
}

/// G4, checked literally: "over any stretch within one port-local day in which both classes
/// had eligible entries at every call, the walk-in persons called differ from
/// `walkin_share` x all persons called by at most two of the largest parties in that
/// stretch". Persons are counted in the class an entry is ordered in. In exact integers:
/// `|10000 x walk-in persons - w_walkin x all persons| <= 2 x largest x 10000`.
///
/// **What the doc leaves implicit**, found by this test and stated here:
/// - *"The largest parties in that stretch"* are the parties that stood first in their
///   class's line at one of its calls, not only those called in it. Weighted fair queueing
///   holds a class back while a large party of the other class waits for its turn: with an
///   18-person appointment at the head of its line and 42% for walk-ins, 15 walk-in persons
///   are rightly called in a row before it (a case this test shrank to), though no party
///   called in that stretch is larger than 4. The unit test
///   `large_party_counts_as_its_persons_in_the_share` shows the same on a fixed example.
/// - *Urgent calls* are taken out of the share's order but "still count toward its class's
///   share", so the engine pays them back by calling the other class more afterwards
///   (`urgent_persons_are_paid_back_to_the_other_class_afterwards`). G4
///   therefore holds over stretches that contain no urgent call and begin after every
///   urgent call of the port-local day made since the credits last started level (the
///   day's start, or a call after which nobody eligible was left).
fn check_share(t: &Trace, policy: &Policy, tz: Tz) -> Result<(), TestCaseError> {
    let weight = policy.walkin_weight() as i64;
    let n = t.calls.len();
    let day = |k: usize| t.calls[k].at.with_timezone(&tz).date_naive();
    // Which calls may open or belong to a stretch.
    let mut usable = Vec::with_capacity(n);
    let mut urgent_since_level = false;
    for k in 0..n {
        if k == 0 || day(k) != day(k - 1) {
            urgent_since_level = false;
        }
        let eligible: Vec<usize> = t.eligible_at_call(k).collect();
        let both = [Class::WalkIn, Class::Appointment]
            .iter()
            .all(|c| eligible.iter().any(|&i| t.placements[i].queue_class == *c));
        if t.entries[t.calls[k].index].tier == Tier::Urgent {
            urgent_since_level = true;
        }
        usable.push(both && !urgent_since_level);
        // Nobody eligible left after this call: the queue emptied, credits start level.
        if eligible.len() == 1 {
            urgent_since_level = false;
        }
    }
    // The largest party at the head of either class's line, or called, at each call.
    let largest_at: Vec<i64> = (0..n)
        .map(|k| {
            let called = i64::from(t.entries[t.calls[k].index].party_size);
            [Class::WalkIn, Class::Appointment]
                .iter()
                .filter_map(|c| {
                    t.eligible_at_call(k)
                        .filter(|&i| t.placements[i].queue_class == *c)
                        .filter(|&i| t.entries[i].tier != Tier::Urgent)
                        .min_by_key(|&i| (t.placements[i].effective_at, t.entries[i].seq))
                })
                .map(|i| i64::from(t.entries[i].party_size))
                .fold(called, i64::max)
        })
        .collect();
    for i in 0..n {
        let (mut walkin, mut all, mut largest) = (0i64, 0i64, 0i64);
        for j in i..n {
            if !usable[j] || day(j) != day(i) {
                break;
            }
            let idx = t.calls[j].index;
            let persons = i64::from(t.entries[idx].party_size);
            if t.placements[idx].queue_class == Class::WalkIn {
                walkin += persons;
            }
            all += persons;
            largest = largest.max(largest_at[j]);
            prop_assert!(
                (10_000 * walkin - weight * all).abs() <= 2 * largest * 10_000,
                "calls {}..={}: {} walk-in persons of {} at share {}, largest party {}",
                i,
                j,
                walkin,
                all,
                policy.walkin_share,
                largest
            );
        }
    }
    Ok(())
}

fn check_all(w: &Workload, calls: &[Made]) -> Result<(), TestCaseError> {
    let trace = Trace::new(&w.entries, &w.policy, calls);
    check_conservation(&trace)?;
    check_order(&trace)?;
    check_work_conserving(&trace, w.counters)?;
    check_share(&trace, &w.policy, w.tz)?;
    Ok(())
}

fn arrivals(entries: &[QueueEntry]) -> Vec<Arrival> {
    entries
        .iter()
        .map(|e| Arrival {
            ticket: format!("T{:03}", e.seq),
            class: e.class,
            tier: e.tier,
            party_size: e.party_size,
            arrived_at: e.arrived_at,
            slot_at: e.slot_at,
            service_minutes: None,
            language: None,
        })
        .collect()
}

/// `simulate::run` as a list of calls, checked against the input.
fn simulated(w: &Workload) -> Vec<Made> {
    let rows = simulate::run(&arrivals(&w.entries), &w.policy, w.counters as u32, w.tz);
    rows.into_iter()
        .map(|row| {
            let index = w
                .entries
                .iter()
                .position(|e| format!("T{:03}", e.seq) == row.ticket)
                .expect("every row is an input ticket");
            Made {
                index,
                at: row.called_at,
                counter: row.counter as usize - 1,
                finished_at: row.finished_at,
                reason: row.reason,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// G1–G5 and G7 on the live queue, urgent entries included.
    #[test]
    fn live_queue_keeps_every_guarantee(w in arb_workload(50, true)) {
        let calls = live_day(&w);
        check_all(&w, &calls)?;
    }

    /// G4 in full: without urgent entries every stretch of a day counts.
    #[test]
    fn live_queue_shares_officer_time_over_every_stretch(w in arb_workload(50, false)) {
        let calls = live_day(&w);
        check_all(&w, &calls)?;
    }

    /// G1–G5 and G7 on `simulate`, which also makes exactly the live queue's calls.
    #[test]
    fn simulate_keeps_every_guarantee_and_matches_the_live_queue(w in arb_workload(80, true)) {
        let calls = simulated(&w);
        check_all(&w, &calls)?;
        let minutes = i64::from(w.policy.minutes_per_person);
        let free_at = vec![opening(&w.entries); w.counters];
        let live_calls = live(&w.entries, &w.policy, w.tz, free_at, |i| {
            Duration::minutes(minutes * i64::from(w.entries[i].party_size))
        });
        prop_assert_eq!(calls, live_calls);
    }

    /// G6: the same input gives the same output, byte for byte; the order of the input
    /// slice is not part of the input.
    #[test]
    fn same_input_gives_the_same_bytes(w in arb_workload(60, true)) {
        let input = arrivals(&w.entries);
        let render = |rows: &[simulate::SimRow]| {
            let mut csv = Vec::new();
            simulate::write_csv(rows, &mut csv).unwrap();
            (csv, simulate::to_json(rows))
        };
        let first = render(&simulate::run(&input, &w.policy, w.counters as u32, w.tz));
        let second = render(&simulate::run(&input, &w.policy, w.counters as u32, w.tz));
        prop_assert_eq!(&first, &second);

        let now = opening(&w.entries) + Duration::minutes(120);
        let mut reversed = w.entries.clone();
        reversed.reverse();
        let state = ShareState::default();
        prop_assert_eq!(
            next_call(&w.entries, &w.policy, w.tz, &state, now),
            next_call(&reversed, &w.policy, w.tz, &state, now)
        );
        let counters = Counters { free_at: vec![now; w.counters], minutes_per_person: 7.5, expected: Vec::new() };
        prop_assert_eq!(
            project(&w.entries, &w.policy, w.tz, &state, now, &counters),
            project(&reversed, &w.policy, w.tz, &state, now, &counters)
        );
    }

    /// `project` lists every waiting entry once, in the order the live queue will call them
    /// when nobody new arrives and service takes the mean, and each window holds that call.
    /// Booked appointments not yet checked in (`Counters::expected`) do not change the
    /// order, and their input order does not matter.
    #[test]
    fn projection_follows_the_engine_and_windows_hold_the_call(
        w in arb_workload(60, true),
        busy in prop::collection::vec(0i64..=60, 1..=6),
        booked in prop::collection::vec((-180i64..=600, 1u32..=20), 0..=20),
    ) {
        let now = w.entries.iter().map(|e| e.arrived_at).max().unwrap_or_default();
        let free_at: Vec<DateTime<Utc>> = busy.iter().map(|&m| now + Duration::minutes(m)).collect();
        let minutes = f64::from(w.policy.minutes_per_person);
        let counters = Counters { free_at: free_at.clone(), minutes_per_person: minutes, expected: Vec::new() };
        let projected = project(&w.entries, &w.policy, w.tz, &ShareState::default(), now, &counters);
        let seconds = i64::from(w.policy.minutes_per_person) * 60;
        let calls = live(&w.entries, &w.policy, w.tz, free_at, |i| {
            Duration::seconds(seconds * i64::from(w.entries[i].party_size))
        });
        prop_assert_eq!(projected.len(), w.entries.len());
        for (k, (p, call)) in projected.iter().zip(&calls).enumerate() {
            prop_assert_eq!(p.position as usize, k + 1);
            prop_assert_eq!(p.entry_id, w.entries[call.index].id);
            let window = p.estimate.expect("a counter is open");
            prop_assert!(window.earliest <= call.at && call.at <= window.latest);
            prop_assert!(window.earliest >= now.max(p.placement.eligible_at));
            prop_assert!(window.latest - window.earliest >= Duration::minutes(10));
        }

        let expected: Vec<QueueEntry> = booked
            .iter()
            .enumerate()
            .map(|(k, &(slot_minutes, party_size))| {
                let slot = now + Duration::minutes(slot_minutes);
                QueueEntry {
                    id: -(k as i64) - 1,
                    seq: 0,
                    class: Class::Appointment,
                    tier: Tier::Standard,
                    party_size,
                    arrived_at: slot,
                    slot_at: Some(slot),
                }
            })
            .collect();
        let mut with = counters.clone();
        with.expected = expected.clone();
        let grounded = project(&w.entries, &w.policy, w.tz, &ShareState::default(), now, &with);
        prop_assert_eq!(grounded.len(), projected.len());
        for (g, p) in grounded.iter().zip(&projected) {
            prop_assert_eq!(g.entry_id, p.entry_id);
        }
        with.expected.reverse();
        prop_assert_eq!(
            &project(&w.entries, &w.policy, w.tz, &ShareState::default(), now, &with),
            &grounded
        );
    }
}
