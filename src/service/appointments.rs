//! Booked appointments: the day's import, and the check-in that puts one in the queue.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use portqueue_core::events::{EventKind, Punctuality};
use portqueue_core::{Class, FieldErrors, Status, languages};

use super::walk_ins::{TriageInput, check_party_size, draw_ticket, insert_waiting, join_names};
use super::{live, lock_port, log_access, transaction};
use crate::auth::{Actor, Role, random_secret};
use crate::db::models::{Appointment, NewEntry, Port};
use crate::db::schema::{appointments, entries};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};
use crate::service::queue::EntryView;

/// The columns of the appointment file, in order (docs/design/interfaces.md).
pub const CSV_HEADER: [&str; 6] = [
    "confirmation",
    "slot_at",
    "party_size",
    "name",
    "nationality",
    "language",
];

/// Most rows one import takes: a very busy port books a few hundred a day.
pub const MAX_ROWS: usize = 10_000;

/// One appointment row as sent (CSV or JSON); every field is text until checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppointmentInput {
    pub confirmation: String,
    pub slot_at: String,
    pub party_size: String,
    pub name: String,
    pub nationality: String,
    pub language: String,
}

/// A checked appointment row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRow {
    pub confirmation: String,
    pub slot_at: DateTime<Utc>,
    pub party_size: u32,
    pub name: String,
    pub nationality: String,
    pub language: &'static str,
}

impl AppointmentInput {
    /// Checks one row.
    pub fn check(&self) -> Result<AppointmentRow, FieldErrors> {
        let mut errors = FieldErrors::new();
        let confirmation = self.confirmation.trim();
        if confirmation.is_empty()
            || confirmation.len() > 40
            || !confirmation
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.add(
                "confirmation",
                format!("must be 1 to 40 letters, digits or dashes, got \"{confirmation}\""),
            );
        }
        let slot_at = DateTime::parse_from_rfc3339(self.slot_at.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                errors.add(
                    "slot_at",
                    format!(
                        "must be an RFC 3339 time like 2026-11-25T09:30:00-08:00, got \"{}\"",
                        self.slot_at.trim()
                    ),
                )
            })
            .ok();
        // Both databases store any year, but a slot outside these is a typo (a 2-digit year,
        // an extra digit) and would sort the day's queue wrongly.
        let slot_at = slot_at.filter(|t| {
            let ok = (SLOT_YEARS.0..=SLOT_YEARS.1).contains(&chrono::Datelike::year(t));
            if !ok {
                errors.add(
                    "slot_at",
                    format!(
                        "must be a time in the years {} to {}, got \"{}\"",
                        SLOT_YEARS.0,
                        SLOT_YEARS.1,
                        self.slot_at.trim()
                    ),
                );
            }
            ok
        });
        let party_size = check_party_size(&mut errors, &self.party_size);
        let required = |errors: &mut FieldErrors, field: &str, value: &str, max: usize| {
            let value = value.trim();
            if value.is_empty() {
                errors.add(field, "is required");
            } else if value.chars().any(char::is_control) {
                errors.add(
                    field,
                    "contains a control character (such as NUL); remove it",
                );
            } else if value.chars().count() > max {
                errors.add(field, format!("use at most {max} characters"));
            }
            value.to_owned()
        };
        let name = required(&mut errors, "name", &self.name, 200);
        let nationality = required(&mut errors, "nationality", &self.nationality, 100);
        let language = languages::parse(&self.language)
            .map_err(|e| errors.add("language", e))
            .unwrap_or("spa");
        match (slot_at, errors.is_empty()) {
            (Some(slot_at), true) => Ok(AppointmentRow {
                confirmation: confirmation.to_ascii_uppercase(),
                slot_at,
                party_size,
                name,
                nationality,
                language,
            }),
            _ => Err(errors),
        }
    }
}

/// The years an appointment slot may fall in.
pub const SLOT_YEARS: (i32, i32) = (2000, 2199);

/// Where appointment rows came from, so that an error can point at the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A CSV file: errors name the line (the header is line 1) and the column.
    Csv,
    /// A JSON array: errors are keyed `rows[i].field`.
    Json,
}

/// The most problems one refused import lists; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 25;

