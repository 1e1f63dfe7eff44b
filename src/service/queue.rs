//! The live queue of one port: who waits in which order, who is at which counter, and the
//! call itself. The order comes from the pure engine (`portqueue_core::queue`); this module
//! only feeds it what is stored and writes back what it decided.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use portqueue_core::queue::{
    self as engine, EntryLanguage, EstimateInputs, EstimateMatching, OpenCounter, Projected,
    QueueEntry, ServiceSample, Window,
};
use portqueue_core::{Class, Status, Tier};

use super::live::{self, Change, HISTORY_DAYS, MAX_SERVICE_SAMPLES, PortState};
use super::{counter_languages, lock_port, record_call_event, sms};
use crate::auth::Actor;
use crate::db::models::{Entry, Port};
use crate::db::schema::{entries, ports};
use crate::db::{DbConnection, from_db, to_db};
use crate::error::{AppError, AppResult};

/// Counters are numbered 1 to 99 and need no set-up (docs/design/interfaces.md).
pub const COUNTERS: std::ops::RangeInclusive<u32> = 1..=99;

/// How long after its last party left an idle counter still counts as open: an open
/// counter calls again within minutes while people wait.
const COUNTER_IDLE_OPEN_MINUTES: i64 = 10;

/// A counter that made this many calls in the last [`COUNTER_IN_USE_MINUTES`] is in regular
/// use and counts as open though idle for longer; a single call does not make it so.
const COUNTER_IN_USE_CALLS: usize = 2;
const COUNTER_IN_USE_MINUTES: i64 = 60;

/// Share of bookings assumed to come while the port has no past bookings to tell.
const DEFAULT_SHOW_RATE: f64 = 0.85;

/// Hours ahead the usual walk-in arrivals are given for.
const ARRIVAL_HOURS_AHEAD: i64 = 12;

/// The longest gap between a counter's party leaving and its next call, with that party
/// already waiting, that still counts as the counter's changeover (longer: a break).
const CHANGEOVER_MAX_MINUTES: i64 = 10;

/// An entry as the API and pages show it: ticket numbers and queue facts, no personal data.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub id: i64,
    pub ticket: String,
    pub class: Class,
    pub queue_class: Class,
    pub tier: Tier,
    pub party_size: u32,
    pub status: Status,
    pub arrived_at: DateTime<Utc>,
    pub eligible_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_call_at: Option<Window>,
    /// Waiting without a window although counters are open: further back than the
    /// estimates look ahead ([`Projected::beyond_look_ahead`]), not "no counter is open".
    /// Not in the API.
    #[serde(skip)]
    pub beyond_estimate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub called_at: Option<DateTime<Utc>>,
    /// Calls again without an answer since the first call.
    pub recalls: u32,
    pub reason: String,
    /// The public status page's absolute URL (the ticket's QR code), filled in by the face
    /// that knows the server's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
    /// The unguessable part of the public status link.
    #[serde(skip)]
    pub status_token: String,
    /// Whether its ticket was printed at least once.
    #[serde(skip)]
    pub printed: bool,
    /// The applicant's language (ISO 639-3), for officers' pages only: the API keeps it out
    /// of its answers, as it does every personal field.
    #[serde(skip)]
    pub language: String,
    /// Once called under language matching: whether the counter covered its language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_matched: Option<bool>,
    /// Called at a counter that does not cover its language (a telephone interpreter); while
    /// it waits, whether counters are open with languages and none covers its language
    /// ([`interpreter_needed_waiting`], as the live queue page shows it).
    pub interpreter_needed: bool,
    /// Once called under language matching: the language reason line ("passed over …", "no
    /// open counter covers …: interpreter needed"), beside the fair-order `reason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_reason: Option<String>,
    /// An officer asked for an interpreter for it.
    pub interpreter_requested: bool,
    /// While waiting: when the projection with mean service times calls it (entries with
    /// the same instant are called together, at different counters). Not in the API.
    #[serde(skip)]
    pub nominal_call_at: Option<DateTime<Utc>>,
}

