//! Per-language figures of a day (docs/design/fair-queue.md, "Language matching"): for each
//! applicant language, the people served, the share served in their own language (among
//! those called under language matching), the wait, and the interpreter requests: the
//! daily report's `languages` section ([`super::DailyReport::languages`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DayInput, day_bounds};
use crate::events::{EntrySnapshot, EventKind, without_undone};
use crate::queue::matching::matched_in_note;
use crate::queue::{QueueEntry, ShareState, next_call, place};

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
    /// Parties first called in the day: what `mean_wait_minutes` is the mean of (a range
    /// weighs each day's mean by it).
    #[serde(default)]
    pub first_calls: u32,
    /// Parties whose interpreter request was made during the day and still stands at its
    /// end (or at the report's `as_of`): one taken back does not count, and a party asked
    /// for twice counts once.
    pub interpreter_requests: u32,
    /// The extra mean wait language matching cost this language (negative: saved), from
    /// the day replayed with and without the counters' languages ([`matching_effect`]);
    /// `None` when no counter was opened with languages that day.
    #[serde(default)]
    pub matching_extra_wait_minutes: Option<f64>,
    /// Parties `matching_extra_wait_minutes` is the mean over (a range weighs each day's
    /// by it); 0 when it is `None`.
    #[serde(default)]
    pub matching_parties: u32,
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
    // Each entry's interpreter request as it stands: when it was made, or `None` once
    // cancelled. Only requests standing at the end of the day (or at `as_of`) count.
    let mut requests: BTreeMap<i64, Option<DateTime<Utc>>> = BTreeMap::new();
    for event in &events {
        let Some(snapshot) = snapshots.get(&event.entry_id) else {
            continue;
        };
        if event.kind == EventKind::InterpreterRequested && event.at < end {
            let made = event.note.as_deref() == Some("requested");
            requests.insert(event.entry_id, made.then_some(event.at));
        }
        let in_day = event.at >= start && event.at < end;
        let is_first_call = event.kind == EventKind::Called && first_called.insert(event.entry_id);
        if !in_day {
            continue;
        }
        let row = row_of(&mut figures, &snapshot.language);
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
            _ => {}
        }
    }
    for (entry_id, made) in requests {
        if let (Some(made), Some(snapshot)) = (made, snapshots.get(&entry_id))
            && made >= start
        {
            row_of(&mut figures, &snapshot.language).interpreter_requests += 1;
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
            row.first_calls = waits.get(&row.language).map_or(0, |(_, n)| *n);
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

impl LanguageFigures {
    /// A language's row with nothing counted in it yet.
    fn empty(language: &str) -> LanguageFigures {
        LanguageFigures {
            language: language.to_owned(),
            served_parties: 0,
            served_persons: 0,
            called_in_language: 0,
            called_with_interpreter: 0,
            share_in_language: None,
            mean_wait_minutes: None,
            first_calls: 0,
            interpreter_requests: 0,
            matching_extra_wait_minutes: None,
            matching_parties: 0,
        }
    }
}

/// A language's row of the day, empty until something counts in it.
fn row_of<'a>(
    figures: &'a mut BTreeMap<String, LanguageFigures>,
    language: &str,
) -> &'a mut LanguageFigures {
    figures
        .entry(language.to_owned())
        .or_insert_with(|| LanguageFigures::empty(language))
}

/// One change of a counter's languages during a day: opened with `languages` (the port's
/// defaults not included), or closed for matching (`None`: it calls in the plain fair order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterLanguageChange {
    pub at: DateTime<Utc>,
    pub counter: u32,
    pub languages: Option<Vec<String>>,
}

/// How a day's counters covered languages: [`matching_effect`] compares a day on which
/// some counter was open with languages with the plain fair order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayMatching {
    /// The day's changes, in time order (a counter opened on an earlier day is not open).
    pub changes: Vec<CounterLanguageChange>,
    /// The port's default languages, which every counter open with languages covers.
    pub default_languages: Vec<String>,
    /// The port's wait limit, for calls logged before each call recorded the limit in force.
    pub wait_limit_minutes: u32,
}

impl DayMatching {
    /// What `counter` was open with at `at`: the languages of its last change before `at`,
    /// and of each change at `at` itself (a change and a call stamped with one instant cannot
    /// be told apart by time, so either order is allowed); `None` entries: closed.
    fn open_at(&self, counter: u32, at: DateTime<Utc>) -> Vec<Option<&[String]>> {
        let mine = || self.changes.iter().filter(|c| c.counter == counter);
        let before = mine().rfind(|c| c.at < at);
        before
            .into_iter()
            .chain(mine().filter(|c| c.at == at))
            .map(|c| c.languages.as_deref())
            .collect()
    }

