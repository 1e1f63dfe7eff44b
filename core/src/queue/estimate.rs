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
//! - a counter idle now calls nobody before the last appointment or priority party
//!   waiting came (a projection is made from the start of the minute); under language
//!   matching, before the last party waiting came;
//! - booked appointments not yet checked in come with the port's show rate, at their slot
//!   shifted by a check-in offset drawn from the port's own;
//! - walk-ins arrive at the port's usual rates by tier: priority ones count
//!   `priority_boost` earlier and urgent ones go first, so they are the ones that pass
//!   people already waiting.
//!
//! `earliest` and `latest` are the [`LOW_QUANTILE`] and [`HIGH_QUANTILE`] of the call times
//! of those runs, widened to hold the nominal call (mean service, nobody new) and to be at
//! least [`MIN_WIDTH_MINUTES`] wide; never before `now` nor before the entry is eligible.
//! Each run draws from its own generator, seeded by `now` and the run's number, and the
//! entries are put in a canonical order first, so the same inputs always give the same
//! windows (G6). Within a run the arrivals still to come and the counters' remaining
//! service are drawn first, then the waiting entries' service times in canonical order, so
//! that one more walk-in registered last changes no earlier draw ([`Projection`]).
//!
//! Measured on the synthetic busy days of `tests/engine_estimates.rs`: see the table there.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::engine::{Run, Span, Stop, Walk};
use super::matching::{EntryLanguage, EstimateMatching, RunMatching};
use super::{
    Counters, EstimateInputs, OpenCounter, Placement, Projected, QueueEntry, ServiceSample,
    ShareState, Window, place, reason,
};
use crate::model::{Class, Policy, Tier};

thread_local! {
    /// Projections of a non-empty queue this thread made afresh ([`fresh_projections`]).
    static FRESH: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many projections of a non-empty queue this thread has made afresh (not continued):
/// lets a test see that a change continued the kept projection instead of projecting the
/// whole queue again (a timing would be too noisy to tell). Per thread, so tests running
/// side by side do not count each other's.
pub fn fresh_projections() -> u64 {
    FRESH.with(std::cell::Cell::get)
}

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

/// How much earlier than the latest walk-in waiting a walk-in may be placed and still
/// continue a kept projection: the runs are kept paused where the walk-ins placed before
/// `latest - NEWCOMER_SLACK` run out, so each continuation calls again every walk-in placed
/// within the slack, in every run. None: the app registers a walk-in no earlier than the
/// one registered before it (its time is taken under the port's lock), so the runs pause at
/// the last walk-in and a registration costs the same however fast they come.
const NEWCOMER_SLACK: Duration = Duration::zero();

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
    let projection = Projection::new(entries, policy, tz, state, now, inputs);
    Arc::try_unwrap(projection.projected).unwrap_or_else(|shared| (*shared).clone())
}

/// A projection (exactly [`super::project_with`]'s), kept with what it takes to make the
/// projection of the same queue with one more standard walk-in at the cost of what the
/// newcomer changes, not of the whole queue.
///
/// **Why the continuation is exact.** Every run of the projection (the nominal one and each
/// sampled one) is the engine driven forward from `now`. A standard walk-in registered after
/// every entry waiting, and placed no earlier than any of them, queues behind every real
/// walk-in; it can change a call only where it could head the walk-in line (no urgent entry
/// and no real walk-in eligible) or where it alone keeps the walk-in class "backlogged" for
/// the share rule. So each run is kept paused just before its first such call (the rest of
/// the run was made after it); the projection with the newcomer continues each run from
/// there with the newcomer added, which makes exactly the calls the same run of the new
/// queue makes. That needs the runs of the new queue to draw the same randomness as the old
/// ones: each run has its own generator, seeded by `now` and the run's number, and draws the
/// arrivals still to come and the counters' remaining service before the waiting entries'
/// service times, in their canonical order (the newcomer, registered last, draws last).
///
/// Under language matching ([`Projection::new_matched`]) a counter with languages walks the
/// fair order and may pass people over; the newcomer, behind every real walk-in, changes
/// such a call only where the walk passes over as many walk-ins as there are real ones
/// ahead of the newcomer (so the newcomer would be the walk-in line's head), or passes over
/// everyone, or where it alone keeps walk-ins "backlogged": the runs pause before the first
/// such call (`Run::call_matched`), and the newcomer's language is read only from there on.
///
/// The continuation applies only where the fresh projection is the same computation
/// ([`Projection::continues_with`]): same inputs and instant, a standard walk-in registered
/// after every entry, the same number of runs, the same counters' languages and wait limit,
/// under matching no idle counter or a newcomer who came no later than the last party
/// waiting, and the same look-ahead (`horizon`, `standard_until`, from the nominal run) once
/// the nominal run is continued. Anything else is projected afresh.
#[derive(Debug)]
pub struct Projection {
    projected: Arc<Vec<Projected>>,
    kept: Option<Box<Kept>>,
}

