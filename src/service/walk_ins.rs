//! Registering a walk-in: someone who could not book in the app because of a language
//! barrier, illiteracy, a technical failure of the app, or another serious obstacle.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use portqueue_core::events::{EntrySnapshot, EventKind};
use portqueue_core::model::PARTY_SIZE_RANGE;
use portqueue_core::queue as engine;
use portqueue_core::tickets::number::{TicketNumber, allocate};
use portqueue_core::{Barrier, Class, FieldErrors, Status, Tier, Vulnerability, languages};

use super::live::{self, Change, PortState};
use super::queue::{self, EntryView};
use super::{EventDetail, lock_port, optional_text, record_event};
use crate::auth::{Actor, random_secret};
use crate::db::models::{Entry, NewEntry, Port};
use crate::db::schema::{entries, ports};
use crate::db::{DbConnection, SetPortNumber, to_db};
use crate::error::{AppError, AppResult};

/// A walk-in as typed into the kiosk form or sent to the API, before it is checked.
/// Everything is text so that a form can show back exactly what was typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WalkInInput {
    pub party_size: String,
    pub language: String,
    pub barriers: Vec<String>,
    pub barrier_note: String,
    pub tier: String,
    pub vulnerabilities: Vec<String>,
    pub urgent_reason: String,
    pub name: String,
    pub nationality: String,
}

/// Tier and vulnerabilities, as typed; shared by walk-ins and appointment check-ins.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TriageInput {
    pub tier: String,
    pub vulnerabilities: Vec<String>,
    pub urgent_reason: String,
}

/// Checked tier and vulnerabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triage {
    pub tier: Tier,
    pub vulnerabilities: Vec<Vulnerability>,
    pub urgent_reason: Option<String>,
}

impl TriageInput {
    /// Checks the rules: urgent needs a reason; priority needs a vulnerability; naming a
    /// vulnerability without choosing a tier makes the entry priority.
    pub fn check(&self, errors: &mut FieldErrors) -> Triage {
        let mut vulnerabilities = Vec::new();
        for v in self
            .vulnerabilities
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            match v.parse::<Vulnerability>() {
                Ok(v) if !vulnerabilities.contains(&v) => vulnerabilities.push(v),
                Ok(_) => {}
                Err(e) => errors.add("vulnerabilities", e),
            }
        }
        vulnerabilities.sort();
        let tier = match self.tier.trim() {
            "" if vulnerabilities.is_empty() => Tier::Standard,
            "" => Tier::Priority,
            t => t.parse::<Tier>().unwrap_or_else(|e| {
                errors.add("tier", e);
                Tier::Standard
            }),
        };
        let urgent_reason = optional_text(errors, "urgent_reason", &self.urgent_reason, 500);
        if tier == Tier::Urgent && urgent_reason.is_none() && errors.get("urgent_reason").is_none()
        {
            errors.add(
                "urgent_reason",
                "an urgent case needs a reason: say what the emergency is",
            );
        }
        if tier == Tier::Priority && vulnerabilities.is_empty() {
            errors.add(
                "vulnerabilities",
                "priority needs at least one vulnerability: choose which",
            );
        }
        Triage {
            tier,
            vulnerabilities,
            urgent_reason: urgent_reason.filter(|_| tier == Tier::Urgent),
        }
    }
}

/// A checked walk-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkIn {
    pub party_size: u32,
    pub language: &'static str,
    pub barriers: Vec<Barrier>,
    pub barrier_note: Option<String>,
    pub triage: Triage,
    pub name: Option<String>,
    pub nationality: Option<String>,
}

/// Checks a party size field.
pub fn check_party_size(errors: &mut FieldErrors, value: &str) -> u32 {
    match value.trim().parse::<u32>() {
        Ok(n) if PARTY_SIZE_RANGE.contains(&n) => n,
        _ => {
            errors.add(
                "party_size",
                format!(
                    "must be a whole number of persons from 1 to 20, got \"{}\"",
                    value.trim()
                ),
            );
            1
        }
    }
}