impl EntryView {
    /// The view of an entry, with its projection while it waits.
    pub fn new(entry: &Entry, port: &Port, projected: Option<&Projected>) -> EntryView {
        let placement = engine::place(&entry.queue_entry(), &port.policy());
        let reason = match (projected, &entry.call_reason) {
            (Some(p), _) => p.reason.clone(),
            (None, Some(reason)) => reason.clone(),
            (None, None) => String::new(),
        };
        EntryView {
            id: entry.id,
            ticket: entry.ticket.clone(),
            class: entry.class,
            queue_class: placement.queue_class,
            tier: entry.tier,
            party_size: entry.party_size(),
            status: entry.status,
            arrived_at: entry.arrived_at(),
            eligible_at: placement.eligible_at,
            position: projected.map(|p| p.position),
            estimated_call_at: projected.and_then(|p| p.estimate),
            beyond_estimate: projected.is_some_and(|p| p.beyond_look_ahead),
            nominal_call_at: projected.and_then(|p| p.nominal_call_at),
            counter: entry.counter.and_then(|c| u32::try_from(c).ok()),
            called_at: entry.called_at.map(from_db),
            recalls: u32::try_from(entry.recalls).unwrap_or(0),
            reason,
            status_url: None,
            status_token: entry.status_token.clone(),
            printed: entry.prints > 0,
            language: entry.language.clone(),
            language_matched: entry.language_matched,
            interpreter_needed: entry.interpreter_needed,
            language_reason: None,
            interpreter_requested: entry.interpreter_requested,
        }
    }
}

/// One port's queue at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub generated_at: DateTime<Utc>,
    /// Waiting entries in call order.
    pub waiting: Vec<EntryView>,
    /// Entries now at a counter, by counter.
    pub called: Vec<EntryView>,
    /// Entry id to its index in `waiting`.
    index: HashMap<i64, usize>,
}

impl Snapshot {
    /// The waiting or called entry with this id, if any.
    pub fn find(&self, id: i64) -> Option<&EntryView> {
        match self.index.get(&id) {
            Some(&i) => self.waiting.get(i),
            None => self.called.iter().find(|e| e.id == id),
        }
    }

    /// How many people are before a waiting entry: those still waiting ahead of it in the
    /// projected order, but not those projected to be called at the same instant as it (two
    /// free counters calling together: neither waits for the other). Someone already
    /// called is not waiting, so never counted. `None` for an entry not waiting.
    pub fn people_before(&self, id: i64) -> Option<u32> {
        let &i = self.index.get(&id)?;
        let me = self.waiting.get(i)?.nominal_call_at;
        let before = self.waiting[..i]
            .iter()
            .filter(|e| me.is_none() || e.nominal_call_at != me)
            .count();
        Some(u32::try_from(before).unwrap_or(u32::MAX))
    }
}

/// Today's services (kept live) then the past days' within [`HISTORY_DAYS`] (read once a
/// day), most recent first, at most [`MAX_SERVICE_SAMPLES`].
fn recent_services(state: &PortState, at: DateTime<Utc>) -> Vec<live::Served> {
    let history_start = to_db(at - Duration::days(HISTORY_DAYS));
    let mut today: Vec<live::Served> = state
        .finished
        .values()
        .filter(|f| f.status == Status::Served)
        .map(|f| live::Served {
            counter: f.counter,
            called_at: f.called_at,
            finished_at: f.finished_at,
            party_size: f.party_size,
            arrived_at: f.arrived_at,
        })
        .collect();
    today.sort_by_key(|s| std::cmp::Reverse(s.finished_at));
    today
        .into_iter()
        .chain(
            state
                .history
                .served
                .iter()
                .filter(|s| s.finished_at.is_some_and(|f| f >= history_start))
                .cloned(),
        )
        .take(MAX_SERVICE_SAMPLES)
        .collect()
}

/// How long a counter cannot call anyone else, per served party: from the end of the
/// counter's previous party when this party was already waiting then (the changeover, and
/// any unanswered calls before this party came, are counter time the queue waits for),
/// else from the (last) call. Measured only from call to end, a busy counter's queue moved
/// slower than every window said: the estimates run each counter straight from one party
/// to the next. A gap longer than [`CHANGEOVER_MAX_MINUTES`] is a break, not a changeover.
fn counter_minutes(served: &[live::Served]) -> Vec<ServiceSample> {
    let mut by_counter: Vec<&live::Served> = served
        .iter()
        .filter(|s| s.called_at.is_some() && s.finished_at.is_some())
        .collect();
    by_counter.sort_by_key(|s| (s.counter, s.finished_at));
    let changeover = Duration::minutes(CHANGEOVER_MAX_MINUTES);
    let mut samples = Vec::with_capacity(by_counter.len());
    let mut previous: Option<(Option<i32>, NaiveDateTime)> = None;
    for s in by_counter {
        let (Some(called), Some(finished)) = (s.called_at, s.finished_at) else {
            continue;
        };
        let start = match previous {
            Some((counter, end))
                if counter.is_some()
                    && counter == s.counter
                    && s.arrived_at <= end
                    && end <= called
                    && called - end <= changeover =>
            {
                end
            }
            _ => called,
        };
        previous = Some((s.counter, finished));
        let minutes = (finished - start).num_seconds() as f64 / 60.0;
        if let (Ok(party_size), true) = (u32::try_from(s.party_size), minutes > 0.0) {
            samples.push(ServiceSample {
                party_size,
                minutes,
            });
        }
    }
    samples
}

