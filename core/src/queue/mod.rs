//! The fair-queue engine (`shared/design/fair-queue.md`).
//!
//! The order is a pure function of (entries, policy, the day's service so far, now):
//! [`next_call`] picks whom a free counter calls, [`project`] lays out every waiting entry
//! in call order with an estimated call window, and [`simulate`] replays a day of arrivals.
//!
//! The public API below is the contract the app codes against; keep its names and shapes.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::model::{Class, Policy, Tier};

pub mod simulate;

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
    pub estimate: Window,
}

/// What the counters look like now, for projections.
#[derive(Debug, Clone, PartialEq)]
pub struct Counters {
    /// When each open counter is next free (`now` or earlier for an idle counter).
    /// At least one counter is assumed when empty.
    pub free_at: Vec<DateTime<Utc>>,
    /// Service minutes per person: the day's observed mean once known, else the policy's.
    pub minutes_per_person: f64,
}

/// Places one entry by the rules of "When an entry may be called".
pub fn place(entry: &QueueEntry, policy: &Policy) -> Placement {
    todo!("engine: {entry:?} {policy:?}")
}

/// Whom a counter that is free at `now` calls, or `None` when nobody is eligible.
///
/// `entries` are the waiting entries of one port (in any order); `tz` is the port's time
/// zone, which decides where a day starts (credits reset then).
pub fn next_call(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
) -> Option<Call> {
    todo!("engine: {entries:?} {policy:?} {tz} {state:?} {now}")
}

/// Every waiting entry in the order the engine will call it, with an estimated call window,
/// by running the same engine forward from `now` with the given counters.
pub fn project(
    entries: &[QueueEntry],
    policy: &Policy,
    tz: Tz,
    state: &ShareState,
    now: DateTime<Utc>,
    counters: &Counters,
) -> Vec<Projected> {
    todo!("engine: {entries:?} {policy:?} {tz} {state:?} {now} {counters:?}")
}
