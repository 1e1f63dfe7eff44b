//! Daily queue report arithmetic, computed from the event log.
//!
//! A report covers one port and one port-local date, `[local midnight, next local midnight)`
//! (23 or 25 hours on daylight-saving days). It is computed from the append-only event log,
//! never from the current state of entries, so re-running a past day gives the same figures
//! however the entries changed afterwards: [`daily`] ignores every event at or after the
//! day's end, so extra, later events never change a day's report.
//!
//! - [`daily`]: one day's [`DailyReport`] from a [`DayInput`].
//! - [`sum`]: a [`RangeReport`] (a week, a month) from daily reports: counts are added,
//!   medians and percentiles are recomputed from the days' kept samples.
//! - [`to_csv`]: the same figures as the JSON, flat, safe to open in a spreadsheet.
//! - [`hourly_chart_svg`]: server-drawn charts, readable in black-and-white print.
//! - [`day_bounds`] and [`hour_starts`]: where a port-local day and its hours begin.
//!
//! # The input contract
//!
//! [`DayInput::events`] must hold, for every entry that was open (`waiting` or `called`) at
//! some moment of the day, **all of its events before the day's end**, including the
//! `registered` / `checked_in` event that carries its [`EntrySnapshot`](crate::events::EntrySnapshot),
//! even when that was on an earlier day. The app gets that set as: the entries with an event
//! in `[day start, day end)`, plus the entries still open at day start. Extra events are
//! harmless: events at or after the day's end are ignored, and entries that were not open
//! during the day (closed before it, or registered after it) are left out. Events are ordered
//! by time; events with the same time keep the order they are given in, so pass them in
//! log order (by event id).
//!
//! [`DayInput::booked`] must hold every imported appointment whose slot falls in the day;
//! others are ignored, and a confirmation listed twice counts once.
//!
//! # Definitions
//!
//! - **Arrival**: the time of the event carrying the snapshot (`registered` for a walk-in,
//!   `checked_in` for an appointment). Walk-ins are entries registered as `walk_in`; a late
//!   appointment is counted among appointments (as `late`) even though it is ordered as a walk-in.
//! - **Waits** are measured for each entry first called during the day (carried-over entries
//!   included, with their whole wait): from `eligible_at` to the first `called` event, and from
//!   `arrived_at` to it. In minutes, rounded to one decimal. The median of an even number of
//!   samples is the mean of the two middle ones; the 90th percentile is the nearest-rank value
//!   (the `ceil(0.9 n)`-th smallest). Waits are grouped by *queue* class (a late appointment
//!   waits as a walk-in) and by tier.
//! - **Estimate error** of an entry called during the day whose ticket showed a call window
//!   `[earliest, latest]`: 0 when the first call came inside the window, else the distance in
//!   minutes from the call to the nearer end. The report gives the median of these errors and
//!   the share of calls after `latest` (targets: 15 minutes or less, 5% or less).
//! - **Overtake beyond the bound** (G3): non-urgent entries `a` and `b` of one queue class, `b`
//!   first called during the day at `t`, `a` waiting (joined, not yet called nor closed, in log
//!   order) and eligible (`eligible_at <= t`) at that call, and
//!   `effective(b) > effective(a)`, where `effective = eligible_at`, minus `priority_boost`
//!   for the priority tier (policy of the day). Expected 0; each one is listed.
//! - **Outcomes** count the entries whose final event (served, no-show, withdrawn) falls in
//!   the day; `waiting` counts the entries still open (`waiting` or `called`) at the day's end.
//!   So `carried_in + arrived = served + no_show + withdrawn + waiting`.
//! - **Service time**: from an entry's first `called` event to its `served` or `no_show`
//!   event, counted on the day of the latter, for the officer who recorded it and the counter
//!   of the call.
//! - **Hourly queue length**: entries in status `waiting` (not yet called) at the end of each
//!   port-local hour.
//! - **As of**: a day read before its end ([`DayInput::as_of`]) ends just after that moment:
//!   "the day's end" above means it. Only hours begun are listed; waits of entries still
//!   waiting are counted to it and kept apart (`still_waiting`); a booking whose slot plus
//!   the late window (in force at the slot) is still ahead is `not_yet_due`.
//! - **Policy in force**: at any moment, from [`DayInput::policy_changes`] ([`policy_at`]).
//!   The priority bound of each call and the share target of each period are the ones in
//!   force then.
//! - **The share** (G4): a first call is made *while both queues waited* when, just before it
//!   in log order, each queue class had an entry joined, not yet called or closed, and
//!   eligible. Consecutive such calls under one policy are a stretch; a stretch keeps the
//!   share when its walk-in persons differ from `target x` its persons by at most two of the
//!   largest parties waiting at its calls. `both_waiting_minutes` is the time in which each
//!   class had such an entry.

