//! One day's figures from the event log.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use chrono_tz::Tz;

use super::stats::{median_minutes, minutes, share, spread};
use super::time::{day_bounds, hour_index, hour_starts};
use super::{
    Appointments, CallSample, CarriedOver, CounterFigures, DailyReport, DayInput, EstimateSample,
    Estimates, Fairness, Figures, Hour, LongestWait, MAX_LISTED_OVERTAKES, OfficerFigures,
    Outcomes, Overtake, Samples, ServiceSample, TARGET_AFTER_WINDOW_SHARE,
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

fn zeroed<T: Default>(names: impl IntoIterator<Item = &'static str>) -> BTreeMap<String, T> {
    names
        .into_iter()
        .map(|name| (name.to_string(), T::default()))
        .collect()
}

/// Computes one port-local day's report from the event log. See the module docs for the
/// input contract and the definitions; events at or after the day's end are ignored.
pub fn daily(input: &DayInput) -> DailyReport {
    let tz = input.tz;
    let policy = &input.policy;
    let (start, end) = day_bounds(input.date, tz);
    let hour_starts = hour_starts(start, end);
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
    let booked: BTreeSet<&str> = input
        .booked
        .iter()
        .filter(|b| b.slot_at >= start && b.slot_at < end)
        .map(|b| b.confirmation.as_str())
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
        not_arrived: u32::try_from(booked.difference(&checked_in).count()).unwrap_or(u32::MAX),
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
            }
        })
        .collect();

    for life in &lives {
        let snap = life.snap;
        if life.joined_at >= start {
            outcomes.arrived += 1;
            let hour = &mut hourly[hour_index(start, life.joined_at)];
            hour.arrivals += 1;
            match snap.class {
                Class::WalkIn => {
                    hour.walk_ins += 1;
                    count_walk_in(&mut walk_ins, snap);
                }
                Class::Appointment => {
                    hour.check_ins += 1;
                    count_check_in(&mut appointments, snap, policy);
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
            hourly[hour_index(start, call.at)].calls += 1;
            samples.waits.push(WaitSample {
                queue_class: snap.queue_class,
                tier: snap.tier,
                from_eligible_s: (call.at - snap.eligible_at).num_seconds(),
                from_arrival_s: (call.at - snap.arrived_at).num_seconds(),
            });
            if let Some(window) = snap.estimate {
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
                if status == Status::Waiting && is_standard_single(snap) {
                    consider_longest(&mut fairness, snap, end - snap.eligible_at, true);
                }
            }
        }
    }
    outcomes.carried_over.sort_by(|a, b| {
        a.arrived_at
            .cmp(&b.arrived_at)
            .then(a.ticket.cmp(&b.ticket))
    });

    for (hour, next) in hourly
        .iter_mut()
        .zip(hour_starts.iter().skip(1).chain([&end]))
    {
        hour.queue_length = lives.iter().filter(|life| life.waiting_at(*next)).count() as u32;
    }

    count_overtakes(&lives, policy, start, tz, &mut fairness);

    let mut figures = Figures {
        walk_ins,
        appointments,
        outcomes,
        fairness,
        ..Figures::default()
    };
    summarize(&samples, &mut figures);

    DailyReport {
        port: input.port_code.clone(),
        port_name: input.port_name.clone(),
        date: input.date,
        time_zone: tz.name().to_string(),
        day_start: local(start, tz),
        day_end: local(end, tz),
        hours: hourly.len() as u32,
        policy: *policy,
        figures,
        hourly,
        warnings,
        samples,
    }
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

/// G3, checked pair by pair: for each first call during the day of a non-urgent entry `b`,
/// every non-urgent entry `a` of its queue class that was waiting and eligible at that call
/// and has a smaller effective time was passed beyond the bound.
fn count_overtakes(
    lives: &[Life],
    policy: &Policy,
    start: DateTime<Utc>,
    tz: Tz,
    fairness: &mut Fairness,
) {
    let mut calls: Vec<(usize, &Event, &Life)> = lives
        .iter()
        .filter(|life| life.snap.tier != Tier::Urgent)
        .filter_map(|life| {
            life.first_call_in(start)
                .map(|(seq, call)| (seq, call, life))
        })
        .collect();
    calls.sort_by_key(|(seq, _, _)| *seq);
    // Each queue class's non-urgent entries, with their effective times.
    let candidates: BTreeMap<Class, Vec<(&Life, DateTime<Utc>)>> = Class::ALL
        .iter()
        .map(|class| {
            let members = lives
                .iter()
                .filter(|life| life.snap.tier != Tier::Urgent && life.snap.queue_class == *class)
                .map(|life| (life, life.effective_at(policy)))
                .collect();
            (*class, members)
        })
        .collect();
    // In call order, so that the listed ones are the day's first.
    for (call_seq, call, b) in calls {
        let class = b.snap.queue_class;
        let b_effective = b.effective_at(policy);
        let mut passed: Vec<(&Life, DateTime<Utc>)> = candidates[&class]
            .iter()
            .copied()
            .filter(|(a, a_effective)| {
                a.joined_seq < call_seq
                    && a.left_waiting.is_none_or(|(seq, _)| seq > call_seq)
                    && a.snap.eligible_at <= call.at
                    && b_effective > *a_effective
            })
            .collect();
        passed.sort_by(|x, y| (x.1, &x.0.snap.ticket).cmp(&(y.1, &y.0.snap.ticket)));
        for (a, a_effective) in passed {
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
}

/// Fills the figures that come from samples (waits, estimates, officers, counters) and the
/// served share, the same way for a day and for a range.
pub(crate) fn summarize(samples: &Samples, figures: &mut Figures) {
    figures.fairness.walkin_share_served = share(
        figures.fairness.served_persons_walk_in,
        figures.fairness.served_persons_walk_in + figures.fairness.served_persons_appointment,
    );

    let wait_figures = |keep: &dyn Fn(&WaitSample) -> bool| {
        let chosen: Vec<&WaitSample> = samples.waits.iter().filter(|s| keep(s)).collect();
        WaitFigures {
            calls: chosen.len() as u32,
            from_eligible: spread(chosen.iter().map(|s| s.from_eligible_s).collect()),
            from_arrival: spread(chosen.iter().map(|s| s.from_arrival_s).collect()),
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
