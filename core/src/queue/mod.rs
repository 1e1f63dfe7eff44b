//! The fair-queue engine (`docs/design/fair-queue.md`).
//!
//! The order is a pure function of (entries, policy, the day's service so far, now):
//! [`next_call`] picks whom a free counter calls, [`project`] lays out every waiting entry
//! in call order with an estimated call window, and [`simulate`] replays a day of arrivals.
//!
//! The public API below is the contract the app codes against; keep its names and shapes.
//!
//! - `engine.rs`: the rules (placement, urgent first, order within a class, weighted fair
//!   sharing between classes), used by [`next_call`] in one pass and by a heap-driven run
//!   behind [`project`] and [`simulate`], so all three make the same calls.
//! - `estimate.rs`: projected order and estimate windows.
//! - `reason.rs`: the one-line reason in plain words.
//! - `simulate.rs`: replaying a CSV of arrivals.
//! - `matching.rs`: language-matched calls, a bounded detour from the fair order.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::model::{Class, Policy, Tier};

mod engine;
mod estimate;
pub mod matching;
mod reason;
pub mod simulate;
#[cfg(test)]
mod tests;

pub use estimate::{
    HIGH_QUANTILE, LOW_QUANTILE, MIN_WIDTH_MINUTES, Projection, SAMPLES, fresh_projections,
};
pub use matching::{
    Coverage, EntryLanguage, EstimateMatching, LanguageReason, MatchedCall, next_call_matched,
};
pub use reason::reason;

/// One waiting entry, as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The entry's id (database id in the app, row number in `simulate`).
    pub id: i64,
    /// Ticket sequence at the port: registration order, the last tie-breaker.
    pub seq: i64,
    /// `appointment` or `walk_in` as registered.
    pub class: Class,
    pub tier: Tier,
    /// Persons in the party, 1 to 20.
    pub party_size: u32,
    /// When the walk-in was registered, or the appointment checked in.
    pub arrived_at: DateTime<Utc>,
    /// The booked time (appointments only).
    pub slot_at: Option<DateTime<Utc>>,
}

/// How the rules place one entry, independent of everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// The class it is ordered in: a late appointment is ordered as a walk-in.
    pub queue_class: Class,
    /// When it may first be called.
    pub eligible_at: DateTime<Utc>,
    /// `eligible_at`, minus `priority_boost` for the priority tier.
    pub effective_at: DateTime<Utc>,
    /// An appointment checked in more than `late_window` after its slot.
    pub late: bool,
}

/// The weighted-fair-share bookkeeping carried from one call to the next within a
/// port-local day. Stored by the app with each port; `Default` is a fresh day.
///
/// Credits are exact integers: with weights `w_walkin = policy.walkin_weight()` and
/// `w_appt = 10000 - w_walkin` (parts per ten thousand), the fair-queue credit
/// `served_persons / weight` is stored multiplied by `w_walkin * w_appt`, so calling a walk-in
/// party of `p` persons adds `p * w_appt` to the walk-in credit and calling an appointment
/// party adds `p * w_walkin` to the appointment credit. No float takes part in an ordering
/// decision, which keeps the order byte-for-byte deterministic (G6).
///
/// How "becomes backlogged again" is read from this state is documented on
/// [`next_call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShareState {
    /// The port-local day these credits belong to; another day starts afresh.
    pub day: Option<NaiveDate>,
    /// Walk-in credit, `served_persons / weight`, scaled to an exact integer.
    pub walkin_credit: u64,
    /// Appointment credit, scaled the same way.
    pub appointment_credit: u64,
    /// Whether walk-ins still had eligible entries right after the last call.
    pub walkin_backlogged: bool,
    /// Whether appointments still had eligible entries right after the last call.
    pub appointment_backlogged: bool,
    /// The class charged at the last call (`None` on a fresh day). Together with the two
    /// flags it tells whether a class had eligible entries *at* the last call: a class whose
    /// only eligible entry was just called was not idle, so it is not "backlogged again".
    #[serde(default)]
    pub last_class: Option<Class>,
    /// The walk-in weight (`policy.walkin_weight()`) the credits were scaled with. Credits
    /// scaled with another weight cannot be compared, so a supervisor's change of
    /// `walkin_share` starts the sharing afresh, as a new day does.
    #[serde(default)]
    pub walkin_weight: u64,
}

