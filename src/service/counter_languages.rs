//! Counters opened with the languages they cover, officers' languages and the port's
//! default languages: what language matching (docs/design/fair-queue.md, "Language
//! matching") needs to know about the counters.
//!
//! A counter is open *with matching* while it has a `counter_languages` row; opening it
//! again replaces its languages, closing it deletes the row. A counter without a row calls
//! in the plain fair order, so a port where nobody records languages works exactly as
//! before.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use portqueue_core::languages;
use portqueue_core::queue::matching::{Coverage, MAX_WAIT_LIMIT_MINUTES};

use crate::auth::{Actor, Role};
use crate::db::models::Port;
use crate::db::schema::{counter_language_changes, counter_languages, ports, users};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};
use portqueue_core::validation::FieldErrors;

/// The most languages one counter (or the port's defaults) may list: every language of the
/// table (a telephone-interpreter desk may cover them all).
pub const MAX_LANGUAGES: usize = languages::LANGUAGES.len();

/// A counter open with its languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCounter {
    pub counter: u32,
    /// Its own languages (the port's defaults are added when matching).
    pub languages: Vec<String>,
    pub opened_at: DateTime<Utc>,
}

/// What the counters open with languages cover, the port's defaults included; `None` when
/// no counter is open with languages (no matching: nobody is known to need an interpreter).
pub fn covered(port: &Port, open: &[OpenCounter]) -> Option<BTreeSet<String>> {
    if open.is_empty() {
        return None;
    }
    let mut all: BTreeSet<String> = split(&port.default_languages).into_iter().collect();
    all.extend(open.iter().flat_map(|c| c.languages.iter().cloned()));
    Some(all)
}

/// Whether a waiting entry with this language (ISO 639-3, empty when none was recorded)
/// needs an interpreter as things stand: counters are open with languages and none of them
/// covers it. An entry without a language is served anywhere. The live queue page's
/// "interpreter needed" tag and the API's `interpreter_needed` of waiting entries are both
/// this.
pub fn interpreter_needed_waiting(covered: Option<&BTreeSet<String>>, language: &str) -> bool {
    !language.is_empty() && covered.is_some_and(|c| !c.contains(language))
}

/// Splits a stored list.
pub fn split(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads languages as typed or chosen (codes, separated by commas, spaces or several
/// values): each must be in the language table; stored canonical, once each, in the
/// order given. The error names every code that is not a language.
pub fn parse(field: &str, values: &[String]) -> AppResult<Vec<&'static str>> {
    let mut codes: Vec<&'static str> = Vec::new();
    let mut bad = Vec::new();
    for value in values {
        for code in value
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|c| !c.is_empty())
        {
            match languages::parse(code) {
                Ok(code) if !codes.contains(&code) => codes.push(code),
                Ok(_) => {}
                Err(_) => bad.push(format!("\"{code}\"")),
            }
        }
    }
    if !bad.is_empty() {
        return Err(AppError::invalid(
            field,
            format!(
                "not a language code we know: {}. Use ISO 639-3 codes such as spa, eng, hat, pan",
                bad.join(", ")
            ),
        ));
    }
    if codes.len() > MAX_LANGUAGES {
        return Err(AppError::invalid(
            field,
            format!("at most {MAX_LANGUAGES} languages"),
        ));
    }
    Ok(codes)
}

/// The counters of a port open with languages today, by number. A counter opened on an
/// earlier port-local day is not open: nobody closes counters at night, and yesterday's
/// interpreter must not let today's counters pass people over.
pub fn open_counters(
    conn: &mut DbConnection,
    port: &Port,
    now: DateTime<Utc>,
) -> AppResult<Vec<OpenCounter>> {
    Ok(open_on(load(conn, port.id)?, port, now))
}

/// Of a port's rows (every day's), those of counters open with languages on the port-local
/// day of `now`.
pub fn open_on(rows: Vec<OpenCounter>, port: &Port, now: DateTime<Utc>) -> Vec<OpenCounter> {
    let today = now.with_timezone(&port.tz()).date_naive();
    let (day_start, _) = portqueue_core::local_time::day_bounds(today, port.tz());
    rows.into_iter()
        .filter(|c| c.opened_at >= day_start)
        .collect()
}

/// Every row of the port (of any day), by counter: the port's kept queue holds them for
/// the estimates (opening or closing a counter moves the port's revision, so it is read
/// again then).
pub fn load(conn: &mut DbConnection, port_id: i64) -> AppResult<Vec<OpenCounter>> {
    let rows: Vec<(i64, String, chrono::NaiveDateTime)> = counter_languages::table
        .filter(counter_languages::port_id.eq(port_id))
        .order(counter_languages::counter.asc())
        .select((
            counter_languages::counter,
            counter_languages::languages,
            counter_languages::opened_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(counter, languages, opened_at)| OpenCounter {
            counter: u32::try_from(counter).unwrap_or(0),
            languages: split(&languages),
            opened_at: from_db(opened_at),
        })
        .collect())
}

/// What `counter` covers and what the other open counters cover, the port's defaults
/// added to each; `None` when this counter was not opened with languages (plain fair
/// order).
pub fn coverage(port: &Port, open: &[OpenCounter], counter: u32) -> Option<Coverage> {
    let defaults = split(&port.default_languages);
    let with_defaults = |c: &OpenCounter| {
        let mut all = c.languages.clone();
        all.extend(defaults.iter().cloned());
        all
    };
    let here = open.iter().find(|c| c.counter == counter)?;
    Some(Coverage {
        here: with_defaults(here),
        others: open
            .iter()
            .filter(|c| c.counter != counter)
            .map(with_defaults)
            .collect(),
        wait_limit_minutes: u32::try_from(port.language_wait_limit_minutes).unwrap_or(0),
    })
}

