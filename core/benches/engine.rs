//! How long the engine takes at the sizes the app meets: the live queue page projects up to
//! ~1,000 waiting entries on each refresh, "call next" picks among them, and `simulate`
//! replays a busy day; a registration continues the minute's kept projection.
//!
//! Run: `cargo bench -p portqueue-core --bench engine`

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::simulate::{self, Arrival};
use portqueue_core::queue::{
    ArrivalRates, Counters, EntryLanguage, EstimateInputs, EstimateMatching, OpenCounter,
    Projection, ServiceSample, ShareState, next_call, project, project_with,
};

/// A small deterministic generator (64-bit LCG), so every run measures the same workload.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// `n` arrivals spread over `minutes` from 08:00 local (UTC-8): two thirds walk-ins, one in
/// five priority, one in fifty urgent, parties of 1 to 20 (mostly small).
fn arrivals(n: usize, minutes: u64) -> Vec<Arrival> {
    let mut rng = Lcg(42);
    let start = Utc.with_ymd_and_hms(2026, 11, 25, 16, 0, 0).unwrap();
    let mut offsets: Vec<i64> = (0..n).map(|_| rng.below(minutes) as i64).collect();
    offsets.sort_unstable();
    offsets
        .into_iter()
        .enumerate()
        .map(|(i, offset)| {
            let arrived_at = start + Duration::minutes(offset);
            let class = if rng.below(3) == 0 {
                Class::Appointment
            } else {
                Class::WalkIn
            };
            let tier = match rng.below(50) {
                0 => Tier::Urgent,
                1..=10 => Tier::Priority,
                _ => Tier::Standard,
            };
            let party_size = if rng.below(4) == 0 {
                1 + rng.below(20) as u32
            } else {
                1 + rng.below(4) as u32
            };
            let slot_at = (class == Class::Appointment)
                .then(|| arrived_at + Duration::minutes(rng.below(180) as i64 - 60));
            Arrival {
                ticket: format!("T{i:04}"),
                class,
                tier,
                party_size,
                arrived_at,
                slot_at,
                service_minutes: None,
                language: None,
            }
        })
        .collect()
}

fn waiting(n: usize) -> (Vec<portqueue_core::queue::QueueEntry>, DateTime<Utc>) {
    let entries: Vec<_> = arrivals(n, 360)
        .into_iter()
        .enumerate()
        .map(|(i, a)| portqueue_core::queue::QueueEntry {
            id: i as i64 + 1,
            seq: i as i64 + 1,
            class: a.class,
            tier: a.tier,
            party_size: a.party_size,
            arrived_at: a.arrived_at,
            slot_at: a.slot_at,
        })
        .collect();
    let now = entries
        .iter()
        .map(|e| e.arrived_at)
        .max()
        .unwrap_or_default();
    (entries, now)
}

fn engine(c: &mut Criterion) {
    let tz = Tz::America__Tijuana;
    let policy = Policy::default();
    let (entries, now) = waiting(1_000);
    let state = ShareState::default();
    c.bench_function("next_call, 1000 waiting", |b| {
        b.iter(|| next_call(black_box(&entries), &policy, tz, &state, now))
    });
    let counters = Counters {
        free_at: vec![now; 4],
        minutes_per_person: 10.0,
        expected: Vec::new(),
    };
    c.bench_function("project, 1000 waiting, 4 counters", |b| {
        b.iter(|| project(black_box(&entries), &policy, tz, &state, now, &counters))
    });
    // The day's bookings not yet checked in: 200 over the next six hours.
    let mut rng = Lcg(7);
    let with_bookings = Counters {
        expected: (0..200)
            .map(|i| {
                let slot = now + Duration::minutes(rng.below(360) as i64);
                portqueue_core::queue::QueueEntry {
                    id: -(i + 1),
                    seq: 0,
                    class: Class::Appointment,
                    tier: Tier::Standard,
                    party_size: 1 + rng.below(4) as u32,
                    arrived_at: slot,
                    slot_at: Some(slot),
                }
            })
            .collect(),
        ..counters.clone()
    };
    c.bench_function("project, 1000 waiting, 4 counters, 200 bookings", |b| {
        b.iter(|| {
            project(
                black_box(&entries),
                &policy,
                tz,
                &state,
                now,
                &with_bookings,
            )
        })
    });
    // What a registration at a busy port projects with: four counters serving, 2,000 service
    // samples, the day's bookings, usual walk-ins each hour and a plan for the day ahead.
    let mut rng = Lcg(11);
    let inputs = EstimateInputs {
        open: (0..4)
            .map(|i| OpenCounter::Serving {
                since: now - Duration::minutes(i * 3),
                party_size: 1 + i as u32,
            })
            .collect(),
        plan: (0..36)
            .map(|h| (now + Duration::hours(h), if h < 10 { 4 } else { 2 }))
            .collect(),
        service: (0..2_000)
            .map(|_| ServiceSample {
                party_size: 1 + rng.below(4) as u32,
                minutes: 3.0 + rng.below(30) as f64,
            })
            .collect(),
        minutes_per_person: 10.0,
        bookings: with_bookings.expected.clone(),
        show_rate: 0.85,
        check_in_offsets_minutes: (0..300).map(|_| rng.below(60) as f64 - 30.0).collect(),
        walk_ins_per_hour: (0..12)
            .map(|h| {
                (
                    now + Duration::hours(h),
                    ArrivalRates {
                        standard: 20.0,
                        priority: 3.0,
                        urgent: 0.5,
                    },
                )
            })
            .collect(),
    };
    c.bench_function(
        "project_with, 1000 waiting, 4 counters serving, samples, bookings, arrivals, plan",
        |b| b.iter(|| project_with(black_box(&entries), &policy, tz, &state, now, &inputs)),
    );
    registrations(c, &policy, tz, &inputs);
    let day = arrivals(2_000, 600);
    c.bench_function("simulate::run, 2000 arrivals, 4 counters", |b| {
        b.iter(|| simulate::run(black_box(&day), &policy, 4, tz))
    });
}