/// A clone owns its own projected list, so continuing it never copies the list again.
impl Clone for Projection {
    fn clone(&self) -> Self {
        Projection {
            projected: Arc::new(self.projected.as_ref().clone()),
            kept: self.kept.clone(),
        }
    }
}

/// What a [`Projection`] keeps to be continued.
#[derive(Debug, Clone)]
struct Kept {
    policy: Policy,
    tz: Tz,
    state: ShareState,
    now: DateTime<Utc>,
    inputs: EstimateInputs,
    model: ServiceModel,
    /// Waiting entries (the canonical indices run from 0 to `n`).
    n: usize,
    /// Sampled runs; 0 with no counter open.
    samples: usize,
    /// `(seq, id)` of the last entry in canonical order.
    last: (i64, i64),
    /// The earliest a newcomer may be placed to continue this projection: the latest
    /// effective time of a real entry ordered as a walk-in (urgent ones aside), less
    /// [`NEWCOMER_SLACK`]; the runs are paused for newcomers placed from then on.
    newcomers_from: DateTime<Utc>,
    horizon: DateTime<Utc>,
    standard_until: DateTime<Utc>,
    /// Each entry's nominal call time, by canonical index.
    nominal: Vec<Option<DateTime<Utc>>>,
    /// The latest nominal call before the nominal run's pause, of anyone and of an entry
    /// ordered as an appointment.
    prefix_last: Option<DateTime<Utc>>,
    prefix_last_appointment: Option<DateTime<Utc>>,
    nominal_run: Paused,
    runs: Vec<Paused>,
    /// Call times in the sampled runs, `times[j * samples + r]`: nanoseconds after `now`,
    /// [`NOT_CALLED`] for none.
    times: Vec<i64>,
    /// Where each entry (canonical index) is in `projected`.
    position: Vec<usize>,
    /// The counters' languages and the wait limit the runs called under (`None`: no
    /// language matching); a continuation needs the same.
    matching: Option<(Vec<Option<Vec<String>>>, u32)>,
    /// When the counters idle now call first in the runs ([`idle_until`]).
    idle_until: DateTime<Utc>,
}

const NOT_CALLED: i64 = i64::MIN;

/// One run kept at its pause.
#[derive(Debug, Clone)]
struct Paused {
    /// `None`: no counter was left open, so nobody after the pause is called.
    run: Option<Run<'static>>,
    walk: Walk,
    /// The run's counters (shared: they never change once the run is made).
    spans: Arc<[Span]>,
    /// For each entry of `run`: its canonical index, or `None` for an arrival still to come.
    canon: Vec<Option<usize>>,
    /// For each entry of `run`: how long it keeps its counter.
    service: Vec<Duration>,
    /// The run's generator after every draw so far.
    rng: Rng,
}

/// The calls of one run: entry, time, place in the call sequence.
type Calls = Vec<(usize, DateTime<Utc>, usize)>;

impl Paused {
    /// Drives `run` (whose real entry `i` has the canonical index `canon[i]`) to its pause
    /// and keeps it there, then on to the end; returns the kept run and every real entry's
    /// call.
    fn drive(
        mut run: Run<'_>,
        mut walk: Walk,
        spans: Arc<[Span]>,
        canon: Vec<Option<usize>>,
        service: Vec<Duration>,
        rng: Rng,
    ) -> (Paused, Calls) {
        let mut calls: Calls = Vec::new();
        let mut record = |i: usize, at: DateTime<Utc>, seq: usize| {
            if let Some(j) = canon[i] {
                calls.push((j, at, seq));
            }
        };
        let stop = run.walk(
            &spans,
            &mut walk,
            true,
            &mut record,
            |i| canon[i].is_some(),
            |i| service[i],
        );
        let kept = if stop == Stop::Exhausted {
            Paused {
                run: None,
                walk: walk.clone(),
                spans: Arc::from(Vec::new()),
                canon: Vec::new(),
                service: Vec::new(),
                rng: rng.clone(),
            }
        } else {
            let (rest, old) = run.rest();
            Paused {
                run: Some(rest),
                walk: walk.clone(),
                spans: Arc::clone(&spans),
                canon: old.iter().map(|&i| canon[i]).collect(),
                service: old.iter().map(|&i| service[i]).collect(),
                rng: rng.clone(),
            }
        };
        if stop == Stop::Paused {
            run.walk(
                &spans,
                &mut walk,
                false,
                &mut record,
                |i| canon[i].is_some(),
                |i| service[i],
            );
        }
        (kept, calls)
    }

