//! Each port's queue kept in this process's memory, so that registering, calling and the
//! pages that show the queue cost what they change or show, not what the queue holds.
//!
//! What is kept per port: the open entries (waiting and called, without personal data), the
//! open ticket numbers, the day's finished entries (the observed service time and the
//! counters in use), the bookings not yet checked in, what the call windows learn from the
//! past days (service times, show rate, check-in offsets, usual arrivals per hour: read once
//! per port-local day), the counter plan, and the last projection.
//!
//! Why it cannot go stale: every change to a port's queue runs under [`super::lock_port`],
//! which raises the port's `revision` in the same transaction. The kept state carries the
//! revision it was read at:
//! - a change (under the lock, revision `R`) uses the kept state only if it is at `R - 1`,
//!   the revision just before its own; otherwise it reads the port's open entries again
//!   inside its transaction, where nobody else can change them. After its commit it applies
//!   what it changed to the kept state, which is then at `R`;
//! - a reader compares the revision it just read with the kept one and reads the queue
//!   again when they differ.
//!
//! So another server's change is seen before the next decision, and a restart starts from
//! the database. A port is keyed by its id and its random `instance` (from the migration),
//! so two databases in one process (the tests) never share a port's state.
//!
//! The state is read at a revision read *before* the entries: if a change commits between
//! the two reads, the state holds newer data than its revision says, which only makes the
//! next reader or writer read it again; it never makes anyone trust older data.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, LazyLock, Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;

use portqueue_core::queue::{ArrivalRates, Projected, Projection, QueueEntry};
use portqueue_core::tickets::TicketNumber;
use portqueue_core::{Class, Status, Tier};

use crate::db::models::{Entry, Port};
use crate::db::schema::{appointments, entries, ports};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::AppResult;

use super::queue::Snapshot;

/// The instant the queue is projected from: the start of the minute. Estimates are shown to
/// the minute, and projecting from the minute lets every page and ticket of that minute share
/// one projection that is exactly the one each would have made.
pub fn projection_instant(now: DateTime<Utc>) -> DateTime<Utc> {
    now.with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(now)
}

/// An entry finished today, as the estimates need it.
#[derive(Debug, Clone, Queryable)]
pub struct Finished {
    pub id: i64,
    pub counter: Option<i32>,
    pub called_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub party_size: i32,
    pub status: Status,
    pub arrived_at: NaiveDateTime,
}

/// A finished service from a past day, as the estimates need it.
#[derive(Debug, Clone, Queryable)]
pub struct Served {
    pub counter: Option<i32>,
    pub called_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub party_size: i32,
    pub arrived_at: NaiveDateTime,
}

/// What the estimates learn from the port's past days, read once per port-local day (and
/// whenever the whole state is read again): bounded by [`HISTORY_DAYS`] days.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Services finished in the [`HISTORY_DAYS`] days before today, most recent first, at
    /// most [`MAX_SERVICE_SAMPLES`].
    pub served: Vec<Served>,
    /// The share of those days' bookings that came; `None` with no booking to tell.
    pub show_rate: Option<f64>,
    /// When booked people checked in, minutes after their slot (negative: before).
    pub check_in_offsets_minutes: Vec<f64>,
    /// The mean walk-ins per port-local hour of day over the last seven days, by tier.
    pub walk_ins_by_hour: [ArrivalRates; 24],
}

/// How far back the port's own figures (service times, check-ins, arrivals) reach.
pub const HISTORY_DAYS: i64 = 14;

/// The most recent services kept as samples.
pub const MAX_SERVICE_SAMPLES: usize = 2_000;

/// How far back the usual arrivals per hour are counted.
const ARRIVAL_DAYS: i64 = 7;

/// A booking not yet checked in: id, slot, party size.
pub type Booking = (i64, NaiveDateTime, i32);

/// How far ahead bookings are kept, past the day the estimates look at; the kept list is read
/// again when the projection instant passes `loaded + BOOKINGS_SPAN - 1 day`.
const BOOKINGS_SPAN_DAYS: i64 = 2;

