//! Projected call order and estimated call windows (docs/design/fair-queue.md, "Estimates").
//!
//! **Estimate window rule.** A window is a prediction interval for the call time, worked out
//! by running the engine forward from `now` many times ([`SAMPLES`] runs), each run a
//! plausible rest of the day drawn only from what is known at `now`:
//! - the parties at the counters finish after a service time drawn from the port's own
//!   service times for their party size, given that they have already been served as long
//!   as they have (a party at the counter for 25 minutes is not expected back in 5);
//! - every waiting party, and every party still to come, keeps a counter for a service
//!   time drawn the same way;
//! - the counters open now stay open until the counter plan says fewer are open; the plan's
//!   openings add counters then ([`EstimateInputs::plan`]);
//! - booked appointments not yet checked in come with the port's show rate, at their slot
//!   shifted by a check-in offset drawn from the port's own;
//! - walk-ins arrive at the port's usual rates by tier: priority ones count
//!   `priority_boost` earlier and urgent ones go first, so they are the ones that pass
//!   people already waiting.
//!
//! `earliest` and `latest` are the [`LOW_QUANTILE`] and [`HIGH_QUANTILE`] of the call times
//! of those runs, widened to hold the nominal call (mean service, nobody new) and to be at
//! least [`MIN_WIDTH_MINUTES`] wide; never before `now` nor before the entry is eligible.
//! The draws come from a generator seeded by `now`, and the entries are put in a canonical
//! order first, so the same inputs always give the same windows (G6).
//!
//! Measured on the synthetic busy days of `tests/engine_estimates.rs`: see the table there.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::engine::{Run, Span};
use super::{
    Counters, EstimateInputs, OpenCounter, Placement, Projected, QueueEntry, ServiceSample,
    ShareState, Window, place, reason,
};
use crate::model::{Class, Policy, Tier};

/// Runs drawn for each projection.
pub const SAMPLES: usize = 100;

/// Share of runs allowed to call an entry before its window (the window's lower quantile).
pub const LOW_QUANTILE: f64 = 0.035;

/// Share of runs that call an entry no later than its window's end.
pub const HIGH_QUANTILE: f64 = 0.965;

/// The narrowest window shown: a window narrower than this promises a precision no
/// counter keeps.
pub const MIN_WIDTH_MINUTES: i64 = 10;

/// Service samples of one party size needed before that size is drawn from its own; fewer,
/// and a per-person time drawn from every size is scaled to the party.
const MIN_SAME_SIZE: usize = 12;

/// Service samples needed before the port's own times replace the assumed distribution.
const MIN_SAMPLES: usize = 20;

/// Spread (log-space standard deviation) of the service time assumed before the port has
/// its own: a log-normal around `minutes_per_person x party`, as service times are.
const PRIOR_SIGMA: f64 = 0.5;

/// How far ahead the runs look for arrivals and plan changes.
const HORIZON_HOURS: i64 = 36;

pub(crate) fn project(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
    counters: &Counters,
) -> Vec<Projected> {
    project_with(
        entries,
        policy,
        tz,
        state,
        now,
        &EstimateInputs::from_counters(counters, policy, now),
    )
}