/// The counters open at `at`, by number: serving a party now, or idle with their last party
/// gone within [`COUNTER_IDLE_OPEN_MINUTES`] or [`COUNTER_IN_USE_CALLS`] calls in the last
/// [`COUNTER_IN_USE_MINUTES`] (one call does not open a counter). The one rule for the
/// estimates and for the officers' list of free counters.
fn open_counters(
    state: &PortState,
    served: &[live::Served],
    at: DateTime<Utc>,
) -> BTreeMap<i32, OpenCounter> {
    let mut counters: BTreeMap<i32, OpenCounter> = BTreeMap::new();
    let idle_since = at - Duration::minutes(COUNTER_IDLE_OPEN_MINUTES);
    let in_use_since = at - Duration::minutes(COUNTER_IN_USE_MINUTES);
    let mut recent_calls: BTreeMap<i32, usize> = BTreeMap::new();
    for s in served {
        let (Some(c), Some(called)) = (s.counter, s.called_at) else {
            continue;
        };
        if from_db(called) >= in_use_since {
            *recent_calls.entry(c).or_default() += 1;
        }
        if s.finished_at.is_some_and(|f| from_db(f) >= idle_since) {
            counters.insert(c, OpenCounter::Idle);
        }
    }
    for (c, calls) in recent_calls {
        if calls >= COUNTER_IN_USE_CALLS {
            counters.insert(c, OpenCounter::Idle);
        }
    }
    for entry in state.called() {
        if let (Some(c), Some(called)) = (entry.counter, entry.called_at) {
            // Measured as the service samples are ([`counter_minutes`]): from the end of the
            // counter's previous party when this one was waiting then.
            let previous_end = served
                .iter()
                .filter(|s| s.counter == Some(c))
                .filter_map(|s| s.finished_at)
                .filter(|&end| end <= called)
                .max();
            let since = match previous_end {
                Some(end)
                    if entry.arrived_at <= end
                        && called - end <= Duration::minutes(CHANGEOVER_MAX_MINUTES) =>
                {
                    end
                }
                _ => called,
            };
            counters.insert(
                c,
                OpenCounter::Serving {
                    since: from_db(since),
                    party_size: entry.party_size(),
                },
            );
        }
    }
    counters
}

/// What officers plan the floor with beside the order, from the kept queue: each waiting
/// entry's language (ISO 639-3, to find interpreters) and the counters open but free now.
#[derive(Debug, Clone, Default)]
pub struct Floor {
    pub languages: BTreeMap<i64, String>,
    pub free: Vec<u32>,
}

/// The [`Floor`] of a kept queue at `now`: its free counters are the idle ones among those
/// the estimates count open ([`counters_with_languages`]), so the live queue never says no
/// counter is free while an estimate has one calling now.
fn floor_of(state: &PortState, now: DateTime<Utc>) -> Floor {
    let served = recent_services(state, now);
    let in_use = open_counters(state, &served, now);
    Floor {
        languages: state
            .waiting()
            .map(|e| (e.id, e.language.clone()))
            .collect(),
        free: counters_with_languages(state, now, in_use)
            .into_iter()
            .filter(|(_, (c, _))| matches!(c, OpenCounter::Idle))
            .filter_map(|(c, _)| u32::try_from(c).ok())
            .collect(),
    }
}