/// How far behind the previous registration a clock read before the port's lock may be
/// and still be moved up to it (see [`PortState::arrival_at`]): about the longest a change
/// waits for the lock.
pub const ORDER_SLACK: Duration = Duration::seconds(1);

/// The revision of a kept state changed by a change not yet committed.
const STAGED: i64 = i64::MIN;

impl History {
    /// Reads the past days before `day_start` (a port-local day start): every query walks
    /// an index over a bounded span of time.
    fn load(conn: &mut DbConnection, port: &Port, day_start: DateTime<Utc>) -> AppResult<History> {
        let history_start = to_db(day_start - Duration::days(HISTORY_DAYS));
        let served: Vec<Served> = entries::table
            .filter(entries::port_id.eq(port.id))
            .filter(entries::finished_at.ge(history_start))
            .filter(entries::finished_at.lt(to_db(day_start)))
            .filter(entries::status.eq(Status::Served.as_str()))
            .order(entries::finished_at.desc())
            .limit(MAX_SERVICE_SAMPLES as i64)
            .select((
                entries::counter,
                entries::called_at,
                entries::finished_at,
                entries::party_size,
                entries::arrived_at,
            ))
            .load(conn)?;

        // Past bookings: how many came, and when relative to their slot.
        let past: Vec<(NaiveDateTime, Option<NaiveDateTime>)> = appointments::table
            .left_join(entries::table.on(entries::appointment_id.eq(appointments::id.nullable())))
            .filter(appointments::port_id.eq(port.id))
            .filter(appointments::slot_at.ge(history_start))
            .filter(appointments::slot_at.lt(to_db(day_start)))
            .select((appointments::slot_at, entries::arrived_at.nullable()))
            .load(conn)?;
        let show_rate = (!past.is_empty()).then(|| {
            past.iter().filter(|(_, came)| came.is_some()).count() as f64 / past.len() as f64
        });
        let check_in_offsets_minutes = past
            .iter()
            .filter_map(|(slot, came)| {
                Some((from_db((*came)?) - from_db(*slot)).num_seconds() as f64 / 60.0)
            })
            .collect();

        // Usual walk-ins per port-local hour of day.
        let week: Vec<(NaiveDateTime, Tier)> = entries::table
            .filter(entries::port_id.eq(port.id))
            .filter(entries::arrived_at.ge(to_db(day_start - Duration::days(ARRIVAL_DAYS))))
            .filter(entries::arrived_at.lt(to_db(day_start)))
            .filter(entries::class.eq(Class::WalkIn.as_str()))
            .select((entries::arrived_at, entries::tier))
            .load(conn)?;
        let tz = port.tz();
        // A mean over the days that had walk-ins: a port open for two days so far (or
        // closed on some days of the week) would otherwise expect a fraction of its
        // usual arrivals, and the priority walk-ins who pass people waiting would come as
        // a surprise to every window.
        let days = week
            .iter()
            .map(|(at, _)| from_db(*at).with_timezone(&tz).date_naive())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            .max(1);
        let share = 1.0 / days as f64;
        let mut walk_ins_by_hour = [ArrivalRates::default(); 24];
        for (at, tier) in &week {
            let hour = from_db(*at).with_timezone(&tz).hour() as usize;
            let rates = &mut walk_ins_by_hour[hour % 24];
            match tier {
                Tier::Urgent => rates.urgent += share,
                Tier::Priority => rates.priority += share,
                Tier::Standard => rates.standard += share,
            }
        }
        Ok(History {
            served,
            show_rate,
            check_in_offsets_minutes,
            walk_ins_by_hour,
        })
    }
}