    /// Whether `counter`, open with languages at `at`, covered `language` then. An entry
    /// without a language is covered by every counter.
    pub(crate) fn covers(&self, counter: u32, language: &str, at: DateTime<Utc>) -> bool {
        language.is_empty()
            || self.open_at(counter, at).into_iter().flatten().any(|own| {
                own.iter()
                    .chain(&self.default_languages)
                    .any(|l| l == language)
            })
    }

    /// Whether a counter other than `counter` was open with languages at `at` and covered
    /// `language`.
    pub(crate) fn covered_elsewhere(
        &self,
        counter: u32,
        language: &str,
        at: DateTime<Utc>,
    ) -> bool {
        let others: BTreeSet<u32> = self
            .changes
            .iter()
            .filter(|c| c.counter != counter && c.at <= at)
            .map(|c| c.counter)
            .collect();
        others.into_iter().any(|k| self.covers(k, language, at))
    }
}

/// Sets each language's `matching_extra_wait_minutes` in a day's report from
/// [`matching_effect`] (the report of `input`).
pub fn add_matching_effect(
    report: &mut super::DailyReport,
    input: &DayInput,
    matching: &DayMatching,
) {
    let effect = matching_effect_counted(input, matching);
    for row in &mut report.languages {
        let found = effect.get(&row.language).copied();
        row.matching_extra_wait_minutes = found.map(|(minutes, _)| minutes);
        row.matching_parties = found.map_or(0, |(_, parties)| parties);
    }
}

/// The extra wait that language matching cost (positive) or saved (negative) each language
/// on the day, in minutes with one decimal: each language's mean wait (eligible to first
/// call) as the day happened, against the same day's calls made in the plain fair order.
/// Empty when no counter was opened with languages during the day.
///
/// The counterfactual keeps every call of the day where and when it was made (the same
/// instants, the same number of calls) and changes only whom each one called: the head of
/// the plain fair order among the parties then waiting ([`next_call`], with its share
/// state). So the difference is the choice of whom to call, which is all matching changes;
/// a party not called by the day's end (or the "as of" time), as it happened or in the
/// counterfactual, counts its wait to then. The parties are everyone waiting during the day
/// but those who left (withdrew, or closed without a call) before any call, who are in neither.
pub fn matching_effect(input: &DayInput, matching: &DayMatching) -> BTreeMap<String, f64> {
    matching_effect_counted(input, matching)
        .into_iter()
        .map(|(language, (minutes, _))| (language, minutes))
        .collect()
}