/// Problems found in a file, each already naming its line or row.
struct Problems {
    source: Source,
    /// (field key for JSON, full message).
    listed: Vec<(String, String)>,
    more: usize,
}

impl Problems {
    fn new(source: Source) -> Self {
        Problems {
            source,
            listed: Vec::new(),
            more: 0,
        }
    }

    /// A problem at row `i` (0-based, after the header), in `field`.
    fn add(&mut self, i: usize, field: &str, message: &str) {
        let entry = match self.source {
            Source::Csv => (
                "file".to_owned(),
                format!("line {}, column {field}: {message}", i + 2),
            ),
            Source::Json => (format!("rows[{i}].{field}"), message.to_owned()),
        };
        self.push(entry);
    }

    /// A problem with a whole CSV line (`line` counted from 1, the header).
    fn add_line(&mut self, line: usize, message: String) {
        self.push(("file".to_owned(), format!("line {line}: {message}")));
    }

    fn push(&mut self, entry: (String, String)) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(entry);
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// One error naming every problem listed: for a CSV one message (every line, in file
    /// order); for JSON one message per `rows[i].field`.
    fn into_error(self) -> AppError {
        let mut errors = FieldErrors::new();
        let total = self.listed.len() + self.more;
        let more = (self.more > 0).then(|| {
            format!(
                "and {} more {} not listed",
                self.more,
                if self.more == 1 {
                    "problem"
                } else {
                    "problems"
                }
            )
        });
        match self.source {
            Source::Csv => {
                let mut parts: Vec<String> = self.listed.into_iter().map(|(_, m)| m).collect();
                parts.extend(more);
                let intro = if total == 1 {
                    String::new()
                } else {
                    format!("{total} problems, nothing imported: ")
                };
                errors.add("file", format!("{intro}{}", parts.join("; ")));
            }
            Source::Json => {
                for (field, message) in self.listed {
                    errors.add(&field, message);
                }
                if let Some(more) = more {
                    errors.add("rows", more);
                }
            }
        }
        errors.into()
    }
}

/// Checks every row: one bad row refuses the whole import, so that nothing is
/// half-imported, and the refusal names every bad row, column and rule (up to
/// [`MAX_LISTED_PROBLEMS`]), so the file can be fixed in one go.
pub fn check_rows(rows: &[AppointmentInput], source: Source) -> AppResult<Vec<AppointmentRow>> {
    let whole = match source {
        Source::Csv => "file",
        Source::Json => "rows",
    };
    if rows.is_empty() {
        return Err(AppError::invalid(whole, "there are no appointment rows"));
    }
    if rows.len() > MAX_ROWS {
        return Err(AppError::invalid(
            whole,
            format!("at most {MAX_ROWS} rows in one import"),
        ));
    }
    let mut problems = Problems::new(source);
    let mut checked = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        match row.check() {
            Ok(row) => {
                if let Some(first) = seen.insert(row.confirmation.clone(), i) {
                    let at = match source {
                        Source::Csv => format!("line {}", first + 2),
                        Source::Json => format!("rows[{first}]"),
                    };
                    problems.add(
                        i,
                        "confirmation",
                        &format!(
                            "{} appears twice in the same import (also {at})",
                            row.confirmation
                        ),
                    );
                }
                checked.push(row);
            }
            Err(errors) => {
                for (field, message) in errors.iter() {
                    problems.add(i, field, message);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems.into_error())
    }
}

/// Reads the appointment CSV (header row required, columns as [`CSV_HEADER`]). A line with
/// too few or too many values is named in plain words, with every other bad line.
pub fn read_csv(data: &[u8]) -> AppResult<Vec<AppointmentInput>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(data);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid("file", format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if header != CSV_HEADER {
        return Err(AppError::invalid(
            "file",
            format!(
                "line 1: the header must be `{}`, got `{}`",
                CSV_HEADER.join(","),
                header.join(",")
            ),
        ));
    }
    let mut problems = Problems::new(Source::Csv);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(i + 2, |p| p.line() as usize);
                problems.add_line(
                    line,
                    match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => {
                            "is not UTF-8 text: save the file as CSV UTF-8".to_owned()
                        }
                        _ => "cannot be read as CSV: check its quotes".to_owned(),
                    },
                );
                continue;
            }
        };
        let line = record.position().map_or(i + 2, |p| p.line() as usize);
        let columns = CSV_HEADER.len();
        if record.len() != columns {
            let what = if record.len() < columns {
                "is missing values"
            } else {
                "has values beyond the last column (a name with a comma needs quotes)"
            };
            problems.add_line(
                line,
                format!(
                    "has {} {} where the header has {columns} ({}): it {what}",
                    record.len(),
                    if record.len() == 1 { "value" } else { "values" },
                    CSV_HEADER.join(", ")
                ),
            );
            continue;
        }
        let field = |n: usize| record.get(n).unwrap_or_default().to_owned();
        let input = AppointmentInput {
            confirmation: field(0),
            slot_at: field(1),
            party_size: field(2),
            name: field(3),
            nationality: field(4),
            language: field(5),
        };
        if let Err(errors) = input.check() {
            for (column, message) in errors.iter() {
                problems.push((
                    "file".to_owned(),
                    format!("line {line}, column {column}: {message}"),
                ));
            }
        }
        rows.push(input);
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems.into_error())
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub unchanged: usize,
    /// Rows whose booking changed (new time, party size, ...) and was not yet checked in.
    pub updated: usize,
}

