//! One day's figures from the event log.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use chrono_tz::Tz;

use super::stats::{median_minutes, minutes, share, spread};
use super::time::{day_bounds, hour_index, hour_starts};
use super::{
    Appointments, CallSample, CarriedOver, CounterFigures, DailyReport, DayInput, DayMatching,
    EstimateSample, Estimates, Fairness, Figures, Hour, LanguageBreach, LongestWait,
    MAX_LISTED_OVERTAKES, OfficerFigures, Outcomes, Overtake, PolicyChange, PolicyChangeShown,
    Samples, ServiceSample, SharePeriod, TARGET_AFTER_WINDOW_SHARE,
    TARGET_MEDIAN_ABS_ERROR_MINUTES, WaitFigures, WaitSample, Waits, WalkIns,
};
use crate::events::{EntrySnapshot, Event, EventKind, Punctuality};
use crate::model::{Barrier, Class, Policy, Status, Tier};

/// The instant in port-local time, with its offset, for RFC 3339 output.
pub(crate) fn local(at: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
    at.with_timezone(&tz).fixed_offset()
}

/// The status an event leaves its entry in, or `None` when it changes nothing.
fn status_after(event: &Event) -> Option<Status> {
    let implied = match event.kind {
        EventKind::Registered | EventKind::CheckedIn => Some(Status::Waiting),
        EventKind::Called | EventKind::Recalled => Some(Status::Called),
        EventKind::Served => Some(Status::Served),
        EventKind::NoShow => Some(Status::NoShow),
        EventKind::Withdrawn => Some(Status::Withdrawn),
        EventKind::TicketPrinted | EventKind::Undone | EventKind::InterpreterRequested => None,
    };
    match event.kind {
        EventKind::TicketPrinted | EventKind::Undone | EventKind::InterpreterRequested => None,
        _ => event.to.or(implied),
    }
}

