//! Projected call order and estimated call windows (fair-queue.md, "Estimates").

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::engine::{Called, Run};
use super::{Counters, Placement, Projected, QueueEntry, ShareState, Window, place, reason};
use crate::model::{Class, Policy, Tier};

/// Service-time factor of the optimistic run that gives a window's earliest end.
///
/// **Estimate window rule.** "Show it as a range, not a point." The engine is run forward
/// from `now` with the same entries and counters:
/// - a *nominal* run at the expected service time per person (its order is the projected
///   order);
/// - a *fast* run at [`FAST_SERVICE_FACTOR`] times that service time;
/// - a *slow* run at [`SLOW_SERVICE_FACTOR`] times it, in which every counter also comes
///   free later by `(SLOW_SERVICE_FACTOR - 1) x` a mean party's service (the party at the
///   counter may be slower than assumed, and an overdue counter looks free);
/// - for each class, a *share* run like the slow one but with only that class's entries
///   (and the urgent ones) and service stretched by `1 / share`: walk-ins are promised
///   only `walkin_share` of the counters, because appointments may check in at any moment
///   and take the rest, and the other way round.
///
/// For each entry:
/// - `earliest` = the earlier of its nominal and fast call times, minus
///   [`MIN_HALF_WIDTH_MINUTES`], but never before `now` nor before it is eligible (G2);
/// - `latest` = the latest of its nominal, slow and share call times, plus
///   [`MIN_HALF_WIDTH_MINUTES`].
///
/// Why: the fair-queue doc's targets are a median absolute error of 15 minutes or less
/// and at most 5% of calls after `latest`. People who arrive after an estimate is printed
/// (the other class, priority and urgent entries) can only push an entry later, so the
/// window is deliberately lopsided toward later. On the busy synthetic days of
/// `tests/engine_estimates.rs` (service from half to one and a half times the mean, 85%
/// load) this rule gives a median error of 11.9 minutes from the window's middle and 4.4%
/// of calls after `latest`, both within target (a slow factor of 1.5 gave 6% after
/// `latest`; 1.9 gives 2.9% but a median error of 13.9 minutes). Retune against the daily
/// report's measured error once real days are recorded.
pub const FAST_SERVICE_FACTOR: f64 = 0.8;

/// Service-time factor of the pessimistic run that gives a window's latest end; see
/// [`FAST_SERVICE_FACTOR`] for the whole rule.
pub const SLOW_SERVICE_FACTOR: f64 = 1.7;

/// The least distance between a projected call time and either end of its window.
pub const MIN_HALF_WIDTH_MINUTES: i64 = 10;

pub(crate) fn project(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
    counters: &Counters,
) -> Vec<Projected> {
    if entries.is_empty() {
        return Vec::new();
    }
    // A nonsensical observed mean (not a positive number) falls back to the policy's.
    let minutes_per_person =
        if counters.minutes_per_person.is_finite() && counters.minutes_per_person > 0.0 {
            counters.minutes_per_person
        } else {
            f64::from(policy.minutes_per_person)
        };
    // "The counters open now": a counter free earlier is free now; none means one.
    let free_at: Vec<DateTime<Utc>> = if counters.free_at.is_empty() {
        vec![now]
    } else {
        counters.free_at.iter().map(|&at| at.max(now)).collect()
    };
    // A counter said to be free at some time may still be finishing a party that takes
    // longer than assumed: the slow runs let every counter come free later by the slow
    // factor's share of a mean party's service.
    let mean_party =
        entries.iter().map(|e| f64::from(e.party_size)).sum::<f64>() / entries.len() as f64;
    let overrun = Duration::seconds(
        (minutes_per_person * (SLOW_SERVICE_FACTOR - 1.0) * mean_party * 60.0).round() as i64,
    );
    let slow_free_at: Vec<DateTime<Utc>> = free_at.iter().map(|&at| at + overrun).collect();
    let forward = |factor: f64, free_at: &[DateTime<Utc>]| -> Vec<Called> {
        let per_person = minutes_per_person * factor;
        Run::new(entries, policy, tz, *state)
            .run_to_end(free_at, |entry| service(per_person, entry.party_size))
    };
    let nominal = forward(1.0, &free_at);
    let call_times = |factor: f64, free_at: &[DateTime<Utc>]| {
        let mut at = vec![now; entries.len()];
        for call in forward(factor, free_at) {
            at[call.index] = call.at;
        }
        at
    };
    let fast = call_times(FAST_SERVICE_FACTOR, &free_at);
    let mut slow = call_times(SLOW_SERVICE_FACTOR, &slow_free_at);
    let placements: Vec<Placement> = entries.iter().map(|e| place(e, policy)).collect();
    let walkin_weight = policy.walkin_weight() as f64 / 10_000.0;
    for (class, share) in [
        (Class::WalkIn, walkin_weight),
        (Class::Appointment, 1.0 - walkin_weight),
    ] {
        // "Between classes ... capacity is split": the other class may fill its share at any
        // moment, so a class is only promised its own share of the counters. This run keeps
        // the class's entries (and every urgent entry, who go first whatever their class)
        // and stretches service by 1 / share, as if the other class always waited.
        let members: Vec<usize> = (0..entries.len())
            .filter(|&i| placements[i].queue_class == class || entries[i].tier == Tier::Urgent)
            .collect();
        if members.is_empty() {
            continue;
        }
        let subset: Vec<QueueEntry> = members.iter().map(|&i| entries[i].clone()).collect();
        let per_person = minutes_per_person * SLOW_SERVICE_FACTOR / share;
        let calls = Run::new(&subset, policy, tz, *state)
            .run_to_end(&slow_free_at, |entry| service(per_person, entry.party_size));
        for call in calls {
            let i = members[call.index];
            if placements[i].queue_class == class {
                slow[i] = slow[i].max(call.at);
            }
        }
    }
    let margin = Duration::minutes(MIN_HALF_WIDTH_MINUTES);
    nominal
        .iter()
        .enumerate()
        .map(|(position, call)| {
            let entry = &entries[call.index];
            let placement = placements[call.index];
            let floor = now.max(placement.eligible_at);
            let earliest = (call.at.min(fast[call.index]) - margin).max(floor);
            let latest = call.at.max(slow[call.index]) + margin;
            Projected {
                entry_id: entry.id,
                position: u32::try_from(position + 1).unwrap_or(u32::MAX),
                placement,
                reason: reason(entry, policy, tz),
                estimate: Window { earliest, latest },
            }
        })
        .collect()
}

/// Service time of one party, to the second.
fn service(minutes_per_person: f64, party_size: u32) -> Duration {
    Duration::seconds((minutes_per_person * f64::from(party_size) * 60.0).round() as i64)
}