pub(crate) fn project_with(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
    inputs: &EstimateInputs,
) -> Vec<Projected> {
    if entries.is_empty() {
        return Vec::new();
    }
    // A canonical order, so the order of the input is not part of the input (G6).
    let mut entries = entries.to_vec();
    entries.sort_by_key(|e| (e.seq, e.id, e.arrived_at));
    let entries = &entries[..];
    let n = entries.len();
    let model = ServiceModel::new(&inputs.service, inputs.minutes_per_person, policy);
    let placements: Vec<Placement> = entries.iter().map(|e| place(e, policy)).collect();

    // The nominal run: mean service, nobody new, the counters as they are and as planned.
    // Its order is the projected order, the one the live queue calls when nobody new comes.
    let nominal_spans = spans(
        &inputs
            .open
            .iter()
            .map(|c| match *c {
                OpenCounter::Idle => now,
                OpenCounter::FreeAt(at) => at.max(now),
                OpenCounter::Serving { since, party_size } => {
                    (since + minutes(model.mean(party_size))).max(now)
                }
            })
            .collect::<Vec<_>>(),
        &inputs.plan,
        now,
    );
    let mut nominal_service: Vec<Duration> = entries
        .iter()
        .map(|e| minutes(model.mean(e.party_size)))
        .collect();
    let nominal =
        Run::new(entries, policy, tz, *state).run_spans(&nominal_spans, n, |i| nominal_service[i]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (nominal[i].is_none(), nominal[i].map(|c| c.1)));
    let nominal: Vec<Option<DateTime<Utc>>> = nominal.iter().map(|c| c.map(|c| c.0)).collect();
    let no_counter = inputs.open.is_empty();

    let windows: Vec<Option<Window>> = if no_counter {
        vec![None; n]
    } else {
        let last_nominal = nominal.iter().flatten().max().copied().unwrap_or(now);
        let horizon = (now + (last_nominal - now) * 2 + Duration::hours(2))
            .min(now + Duration::hours(HORIZON_HOURS));
        // Standard walk-ins still to come queue behind every walk-in waiting: they matter
        // only to the appointments waiting, while those are still to be called.
        let standard_until = (0..n)
            .filter(|&i| placements[i].queue_class == Class::Appointment)
            .filter_map(|i| nominal[i])
            .max()
            .map_or(now, |at| at.min(horizon));
        // A priority walk-in counts `priority_boost` earlier: arriving later than that after
        // now it is behind every walk-in waiting now, and matters only as a standard one.
        let boost = Duration::minutes(i64::from(policy.priority_boost_minutes));
        let until = Until {
            any: horizon,
            priority: (now + boost).max(standard_until).min(horizon),
            standard: standard_until,
        };
        let mut rng = Rng::new(now.timestamp() as u64 ^ 0x9e37_79b9_7f4a_7c15);
        let samples = runs_for(n);
        let mut times: Vec<Vec<Option<DateTime<Utc>>>> = vec![Vec::with_capacity(samples); n];
        let mut with_arrivals = entries.to_vec();
        for _ in 0..samples {
            with_arrivals.truncate(n);
            arrivals(
                &mut with_arrivals,
                inputs,
                &model,
                policy,
                now,
                until,
                &mut rng,
            );
            let free: Vec<DateTime<Utc>> = inputs
                .open
                .iter()
                .map(|c| match *c {
                    OpenCounter::Idle => now,
                    OpenCounter::FreeAt(at) => at.max(now),
                    OpenCounter::Serving { since, party_size } => {
                        let elapsed = (now - since).num_seconds().max(0) as f64 / 60.0;
                        now + minutes(model.remaining(party_size, elapsed, &mut rng))
                    }
                })
                .collect();
            nominal_service.clear();
            nominal_service.extend(
                with_arrivals
                    .iter()
                    .map(|e| minutes(model.draw(e.party_size, &mut rng))),
            );
            let calls = Run::new(&with_arrivals, policy, tz, *state).run_spans(
                &spans(&free, &inputs.plan, now),
                n,
                |i| nominal_service[i],
            );
            for (i, call) in calls.iter().enumerate() {
                times[i].push(call.map(|c| c.0));
            }
        }
        (0..n)
            .map(|i| {
                let floor = now.max(placements[i].eligible_at);
                window(&mut times[i], nominal[i], floor)
            })
            .collect()
    };

    order
        .iter()
        .enumerate()
        .map(|(position, &i)| Projected {
            entry_id: entries[i].id,
            position: u32::try_from(position + 1).unwrap_or(u32::MAX),
            placement: placements[i],
            reason: reason(&entries[i], policy, tz),
            estimate: windows[i],
        })
        .collect()
}

/// The window from one entry's call times over the runs (`None`: not called in that run,
/// as no counter was planned open long enough).
fn window(
    times: &mut [Option<DateTime<Utc>>],
    nominal: Option<DateTime<Utc>>,
    floor: DateTime<Utc>,
) -> Option<Window> {
    // `None` sorts first; put the runs without a call last, as the latest.
    times.sort_by_key(|t| (t.is_none(), *t));
    // The r-th smallest of k draws falls above a new draw with probability r / (k + 1):
    // r = floor(q (k + 1)) keeps each side's share at or below its quantile.
    let k = times.len();
    let rank = |share: f64| ((share * (k + 1) as f64).floor() as usize).clamp(1, k);
    let low = times[rank(LOW_QUANTILE) - 1];
    let high = times[k - rank(1.0 - HIGH_QUANTILE)];
    let mut earliest = low?;
    // The high quantile falls on a run without a call: the latest seen call is the best
    // known bound (only with a plan that closes every counter for a day and a half).
    let mut latest = high.or_else(|| times.iter().flatten().max().copied())?;
    if let Some(nominal) = nominal {
        earliest = earliest.min(nominal);
        latest = latest.max(nominal);
    }
    earliest = earliest.max(floor);
    latest = latest.max(earliest + Duration::minutes(MIN_WIDTH_MINUTES));
    Some(Window { earliest, latest })
}

