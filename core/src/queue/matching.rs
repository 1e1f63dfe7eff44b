//! Language-matched calls: a bounded detour from the fair order (docs/design/fair-queue.md,
//! "Language matching", G8 and G9).
//!
//! A free counter walks the fair order (the order [`super::next_call`] would call everyone
//! eligible now, nobody new arriving) and calls the first entry whose language it covers.
//! It may pass over an entry only while another open counter covers that entry's language
//! and the entry was first passed over no more than the port's limit ago; an urgent entry is
//! never passed over. An entry it may not pass over is called with "interpreter needed".
//! When it covers nobody's language, it calls the fair order's head (work conserving, G5).
//!
//! With matching off the app calls [`super::next_call`] and never reaches this code; with
//! every counter covering every waiting language the first entry of the fair order is the
//! one called, and the share state is charged exactly as [`super::next_call`] charges it,
//! so the calls are today's (G9, checked by `core/tests/guarantees.rs`).

use std::collections::{BTreeSet, BinaryHeap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::engine::{
    APPOINTMENT, Called, Head, OrderKey, WALK_IN, Weights, charge, choose_class, class_index,
    class_key, place, prepare, urgent_key,
};
use super::{Call, Placement, QueueEntry, ShareState, reason};
use crate::model::{Policy, Tier};

/// The default for how long an entry may stay passed over: after this, no counter passes
/// over it again.
pub const DEFAULT_WAIT_LIMIT_MINUTES: u32 = 20;

/// The longest limit a port may set (a working day): beyond it matching is no detour but
/// a separate queue.
pub const MAX_WAIT_LIMIT_MINUTES: u32 = 8 * 60;

/// What the matching rule needs to know about one waiting entry, beside its [`QueueEntry`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryLanguage {
    /// The applicant's language (ISO 639-3); `None`: not recorded, any counter will do.
    pub language: Option<String>,
    /// When a call first passed this entry over; the limit runs from then.
    pub passed_over_since: Option<DateTime<Utc>>,
}

/// The languages the counters open now cover, for one counter's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// What the free counter covers (its own languages and the port's defaults).
    pub here: Vec<String>,
    /// What each other open counter covers (busy or not): one list per counter.
    pub others: Vec<Vec<String>>,
    /// How long an entry may stay passed over, in minutes.
    pub wait_limit_minutes: u32,
}

impl Coverage {
    fn covered_here(&self, language: &str) -> bool {
        self.here.iter().any(|l| l == language)
    }

    fn covered_elsewhere(&self, language: &str) -> bool {
        self.others.iter().any(|c| c.iter().any(|l| l == language))
    }
}

/// Why a counter called whom it called, as far as languages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageReason {
    /// The counter covers the entry's language.
    Covered,
    /// The entry has no language recorded.
    NoLanguage,
    /// Urgent entries are never passed over.
    Urgent,
    /// No open counter covers the entry's language.
    NoOpenCounter,
    /// The entry had been passed over for longer than the limit.
    LimitReached,
    /// The counter covers nobody's language who waits: the fair order's head.
    NobodyCovered,
}

impl LanguageReason {
    /// Whether the entry is served in its language (or has none recorded).
    pub fn matched(self) -> bool {
        matches!(self, Self::Covered | Self::NoLanguage)
    }

    /// One line in plain words, for the counter screen, `simulate` and the report.
    pub fn text(self, language: Option<&str>, passed_over: usize, limit_minutes: u32) -> String {
        let name = language
            .map(|code| crate::languages::find(code).map_or(code, |l| l.name))
            .unwrap_or("no language recorded");
        let mut line = match self {
            Self::Covered => format!("{name}: this counter covers it"),
            Self::NoLanguage => "no language recorded: any counter".to_owned(),
            Self::Urgent => format!("urgent, never passed over; {name}: interpreter needed"),
            Self::NoOpenCounter => {
                format!("no open counter covers {name}: interpreter needed")
            }
            Self::LimitReached => format!(
                "passed over for more than {limit_minutes} min (the limit); \
                 {name}: interpreter needed"
            ),
            Self::NobodyCovered => format!(
                "nobody waiting speaks a language this counter covers, so the fair order; \
                 {name}: interpreter needed"
            ),
        };
        if passed_over > 0 {
            line.push_str(&format!(
                "; passed over {passed_over} whose language another open counter covers"
            ));
        }
        line
    }
}

