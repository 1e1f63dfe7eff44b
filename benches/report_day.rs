//! A busy day's report end to end: 2,000 entries at one port, driven through the service
//! layer (the same functions the API calls) into a temporary SQLite database, then
//! `service::reports::daily` timed: the six queries that load the day from the event log,
//! the conversion of every row, and the core's arithmetic. Target: well under a
//! second. `service::reports::what_if` (the replay of the same day) is timed beside it.
//!
//! Run: `cargo bench --bench report_day`. Set `PORTQUEUE_BENCH_DB=/path/day.db` to keep the
//! database (then `portqueue --database-url /path/day.db report --port BENCH --date
//! 2026-11-24` shows the day).

use std::collections::VecDeque;
use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Tijuana;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use portqueue::auth::{Actor, Role};
use portqueue::db::{self, DbConnection, Location};
use portqueue::service::appointments::{self, AppointmentInput, Source};
use portqueue::service::reports::{self, WhatIfParams};
use portqueue::service::walk_ins::{TriageInput, WalkInInput};
use portqueue::service::{accounts, entries, ports, queue, walk_ins};

const PORT: &str = "BENCH";
const ENTRIES: usize = 2_000;
const EVENING_BEFORE: usize = 60;
const APPOINTMENTS: usize = 330;
const COUNTERS: u32 = 10;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date")
}