/// Opens `counter` with `languages` (already parsed), replacing what it covered.
pub fn open(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    counter: u32,
    languages: &[&str],
    now: DateTime<Utc>,
) -> AppResult<()> {
    actor.require_port(port)?;
    if languages.is_empty() && split(&port.default_languages).is_empty() {
        return Err(AppError::invalid(
            "languages",
            "choose at least one language this counter covers",
        ));
    }
    let counter = i64::from(counter);
    let list = languages.join(",");
    conn.transaction(|conn| {
        // The estimates read the counters' languages with the port's queue: a new
        // revision makes every kept queue read them again.
        super::lock_port(conn, port.id)?;
        diesel::delete(
            counter_languages::table
                .filter(counter_languages::port_id.eq(port.id))
                .filter(counter_languages::counter.eq(counter)),
        )
        .execute(conn)?;
        diesel::insert_into(counter_languages::table)
            .values((
                counter_languages::port_id.eq(port.id),
                counter_languages::counter.eq(counter),
                counter_languages::languages.eq(&list),
                counter_languages::opened_by.eq(actor.id()),
                counter_languages::opened_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        record_change(conn, actor, port, counter, Some(&list), now)
    })
}

/// Keeps an opening (with its languages) or a closing (`None`) of a counter in the day's
/// history, so that the report can replay the day with and without matching.
fn record_change(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    counter: i64,
    languages: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(counter_language_changes::table)
        .values((
            counter_language_changes::port_id.eq(port.id),
            counter_language_changes::counter.eq(counter),
            counter_language_changes::languages.eq(languages),
            counter_language_changes::changed_by.eq(actor.id()),
            counter_language_changes::at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The port's counter-language changes from `start` to `end`, in the order made, as the
/// report replays them.
pub fn changes(
    conn: &mut DbConnection,
    port_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<Vec<portqueue_core::reports::CounterLanguageChange>> {
    let rows: Vec<(i64, Option<String>, chrono::NaiveDateTime)> = counter_language_changes::table
        .filter(counter_language_changes::port_id.eq(port_id))
        .filter(counter_language_changes::at.ge(to_db(start)))
        .filter(counter_language_changes::at.lt(to_db(end)))
        .order((
            counter_language_changes::at.asc(),
            counter_language_changes::id.asc(),
        ))
        .select((
            counter_language_changes::counter,
            counter_language_changes::languages,
            counter_language_changes::at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(counter, languages, at)| portqueue_core::reports::CounterLanguageChange {
                at: from_db(at),
                counter: u32::try_from(counter).unwrap_or(0),
                languages: languages.map(|l| split(&l)),
            },
        )
        .collect())
}

/// Closes `counter` for matching: it no longer covers anything for the others' decisions.
pub fn close(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    counter: u32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    actor.require_port(port)?;
    conn.transaction(|conn| {
        super::lock_port(conn, port.id)?;
        let closed = diesel::delete(
            counter_languages::table
                .filter(counter_languages::port_id.eq(port.id))
                .filter(counter_languages::counter.eq(i64::from(counter))),
        )
        .execute(conn)?;
        if closed > 0 {
            record_change(conn, actor, port, i64::from(counter), None, now)?;
        }
        Ok(())
    })
}

/// The languages in the officer's profile.
pub fn officer_languages(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<String>> {
    let stored: Option<String> = users::table
        .find(actor.user_id)
        .select(users::languages)
        .get_result(conn)
        .optional()?;
    Ok(stored.map(|s| split(&s)).unwrap_or_default())
}

/// Keeps the languages the officer speaks in their profile.
pub fn set_officer_languages(
    conn: &mut DbConnection,
    actor: &Actor,
    languages: &[&str],
) -> AppResult<()> {
    diesel::update(users::table.find(actor.user_id))
        .set(users::languages.eq(languages.join(",")))
        .execute(conn)?;
    Ok(())
}

/// Sets the port's default languages (covered by every counter) and the limit; a
/// supervisor's change.
pub fn set_port_languages(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    defaults: &[String],
    limit: &str,
) -> AppResult<()> {
    actor.require_role(Role::Supervisor)?;
    actor.require_port(port)?;
    let mut errors = FieldErrors::new();
    let parsed = parse("default_languages", defaults);
    if let Err(AppError::Invalid(e)) = &parsed {
        for (field, message) in e.iter() {
            errors.add(field, message);
        }
    }
    let limit = limit.trim();
    let minutes = limit
        .parse::<u32>()
        .ok()
        .filter(|m| *m <= MAX_WAIT_LIMIT_MINUTES);
    if minutes.is_none() {
        errors.add(
            "language_wait_limit_minutes",
            format!(
                "a whole number of minutes from 0 to {MAX_WAIT_LIMIT_MINUTES}, got \"{limit}\""
            ),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let codes = parsed?;
    diesel::update(ports::table.find(port.id))
        .set((
            ports::default_languages.eq(codes.join(",")),
            ports::language_wait_limit_minutes
                .eq(i32::try_from(minutes.unwrap_or(20)).unwrap_or(20)),
            ports::revision.eq(ports::revision + 1),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_read_canonical_once_each_and_bad_codes_are_named() {
        let got = parse("languages", &["pan, spa".into(), "ara pan".into()]).unwrap();
        assert_eq!(got, ["pan", "spa", "arb"]);
        let err = parse("languages", &["spa,xx,klingon".into()]).unwrap_err();
        let AppError::Invalid(fields) = err else {
            panic!("invalid")
        };
        let text = fields.to_string();
        assert!(
            text.contains("\"xx\", \"klingon\""),
            "both bad codes named: {text}"
        );
    }
}