mod compute;
mod csv;
mod kept;
mod languages;
mod range;
mod stats;
mod svg;
mod time;
pub mod what_if;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::events::Event;
use crate::model::Policy;

pub use compute::{daily, daily_matched, policy_at};
pub use csv::{Report, to_csv};
pub use kept::{KEPT_FORMAT, from_kept, to_kept};
pub use languages::{
    CounterLanguageChange, DayMatching, LanguageFigures, add_matching_effect, language_figures,
    matching_effect, sum_languages,
};
pub use range::sum;
pub use svg::{HourlyChart, hourly_chart_svg};
pub use time::{day_bounds, hour_starts};

/// The estimate targets of docs/design/fair-queue.md, "Estimates".
pub const TARGET_MEDIAN_ABS_ERROR_MINUTES: f64 = 15.0;
/// Share of calls that may come after the printed upper bound.
pub const TARGET_AFTER_WINDOW_SHARE: f64 = 0.05;
/// At most this many overtakes are listed (all are counted): a broken engine could produce
/// one per pair of entries, and a report must stay readable.
pub const MAX_LISTED_OVERTAKES: usize = 200;

/// An imported appointment, for counting bookings and those who never arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub confirmation: String,
    pub slot_at: DateTime<Utc>,
}

/// A change of the queue policy during the day, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyChange {
    pub at: DateTime<Utc>,
    /// The account that made it, when recorded.
    pub changed_by: Option<String>,
    pub before: Policy,
    pub after: Policy,
}

/// Everything one day's report is computed from. See the module docs for which events and
/// bookings the caller must pass.
#[derive(Debug, Clone)]
pub struct DayInput {
    pub port_code: String,
    pub port_name: String,
    /// The port-local date.
    pub date: NaiveDate,
    pub tz: Tz,
    /// The policy in force at the day's end (the port's policy now, for today). With
    /// `policy_changes`, the policy at any moment is the `after` of the last change at or
    /// before it, else the `before` of the first change.
    pub policy: Policy,
    /// Every policy change of the day, in time order (changes outside the day are ignored).
    pub policy_changes: Vec<PolicyChange>,
    /// When the report is read. A day read before its end is counted **as of** that
    /// moment: nothing at or after it is read, waits still running are counted to it, hours
    /// not begun are left out, and bookings whose slot plus the late window is still ahead
    /// are "not yet due". `None`, or a moment at or after the day's end, reads the whole day
    /// (the figures of a finished day never depend on when it is read). A day that has
    /// not begun at that moment has nothing to report: callers never ask for one (the app
    /// refuses a day after the port's today and counts a range only up to today).
    pub as_of: Option<DateTime<Utc>>,
    pub events: Vec<Event>,
    pub booked: Vec<Booked>,
    /// Officer account id to display name, for the per-officer figures.
    pub officers: BTreeMap<i64, String>,
}

/// Parties (tickets) and the persons in them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub parties: u32,
    pub persons: u32,
}

impl Count {
    fn add_party(&mut self, persons: u32) {
        self.parties += 1;
        self.persons += persons;
    }

    fn add(&mut self, other: Count) {
        self.parties += other.parties;
        self.persons += other.persons;
    }
}

