//! The what-if replay: a day's arrivals run again through the queue engine under other
//! settings, and both sides counted with the report's own arithmetic. Pure: the app reads
//! the day's log ([`DayInput`]) and hands it here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{DailyReport, DayInput, Waits, daily, day_bounds};
use crate::events::{EntrySnapshot, Event, EventKind};
use crate::queue::simulate::{self, Arrival, SimRow};
use crate::{Class, FieldErrors, Policy, Status, Tier};

/// The what-if form as typed (form fields, query string); empty means "as on the day".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WhatIfInput {
    /// Walk-in share as a percentage (30 for 30%), as on the policy form.
    pub walkin_percent: String,
    pub priority_boost_minutes: String,
    pub counters: String,
    /// Service minutes per person; by default the day's observed mean.
    pub minutes_per_person: String,
}

/// Checked what-if settings; `None` keeps the day's value.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WhatIfParams {
    pub walkin_share: Option<f64>,
    pub priority_boost_minutes: Option<u32>,
    pub counters: Option<u32>,
    pub minutes_per_person: Option<u32>,
}

impl WhatIfInput {
    /// Checks every field, naming each bad one (422).
    pub fn parse(&self) -> Result<WhatIfParams, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut whole = |field: &str, value: &str, range: std::ops::RangeInclusive<u32>| {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            match value.parse::<u32>() {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    errors.add(
                        field,
                        format!(
                            "must be a whole number from {} to {}, got \"{value}\"",
                            range.start(),
                            range.end()
                        ),
                    );
                    None
                }
            }
        };
        let priority_boost_minutes = whole(
            "priority_boost_minutes",
            &self.priority_boost_minutes,
            0..=1440,
        );
        let counters = whole("counters", &self.counters, 1..=99);
        let minutes_per_person = whole("minutes_per_person", &self.minutes_per_person, 1..=240);
        let walkin_share = if self.walkin_percent.trim().is_empty() {
            None
        } else {
            crate::model::walkin_share_from_percent(&self.walkin_percent)
                .map_err(|message| errors.add("walkin_percent", message))
                .ok()
        };
        errors.into_result(WhatIfParams {
            walkin_share,
            priority_boost_minutes,
            counters,
            minutes_per_person,
        })
    }
}

/// One side of the comparison: the day as it happened, or the replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub policy: Policy,
    /// Counters that called someone during the day, or the replay's counters.
    pub counters: u32,
    /// Replayed parties first called before the day's end.
    pub called: u32,
    /// Replayed parties not called before the day's end (withdrawn, still waiting).
    pub not_called: u32,
    /// As in the report: from `eligible_at` and from arrival to the first call, by queue
    /// class and tier, in minutes.
    pub waits: Waits,
    pub walkin_share_served: Option<f64>,
    pub overtakes_beyond_bound: u32,
}

/// One replayed party, as it happened and as replayed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIfEntry {
    pub ticket: String,
    pub class: Class,
    pub tier: Tier,
    pub party_size: u32,
    pub arrived_at: DateTime<FixedOffset>,
    pub actual_queue_class: Class,
    /// The first call, if it came before the day's end.
    pub actual_called_at: Option<DateTime<FixedOffset>>,
    pub actual_wait_minutes: Option<f64>,
    /// Where the entry was at the day's end.
    pub actual_status: Status,
    pub simulated_queue_class: Class,
    pub simulated_called_at: DateTime<FixedOffset>,
    pub simulated_counter: u32,
    pub simulated_wait_minutes: f64,
}

/// A day's arrivals replayed under another policy, beside the day as it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    pub port: String,
    pub port_name: String,
    pub date: NaiveDate,
    pub time_zone: String,
    /// Walk-ins registered and appointments checked in during the day, in ticket order.
    /// Entries carried in from the day before are left out of both sides.
    pub arrivals: u32,
    /// Service minutes per person observed on the day (called to served), if anyone was.
    pub observed_minutes_per_person: Option<f64>,
    pub actual: Scenario,
    pub simulated: Scenario,
    pub entries: Vec<WhatIfEntry>,
}