    /// The real entries this kept run has still to call.
    fn waiting(&self) -> impl Iterator<Item = usize> + '_ {
        self.canon.iter().flatten().copied()
    }

    /// Continues with a newcomer of canonical index `j`: returns the run kept at its new
    /// pause and the calls of every real entry the kept run had still to call, and of the
    /// newcomer. `service` draws the newcomer's service from the run's generator; the new
    /// pause is for newcomers placed from `newcomers_from` on. Consumes the kept run: a
    /// registration replaces it, and copying it first would double the copying (the
    /// nominal run, which may yet be given up, is continued from a clone).
    #[allow(clippy::too_many_arguments)]
    fn continued(
        self,
        newcomer: &QueueEntry,
        language: &EntryLanguage,
        j: usize,
        policy: &Policy,
        newcomers_from: DateTime<Utc>,
        service: impl FnOnce(&mut Rng) -> Duration,
    ) -> (Paused, Calls) {
        let Paused {
            run,
            mut walk,
            spans,
            mut canon,
            service: mut services,
            mut rng,
        } = self;
        let newcomer_service = service(&mut rng);
        let Some(mut run) = run else {
            return (
                Paused {
                    run: None,
                    walk,
                    spans,
                    canon,
                    service: services,
                    rng,
                },
                Vec::new(),
            );
        };
        run.push(newcomer.clone(), policy, language.clone());
        run.newcomers_from(newcomers_from);
        canon.push(Some(j));
        services.push(newcomer_service);
        walk.left += 1;
        Paused::drive(run, walk, spans, canon, services, rng)
    }
}

/// The generator of sampled run `run` of a projection from `now`.
fn run_rng(now: DateTime<Utc>, run: usize) -> Rng {
    let seed = (now.timestamp() as u64 ^ 0x9e37_79b9_7f4a_7c15)
        .wrapping_add((run as u64 + 1).wrapping_mul(0xd1b5_4a32_d192_ed03));
    Rng::new(seed)
}

