//! `portqueue simulate`: replays arrivals through the engine (docs/design/interfaces.md, "simulate").
//!
//! Model: "every counter is open from the first arrival; a counter that comes free calls the
//! next entry by the engine; service lasts minutes-per-person x party size (or the row's
//! `service_minutes`); nobody is absent. Counters free at the same instant call in counter
//! order." A counter with nobody eligible waits for the next arrival or eligibility instant.
//!
//! Each row also gets the call window its ticket would have shown at arrival
//! ([`estimate_inputs_at`]): worked out only from what was known at that instant.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use super::engine::{Called, Run};
use super::{
    ArrivalRates, EstimateInputs, OpenCounter, QueueEntry, ServiceSample, ShareState, Window,
    place, project_with, reason,
};
use crate::model::{Class, PARTY_SIZE_RANGE, Policy, Tier};

/// The input file's required columns, in the order of docs/design/interfaces.md (any order is read).
pub const INPUT_HEADER: [&str; 6] = [
    "ticket",
    "class",
    "tier",
    "party_size",
    "arrived_at",
    "slot_at",
];

/// Columns the input may also have.
pub const OPTIONAL_COLUMNS: [&str; 2] = ["service_minutes", "language"];

/// The longest service a row may give, in minutes (a day).
const MAX_SERVICE_MINUTES: f64 = 24.0 * 60.0;

/// Share of the day's bookings assumed to come when replaying a file: the file holds only
/// those who came, and whether a later row arrives is not known at an arrival.
pub const ASSUMED_SHOW_RATE: f64 = 0.85;

/// The output's header row, in order (the fields of [`SimRow`]).
pub const OUTPUT_HEADER: [&str; 14] = [
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
    "estimate_earliest",
    "estimate_latest",
];