/// Imports rows checked by [`check_rows`] into a port: all of them, or none. Importing the same file twice
/// changes nothing. Supervisors and admins.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    rows: &[AppointmentRow],
    now: DateTime<Utc>,
) -> AppResult<ImportSummary> {
    actor.require_role(Role::Supervisor)?;
    transaction(conn, |conn| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        let mut summary = ImportSummary::default();
        // The earliest slot added or moved: kept report figures from its day on count
        // bookings that changed.
        let mut earliest: Option<DateTime<Utc>> = None;
        for (i, row) in rows.iter().enumerate() {
            let existing: Option<Appointment> = appointments::table
                .filter(appointments::port_id.eq(port.id))
                .filter(appointments::confirmation.eq(&row.confirmation))
                .select(Appointment::as_select())
                .get_result(conn)
                .optional()?;
            let values = (
                appointments::slot_at.eq(to_db(row.slot_at)),
                appointments::party_size.eq(i32::try_from(row.party_size).unwrap_or(1)),
                appointments::name.eq(&row.name),
                appointments::nationality.eq(&row.nationality),
                appointments::language.eq(row.language),
            );
            match existing {
                None => {
                    diesel::insert_into(appointments::table)
                        .values((
                            appointments::port_id.eq(port.id),
                            appointments::confirmation.eq(&row.confirmation),
                            values,
                            appointments::imported_at.eq(to_db(now)),
                            appointments::imported_by.eq(actor.id()),
                        ))
                        .execute(conn)?;
                    summary.created += 1;
                    earliest = earliest.min(Some(row.slot_at)).or(Some(row.slot_at));
                }
                Some(a)
                    if from_db(a.slot_at) == row.slot_at
                        && a.party_size == i32::try_from(row.party_size).unwrap_or(1)
                        && a.name == row.name
                        && a.nationality == row.nationality
                        && a.language == row.language =>
                {
                    summary.unchanged += 1;
                }
                Some(a) => {
                    let checked_in: i64 = entries::table
                        .filter(entries::appointment_id.eq(a.id))
                        .count()
                        .get_result(conn)?;
                    if checked_in > 0 {
                        return Err(AppError::invalid(
                            "file",
                            format!(
                                "line {}, column confirmation: {} is already checked in; its booking cannot change",
                                i + 2,
                                row.confirmation
                            ),
                        ));
                    }
                    diesel::update(appointments::table.find(a.id))
                        .set(values)
                        .execute(conn)?;
                    summary.updated += 1;
                    let moved = row.slot_at.min(from_db(a.slot_at));
                    earliest = earliest.min(Some(moved)).or(Some(moved));
                }
            }
        }
        if let Some(earliest) = earliest {
            super::report_days::forget_from(conn, port.id, earliest)?;
        }
        Ok(summary)
    })
}

