//! How good the estimate windows are (fair-queue.md, "Estimates": median absolute error
//! 15 minutes or less, 5% of calls or less after the printed upper bound), on busy days
//! where the real service time of a party varies from half to one and a half times the
//! assumed mean and people keep arriving after the estimate was printed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

use portqueue_core::model::{Class, Policy, Tier};
use portqueue_core::queue::{Counters, QueueEntry, ShareState, Window, next_call, project};

/// A small deterministic generator (64-bit LCG).
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

struct Day {
    entries: Vec<QueueEntry>,
    /// Real service seconds per entry.
    service: Vec<i64>,
    /// Booked appointments that never come: 15% of all bookings.
    no_shows: Vec<QueueEntry>,
}

impl Day {
    /// What the app knows at `now` about demand still to come: every booking not yet
    /// checked in (`entries[arrived..]` have not registered yet), as `Counters::expected`
    /// wants it: arriving at its slot, standard tier, a negative id.
    fn expected(&self, arrived: usize) -> Vec<QueueEntry> {
        self.entries[arrived..]
            .iter()
            .filter(|e| e.class == Class::Appointment)
            .chain(&self.no_shows)
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
}

/// About `load` of the counters' capacity, over eight hours.
fn busy_day(seed: u64, counters: u64, load_percent: u64) -> Day {
    let mut rng = Lcg(seed);
    // A second stream for the no-shows, so the arrivals are the same with or without them.
    let mut no_show_rng = Lcg(seed ^ 0x5eed);
    let start = Utc.with_ymd_and_hms(2026, 11, 25, 16, 0, 0).unwrap();
    // Mean party about 2.4 persons, 10 minutes a person: 24 minutes a party.
    let per_hour = counters * 60 * load_percent / (24 * 100);
    let n = per_hour * 8;
    let mut entries = Vec::new();
    let mut service = Vec::new();
    let mut no_shows = Vec::new();
    for i in 0..n {
        let arrived_at = start + Duration::seconds((rng.below(8 * 3600)) as i64);
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
        let party_size = if rng.below(10) == 0 {
            5 + rng.below(8) as u32
        } else {
            1 + rng.below(3) as u32
        };
        let slot_at = (class == Class::Appointment)
            .then(|| arrived_at + Duration::minutes(rng.below(90) as i64 - 30));
        entries.push(QueueEntry {
            id: i as i64 + 1,
            seq: 0,
            class,
            tier,
            party_size,
            arrived_at,
            slot_at,
        });
        // Half to one and a half times the assumed 10 minutes a person.
        let factor = 50 + rng.below(101) as i64;
        service.push(600 * i64::from(party_size) * factor / 100);
        // For every 17 bookings that come, 3 more never do: 15% of bookings are no-shows.
        if class == Class::Appointment && no_show_rng.below(17) < 3 {
            no_shows.push(QueueEntry {
                id: 100_000 + i as i64,
                seq: 0,
                class: Class::Appointment,
                tier: Tier::Standard,
                party_size: 1 + no_show_rng.below(3) as u32,
                arrived_at: start,
                slot_at: Some(start + Duration::minutes(no_show_rng.below(8 * 60) as i64)),
            });
        }
    }
    entries.sort_by_key(|e| e.arrived_at);
    for (i, e) in entries.iter_mut().enumerate() {
        e.seq = i as i64 + 1;
    }
    Day {
        entries,
        service,
        no_shows,
    }
}

/// Runs the day on the live queue; each entry's window is the one printed when it
/// registered, with the bookings not yet checked in as `expected` when `bookings` is set.
/// Returns (window, real call time) per entry.
fn replay(
    day: &Day,
    counters: usize,
    policy: &Policy,
    tz: Tz,
    bookings: bool,
) -> Vec<(Window, DateTime<Utc>)> {
    let n = day.entries.len();
    let service_of = |id: i64| {
        let i = day.entries.iter().position(|e| e.id == id).unwrap();
        (i, Duration::seconds(day.service[i]))
    };
    let mut window: Vec<Option<Window>> = vec![None; n];
    let mut called_at: Vec<Option<DateTime<Utc>>> = vec![None; n];
    // When each counter is really free, and when the app believes it will be.
    let opening = day.entries[0].arrived_at;
    let mut free_at = vec![opening; counters];
    let mut expected_free = vec![opening; counters];
    let mut state = ShareState::default();
    let mut next_arrival = 0;
    while called_at.iter().any(Option::is_none) {
        let (counter, counter_free) = free_at
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(k, at)| (at, k))
            .unwrap();
        // Registrations up to that moment print their estimates first.
        let arrival_time = day.entries.get(next_arrival).map(|e| e.arrived_at);
        if let Some(now) = arrival_time.filter(|&t| t <= counter_free) {
            let waiting: Vec<QueueEntry> = day.entries[..=next_arrival]
                .iter()
                .zip(&called_at)
                .filter(|(_, c)| c.is_none())
                .map(|(e, _)| e.clone())
                .collect();
            let counters_now = Counters {
                free_at: expected_free.iter().map(|&t| t.max(now)).collect(),
                minutes_per_person: f64::from(policy.minutes_per_person),
                expected: if bookings {
                    day.expected(next_arrival + 1)
                } else {
                    Vec::new()
                },
            };
            let projected = project(&waiting, policy, tz, &state, now, &counters_now);
            let new = projected
                .iter()
                .find(|p| p.entry_id == day.entries[next_arrival].id)
                .unwrap();
            window[next_arrival] = Some(new.estimate);
            next_arrival += 1;
            continue;
        }
        let now = counter_free;
        let waiting: Vec<QueueEntry> = day.entries[..next_arrival]
            .iter()
            .zip(&called_at)
            .filter(|(_, c)| c.is_none())
            .map(|(e, _)| e.clone())
            .collect();
        match next_call(&waiting, policy, tz, &state, now) {
            Some(call) => {
                let (i, service) = service_of(call.entry_id);
                called_at[i] = Some(now);
                state = call.state;
                free_at[counter] = now + service;
                expected_free[counter] = now
                    + Duration::minutes(
                        i64::from(policy.minutes_per_person) * i64::from(day.entries[i].party_size),
                    );
            }
            None => {
                // Idle until the next registration or eligibility.
                let next = day
                    .entries
                    .iter()
                    .zip(&called_at)
                    .filter(|(_, c)| c.is_none())
                    .map(|(e, _)| {
                        portqueue_core::queue::place(e, policy)
                            .eligible_at
                            .max(e.arrived_at)
                    })
                    .filter(|&t| t > now)
                    .min()
                    .unwrap();
                free_at[counter] = next;
            }
        }
    }
    window
        .into_iter()
        .zip(called_at)
        .map(|(w, c)| (w.unwrap(), c.unwrap()))
        .collect()
}

