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
    /// An officer took back the entry's latest counter action that still stood (a call,
    /// recall, completion, no-show or withdrawal): `from` is the status the action left,
    /// `to` the status it restores. See [`without_undone`].
    Undone,
    /// An officer asked for an interpreter for the entry (no change of status); the note
    /// says `requested` or `cancelled`.
    InterpreterRequested,
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
            EventKind::Undone => "undone",
            EventKind::InterpreterRequested => "interpreter_requested",
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
            EventKind::Undone,
            EventKind::InterpreterRequested,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

impl EventKind {
    /// The actions an officer takes at a counter, which an [`EventKind::Undone`] can take back.
    pub fn is_counter_action(self) -> bool {
        matches!(
            self,
            EventKind::Called
                | EventKind::Recalled
                | EventKind::Served
                | EventKind::NoShow
                | EventKind::Withdrawn
        )
    }
}

/// The log as if every undone action had never happened: each `Undone` event and the
/// action it takes back are left out, so a completion taken back is not counted as served
/// and a call taken back is not counted as a call. The log stays append-only (both events
/// remain stored, for the audit trail); reports read it through this.
///
/// An `Undone` takes back the latest counter action of the same entry, before it in log
/// order, that no earlier `Undone` took back: the same rule the app applies when it
/// records one, so no event id needs to be stored to pair them.
pub fn without_undone(events: &[Event]) -> Vec<Event> {
    if !events.iter().any(|e| e.kind == EventKind::Undone) {
        return events.to_vec();
    }
    let mut dropped = vec![false; events.len()];
    let mut standing: std::collections::HashMap<i64, Vec<usize>> = std::collections::HashMap::new();
    for (i, event) in events.iter().enumerate() {
        if event.kind.is_counter_action() {
            standing.entry(event.entry_id).or_default().push(i);
        } else if event.kind == EventKind::Undone {
            dropped[i] = true;
            if let Some(target) = standing.get_mut(&event.entry_id).and_then(Vec::pop) {
                dropped[target] = true;
            }
        }
    }
    events
        .iter()
        .zip(dropped)
        .filter(|(_, dropped)| !dropped)
        .map(|(e, _)| e.clone())
        .collect()
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
    /// For a call under language matching: whether the counter covered the entry's language
    /// (`false`: an interpreter was needed); `None` for a call without matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_matched: Option<bool>,
    /// For a call under language matching: whom it passed over for their language, and the
    /// wait limit then in force, as the engine decided at the call; `None` for a call
    /// without matching, or one logged before calls recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed_over: Option<PassedOver>,
}

/// The entries a call under language matching passed over (docs/design/fair-queue.md,
/// "Language matching", rule 2): what the daily report judges against the rule instead of
/// counting them as passes beyond the priority bound.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassedOver {
    /// Entry ids, ahead of the called entry in the fair order; empty when it passed nobody.
    pub entries: Vec<i64>,
    /// The port's `language_wait_limit` at the call.
    pub wait_limit_minutes: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(entry_id: i64, minute: u32, kind: EventKind) -> Event {
        Event {
            entry_id,
            at: Utc.with_ymd_and_hms(2026, 11, 25, 17, minute, 0).unwrap(),
            actor_id: Some(1),
            kind,
            from: None,
            to: None,
            counter: Some(1),
            snapshot: None,
            note: None,
            language_matched: None,
            passed_over: None,
        }
    }

    #[test]
    fn an_undo_drops_itself_and_the_latest_standing_action_of_its_entry() {
        use EventKind::*;
        let log = vec![
            event(1, 0, Registered),
            event(2, 1, Registered),
            event(1, 2, Called),
            event(2, 3, Called),
            event(1, 4, Served),
            event(1, 5, Undone), // takes back 1's Served, not 2's Called
            event(1, 6, Undone), // then 1's Called
            event(1, 7, Called),
            event(1, 8, NoShow),
        ];
        let kept: Vec<(i64, EventKind)> = without_undone(&log)
            .iter()
            .map(|e| (e.entry_id, e.kind))
            .collect();
        assert_eq!(
            kept,
            vec![
                (1, Registered),
                (2, Registered),
                (2, Called),
                (1, Called),
                (1, NoShow)
            ]
        );
    }

    #[test]
    fn an_undo_never_takes_back_a_registration_or_a_print() {
        use EventKind::*;
        let log = vec![
            event(1, 0, Registered),
            event(1, 1, TicketPrinted),
            event(1, 2, Undone),
        ];
        let kept: Vec<EventKind> = without_undone(&log).iter().map(|e| e.kind).collect();
        assert_eq!(kept, vec![Registered, TicketPrinted]);
    }
}