/// Counter spans from the counters open now (their free times) and the plan's changes.
/// A drop in the plan closes the most recently opened spans at that time; a rise opens new
/// ones. Counters open now beyond the plan's count for the hour stay open until the plan's
/// next change.
fn spans(free: &[DateTime<Utc>], plan: &[(DateTime<Utc>, u32)], now: DateTime<Utc>) -> Vec<Span> {
    let mut spans: Vec<Span> = free
        .iter()
        .map(|&free_at| Span {
            free_at,
            closes_at: None,
        })
        .collect();
    let mut open: Vec<usize> = (0..spans.len()).collect();
    for &(at, count) in plan {
        if at <= now || at > now + Duration::hours(HORIZON_HOURS) {
            continue;
        }
        let count = count as usize;
        while open.len() > count {
            let k = open.pop().unwrap_or_default();
            spans[k].closes_at = Some(at);
        }
        while open.len() < count {
            open.push(spans.len());
            spans.push(Span {
                free_at: at,
                closes_at: None,
            });
        }
    }
    spans
}

/// Adds one run's arrivals still to come to `entries`: the bookings that come, and the
/// walk-ins at the usual rates, up to `horizon`.
fn arrivals(
    entries: &mut Vec<QueueEntry>,
    inputs: &EstimateInputs,
    model: &ServiceModel,
    policy: &Policy,
    now: DateTime<Utc>,
    until: Until,
    rng: &mut Rng,
) {
    let horizon = until.any;
    let late = Duration::minutes(i64::from(policy.late_window_minutes));
    let mut bookings: Vec<&QueueEntry> = inputs.bookings.iter().collect();
    bookings.sort_by_key(|e| (e.slot_at, e.id, e.party_size));
    let show_rate = inputs.show_rate.clamp(0.0, 1.0);
    for booking in bookings {
        let slot = booking.slot_at.unwrap_or(booking.arrived_at);
        // Past the late window it would come as a walk-in, behind everyone waiting now.
        if slot + late < now || slot > horizon || rng.unit() >= show_rate {
            continue;
        }
        let offset = if inputs.check_in_offsets_minutes.is_empty() {
            0.0
        } else {
            inputs.check_in_offsets_minutes[rng.below(inputs.check_in_offsets_minutes.len())]
        };
        entries.push(QueueEntry {
            arrived_at: (slot + minutes(offset)).max(now),
            slot_at: Some(slot),
            class: Class::Appointment,
            tier: Tier::Standard,
            seq: i64::MAX / 2 + entries.len() as i64,
            ..booking.clone()
        });
    }
    let standard_until = until.standard;
    let priority_until = until.priority;
    let steps = &inputs.walk_ins_per_hour;
    for (k, &(from, rates)) in steps.iter().enumerate() {
        let until = steps.get(k + 1).map_or(horizon, |next| next.0).min(horizon);
        let from = from.max(now);
        if from >= until {
            continue;
        }
        for (tier, per_hour) in [
            (Tier::Urgent, rates.urgent),
            (Tier::Priority, rates.priority),
            (Tier::Standard, rates.standard),
        ] {
            if !(per_hour.is_finite() && per_hour > 0.0) {
                continue;
            }
            let until = match tier {
                Tier::Standard => until.min(standard_until),
                Tier::Priority => until.min(priority_until),
                Tier::Urgent => until,
            };
            let mut at = from;
            loop {
                // Exponential gaps: a Poisson stream.
                let gap = -(1.0 - rng.unit()).ln() / per_hour * 60.0;
                at += minutes(gap);
                if at >= until {
                    break;
                }
                let id = -(1_000_000_000 + entries.len() as i64);
                entries.push(QueueEntry {
                    id,
                    seq: i64::MAX / 2 + entries.len() as i64,
                    class: Class::WalkIn,
                    tier,
                    party_size: model.party_size(rng),
                    arrived_at: at,
                    slot_at: None,
                });
            }
        }
    }
}

/// How far ahead one run draws walk-ins: urgent ones up to `any`, priority ones up to
/// `priority`, standard ones up to `standard`.
#[derive(Clone, Copy)]
struct Until {
    any: DateTime<Utc>,
    priority: DateTime<Utc>,
    standard: DateTime<Utc>,
}

/// Runs for a projection of `waiting` entries: [`SAMPLES`], fewer for very long queues
/// (down to [`MIN_SAMPLES_RUNS`]) past fifty waiting, so a long queue costs about what one of
/// fifty does. The quantile ranks adapt (see [`window`]), so the shares outside stay
/// within their targets; the ends are only coarser.
fn runs_for(waiting: usize) -> usize {
    (SAMPLES * 50 / waiting.max(1)).clamp(MIN_SAMPLES_RUNS, SAMPLES)
}

/// The fewest runs of a projection: with 24 the window ends are the smallest and largest
/// call time, each outside with a chance of 1 in 25.
pub const MIN_SAMPLES_RUNS: usize = 24;

fn minutes(m: f64) -> Duration {
    Duration::seconds((m * 60.0).round() as i64)
}

