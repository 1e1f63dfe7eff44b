//! The ordering rules themselves, shared by the one-shot [`next_call`] (the live queue) and
//! the event-driven [`Run`] behind `project` and `simulate`, so that the three can never
//! disagree about whom a free counter calls.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::matching::{self, RunMatching};
use super::{Call, Placement, QueueEntry, ShareState, reason};
use crate::model::{Class, Policy, Tier};

/// The two classes as array indices: walk-ins first.
pub(super) const WALK_IN: usize = 0;
pub(super) const APPOINTMENT: usize = 1;

pub(super) fn class_index(class: Class) -> usize {
    match class {
        Class::WalkIn => WALK_IN,
        Class::Appointment => APPOINTMENT,
    }
}

fn class_of(index: usize) -> Class {
    if index == WALK_IN {
        Class::WalkIn
    } else {
        Class::Appointment
    }
}

pub(crate) fn place(entry: &QueueEntry, policy: &Policy) -> Placement {
    let early = Duration::minutes(i64::from(policy.early_window_minutes));
    let late = Duration::minutes(i64::from(policy.late_window_minutes));
    let (queue_class, eligible_at, is_late) = match (entry.class, entry.slot_at) {
        (Class::WalkIn, _) => (Class::WalkIn, entry.arrived_at, false),
        (Class::Appointment, Some(slot)) if entry.arrived_at > slot + late => {
            (Class::WalkIn, entry.arrived_at, true)
        }
        (Class::Appointment, Some(slot)) => (
            Class::Appointment,
            entry.arrived_at.max(slot - early),
            false,
        ),
        (Class::Appointment, None) => (Class::Appointment, entry.arrived_at, false),
    };
    let effective_at = if entry.tier == Tier::Priority {
        eligible_at - Duration::minutes(i64::from(policy.priority_boost_minutes))
    } else {
        eligible_at
    };
    Placement {
        queue_class,
        eligible_at,
        effective_at,
        late: is_late,
    }
}

/// The order within a queue: a time (effective time within a class, `eligible_at` among
/// urgent entries), then ticket sequence, then id so that even duplicate sequences order
/// deterministically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct OrderKey {
    at: DateTime<Utc>,
    seq: i64,
    id: i64,
}

/// A class's next entry, as the share rule sees it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Head {
    pub(super) key: OrderKey,
    pub(super) party_size: u32,
}

/// Exact class weights in parts per ten thousand.
#[derive(Debug, Clone, Copy)]
pub(super) struct Weights {
    walkin: u64,
    appointment: u64,
}

impl Weights {
    pub(super) fn of(policy: &Policy) -> Self {
        let walkin = policy.walkin_weight();
        Self {
            walkin,
            appointment: 10_000 - walkin,
        }
    }

    /// What one person called adds to a class's scaled credit: `1 / weight` scaled by
    /// `w_walkin * w_appt` is the *other* class's weight.
    pub(super) fn per_person(self, class: usize) -> u64 {
        if class == WALK_IN {
            self.appointment
        } else {
            self.walkin
        }
    }
}

fn credits(state: &ShareState) -> [u64; 2] {
    [state.walkin_credit, state.appointment_credit]
}

fn set_credits(state: &mut ShareState, credits: [u64; 2]) {
    state.walkin_credit = credits[WALK_IN];
    state.appointment_credit = credits[APPOINTMENT];
}

/// The port-local calendar day of an instant.
fn port_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The share state as it stands just before a call at `now`, given which classes have
/// eligible entries now: day and weight changes, the queue-emptied reset and the idle-class
/// raise, exactly as documented on [`super::next_call`].
pub(super) fn prepare(
    state: &ShareState,
    weights: Weights,
    tz: Tz,
    now: DateTime<Utc>,
    backlogged_now: [bool; 2],
) -> ShareState {
    let today = port_day(now, tz);
    // "Credits reset ... at the start of each port-local day."
    if state.day != Some(today) || state.walkin_weight != weights.walkin {
        return ShareState {
            day: Some(today),
            walkin_weight: weights.walkin,
            ..ShareState::default()
        };
    }
    let mut next = *state;
    let after_last = [state.walkin_backlogged, state.appointment_backlogged];
    // "Credits reset when the queue empties."
    if !after_last[WALK_IN] && !after_last[APPOINTMENT] {
        set_credits(&mut next, [0, 0]);
        return next;
    }
    let at_last = [
        after_last[WALK_IN] || state.last_class == Some(Class::WalkIn),
        after_last[APPOINTMENT] || state.last_class == Some(Class::Appointment),
    ];
    let mut credit = credits(state);
    let stayed_min = (0..2)
        .filter(|&c| at_last[c] && backlogged_now[c])
        .map(|c| credit[c])
        .min();
    match stayed_min {
        // Nobody stayed backlogged, so nothing was competing: start level.
        None => credit = [0, 0],
        // "When it becomes backlogged again its credit is raised to the smallest credit
        // among the classes that stayed backlogged, so saved-up credit never produces a
        // burst."
        Some(floor) => {
            for c in 0..2 {
                if backlogged_now[c] && !at_last[c] {
                    credit[c] = credit[c].max(floor);
                }
            }
        }
    }
    set_credits(&mut next, credit);
    next
}