/// Walk-ins registered during the day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WalkIns {
    /// Each walk-in once, whatever its number of barriers.
    pub parties: u32,
    pub persons: u32,
    /// Keys `language`, `literacy`, `technical`, `other`, always present. A walk-in with two
    /// barriers counts under both.
    pub by_barrier: BTreeMap<String, Count>,
    /// ISO 639-3 code as registered.
    pub by_language: BTreeMap<String, Count>,
    /// Keys `urgent`, `priority`, `standard`, always present.
    pub by_tier: BTreeMap<String, Count>,
}

/// Booked appointments and their check-ins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Appointments {
    /// Imported appointments with a slot in the day.
    pub booked: u32,
    /// Appointments checked in during the day (whatever the date of their slot).
    pub checked_in: u32,
    /// Persons in the checked-in parties.
    pub persons: u32,
    pub early: u32,
    pub on_time: u32,
    /// Checked in more than `late_window` after the slot: ordered as walk-ins.
    pub late: u32,
    /// Booked for the day and not checked in by its end, or (for a day read before its
    /// end) by their slot plus the late window.
    pub not_arrived: u32,
    /// Day read before its end: booked, not checked in, and the slot plus the late window
    /// still ahead. Never counted as "never arrived".
    pub not_yet_due: u32,
}

/// An entry still open at the day's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarriedOver {
    pub ticket: String,
    pub queue_class: String,
    pub tier: String,
    pub party_size: u32,
    /// `waiting` or `called`.
    pub status: String,
    pub arrived_at: DateTime<FixedOffset>,
    /// From `arrived_at` to the report's end: the day's end, or `as_of` for a day read
    /// before its end (a wait still running, counted so far).
    pub waited_minutes: f64,
}

/// What became of the day's entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Entries open at the day's start (for a range: at the first day's start).
    pub carried_in: u32,
    /// Walk-ins registered and appointments checked in during the day.
    pub arrived: u32,
    pub served: u32,
    pub served_persons: u32,
    pub no_show: u32,
    pub withdrawn: u32,
    /// Entries still open at the day's end (for a range: at the last day's end).
    pub waiting: u32,
    /// The entries counted in `waiting`, longest wait first.
    pub carried_over: Vec<CarriedOver>,
}

/// Median, 90th percentile and maximum, in minutes; `null` without samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<f64>,
}

/// Waits of the entries called in one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WaitFigures {
    pub calls: u32,
    pub from_eligible: Spread,
    pub from_arrival: Spread,
    /// Entries of the group still waiting (not yet called) at the report's end.
    pub still_waiting: u32,
    /// Their waits so far, from `eligible_at` (0 before it) to the report's end: waits
    /// still running, never mixed with the waits of the calls above.
    pub still_waiting_so_far: Spread,
}

/// Waits until the first call, in minutes with one decimal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Waits {
    pub all: WaitFigures,
    /// By queue class: `appointment`, `walk_in`.
    pub by_class: BTreeMap<String, WaitFigures>,
    /// `urgent`, `priority`, `standard`.
    pub by_tier: BTreeMap<String, WaitFigures>,
}

/// One call that broke the priority bound (G3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overtake {
    pub queue_class: String,
    /// The entry that was passed.
    pub passed_ticket: String,
    pub passed_effective_at: DateTime<FixedOffset>,
    /// The entry called first.
    pub by_ticket: String,
    pub by_effective_at: DateTime<FixedOffset>,
    pub called_at: DateTime<FixedOffset>,
    /// `effective(by) - effective(passed)`: how far beyond the bound.
    pub beyond_minutes: f64,
}

/// The longest wait of a standard party of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongestWait {
    pub ticket: String,
    /// From `eligible_at` to the first call, or to the day's end if still not called.
    pub minutes: f64,
    pub still_waiting: bool,
}

/// A policy change of the day, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyChangeShown {
    /// Port-local, with its offset.
    pub at: DateTime<FixedOffset>,
    /// `null` when not recorded.
    pub changed_by: Option<String>,
    pub before: Policy,
    pub after: Policy,
}

