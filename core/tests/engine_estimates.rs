//! How good the call windows are (docs/design/fair-queue.md, "Estimates"), on synthetic busy days with
//! 2, 4 and 8 counters at 70% to 95% load, log-normal service times, a third of the
//! arrivals booked appointments (15% of bookings never come) and priority and urgent
//! walk-ins arriving after a window was printed. Each window is the one the ticket showed
//! at registration, worked out only from what was known then. The targets, asserted for
//! every counter count and load:
//! - at most 5% of calls after `latest`, at most 5% before `earliest`;
//! - median absolute error of the window's middle at most 15 minutes;
//! - median width at most half the median wait, or 15 minutes, whichever is larger: not
//!   met, asserted only by the ignored [`width_target_on_busy_days`], whose comment says
//!   why (and [`width_breakdown`] shows where the width comes from).

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::{
    ArrivalRates, EstimateInputs, OpenCounter, QueueEntry, ServiceSample, ShareState, Window,
    next_call, place, project_with,
};

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Mean service per person, minutes.
const PER_PERSON: f64 = 10.0;
/// Log-space spread of a party's service time.
const SIGMA: f64 = 0.5;
/// Open hours of a synthetic day.
const HOURS: u64 = 8;
/// Share of bookings that come.
const SHOW_RATE: f64 = 0.85;

fn party_size(rng: &mut Rng) -> u32 {
    if rng.below(10) == 0 {
        5 + rng.below(6) as u32
    } else {
        1 + rng.below(3) as u32
    }
}

/// Mean persons per party of [`party_size`]: 0.9 x 2 + 0.1 x 7.5.
const MEAN_PARTY: f64 = 2.55;

/// A party's real service, log-normal with mean `PER_PERSON x party`.
fn service_minutes(rng: &mut Rng, party_size: u32) -> f64 {
    PER_PERSON * f64::from(party_size) * (SIGMA * rng.normal() - SIGMA * SIGMA / 2.0).exp()
}

struct Day {
    entries: Vec<QueueEntry>,
    /// Real service per entry.
    service: Vec<Duration>,
    /// Booked appointments that never come.
    no_shows: Vec<QueueEntry>,
    /// What the port knows from its recent days.
    history: Vec<ServiceSample>,
    offsets: Vec<f64>,
    /// The usual walk-in rates: the opening hour's rush, then the rest of the day.
    rates: Vec<(DateTime<Utc>, ArrivalRates)>,
}

/// When a synthetic day's people come.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Arrivals {
    /// A third of the day's people in the first hour (the crowd that waited through the
    /// night for the port to open), the rest through the day: the days the targets are
    /// asserted on.
    Rush,
    /// Everyone spread evenly over the day: reported beside `Rush` (a steadier port), not
    /// a replacement for it.
    Steady,
}

fn busy_day(seed: u64, counters: u64, load_percent: u64) -> Day {
    day_of(Arrivals::Rush, seed, counters, load_percent)
}