/// Replays the day's arrivals through the engine (`simulate::run`, the model of `portqueue
/// simulate`) under the day's policy with `params` changed, and counts both the day as it
/// happened and the replay with the report's own arithmetic, so the two sides are measured
/// the same way: waits of parties first called before midnight, by queue class and tier.
///
/// Defaults: the day's policy, as many counters as called someone that day, and the day's
/// observed service minutes per person (the policy's when nobody was served). Both sides
/// are read as of [`DayInput::as_of`].
pub fn replay(input: &DayInput, params: &WhatIfParams) -> Result<WhatIf, FieldErrors> {
    let tz = input.tz;
    let (start, end) = day_bounds(input.date, tz);

    // The day's arrivals: entries whose joining event (the first with a snapshot) is in it.
    let mut joined: BTreeMap<i64, &Event> = BTreeMap::new();
    for event in &input.events {
        if event.snapshot.is_some() && !joined.contains_key(&event.entry_id) {
            joined.insert(event.entry_id, event);
        }
    }
    joined.retain(|_, e| e.at >= start && e.at < end);
    let arrived: Vec<(i64, &EntrySnapshot)> = joined
        .iter()
        .filter_map(|(id, e)| e.snapshot.as_ref().map(|s| (*id, s)))
        .collect();

    let day_events: Vec<Event> = crate::events::without_undone(&input.events)
        .into_iter()
        .filter(|e| e.at < end && joined.contains_key(&e.entry_id))
        .collect();
    let counters_used = input
        .events
        .iter()
        .filter(|e| e.at >= start && e.at < end)
        .filter(|e| matches!(e.kind, EventKind::Called | EventKind::Recalled))
        .filter_map(|e| e.counter)
        .collect::<BTreeSet<u32>>()
        .len() as u32;

    // Each arrival's life during the day, for the table and the observed service time.
    struct Actual {
        first_call: Option<DateTime<Utc>>,
        status: Status,
        served_at: Option<DateTime<Utc>>,
    }
    let mut actual: BTreeMap<i64, Actual> = BTreeMap::new();
    for event in &day_events {
        let life = actual.entry(event.entry_id).or_insert(Actual {
            first_call: None,
            status: Status::Waiting,
            served_at: None,
        });
        if life.status.is_final() {
            continue;
        }
        match event.kind {
            EventKind::Called | EventKind::Recalled => {
                life.first_call.get_or_insert(event.at);
                life.status = Status::Called;
            }
            EventKind::Served => {
                life.status = Status::Served;
                life.served_at = Some(event.at);
            }
            EventKind::NoShow => life.status = Status::NoShow,
            EventKind::Withdrawn => life.status = Status::Withdrawn,
            EventKind::Registered
            | EventKind::CheckedIn
            | EventKind::TicketPrinted
            | EventKind::Undone
            | EventKind::InterpreterRequested => {}
        }
    }
    let (service_seconds, served_persons) = arrived
        .iter()
        .filter_map(|(id, snap)| {
            let life = actual.get(id)?;
            Some((
                (life.served_at? - life.first_call?).num_seconds(),
                snap.party_size,
            ))
        })
        .fold((0i64, 0u32), |(s, p), (ds, dp)| (s + ds, p + dp));
    let observed_minutes_per_person = (served_persons > 0)
        .then(|| round1(service_seconds as f64 / 60.0 / f64::from(served_persons)));

    let policy = Policy {
        walkin_share: params.walkin_share.unwrap_or(input.policy.walkin_share),
        priority_boost_minutes: params
            .priority_boost_minutes
            .unwrap_or(input.policy.priority_boost_minutes),
        minutes_per_person: params.minutes_per_person.unwrap_or_else(|| {
            observed_minutes_per_person.map_or(input.policy.minutes_per_person, |m| {
                m.round().clamp(1.0, 240.0) as u32
            })
        }),
        ..input.policy
    };
    policy.validate()?;
    let counters = params.counters.unwrap_or(counters_used.max(1));

    let arrivals: Vec<Arrival> = arrived
        .iter()
        .map(|(_, snap)| Arrival {
            ticket: snap.ticket.clone(),
            class: snap.class,
            tier: snap.tier,
            party_size: snap.party_size,
            arrived_at: snap.arrived_at,
            slot_at: snap.slot_at,
            service_minutes: None,
            language: None,
        })
        .collect();
    let rows = simulate::run(&arrivals, &policy, counters, tz);
    // Rows come in call order; find each arrival's by ticket and arrival time.
    let mut by_arrival: HashMap<(&str, DateTime<Utc>), &SimRow> = HashMap::new();
    for row in &rows {
        by_arrival.insert((row.ticket.as_str(), row.arrived_at), row);
    }

    let mut simulated_events: Vec<(u8, Event)> = Vec::with_capacity(arrived.len() * 3);
    let mut entries = Vec::with_capacity(arrived.len());
    for (id, snap) in &arrived {
        let Some(row) = by_arrival.get(&(snap.ticket.as_str(), snap.arrived_at)) else {
            continue;
        };
        let life = actual.get(id);
        let first_call = life.and_then(|l| l.first_call);
        entries.push(WhatIfEntry {
            ticket: snap.ticket.clone(),
            class: snap.class,
            tier: snap.tier,
            party_size: snap.party_size,
            arrived_at: local(snap.arrived_at, tz),
            actual_queue_class: snap.queue_class,
            actual_called_at: first_call.map(|t| local(t, tz)),
            actual_wait_minutes: first_call.map(|t| minutes(t - snap.eligible_at)),
            actual_status: life.map_or(Status::Waiting, |l| l.status),
            simulated_queue_class: row.queue_class,
            simulated_called_at: local(row.called_at, tz),
            simulated_counter: row.counter,
            simulated_wait_minutes: minutes(row.called_at - row.eligible_at),
        });
        simulated_events.extend(simulated_life(*id, snap, row));
    }
    // At one instant: a counter comes free, then people arrive, then the counter calls: the
    // order in which the engine saw them.
    simulated_events.sort_by_key(|(phase, e)| (e.at, *phase, e.entry_id));

    let actual_report = daily(&DayInput {
        events: day_events,
        booked: Vec::new(),
        ..input.clone()
    });
    let simulated_report = daily(&DayInput {
        policy,
        events: simulated_events.into_iter().map(|(_, e)| e).collect(),
        booked: Vec::new(),
        ..input.clone()
    });
    let arrivals_count = arrived.len() as u32;
    let scenario = |report: &DailyReport, policy: Policy, counters: u32| Scenario {
        policy,
        counters,
        called: report.figures.waits.all.calls,
        not_called: arrivals_count.saturating_sub(report.figures.waits.all.calls),
        waits: report.figures.waits.clone(),
        walkin_share_served: report.figures.fairness.walkin_share_served,
        overtakes_beyond_bound: report.figures.fairness.overtakes_beyond_bound,
    };
    Ok(WhatIf {
        port: input.port_code.clone(),
        port_name: input.port_name.clone(),
        date: input.date,
        time_zone: tz.name().to_string(),
        arrivals: arrivals_count,
        observed_minutes_per_person,
        actual: scenario(&actual_report, input.policy, counters_used),
        simulated: scenario(&simulated_report, policy, counters),
        entries,
    })
}