/// The counters open at `at` by number, as the estimates count them: those open by use
/// (`in_use`, from [`open_counters`]) and those opened with languages today, idle unless
/// serving, each with the languages it covers, the port's defaults included (`None`: open by
/// use only, without languages). The one rule for the estimates under matching and the
/// officers' list of free counters.
fn counters_with_languages(
    state: &PortState,
    at: DateTime<Utc>,
    in_use: BTreeMap<i32, OpenCounter>,
) -> BTreeMap<i32, (OpenCounter, Option<Vec<String>>)> {
    let rows = counter_languages::open_on(state.counter_languages.clone(), &state.port, at);
    let defaults = counter_languages::split(&state.port.default_languages);
    let mut counters: BTreeMap<i32, (OpenCounter, Option<Vec<String>>)> = in_use
        .into_iter()
        .map(|(c, open)| (c, (open, None)))
        .collect();
    for row in rows {
        let mut languages = row.languages;
        languages.extend(defaults.iter().cloned());
        counters
            .entry(i32::try_from(row.counter).unwrap_or(0))
            .or_insert((OpenCounter::Idle, None))
            .1 = Some(languages);
    }
    counters
}

/// What an officer's live queue shows, read from the port's kept queue in one go.
#[derive(Debug, Clone)]
pub struct OfficerQueue {
    pub snapshot: Arc<Snapshot>,
    pub floor: Floor,
    /// The counters open with languages today.
    pub open: Vec<counter_languages::OpenCounter>,
    /// The language line of each party at a counter called under matching.
    pub language_reasons: HashMap<i64, String>,
    /// The languages the open counters cover (`None`: none open with languages).
    covered: Option<std::collections::BTreeSet<String>>,
}

impl OfficerQueue {
    /// Whether this waiting entry needs an interpreter: no counter open now covers its
    /// language (the tag on the live queue and the API's `interpreter_needed` while waiting).
    pub fn interpreter_needed(&self, entry: &EntryView) -> bool {
        counter_languages::interpreter_needed_waiting(self.covered.as_ref(), &entry.language)
    }
}

/// The port's live queue for an officer now (the page and the API read the same).
pub fn officer_queue(
    conn: &mut DbConnection,
    port: &Port,
    now: DateTime<Utc>,
) -> AppResult<OfficerQueue> {
    live::read(conn, port, now, |conn, state| {
        let snapshot = snapshot_of(conn, state, now)?;
        let called: Vec<i64> = snapshot.called.iter().map(|e| e.id).collect();
        let open = counter_languages::open_on(state.counter_languages.clone(), &state.port, now);
        Ok(OfficerQueue {
            floor: floor_of(state, now),
            covered: counter_languages::covered(&state.port, &open),
            open,
            language_reasons: language_reasons(conn, &called)?,
            snapshot,
        })
    })
}

/// Everything the call windows are worked out from, as known at `at` (the projection
/// instant), taken from the port's kept queue without reading the database (the rule itself
/// is `portqueue_core::queue::project_with`):
/// - the counters open now: those serving a party (since when, what size), and idle ones
///   whose last party left within [`COUNTER_IDLE_OPEN_MINUTES`] or which made
///   [`COUNTER_IN_USE_CALLS`] calls in the last hour (one call does not open a counter);
/// - the counter plan for the coming hours (`service::counter_plan`); with no counter in
///   use, the plan's counters for this hour are taken to be open, idle; with none planned
///   either, no counter is open and no window is given;
/// - the port's service times by party size, from the last [`HISTORY_DAYS`] days and today;
/// - the bookings not yet checked in, the share of past bookings that came, and when
///   booked people checked in relative to their slot;
/// - the walk-ins that usually arrive, by tier, in each coming port-local hour (the mean of
///   the same hour over the last seven days).
///
/// What comes from past days is read into the kept state once per port-local day (and
/// again whenever the port's revision moves without a kept change, e.g. a new counter plan):
/// see `live::PortState::refresh_inputs`.
pub fn estimate_inputs(state: &PortState, at: DateTime<Utc>) -> EstimateInputs {
    estimate_inputs_in_use(state, at).0
}

