//! Per-language figures of a day (docs/design/fair-queue.md, "Language matching"): for each
//! applicant language, the people served, the share served in their own language (among
//! those called under language matching), the wait, and the interpreter requests: the
//! daily report's `languages` section ([`super::DailyReport::languages`]).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DayInput, day_bounds};
use crate::events::{EntrySnapshot, EventKind, without_undone};
use crate::queue::matching::matched_in_note;
use crate::queue::{
    Coverage, EntryLanguage, QueueEntry, ShareState, next_call, next_call_matched, place,
};

/// One language's figures for the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageFigures {
    /// ISO 639-3.
    pub language: String,
    /// Parties served during the day, and the persons in them.
    pub served_parties: u32,
    pub served_persons: u32,
    /// Parties called during the day at a counter that covered their language, and at one
    /// that did not (an interpreter needed), under language matching.
    pub called_in_language: u32,
    pub called_with_interpreter: u32,
    /// `called_in_language / (called_in_language + called_with_interpreter)`; `None` when
    /// nobody of this language was called under matching.
    pub share_in_language: Option<f64>,
    /// Mean minutes from eligible to first call, over the parties first called in the day.
    pub mean_wait_minutes: Option<f64>,
    /// Interpreter requests marked during the day.
    pub interpreter_requests: u32,
    /// The extra mean wait language matching cost this language (negative: saved), from
    /// the day replayed with and without the counters' languages ([`matching_effect`]);
    /// `None` when no counter was opened with languages that day.
    #[serde(default)]
    pub matching_extra_wait_minutes: Option<f64>,
}

/// The day's figures per language, languages in code order; a language appears when one of
/// its parties was served, called or had an interpreter requested during the day. Undone
/// actions do not count.
pub fn language_figures(input: &DayInput) -> Vec<LanguageFigures> {
    let (start, end) = day_bounds(input.date, input.tz);
    // A day read before its end counts what happened up to `as_of` (stamped at it
    // included), as the rest of the report does.
    let end = input.as_of.map_or(end, |as_of| {
        (as_of + chrono::Duration::microseconds(1)).clamp(start, end)
    });
    let events = without_undone(&input.events);
    let mut snapshots = BTreeMap::new();
    for event in &events {
        if let Some(snapshot) = &event.snapshot {
            snapshots.insert(event.entry_id, snapshot);
        }
    }
    let mut figures: BTreeMap<String, LanguageFigures> = BTreeMap::new();
    let mut waits: BTreeMap<String, (f64, u32)> = BTreeMap::new();
    let mut first_called = std::collections::BTreeSet::new();
    for event in &events {
        let Some(snapshot) = snapshots.get(&event.entry_id) else {
            continue;
        };
        let in_day = event.at >= start && event.at < end;
        let is_first_call = event.kind == EventKind::Called && first_called.insert(event.entry_id);
        if !in_day {
            continue;
        }
        let row = figures
            .entry(snapshot.language.clone())
            .or_insert_with(|| LanguageFigures {
                language: snapshot.language.clone(),
                served_parties: 0,
                served_persons: 0,
                called_in_language: 0,
                called_with_interpreter: 0,
                share_in_language: None,
                mean_wait_minutes: None,
                interpreter_requests: 0,
                matching_extra_wait_minutes: None,
            });
        match event.kind {
            EventKind::Served => {
                row.served_parties += 1;
                row.served_persons += snapshot.party_size;
            }
            EventKind::Called => {
                // The call's own fact; a call logged before calls carried it says so only
                // in its note's language line.
                let matched = event
                    .language_matched
                    .or_else(|| event.note.as_deref().and_then(matched_in_note));
                match matched {
                    Some(true) => row.called_in_language += 1,
                    Some(false) => row.called_with_interpreter += 1,
                    None => {}
                }
                if is_first_call {
                    let wait = waits.entry(snapshot.language.clone()).or_default();
                    wait.0 += (event.at - snapshot.eligible_at).num_seconds().max(0) as f64 / 60.0;
                    wait.1 += 1;
                }
            }
            EventKind::InterpreterRequested if event.note.as_deref() == Some("requested") => {
                row.interpreter_requests += 1;
            }
            _ => {}
        }
    }
    figures
        .into_values()
        .map(|mut row| {
            let matched = row.called_in_language + row.called_with_interpreter;
            row.share_in_language =
                (matched > 0).then(|| f64::from(row.called_in_language) / f64::from(matched));
            row.mean_wait_minutes = waits
                .get(&row.language)
                .filter(|(_, n)| *n > 0)
                .map(|(total, n)| (total / f64::from(*n) * 10.0).round() / 10.0);
            row
        })
        .filter(|row| {
            row.served_parties > 0
                || row.called_in_language + row.called_with_interpreter > 0
                || row.interpreter_requests > 0
                || row.mean_wait_minutes.is_some()
        })
        .collect()
}

