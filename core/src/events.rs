//! The append-only event log's vocabulary.
//!
//! Every change to an entry is one [`Event`] (who, when, from, to), written in the same
//! transaction as the change. Reports and the audit trail read events, never the current
//! state, so a past day's report does not move when entries change later. The event that
//! creates an entry carries an [`EntrySnapshot`]: everything a report counts about it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Barrier, Class, Status, Tier, Vulnerability};
use crate::queue::Window;

/// What happened to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A walk-in was registered (to `waiting`); carries a snapshot.
    Registered,
    /// A booked appointment was checked in (to `waiting`); carries a snapshot.
    CheckedIn,
    /// Called to a counter (`waiting` to `called`); carries the counter and the engine's reason.
    Called,
    /// Called again without an answer (`called` to `called`).
    Recalled,
    /// Seen at the counter (`called` to `served`).
    Served,
    /// Did not answer (`called` to `no_show`).
    NoShow,
    /// Left the queue (`waiting` or `called` to `withdrawn`).
    Withdrawn,
    /// The ticket was printed or reprinted (no change of status).
    TicketPrinted,
}

impl EventKind {
    /// The stable machine name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Registered => "registered",
            EventKind::CheckedIn => "checked_in",
            EventKind::Called => "called",
            EventKind::Recalled => "recalled",
            EventKind::Served => "served",
            EventKind::NoShow => "no_show",
            EventKind::Withdrawn => "withdrawn",
            EventKind::TicketPrinted => "ticket_printed",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [
            EventKind::Registered,
            EventKind::CheckedIn,
            EventKind::Called,
            EventKind::Recalled,
            EventKind::Served,
            EventKind::NoShow,
            EventKind::Withdrawn,
            EventKind::TicketPrinted,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

/// When a checked-in appointment arrived relative to its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Punctuality {
    /// Before `slot_at - early_window`.
    Early,
    /// Within the windows around the slot.
    OnTime,
    /// More than `late_window` after the slot: ordered as a walk-in.
    Late,
}

/// Everything a report counts about an entry, frozen when it joined the queue.
/// No name, nationality or note: reports never need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrySnapshot {
    pub ticket: String,
    pub class: Class,
    pub queue_class: Class,
    pub tier: Tier,
    pub party_size: u32,
    /// ISO 639-3.
    pub language: String,
    /// Walk-ins: at least one.
    #[serde(default)]
    pub barriers: Vec<Barrier>,
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
    pub arrived_at: DateTime<Utc>,
    pub eligible_at: DateTime<Utc>,
    /// Appointments: the booked time and confirmation number.
    pub slot_at: Option<DateTime<Utc>>,
    pub confirmation: Option<String>,
    pub punctuality: Option<Punctuality>,
    /// The estimated call window given when the ticket was issued.
    pub estimate: Option<Window>,
}

/// One row of the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub entry_id: i64,
    pub at: DateTime<Utc>,
    /// The account that acted; `None` for the system.
    pub actor_id: Option<i64>,
    pub kind: EventKind,
    pub from: Option<Status>,
    pub to: Option<Status>,
    /// The counter, for calls and what follows them.
    pub counter: Option<u32>,
    /// The snapshot, for `Registered` and `CheckedIn`.
    pub snapshot: Option<EntrySnapshot>,
    /// The engine's reason for a call, or an officer's note (urgent reason, withdrawal).
    pub note: Option<String>,
}