/// One port's queue as of `revision`.
#[derive(Debug)]
pub struct PortState {
    pub revision: i64,
    pub port: Port,
    /// Waiting and called entries by id, personal fields left out.
    pub open: BTreeMap<i64, Entry>,
    /// The called entries' ids: a change looks at the counters without walking every
    /// waiting entry.
    called: BTreeSet<i64>,
    /// Open ticket numbers per class (walk-in, appointment).
    numbers: HashSet<(Class, u32)>,
    /// The port-local day start `finished` belongs to.
    finished_since: DateTime<Utc>,
    /// Entries finished since `finished_since`, by id.
    pub finished: BTreeMap<i64, Finished>,
    /// The instant the bookings were read for, and the late window they were read with.
    bookings_at: DateTime<Utc>,
    bookings_late: i64,
    /// Bookings not checked in with a slot from `bookings_at - late` to
    /// `bookings_at + BOOKINGS_SPAN_DAYS`.
    bookings: Vec<Booking>,
    /// The port-local day start `history` was read for.
    history_since: DateTime<Utc>,
    /// The past days' figures the estimates use.
    pub history: History,
    /// The supervisor's counter plan by port-local hour, if any (read with the state: saving
    /// a plan moves the port's revision).
    pub plan: Option<[u32; 24]>,
    /// The port's counters opened with languages (of any day; read with the state: opening
    /// or closing one moves the port's revision).
    pub counter_languages: Vec<super::counter_languages::OpenCounter>,
    /// The last projection: its instant and its result (waiting entries in call order),
    /// kept so that a registration within the same minute can continue it.
    projection: Option<(DateTime<Utc>, Projection)>,
    /// The last snapshot built from that projection.
    snapshot: Option<(DateTime<Utc>, Arc<Snapshot>)>,
    /// Whether the state holds writes of a group not yet committed ([`super::group`]):
    /// nobody outside the group uses it until the group's commit settles it.
    uncommitted: bool,
}

fn without_personal_data(mut entry: Entry) -> Entry {
    entry.name = None;
    entry.nationality = None;
    entry.barrier_note = None;
    entry.urgent_reason = None;
    entry
}

fn number_of(entry: &Entry) -> Option<(Class, u32)> {
    let ticket: TicketNumber = entry.ticket.parse().ok()?;
    Some((ticket.class(), ticket.number()))
}

fn is_open(entry: &Entry) -> bool {
    matches!(entry.status, Status::Waiting | Status::Called)
}

impl PortState {
    /// Reads a port's queue from the database as of `port` (its revision read before).
    fn load(conn: &mut DbConnection, port: &Port, now: DateTime<Utc>) -> AppResult<PortState> {
        let open: Vec<Entry> = entries::table
            .filter(entries::port_id.eq(port.id))
            .filter(entries::status.eq_any([Status::Waiting.as_str(), Status::Called.as_str()]))
            .order(entries::id.asc())
            .select(Entry::as_select())
            .load(conn)?;
        let mut state = PortState {
            revision: port.revision,
            port: port.clone(),
            open: BTreeMap::new(),
            called: BTreeSet::new(),
            numbers: HashSet::new(),
            finished_since: now,
            finished: BTreeMap::new(),
            bookings_at: now,
            bookings_late: -1,
            bookings: Vec::new(),
            history_since: now,
            history: History::default(),
            plan: None,
            counter_languages: Vec::new(),
            projection: None,
            snapshot: None,
            uncommitted: false,
        };
        for entry in open {
            state.put(entry);
        }
        state.plan = super::counter_plan::load(conn, port.id)?;
        state.counter_languages = super::counter_languages::load(conn, port.id)?;
        state.refresh_inputs(conn, projection_instant(now), true)?;
        Ok(state)
    }

    /// Adds, updates or removes an entry after a change.
    fn put(&mut self, entry: Entry) {
        let entry = without_personal_data(entry);
        if let Some(appointment) = entry.appointment_id {
            self.bookings.retain(|b| b.0 != appointment);
        }
        if let Some(done) = entry.finished_at
            && from_db(done) >= self.finished_since
        {
            self.finished.insert(
                entry.id,
                Finished {
                    id: entry.id,
                    counter: entry.counter,
                    called_at: entry.called_at,
                    finished_at: entry.finished_at,
                    party_size: entry.party_size,
                    status: entry.status,
                    arrived_at: entry.arrived_at,
                },
            );
        }
        if entry.status == Status::Called {
            self.called.insert(entry.id);
        } else {
            self.called.remove(&entry.id);
        }
        if is_open(&entry) {
            if let Some(number) = number_of(&entry) {
                self.numbers.insert(number);
            }
            self.open.insert(entry.id, entry);
        } else if let Some(old) = self.open.remove(&entry.id)
            && let Some(number) = number_of(&old)
        {
            self.numbers.remove(&number);
        }
    }