/// The walk-in share over one stretch of the day with one policy (from the day's start or
/// a policy change to the next change or the report's end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharePeriod {
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    /// The `walkin_share` in force.
    pub target: f64,
    /// Minutes in which both queue classes had someone eligible and waiting: the only time
    /// the share applies.
    pub both_waiting_minutes: f64,
    /// First calls made while both classes had someone eligible and waiting.
    pub calls_while_both_waited: u32,
    pub persons_called_while_both_waited: u32,
    pub walkin_persons_called_while_both_waited: u32,
    /// `walkin_persons / persons` called while both waited (4 decimals).
    pub walkin_share_called: Option<f64>,
    /// Runs of consecutive such calls (the stretches of G4).
    pub stretches: u32,
    /// Stretches where walk-in persons called differ from `target x` all persons called by
    /// more than two of the largest parties waiting in the stretch (G4 broken). Expected 0.
    pub stretches_off_share: u32,
}

/// Whether the queue kept its promises.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fairness {
    /// The policy's `walkin_share` at the report's end (for a range: the last day's). The
    /// share is judged against the target in force at each call: see `periods`.
    pub walkin_share_target: f64,
    /// For a range: whether the target changed between days.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub walkin_share_target_varied: bool,
    /// Persons served from the walk-in queue class over all persons served (4 decimals),
    /// whether or not both classes were waiting: not what the target applies to.
    pub walkin_share_served: Option<f64>,
    pub served_persons_walk_in: u32,
    pub served_persons_appointment: u32,
    /// Expected 0. Passes made for language under matching, within its rule, are not
    /// counted here: see `language_passes`.
    pub overtakes_beyond_bound: u32,
    /// Each one, up to [`MAX_LISTED_OVERTAKES`].
    pub overtakes: Vec<Overtake>,
    /// Single adults have waited days while others moved ahead: this one is watched.
    pub longest_standard_single_wait: Option<LongestWait>,
    /// Every policy change of the day (for a range: of every day), in time order.
    pub policy_changes: Vec<PolicyChangeShown>,
    /// One per stretch of one policy (a day without changes has one).
    pub periods: Vec<SharePeriod>,
    /// Minutes in which both classes had someone eligible and waiting.
    pub both_waiting_minutes: f64,
    pub persons_called_while_both_waited: u32,
    pub walkin_persons_called_while_both_waited: u32,
    /// Walk-in share of the persons called while both waited (4 decimals).
    pub walkin_share_called_while_both_waited: Option<f64>,
    /// The target in force at each of those calls, weighted by the persons called (4
    /// decimals): what `walkin_share_called_while_both_waited` is compared with.
    pub target_in_force_at_calls: Option<f64>,
    /// `null` when both classes never waited together at a call; else whether every
    /// stretch kept the share (G4).
    pub share_kept: Option<bool>,
    /// Entries passed over for their language by calls under language matching, judged by
    /// the matching rule (G8) instead of the priority bound.
    #[serde(default)]
    pub language_passes: LanguagePasses,
    /// The verdict: no pass beyond the priority bound, no pass for language beyond the
    /// matching rule, and no stretch off its share.
    pub kept: bool,
}

/// The day's passes for language (docs/design/fair-queue.md, "Language matching"): a call
/// under matching that called someone behind another entry in the fair order because its
/// counter did not cover that entry's language. Within the rule such a pass is not a breach;
/// it is one when the passed entry was urgent, had been passed over for longer than the wait
/// limit, or was passed while no other open counter covered its language (or while the
/// calling counter did).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LanguagePasses {
    /// Pass-overs: one call passing one entry over.
    pub passes: u32,
    /// Parties passed over at least once (for a range: summed over the days).
    pub parties: u32,
    /// The longest an entry had been passed over (since the first call that passed it over)
    /// at a call that passed it over again, in minutes with one decimal: what the wait limit
    /// bounds. `null` without passes.
    pub longest_minutes: Option<f64>,
    /// The port's wait limit at those calls (the smallest, if it changed).
    pub wait_limit_minutes: Option<u32>,
    /// Whether every pass came within the wait limit; `null` without passes.
    pub within_limit: Option<bool>,
    /// Passes that broke the matching rule. Expected 0.
    pub beyond_rule: u32,
    /// Each of them, up to [`MAX_LISTED_OVERTAKES`].
    pub breaches: Vec<LanguageBreach>,
}