/// Port-local time on the benchmark day (`day_offset` -1 for the evening before).
fn local(day_offset: i64, minutes: i64) -> DateTime<Utc> {
    let midnight = Tijuana
        .from_local_datetime(&date().and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("no clock change that day");
    (midnight + Duration::days(day_offset) + Duration::minutes(minutes)).with_timezone(&Utc)
}

/// One arrival of the generated day.
enum Arrival {
    WalkIn(WalkInInput),
    CheckIn(String),
}

/// Fills the database with the day and returns the port. Fixed seed: every run measures
/// the same workload.
fn fill(conn: &mut DbConnection) -> portqueue::db::models::Port {
    let admin = accounts::system_admin();
    let mut rng = StdRng::seed_from_u64(4);
    let port = ports::create(
        conn,
        &admin,
        &ports::NewPort {
            code: PORT.into(),
            name: "Benchmark crossing".into(),
            timezone: "America/Tijuana".into(),
        },
        local(-2, 0),
    )
    .expect("port");
    let officers: Vec<Actor> = (1..=COUNTERS)
        .map(|n| {
            let user = accounts::create(
                conn,
                &admin,
                &accounts::NewAccount {
                    username: format!("officer{n}"),
                    role: "officer".into(),
                    port: PORT.into(),
                    password: "a long benchmark password".into(),
                    must_change_password: false,
                },
                local(-2, 0),
            )
            .expect("officer");
            Actor {
                user_id: user.id,
                username: user.username,
                role: Role::Officer,
                port_id: Some(port.id),
                must_change_password: false,
            }
        })
        .collect();

    // Appointments every few minutes from 07:00 to 19:00; one in ten never comes.
    let booked: Vec<AppointmentInput> = (0..APPOINTMENTS)
        .map(|i| AppointmentInput {
            confirmation: format!("BK-{i:05}"),
            slot_at: local(0, 7 * 60 + (i as i64 * 720 / APPOINTMENTS as i64)).to_rfc3339(),
            party_size: rng.random_range(1..=4u32).to_string(),
            name: format!("Booked {i}"),
            nationality: "Honduras".into(),
            language: "spa".into(),
        })
        .collect();
    let rows = appointments::check_rows(&booked, Source::Json).expect("rows");
    appointments::import(conn, &admin, port.id, &rows, local(-1, 6 * 60)).expect("import");

    // Arrivals: 60 the evening before (carried in), the rest from 05:00 to 22:00, the
    // appointments within 90 minutes of their slot.
    let languages = ["spa", "hat", "eng", "por", "quc", "fra", "rus", "arb"];
    let barriers = ["language", "literacy", "technical", "other"];
    let mut arrivals: Vec<(DateTime<Utc>, Arrival)> = Vec::new();
    let came: Vec<&AppointmentInput> = booked
        .iter()
        .filter(|_| rng.random_range(0..10) > 0)
        .collect();
    for b in &came {
        let slot = DateTime::parse_from_rfc3339(&b.slot_at)
            .expect("slot")
            .with_timezone(&Utc);
        let at = slot + Duration::minutes(rng.random_range(-90..=90));
        arrivals.push((at, Arrival::CheckIn(b.confirmation.clone())));
    }
    let walk_ins = ENTRIES - came.len();
    for i in 0..walk_ins {
        let at = if i < EVENING_BEFORE {
            local(-1, 21 * 60 + rng.random_range(0..180))
        } else {
            local(0, 5 * 60 + rng.random_range(0..17 * 60))
        };
        let roll = rng.random_range(0..100);
        let mut chosen = vec![barriers[rng.random_range(0..barriers.len())].to_owned()];
        if roll % 7 == 0 {
            chosen.push("literacy".into());
        }
        arrivals.push((
            at,
            Arrival::WalkIn(WalkInInput {
                party_size: (1 + rng.random_range(0..10u32).saturating_sub(6)).to_string(),
                language: languages[rng.random_range(0..languages.len())].into(),
                barriers: chosen,
                tier: match roll {
                    0 => "urgent".into(),
                    1..=15 => "priority".into(),
                    _ => String::new(),
                },
                vulnerabilities: if (1..=15).contains(&roll) {
                    vec!["pregnancy".into()]
                } else {
                    Vec::new()
                },
                urgent_reason: if roll == 0 {
                    "medical emergency".into()
                } else {
                    String::new()
                },
                ..WalkInInput::default()
            }),
        ));
    }
    arrivals.sort_by_key(|(at, _)| *at);
    let mut arrivals: VecDeque<(DateTime<Utc>, Arrival)> = arrivals.into();

    // Minute by minute from 21:00 the evening before to the end of the day: arrivals join,
    // a few waiting parties leave, counters (open 05:00-23:30) finish and call the next.
    let mut waiting: Vec<i64> = Vec::new();
    let mut desks: Vec<Option<(i64, DateTime<Utc>)>> = vec![None; COUNTERS as usize];
    let mut minute = local(-1, 21 * 60);
    while minute < local(1, 0) {
        while arrivals.front().is_some_and(|(at, _)| *at <= minute) {
            let (at, arrival) = arrivals.pop_front().expect("an arrival");
            let clerk = &officers[rng.random_range(0..officers.len())];
            let view = match arrival {
                Arrival::WalkIn(input) => walk_ins::register(conn, clerk, port.id, &input, at),
                Arrival::CheckIn(confirmation) => appointments::check_in(
                    conn,
                    clerk,
                    port.id,
                    &confirmation,
                    &TriageInput::default(),
                    at,
                )
                .map(|(view, _)| view),
            }
            .expect("arrival");
            waiting.push(view.id);
        }
        if !waiting.is_empty() && rng.random_range(0..100) == 0 {
            let id = waiting.swap_remove(rng.random_range(0..waiting.len()));
            entries::act(
                conn,
                &officers[0],
                id,
                entries::Action::Withdraw,
                None,
                minute,
            )
            .expect("withdraw");
        }
        let open = minute >= local(0, 5 * 60) && minute < local(0, 23 * 60 + 30);
        for (n, desk) in desks.iter_mut().enumerate() {
            let officer = &officers[n];
            if let Some((id, done)) = *desk {
                if done > minute {
                    continue;
                }
                let action = match rng.random_range(0..20) {
                    0 => entries::Action::NoShow,
                    _ => entries::Action::Complete,
                };
                if rng.random_range(0..10) == 0 {
                    entries::act(conn, officer, id, entries::Action::Recall, None, done)
                        .expect("recall");
                }
                entries::act(conn, officer, id, action, None, done).expect("finish");
                *desk = None;
            }
            if open && !waiting.is_empty() {
                let called = queue::call_next(conn, officer, port.id, n as u32 + 1, minute)
                    .expect("call next");
                if let Some(view) = called {
                    waiting.retain(|w| *w != view.id);
                    let service = Duration::minutes(rng.random_range(3..=9));
                    *desk = Some((view.id, minute + service));
                }
            }
        }
        minute += Duration::minutes(1);
    }
    port
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = std::env::var("PORTQUEUE_BENCH_DB")
        .unwrap_or_else(|_| dir.path().join("day.db").to_string_lossy().into_owned());
    let _ = std::fs::remove_file(&path);
    let pool = db::open(&Location::Sqlite { path, create: true }, 2).expect("database");
    let mut conn = pool.get().expect("connection");
    let started = std::time::Instant::now();
    let port = fill(&mut conn);
    let admin = accounts::system_admin();
    let reader = reports::reader(&admin, &port).expect("an admin reads reports");
    let report = reports::load_day(&mut conn, &port, date())
        .map(|d| d.report())
        .expect("report");
    let events = reports::load_day(&mut conn, &port, date())
        .expect("day")
        .input
        .events
        .len();
    eprintln!(
        "filled in {:.1} s: {} arrived, {} carried in, {} served, {} still open; {events} events read",
        started.elapsed().as_secs_f64(),
        report.figures.outcomes.arrived,
        report.figures.outcomes.carried_in,
        report.figures.outcomes.served,
        report.figures.outcomes.waiting,
    );

    let mut group = c.benchmark_group("report_day");
    group.sample_size(20);
    group.bench_function("service::reports::daily (2,000 entries, SQLite)", |b| {
        b.iter(|| {
            black_box(
                reports::load_day(&mut conn, &port, date())
                    .map(|d| d.report())
                    .expect("report"),
            )
        })
    });
    group.bench_function("service::reports::what_if (same day, 6 counters)", |b| {
        let params = WhatIfParams {
            counters: Some(6),
            ..WhatIfParams::default()
        };
        b.iter(|| {
            black_box(
                reports::what_if(&mut conn, &reader, date(), &params, local(1, 60))
                    .expect("replay"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