fn day_of(shape: Arrivals, seed: u64, counters: u64, load_percent: u64) -> Day {
    let mut rng = Rng(seed.wrapping_mul(7919) ^ (counters << 20) ^ (load_percent << 32));
    let start = Utc.with_ymd_and_hms(2026, 11, 25, 16, 0, 0).unwrap();
    let per_hour = counters as f64 * 60.0 * load_percent as f64 / 100.0 / (PER_PERSON * MEAN_PARTY);
    let n = (per_hour * HOURS as f64).round() as usize;
    let mut entries = Vec::new();
    let mut service = Vec::new();
    let mut no_shows = Vec::new();
    for i in 0..n {
        // A third of the day's people register in the first hour (the crowd that waited
        // through the night for the port to open), the rest come through the day.
        let spread = if rng.below(3) == 0 && shape == Arrivals::Rush {
            3600
        } else {
            HOURS * 3600
        };
        let arrived_at = start + Duration::seconds(rng.below(spread) as i64);
        let class = if rng.below(3) == 0 {
            Class::Appointment
        } else {
            Class::WalkIn
        };
        let tier = match rng.below(40) {
            0 => Tier::Urgent,
            1..=6 => Tier::Priority,
            _ => Tier::Standard,
        };
        let party_size = party_size(&mut rng);
        // Booked people check in from 60 minutes before their slot to 30 after it.
        let slot_at = (class == Class::Appointment)
            .then(|| arrived_at + Duration::minutes(rng.below(91) as i64 - 30));
        let id = i as i64 + 1;
        entries.push(QueueEntry {
            id,
            seq: 0,
            class,
            tier,
            party_size,
            arrived_at,
            slot_at,
        });
        service.push((id, service_minutes(&mut rng, party_size)));
        // For every 17 bookings that come, 3 more never do.
        if class == Class::Appointment && rng.below(17) < 3 {
            let slot = start + Duration::minutes(rng.below(HOURS * 60) as i64);
            no_shows.push(QueueEntry {
                id: 100_000 + i as i64,
                seq: 0,
                class: Class::Appointment,
                tier: Tier::Standard,
                party_size: party_size_small(&mut rng),
                arrived_at: slot,
                slot_at: Some(slot),
            });
        }
    }
    entries.sort_by_key(|e| e.arrived_at);
    let mut by_id = std::collections::HashMap::new();
    for (id, minutes) in service {
        by_id.insert(id, minutes);
    }
    let service = entries
        .iter()
        .map(|e| Duration::seconds((by_id[&e.id] * 60.0).round() as i64))
        .collect();
    for (i, e) in entries.iter_mut().enumerate() {
        e.seq = i as i64 + 1;
    }
    // The port's recent days: 300 services and 100 check-ins, drawn as today's are.
    let history = (0..300)
        .map(|_| {
            let party_size = party_size(&mut rng);
            ServiceSample {
                party_size,
                minutes: service_minutes(&mut rng, party_size),
            }
        })
        .collect();
    let offsets = (0..100).map(|_| rng.below(91) as f64 - 60.0).collect();
    let walk_in_rates = |per_hour: f64| {
        let walk_ins = per_hour * 2.0 / 3.0;
        ArrivalRates {
            standard: walk_ins * 33.0 / 40.0,
            priority: walk_ins * 6.0 / 40.0,
            urgent: walk_ins / 40.0,
        }
    };
    // A third of the arrivals in the first hour, two thirds over the whole day.
    let (all_day, rush) = match shape {
        Arrivals::Rush => (per_hour * 2.0 / 3.0, per_hour * HOURS as f64 / 3.0),
        Arrivals::Steady => (per_hour, 0.0),
    };
    Day {
        entries,
        service,
        no_shows,
        history,
        offsets,
        rates: vec![
            (start, walk_in_rates(all_day + rush)),
            (start + Duration::hours(1), walk_in_rates(all_day)),
            (start + Duration::hours(HOURS as i64), walk_in_rates(0.0)),
        ],
    }
}

fn party_size_small(rng: &mut Rng) -> u32 {
    1 + rng.below(3) as u32
}

/// One call with the window its ticket showed.
struct Outcome {
    window: Window,
    arrived_at: DateTime<Utc>,
    called_at: DateTime<Utc>,
    /// Parties projected ahead of it at registration.
    ahead: usize,
    /// The narrowest 90% window the service times of those parties alone allow (known party
    /// sizes, nobody else arriving): see [`service_bound_minutes`].
    bound: f64,
}

/// What the estimates are told in a [`replay`]: everything known (`Known`), or, to see
/// where the width comes from, nothing about arrivals still to come (`NoArrivals`), or
/// also every service time exactly its mean (`NoSpread`: history says a party of `n`
/// always takes `10 n` minutes). Only `Known` is what a port knows; the others are wrong
/// on purpose and their coverage means nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Told {
    Known,
    NoArrivals,
    NoSpread,
}

/// A rough floor for a 90% window of someone with parties of `sizes` ahead at `counters`
/// counters: their services are independent log-normals (spread [`SIGMA`]) with mean
/// `PER_PERSON x size`, shared by the counters, so the call time's spread is about
/// `sqrt(sum of variances) / counters` and a 90% interval about 3.29 of those. It ignores
/// the parties already at a counter, everyone arriving later, and the order statistics:
/// a floor, not a target.
fn service_bound_minutes(sizes: &[u32], counters: usize) -> f64 {
    let cv2 = (SIGMA * SIGMA).exp() - 1.0;
    let variance: f64 = sizes
        .iter()
        .map(|&n| cv2 * (PER_PERSON * f64::from(n)).powi(2))
        .sum();
    3.29 * variance.max(0.0).sqrt() / counters as f64
}

/// Runs the day on the live queue (`next_call` at each counter as it comes free); each
/// entry's window is worked out at its registration from what is known then.
fn replay(day: &Day, counters: usize, policy: &Policy, tz: Tz) -> Vec<Outcome> {
    replay_told(day, counters, policy, tz, Told::Known)
}