/// "The class whose head would finish with the smaller credit (`credit + head.party_size /
/// weight`) goes next; ties go to the earlier effective time, then the lower ticket
/// sequence."
pub(super) fn choose_class(
    state: &ShareState,
    weights: Weights,
    heads: [Option<Head>; 2],
) -> Option<usize> {
    match heads {
        [Some(w), Some(a)] => {
            let credit = credits(state);
            let finish = |c: usize, head: Head| {
                credit[c].saturating_add(u64::from(head.party_size) * weights.per_person(c))
            };
            let walkin_first = (finish(WALK_IN, w), w.key) <= (finish(APPOINTMENT, a), a.key);
            Some(if walkin_first { WALK_IN } else { APPOINTMENT })
        }
        [Some(_), None] => Some(WALK_IN),
        [None, Some(_)] => Some(APPOINTMENT),
        [None, None] => None,
    }
}

/// Charges a call to its class and records which classes still have eligible entries.
pub(super) fn charge(
    mut state: ShareState,
    weights: Weights,
    class: usize,
    party_size: u32,
    backlogged_after: [bool; 2],
) -> ShareState {
    let mut credit = credits(&state);
    credit[class] = credit[class].saturating_add(u64::from(party_size) * weights.per_person(class));
    set_credits(&mut state, credit);
    state.walkin_backlogged = backlogged_after[WALK_IN];
    state.appointment_backlogged = backlogged_after[APPOINTMENT];
    state.last_class = Some(class_of(class));
    state
}

/// Takes back the charge of a call that an officer undid, within the port-local day `day`
/// the call was made: the class's credit loses what the call added (the persons were not
/// served after all), and the class has an eligible entry again (the one put back).
/// A state of another day or weight is left alone: the next call starts afresh anyway.
pub(crate) fn uncharge(
    state: &ShareState,
    policy: &Policy,
    day: NaiveDate,
    entry: &QueueEntry,
) -> ShareState {
    let weights = Weights::of(policy);
    if state.day != Some(day) || state.walkin_weight != weights.walkin {
        return *state;
    }
    let class = class_index(place(entry, policy).queue_class);
    let mut next = *state;
    let mut credit = credits(state);
    credit[class] =
        credit[class].saturating_sub(u64::from(entry.party_size) * weights.per_person(class));
    set_credits(&mut next, credit);
    if class == WALK_IN {
        next.walkin_backlogged = true;
    } else {
        next.appointment_backlogged = true;
    }
    next
}

pub(super) fn urgent_key(entry: &QueueEntry, placement: &Placement) -> OrderKey {
    OrderKey {
        at: placement.eligible_at,
        seq: entry.seq,
        id: entry.id,
    }
}

pub(super) fn class_key(entry: &QueueEntry, placement: &Placement) -> OrderKey {
    OrderKey {
        at: placement.effective_at,
        seq: entry.seq,
        id: entry.id,
    }
}