/// [`estimate_inputs`], and the counters in use (serving, or idle but open by use) they were
/// worked out from, for [`matching_inputs`].
fn estimate_inputs_in_use(
    state: &PortState,
    at: DateTime<Utc>,
) -> (EstimateInputs, BTreeMap<i32, OpenCounter>) {
    let policy = state.port.policy();
    let history = &state.history;
    let served = recent_services(state, at);
    let service = counter_minutes(&served);

    let counters = open_counters(state, &served, at);

    let walk_ins_per_hour = local_hours(&state.port, at, ARRIVAL_HOURS_AHEAD)
        .into_iter()
        .map(|(when, hour)| (when, history.walk_ins_by_hour[hour as usize % 24]))
        .collect();
    let plan = super::counter_plan::plan_ahead(&state.port, state.plan.as_ref(), at);
    let mut open: Vec<OpenCounter> = counters.values().cloned().collect();
    if open.is_empty() {
        // Nobody at a counter yet (the morning, or a quiet spell): the counters the plan
        // has open this hour are taken to be there, idle.
        let planned = plan.first().map_or(0, |&(_, n)| n);
        open = vec![OpenCounter::Idle; planned as usize];
    }
    let inputs = EstimateInputs {
        open,
        plan,
        service,
        minutes_per_person: f64::from(policy.minutes_per_person),
        bookings: state.expected_bookings(at),
        show_rate: history.show_rate.unwrap_or(DEFAULT_SHOW_RATE),
        check_in_offsets_minutes: history.check_in_offsets_minutes.clone(),
        walk_ins_per_hour,
    };
    (inputs, counters)
}

/// Language matching as the estimates see it at `at` (docs/design/fair-queue.md, "Estimates
/// under matching"), its `entries` left empty (a fresh projection fills them with
/// [`entry_language`] in `state.waiting()` order); `None` while no
/// counter is open with languages today, and then `inputs` are left as they are (the plain
/// projection, exactly). Otherwise the counters open with languages are open for the
/// estimates (idle unless serving) beside those open by use, in counter order, each with its
/// languages and the port's defaults; with no counter in use, the plan's counters this hour
/// beyond those are taken to be there, without languages.
fn matching_inputs(
    state: &PortState,
    at: DateTime<Utc>,
    in_use: BTreeMap<i32, OpenCounter>,
    inputs: &mut EstimateInputs,
) -> Option<EstimateMatching> {
    let rows = counter_languages::open_on(state.counter_languages.clone(), &state.port, at);
    if rows.is_empty() {
        return None;
    }
    let anonymous = if in_use.is_empty() {
        inputs.open.len().saturating_sub(rows.len())
    } else {
        0
    };
    let counters = counters_with_languages(state, at, in_use);
    let (open, covers): (Vec<OpenCounter>, Vec<Option<Vec<String>>>) = counters
        .into_values()
        .chain(std::iter::repeat_n((OpenCounter::Idle, None), anonymous))
        .unzip();
    inputs.open = open;
    Some(EstimateMatching {
        counters: covers,
        // Read by a fresh projection only: a continued one has the others' already.
        entries: Vec::new(),
        wait_limit_minutes: u32::try_from(state.port.language_wait_limit_minutes).unwrap_or(0),
    })
}

/// A waiting entry's language and pass-over clock, as the estimates under matching read them.
fn entry_language(e: &Entry) -> EntryLanguage {
    EntryLanguage {
        language: Some(e.language.clone()).filter(|l| !l.is_empty()),
        passed_over_since: e.language_passed_at.map(from_db),
    }
}

/// The start of each port-local hour from `now` on for `hours` hours (the first is `now`
/// itself), with its local hour of day: [`portqueue_core::local_time::local_hours`], the
/// report's own hour rule.
pub fn local_hours(port: &Port, now: DateTime<Utc>, hours: i64) -> Vec<(DateTime<Utc>, u32)> {
    portqueue_core::local_time::local_hours(port.tz(), now, hours)
}

/// The projection of the kept queue from `at` (the minute), made once per revision and
/// minute.
pub fn project(
    conn: &mut DbConnection,
    state: &mut PortState,
    at: DateTime<Utc>,
) -> AppResult<Arc<Vec<Projected>>> {
    project_adding(conn, state, at, None)
}

