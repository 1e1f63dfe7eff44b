//! How long a busy day's report takes: 2,000 entries (about 10,000 events) at one port,
//! reported from the event log, then written as CSV and drawn as SVG. Target: well under a
//! second, since a supervisor opens the report page while the queue runs.
//!
//! Run: `cargo bench -p portqueue-core --bench report`

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Tijuana;
use criterion::{Criterion, criterion_group, criterion_main};

use portqueue_core::events::{EntrySnapshot, Event, EventKind, Punctuality};
use portqueue_core::model::{Barrier, Class, Policy, Status, Tier};
use portqueue_core::queue::Window;
use portqueue_core::reports::{
    Booked, DayInput, HourlyChart, daily, hourly_chart_svg, sum, to_csv,
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

fn event(entry_id: i64, at: DateTime<Utc>, officer: i64, kind: EventKind, to: Status) -> Event {
    Event {
        entry_id,
        at,
        actor_id: Some(officer),
        kind,
        from: None,
        to: Some(to),
        counter: Some(officer as u32),
        snapshot: None,
        note: None,
        language_matched: None,
        passed_over: None,
    }
}

/// 2,000 entries arriving 05:00–23:00 (the first 50 the evening before): two thirds walk-ins,
/// one in five priority, one in fifty urgent; most called within three hours and served, some
/// recalled, no-shows, reprints and withdrawals; whatever happens after midnight stays in the
/// log. Calls are random rather than the engine's order, so the pairwise overtake check also
/// meets its worst case (tens of thousands of overtakes, of which 200 are listed).
fn busy_day() -> DayInput {
    let mut rng = Lcg(7);
    let policy = Policy::default();
    let day_start = Tijuana
        .with_ymd_and_hms(2026, 6, 15, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let languages = ["spa", "hat", "rus", "eng", "por", "fra", "tur", "zho"];
    let mut events = Vec::with_capacity(11_000);
    let mut booked = Vec::new();
    for id in 0..2_000i64 {
        let minute = if id < 50 {
            -(rng.below(300) as i64) - 1
        } else {
            300 + rng.below(18 * 60) as i64
        };
        let arrived = day_start + Duration::minutes(minute);
        let tier = match rng.below(50) {
            0 => Tier::Urgent,
            1..=10 => Tier::Priority,
            _ => Tier::Standard,
        };
        let party_size = [1, 1, 1, 2, 2, 3, 4, 6][rng.below(8) as usize];
        let walk_in = rng.below(3) > 0;
        let (class, slot, punctuality, queue_class, eligible, confirmation) = if walk_in {
            (Class::WalkIn, None, None, Class::WalkIn, arrived, None)
        } else {
            let slot = arrived + Duration::minutes(rng.below(150) as i64 - 90);
            let late = arrived > slot + Duration::minutes(60);
            let early = arrived < slot - Duration::minutes(60);
            let confirmation = format!("C{id:06}");
            booked.push(Booked {
                confirmation: confirmation.clone(),
                slot_at: slot,
            });
            (
                Class::Appointment,
                Some(slot),
                Some(if late {
                    Punctuality::Late
                } else if early {
                    Punctuality::Early
                } else {
                    Punctuality::OnTime
                }),
                if late {
                    Class::WalkIn
                } else {
                    Class::Appointment
                },
                if late {
                    arrived
                } else {
                    arrived.max(slot - Duration::minutes(60))
                },
                Some(confirmation),
            )
        };
        let wait = Duration::minutes(rng.below(180) as i64);
        let estimate = Window {
            earliest: eligible + wait - Duration::minutes(20),
            latest: eligible + wait + Duration::minutes(rng.below(40) as i64),
        };
        let officer = 1 + rng.below(8) as i64;
        events.push(Event {
            snapshot: Some(EntrySnapshot {
                ticket: format!("{}-{id:04}", if walk_in { "W" } else { "A" }),
                class,
                queue_class,
                tier,
                party_size,
                language: languages[rng.below(8) as usize].to_string(),
                barriers: if walk_in {
                    vec![Barrier::ALL[rng.below(4) as usize]]
                } else {
                    Vec::new()
                },
                vulnerabilities: Vec::new(),
                arrived_at: arrived,
                eligible_at: eligible,
                slot_at: slot,
                confirmation,
                punctuality,
                estimate: Some(estimate),
            }),
            ..event(
                id,
                arrived,
                officer,
                if walk_in {
                    EventKind::Registered
                } else {
                    EventKind::CheckedIn
                },
                Status::Waiting,
            )
        });
        events.push(event(
            id,
            arrived + Duration::seconds(20),
            officer,
            EventKind::TicketPrinted,
            Status::Waiting,
        ));
        if rng.below(20) == 0 {
            events.push(event(
                id,
                arrived + wait / 2,
                officer,
                EventKind::Withdrawn,
                Status::Withdrawn,
            ));
            continue;
        }
        let called = eligible + wait;
        events.push(event(
            id,
            called,
            officer,
            EventKind::Called,
            Status::Called,
        ));
        if rng.below(2) == 0 {
            events.push(event(
                id,
                called + Duration::seconds(30),
                officer,
                EventKind::TicketPrinted,
                Status::Called,
            ));
        }
        let service = Duration::minutes(5 + 4 * i64::from(party_size));
        match rng.below(8) {
            // Recalled, then never answered.
            0 => {
                events.push(event(
                    id,
                    called + Duration::minutes(3),
                    officer,
                    EventKind::Recalled,
                    Status::Called,
                ));
                let gone = called + Duration::minutes(6);
                events.push(event(id, gone, officer, EventKind::NoShow, Status::NoShow));
            }
            // Recalled, then served.
            1 => {
                events.push(event(
                    id,
                    called + Duration::minutes(3),
                    officer,
                    EventKind::Recalled,
                    Status::Called,
                ));
                let done = called + Duration::minutes(3) + service;
                events.push(event(id, done, officer, EventKind::Served, Status::Served));
            }
            _ => {
                let done = called + service;
                events.push(event(id, done, officer, EventKind::Served, Status::Served));
            }
        }
    }
    events.sort_by_key(|e| e.at);
    DayInput {
        port_code: "TJ1".to_string(),
        port_name: "El Chaparral".to_string(),
        date: NaiveDate::from_ymd_opt(2026, 6, 15).unwrap(),
        tz: Tijuana,
        policy,
        events,
        booked,
        officers: (1..=8)
            .map(|id| (id, format!("Officer {id}")))
            .collect::<BTreeMap<_, _>>(),
        policy_changes: Vec::new(),
        as_of: None,
    }
}

fn bench_report(c: &mut Criterion) {
    let input = busy_day();
    let report = daily(&input);
    println!(
        "busy day: {} events, {} arrivals, {} calls, {} overtakes beyond the bound",
        input.events.len(),
        report.figures.outcomes.arrived,
        report.figures.waits.all.calls,
        report.figures.fairness.overtakes_beyond_bound,
    );
    c.bench_function("daily report, 2,000 entries / ~10,000 events", |b| {
        b.iter(|| daily(black_box(&input)))
    });
    c.bench_function("CSV of that report", |b| {
        b.iter(|| to_csv(black_box(&report)))
    });
    c.bench_function("both SVG charts of that report", |b| {
        b.iter(|| {
            (
                hourly_chart_svg(black_box(&report), HourlyChart::ArrivalsAndCalls),
                hourly_chart_svg(black_box(&report), HourlyChart::QueueLength),
            )
        })
    });
    let month: Vec<_> = (0..30).map(|_| report.clone()).collect();
    c.bench_function("range of 30 such days", |b| {
        b.iter(|| sum(black_box(&month)))
    });
}

criterion_group!(benches, bench_report);
criterion_main!(benches);