/// Whether a stored call note (the engine's reason, then `"; "` and the language line of
/// [`LanguageReason::text`]) says the person was served in their language: `Some(true)`,
/// `Some(false)` (interpreter needed), or `None` for a call made without matching. The
/// daily report reads the event log this way, so the two stay side by side here.
pub fn matched_in_note(note: &str) -> Option<bool> {
    if note.contains(" interpreter needed") {
        Some(false)
    } else if note.contains(": this counter covers it")
        || note.contains("no language recorded: any counter")
    {
        Some(true)
    } else {
        None
    }
}

/// A language-matched call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedCall {
    /// The call, its fair-order reason and the share state to store.
    pub call: Call,
    pub language_reason: LanguageReason,
    /// Served in their language (or none recorded).
    pub language_matched: bool,
    /// The counter does not cover the language: a telephone interpreter is needed.
    pub interpreter_needed: bool,
    /// Entries ahead in the fair order that this call passed over (ids), whose
    /// `passed_over_since` starts now if it had not started yet.
    pub passed_over: Vec<i64>,
    /// [`LanguageReason::text`] for this call.
    pub language_line: String,
}

/// What the rule says about one entry the counter reaches in the fair order.
enum Verdict {
    Call(LanguageReason),
    PassOver,
}

fn verdict(
    language: &EntryLanguage,
    coverage: &Coverage,
    now: DateTime<Utc>,
    urgent: bool,
) -> Verdict {
    let Some(code) = language.language.as_deref() else {
        return Verdict::Call(LanguageReason::NoLanguage);
    };
    if coverage.covered_here(code) {
        return Verdict::Call(LanguageReason::Covered);
    }
    if urgent {
        return Verdict::Call(LanguageReason::Urgent);
    }
    if !coverage.covered_elsewhere(code) {
        return Verdict::Call(LanguageReason::NoOpenCounter);
    }
    let limit = Duration::minutes(i64::from(coverage.wait_limit_minutes));
    if language
        .passed_over_since
        .is_some_and(|since| now - since > limit)
    {
        return Verdict::Call(LanguageReason::LimitReached);
    }
    Verdict::PassOver
}

/// The decision, as indices.
pub(super) struct Decision {
    pub index: usize,
    pub reason: LanguageReason,
    pub passed: Vec<usize>,
}

/// Walks the fair order from `prepared`: the urgent head first (never passed over), then the
/// classes' lines merged by the share rule, each passed-over party charged to its class as
/// the fair order would charge it, so the walk is the order [`super::next_call`] would call
/// everyone in.
#[allow(clippy::too_many_arguments)]
pub(super) fn decide<I: Iterator<Item = (OrderKey, usize)>>(
    urgent_head: Option<usize>,
    lines: [I; 2],
    prepared: &ShareState,
    weights: Weights,
    entries: &[QueueEntry],
    languages: &[EntryLanguage],
    coverage: &Coverage,
    now: DateTime<Utc>,
) -> Option<Decision> {
    if let Some(index) = urgent_head {
        let reason = match verdict(&languages[index], coverage, now, true) {
            Verdict::Call(reason) => reason,
            Verdict::PassOver => LanguageReason::Urgent,
        };
        return Some(Decision {
            index,
            reason,
            passed: Vec::new(),
        });
    }
    let mut lines = lines.map(Iterator::peekable);
    let mut credits = [prepared.walkin_credit, prepared.appointment_credit];
    let mut passed = Vec::new();
    loop {
        let heads = [WALK_IN, APPOINTMENT].map(|c| {
            lines[c].peek().map(|&(key, index)| Head {
                key,
                party_size: entries[index].party_size,
            })
        });
        let sim = ShareState {
            walkin_credit: credits[WALK_IN],
            appointment_credit: credits[APPOINTMENT],
            ..*prepared
        };
        let Some(class) = choose_class(&sim, weights, heads) else {
            break;
        };
        let (_, index) = lines[class].next()?;
        match verdict(&languages[index], coverage, now, false) {
            Verdict::Call(reason) => {
                return Some(Decision {
                    index,
                    reason,
                    passed,
                });
            }
            Verdict::PassOver => {
                passed.push(index);
                credits[class] = credits[class].saturating_add(
                    u64::from(entries[index].party_size) * weights.per_person(class),
                );
            }
        }
    }
    // Everyone eligible could be passed over: nobody here is covered. A free counter still
    // calls (G5), the fair order's head, passing nobody over.
    let index = *passed.first()?;
    Some(Decision {
        index,
        reason: LanguageReason::NobodyCovered,
        passed: Vec::new(),
    })
}