/// One pass over the entries: O(n).
pub(crate) fn next_call(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
) -> Option<Call> {
    let weights = Weights::of(policy);
    let mut eligible = [0usize; 2];
    let mut urgent: Option<(OrderKey, usize)> = None;
    let mut heads: [Option<(Head, usize)>; 2] = [None, None];
    for (index, entry) in entries.iter().enumerate() {
        let placement = place(entry, policy);
        if placement.eligible_at > now {
            continue;
        }
        let class = class_index(placement.queue_class);
        eligible[class] += 1;
        if entry.tier == Tier::Urgent {
            let key = urgent_key(entry, &placement);
            if urgent.is_none_or(|(best, _)| key < best) {
                urgent = Some((key, index));
            }
        } else {
            let key = class_key(entry, &placement);
            if heads[class].is_none_or(|(best, _)| key < best.key) {
                let party_size = entry.party_size;
                heads[class] = Some((Head { key, party_size }, index));
            }
        }
    }
    let backlogged_now = eligible.map(|n| n > 0);
    if !backlogged_now.contains(&true) {
        return None;
    }
    let prepared = prepare(state, weights, tz, now, backlogged_now);
    let index = match urgent {
        Some((_, index)) => index,
        None => {
            let class = choose_class(&prepared, weights, heads.map(|h| h.map(|(head, _)| head)))?;
            heads[class]?.1
        }
    };
    let entry = &entries[index];
    let class = class_index(place(entry, policy).queue_class);
    let mut after = eligible;
    after[class] -= 1;
    Some(Call {
        entry_id: entry.id,
        reason: reason(entry, policy, tz),
        state: charge(
            prepared,
            weights,
            class,
            entry.party_size,
            after.map(|n| n > 0),
        ),
    })
}

/// One call made by a [`Run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Called {
    /// Index into the run's entries.
    pub index: usize,
    pub at: DateTime<Utc>,
    /// 0-based counter index.
    pub counter: usize,
    pub finished_at: DateTime<Utc>,
    /// The share state right after this call.
    pub state: ShareState,
}

/// A counter as [`Run::run_spans`] sees it: free from `free_at`; it calls nobody once
/// `closes_at` has come (a party called before then is served to the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub free_at: DateTime<Utc>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// The same engine as [`next_call`], driven forward in time with per-class binary heaps so a
/// whole day costs O(n log n): entries wait in `pending` (by `eligible_at`) until they are
/// eligible, then sit in the urgent heap or their class's heap.
///
/// A run owns what it still needs (it can be kept, cloned and continued later): the
/// projections keep one paused where a standard walk-in registered later could first change
/// a call, and continue it with that walk-in (see [`Run::newcomer_changes_nothing`]).
#[derive(Debug, Clone)]
pub(crate) struct Run<'a> {
    entries: Cow<'a, [QueueEntry]>,
    placements: Vec<Placement>,
    tz: Tz,
    weights: Weights,
    /// Entry indices, latest `eligible_at` first, so the next to become eligible is last.
    pending: Vec<usize>,
    urgent: BinaryHeap<Reverse<(OrderKey, usize)>>,
    classes: [BinaryHeap<Reverse<(OrderKey, usize)>>; 2],
    eligible: [usize; 2],
    state: ShareState,
    /// Entries made up by the estimates (arrivals still to come); every other is real.
    simulated: Range<usize>,
    /// Real entries in the walk-in heap (not urgent ones, which wait in their own heap)
    /// with an effective time at or before `before`: a newcomer placed at or after it and
    /// registered after them queues behind each of them.
    real_walk_ins: usize,
    before: DateTime<Utc>,
    /// Language matching at the run's counters (`None`: every counter calls in the fair
    /// order, exactly as without it).
    matching: Option<Box<RunMatching>>,
}

/// Why [`Run::walk`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Every tracked entry was called.
    Done,
    /// No counter is left open: nobody else is ever called.
    Exhausted,
    /// Before a call that a standard walk-in registered later could change.
    Paused,
}

/// The counters of a [`Run::walk`]: when each is next free, and how many calls were made.
#[derive(Debug, Clone)]
pub(crate) struct Walk {
    counters: BinaryHeap<Reverse<(DateTime<Utc>, usize)>>,
    /// Calls made so far (every entry's, simulated ones too).
    pub sequence: usize,
    /// Tracked entries still to call.
    pub left: usize,
}

impl Walk {
    /// Counters as the spans say, `left` tracked entries to call.
    pub fn new(spans: &[Span], left: usize) -> Self {
        Self {
            counters: spans
                .iter()
                .enumerate()
                .map(|(k, span)| Reverse((span.free_at, k)))
                .collect(),
            sequence: 0,
            left,
        }
    }
}

impl<'a> Run<'a> {
    pub fn new(entries: &'a [QueueEntry], policy: &'a Policy, tz: Tz, state: ShareState) -> Self {
        Self::with_simulated(Cow::Borrowed(entries), 0..0, policy, tz, state)
    }