/// [`matching_effect`], each language's with the number of parties it is the mean over.
fn matching_effect_counted(
    input: &DayInput,
    matching: &DayMatching,
) -> BTreeMap<String, (f64, u32)> {
    let (start, end) = day_bounds(input.date, input.tz);
    let end = input.as_of.map_or(end, |as_of| {
        (as_of + chrono::Duration::microseconds(1)).clamp(start, end)
    });
    if !matching
        .changes
        .iter()
        .any(|c| c.at >= start && c.at < end && c.languages.is_some())
    {
        return BTreeMap::new();
    }
    let events = without_undone(&input.events);
    let mut snapshots: BTreeMap<i64, (usize, &EntrySnapshot)> = BTreeMap::new();
    let mut first_call: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
    let mut left: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    for (order, event) in events.iter().enumerate() {
        if event.at >= end {
            continue;
        }
        if let Some(snapshot) = &event.snapshot {
            snapshots.entry(event.entry_id).or_insert((order, snapshot));
        }
        match event.kind {
            EventKind::Called => {
                first_call.entry(event.entry_id).or_insert(event.at);
            }
            EventKind::Withdrawn | EventKind::NoShow | EventKind::Served
                if !first_call.contains_key(&event.entry_id) =>
            {
                left.insert(event.entry_id);
            }
            _ => {}
        }
    }
    let policy = input.policy;
    // (entry, language, eligible, called as the day happened: `end` if still waiting)
    let mut party: Vec<(QueueEntry, String, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (&id, &(order, snapshot)) in &snapshots {
        let called = first_call.get(&id).copied();
        if called.is_some_and(|at| at < start) || (called.is_none() && left.contains(&id)) {
            continue;
        }
        let called = called.unwrap_or(end);
        let entry = QueueEntry {
            id,
            seq: order as i64,
            class: snapshot.class,
            tier: snapshot.tier,
            party_size: snapshot.party_size,
            arrived_at: snapshot.arrived_at,
            slot_at: snapshot.slot_at,
        };
        let eligible = place(&entry, &policy).eligible_at;
        if eligible >= end {
            continue;
        }
        party.push((entry, snapshot.language.clone(), eligible, called));
    }
    let mut instants: Vec<DateTime<Utc>> =
        party.iter().map(|p| p.3).filter(|at| *at < end).collect();
    instants.sort();
    let plain = plain_calls(&party, &instants, input, end);
    let mut sums: BTreeMap<&str, (i64, i64, u32)> = BTreeMap::new();
    for ((_, language, eligible, called), plain) in party.iter().zip(&plain) {
        if language.is_empty() {
            continue;
        }
        let sum = sums.entry(language.as_str()).or_default();
        sum.0 += (*called - *eligible).num_seconds().max(0);
        sum.1 += (*plain - *eligible).num_seconds().max(0);
        sum.2 += 1;
    }
    sums.into_iter()
        .map(|(language, (actual, plain, n))| {
            let minutes = (actual - plain) as f64 / 60.0 / f64::from(n);
            (
                language.to_owned(),
                ((minutes * 10.0).round() / 10.0 + 0.0, n),
            )
        })
        .collect()
}

/// When each of `party` would have been called had each call at `instants` (in time order)
/// called the head of the plain fair order; `end` for a party never called so.
fn plain_calls(
    party: &[(QueueEntry, String, DateTime<Utc>, DateTime<Utc>)],
    instants: &[DateTime<Utc>],
    input: &DayInput,
    end: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut called = vec![end; party.len()];
    let mut waiting: Vec<usize> = (0..party.len()).collect();
    let mut state = ShareState::default();
    for &at in instants {
        let entries: Vec<QueueEntry> = waiting.iter().map(|&i| party[i].0.clone()).collect();
        let Some(call) = next_call(&entries, &input.policy, input.tz, &state, at) else {
            continue;
        };
        let Some(w) = waiting.iter().position(|&i| party[i].0.id == call.entry_id) else {
            continue;
        };
        let i = waiting.remove(w);
        state = call.state;
        called[i] = at;
    }
    called
}

/// Sums the days' per-language figures for a range: counts are added, the share in their
/// language is worked out again from the added calls, and the mean wait and the extra wait
/// from matching are the days' means weighted by the parties each is over (`first_calls`,
/// `matching_parties`), to one decimal. Languages in code order.
pub fn sum_languages<'a>(
    days: impl IntoIterator<Item = &'a [LanguageFigures]>,
) -> Vec<LanguageFigures> {
    // language -> (figures so far, total wait, total extra wait)
    let mut sums: BTreeMap<String, (LanguageFigures, f64, f64)> = BTreeMap::new();
    for day in days {
        for f in day {
            let (row, wait, extra) = sums
                .entry(f.language.clone())
                .or_insert_with(|| (LanguageFigures::empty(&f.language), 0.0, 0.0));
            row.served_parties += f.served_parties;
            row.served_persons += f.served_persons;
            row.called_in_language += f.called_in_language;
            row.called_with_interpreter += f.called_with_interpreter;
            row.interpreter_requests += f.interpreter_requests;
            if let Some(mean) = f.mean_wait_minutes {
                row.first_calls += f.first_calls;
                *wait += mean * f64::from(f.first_calls);
            }
            if let Some(minutes) = f.matching_extra_wait_minutes {
                row.matching_parties += f.matching_parties;
                *extra += minutes * f64::from(f.matching_parties);
                // A day with the figure but no parties still says matching was on.
                row.matching_extra_wait_minutes.get_or_insert(0.0);
            }
        }
    }
    let tenth = |x: f64| (x * 10.0).round() / 10.0 + 0.0;
    sums.into_values()
        .map(|(mut row, wait, extra)| {
            let called = row.called_in_language + row.called_with_interpreter;
            row.share_in_language =
                (called > 0).then(|| f64::from(row.called_in_language) / f64::from(called));
            row.mean_wait_minutes =
                (row.first_calls > 0).then(|| tenth(wait / f64::from(row.first_calls)));
            if row.matching_parties > 0 {
                row.matching_extra_wait_minutes =
                    Some(tenth(extra / f64::from(row.matching_parties)));
            }
            row
        })
        .collect()
}