/// Whom a counter free at `now` calls under language matching, or `None` when nobody is
/// eligible. `languages` is parallel to `entries`. The same share state as
/// [`super::next_call`] is read and charged (to the class of the entry called).
pub fn next_call_matched(
    entries: &[QueueEntry],
    languages: &[EntryLanguage],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
    coverage: &Coverage,
) -> Option<MatchedCall> {
    assert_eq!(
        entries.len(),
        languages.len(),
        "one EntryLanguage per entry"
    );
    let weights = Weights::of(policy);
    let mut eligible = [0usize; 2];
    let mut urgent: Option<(OrderKey, usize)> = None;
    let mut lines: [Vec<(OrderKey, usize)>; 2] = [Vec::new(), Vec::new()];
    let placements: Vec<Placement> = entries.iter().map(|e| place(e, policy)).collect();
    for (index, entry) in entries.iter().enumerate() {
        let placement = &placements[index];
        if placement.eligible_at > now {
            continue;
        }
        let class = class_index(placement.queue_class);
        eligible[class] += 1;
        if entry.tier == Tier::Urgent {
            let key = urgent_key(entry, placement);
            if urgent.is_none_or(|(best, _)| key < best) {
                urgent = Some((key, index));
            }
        } else {
            lines[class].push((class_key(entry, placement), index));
        }
    }
    let backlogged_now = eligible.map(|n| n > 0);
    if !backlogged_now.contains(&true) {
        return None;
    }
    for line in &mut lines {
        line.sort_unstable();
    }
    let prepared = prepare(state, weights, tz, now, backlogged_now);
    let [walk_ins, appointments] = lines;
    let decision = decide(
        urgent.map(|(_, i)| i),
        [walk_ins.into_iter(), appointments.into_iter()],
        &prepared,
        weights,
        entries,
        languages,
        coverage,
        now,
    )?;
    let entry = &entries[decision.index];
    let class = class_index(placements[decision.index].queue_class);
    let mut after = eligible;
    after[class] -= 1;
    let matched = decision.reason.matched();
    Some(MatchedCall {
        call: Call {
            entry_id: entry.id,
            reason: reason(entry, policy, tz),
            state: charge(
                prepared,
                weights,
                class,
                entry.party_size,
                after.map(|n| n > 0),
            ),
        },
        language_reason: decision.reason,
        language_matched: matched,
        interpreter_needed: !matched,
        passed_over: decision.passed.iter().map(|&i| entries[i].id).collect(),
        language_line: decision.reason.text(
            languages[decision.index].language.as_deref(),
            decision.passed.len(),
            coverage.wait_limit_minutes,
        ),
    })
}

/// Language matching as the estimates see it at a port: given to
/// [`super::Projection::new_matched`] beside [`super::EstimateInputs`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EstimateMatching {
    /// One per counter of [`super::EstimateInputs::open`], in that order: the languages it
    /// covers (the port's defaults included), or `None` for a counter open without
    /// languages, which calls in the plain fair order. Counters the plan opens later have
    /// none.
    pub counters: Vec<Option<Vec<String>>>,
    /// Each waiting entry's language and pass-over clock, parallel to the entries projected.
    pub entries: Vec<EntryLanguage>,
    /// How long an entry may stay passed over, in minutes.
    pub wait_limit_minutes: u32,
}

impl EstimateMatching {
    /// Whether any counter calls under matching: otherwise the projection is the plain one.
    pub fn in_effect(&self) -> bool {
        self.counters.iter().any(Option::is_some)
    }
}

/// Language matching in an engine run (the estimates' runs): what each counter covers and
/// each entry's language, its pass-over clock running as the run calls.
#[derive(Debug, Clone)]
pub(crate) struct RunMatching {
    /// For each counter of the run (by its index): what it covers, the port's defaults
    /// included; `None` (or beyond the list): a counter opened without languages, which
    /// calls in the plain fair order and covers nothing for the others. Shared by every
    /// copy of the run: a projection continued with a registration copies each paused run
    /// (twice), and these never change.
    counters: Arc<Vec<Option<Vec<String>>>>,
    /// Each counter's [`Coverage`] while every counter with languages is open (shared as
    /// `counters` is).
    coverages: Arc<Vec<Option<Arc<Coverage>>>>,
    /// Parallel to the run's entries.
    pub languages: Vec<EntryLanguage>,
}