    /// A run whose entries in `simulated` are made up (arrivals still to come).
    pub fn with_simulated(
        entries: Cow<'a, [QueueEntry]>,
        simulated: Range<usize>,
        policy: &Policy,
        tz: Tz,
        state: ShareState,
    ) -> Self {
        let placements: Vec<Placement> = entries.iter().map(|e| place(e, policy)).collect();
        let mut pending: Vec<usize> = (0..entries.len()).collect();
        pending.sort_by_key(|&i| Reverse((placements[i].eligible_at, i)));
        Self {
            entries,
            placements,
            tz,
            weights: Weights::of(policy),
            pending,
            urgent: BinaryHeap::new(),
            classes: [BinaryHeap::new(), BinaryHeap::new()],
            eligible: [0, 0],
            state,
            simulated,
            real_walk_ins: 0,
            before: DateTime::<Utc>::MAX_UTC,
            matching: None,
        }
    }

    /// Makes the counters of this run call under language matching as `matching` says
    /// (its languages parallel to the run's entries).
    pub fn with_matching(mut self, matching: RunMatching) -> Self {
        debug_assert_eq!(matching.languages.len(), self.entries.len());
        self.matching = Some(Box::new(matching));
        self
    }

    /// Counts, for [`Run::newcomer_changes_nothing`], only the real walk-ins placed at or
    /// before `before` (the earliest a newcomer may be placed).
    pub fn newcomers_from(&mut self, before: DateTime<Utc>) {
        self.before = before;
        self.real_walk_ins = self.classes[WALK_IN]
            .iter()
            .filter(|Reverse((key, i))| self.is_real(*i) && key.at <= before)
            .count();
    }

    /// Whether an entry of the walk-in heap counts in `real_walk_ins`.
    fn counted(&self, index: usize, key: &OrderKey) -> bool {
        self.is_real(index) && key.at <= self.before
    }

    fn is_real(&self, index: usize) -> bool {
        !self.simulated.contains(&index)
    }

    fn admit(&mut self, now: DateTime<Utc>) {
        while let Some(&index) = self.pending.last() {
            let placement = self.placements[index];
            if placement.eligible_at > now {
                break;
            }
            self.pending.pop();
            let entry = &self.entries[index];
            let class = class_index(placement.queue_class);
            self.eligible[class] += 1;
            if entry.tier == Tier::Urgent {
                self.urgent
                    .push(Reverse((urgent_key(entry, &placement), index)));
            } else {
                let key = class_key(entry, &placement);
                if class == WALK_IN && self.counted(index, &key) {
                    self.real_walk_ins += 1;
                }
                self.classes[class].push(Reverse((key, index)));
            }
        }
    }

    /// When the next not-yet-eligible entry becomes eligible.
    fn next_eligible_at(&self) -> Option<DateTime<Utc>> {
        self.pending.last().map(|&i| self.placements[i].eligible_at)
    }

    /// Whom a counter free at `now` calls (entry index and queue class), without calling:
    /// the share state as prepared for the call comes with it.
    fn decide(&mut self, now: DateTime<Utc>) -> Option<(usize, usize, ShareState)> {
        self.admit(now);
        let backlogged_now = self.eligible.map(|n| n > 0);
        if !backlogged_now.contains(&true) {
            return None;
        }
        let prepared = prepare(&self.state, self.weights, self.tz, now, backlogged_now);
        if let Some(Reverse((_, index))) = self.urgent.peek() {
            return Some((
                *index,
                class_index(self.placements[*index].queue_class),
                prepared,
            ));
        }
        let heads = [WALK_IN, APPOINTMENT].map(|c| {
            self.classes[c].peek().map(|Reverse((key, index))| Head {
                key: *key,
                party_size: self.entries[*index].party_size,
            })
        });
        let class = choose_class(&prepared, self.weights, heads)?;
        let Reverse((_, index)) = self.classes[class].peek()?;
        Some((*index, class, prepared))
    }

    /// The call a counter free at `now` makes, as [`next_call`] would make it.
    fn call(&mut self, now: DateTime<Utc>) -> Option<usize> {
        let (index, class, prepared) = self.decide(now)?;
        let removed = if self.entries[index].tier == Tier::Urgent {
            None
        } else {
            self.classes[class].pop().map(|Reverse((key, _))| key)
        };
        Some(self.take(index, class, prepared, removed))
    }