/// A registration's projection at a busy port, 1,000 and 5,000 waiting: the whole queue
/// projected afresh (the first registration of a minute) against the kept projection of the
/// minute continued with the new walk-in (every other registration of that minute); then the
/// same under language matching, the four counters serving with languages (Spanish and
/// English, Punjabi, Haitian Creole and Spanish, none) and the people waiting speaking those
/// or K'iche', which no counter covers.
fn registrations(c: &mut Criterion, policy: &Policy, tz: Tz, inputs: &EstimateInputs) {
    for n in [1_000, 5_000] {
        let (entries, last) = waiting(n);
        let now = inputs.walk_ins_per_hour[0].0;
        // Registered after everyone waiting, as the app registers walk-ins (in ticket order).
        let arrived_at = last.max(now) + Duration::seconds(10);
        let newcomer = portqueue_core::queue::QueueEntry {
            id: n as i64 + 1,
            seq: n as i64 + 1,
            class: Class::WalkIn,
            tier: Tier::Standard,
            party_size: 2,
            arrived_at,
            slot_at: None,
        };
        let mut all = entries.clone();
        all.push(newcomer.clone());
        let state = ShareState::default();
        c.bench_function(
            &format!("registration, {n} waiting: full projection"),
            |b| b.iter(|| Projection::new(black_box(&all), policy, tz, &state, now, inputs)),
        );
        let kept = Projection::new(&entries, policy, tz, &state, now, inputs);
        assert!(
            kept.clone()
                .add_walk_in(&newcomer, policy, tz, &state, now, inputs),
            "the registration continues the kept projection"
        );
        c.bench_function(
            &format!("registration, {n} waiting: kept projection continued"),
            |b| {
                b.iter_batched(
                    || kept.clone(),
                    |mut p| {
                        p.add_walk_in(black_box(&newcomer), policy, tz, &state, now, inputs);
                        p
                    },
                    BatchSize::LargeInput,
                )
            },
        );

        let languages = ["spa", "spa", "eng", "hat", "pan", "quc"];
        let mut rng = Lcg(3);
        let covers = |l: &[&str]| Some(l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        let language = |rng: &mut Lcg| EntryLanguage {
            language: Some(languages[rng.below(6) as usize].to_owned()),
            passed_over_since: None,
        };
        let mut matching = EstimateMatching {
            counters: vec![
                covers(&["spa", "eng"]),
                covers(&["pan"]),
                covers(&["hat", "spa"]),
                None,
            ],
            entries: (0..n).map(|_| language(&mut rng)).collect(),
            wait_limit_minutes: 20,
        };
        let kept =
            Projection::new_matched(&entries, policy, tz, &state, now, inputs, Some(&matching));
        let newcomer_language = language(&mut rng);
        matching.entries.push(newcomer_language.clone());
        c.bench_function(
            &format!("registration, {n} waiting, matched: full projection"),
            |b| {
                b.iter(|| {
                    Projection::new_matched(
                        black_box(&all),
                        policy,
                        tz,
                        &state,
                        now,
                        inputs,
                        Some(&matching),
                    )
                })
            },
        );
        let add = |p: &mut Projection| {
            p.add_walk_in_matched(
                black_box(&newcomer),
                &newcomer_language,
                policy,
                tz,
                &state,
                now,
                inputs,
                Some(&matching),
            )
        };
        assert!(
            add(&mut kept.clone()),
            "the registration continues the kept matched projection"
        );
        c.bench_function(
            &format!("registration, {n} waiting, matched: kept projection continued"),
            |b| {
                b.iter_batched(
                    || kept.clone(),
                    |mut p| {
                        add(&mut p);
                        p
                    },
                    BatchSize::LargeInput,
                )
            },
        );
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