/// One row of the input: a walk-in registered or an appointment checked in.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub ticket: String,
    pub class: Class,
    pub tier: Tier,
    pub party_size: u32,
    pub arrived_at: DateTime<Utc>,
    /// The booked time; appointments only.
    pub slot_at: Option<DateTime<Utc>>,
    /// The real length of this entry's service; `None`: minutes-per-person x party size.
    pub service_minutes: Option<f64>,
    /// The applicant's language (canonical ISO 639-3), when the file gives it.
    pub language: Option<String>,
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
    let columns = Columns::of(&header)?;
    let mut arrivals = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = record.map_err(|e| read_error(0, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            return Err(InputError::line(
                line,
                format!(
                    "expected {} columns ({}), got {}",
                    header.len(),
                    header.iter().collect::<Vec<_>>().join(","),
                    record.len()
                ),
            ));
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let mut arrival = parse_row(line, columns.required.map(field))?;
        if let Some(i) = columns.service_minutes {
            arrival.service_minutes = parse_service(line, field(i))?;
        }
        if let Some(i) = columns.language {
            let value = field(i);
            if !value.is_empty() {
                let code = crate::languages::parse(value)
                    .map_err(|message| InputError::at(line, "language", message))?;
                arrival.language = Some(code.to_owned());
            }
        }
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

/// Where each column is in the file's header row.
struct Columns {
    /// Positions of [`INPUT_HEADER`]'s columns.
    required: [usize; 6],
    service_minutes: Option<usize>,
    language: Option<usize>,
}

impl Columns {
    fn of(header: &csv::StringRecord) -> Result<Self, InputError> {
        let mut positions: HashMap<&str, usize> = HashMap::new();
        if !header.iter().any(|name| INPUT_HEADER.contains(&name)) {
            let got = header.iter().collect::<Vec<_>>().join(",");
            return Err(InputError::line(
                1,
                missing_header_message(&format!("got \"{got}\"")),
            ));
        }
        for (i, name) in header.iter().enumerate() {
            if !INPUT_HEADER.contains(&name) && !OPTIONAL_COLUMNS.contains(&name) {
                return Err(InputError::line(
                    1,
                    format!(
                        "unknown column \"{name}\": the columns are {}, and optionally {}",
                        INPUT_HEADER.join(","),
                        OPTIONAL_COLUMNS.join(",")
                    ),
                ));
            }
            if positions.insert(name, i).is_some() {
                return Err(InputError::line(
                    1,
                    format!("column \"{name}\" appears twice"),
                ));
            }
        }
        let missing: Vec<&str> = INPUT_HEADER
            .iter()
            .copied()
            .filter(|name| !positions.contains_key(name))
            .collect();
        if !missing.is_empty() {
            let got = header.iter().collect::<Vec<_>>().join(",");
            return Err(InputError::line(
                1,
                missing_header_message(&format!("missing {}; got \"{got}\"", missing.join(", "))),
            ));
        }
        Ok(Self {
            required: INPUT_HEADER.map(|name| positions[name]),
            service_minutes: positions.get("service_minutes").copied(),
            language: positions.get("language").copied(),
        })
    }
}

fn parse_service(line: u64, value: &str) -> Result<Option<f64>, InputError> {
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|m| m.is_finite() && *m > 0.0 && *m <= MAX_SERVICE_MINUTES)
        .map(Some)
        .ok_or_else(|| {
            InputError::at(
                line,
                "service_minutes",
                format!(
                    "must be a number of minutes more than 0 and at most {MAX_SERVICE_MINUTES}, \
                     or empty, got \"{value}\""
                ),
            )
        })
}

fn missing_header_message(detail: &str) -> String {
    format!(
        "the first row must be the header \"{}\" (in any order, optionally with {}); {detail}",
        INPUT_HEADER.join(","),
        OPTIONAL_COLUMNS.join(",")
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
        service_minutes: None,
        language: None,
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
    /// The call window the ticket would have shown at arrival (empty with no window).
    #[serde(serialize_with = "rfc3339_opt")]
    pub estimate_earliest: Option<DateTime<Utc>>,
    #[serde(serialize_with = "rfc3339_opt")]
    pub estimate_latest: Option<DateTime<Utc>>,
}

/// Times as RFC 3339 in UTC with a `Z`, seconds always shown: `2026-11-25T09:12:00Z`.
fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn rfc3339_opt<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// Replays `arrivals` through the engine with `counters` counters (at least one).
///
/// Entry ids and ticket sequences are row numbers (1-based), so row order decides ties.
/// Every arrival appears exactly once in the result (G7); the result is in call order.
pub fn run(arrivals: &[Arrival], policy: &Policy, counters: u32, tz: Tz) -> Vec<SimRow> {
    let (entries, service) = replay_entries(arrivals, policy);
    let Some(opening) = entries.iter().map(|e| e.arrived_at).min() else {
        return Vec::new();
    };
    let counters = counters.max(1) as usize;
    let free_at = vec![opening; counters];
    let calls = Run::new(&entries, policy, tz, ShareState::default())
        .run_to_end(&free_at, |entry| service[entry_index(entry)]);
    rows_of(arrivals, &entries, &calls, policy, counters, tz, opening)
}

/// The replay's entries (ids and sequences are row numbers from 1) and how long each keeps
/// its counter.
fn replay_entries(arrivals: &[Arrival], policy: &Policy) -> (Vec<QueueEntry>, Vec<Duration>) {
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
    let service: Vec<Duration> = arrivals
        .iter()
        .map(|a| {
            let minutes = a
                .service_minutes
                .unwrap_or_else(|| f64::from(policy.minutes_per_person) * f64::from(a.party_size));
            Duration::seconds((minutes * 60.0).round() as i64)
        })
        .collect();
    (entries, service)
}

/// The languages each counter covers in a matched replay, and the port's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterLanguages {
    /// One list per counter, counter 1 first; a counter not given covers no language.
    pub counters: Vec<Vec<String>>,
    /// How long an entry may stay passed over (docs/design/fair-queue.md, G8).
    pub wait_limit_minutes: u32,
}

/// How a matched replay served one row's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguageCall {
    /// The row's language (empty when the file gives none).
    pub language: Option<String>,
    /// Whether the counter that called it covers its language (or it has none).
    pub language_matched: bool,
    /// The matching rule's one line ([`super::LanguageReason::text`]).
    pub language_reason: String,
}

/// The columns a matched replay adds after [`OUTPUT_HEADER`].
pub const LANGUAGE_COLUMNS: [&str; 3] = ["language", "language_matched", "language_reason"];

/// Reads `--counter-languages`: `"1=spa,eng;2=hat,fra;3=spa"`, counters numbered from 1 to
/// `counters`, each at most once, languages from the language table (aliases accepted,
/// stored canonical).
pub fn parse_counter_languages(spec: &str, counters: u32) -> Result<Vec<Vec<String>>, String> {
    let mut result: Vec<Vec<String>> = vec![Vec::new(); counters.max(1) as usize];
    let mut seen = vec![false; result.len()];
    for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((number, languages)) = part.split_once('=') else {
            return Err(format!(
                "\"{part}\" must be a counter number, \"=\" and its languages, \
                 e.g. 1=spa,eng;2=hat"
            ));
        };
        let number = number.trim();
        let k = number
            .parse::<u32>()
            .ok()
            .filter(|k| (1..=counters.max(1)).contains(k))
            .ok_or_else(|| {
                format!(
                    "counter \"{number}\" must be a number from 1 to {} (--counters)",
                    counters.max(1)
                )
            })? as usize
            - 1;
        if std::mem::replace(&mut seen[k], true) {
            return Err(format!("counter {number} is given twice"));
        }
        for code in languages
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let code = crate::languages::parse(code)
                .map_err(|message| format!("counter {number}: {message}"))?;
            if !result[k].iter().any(|l| l == code) {
                result[k].push(code.to_owned());
            }
        }
    }
    Ok(result)
}