/// One change of a counter's languages during a day: opened with `languages` (the port's
/// defaults not included), or closed for matching (`None`: it calls in the plain fair order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterLanguageChange {
    pub at: DateTime<Utc>,
    pub counter: u32,
    pub languages: Option<Vec<String>>,
}

/// How a day's counters covered languages: what [`matching_effect`] replays the day with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayMatching {
    /// The day's changes, in time order (a counter opened on an earlier day is not open).
    pub changes: Vec<CounterLanguageChange>,
    /// What every counter open with languages covers besides its own.
    pub default_languages: Vec<String>,
    pub wait_limit_minutes: u32,
}

/// Sets each language's `matching_extra_wait_minutes` in a day's report from
/// [`matching_effect`] (the report of `input`).
pub fn add_matching_effect(
    report: &mut super::DailyReport,
    input: &DayInput,
    matching: &DayMatching,
) {
    let effect = matching_effect(input, matching);
    for row in &mut report.languages {
        row.matching_extra_wait_minutes = effect.get(&row.language).copied();
    }
}

/// The extra wait that language matching cost (positive) or saved (negative) each language
/// on the day, in minutes with one decimal: the day replayed twice, with the counters'
/// languages as they changed during the day and with every counter in the plain fair order,
/// and the mean wait (eligible to call) of each language's parties compared. Empty when no
/// counter was opened with languages during the day.
///
/// The replay takes the parties first called during the day (their snapshot, ordered by
/// registration), each keeping a counter as long as it did that day (first call to served,
/// no-show or withdrawal; the policy's minutes per person when the log has no end), and the
/// counters that called that day, each free from the earliest moment one of those parties
/// was eligible. Both replays share everything but the languages, so the difference is
/// matching's alone; neither is the day as it happened.
pub fn matching_effect(input: &DayInput, matching: &DayMatching) -> BTreeMap<String, f64> {
    let (start, end) = day_bounds(input.date, input.tz);
    let end = input.as_of.map_or(end, |as_of| {
        (as_of + chrono::Duration::microseconds(1)).clamp(start, end)
    });
    let changes: Vec<&CounterLanguageChange> = matching
        .changes
        .iter()
        .filter(|c| c.at >= start && c.at < end)
        .collect();
    if !changes.iter().any(|c| c.languages.is_some()) {
        return BTreeMap::new();
    }
    let events = without_undone(&input.events);
    let mut snapshots: BTreeMap<i64, (usize, &EntrySnapshot)> = BTreeMap::new();
    let mut first_call: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    let mut finished: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    let mut counters: BTreeSet<u32> = BTreeSet::new();
    for (order, event) in events.iter().enumerate() {
        if event.at >= end {
            continue;
        }
        if let Some(snapshot) = &event.snapshot {
            snapshots.entry(event.entry_id).or_insert((order, snapshot));
        }
        match event.kind {
            EventKind::Called => {
                if let std::collections::btree_map::Entry::Vacant(first) =
                    first_call.entry(event.entry_id)
                {
                    first.insert(event.at);
                    if event.at >= start {
                        counters.extend(event.counter);
                    }
                }
            }
            EventKind::Served | EventKind::NoShow | EventKind::Withdrawn => {
                finished.entry(event.entry_id).or_insert(event.at);
            }
            _ => {}
        }
    }
    let policy = input.policy;
    let mut party: Vec<(QueueEntry, Option<String>, chrono::Duration)> = Vec::new();
    for (&id, &(order, snapshot)) in &snapshots {
        let Some(&called) = first_call.get(&id).filter(|at| **at >= start) else {
            continue;
        };
        let service = finished
            .get(&id)
            .filter(|done| **done >= called)
            .map_or_else(
                || {
                    chrono::Duration::minutes(i64::from(
                        policy.minutes_per_person * snapshot.party_size,
                    ))
                },
                |done| *done - called,
            );
        party.push((
            QueueEntry {
                id,
                seq: order as i64,
                class: snapshot.class,
                tier: snapshot.tier,
                party_size: snapshot.party_size,
                arrived_at: snapshot.arrived_at,
                slot_at: snapshot.slot_at,
            },
            Some(snapshot.language.clone()).filter(|l| !l.is_empty()),
            service,
        ));
    }
    let counters: Vec<u32> = counters.into_iter().collect();
    if party.is_empty() || counters.is_empty() {
        return BTreeMap::new();
    }
    let languages_at = |counter: u32, at: DateTime<Utc>| -> Option<Vec<String>> {
        let mut languages = changes
            .iter()
            .rev()
            .find(|c| c.counter == counter && c.at <= at)?
            .languages
            .clone()?;
        languages.extend(matching.default_languages.iter().cloned());
        Some(languages)
    };
    let with = replay(&party, &counters, &policy, input.tz, |k, at| {
        let here = languages_at(counters[k], at)?;
        Some(Coverage {
            here,
            others: counters
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .filter_map(|(_, &c)| languages_at(c, at))
                .collect(),
            wait_limit_minutes: matching.wait_limit_minutes,
        })
    });
    let without = replay(&party, &counters, &policy, input.tz, |_, _| None);
    let mean = |waits: &[i64]| -> BTreeMap<String, f64> {
        let mut sums: BTreeMap<String, (i64, u32)> = BTreeMap::new();
        for ((_, language, _), wait) in party.iter().zip(waits) {
            let sum = sums
                .entry(language.clone().unwrap_or_default())
                .or_default();
            sum.0 += wait;
            sum.1 += 1;
        }
        sums.into_iter()
            .map(|(l, (total, n))| (l, total as f64 / 60.0 / f64::from(n)))
            .collect()
    };
    let (with, without) = (mean(&with), mean(&without));
    with.into_iter()
        .filter(|(language, _)| !language.is_empty())
        .map(|(language, w)| {
            let difference = w - without.get(&language).copied().unwrap_or(w);
            (language, (difference * 10.0).round() / 10.0 + 0.0)
        })
        .collect()
}