/// One entry's life up to the day's end, from its events in log order. `seq` is an event's
/// position in the day's log, which orders events that share a timestamp.
struct Life<'a> {
    entry_id: i64,
    snap: &'a EntrySnapshot,
    joined_seq: usize,
    joined_at: DateTime<Utc>,
    /// Status changes after joining: (seq, at, new status).
    changes: Vec<(usize, DateTime<Utc>, Status)>,
    /// The first `called` event.
    first_call: Option<(usize, &'a Event)>,
    /// Every `called` and `recalled` event, before the final one.
    calls: Vec<&'a Event>,
    /// The first change out of `waiting`: (seq, at).
    left_waiting: Option<(usize, DateTime<Utc>)>,
    /// The event that closed the entry, and the final status.
    closed: Option<(&'a Event, Status)>,
}

impl<'a> Life<'a> {
    fn start(seq: usize, event: &'a Event, snap: &'a EntrySnapshot) -> Self {
        Life {
            entry_id: event.entry_id,
            snap,
            joined_seq: seq,
            joined_at: event.at,
            changes: Vec::new(),
            first_call: None,
            calls: Vec::new(),
            left_waiting: None,
            closed: None,
        }
    }

    fn apply(&mut self, seq: usize, event: &'a Event) {
        // Nothing after a final state changes a report (a reprint, say).
        if self.closed.is_some() {
            return;
        }
        let Some(status) = status_after(event) else {
            return;
        };
        if matches!(event.kind, EventKind::Called | EventKind::Recalled) {
            self.calls.push(event);
        }
        if status == Status::Called && self.first_call.is_none() {
            self.first_call = Some((seq, event));
        }
        if status != Status::Waiting && self.left_waiting.is_none() {
            self.left_waiting = Some((seq, event.at));
        }
        if status.is_final() {
            self.closed = Some((event, status));
        }
        self.changes.push((seq, event.at, status));
    }

    /// The status once every event before `at` has happened (`None`: not yet joined).
    fn status_before(&self, at: DateTime<Utc>) -> Option<Status> {
        if self.joined_at >= at {
            return None;
        }
        Some(
            self.changes
                .iter()
                .take_while(|(_, when, _)| *when < at)
                .last()
                .map_or(Status::Waiting, |(_, _, status)| *status),
        )
    }

    fn waiting_at(&self, at: DateTime<Utc>) -> bool {
        self.joined_at < at && self.left_waiting.is_none_or(|(_, left)| left >= at)
    }

    /// docs/design/fair-queue.md, "The order", rule 2: `eligible_at`, minus `priority_boost` for priority.
    fn effective_at(&self, policy: &Policy) -> DateTime<Utc> {
        let boost = match self.snap.tier {
            Tier::Priority => Duration::minutes(i64::from(policy.priority_boost_minutes)),
            Tier::Urgent | Tier::Standard => Duration::zero(),
        };
        self.snap.eligible_at - boost
    }

    fn first_call_in(&self, start: DateTime<Utc>) -> Option<(usize, &'a Event)> {
        self.first_call.filter(|(_, call)| call.at >= start)
    }
}

/// The policy in force at `at`: the `after` of the last change at or before it, else the
/// `before` of the first change, else `policy`. `changes` in time order.
pub fn policy_at(policy: &Policy, changes: &[PolicyChange], at: DateTime<Utc>) -> Policy {
    match changes.iter().rev().find(|c| c.at <= at) {
        Some(change) => change.after,
        None => changes.first().map_or(*policy, |change| change.before),
    }
}

fn zeroed<T: Default>(names: impl IntoIterator<Item = &'static str>) -> BTreeMap<String, T> {
    names
        .into_iter()
        .map(|name| (name.to_string(), T::default()))
        .collect()
}

/// Computes one port-local day's report from the event log. See the module docs for the
/// input contract and the definitions; events at or after the day's end are ignored.
///
/// Without the day's counter languages, a pass a call under language matching made for
/// language cannot be judged by the matching rule and counts as a breach of it: the app
/// reads reports through [`daily_matched`].
pub fn daily(input: &DayInput) -> DailyReport {
    daily_matched(input, &DayMatching::default())
}

/// [`daily`], with the day's counter languages: passes made for language are judged by the
/// matching rule ([`super::LanguagePasses`]) and each language's extra wait from matching is
/// counted ([`super::matching_effect`]).
pub fn daily_matched(input: &DayInput, matching: &DayMatching) -> DailyReport {
    let tz = input.tz;
    let (start, day_end) = day_bounds(input.date, tz);
    // A day read before its end is counted up to the moment it is read, never beyond.
    let as_of = input.as_of.filter(|at| *at < day_end);
    // What is stamped at the reading moment itself has happened: the report ends just after.
    let end = as_of.map_or(day_end, |at| {
        (at + Duration::microseconds(1)).clamp(start, day_end)
    });
    let mut changes: Vec<PolicyChange> = input
        .policy_changes
        .iter()
        .filter(|c| c.at >= start && c.at < end)
        .cloned()
        .collect();
    changes.sort_by_key(|c| c.at);
    let policy_then = |at: DateTime<Utc>| policy_at(&input.policy, &changes, at);
    let end_policy = policy_then(end);
    let policy = &end_policy;
    let all_hours = hour_starts(tz, start, day_end);
    let hour_starts: Vec<DateTime<Utc>> =
        all_hours.iter().copied().filter(|at| *at < end).collect();
    let mut warnings = Vec::new();

    // The day's log: only events before its end, without the actions taken back, in time
    // order, ties in the given order.
    let before_end: Vec<Event> = input
        .events
        .iter()
        .filter(|e| e.at < end)
        .cloned()
        .collect();
    let kept = crate::events::without_undone(&before_end);
    let mut log: Vec<&Event> = kept.iter().collect();
    log.sort_by_key(|e| e.at);
    let mut by_entry: BTreeMap<i64, Vec<(usize, &Event)>> = BTreeMap::new();
    for (seq, event) in log.into_iter().enumerate() {
        by_entry
            .entry(event.entry_id)
            .or_default()
            .push((seq, event));
    }

    let mut lives: Vec<Life> = Vec::with_capacity(by_entry.len());
    for (entry_id, events) in &by_entry {
        let mut life: Option<Life> = None;
        let mut orphans_in_day = 0;
        for &(seq, event) in events {
            match (&mut life, &event.snapshot) {
                (Some(life), _) => life.apply(seq, event),
                (None, Some(snap)) => life = Some(Life::start(seq, event, snap)),
                (None, None) => orphans_in_day += usize::from(event.at >= start),
            }
        }
        if orphans_in_day > 0 {
            warnings.push(format!(
                "entry {entry_id}: {orphans_in_day} event(s) during the day without an earlier \
                 registration or check-in snapshot; not counted before it"
            ));
        }
        lives.extend(life);
    }

    // Booked appointments that were checked in before the day's end, whenever.
    let checked_in: BTreeSet<&str> = lives
        .iter()
        .filter_map(|life| life.snap.confirmation.as_deref())
        .collect();
    // Each booking once (its earliest slot in the day), with the moment it stops being due:
    // its slot plus the late window in force then.
    let mut booked: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    for b in input
        .booked
        .iter()
        .filter(|b| b.slot_at >= start && b.slot_at < day_end)
    {
        let slot = booked.entry(b.confirmation.as_str()).or_insert(b.slot_at);
        *slot = (*slot).min(b.slot_at);
    }
    let not_yet_due = |confirmation: &&str| {
        as_of.is_some()
            && booked.get(confirmation).is_some_and(|slot| {
                *slot + Duration::minutes(i64::from(policy_then(*slot).late_window_minutes)) > end
            })
    };
    let missing: Vec<&str> = booked
        .keys()
        .copied()
        .filter(|c| !checked_in.contains(c))
        .collect();

    // Only entries open at some moment of the day count.
    lives.retain(|life| {
        life.joined_at >= start
            || matches!(
                life.status_before(start),
                Some(Status::Waiting | Status::Called)
            )
    });

    let mut walk_ins = WalkIns {
        by_barrier: zeroed(Barrier::ALL.iter().map(|b| b.as_str())),
        by_tier: zeroed(Tier::ALL.iter().map(|t| t.as_str())),
        ..WalkIns::default()
    };
    let mut appointments = Appointments {
        booked: u32::try_from(booked.len()).unwrap_or(u32::MAX),
        not_arrived: missing.iter().filter(|c| !not_yet_due(c)).count() as u32,
        not_yet_due: missing.iter().filter(|c| not_yet_due(c)).count() as u32,
        ..Appointments::default()
    };
    let mut outcomes = Outcomes::default();
    let mut fairness = Fairness {
        walkin_share_target: policy.walkin_share,
        ..Fairness::default()
    };
    let mut samples = Samples {
        officer_names: input.officers.clone(),
        ..Samples::default()
    };
    let mut hourly: Vec<Hour> = hour_starts
        .iter()
        .map(|&at| {
            let start = local(at, tz);
            Hour {
                label: start.format("%H:%M").to_string(),
                start,
                arrivals: 0,
                walk_ins: 0,
                check_ins: 0,
                calls: 0,
                queue_length: 0,
                in_progress: false,
            }
        })
        .collect();

    for life in &lives {
        let snap = life.snap;
        if life.joined_at >= start {
            outcomes.arrived += 1;
            let hour = &mut hourly[hour_index(&all_hours, life.joined_at)];
            hour.arrivals += 1;
            match snap.class {
                Class::WalkIn => {
                    hour.walk_ins += 1;
                    count_walk_in(&mut walk_ins, snap);
                }
                Class::Appointment => {
                    hour.check_ins += 1;
                    count_check_in(&mut appointments, snap, &policy_then(life.joined_at));
                }
            }
        } else {
            outcomes.carried_in += 1;
        }

        for call in &life.calls {
            if call.at >= start {
                samples.calls.push(CallSample {
                    officer: call.actor_id,
                    counter: call.counter,
                    recall: call.kind == EventKind::Recalled,
                });
            }
        }

        if let Some((_, call)) = life.first_call_in(start) {
            hourly[hour_index(&all_hours, call.at)].calls += 1;
            samples.waits.push(WaitSample {
                queue_class: snap.queue_class,
                tier: snap.tier,
                from_eligible_s: (call.at - snap.eligible_at).num_seconds(),
                from_arrival_s: (call.at - snap.arrived_at).num_seconds(),
            });
            if let Some(window) = snap.estimate {
                let width_s = (window.latest - window.earliest).num_seconds();
                let (error, side) = if call.at < window.earliest {
                    (window.earliest - call.at, -1)
                } else if call.at > window.latest {
                    (call.at - window.latest, 1)
                } else {
                    (Duration::zero(), 0)
                };
                samples.estimates.push(EstimateSample {
                    error_s: error.num_seconds(),
                    side,
                    width_s,
                });
            }
            if is_standard_single(snap) {
                consider_longest(&mut fairness, snap, call.at - snap.eligible_at, false);
            }
        }

        match life.closed {
            Some((event, status)) if event.at >= start => {
                match status {
                    Status::Served => {
                        outcomes.served += 1;
                        outcomes.served_persons += snap.party_size;
                        match snap.queue_class {
                            Class::WalkIn => fairness.served_persons_walk_in += snap.party_size,
                            Class::Appointment => {
                                fairness.served_persons_appointment += snap.party_size
                            }
                        }
                    }
                    Status::NoShow => outcomes.no_show += 1,
                    _ => outcomes.withdrawn += 1,
                }
                if let (Status::Served | Status::NoShow, Some((_, call))) =
                    (status, life.first_call)
                {
                    samples.services.push(ServiceSample {
                        officer: event.actor_id.or(call.actor_id),
                        counter: call.counter.or(event.counter),
                        served: status == Status::Served,
                        seconds: (event.at - call.at).num_seconds(),
                    });
                }
            }
            Some(_) => {}
            None => {
                let status = life.status_before(end).unwrap_or(Status::Waiting);
                outcomes.waiting += 1;
                outcomes.carried_over.push(CarriedOver {
                    ticket: snap.ticket.clone(),
                    queue_class: snap.queue_class.as_str().to_string(),
                    tier: snap.tier.as_str().to_string(),
                    party_size: snap.party_size,
                    status: status.as_str().to_string(),
                    arrived_at: local(snap.arrived_at, tz),
                    waited_minutes: minutes((end - snap.arrived_at).num_seconds() as f64),
                });
                if status == Status::Waiting {
                    samples.still_waiting.push(WaitSample {
                        queue_class: snap.queue_class,
                        tier: snap.tier,
                        from_eligible_s: (end - snap.eligible_at).num_seconds().max(0),
                        from_arrival_s: (end - snap.arrived_at).num_seconds(),
                    });
                    if is_standard_single(snap) {
                        consider_longest(&mut fairness, snap, end - snap.eligible_at, true);
                    }
                }
            }
        }
    }
    outcomes.carried_over.sort_by(|a, b| {
        a.arrived_at
            .cmp(&b.arrived_at)
            .then(a.ticket.cmp(&b.ticket))
    });

    for (i, hour) in hourly.iter_mut().enumerate() {
        let next = all_hours.get(i + 1).copied().unwrap_or(day_end);
        hour.in_progress = next > end;
        let at = next.min(end);
        hour.queue_length = lives.iter().filter(|life| life.waiting_at(at)).count() as u32;
    }

    let legacy = count_overtakes(&lives, &policy_then, start, tz, matching, &mut fairness);
    judge_language_passes(
        &lives,
        legacy,
        matching,
        start,
        tz,
        &mut fairness,
        &mut warnings,
    );
    fairness.policy_changes = changes
        .iter()
        .map(|c| PolicyChangeShown {
            at: local(c.at, tz),
            changed_by: c.changed_by.clone(),
            before: c.before,
            after: c.after,
        })
        .collect();
    fairness.periods = share_periods(&lives, &changes, &policy_then, start, end, tz);

    let mut figures = Figures {
        walk_ins,
        appointments,
        outcomes,
        fairness,
        ..Figures::default()
    };
    summarize(&samples, &mut figures);

    let mut report = DailyReport {
        port: input.port_code.clone(),
        port_name: input.port_name.clone(),
        date: input.date,
        time_zone: tz.name().to_string(),
        day_start: local(start, tz),
        day_end: local(day_end, tz),
        hours: all_hours.len() as u32,
        policy: *policy,
        complete: as_of.is_none(),
        as_of: as_of.map(|at| local(at, tz)),
        figures,
        languages: super::languages::language_figures(input),
        hourly,
        warnings,
        samples,
    };
    super::languages::add_matching_effect(&mut report, input, matching);
    report
}

fn count_walk_in(walk_ins: &mut WalkIns, snap: &EntrySnapshot) {
    walk_ins.parties += 1;
    walk_ins.persons += snap.party_size;
    // A walk-in with two barriers counts under both, but once per barrier.
    let barriers: BTreeSet<Barrier> = snap.barriers.iter().copied().collect();
    for barrier in barriers {
        walk_ins
            .by_barrier
            .entry(barrier.as_str().to_string())
            .or_default()
            .add_party(snap.party_size);
    }
    walk_ins
        .by_language
        .entry(snap.language.clone())
        .or_default()
        .add_party(snap.party_size);
    walk_ins
        .by_tier
        .entry(snap.tier.as_str().to_string())
        .or_default()
        .add_party(snap.party_size);
}

fn count_check_in(appointments: &mut Appointments, snap: &EntrySnapshot, policy: &Policy) {
    appointments.checked_in += 1;
    appointments.persons += snap.party_size;
    // The snapshot's own verdict is the one the officer saw; older rows may lack it.
    let punctuality = snap.punctuality.or_else(|| {
        let slot = snap.slot_at?;
        let early = Duration::minutes(i64::from(policy.early_window_minutes));
        let late = Duration::minutes(i64::from(policy.late_window_minutes));
        Some(if snap.arrived_at < slot - early {
            Punctuality::Early
        } else if snap.arrived_at > slot + late {
            Punctuality::Late
        } else {
            Punctuality::OnTime
        })
    });
    match punctuality {
        Some(Punctuality::Early) => appointments.early += 1,
        Some(Punctuality::Late) => appointments.late += 1,
        Some(Punctuality::OnTime) | None => appointments.on_time += 1,
    }
}

fn is_standard_single(snap: &EntrySnapshot) -> bool {
    snap.tier == Tier::Standard && snap.party_size == 1
}

fn consider_longest(
    fairness: &mut Fairness,
    snap: &EntrySnapshot,
    waited: Duration,
    still_waiting: bool,
) {
    let minutes = minutes(waited.num_seconds() as f64);
    if fairness
        .longest_standard_single_wait
        .as_ref()
        .is_none_or(|longest| minutes > longest.minutes)
    {
        fairness.longest_standard_single_wait = Some(LongestWait {
            ticket: snap.ticket.clone(),
            minutes,
            still_waiting,
        });
    }
}

/// Whether `call` passed `a` over for its language: the call says so (`passed_over`); or,
/// for a call under matching logged before calls recorded whom they passed, its counter did
/// not cover `a`'s language then.
fn passed_for_language(call: &Event, a: &Life, matching: &DayMatching) -> bool {
    match &call.passed_over {
        Some(passed) => passed.entries.contains(&a.entry_id),
        None => {
            call.language_matched.is_some()
                && call
                    .counter
                    .is_some_and(|k| !matching.covers(k, &a.snap.language, call.at))
        }
    }
}

/// G3, checked pair by pair: for each first call during the day of a non-urgent entry `b`,
/// every non-urgent entry `a` of its queue class that was waiting and eligible at that call
/// and has a smaller effective time was passed beyond the bound, unless the call passed `a`
/// over for its language ([`passed_for_language`]): that pass is judged by the matching rule
/// instead. Returns those of the passes for language that the call did not record itself
/// (calls logged before calls recorded them), as (call, called entry, passed entry id).
fn count_overtakes<'a>(
    lives: &'a [Life<'a>],
    policy_then: &dyn Fn(DateTime<Utc>) -> Policy,
    start: DateTime<Utc>,
    tz: Tz,
    matching: &DayMatching,
    fairness: &mut Fairness,
) -> Vec<(&'a Event, &'a Life<'a>, i64)> {
    let mut legacy = Vec::new();
    let mut calls: Vec<(usize, &Event, &Life)> = lives
        .iter()
        .filter(|life| life.snap.tier != Tier::Urgent)
        .filter_map(|life| {
            life.first_call_in(start)
                .map(|(seq, call)| (seq, call, life))
        })
        .collect();
    calls.sort_by_key(|(seq, _, _)| *seq);
    // Each queue class's non-urgent entries.
    let candidates: BTreeMap<Class, Vec<&Life>> = Class::ALL
        .iter()
        .map(|class| {
            let members = lives
                .iter()
                .filter(|life| life.snap.tier != Tier::Urgent && life.snap.queue_class == *class)
                .collect();
            (*class, members)
        })
        .collect();
    // In call order, so that the listed ones are the day's first. The boost is the one in
    // force at the call.
    for (call_seq, call, b) in calls {
        let class = b.snap.queue_class;
        let policy = policy_then(call.at);
        let b_effective = b.effective_at(&policy);
        let mut passed: Vec<(&Life, DateTime<Utc>)> = candidates[&class]
            .iter()
            .map(|a| (*a, a.effective_at(&policy)))
            .filter(|(a, a_effective)| {
                a.joined_seq < call_seq
                    && a.left_waiting.is_none_or(|(seq, _)| seq > call_seq)
                    && a.snap.eligible_at <= call.at
                    && b_effective > *a_effective
            })
            .collect();
        passed.sort_by(|x, y| (x.1, &x.0.snap.ticket).cmp(&(y.1, &y.0.snap.ticket)));
        for (a, a_effective) in passed {
            if passed_for_language(call, a, matching) {
                if call.passed_over.is_none() {
                    legacy.push((call, b, a.entry_id));
                }
                continue;
            }
            fairness.overtakes_beyond_bound += 1;
            if fairness.overtakes.len() < MAX_LISTED_OVERTAKES {
                let beyond = (b_effective - a_effective).num_seconds() as f64;
                fairness.overtakes.push(Overtake {
                    queue_class: class.as_str().to_string(),
                    passed_ticket: a.snap.ticket.clone(),
                    passed_effective_at: local(a_effective, tz),
                    by_ticket: b.snap.ticket.clone(),
                    by_effective_at: local(b_effective, tz),
                    called_at: local(call.at, tz),
                    beyond_minutes: minutes(beyond),
                });
            }
        }
    }
    legacy
}