/// When an appointment arrives relative to its slot (docs/design/fair-queue.md: early before
/// `slot_at - early_window`, late more than `late_window` after the slot).
pub fn punctuality(port: &Port, slot_at: DateTime<Utc>, arrived_at: DateTime<Utc>) -> Punctuality {
    let policy = port.policy();
    if arrived_at < slot_at - Duration::minutes(i64::from(policy.early_window_minutes)) {
        Punctuality::Early
    } else if arrived_at > slot_at + Duration::minutes(i64::from(policy.late_window_minutes)) {
        Punctuality::Late
    } else {
        Punctuality::OnTime
    }
}

/// A booked appointment as listed for check-in.
#[derive(Debug, Clone)]
pub struct Booking {
    pub appointment: Appointment,
    pub checked_in: bool,
    pub punctuality: Punctuality,
}

/// How many days around today the name search looks at: check-ins are for bookings of
/// about today, and names are matched here rather than in SQL (accents and case ignored).
const NAME_SEARCH_DAYS: i64 = 31;

/// The most bookings a search shows.
const SEARCH_LIMIT: usize = 50;

/// Finds bookings by confirmation number (whole, or a part such as its digits) or by the
/// start of words of the name, ignoring accents and case ("Garcia" finds "García"), for an
/// officer of the port. Shows names, so the search is logged: that it happened, how many
/// bookings it showed and whether one was found by its confirmation number, never the typed
/// text (often a name).
pub fn search(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    query: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<Booking>> {
    actor.require_port(port)?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let number = query.to_ascii_uppercase().replace(['%', '_', '\\'], "");
    let by_number: Vec<(Appointment, Option<i64>)> =
        crate::db::limited::<{ SEARCH_LIMIT as u32 }, _>(
            appointments::table
                .left_join(
                    entries::table.on(entries::appointment_id.eq(appointments::id.nullable())),
                )
                .filter(appointments::port_id.eq(port.id))
                .filter(
                    appointments::confirmation
                        .eq(&number)
                        .or(appointments::confirmation.like(format!("%{number}%"))),
                )
                .order(appointments::slot_at.asc())
                .select((Appointment::as_select(), entries::id.nullable())),
        )
        .load(conn)?;
    let window = Duration::days(NAME_SEARCH_DAYS);
    let by_name: Vec<(Appointment, Option<i64>)> = appointments::table
        .left_join(entries::table.on(entries::appointment_id.eq(appointments::id.nullable())))
        .filter(appointments::port_id.eq(port.id))
        .filter(appointments::slot_at.ge(to_db(now - window)))
        .filter(appointments::slot_at.lt(to_db(now + window)))
        .order(appointments::slot_at.asc())
        .select((Appointment::as_select(), entries::id.nullable()))
        .load::<(Appointment, Option<i64>)>(conn)?
        .into_iter()
        .filter(|(a, _)| portqueue_core::text::words_match(&a.name, query))
        .collect();
    let mut found = by_number;
    for hit in by_name {
        if !found.iter().any(|(a, _)| a.id == hit.0.id) {
            found.push(hit);
        }
    }
    // The exact number first, then by slot.
    found.sort_by_key(|(a, _)| (a.confirmation != number, a.slot_at));
    found.truncate(SEARCH_LIMIT);
    let confirmation = query.to_ascii_uppercase();
    let by_confirmation = found.iter().any(|(a, _)| a.confirmation == confirmation);
    log_access(
        conn,
        actor,
        Some(port.id),
        None,
        &format!(
            "search appointments: {} found{}",
            found.len(),
            if by_confirmation {
                ", by confirmation number"
            } else {
                ""
            }
        ),
        now,
    )?;
    Ok(found
        .into_iter()
        .map(|(appointment, entry)| Booking {
            punctuality: punctuality(port, from_db(appointment.slot_at), now),
            checked_in: entry.is_some(),
            appointment,
        })
        .collect())
}

/// Checks in a booked appointment by its confirmation number, drawing its ticket.
/// A late one joins the walk-in class at its arrival and keeps its booking reference.
pub fn check_in(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    confirmation: &str,
    triage: &TriageInput,
    now: DateTime<Utc>,
) -> AppResult<(EntryView, Punctuality)> {
    check_in_texting(conn, actor, port_id, confirmation, triage, None, now)
}

/// [`check_in`] with a phone number for text messages, queued in the same transaction.
pub fn check_in_texting(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    confirmation: &str,
    triage: &TriageInput,
    text: Option<&crate::service::walk_ins::TextOptIn<'_>>,
    now: DateTime<Utc>,
) -> AppResult<(EntryView, Punctuality)> {
    let mut errors = FieldErrors::new();
    let triage = triage.check(&mut errors);
    let phone = text.and_then(|t| t.check(&mut errors));
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let confirmation = confirmation.trim().to_ascii_uppercase();
    live::commit_grouped(conn, |conn, writing| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        let appointment: Appointment = appointments::table
            .filter(appointments::port_id.eq(port.id))
            .filter(appointments::confirmation.eq(&confirmation))
            .select(Appointment::as_select())
            .get_result(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "no appointment {confirmation} at port {}",
                    port.code
                ))
            })?;
        let already: Option<String> = entries::table
            .filter(entries::appointment_id.eq(appointment.id))
            .select(entries::ticket)
            .get_result(conn)
            .optional()?;
        if let Some(ticket) = already {
            return Err(AppError::Conflict(format!(
                "appointment {confirmation} is already checked in as {ticket}"
            )));
        }
        let slot_at = from_db(appointment.slot_at);
        let arrival = punctuality(&port, slot_at, now);
        live::locked(conn, writing, &port, now, |conn, state| {
            let mut port = port.clone();
            let ticket = draw_ticket(conn, &mut port, state, Class::Appointment)?;
            let new = NewEntry {
                port_id: port.id,
                ticket: ticket.to_string(),
                class: Class::Appointment,
                tier: triage.tier,
                party_size: appointment.party_size,
                language: appointment.language.clone(),
                barriers: String::new(),
                barrier_note: None,
                vulnerabilities: join_names(&triage.vulnerabilities),
                urgent_reason: triage.urgent_reason.clone(),
                name: Some(appointment.name.clone()),
                nationality: Some(appointment.nationality.clone()),
                appointment_id: Some(appointment.id),
                slot_at: Some(appointment.slot_at),
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
                EventKind::CheckedIn,
                |snap| {
                    snap.slot_at = Some(slot_at);
                    snap.confirmation = Some(confirmation.clone());
                    snap.punctuality = Some(arrival);
                },
                now,
            )?;
            if let (Some(text), Some(phone)) = (text, &phone) {
                text.apply(conn, &port, phone, &change.entries[0], now)?;
            }
            Ok(((view, arrival), Some(change)))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "confirmation,slot_at,party_size,name,nationality,language\n\
        AB-1001,2026-11-25T09:30:00-08:00,3,Ana Pérez,Venezuela,spa\n\
        AB-1002,2026-11-25T10:00:00-08:00,1,Jean Pierre,Haiti,hat\n";

    #[test]
    fn a_good_file_reads_and_checks() {
        let rows = check_rows(&read_csv(FILE.as_bytes()).unwrap(), Source::Csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].slot_at.to_rfc3339(), "2026-11-25T17:30:00+00:00");
        assert_eq!(rows[1].language, "hat");
    }

    #[test]
    fn one_bad_row_names_its_line_column_and_rule() {
        let bad = FILE.replace("AB-1002,2026-11-25T10:00:00-08:00,1", "AB-1002,tomorrow,1");
        let err = read_csv(bad.as_bytes())
            .and_then(|rows| check_rows(&rows, Source::Csv))
            .unwrap_err();
        let message = err.fields().unwrap().get("file").unwrap().to_owned();
        assert!(
            message.starts_with("line 3, column slot_at: must be an RFC 3339 time"),
            "{message}"
        );
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let err = read_csv(b"conf,slot\nA,B\n").unwrap_err();
        assert!(
            err.fields()
                .unwrap()
                .get("file")
                .unwrap()
                .contains("line 1")
        );
    }

    #[test]
    fn a_confirmation_twice_in_one_file_is_refused() {
        let twice = format!("{FILE}AB-1001,2026-11-25T11:00:00-08:00,2,X Y,Peru,spa\n");
        let err = check_rows(&read_csv(twice.as_bytes()).unwrap(), Source::Csv).unwrap_err();
        assert!(
            err.fields()
                .unwrap()
                .get("file")
                .unwrap()
                .contains("line 4")
        );
    }
}