/// [`project`] for a change that just staged `newcomer` into the kept queue, given the
/// projection of the queue before it (`kept`, made from `at`): a standard walk-in continues
/// that projection (`engine::Projection::add_walk_in_matched`, exactly the fresh projection,
/// at the cost of what the newcomer changes), under language matching too; anything else, or
/// a projection that cannot be continued, is projected afresh.
pub fn project_adding(
    conn: &mut DbConnection,
    state: &mut PortState,
    at: DateTime<Utc>,
    kept: Option<(engine::Projection, QueueEntry)>,
) -> AppResult<Arc<Vec<Projected>>> {
    if let Some(projected) = state.projection(at) {
        return Ok(projected);
    }
    state.inputs_at(conn, at)?;
    let (mut inputs, in_use) = estimate_inputs_in_use(state, at);
    let mut matching = matching_inputs(state, at, in_use, &mut inputs);
    let port = &state.port;
    let (policy, tz, share) = (port.policy(), port.tz(), port.share_state());
    if let Some((mut projection, newcomer)) = kept
        && projection.add_walk_in_matched(
            &newcomer,
            &state
                .open
                .get(&newcomer.id)
                .map(entry_language)
                .unwrap_or_default(),
            &policy,
            tz,
            &share,
            at,
            &inputs,
            matching.as_ref(),
        )
    {
        let projected = Arc::clone(projection.projected());
        state.keep_projection(at, projection);
        return Ok(projected);
    }
    let queue: Vec<QueueEntry> = state.waiting().map(Entry::queue_entry).collect();
    if let Some(matching) = &mut matching {
        matching.entries = state.waiting().map(entry_language).collect();
    }
    let projection = engine::Projection::new_matched(
        &queue,
        &policy,
        tz,
        &share,
        at,
        &inputs,
        matching.as_ref(),
    );
    let projected = Arc::clone(projection.projected());
    state.keep_projection(at, projection);
    Ok(projected)
}

/// The start of the port-local day that contains `now`, in UTC: local midnight, or the
/// first local minute of the day where a clock change skips midnight (the same rule as the
/// reports' day, `portqueue_core::reports::day_bounds`).
pub fn local_day_start(port: &Port, now: DateTime<Utc>) -> DateTime<Utc> {
    let tz = port.tz();
    portqueue_core::reports::day_bounds(now.with_timezone(&tz).date_naive(), tz).0
}

/// The port's queue now: waiting entries in call order with estimates, and who is called.
/// From the port's kept queue (`live`), projected once per revision and minute.
pub fn snapshot(
    conn: &mut DbConnection,
    port: &Port,
    now: DateTime<Utc>,
) -> AppResult<Arc<Snapshot>> {
    live::read(conn, port, now, |conn, state| snapshot_of(conn, state, now))
}

/// The snapshot of a kept queue.
pub fn snapshot_of(
    conn: &mut DbConnection,
    state: &mut PortState,
    now: DateTime<Utc>,
) -> AppResult<Arc<Snapshot>> {
    let at = live::projection_instant(now);
    if let Some(snapshot) = state.snapshot(at) {
        return Ok(snapshot);
    }
    let projected = project(conn, state, at)?;
    let port = &state.port;
    let waiting: Vec<EntryView> = projected
        .iter()
        .filter_map(|p| {
            state
                .open
                .get(&p.entry_id)
                .map(|e| EntryView::new(e, port, Some(p)))
        })
        .collect();
    let mut called: Vec<EntryView> = state
        .called()
        .map(|e| EntryView::new(e, port, None))
        .collect();
    called.sort_by_key(|e| (e.counter, e.id));
    let index = waiting.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let snapshot = Arc::new(Snapshot {
        generated_at: at,
        waiting,
        called,
        index,
    });
    state.keep_snapshot(at, Arc::clone(&snapshot));
    Ok(snapshot)
}

/// Checks a counter number from a form or URL.
pub fn parse_counter(value: &str) -> AppResult<u32> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|c| COUNTERS.contains(c))
        .ok_or_else(|| AppError::invalid("counter", "counters are numbered 1 to 99"))
}