/// The matching rule (G8), checked pass by pass for the calls of the day that passed someone
/// over for language: those the calls recorded, and `legacy` ones found by
/// [`count_overtakes`]. A pass breaks the rule when the passed entry was urgent, had been
/// passed over (since the first call that passed it, any day) for longer than the wait limit
/// in force at the call, or when the calling counter covered its language, or no other
/// counter open with languages did (from the day's recorded openings and closings).
fn judge_language_passes<'a>(
    lives: &'a [Life<'a>],
    legacy: Vec<(&'a Event, &'a Life<'a>, i64)>,
    matching: &DayMatching,
    start: DateTime<Utc>,
    tz: Tz,
    fairness: &mut Fairness,
    warnings: &mut Vec<String>,
) {
    let by_id: BTreeMap<i64, &Life> = lives.iter().map(|life| (life.entry_id, life)).collect();
    // (call, called entry, passed entry id, limit in force), in time order.
    let mut passes: Vec<(&Event, &Life, i64, u32)> = Vec::new();
    for life in lives {
        for call in life.calls.iter().filter(|c| c.kind == EventKind::Called) {
            if let Some(passed) = &call.passed_over {
                for id in &passed.entries {
                    passes.push((call, life, *id, passed.wait_limit_minutes));
                }
            }
        }
    }
    passes.extend(
        legacy
            .into_iter()
            .map(|(call, b, id)| (call, b, id, matching.wait_limit_minutes)),
    );
    passes.sort_by_key(|(call, _, id, _)| (call.at, *id));
    let mut first: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    let mut parties = BTreeSet::new();
    let judged = &mut fairness.language_passes;
    let mut longest: Option<i64> = None;
    let mut unknown = 0;
    for (call, b, id, limit) in passes {
        let since = *first.entry(id).or_insert(call.at);
        if call.at < start {
            continue;
        }
        let Some(a) = by_id.get(&id) else {
            unknown += 1;
            continue;
        };
        let passed = call.at - since;
        let passed_s = passed.num_seconds();
        judged.passes += 1;
        parties.insert(id);
        longest = Some(longest.map_or(passed_s, |l| l.max(passed_s)));
        judged.wait_limit_minutes = Some(judged.wait_limit_minutes.map_or(limit, |l| l.min(limit)));
        // As the engine reads the limit: passed over no more than it before.
        let beyond_limit = passed > Duration::minutes(i64::from(limit));
        if beyond_limit || judged.within_limit.is_none() {
            judged.within_limit = Some(!beyond_limit && judged.within_limit != Some(false));
        }
        let language = a.snap.language.as_str();
        let why = if a.snap.tier == Tier::Urgent {
            Some("urgent")
        } else if beyond_limit {
            Some("beyond_limit")
        } else if call
            .counter
            .is_none_or(|k| matching.covers(k, language, call.at))
        {
            Some("covered_by_calling_counter")
        } else if call
            .counter
            .is_none_or(|k| !matching.covered_elsewhere(k, language, call.at))
        {
            Some("not_covered_elsewhere")
        } else {
            None
        };
        if let Some(why) = why {
            judged.beyond_rule += 1;
            if judged.breaches.len() < MAX_LISTED_OVERTAKES {
                judged.breaches.push(LanguageBreach {
                    passed_ticket: a.snap.ticket.clone(),
                    passed_language: language.to_string(),
                    by_ticket: b.snap.ticket.clone(),
                    called_at: local(call.at, tz),
                    counter: call.counter,
                    passed_minutes: minutes(passed_s as f64),
                    why: why.to_string(),
                });
            }
        }
    }
    judged.parties = parties.len() as u32;
    judged.longest_minutes = longest.map(|s| minutes(s as f64));
    if unknown > 0 {
        warnings.push(format!(
            "{unknown} pass(es) for language name an entry not in the day's log; not judged"
        ));
    }
}