/// The replayed party's log: it joins, is called at its counter and is served. The phase
/// orders events of one instant (0 served, 1 joined, 2 called).
fn simulated_life(entry_id: i64, snap: &EntrySnapshot, row: &SimRow) -> [(u8, Event); 3] {
    let event = |kind, at, from, to, snapshot| Event {
        entry_id,
        at,
        actor_id: None,
        kind,
        from,
        to,
        counter: (kind != EventKind::Registered).then_some(row.counter),
        snapshot,
        note: None,
        language_matched: None,
        passed_over: None,
    };
    let snapshot = EntrySnapshot {
        queue_class: row.queue_class,
        eligible_at: row.eligible_at,
        estimate: None,
        ..snap.clone()
    };
    [
        (
            1,
            event(
                EventKind::Registered,
                snap.arrived_at,
                None,
                Some(Status::Waiting),
                Some(snapshot),
            ),
        ),
        (
            2,
            event(
                EventKind::Called,
                row.called_at,
                Some(Status::Waiting),
                Some(Status::Called),
                None,
            ),
        ),
        (
            0,
            event(
                EventKind::Served,
                row.finished_at,
                Some(Status::Called),
                Some(Status::Served),
                None,
            ),
        ),
    ]
}

fn local(at: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
    at.with_timezone(&tz).fixed_offset()
}