impl RunMatching {
    pub fn new(
        counters: Vec<Option<Vec<String>>>,
        languages: Vec<EntryLanguage>,
        wait_limit_minutes: u32,
    ) -> Self {
        let coverages = (0..counters.len())
            .map(|k| {
                Some(Arc::new(coverage_of(
                    &counters,
                    k,
                    wait_limit_minutes,
                    |_| true,
                )?))
            })
            .collect();
        Self {
            counters: Arc::new(counters),
            coverages: Arc::new(coverages),
            languages,
        }
    }

    /// The same matching for a run that keeps only the entries `kept` (old indices).
    pub fn kept(&self, kept: &[usize]) -> Self {
        Self {
            counters: Arc::clone(&self.counters),
            coverages: Arc::clone(&self.coverages),
            languages: kept.iter().map(|&i| self.languages[i].clone()).collect(),
        }
    }

    /// What counter `counter` covers at `now`, and what the other counters with languages
    /// still open then (their spans not closed) cover; `None`: it calls in the fair order.
    pub fn coverage(
        &self,
        counter: usize,
        spans: &[super::engine::Span],
        now: DateTime<Utc>,
    ) -> Option<Arc<Coverage>> {
        let full = self.coverages.get(counter)?.as_ref()?;
        let open = |j: usize| {
            spans
                .get(j)
                .is_none_or(|s| s.closes_at.is_none_or(|c| now < c))
        };
        if (0..self.counters.len()).all(|j| self.counters[j].is_none() || open(j)) {
            return Some(Arc::clone(full));
        }
        coverage_of(&self.counters, counter, full.wait_limit_minutes, open).map(Arc::new)
    }
}

fn coverage_of(
    counters: &[Option<Vec<String>>],
    counter: usize,
    wait_limit_minutes: u32,
    open: impl Fn(usize) -> bool,
) -> Option<Coverage> {
    Some(Coverage {
        here: counters.get(counter)?.clone()?,
        others: counters
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != counter && open(j))
            .filter_map(|(_, c)| c.clone())
            .collect(),
        wait_limit_minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_line_reads_back_from_a_stored_note() {
        for reason in [
            LanguageReason::Covered,
            LanguageReason::NoLanguage,
            LanguageReason::Urgent,
            LanguageReason::NoOpenCounter,
            LanguageReason::LimitReached,
            LanguageReason::NobodyCovered,
        ] {
            for language in [Some("pan"), Some("quc"), None] {
                let note = format!(
                    "walk-in, waiting since 09:12; walk-ins get 30% of officer time; {}",
                    reason.text(language, 2, 20)
                );
                assert_eq!(matched_in_note(&note), Some(reason.matched()), "{note}");
            }
        }
        assert_eq!(
            matched_in_note("walk-in, waiting since 09:12; walk-ins get 30% of officer time"),
            None
        );
    }
}

/// One call of a matched run, beside its [`Called`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MatchedCalled {
    pub called: Called,
    pub reason: LanguageReason,
    pub passed: usize,
}