/// "Call next" at a counter: the engine picks the entry, and the call, the share state and
/// the event commit together. `None` when nobody is eligible.
pub fn call_next(
    conn: &mut DbConnection,
    actor: &Actor,
    port_id: i64,
    counter: u32,
    now: DateTime<Utc>,
) -> AppResult<Option<EntryView>> {
    if !COUNTERS.contains(&counter) {
        return Err(AppError::invalid(
            "counter",
            "counters are numbered 1 to 99",
        ));
    }
    let counter_db = i32::try_from(counter).unwrap_or(1);
    live::commit(conn, |conn, writing| {
        let port = lock_port(conn, port_id)?;
        actor.require_port(&port)?;
        let call = live::locked(conn, writing, &port, now, |conn, state| {
            // The counters' languages as the kept queue holds them (any change to them
            // moves the port's revision): no read of its own.
            let open = counter_languages::open_on(state.counter_languages.clone(), &port, now);
            let coverage = counter_languages::coverage(&port, &open, counter);
            if let Some(busy) = state.called().find(|e| e.counter == Some(counter_db)) {
                return Err(AppError::Conflict(format!(
                    "counter {counter} is still with {}: complete, no-show or withdraw it first",
                    busy.ticket
                )));
            }
            // The call order before this call, for "you are near" texts: only when someone
            // waiting at this port still waits for one (usually nobody: no cost then).
            let near = sms::near_candidates(conn, port.id)?;
            let order: Vec<i64> = if near.is_empty() {
                Vec::new()
            } else {
                project(conn, state, live::projection_instant(now))?
                    .iter()
                    .map(|p| p.entry_id)
                    .collect()
            };
            let waiting: Vec<_> = state.waiting().map(Entry::queue_entry).collect();
            // Matching off (this counter opened without languages): exactly the plain
            // fair order's code path.
            let Some(coverage) = &coverage else {
                return Ok(engine::next_call(
                    &waiting,
                    &port.policy(),
                    port.tz(),
                    &port.share_state(),
                    now,
                )
                .map(|call| (call, order, near, None)));
            };
            let languages: Vec<EntryLanguage> = state
                .waiting()
                .map(|e| EntryLanguage {
                    language: Some(e.language.clone()).filter(|l| !l.is_empty()),
                    passed_over_since: e.language_passed_at.map(from_db),
                })
                .collect();
            Ok(engine::next_call_matched(
                &waiting,
                &languages,
                &port.policy(),
                port.tz(),
                &port.share_state(),
                now,
                coverage,
            )
            .map(|m| {
                let call = m.call.clone();
                (call, order, near, Some(m))
            }))
        })?;
        let Some((call, order, near, matched)) = call else {
            return Ok((None, None));
        };
        let state = serde_json::to_string(&call.state)
            .map_err(|e| AppError::Internal(format!("share state: {e}")))?;
        diesel::update(ports::table.find(port.id))
            .set(ports::share_state.eq(state))
            .execute(conn)?;
        let updated = diesel::update(
            entries::table
                .find(call.entry_id)
                .filter(entries::status.eq(Status::Waiting.as_str())),
        )
        .set((
            entries::status.eq(Status::Called.as_str()),
            entries::counter.eq(counter_db),
            entries::called_at.eq(to_db(now)),
            entries::call_reason.eq(&call.reason),
            entries::language_matched.eq(matched.as_ref().map(|m| m.language_matched)),
            entries::interpreter_needed.eq(matched.as_ref().is_some_and(|m| m.interpreter_needed)),
        ))
        .execute(conn)?;
        if updated != 1 {
            // The port lock makes this impossible; refuse rather than call anyone twice (G7).
            return Err(AppError::Conflict(
                "that entry was just called elsewhere; try again".into(),
            ));
        }
        let passed: Vec<i64> = matched
            .as_ref()
            .map(|m| m.passed_over.clone())
            .unwrap_or_default();
        if !passed.is_empty() {
            // The limit runs from the first pass-over and never moves after.
            diesel::update(
                entries::table
                    .filter(entries::id.eq_any(&passed))
                    .filter(entries::language_passed_at.is_null()),
            )
            .set(entries::language_passed_at.eq(to_db(now)))
            .execute(conn)?;
        }
        let entry: Entry = entries::table
            .find(call.entry_id)
            .select(Entry::as_select())
            .get_result(conn)?;
        let language_reason = matched.as_ref().map(|m| m.language_line.clone());
        let note = match &language_reason {
            Some(line) => format!("{}; {line}", call.reason),
            None => call.reason,
        };
        let passed_over = portqueue_core::events::PassedOver {
            entries: matched
                .as_ref()
                .map(|m| m.passed_over.clone())
                .unwrap_or_default(),
            wait_limit_minutes: u32::try_from(port.language_wait_limit_minutes).unwrap_or(0),
        };
        record_call_event(
            conn,
            &entry,
            Some(actor),
            note,
            matched.as_ref().map(|m| super::CallLanguage {
                matched: m.language_matched,
                reason: &m.language_line,
                passed_over: &passed_over,
            }),
            now,
        )?;
        sms::on_call(conn, &port, &entry, &order, &near, now)?;
        let mut touched = passed;
        touched.push(entry.id);
        let change = Change::read(conn, port.id, &touched)?;
        let mut view = EntryView::new(&entry, &port, None);
        view.language_reason = language_reason;
        Ok((Some(view), Some(change)))
    })
}

