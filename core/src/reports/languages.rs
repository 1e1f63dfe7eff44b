//! Per-language figures of a day (docs/design/fair-queue.md, "Language matching"): for each
//! applicant language, the people served, the share served in their own language (among
//! those called under language matching), the wait, and the interpreter requests: the
//! daily report's `languages` section ([`super::DailyReport::languages`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DayInput, day_bounds};
use crate::events::{EventKind, without_undone};
use crate::queue::matching::matched_in_note;

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