fn replay_told(day: &Day, counters: usize, policy: &Policy, tz: Tz, told: Told) -> Vec<Outcome> {
    let n = day.entries.len();
    let mut window: Vec<Option<Window>> = vec![None; n];
    let mut ahead: Vec<(usize, f64)> = vec![(0, 0.0); n];
    let mut called_at: Vec<Option<DateTime<Utc>>> = vec![None; n];
    let opening = day.entries[0].arrived_at;
    // When each counter is really free, and whom it serves since when.
    let mut free_at = vec![opening; counters];
    let mut serving: Vec<Option<(DateTime<Utc>, usize)>> = vec![None; counters];
    let mut state = ShareState::default();
    let mut next_arrival = 0;
    let mut today: Vec<ServiceSample> = Vec::new();
    while called_at.iter().any(Option::is_none) {
        let (counter, counter_free) = free_at
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(k, at)| (at, k))
            .unwrap();
        let arrival_time = day.entries.get(next_arrival).map(|e| e.arrived_at);
        if let Some(now) = arrival_time.filter(|&t| t <= counter_free) {
            let waiting: Vec<QueueEntry> = day.entries[..=next_arrival]
                .iter()
                .zip(&called_at)
                .filter(|(_, c)| c.is_none())
                .map(|(e, _)| e.clone())
                .collect();
            // Services finished by now, and who is at which counter.
            let finished = today.iter().copied();
            let open = (0..counters)
                .map(|k| match serving[k] {
                    Some((since, i)) if since + day.service[i] > now => OpenCounter::Serving {
                        since,
                        party_size: day.entries[i].party_size,
                    },
                    _ => OpenCounter::Idle,
                })
                .collect();
            let mut service: Vec<ServiceSample> = day.history.clone();
            service.extend(finished);
            service.extend(
                serving
                    .iter()
                    .flatten()
                    .filter(|&&(since, i)| since + day.service[i] <= now)
                    .map(|&(_, i)| ServiceSample {
                        party_size: day.entries[i].party_size,
                        minutes: day.service[i].num_seconds() as f64 / 60.0,
                    }),
            );
            let mut inputs = EstimateInputs {
                open,
                plan: Vec::new(),
                service,
                minutes_per_person: f64::from(policy.minutes_per_person),
                bookings: bookings(day, next_arrival + 1),
                show_rate: SHOW_RATE,
                check_in_offsets_minutes: day.offsets.clone(),
                walk_ins_per_hour: day.rates.clone(),
            };
            if told != Told::Known {
                inputs.bookings.clear();
                inputs.walk_ins_per_hour.clear();
            }
            if told == Told::NoSpread {
                inputs.service = (1..=10)
                    .flat_map(|n| {
                        std::iter::repeat_n(
                            ServiceSample {
                                party_size: n,
                                minutes: PER_PERSON * f64::from(n),
                            },
                            12,
                        )
                    })
                    .collect();
            }
            let projected = project_with(&waiting, policy, tz, &state, now, &inputs);
            let new = projected
                .iter()
                .find(|p| p.entry_id == day.entries[next_arrival].id)
                .unwrap();
            window[next_arrival] = Some(new.estimate.expect("counters are open"));
            let sizes: Vec<u32> = projected
                .iter()
                .filter(|p| p.position < new.position)
                .map(|p| {
                    waiting
                        .iter()
                        .find(|e| e.id == p.entry_id)
                        .unwrap()
                        .party_size
                })
                .collect();
            ahead[next_arrival] = (sizes.len(), service_bound_minutes(&sizes, counters));
            next_arrival += 1;
            continue;
        }
        let now = counter_free;
        if let Some((since, i)) = serving[counter].take() {
            today.push(ServiceSample {
                party_size: day.entries[i].party_size,
                minutes: (now - since).num_seconds() as f64 / 60.0,
            });
        }
        let waiting: Vec<QueueEntry> = day.entries[..next_arrival]
            .iter()
            .zip(&called_at)
            .filter(|(_, c)| c.is_none())
            .map(|(e, _)| e.clone())
            .collect();
        match next_call(&waiting, policy, tz, &state, now) {
            Some(call) => {
                let i = day
                    .entries
                    .iter()
                    .position(|e| e.id == call.entry_id)
                    .unwrap();
                called_at[i] = Some(now);
                state = call.state;
                free_at[counter] = now + day.service[i];
                serving[counter] = Some((now, i));
            }
            None => {
                // Idle until the next registration or eligibility.
                let next = day
                    .entries
                    .iter()
                    .zip(&called_at)
                    .filter(|(_, c)| c.is_none())
                    .map(|(e, _)| place(e, policy).eligible_at.max(e.arrived_at))
                    .filter(|&t| t > now)
                    .min()
                    .unwrap();
                free_at[counter] = next;
            }
        }
    }
    (0..n)
        .map(|i| Outcome {
            window: window[i].unwrap(),
            arrived_at: day.entries[i].arrived_at,
            called_at: called_at[i].unwrap(),
            ahead: ahead[i].0,
            bound: ahead[i].1,
        })
        .collect()
}