/// [`run`] with language matching: counter `k` covers `languages.counters[k - 1]`. Same rows
/// and columns as [`run`] (windows from the fair order), each with how its language was
/// served. With every counter covering every language in the file, the rows are [`run`]'s
/// (G9).
pub fn run_matched(
    arrivals: &[Arrival],
    policy: &Policy,
    counters: u32,
    tz: Tz,
    languages: &CounterLanguages,
) -> Vec<(SimRow, LanguageCall)> {
    let (entries, service) = replay_entries(arrivals, policy);
    let Some(opening) = entries.iter().map(|e| e.arrived_at).min() else {
        return Vec::new();
    };
    let counters = counters.max(1) as usize;
    let mut covers = languages.counters.clone();
    covers.resize(counters, Vec::new());
    let spoken: Vec<Option<String>> = arrivals.iter().map(|a| a.language.clone()).collect();
    let matched = super::matching::run_matched(
        &entries,
        &spoken,
        policy,
        tz,
        opening,
        &covers,
        languages.wait_limit_minutes,
        |i| service[i],
    );
    let calls: Vec<Called> = matched.iter().map(|m| m.called).collect();
    rows_of(arrivals, &entries, &calls, policy, counters, tz, opening)
        .into_iter()
        .zip(&matched)
        .map(|(row, m)| {
            let language = spoken[m.called.index].clone();
            let line = m
                .reason
                .text(language.as_deref(), m.passed, languages.wait_limit_minutes);
            (
                row,
                LanguageCall {
                    language,
                    language_matched: m.reason.matched(),
                    language_reason: line,
                },
            )
        })
        .collect()
}

/// The replay's rows in call order, each with the window its ticket would have shown.
fn rows_of(
    arrivals: &[Arrival],
    entries: &[QueueEntry],
    calls: &[Called],
    policy: &Policy,
    counters: usize,
    tz: Tz,
    opening: DateTime<Utc>,
) -> Vec<SimRow> {
    let mut windows: Vec<Option<Window>> = vec![None; entries.len()];
    for (i, window) in windows.iter_mut().enumerate() {
        let (waiting, state, inputs) =
            estimate_inputs_at(i, entries, calls, counters, policy, opening);
        let now = entries[i].arrived_at;
        *window = project_with(&waiting, policy, tz, &state, now, &inputs)
            .into_iter()
            .find(|p| p.entry_id == entries[i].id)
            .and_then(|p| p.estimate);
    }
    calls
        .iter()
        .map(|call| {
            let entry = &entries[call.index];
            let arrival = &arrivals[call.index];
            let placement = place(entry, policy);
            let window = windows[call.index];
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
                estimate_earliest: window.map(|w| w.earliest),
                estimate_latest: window.map(|w| w.latest),
            }
        })
        .collect()
}

/// Row index of a replay entry (ids are row numbers from 1).
fn entry_index(entry: &QueueEntry) -> usize {
    usize::try_from(entry.id - 1).unwrap_or(0)
}