/// Minutes with one decimal, as the report rounds them.
fn minutes(span: Duration) -> f64 {
    round1(span.num_seconds() as f64 / 60.0)
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_if_fields_are_checked_and_empty_keeps_the_days_value() {
        let empty = WhatIfInput::default().parse().unwrap();
        assert_eq!(empty, WhatIfParams::default());
        let given = WhatIfInput {
            walkin_percent: "45%".into(),
            priority_boost_minutes: "60".into(),
            counters: "3".into(),
            minutes_per_person: String::new(),
        }
        .parse()
        .unwrap();
        assert_eq!(given.walkin_share, Some(0.45));
        assert_eq!(given.counters, Some(3));
        let bad = WhatIfInput {
            walkin_percent: "100".into(),
            counters: "0".into(),
            ..WhatIfInput::default()
        }
        .parse()
        .unwrap_err();
        assert!(bad.get("walkin_percent").is_some());
        assert!(bad.get("counters").is_some());
    }

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 6, day, hour, minute, 0).unwrap()
    }

    fn event(id: i64, at: DateTime<Utc>, kind: EventKind, counter: Option<u32>) -> Event {
        let (from, to) = match kind {
            EventKind::Registered => (None, Some(Status::Waiting)),
            EventKind::Called => (Some(Status::Waiting), Some(Status::Called)),
            _ => (Some(Status::Called), Some(Status::Served)),
        };
        Event {
            entry_id: id,
            at,
            actor_id: Some(1),
            kind,
            from,
            to,
            counter,
            snapshot: None,
            note: None,
            language_matched: None,
            passed_over: None,
        }
    }

    /// A walk-in of one registered at `arrived`, called at counter 1 at `called` and served
    /// ten minutes later.
    fn walk_in(id: i64, arrived: DateTime<Utc>, called: DateTime<Utc>) -> Vec<Event> {
        let snapshot = EntrySnapshot {
            ticket: format!("W-{id:03}"),
            class: Class::WalkIn,
            queue_class: Class::WalkIn,
            tier: Tier::Standard,
            party_size: 1,
            language: "spa".into(),
            barriers: vec![crate::Barrier::Language],
            vulnerabilities: Vec::new(),
            arrived_at: arrived,
            eligible_at: arrived,
            slot_at: None,
            confirmation: None,
            punctuality: None,
            estimate: None,
        };
        vec![
            Event {
                snapshot: Some(snapshot),
                ..event(id, arrived, EventKind::Registered, None)
            },
            event(id, called, EventKind::Called, Some(1)),
            event(
                id,
                called + Duration::minutes(10),
                EventKind::Served,
                Some(1),
            ),
        ]
    }

    fn day() -> DayInput {
        // Carried in from the evening before: left out of both sides.
        let mut events = walk_in(900, at(14, 23, 0), at(15, 9, 0));
        events.extend(walk_in(1, at(15, 9, 0), at(15, 9, 30)));
        events.extend(walk_in(2, at(15, 9, 1), at(15, 9, 40)));
        events.sort_by_key(|e| e.at);
        DayInput {
            port_code: "TJ1".into(),
            port_name: "El Chaparral".into(),
            date: NaiveDate::from_ymd_opt(2026, 6, 15).unwrap(),
            tz: Tz::UTC,
            policy: Policy::default(),
            policy_changes: Vec::new(),
            as_of: None,
            events,
            booked: Vec::new(),
            officers: BTreeMap::new(),
        }
    }

    #[test]
    fn a_second_counter_calls_both_arrivals_at_once_and_the_day_stays_as_it_was() {
        let w = replay(
            &day(),
            &WhatIfParams {
                counters: Some(2),
                ..WhatIfParams::default()
            },
        )
        .unwrap();
        assert_eq!(w.arrivals, 2, "the carried-in entry is left out");
        let tickets: Vec<&str> = w.entries.iter().map(|e| e.ticket.as_str()).collect();
        assert_eq!(tickets, ["W-001", "W-002"]);
        assert_eq!(w.observed_minutes_per_person, Some(10.0));
        assert_eq!((w.actual.counters, w.simulated.counters), (1, 2));
        assert_eq!(
            w.simulated.policy.minutes_per_person, 10,
            "the observed service time"
        );

        // As it happened: 30 and 39 minutes; replayed: each called on arrival, apart.
        let actual: Vec<Option<f64>> = w.entries.iter().map(|e| e.actual_wait_minutes).collect();
        assert_eq!(actual, [Some(30.0), Some(39.0)]);
        assert_eq!(w.actual.waits.all.from_eligible.median, Some(34.5));
        let replayed: Vec<(f64, u32)> = w
            .entries
            .iter()
            .map(|e| (e.simulated_wait_minutes, e.simulated_counter))
            .collect();
        assert_eq!(replayed[0].0, 0.0);
        assert_eq!(replayed[1].0, 0.0);
        assert_ne!(replayed[0].1, replayed[1].1, "one counter each");
        assert_eq!(w.simulated.waits.all.from_eligible.max, Some(0.0));
        assert_eq!((w.actual.called, w.simulated.called), (2, 2));
        assert!(w.entries.iter().all(|e| e.actual_status == Status::Served));
    }

    #[test]
    fn one_counter_replays_the_queue_in_turn_and_a_bad_setting_is_named() {
        let w = replay(
            &day(),
            &WhatIfParams {
                counters: Some(1),
                minutes_per_person: Some(20),
                ..WhatIfParams::default()
            },
        )
        .unwrap();
        let replayed: Vec<f64> = w.entries.iter().map(|e| e.simulated_wait_minutes).collect();
        assert_eq!(
            replayed,
            [0.0, 19.0],
            "the second waits for the first's 20 minutes"
        );

        let bad = replay(
            &day(),
            &WhatIfParams {
                walkin_share: Some(1.5),
                ..WhatIfParams::default()
            },
        )
        .unwrap_err();
        assert!(bad.get("walkin_share").is_some(), "{bad:?}");
    }
}