/// Fills the figures that come from samples (waits, estimates, officers, counters) and the
/// served share, the same way for a day and for a range.
pub(crate) fn summarize(samples: &Samples, figures: &mut Figures) {
    figures.fairness.walkin_share_served = share(
        figures.fairness.served_persons_walk_in,
        figures.fairness.served_persons_walk_in + figures.fairness.served_persons_appointment,
    );
    judge_share(&mut figures.fairness);

    let wait_figures = |keep: &dyn Fn(&WaitSample) -> bool| {
        let chosen: Vec<&WaitSample> = samples.waits.iter().filter(|s| keep(s)).collect();
        let waiting: Vec<&WaitSample> = samples.still_waiting.iter().filter(|s| keep(s)).collect();
        WaitFigures {
            calls: chosen.len() as u32,
            from_eligible: spread(chosen.iter().map(|s| s.from_eligible_s).collect()),
            from_arrival: spread(chosen.iter().map(|s| s.from_arrival_s).collect()),
            still_waiting: waiting.len() as u32,
            still_waiting_so_far: spread(waiting.iter().map(|s| s.from_eligible_s).collect()),
        }
    };
    figures.waits = Waits {
        all: wait_figures(&|_| true),
        by_class: Class::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str().to_string(),
                    wait_figures(&|s| s.queue_class == *c),
                )
            })
            .collect(),
        by_tier: Tier::ALL
            .iter()
            .map(|t| (t.as_str().to_string(), wait_figures(&|s| s.tier == *t)))
            .collect(),
    };

    let with_estimate = samples.estimates.len() as u32;
    let side = |wanted: i8| {
        samples
            .estimates
            .iter()
            .filter(|s| s.side == wanted)
            .count() as u32
    };
    let median_abs_error_minutes =
        median_minutes(samples.estimates.iter().map(|s| s.error_s).collect());
    let after_window_share = share(side(1), with_estimate);
    figures.estimates = Estimates {
        calls_with_estimate: with_estimate,
        within_window: side(0),
        before_window: side(-1),
        after_window: side(1),
        median_abs_error_minutes,
        after_window_share,
        before_window_share: share(side(-1), with_estimate),
        median_width_minutes: median_minutes(samples.estimates.iter().map(|s| s.width_s).collect()),
        target_median_abs_error_minutes: TARGET_MEDIAN_ABS_ERROR_MINUTES,
        target_after_window_share: TARGET_AFTER_WINDOW_SHARE,
        meets_targets: median_abs_error_minutes
            .zip(after_window_share)
            .map(|(error, after)| {
                error <= TARGET_MEDIAN_ABS_ERROR_MINUTES && after <= TARGET_AFTER_WINDOW_SHARE
            }),
    };

    #[derive(Default)]
    struct Desk {
        calls: u32,
        recalls: u32,
        served: u32,
        no_show: u32,
        seconds: Vec<i64>,
    }
    let mut officers: BTreeMap<Option<i64>, Desk> = BTreeMap::new();
    let mut counters: BTreeMap<Option<u32>, Desk> = BTreeMap::new();
    for call in &samples.calls {
        for desk in [
            officers.entry(call.officer).or_default(),
            counters.entry(call.counter).or_default(),
        ] {
            if call.recall {
                desk.recalls += 1;
            } else {
                desk.calls += 1;
            }
        }
    }
    for service in &samples.services {
        for desk in [
            officers.entry(service.officer).or_default(),
            counters.entry(service.counter).or_default(),
        ] {
            if service.served {
                desk.served += 1;
            } else {
                desk.no_show += 1;
            }
            desk.seconds.push(service.seconds);
        }
    }
    figures.officers = officers
        .into_iter()
        .map(|(officer_id, desk)| OfficerFigures {
            officer_id,
            name: match officer_id {
                Some(id) => samples
                    .officer_names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("officer #{id}")),
                None => "system".to_string(),
            },
            calls: desk.calls,
            recalls: desk.recalls,
            served: desk.served,
            no_show: desk.no_show,
            median_service_minutes: median_minutes(desk.seconds),
        })
        .collect();
    figures.counters = counters
        .into_iter()
        .map(|(counter, desk)| CounterFigures {
            counter,
            calls: desk.calls,
            recalls: desk.recalls,
            served: desk.served,
            no_show: desk.no_show,
            median_service_minutes: median_minutes(desk.seconds),
        })
        .collect();
}