/// The engine's decision for one free counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub entry_id: i64,
    /// One line in plain words: why this entry, now.
    pub reason: String,
    /// The share state to store with the call.
    pub state: ShareState,
}

/// An estimated call time, shown as a range, never a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
}

/// One waiting entry in projected call order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projected {
    pub entry_id: i64,
    /// 1-based position in call order.
    pub position: u32,
    pub placement: Placement,
    /// One line in plain words, e.g. "walk-in, waiting since 09:12; priority (pregnancy)
    /// counts as 2 h earlier; walk-ins get 30% of officer time".
    pub reason: String,
    /// The call window. `None` in two cases, told apart by [`Projected::beyond_look_ahead`]:
    /// no counter is open now, so no time can be promised (the projection then runs no
    /// sampled run and gives nobody a window); or counters are open but too few of the
    /// sampled runs call this entry within their look-ahead (36 hours, less where the
    /// plan closes every counter), so it is further back than the estimates reach.
    pub estimate: Option<Window>,
    /// `estimate` is `None` although counters are open: the entry is beyond how far the
    /// estimates look ahead, not without a counter. Always `false` with a window, and for
    /// every entry of a projection made with no counter open.
    pub beyond_look_ahead: bool,
    /// When the projection with mean service times calls it (`None`: not called in it):
    /// entries with the same instant are called together, at different counters, so
    /// neither is "before" the other.
    pub nominal_call_at: Option<DateTime<Utc>>,
}

/// What the counters look like now, for projections.
#[derive(Debug, Clone, PartialEq)]
pub struct Counters {
    /// When each open counter is next free (`now` or earlier for an idle counter).
    /// At least one counter is assumed when empty.
    pub free_at: Vec<DateTime<Utc>>,
    /// Service minutes per person: the day's observed mean once known, else the policy's.
    pub minutes_per_person: f64,
    /// Known future demand: the day's booked appointments not yet checked in, each as a
    /// [`QueueEntry`] with `class: Appointment`, `slot_at` its booked time, `arrived_at` the
    /// same time, `tier: Standard` and an id distinct from every waiting entry's (the app
    /// uses negative ids). Empty when unknown.
    pub expected: Vec<QueueEntry>,
}

/// A counter open now, as the estimates see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenCounter {
    /// Open and free: it calls as soon as someone is eligible.
    Idle,
    /// Serving a party called at `since`: it comes free when that service ends.
    Serving {
        since: DateTime<Utc>,
        party_size: u32,
    },
    /// Free at a known time (an estimate from elsewhere).
    FreeAt(DateTime<Utc>),
}

/// One finished service: how long a party of this size kept a counter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceSample {
    pub party_size: u32,
    pub minutes: f64,
}

/// Walk-ins that usually arrive, per hour, by tier.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ArrivalRates {
    pub standard: f64,
    pub priority: f64,
    pub urgent: f64,
}

/// Everything the call windows are worked out from, all known at `now` (the rule is on
/// `estimate.rs`): the app gathers it in one place, `service::queue::estimate_inputs`.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateInputs {
    /// The counters open now. Empty: no counter is open, and no window is given.
    pub open: Vec<OpenCounter>,
    /// The counter plan ahead: from each instant (ascending), how many counters are
    /// planned open. Empty: the counters open now stay open.
    pub plan: Vec<(DateTime<Utc>, u32)>,
    /// The port's own service times (recent days and today); few or none: a log-normal
    /// around `minutes_per_person` is assumed.
    pub service: Vec<ServiceSample>,
    /// The assumed service minutes per person while the port has too few samples.
    pub minutes_per_person: f64,
    /// Booked appointments not yet checked in, as in [`Counters::expected`].
    pub bookings: Vec<QueueEntry>,
    /// Share of bookings that come (0 to 1).
    pub show_rate: f64,
    /// When booked people check in, relative to their slot (minutes, negative = early).
    /// Empty: at the slot.
    pub check_in_offsets_minutes: Vec<f64>,
    /// Walk-ins that usually arrive: from each instant (ascending), the rates until the
    /// next one. Empty: none are expected.
    pub walk_ins_per_hour: Vec<(DateTime<Utc>, ArrivalRates)>,
}