fn offset(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> i64 {
    at.map_or(NOT_CALLED, |at| {
        (at - now).num_nanoseconds().unwrap_or(i64::MAX - 1)
    })
}

fn from_offset(now: DateTime<Utc>, nanos: i64) -> Option<DateTime<Utc>> {
    (nanos != NOT_CALLED).then(|| now + Duration::nanoseconds(nanos))
}

/// The look-ahead of the sampled runs from the nominal calls: how far arrivals are drawn
/// (`horizon`) and until when standard walk-ins still to come matter (`standard_until`).
/// Both are rounded up, the horizon to [`HORIZON_STEP_HOURS`] and `standard_until` to whole
/// hours after `now`: one more walk-in moves the last nominal call a few minutes, and a
/// look-ahead that moved with it would make each registration at a short queue project the
/// whole queue afresh ([`Projection::add_walk_in`] needs the same look-ahead); drawing a
/// little further ahead only adds arrivals after everyone waiting is called.
fn look_ahead(
    now: DateTime<Utc>,
    last_nominal: Option<DateTime<Utc>>,
    last_appointment: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let round_up = |at: DateTime<Utc>, step_hours: i64| {
        let step = Duration::hours(step_hours).num_seconds();
        let ahead = (at - now).num_seconds().max(0);
        now + Duration::seconds((ahead + step - 1) / step * step)
    };
    let last_nominal = last_nominal.unwrap_or(now);
    let horizon = round_up(
        now + (last_nominal - now) * 2 + Duration::hours(2),
        HORIZON_STEP_HOURS,
    )
    .min(now + Duration::hours(HORIZON_HOURS));
    // Standard walk-ins still to come queue behind every walk-in waiting: they matter
    // only to the appointments waiting, while those are still to be called.
    let standard_until = last_appointment.map_or(now, |at| round_up(at, 1).min(horizon));
    (horizon, standard_until)
}

/// The step the runs' horizon is rounded up to ([`look_ahead`]).
const HORIZON_STEP_HOURS: i64 = 3;

/// When the counters idle now may call first: the end of the minute in which the last
/// entry waiting that is not a standard walk-in came, when that is after `now` (the start of
/// the projection's minute), else `now`. A projection made from the start of the minute for
/// an appointment or a priority party who came later in it must not have a counter that was
/// still idle when they came call someone else before them: their call comes before the
/// window otherwise. A standard walk-in queues behind every walk-in waiting, so its arrival
/// changes no idle counter's choice (and a projection continued with one more,
/// [`Projection::add_walk_in`], keeps its runs).
///
/// Under language matching (`matched`) every entry counts: a standard walk-in's language
/// may be the one an idle counter covers, so a counter idle when the first of them came
/// must not call another's language before the one it covers came. That is why the first
/// call waits for the end of the minute rather than the arrival itself: every newcomer of
/// the minute comes before it, so none moves the idle counters' first call, and a matched
/// projection is continued with her as when every counter serves
/// ([`Projection::continues_with`]); only the first arrival of a minute moves it.
fn idle_until(entries: &[QueueEntry], now: DateTime<Utc>, matched: bool) -> DateTime<Utc> {
    entries
        .iter()
        .filter(|e| matched || !(e.class == Class::WalkIn && e.tier == Tier::Standard))
        .map(|e| minute_end(e.arrived_at, now))
        .max()
        .unwrap_or(now)
}

/// `at` rounded up to a whole number of minutes after `now`; `now` if `at` is not after it.
fn minute_end(at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let ahead = (at - now).num_milliseconds();
    if ahead <= 0 {
        return now;
    }
    now + Duration::minutes((ahead + 59_999) / 60_000)
}

/// The counters' free times in a sampled run (drawn) or the nominal one (mean service).
/// A counter idle now calls nobody before `idle_until` (see [`idle_until`]).
fn free_times(
    inputs: &EstimateInputs,
    model: &ServiceModel,
    now: DateTime<Utc>,
    idle_until: DateTime<Utc>,
    rng: Option<&mut Rng>,
) -> Vec<DateTime<Utc>> {
    let mut rng = rng;
    inputs
        .open
        .iter()
        .map(|c| match *c {
            OpenCounter::Idle => idle_until.max(now),
            OpenCounter::FreeAt(at) => at.max(now),
            OpenCounter::Serving { since, party_size } => match rng.as_deref_mut() {
                Some(rng) => {
                    let elapsed = (now - since).num_seconds().max(0) as f64 / 60.0;
                    now + minutes(model.remaining(party_size, elapsed, rng))
                }
                None => (since + minutes(model.mean(party_size))).max(now),
            },
        })
        .collect()
}

impl Projection {
    /// Projects `entries` afresh (the rule of [`super::project_with`]).
    pub fn new(
        entries: &[QueueEntry],
        policy: &Policy,
        tz: Tz,
        state: &ShareState,
        now: DateTime<Utc>,
        inputs: &EstimateInputs,
    ) -> Projection {
        Self::new_matched(entries, policy, tz, state, now, inputs, None)
    }

    /// Projects `entries` afresh with the counters calling under language matching as
    /// `matching` says (its entries' languages parallel to `entries`): every run, the
    /// nominal one and each sampled one, calls at a counter with languages exactly as
    /// [`super::next_call_matched`] would, the pass-over clocks running as they run live.
    /// Arrivals still to come have no language known, so any counter serves them. With
    /// `None`, or no counter with languages, exactly [`Projection::new`].
    #[allow(clippy::too_many_arguments)]
    pub fn new_matched(
        entries: &[QueueEntry],
        policy: &Policy,
        tz: Tz,
        state: &ShareState,
        now: DateTime<Utc>,
        inputs: &EstimateInputs,
        matching: Option<&EstimateMatching>,
    ) -> Projection {
        if entries.is_empty() {
            return Projection {
                projected: Arc::new(Vec::new()),
                kept: None,
            };
        }
        FRESH.with(|fresh| fresh.set(fresh.get() + 1));
        let matching = matching.filter(|m| m.in_effect());
        if let Some(m) = matching {
            assert_eq!(m.entries.len(), entries.len(), "one language per entry");
        }
        // A canonical order, so the order of the input is not part of the input (G6).
        let mut canonical: Vec<usize> = (0..entries.len()).collect();
        canonical.sort_by_key(|&i| (entries[i].seq, entries[i].id, entries[i].arrived_at));
        let languages: Vec<EntryLanguage> = match matching {
            Some(m) => canonical.iter().map(|&i| m.entries[i].clone()).collect(),
            None => Vec::new(),
        };
        let run_matching = |total: usize| {
            matching.map(|m| {
                let mut languages = languages.clone();
                languages.resize(total, EntryLanguage::default());
                RunMatching::new(m.counters.clone(), languages, m.wait_limit_minutes)
            })
        };
        let entries: Vec<QueueEntry> = canonical.iter().map(|&i| entries[i].clone()).collect();
        let entries = &entries[..];
        let n = entries.len();
        let model = ServiceModel::new(&inputs.service, inputs.minutes_per_person, policy);
        let placements: Vec<Placement> = entries.iter().map(|e| place(e, policy)).collect();
        let real: Vec<Option<usize>> = (0..n).map(Some).collect();

        // The nominal run: mean service, nobody new, the counters as they are and as planned.
        // Its order is the projected order, the one the live queue calls when nobody new
        // comes.
        let idle_until = idle_until(entries, now, matching.is_some());
        let idle_first = inputs
            .open
            .contains(&OpenCounter::Idle)
            .then_some(idle_until);
        let nominal_spans = spans(
            &free_times(inputs, &model, now, idle_until, None),
            &inputs.plan,
            now,
        );
        let nominal_service: Vec<Duration> = entries
            .iter()
            .map(|e| minutes(model.mean(e.party_size)))
            .collect();
        let latest_walk_in = (0..n)
            .filter(|&j| {
                placements[j].queue_class == Class::WalkIn && entries[j].tier != Tier::Urgent
            })
            .map(|j| placements[j].effective_at)
            .max();
        let newcomers_from = latest_walk_in.unwrap_or(now) - NEWCOMER_SLACK;
        let mut run = Run::new(entries, policy, tz, *state);
        if let Some(m) = run_matching(n) {
            run = run.with_matching(m);
        }
        run.newcomers_from(newcomers_from);
        let (nominal_run, calls) = Paused::drive(
            run,
            Walk::new(&nominal_spans, n),
            Arc::from(nominal_spans),
            real.clone(),
            nominal_service,
            Rng::new(0),
        );
        let mut nominal: Vec<Option<DateTime<Utc>>> = vec![None; n];
        let mut sequence: Vec<Option<usize>> = vec![None; n];
        for &(j, at, seq) in &calls {
            nominal[j] = Some(at);
            sequence[j] = Some(seq);
        }
        let prefix = nominal_run.walk.sequence;
        let latest = |before: bool, appointment: bool| {
            (0..n)
                .filter(|&j| !before || sequence[j].is_some_and(|s| s < prefix))
                .filter(|&j| !appointment || placements[j].queue_class == Class::Appointment)
                .filter_map(|j| nominal[j])
                .max()
        };
        let prefix_last = latest(true, false);
        let prefix_last_appointment = latest(true, true);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&j| (sequence[j].is_none(), sequence[j]));
        let no_counter = inputs.open.is_empty();
        let (horizon, standard_until) = look_ahead(now, latest(false, false), latest(false, true));
        // A priority walk-in counts `priority_boost` earlier: arriving later than that after
        // now it is behind every walk-in waiting now, and matters only as a standard one.
        let boost = Duration::minutes(i64::from(policy.priority_boost_minutes));
        let until = Until {
            any: horizon,
            priority: (now + boost).max(standard_until).min(horizon),
            standard: standard_until,
        };

        let samples = if no_counter { 0 } else { runs_for(n) };
        let mut times: Vec<i64> = vec![NOT_CALLED; n * samples];
        let mut runs = Vec::with_capacity(samples);
        let mut with_arrivals = entries.to_vec();
        for r in 0..samples {
            let mut rng = run_rng(now, r);
            let mut simulated = Vec::new();
            arrivals(&mut simulated, inputs, &model, policy, now, until, &mut rng);
            let free = free_times(inputs, &model, now, idle_until, Some(&mut rng));
            let mut service: Vec<Duration> = vec![Duration::zero(); n];
            let simulated_service: Vec<Duration> = simulated
                .iter()
                .map(|e| minutes(model.draw(e.party_size, &mut rng)))
                .collect();
            for (j, e) in entries.iter().enumerate() {
                service[j] = minutes(model.draw(e.party_size, &mut rng));
            }
            service.extend(simulated_service);
            with_arrivals.truncate(n);
            with_arrivals.extend(simulated);
            let total = with_arrivals.len();
            let mut canon = real.clone();
            canon.resize(total, None);
            let run_spans = spans(&free, &inputs.plan, now);
            let mut run = Run::with_simulated(
                std::borrow::Cow::Borrowed(&with_arrivals),
                n..total,
                policy,
                tz,
                *state,
            );
            if let Some(m) = run_matching(total) {
                run = run.with_matching(m);
            }
            run.newcomers_from(newcomers_from);
            let (kept, calls) = Paused::drive(
                run,
                Walk::new(&run_spans, n),
                Arc::from(run_spans),
                canon,
                service,
                rng,
            );
            for (j, at, _) in calls {
                times[j * samples + r] = offset(now, Some(at));
            }
            runs.push(kept);
        }

        let mut position = vec![0; n];
        let projected: Vec<Projected> = order
            .iter()
            .enumerate()
            .map(|(k, &j)| {
                position[j] = k;
                let estimate = if no_counter {
                    None
                } else {
                    window_of(
                        &times[j * samples..(j + 1) * samples],
                        now,
                        nominal[j],
                        now.max(placements[j].eligible_at),
                        idle_first,
                    )
                };
                Projected {
                    entry_id: entries[j].id,
                    position: u32::try_from(k + 1).unwrap_or(u32::MAX),
                    placement: placements[j],
                    reason: reason(&entries[j], policy, tz),
                    // With counters open the runs were sampled: no window means too few of
                    // them called it within their look-ahead.
                    beyond_look_ahead: !no_counter && estimate.is_none(),
                    estimate,
                    nominal_call_at: nominal[j],
                }
            })
            .collect();
        let last = entries.last().map_or((0, 0), |e| (e.seq, e.id));
        Projection {
            projected: Arc::new(projected),
            kept: Some(Box::new(Kept {
                policy: *policy,
                tz,
                state: *state,
                now,
                inputs: inputs.clone(),
                model,
                n,
                samples,
                last,
                newcomers_from,
                horizon,
                standard_until,
                nominal,
                prefix_last,
                prefix_last_appointment,
                nominal_run,
                runs,
                times,
                position,
                matching: matching.map(|m| (m.counters.clone(), m.wait_limit_minutes)),
                idle_until,
            })),
        }
    }

    /// The waiting entries in projected call order, with their windows.
    pub fn projected(&self) -> &Arc<Vec<Projected>> {
        &self.projected
    }

    /// Whether the projection of this queue with `newcomer` added, from the same instant with
    /// the same inputs, may be made by continuing this one: the one rule of when it is the
    /// same computation as a fresh projection (a rule that changes whom a counter calls must
    /// add its own condition here). The nominal run's look-ahead is checked after.
    #[allow(clippy::too_many_arguments)]
    fn continues_with(
        &self,
        newcomer: &QueueEntry,
        policy: &Policy,
        tz: Tz,
        state: &ShareState,
        now: DateTime<Utc>,
        inputs: &EstimateInputs,
        matching: Option<&EstimateMatching>,
    ) -> Option<&Kept> {
        let kept = self.kept.as_deref()?;
        let same_inputs = kept.now == now
            && kept.tz == tz
            && kept.policy == *policy
            && kept.state == *state
            && kept.inputs == *inputs;
        // A standard walk-in, registered after every entry (last in canonical order) and
        // placed no earlier than the runs were paused for: behind every real walk-in that
        // their pauses count on.
        let behind_everyone = newcomer.class == Class::WalkIn
            && newcomer.tier == Tier::Standard
            && (newcomer.seq, newcomer.id) > kept.last
            && kept.newcomers_from <= newcomer.arrived_at;
        let same_runs = kept.samples == 0 || runs_for(kept.n + 1) == kept.samples;
        // Under language matching the runs paused before any call whose walk of the fair
        // order could reach the newcomer (`Run::call_matched`), so the newcomer's language
        // matters only from there on; the counters' languages and the limit must be the
        // same. What the walks do not cover is the idle counters' first call: under
        // matching it waits for the end of the minute the last party waiting came in, the
        // newcomer included (`idle_until`), so a newcomer who came after that moves every
        // run's counters (the first to come in a minute does).
        let matching = matching.filter(|m| m.in_effect());
        let same_matching = match (&kept.matching, matching) {
            (None, None) => true,
            (Some((counters, limit)), Some(m)) => {
                *counters == m.counters && *limit == m.wait_limit_minutes
            }
            _ => false,
        };
        let same_idle = kept.matching.is_none()
            || minute_end(newcomer.arrived_at, now) <= kept.idle_until
            || !inputs.open.contains(&OpenCounter::Idle);
        (same_inputs && behind_everyone && same_runs && same_matching && same_idle).then_some(kept)
    }

    /// Makes this the projection of the same queue with `newcomer` added, from the same
    /// instant and inputs, by continuing its runs; exactly what [`Projection::new`] gives
    /// for the new queue. Returns `false` (and changes nothing) where the continuation
    /// does not apply: project the new queue afresh then.
    pub fn add_walk_in(
        &mut self,
        newcomer: &QueueEntry,
        policy: &Policy,
        tz: Tz,
        state: &ShareState,
        now: DateTime<Utc>,
        inputs: &EstimateInputs,
    ) -> bool {
        self.add_walk_in_matched(
            newcomer,
            &EntryLanguage::default(),
            policy,
            tz,
            state,
            now,
            inputs,
            None,
        )
    }

    /// [`Projection::add_walk_in`] for a projection made by [`Projection::new_matched`]:
    /// exactly what it gives for the new queue, the newcomer's language and pass-over clock
    /// being `language`. Of `matching` only the counters' languages and the wait limit are
    /// read (they must be the kept projection's); the other entries' languages are those the
    /// kept projection was made with.
    #[allow(clippy::too_many_arguments)]
    pub fn add_walk_in_matched(
        &mut self,
        newcomer: &QueueEntry,
        language: &EntryLanguage,
        policy: &Policy,
        tz: Tz,
        state: &ShareState,
        now: DateTime<Utc>,
        inputs: &EstimateInputs,
        matching: Option<&EstimateMatching>,
    ) -> bool {
        let Some(kept) = self.continues_with(newcomer, policy, tz, state, now, inputs, matching)
        else {
            return false;
        };
        let j = kept.n;
        let mean = minutes(kept.model.mean(newcomer.party_size));
        let placement = place(newcomer, policy);
        let newcomers_from = kept
            .newcomers_from
            .max(placement.effective_at - NEWCOMER_SLACK);
        let (nominal_run, nominal_calls) = kept.nominal_run.clone().continued(
            newcomer,
            language,
            j,
            policy,
            newcomers_from,
            |_| mean,
        );
        // The look-ahead of the sampled runs must come out the same.
        let appointment: Vec<bool> = nominal_calls
            .iter()
            .map(|&(c, _, _)| {
                c != j
                    && self.projected[kept.position[c]].placement.queue_class == Class::Appointment
            })
            .collect();
        let calls_last = nominal_calls.iter().map(|c| c.1).max();
        let calls_last_appointment = nominal_calls
            .iter()
            .zip(&appointment)
            .filter(|(_, a)| **a)
            .map(|(c, _)| c.1)
            .max();
        let (horizon, standard_until) = look_ahead(
            now,
            kept.prefix_last.max(calls_last),
            kept.prefix_last_appointment.max(calls_last_appointment),
        );
        // (Only the sampled runs look ahead: with no counter open there are none.)
        if kept.samples > 0 && (horizon != kept.horizon || standard_until != kept.standard_until) {
            return false;
        }

        let Some(kept) = self.kept.as_deref_mut() else {
            return false;
        };
        let samples = kept.samples;
        // Unchanged by this newcomer while a counter is idle (`continues_with`).
        let idle_first = inputs
            .open
            .contains(&OpenCounter::Idle)
            .then_some(kept.idle_until);
        // Everyone whose call may have moved: the real entries each run had still to call.
        let mut moved: Vec<usize> = kept.nominal_run.waiting().collect();
        kept.times.extend(std::iter::repeat_n(NOT_CALLED, samples));
        let model = &kept.model;
        let times = &mut kept.times;
        kept.runs = std::mem::take(&mut kept.runs)
            .into_iter()
            .enumerate()
            .map(|(r, old)| {
                for c in old.waiting() {
                    times[c * samples + r] = NOT_CALLED;
                    moved.push(c);
                }
                let (run, calls) =
                    old.continued(newcomer, language, j, policy, newcomers_from, |rng| {
                        minutes(model.draw(newcomer.party_size, rng))
                    });
                for (c, at, _) in calls {
                    times[c * samples + r] = offset(now, Some(at));
                }
                run
            })
            .collect();
        moved.push(j);
        moved.sort_unstable();
        moved.dedup();

        // The nominal order: unchanged before the old pause; after it, those called in call
        // order, then those never called in canonical order.
        let prefix = kept.nominal_run.walk.sequence;
        kept.nominal.push(None);
        kept.position.push(usize::MAX);
        for c in kept.nominal_run.waiting() {
            kept.nominal[c] = None;
        }
        // With no counter left open after the pause, nobody after it is called: the
        // newcomer is the last of those never called, everyone else keeps their place.
        let exhausted = kept.nominal_run.run.is_none();
        let mut called: HashMap<usize, usize> = HashMap::new();
        for &(c, at, seq) in &nominal_calls {
            kept.nominal[c] = Some(at);
            called.insert(c, seq);
        }
        let mut tail_order: Vec<(Option<usize>, usize)> = kept
            .nominal_run
            .waiting()
            .chain(std::iter::once(j))
            .map(|c| (called.get(&c).copied(), c))
            .collect();
        tail_order.sort_by_key(|&(seq, c)| (seq.is_none(), seq, c));
        let new_prefix = nominal_run.walk.sequence;
        for (&(_, at, seq), &appointment) in nominal_calls.iter().zip(&appointment) {
            if seq < new_prefix {
                kept.prefix_last = kept.prefix_last.max(Some(at));
                if appointment {
                    kept.prefix_last_appointment = kept.prefix_last_appointment.max(Some(at));
                }
            }
        }
        kept.nominal_run = nominal_run;
        kept.n += 1;
        kept.last = (newcomer.seq, newcomer.id);
        kept.newcomers_from = newcomers_from;
        if kept.matching.is_some() {
            kept.idle_until = kept.idle_until.max(minute_end(newcomer.arrived_at, now));
        }

        let projected = Arc::make_mut(&mut self.projected);
        let prefix = if exhausted { projected.len() } else { prefix };
        let mut old_tail: Vec<Option<Projected>> =
            projected.split_off(prefix).into_iter().map(Some).collect();
        for (k, &(_, c)) in tail_order.iter().enumerate() {
            let item = if c == j {
                Projected {
                    entry_id: newcomer.id,
                    position: 0,
                    placement,
                    reason: reason(newcomer, policy, tz),
                    estimate: None,
                    beyond_look_ahead: false,
                    nominal_call_at: None,
                }
            } else {
                match old_tail[kept.position[c] - prefix].take() {
                    Some(item) => item,
                    None => continue,
                }
            };
            kept.position[c] = prefix + k;
            projected.push(Projected {
                position: u32::try_from(prefix + k + 1).unwrap_or(u32::MAX),
                nominal_call_at: kept.nominal[c],
                ..item
            });
        }
        if samples > 0 {
            for c in moved {
                let item = &mut projected[kept.position[c]];
                item.estimate = window_of(
                    &kept.times[c * samples..(c + 1) * samples],
                    now,
                    kept.nominal[c],
                    now.max(item.placement.eligible_at),
                    idle_first,
                );
                item.beyond_look_ahead = item.estimate.is_none();
            }
        }
        true
    }
}

