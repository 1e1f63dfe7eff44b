//! `portqueue simulate`: replays arrivals through the engine (interfaces.md, "simulate").
//!
//! Model: "every counter is open from the first arrival; a counter that comes free calls the
//! next entry by the engine; service lasts minutes-per-person x party size; nobody is
//! absent. Counters free at the same instant call in counter order." A counter with nobody
//! eligible waits for the next arrival or eligibility instant.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use super::engine::Run;
use super::{QueueEntry, ShareState, place, reason};
use crate::model::{Class, PARTY_SIZE_RANGE, Policy, Tier};

/// The input file's header row, in order.
pub const INPUT_HEADER: [&str; 6] = [
    "ticket",
    "class",
    "tier",
    "party_size",
    "arrived_at",
    "slot_at",
];

/// The output's header row, in order (the fields of [`SimRow`]).
pub const OUTPUT_HEADER: [&str; 12] = [
    "ticket",
    "class",
    "queue_class",
    "tier",
    "party_size",
    "arrived_at",
    "eligible_at",
    "called_at",
    "counter",
    "finished_at",
    "wait_minutes",
    "reason",
];

/// One row of the input: a walk-in registered or an appointment checked in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub ticket: String,
    pub class: Class,
    pub tier: Tier,
    pub party_size: u32,
    pub arrived_at: DateTime<Utc>,
    /// The booked time; appointments only.
    pub slot_at: Option<DateTime<Utc>>,
}

/// What is wrong with the input file, naming the line (1 is the header row) and, where one
/// is to blame, the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub line: u64,
    pub column: Option<&'static str>,
    pub message: String,
}

impl InputError {
    fn at(line: u64, column: &'static str, message: impl Into<String>) -> Self {
        Self {
            line,
            column: Some(column),
            message: message.into(),
        }
    }

    fn line(line: u64, message: impl Into<String>) -> Self {
        Self {
            line,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// Reads the arrivals file: header `ticket,class,tier,party_size,arrived_at,slot_at`, one
/// row per ticket in ticket sequence, RFC 3339 times, `slot_at` empty for walk-ins.
///
/// The first bad row stops the read with an error naming its line, column and rule, so a
/// replay never runs on a silently repaired file.
pub fn read_arrivals<R: Read>(input: R) -> Result<Vec<Arrival>, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            return Err(InputError::line(
                1,
                missing_header_message("the file is empty"),
            ));
        }
        Some(record) => record.map_err(|e| read_error(1, &e))?,
    };
    if header.iter().ne(INPUT_HEADER.iter().copied()) {
        let got = header.iter().collect::<Vec<_>>().join(",");
        return Err(InputError::line(
            1,
            missing_header_message(&format!("got \"{got}\"")),
        ));
    }
    let mut arrivals = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = record.map_err(|e| read_error(0, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != INPUT_HEADER.len() {
            return Err(InputError::line(
                line,
                format!(
                    "expected {} columns ({}), got {}",
                    INPUT_HEADER.len(),
                    INPUT_HEADER.join(","),
                    record.len()
                ),
            ));
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let arrival = parse_row(line, [0, 1, 2, 3, 4, 5].map(field))?;
        if let Some(first) = seen.insert(arrival.ticket.clone(), line) {
            return Err(InputError::at(
                line,
                "ticket",
                format!(
                    "must be unique, \"{}\" is already on line {first}",
                    arrival.ticket
                ),
            ));
        }
        arrivals.push(arrival);
    }
    Ok(arrivals)
}

fn missing_header_message(detail: &str) -> String {
    format!(
        "the first row must be the header \"{}\"; {detail}",
        INPUT_HEADER.join(",")
    )
}

fn read_error(fallback_line: u64, error: &csv::Error) -> InputError {
    let line = error
        .position()
        .map_or(fallback_line, |position| position.line());
    InputError::line(line, format!("could not be read: {error}"))
}

fn parse_row(
    line: u64,
    [ticket, class, tier, party_size, arrived_at, slot_at]: [&str; 6],
) -> Result<Arrival, InputError> {
    if ticket.is_empty() {
        return Err(InputError::at(line, "ticket", "must not be empty"));
    }
    let class: Class = class.parse().map_err(|_| {
        InputError::at(
            line,
            "class",
            format!("must be walk_in or appointment, got \"{class}\""),
        )
    })?;
    let tier: Tier = tier.parse().map_err(|_| {
        InputError::at(
            line,
            "tier",
            format!("must be standard, priority or urgent, got \"{tier}\""),
        )
    })?;
    let party_size = party_size
        .parse::<u32>()
        .ok()
        .filter(|n| PARTY_SIZE_RANGE.contains(n))
        .ok_or_else(|| {
            InputError::at(
                line,
                "party_size",
                format!(
                    "must be a whole number from {} to {}, got \"{party_size}\"",
                    PARTY_SIZE_RANGE.start(),
                    PARTY_SIZE_RANGE.end()
                ),
            )
        })?;
    let arrived_at = parse_time(line, "arrived_at", arrived_at)?;
    let slot_at = match (class, slot_at.is_empty()) {
        (Class::Appointment, true) => {
            return Err(InputError::at(
                line,
                "slot_at",
                "an appointment needs its booked time (RFC 3339), got nothing",
            ));
        }
        (Class::Appointment, false) => Some(parse_time(line, "slot_at", slot_at)?),
        (Class::WalkIn, true) => None,
        (Class::WalkIn, false) => {
            return Err(InputError::at(
                line,
                "slot_at",
                format!("must be empty for a walk-in, got \"{slot_at}\""),
            ));
        }
    };
    Ok(Arrival {
        ticket: ticket.to_owned(),
        class,
        tier,
        party_size,
        arrived_at,
        slot_at,
    })
}

fn parse_time(line: u64, column: &'static str, value: &str) -> Result<DateTime<Utc>, InputError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            InputError::at(
                line,
                column,
                format!("must be an RFC 3339 time such as 2026-11-25T09:12:00Z, got \"{value}\""),
            )
        })
}