    /// Takes the called entry out of the run (`removed`: its key, already popped from its
    /// class's heap) and charges its class: the end of every call.
    fn take(
        &mut self,
        index: usize,
        class: usize,
        prepared: ShareState,
        removed: Option<OrderKey>,
    ) -> usize {
        if self.entries[index].tier == Tier::Urgent {
            self.urgent.pop();
        } else if let Some(key) = removed
            && class == WALK_IN
            && self.counted(index, &key)
        {
            self.real_walk_ins -= 1;
        }
        self.eligible[class] -= 1;
        self.state = charge(
            prepared,
            self.weights,
            class,
            self.entries[index].party_size,
            self.eligible.map(|n| n > 0),
        );
        index
    }

    /// The call counter `counter` makes when free at `now`: under language matching when the
    /// run has it and the counter covers languages, else exactly [`Run::call`]. With
    /// `pause`, `Err(())` instead of a call that one more standard walk-in registered later
    /// could change (see [`Run::newcomer_changes_nothing`] and [`Run::call_matched`]); the
    /// run is left as it was, but for the entries admitted by then.
    fn call_at_counter(
        &mut self,
        now: DateTime<Utc>,
        counter: usize,
        spans: &[Span],
        pause: bool,
    ) -> Result<Option<usize>, ()> {
        let coverage = match &self.matching {
            Some(matching) => matching.coverage(counter, spans, now),
            None => None,
        };
        match coverage {
            Some(coverage) => self.call_matched(now, &coverage, pause),
            None if pause && !self.newcomer_changes_nothing(now) => Err(()),
            None => Ok(self.call(now)),
        }
    }

    /// The call [`matching::next_call_matched`] makes at a counter covering `coverage`:
    /// the same walk of the fair order, read from the heaps (popped as far as the walk goes
    /// and pushed back after), the pass-over clocks started as the live call starts them.
    ///
    /// With `pause`, `Err(())` (nothing called, no clock started) unless the call, and the
    /// share state after it, would be the same with one more standard walk-in, registered
    /// after every real entry and placed no earlier than the instant given to
    /// [`Run::newcomers_from`], added at any earlier instant. The newcomer queues behind
    /// every real walk-in counted in `real_walk_ins`, so the walk of the fair order reads the
    /// same entries with or without it (the same heads, the same share choices, the same
    /// verdicts) as long as it has not passed over all of those: it is the same call when
    /// - an urgent entry is called (never passed over, nobody else is looked at), or
    /// - the walk calls someone having passed over fewer walk-ins than `real_walk_ins` (so
    ///   the newcomer was never the walk-in line's head), and
    /// - the walk-in class has an eligible entry before the call and another after it (the
    ///   newcomer changes neither "backlogged" flag, as for a plain call).
    ///
    /// A walk that passes over everyone (nobody covered here, the head called with nobody
    /// counted as passed over) reaches the newcomer: paused.
    fn call_matched(
        &mut self,
        now: DateTime<Utc>,
        coverage: &matching::Coverage,
        pause: bool,
    ) -> Result<Option<usize>, ()> {
        self.admit(now);
        let backlogged_now = self.eligible.map(|n| n > 0);
        if !backlogged_now.contains(&true) {
            // A counter with nobody eligible waits for the next to become eligible, which
            // the newcomer may be.
            return if pause { Err(()) } else { Ok(None) };
        }
        let prepared = prepare(&self.state, self.weights, self.tz, now, backlogged_now);
        let urgent_head = self.urgent.peek().map(|Reverse((_, index))| *index);
        let Some(matching) = self.matching.as_deref_mut() else {
            return Ok(None);
        };
        let [walk_ins, appointments] = &mut self.classes;
        let mut lines = [Drain::new(walk_ins), Drain::new(appointments)];
        let decision = {
            let [w, a] = &mut lines;
            matching::decide(
                urgent_head,
                [w.by_ref(), a.by_ref()],
                &prepared,
                self.weights,
                &self.entries,
                &matching.languages,
                coverage,
                now,
            )
        };
        let unchanged = |d: &matching::Decision| {
            let passed_walk_ins = d
                .passed
                .iter()
                .filter(|&&p| class_index(self.placements[p].queue_class) == WALK_IN)
                .count();
            let class = class_index(self.placements[d.index].queue_class);
            (urgent_head == Some(d.index)
                || (d.reason != matching::LanguageReason::NobodyCovered
                    && passed_walk_ins < self.real_walk_ins))
                // One before the call, and one more if the call takes a walk-in.
                && self.eligible[WALK_IN] > usize::from(class == WALK_IN)
        };
        let paused = pause && !decision.as_ref().is_some_and(unchanged);
        let chosen = decision.as_ref().filter(|_| !paused).map(|d| d.index);
        let mut removed: Option<OrderKey> = None;
        let [w, a] = lines;
        for line in [w, a] {
            let (heap, taken) = (line.heap, line.taken);
            for (key, index) in taken {
                if Some(index) == chosen {
                    removed = Some(key);
                } else {
                    heap.push(Reverse((key, index)));
                }
            }
        }
        if paused {
            return Err(());
        }
        let Some(decision) = decision else {
            return Ok(None);
        };
        for &p in &decision.passed {
            matching.languages[p].passed_over_since.get_or_insert(now);
        }
        let index = decision.index;
        let class = class_index(self.placements[index].queue_class);
        Ok(Some(self.take(index, class, prepared, removed)))
    }

