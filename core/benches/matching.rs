//! What language matching costs the estimates: a fresh projection of the same busy queue
//! with the counters calling in the plain fair order and under matching (each counter
//! covering some of the queue's languages). What a registration pays under matching, a
//! continued projection, is measured by `--bench engine -- registration`.
//!
//! Run: `cargo bench -p portqueue-core --bench matching`

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::{
    ArrivalRates, EntryLanguage, EstimateInputs, EstimateMatching, OpenCounter, Projection,
    QueueEntry, ServiceSample, ShareState,
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

const LANGUAGES: [&str; 5] = ["spa", "spa", "eng", "hat", "pan"];

/// Four counters serving parties of 1 to 4, the first called now and each next `apart`
/// earlier.
fn four_serving(now: DateTime<Utc>, apart: Duration) -> Vec<OpenCounter> {
    (0..4)
        .map(|i| OpenCounter::Serving {
            since: now - apart * i,
            party_size: 1 + i as u32,
        })
        .collect()
}

/// A counter covering `languages`.
fn covers(languages: &[&str]) -> Option<Vec<String>> {
    Some(languages.iter().map(|l| (*l).to_owned()).collect())
}

fn matching(c: &mut Criterion) {
    let tz = Tz::America__Tijuana;
    let policy = Policy::default();
    let state = ShareState::default();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 22, 0, 0).unwrap();
    let mut rng = Lcg(5);
    let inputs = EstimateInputs {
        open: four_serving(now, Duration::minutes(3)),
        plan: Vec::new(),
        service: (0..2_000)
            .map(|_| ServiceSample {
                party_size: 1 + rng.below(4) as u32,
                minutes: 3.0 + rng.below(30) as f64,
            })
            .collect(),
        minutes_per_person: 10.0,
        bookings: Vec::new(),
        show_rate: 0.85,
        check_in_offsets_minutes: Vec::new(),
        walk_ins_per_hour: vec![(
            now,
            ArrivalRates {
                standard: 20.0,
                priority: 3.0,
                urgent: 0.5,
            },
        )],
    };
    for n in [50usize, 200, 1_000] {
        let entries: Vec<QueueEntry> = (0..n)
            .map(|i| QueueEntry {
                id: i as i64 + 1,
                seq: i as i64 + 1,
                class: if rng.below(3) == 0 {
                    Class::Appointment
                } else {
                    Class::WalkIn
                },
                tier: if rng.below(10) == 0 {
                    Tier::Priority
                } else {
                    Tier::Standard
                },
                party_size: 1 + rng.below(4) as u32,
                arrived_at: now - Duration::minutes(rng.below(360) as i64),
                slot_at: None,
            })
            .map(|mut e| {
                if e.class == Class::Appointment {
                    e.slot_at = Some(e.arrived_at);
                }
                e
            })
            .collect();
        let m = EstimateMatching {
            counters: vec![
                covers(&["spa", "eng"]),
                covers(&["pan"]),
                covers(&["hat", "spa"]),
                covers(&["eng"]),
            ],
            entries: (0..n)
                .map(|_| EntryLanguage {
                    language: Some(LANGUAGES[rng.below(5) as usize].to_owned()),
                    passed_over_since: None,
                })
                .collect(),
            wait_limit_minutes: 20,
        };
        c.bench_function(&format!("fresh projection, {n} waiting, plain"), |b| {
            b.iter(|| Projection::new(black_box(&entries), &policy, tz, &state, now, &inputs))
        });
        c.bench_function(&format!("fresh projection, {n} waiting, matched"), |b| {
            b.iter(|| {
                Projection::new_matched(
                    black_box(&entries),
                    &policy,
                    tz,
                    &state,
                    now,
                    &inputs,
                    Some(&m),
                )
            })
        });
    }
}

/// Registrations as `benches/load/registrations` makes them at 5,000 waiting (its cases 4 and
/// 4L): the queue filled three seconds apart in Spanish, Spanish, Haitian Creole and Punjabi
/// (one in nine priority, parties of 1 to 4), four counters serving with no service times
/// of the port's own yet, no plan, no arrivals expected; under matching counters 1 and 2
/// cover Spanish and counter 3 Haitian Creole. Each iteration continues the minute's kept
/// projection with 64 registrations in turn (Spanish, Spanish, Haitian Creole, Punjabi), as
/// a group of kiosks does; the time is per registration.
fn registrations_in_turn(c: &mut Criterion) {
    const RUN: usize = 64;
    let tz = Tz::America__Tijuana;
    let policy = Policy::default();
    let state = ShareState::default();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 22, 0, 0).unwrap();
    let n = 5_000usize;
    let queue_languages = ["spa", "spa", "hat", "pan"];
    let entry = |i: usize, arrived_at| QueueEntry {
        id: i as i64 + 1,
        seq: i as i64 + 1,
        class: Class::WalkIn,
        tier: if i % 9 == 4 {
            Tier::Priority
        } else {
            Tier::Standard
        },
        party_size: 1 + (i % 4) as u32,
        arrived_at,
        slot_at: None,
    };
    // The four called first are at the counters.
    let entries: Vec<QueueEntry> = (4..n)
        .map(|i| entry(i, now - Duration::seconds(3 * (n - i) as i64)))
        .collect();
    let newcomers: Vec<QueueEntry> = (0..RUN)
        .map(|k| {
            let mut e = entry(
                n + k,
                now + Duration::seconds(10) + Duration::milliseconds(k as i64),
            );
            e.tier = Tier::Standard;
            e.party_size = 2;
            e
        })
        .collect();
    let language = |l: &str| EntryLanguage {
        language: Some(l.to_owned()),
        passed_over_since: None,
    };
    let inputs = EstimateInputs {
        open: four_serving(now, Duration::seconds(5)),
        plan: Vec::new(),
        service: Vec::new(),
        minutes_per_person: 10.0,
        bookings: Vec::new(),
        show_rate: 0.85,
        check_in_offsets_minutes: Vec::new(),
        walk_ins_per_hour: (0..12)
            .map(|h| (now + Duration::hours(h), ArrivalRates::default()))
            .collect(),
    };
    let matching = EstimateMatching {
        counters: vec![covers(&["spa"]), covers(&["spa"]), covers(&["hat"]), None],
        entries: (4..n).map(|i| language(queue_languages[i % 4])).collect(),
        wait_limit_minutes: 20,
    };
    for matched in [false, true] {
        let m = matched.then_some(&matching);
        let kept = Projection::new_matched(&entries, &policy, tz, &state, now, &inputs, m);
        let register = |p: &mut Projection| {
            for (k, newcomer) in newcomers.iter().enumerate() {
                let continued = p.add_walk_in_matched(
                    black_box(newcomer),
                    &language(queue_languages[k % 4]),
                    &policy,
                    tz,
                    &state,
                    now,
                    &inputs,
                    m,
                );
                assert!(continued, "each registration continues the kept projection");
            }
        };
        let name = if matched { "matched" } else { "plain" };
        c.bench_function(
            &format!("registrations in turn, {n} waiting, {name}: per {RUN}"),
            |b| {
                b.iter_batched(
                    || kept.clone(),
                    |mut p| {
                        register(&mut p);
                        p
                    },
                    BatchSize::LargeInput,
                )
            },
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(4));
    targets = matching, registrations_in_turn
}
criterion_main!(benches);