/// One pass for language that broke the matching rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageBreach {
    /// The entry passed over, and its language (ISO 639-3; empty when none recorded).
    pub passed_ticket: String,
    pub passed_language: String,
    /// The entry called instead.
    pub by_ticket: String,
    pub called_at: DateTime<FixedOffset>,
    pub counter: Option<u32>,
    /// How long the passed entry had been passed over at this call.
    pub passed_minutes: f64,
    /// `urgent`, `beyond_limit`, `not_covered_elsewhere` or `covered_by_calling_counter`.
    pub why: String,
}

/// How good the call windows printed on tickets were.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    /// First calls during the day of entries whose ticket showed a window.
    pub calls_with_estimate: u32,
    pub within_window: u32,
    pub before_window: u32,
    pub after_window: u32,
    pub median_abs_error_minutes: Option<f64>,
    /// `after_window / calls_with_estimate` (4 decimals).
    pub after_window_share: Option<f64>,
    /// `before_window / calls_with_estimate` (4 decimals).
    pub before_window_share: Option<f64>,
    /// Median of `latest - earliest` of the windows given to those tickets, in minutes.
    pub median_width_minutes: Option<f64>,
    pub target_median_abs_error_minutes: f64,
    pub target_after_window_share: f64,
    /// `null` without samples.
    pub meets_targets: Option<bool>,
}

/// One officer's calls and services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficerFigures {
    /// `null` for calls made by the system.
    pub officer_id: Option<i64>,
    pub name: String,
    /// First calls (recalls are counted apart).
    pub calls: u32,
    pub recalls: u32,
    pub served: u32,
    pub no_show: u32,
    /// Called to served or no-show, in minutes with one decimal.
    pub median_service_minutes: Option<f64>,
}

/// One counter's calls and services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterFigures {
    /// `null` for calls recorded without a counter.
    pub counter: Option<u32>,
    pub calls: u32,
    pub recalls: u32,
    pub served: u32,
    pub no_show: u32,
    pub median_service_minutes: Option<f64>,
}

/// One port-local hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hour {
    /// The hour's first instant, in port-local time with its offset (which tells the two
    /// 01:00 hours of a fall-back day apart).
    pub start: DateTime<FixedOffset>,
    /// `HH:MM`, port-local.
    pub label: String,
    /// Walk-ins registered plus appointments checked in.
    pub arrivals: u32,
    pub walk_ins: u32,
    pub check_ins: u32,
    /// First calls.
    pub calls: u32,
    /// Entries in status `waiting` at the end of the hour (at `as_of` for the hour in
    /// progress).
    pub queue_length: u32,
    /// The hour the report was read in: counted up to `as_of` only.
    pub in_progress: bool,
}

/// The figures a day and a range share.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub walk_ins: WalkIns,
    pub appointments: Appointments,
    pub outcomes: Outcomes,
    pub waits: Waits,
    pub fairness: Fairness,
    pub estimates: Estimates,
    pub officers: Vec<OfficerFigures>,
    pub counters: Vec<CounterFigures>,
}

/// One port's report for one port-local date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyReport {
    /// The port's code.
    pub port: String,
    pub port_name: String,
    pub date: NaiveDate,
    /// IANA name, e.g. `America/Tijuana`.
    pub time_zone: String,
    pub day_start: DateTime<FixedOffset>,
    pub day_end: DateTime<FixedOffset>,
    /// 24, or 23 / 25 on daylight-saving days.
    pub hours: u32,
    /// The policy in force at the report's end.
    pub policy: Policy,
    /// Whether the whole day is counted. `false` for a day read before its end (today).
    pub complete: bool,
    /// The moment a day read before its end is counted to (port-local); `null` for a
    /// complete day.
    pub as_of: Option<DateTime<FixedOffset>>,
    #[serde(flatten)]
    pub figures: Figures,
    /// Per applicant language: served, called in their language or with an interpreter,
    /// mean wait, interpreter requests ([`language_figures`]).
    #[serde(default)]
    pub languages: Vec<LanguageFigures>,
    /// The day's hours that have begun by the report's end (all of them for a complete
    /// day): no hour that has not happened.
    pub hourly: Vec<Hour>,
    /// Inconsistencies found in the log (e.g. events of an entry without its snapshot).
    pub warnings: Vec<String>,
    /// The raw samples behind the medians, kept so that [`sum`] can recompute them.
    #[serde(skip)]
    pub(crate) samples: Samples,
}