impl WalkInInput {
    /// Checks every field and names each one that breaks a rule.
    pub fn check(&self) -> Result<WalkIn, FieldErrors> {
        let mut errors = FieldErrors::new();
        let party_size = check_party_size(&mut errors, &self.party_size);
        let language = languages::parse(&self.language)
            .map_err(|e| errors.add("language", e))
            .unwrap_or("spa");
        let mut barriers = Vec::new();
        for b in self
            .barriers
            .iter()
            .map(|b| b.trim())
            .filter(|b| !b.is_empty())
        {
            match b.parse::<Barrier>() {
                Ok(b) if !barriers.contains(&b) => barriers.push(b),
                Ok(_) => {}
                Err(e) => errors.add("barriers", e),
            }
        }
        barriers.sort();
        if barriers.is_empty() && errors.get("barriers").is_none() {
            errors.add(
                "barriers",
                "choose at least one reason the person could not book: language, literacy, technical or other",
            );
        }
        let barrier_note = optional_text(&mut errors, "barrier_note", &self.barrier_note, 500);
        let triage = TriageInput {
            tier: self.tier.clone(),
            vulnerabilities: self.vulnerabilities.clone(),
            urgent_reason: self.urgent_reason.clone(),
        }
        .check(&mut errors);
        let name = optional_text(&mut errors, "name", &self.name, 200);
        let nationality = optional_text(&mut errors, "nationality", &self.nationality, 100);
        errors.into_result(WalkIn {
            party_size,
            language,
            barriers,
            barrier_note,
            triage,
            name,
            nationality,
        })
    }
}

/// Joins checked values for a comma-separated column.
pub fn join_names<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Draws the next ticket number of `class` at a locked port and advances the port's counter
/// (in the database and in `port`, which stays the row as this change leaves it).
/// `state` is the port's kept queue, as committed before this change.
pub fn draw_ticket(
    conn: &mut DbConnection,
    port: &mut Port,
    state: &PortState,
    class: Class,
) -> AppResult<TicketNumber> {
    let next = match class {
        Class::WalkIn => port.next_walkin_number,
        Class::Appointment => port.next_appointment_number,
    };
    let (ticket, next) = allocate(class, u32::try_from(next).unwrap_or(1), |n| {
        state.number_taken(class, n)
    })
    .map_err(|e| AppError::Conflict(e.to_string()))?;
    let next = i32::try_from(next).unwrap_or(1);
    match class {
        Class::WalkIn => {
            let set = SetPortNumber::new(ports::next_walkin_number, port.id, next);
            crate::db::on_backend!(conn, |c| set.execute(c))?;
            port.next_walkin_number = next;
        }
        Class::Appointment => {
            let set = SetPortNumber::new(ports::next_appointment_number, port.id, next);
            crate::db::on_backend!(conn, |c| set.execute(c))?;
            port.next_appointment_number = next;
        }
    };
    Ok(ticket)
}

/// Inserts a new waiting entry at a locked port, projects the queue to give it an estimate,
/// and records the event with its snapshot. Shared by walk-ins and appointment check-ins.
/// `state` is the port's kept queue as committed before this change; the new entry is
/// staged in it, and the returned [`Change`] applies it once committed. `port` is the port
/// row as this change leaves it (locked, its ticket drawn): the change carries it and the
/// inserted row as the database returned them, so nothing is read back.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_waiting(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    state: &mut PortState,
    new: NewEntry,
    kind: EventKind,
    snapshot_extra: impl FnOnce(&mut EntrySnapshot),
    now: DateTime<Utc>,
) -> AppResult<(EntryView, Change)> {
    let entry: Entry = crate::db::on_backend!(conn, |c| diesel::insert_into(entries::table)
        .values(&new)
        .returning(Entry::as_returning())
        .get_result::<Entry>(c))?;
    let at = live::projection_instant(now);
    // The projection of the queue before this entry, to continue with it.
    let kept = state
        .take_projection(at)
        .map(|projection| (projection, entry.queue_entry()));
    state.stage(entry.clone());
    let projected = queue::project_adding(conn, state, at, kept)?;
    // From the back: a walk-in registered last is placed at or near the end of the order,
    // so the search does not walk the whole queue.
    let view = EntryView::new(
        &entry,
        port,
        projected.iter().rev().find(|p| p.entry_id == entry.id),
    );
    let placement = engine::place(&entry.queue_entry(), &port.policy());
    let mut snap = EntrySnapshot {
        ticket: entry.ticket.clone(),
        class: entry.class,
        queue_class: placement.queue_class,
        tier: entry.tier,
        party_size: entry.party_size(),
        language: entry.language.clone(),
        barriers: entry
            .barrier_list()
            .iter()
            .filter_map(|b| b.parse().ok())
            .collect(),
        vulnerabilities: entry
            .vulnerability_list()
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect(),
        arrived_at: entry.arrived_at(),
        eligible_at: placement.eligible_at,
        slot_at: None,
        confirmation: None,
        punctuality: None,
        estimate: view.estimated_call_at,
    };
    snapshot_extra(&mut snap);
    record_event(
        conn,
        &entry,
        Some(actor),
        kind,
        None,
        Some(Status::Waiting),
        EventDetail {
            snapshot: Some(snap),
            note: entry.urgent_reason.clone(),
        },
        now,
    )?;
    let change = Change {
        port: port.clone(),
        entries: vec![entry],
        keep_projection: true,
    };
    Ok((view, change))
}