/// One entry of the replay, in call order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimRow {
    pub ticket: String,
    pub class: Class,
    /// The class it was ordered in: a late appointment is `walk_in` here.
    pub queue_class: Class,
    pub tier: Tier,
    pub party_size: u32,
    #[serde(serialize_with = "rfc3339")]
    pub arrived_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub eligible_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    pub called_at: DateTime<Utc>,
    /// 1-based counter number.
    pub counter: u32,
    #[serde(serialize_with = "rfc3339")]
    pub finished_at: DateTime<Utc>,
    /// `called_at - eligible_at` in whole minutes, rounded down: the wait the engine is
    /// responsible for (an appointment's time before its early window is not queue waiting).
    pub wait_minutes: i64,
    /// The engine's one-line reason.
    pub reason: String,
}

/// Times as RFC 3339 in UTC with a `Z`, seconds always shown: `2026-11-25T09:12:00Z`.
fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// Replays `arrivals` through the engine with `counters` counters (at least one).
///
/// Entry ids and ticket sequences are row numbers (1-based), so row order decides ties.
/// Every arrival appears exactly once in the result (G7); the result is in call order.
pub fn run(arrivals: &[Arrival], policy: &Policy, counters: u32, tz: Tz) -> Vec<SimRow> {
    let entries: Vec<QueueEntry> = arrivals
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let number = i64::try_from(i + 1).unwrap_or(i64::MAX);
            QueueEntry {
                id: number,
                seq: number,
                class: a.class,
                tier: a.tier,
                party_size: a.party_size,
                arrived_at: a.arrived_at,
                slot_at: a.slot_at,
            }
        })
        .collect();
    let Some(opening) = entries.iter().map(|e| e.arrived_at).min() else {
        return Vec::new();
    };
    let free_at = vec![opening; counters.max(1) as usize];
    let per_person = i64::from(policy.minutes_per_person);
    let calls = Run::new(&entries, policy, tz, ShareState::default())
        .run_to_end(&free_at, |entry| {
            Duration::minutes(per_person * i64::from(entry.party_size))
        });
    calls
        .into_iter()
        .map(|call| {
            let entry = &entries[call.index];
            let arrival = &arrivals[call.index];
            let placement = place(entry, policy);
            SimRow {
                ticket: arrival.ticket.clone(),
                class: arrival.class,
                queue_class: placement.queue_class,
                tier: arrival.tier,
                party_size: arrival.party_size,
                arrived_at: arrival.arrived_at,
                eligible_at: placement.eligible_at,
                called_at: call.at,
                counter: u32::try_from(call.counter + 1).unwrap_or(u32::MAX),
                finished_at: call.finished_at,
                wait_minutes: (call.at - placement.eligible_at).num_minutes(),
                reason: reason(entry, policy, tz),
            }
        })
        .collect()
}

/// Writes the rows as CSV with the header row of interfaces.md (also when there are none).
pub fn write_csv<W: Write>(rows: &[SimRow], out: W) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    writer.write_record(OUTPUT_HEADER)?;
    for row in rows {
        writer.serialize(row)?;
    }
    writer.flush()
}

/// The rows as a JSON array of objects with the same fields as the CSV.
pub fn to_json(rows: &[SimRow]) -> String {
    serde_json::to_string(rows).expect("a SimRow holds only strings, numbers and enums")
}