/// A whole day under matching, every counter open from `free_at` with the languages in
/// `counters` (one list per counter, the port's defaults included): the event-driven twin
/// of [`super::engine::Run::run_to_end`] for `simulate`. Ordered sets stand in for the
/// heaps because the walk reads each line in order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_matched(
    entries: &[QueueEntry],
    languages: &[Option<String>],
    policy: &Policy,
    tz: Tz,
    free_at: DateTime<Utc>,
    counters: &[Vec<String>],
    wait_limit_minutes: u32,
    service: impl Fn(usize) -> Duration,
) -> Vec<MatchedCalled> {
    let weights = Weights::of(policy);
    let placements: Vec<Placement> = entries.iter().map(|e| place(e, policy)).collect();
    let mut pending: Vec<usize> = (0..entries.len()).collect();
    pending.sort_by_key(|&i| std::cmp::Reverse((placements[i].eligible_at, i)));
    let mut needs: Vec<EntryLanguage> = languages
        .iter()
        .map(|l| EntryLanguage {
            language: l.clone(),
            passed_over_since: None,
        })
        .collect();
    let mut urgent: BTreeSet<(OrderKey, usize)> = BTreeSet::new();
    let mut lines: [BTreeSet<(OrderKey, usize)>; 2] = [BTreeSet::new(), BTreeSet::new()];
    let mut eligible = [0usize; 2];
    let mut state = ShareState::default();
    let coverages: Vec<Coverage> = (0..counters.len())
        .map(|k| Coverage {
            here: counters[k].clone(),
            others: counters
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .map(|(_, c)| c.clone())
                .collect(),
            wait_limit_minutes,
        })
        .collect();
    let mut free: BinaryHeap<std::cmp::Reverse<(DateTime<Utc>, usize)>> = (0..counters.len())
        .map(|k| std::cmp::Reverse((free_at, k)))
        .collect();
    let mut calls = Vec::with_capacity(entries.len());
    while calls.len() < entries.len() {
        let Some(std::cmp::Reverse((at, counter))) = free.pop() else {
            break;
        };
        while let Some(&index) = pending.last() {
            let placement = &placements[index];
            if placement.eligible_at > at {
                break;
            }
            pending.pop();
            let class = class_index(placement.queue_class);
            eligible[class] += 1;
            if entries[index].tier == Tier::Urgent {
                urgent.insert((urgent_key(&entries[index], placement), index));
            } else {
                lines[class].insert((class_key(&entries[index], placement), index));
            }
        }
        let backlogged_now = eligible.map(|n| n > 0);
        if !backlogged_now.contains(&true) {
            match pending.last() {
                Some(&next) => {
                    free.push(std::cmp::Reverse((
                        placements[next].eligible_at.max(at),
                        counter,
                    )));
                    continue;
                }
                None => break,
            }
        }
        let prepared = prepare(&state, weights, tz, at, backlogged_now);
        let [walk_ins, appointments] = &lines;
        let Some(decision) = decide(
            urgent.first().map(|&(_, i)| i),
            [walk_ins.iter().copied(), appointments.iter().copied()],
            &prepared,
            weights,
            entries,
            &needs,
            &coverages[counter],
            at,
        ) else {
            break;
        };
        let index = decision.index;
        let placement = &placements[index];
        let class = class_index(placement.queue_class);
        if entries[index].tier == Tier::Urgent {
            urgent.remove(&(urgent_key(&entries[index], placement), index));
        } else {
            lines[class].remove(&(class_key(&entries[index], placement), index));
        }
        eligible[class] -= 1;
        state = charge(
            prepared,
            weights,
            class,
            entries[index].party_size,
            eligible.map(|n| n > 0),
        );
        for &p in &decision.passed {
            needs[p].passed_over_since.get_or_insert(at);
        }
        let finished_at = at + service(index).max(Duration::zero());
        free.push(std::cmp::Reverse((finished_at, counter)));
        calls.push(MatchedCalled {
            called: Called {
                index,
                at,
                counter,
                finished_at,
                state,
            },
            reason: decision.reason,
            passed: decision.passed.len(),
        });
    }
    calls
}

#[cfg(test)]
mod wording {
    use super::{LanguageReason, matched_in_note};

    /// Each line reads as a sentence: the cause, then `; ` and "<language>: interpreter
    /// needed", and the report still reads whether the call was in the person's language.
    #[test]
    fn language_lines_read_as_sentences() {
        let lines = [
            (
                LanguageReason::LimitReached.text(Some("pan"), 0, 2),
                "passed over for more than 2 min (the limit); Punjabi (Eastern): interpreter needed",
            ),
            (
                LanguageReason::NobodyCovered.text(Some("spa"), 0, 2),
                "nobody waiting speaks a language this counter covers, so the fair order; \
                 Spanish: interpreter needed",
            ),
            (
                LanguageReason::Urgent.text(Some("hat"), 0, 2),
                "urgent, never passed over; Haitian Creole: interpreter needed",
            ),
            (
                LanguageReason::Covered.text(Some("pan"), 2, 2),
                "Punjabi (Eastern): this counter covers it; \
                 passed over 2 whose language another open counter covers",
            ),
        ];
        for (line, expected) in &lines {
            assert_eq!(line, expected);
        }
        assert_eq!(matched_in_note(&lines[0].0), Some(false));
        assert_eq!(matched_in_note(&lines[3].0), Some(true));
        // A note stored with the earlier wording still reads the same.
        assert_eq!(
            matched_in_note(
                "passed over for more than 2 min, the limit: Punjabi (Eastern) interpreter needed"
            ),
            Some(false)
        );
    }
}