/// The bookings not yet checked in when `entries[..arrived]` have come: the rest of the
/// day's booked entries and the no-shows, as the app knows them (slot, party size).
fn bookings(day: &Day, arrived: usize) -> Vec<QueueEntry> {
    day.entries[arrived..]
        .iter()
        .filter(|e| e.class == Class::Appointment)
        .chain(&day.no_shows)
        .map(|e| {
            let slot = e.slot_at.unwrap();
            QueueEntry {
                id: -e.id,
                seq: 0,
                class: Class::Appointment,
                tier: Tier::Standard,
                party_size: e.party_size,
                arrived_at: slot,
                slot_at: Some(slot),
            }
        })
        .collect()
}

#[derive(Debug)]
struct Quality {
    calls: usize,
    after: f64,
    before: f64,
    median_width: f64,
    median_wait: f64,
    median_error: f64,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn quality(outcomes: &[Outcome]) -> Quality {
    let minutes = |d: Duration| d.num_seconds() as f64 / 60.0;
    let n = outcomes.len();
    Quality {
        calls: n,
        after: outcomes
            .iter()
            .filter(|o| o.called_at > o.window.latest)
            .count() as f64
            / n as f64,
        before: outcomes
            .iter()
            .filter(|o| o.called_at < o.window.earliest)
            .count() as f64
            / n as f64,
        median_width: median(
            outcomes
                .iter()
                .map(|o| minutes(o.window.latest - o.window.earliest))
                .collect(),
        ),
        median_wait: median(
            outcomes
                .iter()
                .map(|o| minutes(o.called_at - o.arrived_at))
                .collect(),
        ),
        median_error: median(
            outcomes
                .iter()
                .map(|o| {
                    let middle = o.window.earliest + (o.window.latest - o.window.earliest) / 2;
                    minutes(o.called_at - middle).abs()
                })
                .collect(),
        ),
    }
}

/// The windows of `days` busy days of `counters` counters at `load_percent`.
fn measure(counters: u64, load_percent: u64, days: u64) -> Quality {
    measure_days(Arrivals::Rush, 1, counters, load_percent, days)
}

/// The windows of the days of `shape` with seeds `first_seed..first_seed + days`.
fn measure_days(
    shape: Arrivals,
    first_seed: u64,
    counters: u64,
    load_percent: u64,
    days: u64,
) -> Quality {
    let policy = Policy::default();
    let mut all = Vec::new();
    for seed in first_seed..first_seed + days {
        let day = day_of(shape, seed, counters, load_percent);
        all.extend(replay(
            &day,
            counters as usize,
            &policy,
            Tz::America__Tijuana,
        ));
    }
    let q = quality(&all);
    println!(
        "| {counters} | {load_percent}% | {} | {:.1}% | {:.1}% | {:.0} min | {:.0} min | {:.1} min |",
        q.calls,
        q.after * 100.0,
        q.before * 100.0,
        q.median_width,
        q.median_wait,
        q.median_error,
    );
    q
}

/// Days per counter count: about 1,000 calls each, enough for a 5% share to mean something
/// and quick in a debug build.
fn days_for(counters: u64) -> u64 {
    match counters {
        2 => 24,
        4 => 12,
        _ => 6,
    }
}

/// The coverage and error targets for each load, all measured before any is asserted so a
/// failure shows the whole table. With `width` also the width target (see
/// [`width_target_on_busy_days`]).
fn assert_targets(counters: u64, width: bool) {
    let mut failures = Vec::new();
    for load in [70, 85, 95] {
        let q = measure(counters, load, days_for(counters));
        let label = format!("{counters} counters at {load}% load: {q:?}");
        if q.after > 0.05 {
            failures.push(format!("calls after latest, {label}"));
        }
        if q.before > 0.05 {
            failures.push(format!("calls before earliest, {label}"));
        }
        if width && q.median_width > (q.median_wait / 2.0).max(15.0) {
            failures.push(format!("median width, {label}"));
        }
        if q.median_error > 15.0 {
            failures.push(format!("median error of the middle, {label}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Measured (`cargo test -p portqueue-core --test engine_estimates -- --nocapture`):
///
/// | counters | load | calls | after `latest` | before `earliest` | median width | median wait | median error |
/// | --- | --- | --- | --- | --- | --- | --- | --- |
/// | 2 | 70% | 624 | 1.9% | 3.5% | 34 min | 5 min | 9.2 min |
/// | 2 | 85% | 768 | 2.3% | 2.6% | 53 min | 16 min | 12.3 min |
/// | 2 | 95% | 864 | 3.9% | 2.4% | 63 min | 29 min | 13.2 min |
/// | 4 | 70% | 636 | 2.0% | 1.1% | 18 min | 2 min | 5.0 min |
/// | 4 | 85% | 768 | 3.0% | 4.2% | 30 min | 10 min | 6.8 min |
/// | 4 | 95% | 864 | 3.0% | 3.4% | 34 min | 15 min | 7.6 min |
/// | 8 | 70% | 630 | 1.9% | 1.6% | 11 min | 2 min | 5.0 min |
/// | 8 | 85% | 768 | 2.5% | 2.1% | 16 min | 6 min | 5.0 min |
/// | 8 | 95% | 858 | 2.4% | 1.2% | 18 min | 8 min | 5.0 min |
///
/// (Re-measured when each run got its own generator and the waiting entries' service times
/// were drawn last, so a projection can be continued with one more walk-in: the same
/// targets hold; the figures moved by a few tenths of a percent.)
#[test]
fn two_counters_keep_calls_inside_the_window() {
    assert_targets(2, false);
}

#[test]
fn four_counters_keep_calls_inside_the_window() {
    assert_targets(4, false);
}

#[test]
fn eight_counters_keep_calls_inside_the_window() {
    assert_targets(8, false);
}

/// Not met: the median width target (half the median wait, or 15 minutes; on these days
/// always the 15 minutes). Met only at 8 counters and 70% (11 min). Why (measured by
/// [`width_breakdown`] and [`held_out_days_keep_the_coverage_targets`]):
/// - The windows are as narrow as what is known allows for the 5% targets: the shares
///   outside are 1-4% a side, as the ranks promise (3 in 101), so the runs' spread is
///   not wider than the real one. The ranks nearest 5% that keep both shares under 5% on
///   held-out days (4.5% / 96%) narrow the median by about a tenth (2 counters at 95%:
///   61 to 55 min) but already give 5.0% after and 5.2% before on these days: no slack.
///   Dropping the widening to the nominal call narrows by at most a minute and puts up
///   to 6% of calls before the window. More runs would narrow by the gap between rank
///   3 of 101 and the 3.5% quantile: a few percent.
/// - Told that nobody will arrive (so only the service times of the parties ahead and
///   what remains of the services at the counters are uncertain), the median width is
///   still 21, 33 and 42 min at 2 counters and 20 and 23 min at 4 counters at 85% and
///   95%: above 15 minutes whatever is known of the arrivals. A party of 2.55 persons
///   takes 25.5 min on average with a spread of about 0.53 of that, so even one party
///   ahead at 2 counters gives a 90% window of about 3.29 x 0.53 x 25.5 / 2 = 22 min.
/// - The rest (4 counters at 70%: 11 to 18 min; 8 counters at 85% and 95%: 11-12 to
///   16-18 min) comes from the people who may arrive ahead: bookings that may or may not
///   come, an hour early to half an hour late, which get 70% of the counters while both
///   queues wait, and priority walk-ins, who pass anyone who came less than two hours
///   before them.
/// - On days with steady arrivals (no opening rush) the target is met at 4 counters and
///   70% and at 8 counters; not at 2 counters (22-40 min) nor 4 counters at 85-95% (18,
///   25 min).
///
/// So the target cannot be met together with the 5% targets on these days without
/// information a port does not have; it stays here, ignored, to be reconsidered with the
/// issue's author. Run with `--ignored` to see it fail.
#[test]
#[ignore = "the width target is not met on these days; see the doc comment"]
fn width_target_on_busy_days() {
    for counters in [2, 4, 8] {
        assert_targets(counters, true);
    }
}

/// Where the width comes from (run with `--ignored --nocapture`; a diagnosis, it asserts
/// nothing but that it ran). For each counter count and load: the windows by parties
/// projected ahead at registration (share of calls, median width, median wait, median
/// [`service_bound_minutes`], shares outside), then the median width when the estimates are
/// told nothing about arrivals still to come, and when also every service takes exactly
/// its mean ([`Told`]).
#[test]
#[ignore = "a diagnosis of the window width, printed; slow"]
fn width_breakdown() {
    let policy = Policy::default();
    let minutes = |d: Duration| d.num_seconds() as f64 / 60.0;
    for counters in [2u64, 4, 8] {
        for load in [70u64, 85, 95] {
            let days = days_for(counters);
            let mut by_told = Vec::new();
            for told in [Told::Known, Told::NoArrivals, Told::NoSpread] {
                let mut all = Vec::new();
                for seed in 1..=days {
                    let day = busy_day(seed, counters, load);
                    all.extend(replay_told(
                        &day,
                        counters as usize,
                        &policy,
                        Tz::America__Tijuana,
                        told,
                    ));
                }
                by_told.push(all);
            }
            let known = &by_told[0];
            println!("\n{counters} counters, {load}% load, {} calls", known.len());
            println!(
                "| ahead | calls | median width | median wait | median floor | after | before | width = 10 min |"
            );
            println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
            for (label, lo, hi) in [
                ("0", 0, 0),
                ("1", 1, 1),
                ("2-3", 2, 3),
                ("4-7", 4, 7),
                ("8-15", 8, 15),
                ("16+", 16, usize::MAX),
            ] {
                let part: Vec<&Outcome> = known
                    .iter()
                    .filter(|o| (lo..=hi).contains(&o.ahead))
                    .collect();
                if part.is_empty() {
                    continue;
                }
                let share = |f: &dyn Fn(&Outcome) -> bool| {
                    part.iter().filter(|o| f(o)).count() as f64 / part.len() as f64 * 100.0
                };
                println!(
                    "| {label} | {:.0}% | {:.0} | {:.0} | {:.0} | {:.1}% | {:.1}% | {:.0}% |",
                    part.len() as f64 / known.len() as f64 * 100.0,
                    median(
                        part.iter()
                            .map(|o| minutes(o.window.latest - o.window.earliest))
                            .collect()
                    ),
                    median(
                        part.iter()
                            .map(|o| minutes(o.called_at - o.arrived_at))
                            .collect()
                    ),
                    median(part.iter().map(|o| o.bound).collect()),
                    share(&|o| o.called_at > o.window.latest),
                    share(&|o| o.called_at < o.window.earliest),
                    share(&|o| o.window.latest - o.window.earliest <= Duration::minutes(10)),
                );
            }
            let widths: Vec<String> = by_told
                .iter()
                .map(|all| {
                    format!(
                        "{:.0}",
                        median(
                            all.iter()
                                .map(|o| minutes(o.window.latest - o.window.earliest))
                                .collect()
                        )
                    )
                })
                .collect();
            println!(
                "median width told everything / no arrivals / no arrivals nor spread: {} min; median floor {:.0} min; median wait {:.0} min",
                widths.join(" / "),
                median(known.iter().map(|o| o.bound).collect()),
                median(
                    known
                        .iter()
                        .map(|o| minutes(o.called_at - o.arrived_at))
                        .collect()
                ),
            );
        }
    }
}

/// The same targets on days the windows were never tuned on (seeds from 1001, five times
/// as many days), for the rush days and for days with steady arrivals; prints both tables
/// with the width target beside the median width. Run with `--ignored --nocapture`
/// (a release build takes seconds, a debug one minutes).
#[test]
#[ignore = "held-out days for calibrating the window ranks; slow in a debug build"]
fn held_out_days_keep_the_coverage_targets() {
    let mut failures = Vec::new();
    for shape in [Arrivals::Rush, Arrivals::Steady] {
        println!("\n{shape:?} arrivals, held-out days");
        println!(
            "| counters | load | calls | after `latest` | before `earliest` | median width | median wait | median error |"
        );
        println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for counters in [2, 4, 8] {
            for load in [70, 85, 95] {
                let q = measure_days(shape, 1001, counters, load, 5 * days_for(counters));
                if q.after > 0.05 || q.before > 0.05 {
                    failures.push(format!("{shape:?}, {counters} counters, {load}%: {q:?}"));
                }
                println!(
                    "width target {:.0} min: {}",
                    (q.median_wait / 2.0).max(15.0),
                    if q.median_width <= (q.median_wait / 2.0).max(15.0) {
                        "met"
                    } else {
                        "not met"
                    }
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