    /// Whether the call a counter free at `now` makes, and the share state after it, would be
    /// the same with one more standard walk-in, registered after every real entry and placed
    /// no earlier than the instant given to [`Run::newcomers_from`], added to this run at any
    /// earlier instant:
    /// - an urgent entry is called, or a real walk-in placed before that instant is in the
    ///   walk-in line (so before the newcomer), so the newcomer is not the one called;
    /// - the walk-in class has an eligible entry before the call and another after it, so the
    ///   newcomer changes neither "backlogged" flag that the share rule reads.
    ///
    /// While every call so far passed this test, the run with the newcomer made the same
    /// calls at the same times (the newcomer waiting in `pending` or the walk-in heap).
    /// This is the test for a call in the plain fair order; a call under language matching
    /// has its own, made in the same walk as the call ([`Run::call_matched`]).
    pub fn newcomer_changes_nothing(&mut self, now: DateTime<Utc>) -> bool {
        let Some((_, class, _)) = self.decide(now) else {
            return false;
        };
        let walk_ins = self.eligible[WALK_IN];
        (!self.urgent.is_empty() || self.real_walk_ins > 0)
            // One before the call, and one more if the call takes a walk-in.
            && walk_ins > usize::from(class == WALK_IN)
    }

    /// Adds a real entry to a run paused by [`Run::walk`]: it waits until it is eligible,
    /// then queues as every entry does; under matching with `language`.
    pub fn push(&mut self, entry: QueueEntry, policy: &Policy, language: matching::EntryLanguage) {
        let index = self.entries.len();
        let placement = place(&entry, policy);
        self.entries.to_mut().push(entry);
        self.placements.push(placement);
        if let Some(matching) = &mut self.matching {
            matching.languages.push(language);
        }
        let key = Reverse((placement.eligible_at, index));
        let at = self
            .pending
            .partition_point(|&i| Reverse((self.placements[i].eligible_at, i)) < key);
        self.pending.insert(at, index);
    }

    /// A copy of this run that keeps only the entries still to call, and for each entry it
    /// keeps, its index here (the copy's indices follow the same order).
    pub fn rest(&self) -> (Run<'static>, Vec<usize>) {
        let mut kept: Vec<usize> = self
            .pending
            .iter()
            .copied()
            .chain(self.urgent.iter().map(|Reverse((_, i))| *i))
            .chain(self.classes.iter().flatten().map(|Reverse((_, i))| *i))
            .collect();
        kept.sort_unstable();
        let new_index = |old: usize| kept.binary_search(&old).unwrap_or_default();
        let remap = |heap: &BinaryHeap<Reverse<(OrderKey, usize)>>| {
            heap.iter()
                .map(|&Reverse((key, i))| Reverse((key, new_index(i))))
                .collect::<BinaryHeap<_>>()
        };
        let simulated: Vec<usize> = kept
            .iter()
            .enumerate()
            .filter(|(_, old)| self.simulated.contains(old))
            .map(|(new, _)| new)
            .collect();
        let rest = Run {
            entries: Cow::Owned(kept.iter().map(|&i| self.entries[i].clone()).collect()),
            placements: kept.iter().map(|&i| self.placements[i]).collect(),
            tz: self.tz,
            weights: self.weights,
            pending: self.pending.iter().map(|&i| new_index(i)).collect(),
            urgent: remap(&self.urgent),
            classes: [
                remap(&self.classes[WALK_IN]),
                remap(&self.classes[APPOINTMENT]),
            ],
            eligible: self.eligible,
            state: self.state,
            simulated: match (simulated.first(), simulated.last()) {
                (Some(&first), Some(&last)) => first..last + 1,
                _ => 0..0,
            },
            real_walk_ins: self.real_walk_ins,
            before: self.before,
            matching: self.matching.as_ref().map(|m| Box::new(m.kept(&kept))),
        };
        (rest, kept)
    }