/// The language reason line ([`portqueue_core::queue::LanguageReason::text`]) of each
/// entry called under language matching, by entry id: the one place the counter page, the
/// live queue and the API read it. The line is kept in the entry's last call event as
/// `language_reason`; a call logged before the event held it has it only at the end of its
/// note (the fair-order reason, `entries.call_reason`, `"; "`, then the line), read from
/// there. Entries called without matching (no `language_matched` in the event) have none.
pub fn language_reasons(conn: &mut DbConnection, ids: &[i64]) -> AppResult<HashMap<i64, String>> {
    use crate::db::schema::entry_events;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String, Option<String>)> = entry_events::table
        .inner_join(entries::table)
        .filter(entry_events::entry_id.eq_any(ids))
        .filter(entry_events::kind.eq(portqueue_core::events::EventKind::Called.as_str()))
        .order((entry_events::entry_id, entry_events::id))
        .select((
            entry_events::entry_id,
            entry_events::detail,
            entries::call_reason,
        ))
        .load(conn)?;
    let mut reasons = HashMap::new();
    // Ordered by event id within an entry: the last call wins.
    for (id, detail, call_reason) in rows {
        match reason_line(&detail, call_reason.as_deref()) {
            Some(line) => reasons.insert(id, line),
            None => reasons.remove(&id),
        };
    }
    Ok(reasons)
}

/// The language reason line kept in a call event's `detail` ([`language_reasons`]), given
/// the entry's fair-order reason for a call logged before the event held it.
fn reason_line(detail: &str, call_reason: Option<&str>) -> Option<String> {
    let detail: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let stored = detail
        .get("language_reason")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    stored.or_else(|| {
        detail
            .get("language_matched")
            .and(detail.get("note"))
            .and_then(serde_json::Value::as_str)
            .map(|note| {
                let fair = call_reason.unwrap_or_default();
                note.strip_prefix(fair)
                    .and_then(|rest| rest.strip_prefix("; "))
                    .unwrap_or(note)
                    .to_owned()
            })
    })
}

/// The answer for one entry outside the live queue (after a counter action, an interpreter
/// mark, an undo): its [`EntryView`], with the language reason line of its call when it was
/// called under language matching and is not waiting again ([`language_reasons`], one
/// query on the events' entry index).
pub fn entry_view(conn: &mut DbConnection, entry: &Entry, port: &Port) -> AppResult<EntryView> {
    let mut view = EntryView::new(entry, port, None);
    if entry.language_matched.is_some() && entry.status != Status::Waiting {
        view.language_reason = language_reasons(conn, &[entry.id])?.remove(&entry.id);
    }
    Ok(view)
}

/// The entry now at a counter, if any.
pub fn at_counter(conn: &mut DbConnection, port_id: i64, counter: u32) -> AppResult<Option<Entry>> {
    Ok(crate::db::first_row(
        entries::table
            .filter(entries::port_id.eq(port_id))
            .filter(entries::status.eq(Status::Called.as_str()))
            .filter(entries::counter.eq(i32::try_from(counter).unwrap_or(0)))
            .select(Entry::as_select()),
    )
    .get_result(conn)
    .optional()?)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn served(
        counter: i32,
        arrived: NaiveDateTime,
        called: NaiveDateTime,
        done: NaiveDateTime,
    ) -> live::Served {
        live::Served {
            counter: Some(counter),
            called_at: Some(called),
            finished_at: Some(done),
            party_size: 1,
            arrived_at: arrived,
        }
    }

    /// A counter's time per party runs from its previous party's end when the next one was
    /// already waiting (a changeover, or unanswered calls, before the last call); from the
    /// call when the counter was idle, or away longer than a changeover.
    #[test]
    fn counter_time_counts_the_changeover_only_while_someone_waited() {
        let samples = counter_minutes(&[
            // Counter 1: 09:00-09:08, then a party waiting since 08:50 called at 09:10
            // (after a recall) and done at 09:20: 12 minutes of counter time.
            served(1, at(8, 40), at(9, 0), at(9, 8)),
            served(1, at(8, 50), at(9, 10), at(9, 20)),
            // Then a party that arrived at 09:25, after the counter was free: 10 minutes.
            served(1, at(9, 25), at(9, 25), at(9, 35)),
            // Then one waiting since 09:30 called after a 20-minute break: 5 minutes.
            served(1, at(9, 30), at(9, 55), at(10, 0)),
            // Counter 2's first party: from its call.
            served(2, at(8, 0), at(9, 2), at(9, 9)),
        ]);
        let minutes: Vec<f64> = samples.iter().map(|s| s.minutes).collect();
        assert_eq!(minutes, [8.0, 12.0, 10.0, 5.0, 7.0]);
    }
}