/// The walk-in share, one stretch of one policy at a time: how long both classes had
/// someone eligible and waiting, and the persons first called while they did, against the
/// target in force (docs/design/fair-queue.md, G4).
///
/// A call is made "while both waited" when, just before it (in log order), each queue class
/// had an entry joined, not yet called or closed, and eligible. Consecutive such calls under
/// one policy form a stretch; a stretch keeps the share when its walk-in persons differ from
/// `target x` its persons by at most two of the largest parties waiting at its calls.
fn share_periods(
    lives: &[Life],
    changes: &[PolicyChange],
    policy_then: &dyn Fn(DateTime<Utc>) -> Policy,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: Tz,
) -> Vec<SharePeriod> {
    let mut bounds: Vec<DateTime<Utc>> = vec![start];
    bounds.extend(
        changes
            .iter()
            .map(|c| c.at)
            .filter(|at| *at > start && *at < end),
    );
    bounds.push(end);
    bounds.dedup();
    let mut periods: Vec<SharePeriod> = bounds
        .windows(2)
        .filter(|w| w[0] < w[1])
        .map(|w| SharePeriod {
            from: local(w[0], tz),
            to: local(w[1], tz),
            target: policy_then(w[0]).walkin_share,
            both_waiting_minutes: 0.0,
            calls_while_both_waited: 0,
            persons_called_while_both_waited: 0,
            walkin_persons_called_while_both_waited: 0,
            walkin_share_called: None,
            stretches: 0,
            stretches_off_share: 0,
        })
        .collect();
    if periods.is_empty() {
        return periods;
    }
    let last_period = periods.len() - 1;
    let period_of = |at: DateTime<Utc>| {
        bounds
            .partition_point(|b| *b <= at)
            .saturating_sub(1)
            .min(last_period)
    };
    let class_index = |class: Class| usize::from(class == Class::WalkIn);

    // Time in which both classes had someone eligible and waiting: each entry is so from
    // max(joined, eligible) until it leaves `waiting` (or the report's end).
    let mut steps: Vec<(DateTime<Utc>, usize, i32)> = Vec::new();
    for life in lives {
        let from = life.joined_at.max(life.snap.eligible_at).max(start);
        let to = life.left_waiting.map_or(end, |(_, at)| at).min(end);
        if from < to {
            let class = class_index(life.snap.queue_class);
            steps.push((from, class, 1));
            steps.push((to, class, -1));
        }
    }
    steps.sort_by_key(|(at, _, delta)| (*at, *delta));
    let mut waiting = [0i32; 2];
    let mut both_seconds = vec![0i64; periods.len()];
    let mut i = 0;
    while i < steps.len() {
        let at = steps[i].0;
        while i < steps.len() && steps[i].0 == at {
            waiting[steps[i].1] += steps[i].2;
            i += 1;
        }
        let Some(&(next, _, _)) = steps.get(i) else {
            break;
        };
        if waiting[0] > 0 && waiting[1] > 0 {
            // Split [at, next) at the policy changes.
            let mut from = at;
            while from < next {
                let p = period_of(from);
                let to = next.min(bounds[p + 1]);
                both_seconds[p] += (to - from).num_seconds();
                from = to;
            }
        }
    }
    for (period, seconds) in periods.iter_mut().zip(&both_seconds) {
        period.both_waiting_minutes = minutes(*seconds as f64);
    }

    // The first calls, in log order, with who was waiting just before each.
    let mut calls: Vec<(usize, &Event, &Life)> = lives
        .iter()
        .filter_map(|life| {
            life.first_call_in(start)
                .map(|(seq, call)| (seq, call, life))
        })
        .filter(|(_, call, _)| call.at < end)
        .collect();
    calls.sort_by_key(|(seq, _, _)| *seq);
    // Joins and departures from `waiting`, by sequence.
    let mut joins: Vec<(usize, usize)> = lives
        .iter()
        .enumerate()
        .map(|(i, l)| (l.joined_seq, i))
        .collect();
    joins.sort_unstable();
    let mut leaves: Vec<(usize, usize)> = lives
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.left_waiting.map(|(seq, _)| (seq, i)))
        .collect();
    leaves.sort_unstable();
    let (mut next_join, mut next_leave) = (0, 0);
    let mut present: BTreeSet<usize> = BTreeSet::new();

    struct Stretch {
        period: usize,
        persons: u32,
        walk_in: u32,
        largest: u32,
    }
    let mut open: Option<Stretch> = None;
    let close = |stretch: Stretch, periods: &mut Vec<SharePeriod>| {
        let period = &mut periods[stretch.period];
        period.stretches += 1;
        let expected = period.target * f64::from(stretch.persons);
        if (f64::from(stretch.walk_in) - expected).abs() > 2.0 * f64::from(stretch.largest) + 1e-9 {
            period.stretches_off_share += 1;
        }
    };
    for (seq, call, life) in calls {
        while next_join < joins.len() && joins[next_join].0 < seq {
            present.insert(joins[next_join].1);
            next_join += 1;
        }
        while next_leave < leaves.len() && leaves[next_leave].0 < seq {
            present.remove(&leaves[next_leave].1);
            next_leave += 1;
        }
        let mut eligible = [false; 2];
        let mut largest = 0;
        for &i in &present {
            let other = &lives[i];
            if other.snap.eligible_at <= call.at {
                eligible[class_index(other.snap.queue_class)] = true;
                largest = largest.max(other.snap.party_size);
            }
        }
        let p = period_of(call.at);
        let both = eligible[0] && eligible[1];
        if open.as_ref().is_some_and(|s| !both || s.period != p) {
            if let Some(stretch) = open.take() {
                close(stretch, &mut periods);
            }
        }
        if !both {
            continue;
        }
        let persons = life.snap.party_size;
        let walk_in = if life.snap.queue_class == Class::WalkIn {
            persons
        } else {
            0
        };
        let period = &mut periods[p];
        period.calls_while_both_waited += 1;
        period.persons_called_while_both_waited += persons;
        period.walkin_persons_called_while_both_waited += walk_in;
        let stretch = open.get_or_insert(Stretch {
            period: p,
            persons: 0,
            walk_in: 0,
            largest: 0,
        });
        stretch.persons += persons;
        stretch.walk_in += walk_in;
        stretch.largest = stretch.largest.max(largest);
    }
    if let Some(stretch) = open.take() {
        close(stretch, &mut periods);
    }
    for period in &mut periods {
        period.walkin_share_called = share(
            period.walkin_persons_called_while_both_waited,
            period.persons_called_while_both_waited,
        );
    }
    periods
}

