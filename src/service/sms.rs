//! Opt-in text messages (SMS): the phone number a person gives, and the outgoing messages.
//!
//! Nothing here talks to a gateway. A registration, a check-in or a call only writes rows
//! (the number, and a message in the `queued` state) in its own transaction, beside the change
//! and its event; the gateway worker ([`crate::sms`]) sends them later. So a gateway that is
//! slow, down or refusing never slows the counter, and a message queued by a change that rolls
//! back never exists.
//!
//! At most once: a message is claimed (`sending`, with a lease) in a committed transaction
//! before any byte goes to the gateway; only an answer that says it was not taken (no
//! connection, 5xx, 429) puts it back in the queue. A message whose fate is unknown (no answer
//! in time, the server stopped while sending) ends `failed` and is never sent again.
//!
//! The phone number is personal data: it lives only in `entry_phones`, is shown masked to
//! officers (every view logged), and is deleted a day after the entry closes (and by the
//! retention purge). It is never on a public page, the board or its feed.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use portqueue_core::tickets::catalog::{Arg, Catalog};
use portqueue_core::{FieldErrors, Status};

use crate::auth::{Actor, Role};
use crate::db::models::{Entry, Port};
use crate::db::schema::{entries, entry_phones, outgoing_messages, ports};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};

/// "You are near" goes out when this many parties or fewer are ahead, unless a port sets
/// its own number.
pub const NEAR_AHEAD_DEFAULT: i32 = 10;
/// The range a supervisor may set.
pub const NEAR_AHEAD_RANGE: std::ops::RangeInclusive<i32> = 1..=200;
/// Tries per message before it is given up (`failed`), counting the first.
pub const MAX_ATTEMPTS: i32 = 6;
/// How long a closed entry's phone number is kept: the "called" message may still be
/// waiting for the gateway for a while after the person was seen.
pub const KEEP_AFTER_CLOSE_HOURS: i64 = 24;
/// The report's "came back" window after a "you are near" message was sent.
pub const CAME_BACK_MINUTES: i64 = 15;

/// Which of the three messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The ticket was issued: number, port, status link.
    Issued,
    /// About N parties ahead.
    Near,
    /// Called to a counter.
    Called,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Issued => "issued",
            Kind::Near => "near",
            Kind::Called => "called",
        }
    }
}

/// Checks a typed phone number and returns it in E.164 (`+` and 8 to 15 digits, the first
/// not 0). Spaces, dashes, dots and brackets are allowed while typing; `00` may stand for
/// `+`. Empty means no number.
pub fn check_phone(value: &str) -> Result<Option<String>, String> {
    let typed = value.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let compact: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits = if let Some(rest) = compact.strip_prefix('+') {
        rest
    } else if let Some(rest) = compact.strip_prefix("00") {
        rest
    } else {
        return Err(
            "write the number in international form: + and the country code first, e.g. +52 664 123 4567"
                .into(),
        );
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("a phone number has only digits after the +, e.g. +52 664 123 4567".into());
    }
    if digits.starts_with('0') {
        return Err("a country code never starts with 0: check the digits after the +".into());
    }
    if !(8..=15).contains(&digits.len()) {
        return Err(format!(
            "an international number has 8 to 15 digits after the +; this one has {}",
            digits.len()
        ));
    }
    Ok(Some(format!("+{digits}")))
}

/// Country calling codes of one and two digits (ITU-T E.164); every other code has three.
fn country_code_len(digits: &str) -> usize {
    const TWO: &[&str] = &[
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if TWO.iter().any(|c| digits.starts_with(c)) {
        2
    } else {
        3
    }
}

/// A number as officers see it: the country code and the last four digits only,
/// `+52 ••• ••• 1234`.
pub fn mask(phone: &str) -> String {
    let digits = phone.trim_start_matches('+');
    let cc = country_code_len(digits).min(digits.len());
    let last = digits.len().saturating_sub(4).max(cc);
    format!("+{} ••• ••• {}", &digits[..cc], &digits[last..])
}

/// The phone field of a form: checked, or its error added beside the field. `enabled` is
/// whether this server has a gateway; without one a number is refused, not silently kept.
pub fn phone_field(errors: &mut FieldErrors, value: &str, enabled: bool) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    if !enabled {
        errors.add(
            "phone",
            "this server sends no text messages (no SMS gateway is set up): leave the phone empty",
        );
        return None;
    }
    check_phone(value).unwrap_or_else(|e| {
        errors.add("phone", e);
        None
    })
}