/// A phone number typed for text messages, and what the first message needs.
#[derive(Debug, Clone, Copy)]
pub struct TextOptIn<'a> {
    /// As typed (empty: none).
    pub phone: &'a str,
    /// Whether this server has an SMS gateway.
    pub enabled: bool,
    /// The base of public links (`https://queue.example.org`), for the status link.
    pub base_url: &'a str,
}

impl TextOptIn<'_> {
    /// Checks the number; its error is named beside the `phone` field.
    pub fn check(&self, errors: &mut FieldErrors) -> Option<String> {
        super::sms::phone_field(errors, self.phone, self.enabled)
    }

    /// Records the number and queues the first message, in the transaction that inserted
    /// `entry` (its row as inserted).
    pub(crate) fn apply(
        &self,
        conn: &mut DbConnection,
        port: &Port,
        phone: &str,
        entry: &Entry,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let link = format!(
            "{}/t/{}",
            self.base_url.trim_end_matches('/'),
            entry.status_token
        );
        super::sms::opt_in(conn, port, entry, phone, &link, now)
    }
}

/// Registers a walk-in at a port and draws its ticket.
pub fn register(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    input: &WalkInInput,
    now: DateTime<Utc>,
) -> AppResult<EntryView> {
    register_texting(conn, actor, port_id, input, None, now)
}

/// [`register`] with a phone number for text messages, queued in the same transaction.
pub fn register_texting(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    input: &WalkInInput,
    text: Option<&TextOptIn<'_>>,
    now: DateTime<Utc>,
) -> AppResult<EntryView> {
    let mut phone_errors = FieldErrors::new();
    let phone = text.and_then(|t| t.check(&mut phone_errors));
    let walk_in = match input.check() {
        Ok(w) if phone_errors.is_empty() => w,
        Ok(_) => return Err(phone_errors.into()),
        Err(mut errors) => {
            for (field, message) in phone_errors.iter() {
                errors.add(field, message);
            }
            return Err(errors.into());
        }
    };
    live::commit_grouped(conn, |conn, writing| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        live::locked(conn, writing, &port, now, |conn, state| {
            // Registered in ticket order: never before the ticket drawn just before.
            let now = state.arrival_at(now);
            let mut port = port.clone();
            let ticket = draw_ticket(conn, &mut port, state, Class::WalkIn)?;
            let new = NewEntry {
                port_id: port.id,
                ticket: ticket.to_string(),
                class: Class::WalkIn,
                tier: walk_in.triage.tier,
                party_size: i32::try_from(walk_in.party_size).unwrap_or(1),
                language: walk_in.language.into(),
                barriers: join_names(&walk_in.barriers),
                barrier_note: walk_in.barrier_note.clone(),
                vulnerabilities: join_names(&walk_in.triage.vulnerabilities),
                urgent_reason: walk_in.triage.urgent_reason.clone(),
                name: walk_in.name.clone(),
                nationality: walk_in.nationality.clone(),
                appointment_id: None,
                slot_at: None,
                arrived_at: to_db(now),
                status: Status::Waiting,
                status_token: random_secret(),
                created_by: actor.id(),
            };
            let (view, change) = insert_waiting(
                conn,
                actor,
                &port,
                state,
                new,
                EventKind::Registered,
                |_| {},
                now,
            )?;
            if let (Some(text), Some(phone)) = (text, &phone) {
                text.apply(conn, &port, phone, &change.entries[0], now)?;
            }
            Ok((view, Some(change)))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> WalkInInput {
        WalkInInput {
            party_size: "3".into(),
            language: "hat".into(),
            barriers: vec!["language".into(), "technical".into()],
            ..WalkInInput::default()
        }
    }

    #[test]
    fn a_complete_walk_in_is_accepted_as_standard() {
        let w = input().check().unwrap();
        assert_eq!(w.party_size, 3);
        assert_eq!(w.language, "hat");
        assert_eq!(w.barriers, vec![Barrier::Language, Barrier::Technical]);
        assert_eq!(w.triage.tier, Tier::Standard);
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let bad = WalkInInput {
            party_size: "21".into(),
            language: "Spanish".into(),
            barriers: vec![],
            tier: "urgent".into(),
            ..WalkInInput::default()
        };
        let errors = bad.check().unwrap_err();
        for field in ["party_size", "language", "barriers", "urgent_reason"] {
            assert!(
                errors.get(field).is_some(),
                "{field} should be named: {errors}"
            );
        }
    }

    #[test]
    fn a_vulnerability_without_a_tier_means_priority_and_priority_needs_one() {
        let mut i = input();
        i.vulnerabilities = vec!["pregnancy".into()];
        assert_eq!(i.check().unwrap().triage.tier, Tier::Priority);
        let mut i = input();
        i.tier = "priority".into();
        assert!(i.check().unwrap_err().get("vulnerabilities").is_some());
    }
}