/// What was known when row `i` arrived, for its window: who was waiting (rows that had
/// arrived, this one and those before it at the same instant, not yet called), the share
/// state after the last call before then, the counters (the parties at them and since
/// when, never how long they will take), the services finished by then, the bookings of
/// the rows not yet arrived (imported in the morning: their slots, never whether they
/// come), the check-in offsets and walk-in rates seen so far.
fn estimate_inputs_at(
    i: usize,
    entries: &[QueueEntry],
    calls: &[Called],
    counters: usize,
    policy: &Policy,
    opening: DateTime<Utc>,
) -> (Vec<QueueEntry>, ShareState, EstimateInputs) {
    let now = entries[i].arrived_at;
    let known = |j: usize| entries[j].arrived_at < now || (entries[j].arrived_at == now && j <= i);
    let mut called_before = vec![false; entries.len()];
    let mut state = ShareState::default();
    let mut serving: Vec<Option<(DateTime<Utc>, u32)>> = vec![None; counters];
    let mut service = Vec::new();
    for call in calls.iter().take_while(|c| c.at < now) {
        called_before[call.index] = true;
        state = call.state;
        let party_size = entries[call.index].party_size;
        if call.finished_at <= now {
            service.push(ServiceSample {
                party_size,
                minutes: (call.finished_at - call.at).num_seconds() as f64 / 60.0,
            });
            if serving[call.counter].is_some_and(|(since, _)| since <= call.at) {
                serving[call.counter] = None;
            }
        } else {
            serving[call.counter] = Some((call.at, party_size));
        }
    }
    let waiting: Vec<QueueEntry> = (0..entries.len())
        .filter(|&j| known(j) && !called_before[j])
        .map(|j| entries[j].clone())
        .collect();
    let open = serving
        .iter()
        .map(|s| match *s {
            Some((since, party_size)) => OpenCounter::Serving { since, party_size },
            None => OpenCounter::Idle,
        })
        .collect();
    let bookings: Vec<QueueEntry> = (0..entries.len())
        .filter(|&j| !known(j) && entries[j].class == Class::Appointment)
        .filter_map(|j| {
            let slot = entries[j].slot_at?;
            Some(QueueEntry {
                id: -entries[j].id,
                seq: 0,
                class: Class::Appointment,
                tier: Tier::Standard,
                party_size: entries[j].party_size,
                arrived_at: slot,
                slot_at: Some(slot),
            })
        })
        .collect();
    let offsets: Vec<f64> = (0..entries.len())
        .filter(|&j| known(j))
        .filter_map(|j| {
            let slot = entries[j]
                .slot_at
                .filter(|_| entries[j].class == Class::Appointment)?;
            Some((entries[j].arrived_at - slot).num_seconds() as f64 / 60.0)
        })
        .collect();
    // Walk-ins seen per hour since the first arrival, by tier: the rate once an hour has
    // passed, so a handful of early arrivals is not taken for the day's pace.
    let hours = (now - opening).num_seconds() as f64 / 3600.0;
    let mut rates = ArrivalRates::default();
    if hours >= 1.0 {
        for j in (0..entries.len()).filter(|&j| known(j)) {
            let e = &entries[j];
            if e.class != Class::WalkIn {
                continue;
            }
            match e.tier {
                Tier::Standard => rates.standard += 1.0 / hours,
                Tier::Priority => rates.priority += 1.0 / hours,
                Tier::Urgent => rates.urgent += 1.0 / hours,
            }
        }
    }
    let inputs = EstimateInputs {
        open,
        plan: Vec::new(),
        service,
        minutes_per_person: f64::from(policy.minutes_per_person),
        bookings,
        show_rate: ASSUMED_SHOW_RATE,
        check_in_offsets_minutes: offsets,
        walk_ins_per_hour: if hours >= 1.0 {
            vec![(now, rates)]
        } else {
            Vec::new()
        },
    };
    (waiting, state, inputs)
}

/// Writes the rows as CSV with the header row of docs/design/interfaces.md (also when there are none).
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

/// Writes a matched replay: [`OUTPUT_HEADER`] then [`LANGUAGE_COLUMNS`].
pub fn write_csv_matched<W: Write>(rows: &[(SimRow, LanguageCall)], out: W) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    writer.write_record(OUTPUT_HEADER.iter().chain(LANGUAGE_COLUMNS.iter()))?;
    for (row, language) in rows {
        let mut record = fields(row);
        record.push(language.language.clone().unwrap_or_default());
        record.push(language.language_matched.to_string());
        record.push(language.language_reason.clone());
        writer.write_record(&record)?;
    }
    writer.flush()
}

/// A row's fields as CSV writes them, in [`OUTPUT_HEADER`] order.
fn fields(row: &SimRow) -> Vec<String> {
    let value = serde_json::to_value(row).expect("a SimRow holds only strings, numbers and enums");
    OUTPUT_HEADER
        .iter()
        .map(|name| match &value[*name] {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// A matched replay as JSON: [`to_json`]'s objects with the language fields added.
pub fn to_json_matched(rows: &[(SimRow, LanguageCall)]) -> String {
    let values: Vec<serde_json::Value> = rows
        .iter()
        .map(|(row, language)| {
            let mut value =
                serde_json::to_value(row).expect("a SimRow holds only strings, numbers and enums");
            if let (Some(object), Ok(serde_json::Value::Object(extra))) =
                (value.as_object_mut(), serde_json::to_value(language))
            {
                object.extend(extra);
            }
            value
        })
        .collect();
    serde_json::Value::Array(values).to_string()
}

/// The rows as a JSON array of objects with the same fields as the CSV.
pub fn to_json(rows: &[SimRow]) -> String {
    serde_json::to_string(rows).expect("a SimRow holds only strings, numbers and enums")
}