/// (median absolute error of the window's middle in minutes, share of calls after `latest`)
fn accuracy(results: &[(Window, DateTime<Utc>)]) -> (f64, f64) {
    let mut errors: Vec<i64> = results
        .iter()
        .map(|(w, at)| {
            let middle = w.earliest + (w.latest - w.earliest) / 2;
            (*at - middle).num_seconds().abs()
        })
        .collect();
    errors.sort_unstable();
    let median = errors[errors.len() / 2] as f64 / 60.0;
    let late = results.iter().filter(|(w, at)| *at > w.latest).count();
    (median, late as f64 / results.len() as f64)
}

/// (median error, share after `latest`) over 30 busy days of `counters` counters at
/// `load_percent` of their capacity.
fn measure(counters: u64, load_percent: u64, bookings: bool) -> (f64, f64) {
    let policy = Policy::default();
    let mut all = Vec::new();
    for seed in 1..=30 {
        let day = busy_day(seed, counters, load_percent);
        all.extend(replay(
            &day,
            counters as usize,
            &policy,
            Tz::America__Tijuana,
            bookings,
        ));
    }
    let (median, late) = accuracy(&all);
    println!(
        "{counters} counters, {load_percent}% load, bookings {}: {} calls, median error \
         {median:.1} min, {:.1}% after latest",
        if bookings { "known" } else { "unknown" },
        all.len(),
        late * 100.0
    );
    (median, late)
}

/// Both targets of fair-queue.md hold on these busy days, with the day's bookings not yet
/// checked in passed as `expected` (15% of them never come). Measured (30 days each):
///
/// | counters | load | median error | after `latest` |
/// | --- | --- | --- | --- |
/// | 4 | 70% | 12.0 min | 2.8% |
/// | 4 | 85% | 12.0 min | 4.0% |
/// | 4 | 95% | 12.7 min | 4.2% |
/// | 6 | 85% | 12.0 min | 2.5% |
///
/// Late calls come from people who register after the estimate was printed and pass the
/// entry (priority walk-ins within the boost, urgent entries, appointments checking in
/// before their slot) and from parties at a counter that take longer than assumed; the
/// slow run's factor (1.7) and overrun are what pay for them. With only 2 counters (85%
/// load: 14.4 min, 9.4% after `latest`; the per-class share rule before gave 12.6 min and
/// 9.3%) one late arrival or one long party holds half the capacity, and the upper-bound
/// target is not met: see `estimate.rs`.
#[test]
fn estimate_windows_meet_the_median_and_upper_bound_targets() {
    for (counters, load) in [(4, 70), (4, 85), (4, 95), (6, 85)] {
        let (median, late) = measure(counters, load, true);
        assert!(
            median <= 15.0,
            "{counters} counters, {load}%: median absolute error {median:.1} min"
        );
        assert!(
            late <= 0.05,
            "{counters} counters, {load}%: {:.1}% of calls after the upper bound",
            late * 100.0
        );
    }
    // Reported, not asserted: the known gap with two counters.
    measure(2, 85, true);
}

/// The bookings are what stands in for the other class's demand: without them the same
/// days have more calls after `latest`.
#[test]
fn known_bookings_keep_calls_within_the_upper_bound() {
    let (_, with) = measure(4, 85, true);
    let (_, without) = measure(4, 85, false);
    assert!(
        with < without,
        "{:.1}% after latest with the bookings, {:.1}% without",
        with * 100.0,
        without * 100.0
    );
}