/// The port's service times as the runs draw them.
struct ServiceModel {
    by_size: BTreeMap<u32, Vec<f64>>,
    /// Minutes per person of every sample.
    per_person: Vec<f64>,
    party_sizes: Vec<u32>,
    mean_per_person: f64,
    prior_per_person: f64,
}

impl ServiceModel {
    fn new(samples: &[ServiceSample], minutes_per_person: f64, policy: &Policy) -> Self {
        let prior_per_person = if minutes_per_person.is_finite() && minutes_per_person > 0.0 {
            minutes_per_person
        } else {
            f64::from(policy.minutes_per_person)
        };
        let mut samples: Vec<ServiceSample> = samples
            .iter()
            .copied()
            .filter(|s| s.party_size > 0 && s.minutes.is_finite() && s.minutes > 0.0)
            .collect();
        samples.sort_by(|a, b| {
            (a.party_size, a.minutes)
                .partial_cmp(&(b.party_size, b.minutes))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut by_size: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
        for s in &samples {
            by_size.entry(s.party_size).or_default().push(s.minutes);
        }
        let per_person: Vec<f64> = samples
            .iter()
            .map(|s| s.minutes / f64::from(s.party_size))
            .collect();
        let persons: f64 = samples.iter().map(|s| f64::from(s.party_size)).sum();
        let mean_per_person = if samples.len() >= MIN_SAMPLES {
            samples.iter().map(|s| s.minutes).sum::<f64>() / persons
        } else {
            prior_per_person
        };
        Self {
            by_size,
            per_person,
            party_sizes: samples.iter().map(|s| s.party_size).collect(),
            mean_per_person,
            prior_per_person,
        }
    }

    fn enough(&self) -> bool {
        self.per_person.len() >= MIN_SAMPLES
    }

    /// The mean service of a party of this size, in minutes.
    fn mean(&self, party_size: u32) -> f64 {
        match self.by_size.get(&party_size) {
            Some(own) if self.enough() && own.len() >= MIN_SAME_SIZE => {
                own.iter().sum::<f64>() / own.len() as f64
            }
            _ => self.mean_per_person * f64::from(party_size),
        }
    }

    /// One service time of a party of this size, in minutes.
    fn draw(&self, party_size: u32, rng: &mut Rng) -> f64 {
        if self.enough() {
            if let Some(own) = self.by_size.get(&party_size)
                && own.len() >= MIN_SAME_SIZE
            {
                return own[rng.below(own.len())];
            }
            return self.per_person[rng.below(self.per_person.len())] * f64::from(party_size);
        }
        // Log-normal with the assumed mean.
        let sigma = PRIOR_SIGMA;
        self.prior_per_person
            * f64::from(party_size)
            * (sigma * rng.normal() - sigma * sigma / 2.0).exp()
    }

    /// What remains of a service that has lasted `elapsed` minutes: a draw longer than
    /// `elapsed` (the party is still there), or, when the party is already slower than
    /// nearly every draw, a short remainder.
    fn remaining(&self, party_size: u32, elapsed: f64, rng: &mut Rng) -> f64 {
        for _ in 0..32 {
            let total = self.draw(party_size, rng);
            if total > elapsed {
                return total - elapsed;
            }
        }
        rng.unit() * self.mean(party_size) * 0.25
    }

    /// The party size of someone still to come.
    fn party_size(&self, rng: &mut Rng) -> u32 {
        if self.party_sizes.is_empty() {
            1 + rng.below(3) as u32
        } else {
            self.party_sizes[rng.below(self.party_sizes.len())]
        }
    }
}

/// A small deterministic generator (SplitMix64): the same inputs give the same windows.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

impl EstimateInputs {
    /// The inputs a bare [`Counters`] gives: its counters free at their times, its mean
    /// service per person with the assumed spread, its bookings all coming at their slots,
    /// and no walk-ins expected.
    pub fn from_counters(counters: &Counters, policy: &Policy, now: DateTime<Utc>) -> Self {
        let open = if counters.free_at.is_empty() {
            vec![OpenCounter::Idle]
        } else {
            counters
                .free_at
                .iter()
                .map(|&at| {
                    if at <= now {
                        OpenCounter::Idle
                    } else {
                        OpenCounter::FreeAt(at)
                    }
                })
                .collect()
        };
        Self {
            open,
            plan: Vec::new(),
            service: Vec::new(),
            minutes_per_person: if counters.minutes_per_person.is_finite()
                && counters.minutes_per_person > 0.0
            {
                counters.minutes_per_person
            } else {
                f64::from(policy.minutes_per_person)
            },
            bookings: counters.expected.clone(),
            show_rate: 1.0,
            check_in_offsets_minutes: Vec::new(),
            walk_ins_per_hour: Vec::new(),
        }
    }
}