/// [`window`] from one entry's kept call times.
///
/// A window that would start at or before the idle counters' first call (`idle_first`, when a
/// counter is idle now) starts at `floor` instead (now, or when the entry becomes eligible):
/// the projection is made from the start of the minute and an idle counter makes its first
/// call in the runs at the end of the minute the last party came in ([`idle_until`]), while
/// live it calls whenever its officer presses, from the moment of the registration on. Only
/// the start moves, so the window never ends earlier.
fn window_of(
    times: &[i64],
    now: DateTime<Utc>,
    nominal: Option<DateTime<Utc>>,
    floor: DateTime<Utc>,
    idle_first: Option<DateTime<Utc>>,
) -> Option<Window> {
    let mut times: Vec<Option<DateTime<Utc>>> =
        times.iter().map(|&t| from_offset(now, t)).collect();
    let mut window = window(&mut times, nominal, floor)?;
    if idle_first.is_some_and(|first| window.earliest <= first) {
        window.earliest = floor;
    }
    Some(window)
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

/// Adds one run's arrivals still to come to `entries` (empty: the waiting entries are not
/// part of it, so the draws do not depend on them): the bookings that come, and the walk-ins
/// at the usual rates, up to `horizon`.
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
/// within their targets; the ends are only coarser. The count changes in a few steps (the
/// count at each step's longest queue), not with every entry: a registration that changed
/// it would project the whole queue afresh ([`Projection::add_walk_in`]).
fn runs_for(waiting: usize) -> usize {
    let longest = [50, 71, 100, 142, 208]
        .into_iter()
        .find(|&top| waiting.max(1) <= top)
        .unwrap_or(waiting);
    (SAMPLES * 50 / longest).clamp(MIN_SAMPLES_RUNS, SAMPLES)
}

/// The fewest runs of a projection: with 24 the window ends are the smallest and largest
/// call time, each outside with a chance of 1 in 25.
pub const MIN_SAMPLES_RUNS: usize = 24;

fn minutes(m: f64) -> Duration {
    Duration::seconds((m * 60.0).round() as i64)
}

/// The port's service times as the runs draw them.
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
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