/// Places one entry by the rules of "When an entry may be called".
///
/// - "Walk-in: eligible from `arrived_at`."
/// - "Appointment: eligible from `max(arrived_at, slot_at - early_window)`."
/// - "An appointment checked in more than `late_window` after its slot is *late*: it joins
///   the walk-in class at its `arrived_at`."
///
/// An appointment without a `slot_at` (which validation elsewhere forbids) is placed as one
/// booked for the moment it arrived, so it is never called early and never dropped. A
/// walk-in's `slot_at` is ignored.
pub fn place(entry: &QueueEntry, policy: &Policy) -> Placement {
    engine::place(entry, policy)
}

/// Whom a counter that is free at `now` calls, or `None` when nobody is eligible.
///
/// `entries` are the waiting entries of one port (in any order); `tz` is the port's time
/// zone, which decides where a day starts (credits reset then).
///
/// The order (docs/design/fair-queue.md, "The order"):
/// 1. "Any eligible urgent entry is called before every other entry, earliest `eligible_at`
///    first. Its persons still count toward its class's share." Ties: lower `seq`, then `id`.
/// 2. Within a class, the eligible entry with the smallest effective time, ties lower `seq`.
/// 3. Between classes, weighted fair queueing in persons: the class whose head would finish
///    with the smaller credit goes next; ties go to the earlier effective time, then the
///    lower ticket sequence.
///
/// **Idle classes and resets.** "A class that had nothing eligible earns no credit while
/// idle: when it becomes backlogged again its credit is raised to the smallest credit among
/// the classes that stayed backlogged ... Credits reset when the queue empties and at the
/// start of each port-local day." Read from [`ShareState`] as follows, before each call:
/// - another port-local day than `state.day` (or another walk-in weight) starts from zero;
/// - *the queue emptied* when, right after the last call, no class had an eligible entry
///   (both flags false): both credits reset to zero;
/// - a class *stayed backlogged* when it had an eligible entry at the last call (its flag is
///   true, or it was the class called then) and has one now;
/// - a class *becomes backlogged again* when it has an eligible entry now but had none at the
///   last call; its credit is raised (never lowered) to the smallest credit among the
///   classes that stayed backlogged. With no class that stayed backlogged, nothing was
///   competing and both credits reset to zero.
///
/// A class whose last eligible entry was called and which gets a new one before the next
/// call was never passed over while empty, so it keeps its credit: that is what makes the
/// share guarantee (G4) hold over every stretch in which both classes had eligible entries
/// at every call. Two conditions the design doc leaves implicit, found and checked by
/// `tests/guarantees.rs`: "the largest parties" are those at the head of either class's
/// line during the stretch (a large party waiting for its turn holds its class back), and
/// the stretch holds no urgent call and follows none since the credits were last level
/// (urgent persons are charged to their class and paid back to the other class after).
pub fn next_call(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
) -> Option<Call> {
    engine::next_call(entries, policy, tz, state, now)
}

/// The share state once a call of `entry` made on the port-local `day` is undone: the
/// entry's class gives back the credit its call earned, so the persons of a call taken back
/// do not count as served for the fair share (G4), and the entry, waiting again, is ordered
/// by its unchanged arrival and eligible times (G1-G3).
pub fn uncharge(
    state: &ShareState,
    policy: &Policy,
    day: NaiveDate,
    entry: &QueueEntry,
) -> ShareState {
    engine::uncharge(state, policy, day, entry)
}

/// Every waiting entry in the order the engine will call it, with an estimated call window,
/// by running the same engine forward from `now` with the given counters.
///
/// Each counter calls when it is free (not before `now`); service lasts
/// `counters.minutes_per_person x party_size`; an appointment not yet eligible is called when
/// it becomes eligible, a counter idling until then. Nobody new arrives in the run that gives
/// the order, so the order is the one the live queue will call when nobody new arrives;
/// `counters.expected` (booked appointments not yet checked in) only widen the windows.
/// The estimate window rule is documented in `estimate.rs`; these windows assume nobody
/// new arrives but the bookings in `counters.expected` (all coming at their slots) and a
/// log-normal spread around `counters.minutes_per_person`: [`project_with`] takes the
/// port's own figures.
pub fn project(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
    counters: &Counters,
) -> Vec<Projected> {
    estimate::project(entries, policy, tz, state, now, counters)
}

/// [`project`] with everything the app knows: counters open and planned, the port's own
/// service times, bookings and the walk-ins that usually come. Same order as [`project`]
/// with the same counters; the windows are prediction intervals (docs/design/fair-queue.md,
/// "Estimates").
pub fn project_with(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
    inputs: &EstimateInputs,
) -> Vec<Projected> {
    estimate::project_with(entries, policy, tz, state, now, inputs)
}