    /// Reads again what depends on the day or the hour (the day's finished entries, the
    /// bookings window) when `at` left the span they were read for. Bounded by one day's
    /// entries and two days' bookings.
    fn refresh_inputs(
        &mut self,
        conn: &mut DbConnection,
        at: DateTime<Utc>,
        force: bool,
    ) -> AppResult<()> {
        let day_start = super::queue::local_day_start(&self.port, at);
        if force || day_start != self.finished_since {
            let rows: Vec<Finished> = entries::table
                .filter(entries::port_id.eq(self.port.id))
                .filter(entries::finished_at.ge(to_db(day_start)))
                .select((
                    entries::id,
                    entries::counter,
                    entries::called_at,
                    entries::finished_at,
                    entries::party_size,
                    entries::status,
                    entries::arrived_at,
                ))
                .load(conn)?;
            self.finished_since = day_start;
            self.finished = rows.into_iter().map(|f| (f.id, f)).collect();
        }
        if force || day_start != self.history_since {
            self.history = History::load(conn, &self.port, day_start)?;
            self.history_since = day_start;
        }
        let late = i64::from(self.port.policy().late_window_minutes);
        if force
            || late != self.bookings_late
            || at < self.bookings_at
            || at > self.bookings_at + Duration::days(BOOKINGS_SPAN_DAYS - 1)
        {
            self.bookings = appointments::table
                .left_join(
                    entries::table.on(entries::appointment_id.eq(appointments::id.nullable())),
                )
                .filter(appointments::port_id.eq(self.port.id))
                .filter(entries::id.is_null())
                .filter(appointments::slot_at.ge(to_db(at - Duration::minutes(late))))
                .filter(appointments::slot_at.lt(to_db(at + Duration::days(BOOKINGS_SPAN_DAYS))))
                .select((
                    appointments::id,
                    appointments::slot_at,
                    appointments::party_size,
                ))
                .load(conn)?;
            self.bookings_at = at;
            self.bookings_late = late;
        }
        Ok(())
    }

    /// Makes sure the day's inputs cover `at` (the projection instant).
    pub fn inputs_at(&mut self, conn: &mut DbConnection, at: DateTime<Utc>) -> AppResult<()> {
        self.refresh_inputs(conn, at, false)
    }

    /// The bookings not checked in with a slot from `late` minutes before `at` to a day after.
    pub fn expected_bookings(&self, at: DateTime<Utc>) -> Vec<QueueEntry> {
        let late = Duration::minutes(self.bookings_late.max(0));
        self.bookings
            .iter()
            .filter(|(_, slot, _)| {
                let slot = from_db(*slot);
                slot >= at - late && slot < at + Duration::days(1)
            })
            .map(|&(id, slot, persons)| QueueEntry {
                // Negative ids never collide with an entry's; not registered yet, a booking
                // loses every tie of sequence to those who are.
                id: -id,
                seq: i64::MAX - id,
                class: Class::Appointment,
                tier: Tier::Standard,
                party_size: u32::try_from(persons).unwrap_or(1),
                arrived_at: from_db(slot),
                slot_at: Some(from_db(slot)),
            })
            .collect()
    }

    /// Puts an entry a change just wrote into the kept state before the change commits, so
    /// that the change can project the new queue. The state is marked as being of no
    /// revision until [`Change::apply`] gives it the change's: if the change rolls back,
    /// the next reader or writer reads the queue again.
    pub fn stage(&mut self, entry: Entry) {
        self.revision = STAGED;
        self.projection = None;
        self.snapshot = None;
        self.put(entry);
    }