/// A port's "you are near" threshold.
pub fn near_ahead(conn: &mut DbConnection, port_id: i64) -> AppResult<i32> {
    Ok(ports::table
        .find(port_id)
        .select(ports::sms_near_ahead)
        .get_result(conn)?)
}

/// Checks a typed threshold.
pub fn parse_near_ahead(value: &str) -> AppResult<i32> {
    value
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| NEAR_AHEAD_RANGE.contains(n))
        .ok_or_else(|| {
            AppError::invalid(
                "sms_near_ahead",
                format!(
                    "use a whole number of parties from {} to {}, got \"{}\"",
                    NEAR_AHEAD_RANGE.start(),
                    NEAR_AHEAD_RANGE.end(),
                    value.trim()
                ),
            )
        })
}

/// Sets a port's threshold (supervisors and admins).
pub fn set_near_ahead(
    conn: &mut DbConnection,
    actor: &Actor,
    port: &Port,
    n: i32,
) -> AppResult<()> {
    actor.require_role(Role::Supervisor)?;
    actor.require_port(port)?;
    if !NEAR_AHEAD_RANGE.contains(&n) {
        return Err(parse_near_ahead(&n.to_string()).unwrap_err());
    }
    diesel::update(ports::table.find(port.id))
        .set(ports::sms_near_ahead.eq(n))
        .execute(conn)?;
    Ok(())
}