/// The share's figures and the verdict, from the periods and the overtakes (the same for a
/// day and a range).
fn judge_share(fairness: &mut Fairness) {
    let periods = &fairness.periods;
    let seconds: f64 = periods.iter().map(|p| p.both_waiting_minutes * 60.0).sum();
    fairness.both_waiting_minutes = minutes(seconds);
    let persons: u32 = periods
        .iter()
        .map(|p| p.persons_called_while_both_waited)
        .sum();
    let walk_in: u32 = periods
        .iter()
        .map(|p| p.walkin_persons_called_while_both_waited)
        .sum();
    fairness.persons_called_while_both_waited = persons;
    fairness.walkin_persons_called_while_both_waited = walk_in;
    fairness.walkin_share_called_while_both_waited = share(walk_in, persons);
    fairness.target_in_force_at_calls = (persons > 0).then(|| {
        let expected: f64 = periods
            .iter()
            .map(|p| p.target * f64::from(p.persons_called_while_both_waited))
            .sum();
        (expected / f64::from(persons) * 10_000.0).round() / 10_000.0
    });
    fairness.share_kept = (persons > 0).then(|| periods.iter().all(|p| p.stretches_off_share == 0));
    fairness.kept = fairness.overtakes_beyond_bound == 0
        && fairness.language_passes.beyond_rule == 0
        && fairness.share_kept != Some(false);
}