    /// The instant a change that holds the port's lock registers someone at, for a clock
    /// read at `now` before the lock was taken: `now`, or the arrival of the entry
    /// registered just before when that is later by less than [`ORDER_SLACK`] (its change
    /// took the lock first). So arrivals follow ticket order, and a standard walk-in
    /// continues the kept projection (`Projection::add_walk_in` needs it placed no earlier
    /// than every walk-in waiting); a clock further behind (a test's, or a server's far
    /// off) is taken as it is and only costs a fresh projection.
    pub fn arrival_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self.open.values().next_back() {
            Some(last) => {
                let last = from_db(last.arrived_at);
                if last > now && last - now <= ORDER_SLACK {
                    last
                } else {
                    now
                }
            }
            None => now,
        }
    }

    /// Whether a ticket number of `class` is held by an open entry.
    pub fn number_taken(&self, class: Class, number: u32) -> bool {
        self.numbers.contains(&(class, number))
    }

    /// The waiting entries, by id.
    pub fn waiting(&self) -> impl Iterator<Item = &Entry> {
        self.open.values().filter(|e| e.status == Status::Waiting)
    }

    /// The called entries, by id.
    pub fn called(&self) -> impl Iterator<Item = &Entry> {
        self.called.iter().filter_map(|id| self.open.get(id))
    }

    /// The last projection, if it was made from `at` at this revision.
    pub fn projection(&self, at: DateTime<Utc>) -> Option<Arc<Vec<Projected>>> {
        self.projection
            .as_ref()
            .filter(|(when, _)| *when == at)
            .map(|(_, p)| Arc::clone(p.projected()))
    }

    /// Takes the last projection out, if it was made from `at` at this revision: a change
    /// that adds a walk-in continues it (the state is staged right after).
    pub fn take_projection(&mut self, at: DateTime<Utc>) -> Option<Projection> {
        self.projection
            .take()
            .filter(|(when, _)| *when == at)
            .map(|(_, p)| p)
    }

    /// Keeps a projection made from `at` at this revision.
    pub fn keep_projection(&mut self, at: DateTime<Utc>, projection: Projection) {
        self.projection = Some((at, projection));
        self.snapshot = None;
    }

    /// The last snapshot, if built from `at` at this revision.
    pub fn snapshot(&self, at: DateTime<Utc>) -> Option<Arc<Snapshot>> {
        self.snapshot
            .as_ref()
            .filter(|(when, _)| *when == at)
            .map(|(_, s)| Arc::clone(s))
    }

    /// Keeps a snapshot built from `at` at this revision.
    pub fn keep_snapshot(&mut self, at: DateTime<Utc>, snapshot: Arc<Snapshot>) {
        self.snapshot = Some((at, snapshot));
    }
}

/// A port's kept state, and a condition signalled when a change in flight is applied or
/// given up.
#[derive(Debug, Default)]
struct Kept {
    state: Mutex<Option<PortState>>,
    settled: Condvar,
}

type Slot = Arc<Kept>;

/// How long a change waits for the change before it (committed, not yet applied here) to be
/// applied, before it reads the queue from the database instead.
const WAIT_FOR_APPLY: std::time::Duration = std::time::Duration::from_secs(2);

/// The port whose kept state a change in flight staged, to settle after its commit: made by
/// [`commit`], handed by the change to [`locked`].
#[derive(Debug, Default)]
pub struct Writing(Option<Slot>);

/// Every port this process has kept, by (id, instance).
static PORTS: LazyLock<Mutex<HashMap<(i64, String), Slot>>> = LazyLock::new(Mutex::default);

fn slot(port: &Port) -> Slot {
    let mut ports = PORTS.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(ports.entry((port.id, port.instance.clone())).or_default())
}

/// Runs `f` on the port's queue as of `port.revision`, read again first if the kept one is
/// of another revision. For readers: `port` was just read (not locked).
pub fn read<T>(
    conn: &mut DbConnection,
    port: &Port,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut DbConnection, &mut PortState) -> AppResult<T>,
) -> AppResult<T> {
    at_revision(conn, port, port.revision, None, now, f)
}

/// Runs `f` on the port's queue as it was committed just before the current change, inside
/// the transaction that holds the port's lock (`port` as [`super::lock_port`] returned it,
/// whose revision is the change's own). `writing` is the one [`commit`] handed the change.
pub fn locked<T>(
    conn: &mut DbConnection,
    writing: &mut Writing,
    port: &Port,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut DbConnection, &mut PortState) -> AppResult<T>,
) -> AppResult<T> {
    at_revision(conn, port, port.revision - 1, Some(writing), now, f)
}