/// Queues one message unless the entry already has one of this kind (the unique key makes
/// a second impossible; callers hold the port's lock, so this check cannot race).
fn enqueue(
    conn: &mut DbConnection,
    entry: &Entry,
    kind: Kind,
    body: String,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let exists: i64 = outgoing_messages::table
        .filter(outgoing_messages::entry_id.eq(entry.id))
        .filter(outgoing_messages::kind.eq(kind.as_str()))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(());
    }
    // The catalogs isolate each placeable with invisible direction marks (FSI/PDI); on a
    // phone they are characters of their own, and they break link detection in the URL.
    let body: String = body
        .chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect();
    diesel::insert_into(outgoing_messages::table)
        .values((
            outgoing_messages::port_id.eq(entry.port_id),
            outgoing_messages::entry_id.eq(entry.id),
            outgoing_messages::kind.eq(kind.as_str()),
            outgoing_messages::body.eq(body),
            outgoing_messages::status.eq("queued"),
            outgoing_messages::attempts.eq(0),
            outgoing_messages::next_attempt_at.eq(to_db(now)),
            outgoing_messages::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records the number of a new entry and queues its "ticket issued" message. Call in the
/// transaction that registers or checks in. `status_url` is the ticket's public status link.
pub fn opt_in(
    conn: &mut DbConnection,
    port: &Port,
    entry: &Entry,
    phone: &str,
    status_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(entry_phones::table)
        .values((
            entry_phones::entry_id.eq(entry.id),
            entry_phones::port_id.eq(port.id),
            entry_phones::phone.eq(phone),
            entry_phones::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    let body = Catalog::shared().say(
        &entry.language,
        "sms-issued",
        &[
            ("ticket", Arg::Text(&entry.ticket)),
            ("port", Arg::Text(&port.name)),
            ("link", Arg::Text(status_url)),
        ],
    );
    enqueue(conn, entry, Kind::Issued, body, now)
}

/// Waiting entries of a port with a number and no "near" message yet: those a call may bring
/// near. Empty at most ports most of the time, so a call pays nothing more then.
pub fn near_candidates(conn: &mut DbConnection, port_id: i64) -> AppResult<Vec<i64>> {
    let with_phone: Vec<i64> = entry_phones::table
        .inner_join(entries::table.on(entries::id.eq(entry_phones::entry_id)))
        .filter(entry_phones::port_id.eq(port_id))
        .filter(entries::status.eq(Status::Waiting.as_str()))
        .select(entry_phones::entry_id)
        .load(conn)?;
    if with_phone.is_empty() {
        return Ok(with_phone);
    }
    let done: Vec<i64> = outgoing_messages::table
        .filter(outgoing_messages::entry_id.eq_any(&with_phone))
        .filter(outgoing_messages::kind.eq(Kind::Near.as_str()))
        .select(outgoing_messages::entry_id)
        .load(conn)?;
    Ok(with_phone
        .into_iter()
        .filter(|id| !done.contains(id))
        .collect())
}

/// After a call, in its transaction: the called entry's "go to counter" message, and "you
/// are near" for each waiting entry with a number that is now `near_ahead` parties or fewer
/// from the front. `order` is the waiting queue's call order *before* this call (entry ids)
/// and `candidates` what [`near_candidates`] found in the same transaction (both empty when
/// it found none).
pub fn on_call(
    conn: &mut DbConnection,
    port: &Port,
    called: &Entry,
    order: &[i64],
    candidates: &[i64],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let catalog = Catalog::shared();
    // Messages about waiting that did not go out yet say nothing true any more.
    cancel_queued(
        conn,
        called.id,
        &[Kind::Issued, Kind::Near],
        "called before it was sent",
    )?;
    if has_phone(conn, called.id)? {
        let counter = called.counter.unwrap_or(0).to_string();
        let body = catalog.say(
            &called.language,
            "sms-called",
            &[
                ("ticket", Arg::Text(&called.ticket)),
                ("counter", Arg::Text(&counter)),
                ("port", Arg::Text(&port.name)),
            ],
        );
        enqueue(conn, called, Kind::Called, body, now)?;
    }
    if order.is_empty() || candidates.is_empty() {
        return Ok(());
    }
    let threshold = i64::from(near_ahead(conn, port.id)?);
    let near: Vec<(i64, i64)> = order
        .iter()
        .filter(|id| **id != called.id)
        .zip(0i64..)
        .take_while(|(_, ahead)| *ahead <= threshold)
        .filter(|(id, _)| candidates.contains(id))
        .map(|(id, ahead)| (*id, ahead))
        .collect();
    for (id, ahead) in near {
        let entry: Entry = entries::table
            .find(id)
            .select(Entry::as_select())
            .get_result(conn)?;
        let body = catalog.say(
            &entry.language,
            "sms-near",
            &[
                ("ticket", Arg::Text(&entry.ticket)),
                ("ahead", Arg::Number(ahead)),
                ("port", Arg::Text(&port.name)),
            ],
        );
        enqueue(conn, &entry, Kind::Near, body, now)?;
    }
    Ok(())
}

fn has_phone(conn: &mut DbConnection, entry_id: i64) -> AppResult<bool> {
    Ok(entry_phones::table
        .find(entry_id)
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Cancels an entry's queued messages of these kinds.
fn cancel_queued(
    conn: &mut DbConnection,
    entry_id: i64,
    kinds: &[Kind],
    why: &str,
) -> AppResult<()> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    diesel::update(
        outgoing_messages::table
            .filter(outgoing_messages::entry_id.eq(entry_id))
            .filter(outgoing_messages::status.eq("queued"))
            .filter(outgoing_messages::kind.eq_any(kinds)),
    )
    .set((
        outgoing_messages::status.eq("cancelled"),
        outgoing_messages::last_error.eq(why),
    ))
    .execute(conn)?;
    Ok(())
}

/// When a call is undone, in its transaction: its "go to counter" message, if not sent yet,
/// is taken back (removed, so the next call of that ticket queues its own). One already
/// sent cannot be taken back; the person may then come to a counter that did not call.
pub fn on_call_undone(conn: &mut DbConnection, entry_id: i64) -> AppResult<()> {
    diesel::delete(
        outgoing_messages::table
            .filter(outgoing_messages::entry_id.eq(entry_id))
            .filter(outgoing_messages::kind.eq(Kind::Called.as_str()))
            .filter(outgoing_messages::status.eq("queued")),
    )
    .execute(conn)?;
    Ok(())
}

/// When an entry closes (served, no-show, withdrawn): what was not sent yet is cancelled,
/// the "go to counter" message too (a retry could otherwise send someone already served
/// back to a counter minutes later).
pub fn on_close(conn: &mut DbConnection, entry_id: i64) -> AppResult<()> {
    cancel_queued(
        conn,
        entry_id,
        &[Kind::Issued, Kind::Near, Kind::Called],
        "the ticket closed before it was sent",
    )
}

/// The number of an entry, masked, and its messages (kind and state), for an officer of its
/// port (404 otherwise); a view of the number is logged in the personal-data access log.
pub fn for_officer(
    conn: &mut DbConnection,
    actor: &Actor,
    entry_id: i64,
    now: DateTime<Utc>,
) -> AppResult<(Option<String>, Vec<MessageRow>)> {
    let (entry, _) = super::entries::load(conn, actor, entry_id)?;
    let phone = masked_phone(conn, actor, &entry, now)?;
    Ok((phone, messages_of(conn, entry.id)?))
}

/// The number of an entry, masked; the view is logged in the personal-data access log.
fn masked_phone(
    conn: &mut DbConnection,
    actor: &Actor,
    entry: &Entry,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    let phone: Option<String> = entry_phones::table
        .find(entry.id)
        .select(entry_phones::phone)
        .get_result(conn)
        .optional()?;
    let Some(phone) = phone else {
        return Ok(None);
    };
    super::log_access(
        conn,
        actor,
        Some(entry.port_id),
        Some(entry.id),
        "view phone (masked)",
        now,
    )?;
    Ok(Some(mask(&phone)))
}

/// Deletes the numbers of entries closed more than [`KEEP_AFTER_CLOSE_HOURS`] ago (at one
/// port, or all) and cancels what they can no longer receive. Returns how many were erased.
pub fn erase_closed(
    conn: &mut DbConnection,
    port_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let cutoff = to_db(now - Duration::hours(KEEP_AFTER_CLOSE_HOURS));
    let mut query = entry_phones::table
        .inner_join(entries::table.on(entries::id.eq(entry_phones::entry_id)))
        .filter(entries::finished_at.lt(cutoff))
        .filter(entries::status.ne_all([Status::Waiting.as_str(), Status::Called.as_str()]))
        .select(entry_phones::entry_id)
        .into_boxed();
    if let Some(port_id) = port_id {
        query = query.filter(entry_phones::port_id.eq(port_id));
    }
    let ids: Vec<i64> = query.load(conn)?;
    erase(conn, &ids)?;
    Ok(ids.len())
}

/// Deletes these entries' numbers and cancels their unsent messages.
pub fn erase(conn: &mut DbConnection, entry_ids: &[i64]) -> AppResult<()> {
    for chunk in entry_ids.chunks(500) {
        diesel::update(
            outgoing_messages::table
                .filter(outgoing_messages::entry_id.eq_any(chunk))
                .filter(outgoing_messages::status.eq("queued")),
        )
        .set((
            outgoing_messages::status.eq("cancelled"),
            outgoing_messages::last_error.eq("the phone number was erased"),
        ))
        .execute(conn)?;
        diesel::delete(entry_phones::table.filter(entry_phones::entry_id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

/// A message the worker claimed, with the number to send it to.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    /// The message's `Idempotency-Key`: unique per message and per database (the port's
    /// random instance and when the message was made, not only its row id, which a restored
    /// backup or another port's database repeats).
    pub key: String,
    pub phone: String,
    pub body: String,
    pub attempts: i32,
}

/// Claims up to `limit` due messages for sending: each is `sending` (with a lease until
/// `lease_until`) in a committed transaction before the gateway sees it, so no other worker
/// (another server on the same database) and no later retry sends it again. A due message
/// whose number is gone is cancelled instead.
pub fn claim_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> AppResult<Vec<Claimed>> {
    super::transaction(conn, |conn| {
        let due: Vec<(i64, i64, String, i32, chrono::NaiveDateTime, String)> =
            outgoing_messages::table
                .inner_join(ports::table.on(ports::id.eq(outgoing_messages::port_id)))
                .filter(outgoing_messages::status.eq("queued"))
                .filter(outgoing_messages::next_attempt_at.le(to_db(now)))
                .order(outgoing_messages::id.asc())
                .limit(limit)
                .select((
                    outgoing_messages::id,
                    outgoing_messages::entry_id,
                    outgoing_messages::body,
                    outgoing_messages::attempts,
                    outgoing_messages::created_at,
                    ports::instance,
                ))
                .load(conn)?;
        let mut claimed = Vec::new();
        for (id, entry_id, body, attempts, created_at, instance) in due {
            let phone: Option<String> = entry_phones::table
                .find(entry_id)
                .select(entry_phones::phone)
                .get_result(conn)
                .optional()?;
            let target = outgoing_messages::table
                .find(id)
                .filter(outgoing_messages::status.eq("queued"));
            let Some(phone) = phone else {
                diesel::update(target)
                    .set((
                        outgoing_messages::status.eq("cancelled"),
                        outgoing_messages::last_error.eq("the phone number was erased"),
                    ))
                    .execute(conn)?;
                continue;
            };
            let taken = diesel::update(target)
                .set((
                    outgoing_messages::status.eq("sending"),
                    outgoing_messages::attempts.eq(attempts + 1),
                    outgoing_messages::next_attempt_at.eq(to_db(lease_until)),
                ))
                .execute(conn)?;
            if taken == 1 {
                claimed.push(Claimed {
                    id,
                    key: format!(
                        "portqueue-{instance}-{id}-{}",
                        created_at.and_utc().timestamp_micros()
                    ),
                    phone,
                    body,
                    attempts: attempts + 1,
                });
            }
        }
        Ok(claimed)
    })
}

/// What the gateway made of one try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It took the message (2xx).
    Sent,
    /// It said no for good (4xx other than 408 and 429): trying again would say no again.
    Refused(String),
    /// It certainly did not take the message (no connection, 5xx, 408, 429): may try again.
    NotTaken(String),
    /// Nobody knows whether it took it (no answer in time, connection lost after the
    /// request went out): never tried again, so never sent twice.
    Unknown(String),
}

/// Records a try's outcome on a claimed message. `retry_at` is when a [`Outcome::NotTaken`]
/// message is tried again, unless it has had [`MAX_ATTEMPTS`].
pub fn finish(
    conn: &mut DbConnection,
    claimed: &Claimed,
    outcome: &Outcome,
    retry_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let target = outgoing_messages::table
        .find(claimed.id)
        .filter(outgoing_messages::status.eq("sending"));
    let done = |status: &'static str, error: Option<String>| {
        (
            outgoing_messages::status.eq(status),
            outgoing_messages::last_error.eq(error),
            outgoing_messages::finished_at.eq(Some(to_db(now))),
        )
    };
    super::transaction(conn, |conn| {
        match outcome {
            Outcome::Sent => diesel::update(target)
                .set(done("sent", None))
                .execute(conn)?,
            Outcome::Refused(why) => diesel::update(target)
                .set(done("failed", Some(format!("refused: {why}"))))
                .execute(conn)?,
            Outcome::Unknown(why) => diesel::update(target)
                .set(done(
                    "failed",
                    Some(format!("{why}; not tried again, so never sent twice")),
                ))
                .execute(conn)?,
            Outcome::NotTaken(why) if claimed.attempts >= MAX_ATTEMPTS => diesel::update(target)
                .set(done(
                    "failed",
                    Some(format!("{why}; gave up after {} tries", claimed.attempts)),
                ))
                .execute(conn)?,
            Outcome::NotTaken(why) => diesel::update(target)
                .set((
                    outgoing_messages::status.eq("queued"),
                    outgoing_messages::last_error.eq(Some(why.clone())),
                    outgoing_messages::next_attempt_at.eq(to_db(retry_at)),
                ))
                .execute(conn)?,
        };
        Ok(())
    })
}

/// Messages left `sending` past their lease (the server stopped, or was killed, while
/// sending): whether the gateway took them is unknown, so they end `failed` and are never
/// sent again. Returns how many.
pub fn recover_interrupted(conn: &mut DbConnection, now: DateTime<Utc>) -> AppResult<usize> {
    Ok(diesel::update(
        outgoing_messages::table
            .filter(outgoing_messages::status.eq("sending"))
            .filter(outgoing_messages::next_attempt_at.lt(to_db(now))),
    )
    .set((
        outgoing_messages::status.eq("failed"),
        outgoing_messages::last_error.eq(
            "interrupted while sending (the server stopped); not tried again, so never sent twice",
        ),
        outgoing_messages::finished_at.eq(Some(to_db(now))),
    ))
    .execute(conn)?)
}

/// One outgoing message as officers and tests see it (no number).
#[derive(Debug, Clone, Queryable, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub entry_id: i64,
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// An entry's messages, oldest first.
pub fn messages_of(conn: &mut DbConnection, entry_id: i64) -> AppResult<Vec<MessageRow>> {
    Ok(outgoing_messages::table
        .filter(outgoing_messages::entry_id.eq(entry_id))
        .order(outgoing_messages::id.asc())
        .select((
            outgoing_messages::id,
            outgoing_messages::entry_id,
            outgoing_messages::kind,
            outgoing_messages::status,
            outgoing_messages::attempts,
            outgoing_messages::last_error,
        ))
        .load(conn)?)
}

/// The day's text-message figures of a port.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DayFigures {
    /// Messages queued (created) in the day, whatever became of them.
    pub queued: u32,
    /// Of those, sent (the gateway took them).
    pub sent: u32,
    /// Of those, failed (refused, given up, or of unknown fate).
    pub failed: u32,
    /// "You are near" messages sent in the day whose person came back: the ticket was
    /// called within [`CAME_BACK_MINUTES`] minutes of the gateway taking the message, the
    /// person answered that first call (no recall) and was served (not a no-show, not
    /// withdrawn). The data records calls and answers, not footsteps: this is the closest
    /// honest reading of "came back".
    pub came_back: u32,
    /// "You are near" messages sent in the day (the base of `came_back`).
    pub near_sent: u32,
}

/// The figures for the messages created in `[start, end)` at a port.
pub fn day_figures(
    conn: &mut DbConnection,
    port_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<DayFigures> {
    type Row = (
        String,
        String,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Status,
        i32,
    );
    let rows: Vec<Row> = outgoing_messages::table
        .inner_join(entries::table.on(entries::id.eq(outgoing_messages::entry_id)))
        .filter(outgoing_messages::port_id.eq(port_id))
        .filter(outgoing_messages::created_at.ge(to_db(start)))
        .filter(outgoing_messages::created_at.lt(to_db(end)))
        .select((
            outgoing_messages::kind,
            outgoing_messages::status,
            outgoing_messages::finished_at,
            entries::called_at,
            entries::status,
            entries::recalls,
        ))
        .load(conn)?;
    let mut f = DayFigures::default();
    for (kind, status, sent_at, called_at, entry_status, recalls) in rows {
        f.queued += 1;
        match status.as_str() {
            "sent" => f.sent += 1,
            "failed" => f.failed += 1,
            _ => {}
        }
        if kind == Kind::Near.as_str() && status == "sent" {
            f.near_sent += 1;
            // Present at the first call: no recall, so `called_at` is that first call.
            let came = sent_at.zip(called_at).is_some_and(|(sent, called)| {
                let (sent, called) = (from_db(sent), from_db(called));
                called >= sent && called - sent <= Duration::minutes(CAME_BACK_MINUTES)
            });
            if came && recalls == 0 && entry_status == Status::Served {
                f.came_back += 1;
            }
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_checked_and_normalised() {
        assert_eq!(check_phone(""), Ok(None));
        assert_eq!(
            check_phone(" +52 (664) 123-4567 "),
            Ok(Some("+526641234567".into()))
        );
        assert_eq!(
            check_phone("0052 664 123 4567"),
            Ok(Some("+526641234567".into()))
        );
        assert!(
            check_phone("664 123 4567")
                .unwrap_err()
                .contains("international")
        );
        assert!(
            check_phone("+52 664 12x 4567")
                .unwrap_err()
                .contains("digits")
        );
        assert!(check_phone("+0 664 123 4567").unwrap_err().contains("0"));
        assert!(check_phone("+52 12").unwrap_err().contains("8 to 15"));
        assert!(check_phone("+1234567890123456").is_err());
    }

    #[test]
    fn numbers_are_masked_to_country_code_and_last_four() {
        assert_eq!(mask("+526641234567"), "+52 ••• ••• 4567");
        assert_eq!(mask("+16195550123"), "+1 ••• ••• 0123");
        assert_eq!(mask("+50912345678"), "+509 ••• ••• 5678");
        assert!(!mask("+526641234567").contains("664"));
    }
}