/// Calls everyone of `party` with `counters` free from the earliest eligibility, each
/// counter calling as the live queue does: under matching when `coverage` gives its
/// coverage at that moment, else in the plain fair order. Each party's wait (eligible to
/// call) in seconds, parallel to `party`.
fn replay(
    party: &[(QueueEntry, Option<String>, chrono::Duration)],
    counters: &[u32],
    policy: &crate::model::Policy,
    tz: chrono_tz::Tz,
    coverage: impl Fn(usize, DateTime<Utc>) -> Option<Coverage>,
) -> Vec<i64> {
    let eligible: Vec<DateTime<Utc>> = party
        .iter()
        .map(|(e, _, _)| place(e, policy).eligible_at)
        .collect();
    let Some(&first) = eligible.iter().min() else {
        return Vec::new();
    };
    let mut free: BinaryHeap<Reverse<(DateTime<Utc>, usize)>> =
        (0..counters.len()).map(|k| Reverse((first, k))).collect();
    let mut waiting: Vec<usize> = (0..party.len()).collect();
    let mut passed: Vec<Option<DateTime<Utc>>> = vec![None; party.len()];
    let mut waits = vec![0i64; party.len()];
    let mut state = ShareState::default();
    while !waiting.is_empty() {
        let Some(Reverse((at, k))) = free.pop() else {
            break;
        };
        let entries: Vec<QueueEntry> = waiting.iter().map(|&i| party[i].0.clone()).collect();
        let call = match coverage(k, at) {
            Some(coverage) => {
                let languages: Vec<EntryLanguage> = waiting
                    .iter()
                    .map(|&i| EntryLanguage {
                        language: party[i].1.clone(),
                        passed_over_since: passed[i],
                    })
                    .collect();
                next_call_matched(&entries, &languages, policy, tz, &state, at, &coverage)
                    .map(|m| (m.call, m.passed_over))
            }
            None => next_call(&entries, policy, tz, &state, at).map(|c| (c, Vec::new())),
        };
        match call {
            Some((call, passed_over)) => {
                for &i in &waiting {
                    if passed_over.contains(&party[i].0.id) {
                        passed[i].get_or_insert(at);
                    }
                }
                let Some(w) = waiting.iter().position(|&i| party[i].0.id == call.entry_id) else {
                    break;
                };
                let i = waiting.remove(w);
                state = call.state;
                waits[i] = (at - eligible[i]).num_seconds().max(0);
                free.push(Reverse((at + party[i].2.max(chrono::Duration::zero()), k)));
            }
            None => match waiting
                .iter()
                .map(|&i| eligible[i])
                .filter(|&e| e > at)
                .min()
            {
                Some(next) => free.push(Reverse((next, k))),
                None => break,
            },
        }
    }
    waits
}