fn at_revision<T>(
    conn: &mut DbConnection,
    port: &Port,
    revision: i64,
    writing: Option<&mut Writing>,
    now: DateTime<Utc>,
    f: impl FnOnce(&mut DbConnection, &mut PortState) -> AppResult<T>,
) -> AppResult<T> {
    if port.instance.is_empty() {
        // A port row made outside the app's port service has no instance: nothing is kept.
        let mut state = PortState::load(conn, port, now)?;
        state.revision = revision;
        return f(conn, &mut state);
    }
    let slot = slot(port);
    let mut kept = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
    let grouped = in_group();
    if !grouped {
        // A group of writes not yet committed changed this queue: wait for its commit (a
        // group is short: see `group::MOST_IN_A_GROUP`). Past the wait, read the committed
        // queue for this call alone and leave the group's state alone.
        let (waited, timeout) = slot
            .settled
            .wait_timeout_while(kept, WAIT_FOR_APPLY, |k| {
                k.as_ref().is_some_and(|s| s.uncommitted)
            })
            .unwrap_or_else(PoisonError::into_inner);
        kept = waited;
        if timeout.timed_out() {
            drop(kept);
            let mut state = PortState::load(conn, port, now)?;
            state.revision = revision;
            return f(conn, &mut state);
        }
    }
    let newer_is_fine = writing.is_none();
    if let Some(writing) = writing {
        // The change before this one committed (we hold the port's lock) and is being
        // applied on another thread: wait for it rather than read the whole queue again.
        kept = slot
            .settled
            .wait_timeout_while(kept, WAIT_FOR_APPLY, |k| {
                k.as_ref().is_some_and(|s| s.revision == STAGED)
            })
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        writing.0 = Some(Arc::clone(&slot));
    }
    match kept.as_mut() {
        // A reader may see a change committed after it read the port (this process applied
        // it meanwhile); a change must decide on exactly the state before it.
        Some(state) if newer_is_fine && state.revision > revision => {}
        Some(state) if state.revision == revision => {
            // Policy, counters and the like come with the port row just read.
            state.port = Port {
                revision,
                ..port.clone()
            };
        }
        _ => {
            let mut state = PortState::load(conn, port, now)?;
            state.revision = revision;
            *kept = Some(state);
        }
    }
    let state = kept.as_mut().expect("just filled");
    if grouped {
        // Whatever this write does to the state (and the state read inside the group's
        // transaction) is the group's until it commits.
        state.uncommitted = true;
        joined_by_group(&slot);
    }
    f(conn, state)
}

thread_local! {
    /// The ports whose kept state the group of writes this thread leads has touched, while
    /// it leads one ([`super::group`]).
    static GROUP: std::cell::RefCell<Option<Vec<Slot>>> = const { std::cell::RefCell::new(None) };
}

fn in_group() -> bool {
    GROUP.with(|g| g.borrow().is_some())
}

fn joined_by_group(slot: &Slot) {
    GROUP.with(|g| {
        if let Some(slots) = g.borrow_mut().as_mut()
            && !slots.iter().any(|s| Arc::ptr_eq(s, slot))
        {
            slots.push(Arc::clone(slot));
        }
    });
}

/// Marks the start of a group of writes led by this thread, inside its transaction.
pub(crate) fn begin_group() {
    GROUP.with(|g| *g.borrow_mut() = Some(Vec::new()));
}

/// Ends the group this thread led: once it committed, the queues it changed are everyone's;
/// if it did not, they are forgotten (read again from the database when next needed).
pub(crate) fn end_group(committed: bool) {
    let Some(slots) = GROUP.with(|g| g.borrow_mut().take()) else {
        return;
    };
    for slot in slots {
        let mut kept = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        match kept.as_mut() {
            Some(state) if committed && state.revision != STAGED => state.uncommitted = false,
            Some(_) => *kept = None,
            None => {}
        }
        drop(kept);
        slot.settled.notify_all();
    }
}