/// One day's line in a range report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaySummary {
    pub date: NaiveDate,
    /// The day's length: 24, or 23 / 25 on daylight-saving days.
    pub hours: u32,
    /// The hours of the day the figures cover, to two decimals: `hours` for a day over,
    /// from the day's start to `as_of` for today (15.25 at 15:15), so that nobody reads a
    /// day counted to now as a whole day.
    #[serde(default)]
    pub hours_counted: f64,
    pub arrivals: u32,
    pub calls: u32,
    pub served: u32,
    pub no_show: u32,
    pub withdrawn: u32,
    pub waiting_at_end: u32,
    pub overtakes_beyond_bound: u32,
}

/// Several days of one port, summed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeReport {
    pub port: String,
    pub port_name: String,
    /// The first and last date covered; `null` for an empty range.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The last date asked for, when it was after the port's today: the days after `to`
    /// had not begun, so they are not counted (a week or month that includes today is
    /// counted up to today). `null` when every day asked for is counted.
    #[serde(default)]
    pub asked_to: Option<NaiveDate>,
    pub days: u32,
    /// Whether every day counted is over. `false` when the range ends today, which is
    /// counted only up to `as_of`.
    #[serde(default = "complete_by_default")]
    pub complete: bool,
    /// The moment the last day (today) is counted to, port-local; `null` when complete.
    #[serde(default)]
    pub as_of: Option<DateTime<FixedOffset>>,
    #[serde(flatten)]
    pub figures: Figures,
    /// The days' per-language figures summed ([`sum`]).
    #[serde(default)]
    pub languages: Vec<LanguageFigures>,
    pub daily: Vec<DaySummary>,
    pub warnings: Vec<String>,
}

impl DailyReport {
    /// The hours the report covers, to two decimals: [`DailyReport::hours`] for a complete
    /// day, from the day's start to `as_of` for a day read before its end.
    pub fn hours_counted(&self) -> f64 {
        match self.as_of {
            None => f64::from(self.hours),
            Some(at) => {
                let seconds = (at - self.day_start).num_seconds().max(0) as f64;
                (seconds / 36.0).round() / 100.0
            }
        }
    }
}

fn complete_by_default() -> bool {
    true
}

/// The samples behind a report's medians and percentiles. Medians cannot be added up, so a
/// range recomputes them from every day's samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Samples {
    pub(crate) waits: Vec<WaitSample>,
    /// Entries still waiting at the report's end, with their waits so far (`from_*_s`).
    pub(crate) still_waiting: Vec<WaitSample>,
    pub(crate) estimates: Vec<EstimateSample>,
    pub(crate) calls: Vec<CallSample>,
    pub(crate) services: Vec<ServiceSample>,
    pub(crate) officer_names: BTreeMap<i64, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct WaitSample {
    pub(crate) queue_class: crate::model::Class,
    pub(crate) tier: crate::model::Tier,
    pub(crate) from_eligible_s: i64,
    pub(crate) from_arrival_s: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct EstimateSample {
    /// 0 inside the window.
    pub(crate) error_s: i64,
    /// -1 before the window, 0 inside, 1 after.
    pub(crate) side: i8,
    /// `latest - earliest`.
    pub(crate) width_s: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct CallSample {
    pub(crate) officer: Option<i64>,
    pub(crate) counter: Option<u32>,
    pub(crate) recall: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct ServiceSample {
    pub(crate) officer: Option<i64>,
    pub(crate) counter: Option<u32>,
    pub(crate) served: bool,
    pub(crate) seconds: i64,
}