    /// Calls until the walk's tracked entries have all been called or no counter is left
    /// open (counters open and close as their spans say), reporting each call to `on_call`
    /// (entry index, time, place in the call sequence) and asking `service` how long the
    /// entry keeps its counter. With `pause`, stops before the first call that
    /// [`Run::newcomer_changes_nothing`] (or, under matching, [`Run::call_matched`]) does not
    /// clear; `walk` holds where it stopped, so
    /// it can go on from there.
    pub fn walk(
        &mut self,
        spans: &[Span],
        walk: &mut Walk,
        pause: bool,
        mut on_call: impl FnMut(usize, DateTime<Utc>, usize),
        mut tracked: impl FnMut(usize) -> bool,
        mut service: impl FnMut(usize) -> Duration,
    ) -> Stop {
        loop {
            if walk.left == 0 {
                return Stop::Done;
            }
            let Some(&Reverse((at, counter))) = walk.counters.peek() else {
                return Stop::Exhausted;
            };
            if spans[counter].closes_at.is_some_and(|closes| at >= closes) {
                walk.counters.pop();
                continue;
            }
            let Ok(called) = self.call_at_counter(at, counter, spans, pause) else {
                return Stop::Paused;
            };
            walk.counters.pop();
            match called {
                Some(index) => {
                    if tracked(index) {
                        walk.left -= 1;
                    }
                    on_call(index, at, walk.sequence);
                    walk.sequence += 1;
                    let finished_at = at + service(index).max(Duration::zero());
                    walk.counters.push(Reverse((finished_at, counter)));
                }
                None => match self.next_eligible_at() {
                    Some(next) => walk.counters.push(Reverse((next.max(at), counter))),
                    None => return Stop::Exhausted,
                },
            }
        }
    }

    /// Calls everyone: each counter calls when it comes free (counters free at the same
    /// instant call in counter order); a counter with nobody eligible waits for the next
    /// eligibility instant. `service` gives how long an entry keeps its counter.
    pub fn run_to_end(
        &mut self,
        free_at: &[DateTime<Utc>],
        mut service: impl FnMut(&QueueEntry) -> Duration,
    ) -> Vec<Called> {
        let mut counters: BinaryHeap<Reverse<(DateTime<Utc>, usize)>> = free_at
            .iter()
            .enumerate()
            .map(|(k, &at)| Reverse((at, k)))
            .collect();
        let mut calls = Vec::with_capacity(self.entries.len());
        while calls.len() < self.entries.len() {
            let Some(Reverse((at, counter))) = counters.pop() else {
                break;
            };
            match self.call(at) {
                Some(index) => {
                    let finished_at = at + service(&self.entries[index]).max(Duration::zero());
                    calls.push(Called {
                        index,
                        at,
                        counter,
                        finished_at,
                        state: self.state,
                    });
                    counters.push(Reverse((finished_at, counter)));
                }
                None => match self.next_eligible_at() {
                    // Idle until someone becomes eligible (G5: no earlier, no later).
                    Some(next) => counters.push(Reverse((next.max(at), counter))),
                    None => break,
                },
            }
        }
        calls
    }
}

/// A class's line read in order by popping its heap: what was popped is kept in `taken` to
/// be pushed back (all but the entry called).
struct Drain<'h> {
    heap: &'h mut BinaryHeap<Reverse<(OrderKey, usize)>>,
    taken: Vec<(OrderKey, usize)>,
}

impl<'h> Drain<'h> {
    fn new(heap: &'h mut BinaryHeap<Reverse<(OrderKey, usize)>>) -> Self {
        Self {
            heap,
            taken: Vec::new(),
        }
    }
}

impl Iterator for Drain<'_> {
    type Item = (OrderKey, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let Reverse(item) = self.heap.pop()?;
        self.taken.push(item);
        Some(item)
    }
}