/// What a committed change did to a port's queue, to apply to the kept state.
#[derive(Debug)]
pub struct Change {
    /// The port row as the change left it (its revision the change's own).
    pub port: Port,
    /// The entries it touched, as it left them.
    pub entries: Vec<Entry>,
    /// Whether the projection the change left in the kept state (made after
    /// [`PortState::stage`]) is the new queue's: the change moved nothing else it depends on.
    pub keep_projection: bool,
}

impl Change {
    /// A change that left `port` (as locked, its revision the change's own) and `entries` as
    /// given, and moved the projection.
    pub fn of(port: Port, entries: Vec<Entry>) -> Change {
        Change {
            port,
            entries,
            keep_projection: false,
        }
    }

    /// Reads back the port row and the entries a change touched, inside its transaction.
    pub fn read(conn: &mut DbConnection, port_id: i64, entry_ids: &[i64]) -> AppResult<Change> {
        let port = ports::table
            .find(port_id)
            .select(Port::as_select())
            .first(conn)?;
        let entries = entries::table
            .filter(entries::id.eq_any(entry_ids))
            .select(Entry::as_select())
            .load(conn)?;
        Ok(Change {
            port,
            entries,
            keep_projection: false,
        })
    }

    /// Applies the change once committed: the kept state moves from the revision before to
    /// the change's; a kept state of any other revision is dropped (read again when needed).
    pub fn apply(self) {
        APPLIED.fetch_add(1, Ordering::AcqRel);
        if self.port.instance.is_empty() {
            return;
        }
        let slot = slot(&self.port);
        let mut kept = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(state) = kept.as_mut() else {
            return;
        };
        if state.revision == self.port.revision {
            // A reader already read the committed change.
            return;
        }
        if state.revision != self.port.revision - 1 && state.revision != STAGED {
            *kept = None;
            return;
        }
        state.revision = self.port.revision;
        state.port = self.port;
        if in_group() {
            state.uncommitted = true;
            joined_by_group(&slot);
        }
        for entry in self.entries {
            state.put(entry);
        }
        if !self.keep_projection {
            state.projection = None;
        }
        state.snapshot = None;
    }
}

/// How many changes this process has applied to kept queues, all ports together: a cheap
/// "did anything change here since?" for caches built on top (the board hub).
static APPLIED: AtomicU64 = AtomicU64::new(0);

/// Counts a change committed by this process that no kept queue was told about (a setting,
/// a policy, an undo), so that caches keyed on [`applied_changes`] look again. Called by
/// `service::transaction` after every commit: counted before, a reader could cache the old
/// state under the new count.
pub fn note_change() {
    APPLIED.fetch_add(1, Ordering::AcqRel);
}

/// The count of changes this process applied so far.
pub fn applied_changes() -> u64 {
    APPLIED.load(Ordering::Acquire)
}

/// Runs a change in one transaction and, once committed, applies it to the kept state.
pub fn commit<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection, &mut Writing) -> AppResult<(T, Option<Change>)>,
) -> AppResult<T> {
    let mut writing = Writing::default();
    let done = super::transaction(conn, |conn| f(conn, &mut writing));
    let staged = writing.0.take();
    let value = match done {
        Ok((value, Some(change))) => {
            change.apply();
            Ok(value)
        }
        Ok((value, None)) => Ok(value),
        Err(e) => Err(e),
    };
    if let Some(slot) = staged {
        // A change that staged and then failed (or made no change) leaves no half state.
        let mut kept = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.as_ref().is_some_and(|s| s.revision == STAGED) {
            *kept = None;
        }
        drop(kept);
        slot.settled.notify_all();
    }
    value
}

/// [`commit`] in a group of writes committed together ([`super::group`]), for registrations:
/// the change is decided and applied exactly as alone; it is answered after the group's
/// commit.
pub fn commit_grouped<T: Send>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection, &mut Writing) -> AppResult<(T, Option<Change>)> + Send,
) -> AppResult<T> {
    super::group::grouped(conn, |conn| commit(conn, f))
}

/// Forgets every kept port (for tests that play a restarted server).
pub fn forget_all() {
    PORTS.lock().unwrap_or_else(PoisonError::into_inner).clear();
}
