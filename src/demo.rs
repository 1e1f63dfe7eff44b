//! `portqueue demo`: a realistic history on demand.
//!
//! Fills one port with N past port-local days of activity, so that a supervisor can explore
//! reports and anyone can measure a lived-in port. Every change goes through the same
//! service functions the kiosk and the API call (register, import, check in, print, call,
//! recall, complete, no-show, withdraw, change the policy), each given the simulated "now"
//! of that moment, so the rows and events are exactly those real use writes.
//!
//! **Whose entries.** The demo acts through its own accounts at the port, `demo-<code>-<n>`
//! (officers, one per counter) and `demo-<code>-sup` (supervisor), created inactive with
//! random passwords, so nobody signs in with them. An entry created by anyone else is
//! *real*: a port with a real entry is refused, and so is a port that already has entries
//! on or after the first day to fill (history is only ever written forwards). The demo acts
//! only at its port: its accounts belong to it, and every service call checks that.
//!
//! **What a day looks like** (deterministic for a seed and a date): walk-ins arrive
//! 05:00–20:00 with a morning peak, about `per_day` of them (fewer at weekends), parties of 1
//! to 8, mostly Spanish-speaking, one in eight priority, a few urgent; bookings for about 40%
//! of that are imported at 04:30 with slots 07:00–16:00, of which some come early, some late
//! and about one in eleven never. Counters (as many as the day's load needs, give or take
//! one, so some days end with people still waiting) call by the engine from 06:00 to 20:00,
//! as the day's counter plan (set by the demo supervisor) says;
//! each is opened with the languages its officer covers when it opens and closed for them when
//! it closes, as officers do at the counter form, so every call goes through language
//! matching: Spanish and English everywhere (the defaults the demo gives a port it creates),
//! and on most days a second counter covering a second pair (Haitian Creole and French, most
//! often). The report then has language figures, passes for language within the wait limit,
//! and calls with an interpreter for the languages nobody covers (K'iche', Mam, ...);
//! services last a log-normal time growing with the party; one call in fourteen is not
//! answered (recalled, then no-show unless the person comes back); some people withdraw while
//! waiting; nearly every ticket is printed, a few twice; every 45 days the supervisor moves
//! the walk-in share and the minutes per person.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use portqueue_core::reports::day_bounds;
use portqueue_core::{Policy, Status};

use crate::auth::{self, Actor};
use crate::db::models::{Port, User};
use crate::db::schema::{entries, users};
use crate::db::{DbConnection, to_db};
use crate::error::{AppError, AppResult};
use crate::service::appointments::{self, AppointmentInput, Source};
use crate::service::entries::{self as entry_actions, Action};
use crate::service::tickets::{self, PrintOutcome};
use crate::service::walk_ins::{self, TriageInput, WalkInInput};
use crate::service::{
    accounts, counter_languages, counter_plan, port_by_code, ports, queue, report_days, transaction,
};

/// How long one of the demo's transactions may run (wall time) before it commits and lets
/// other writers in: an officer signing in at another port waits at most about this long.
const SLICE: std::time::Duration = std::time::Duration::from_millis(500);
/// The pause between two of the demo's transactions.
const GAP: std::time::Duration = std::time::Duration::from_millis(120);

/// The most days one run fills (ten years).
pub const MAX_DAYS: u32 = 3660;
/// The most walk-ins a day.
pub const MAX_PER_DAY: u32 = 5000;
/// Counters are numbered from 1; at most this many open on a demo day.
const MAX_COUNTERS: u32 = 40;

/// What to fill.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub code: String,
    pub days: u32,
    pub per_day: u32,
    /// The time zone of a port the demo creates (an existing port keeps its own).
    pub timezone: String,
    pub seed: u64,
}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub port: String,
    pub created_port: bool,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub walk_ins: u64,
    pub booked: u64,
    pub check_ins: u64,
    pub calls: u64,
    pub recalls: u64,
    pub served: u64,
    pub no_shows: u64,
    pub withdrawn: u64,
    pub prints: u64,
    pub policy_changes: u64,
    /// Counters opened with their languages (one a counter a day).
    pub language_openings: u64,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = match (self.first_day, self.last_day) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => "no days".into(),
        };
        write!(
            f,
            "port {}{}: {days}: {} walk-ins, {} bookings ({} checked in), {} calls, {} recalls, \
             {} served, {} no-shows, {} withdrawn, {} tickets printed, {} policy changes, \
             {} counters opened with languages",
            self.port,
            if self.created_port { " (created)" } else { "" },
            self.walk_ins,
            self.booked,
            self.check_ins,
            self.calls,
            self.recalls,
            self.served,
            self.no_shows,
            self.withdrawn,
            self.prints,
            self.policy_changes,
            self.language_openings,
        )
    }
}

/// Fills `opts.code` with `opts.days` port-local days ending yesterday (the day before
/// `now`'s). It commits in slices of about [`SLICE`] of work with a pause of [`GAP`] after
/// each, so that a server on the same database keeps writing for its ports meanwhile; a
/// failure keeps the slices before it.
pub fn fill(
    conn: &mut DbConnection,
    opts: &DemoOptions,
    now: DateTime<Utc>,
) -> AppResult<DemoSummary> {
    if !(1..=MAX_DAYS).contains(&opts.days) {
        return Err(AppError::invalid(
            "days",
            format!("give 1 to {MAX_DAYS} days, got {}", opts.days),
        ));
    }
    if !(1..=MAX_PER_DAY).contains(&opts.per_day) {
        return Err(AppError::invalid(
            "per-day",
            format!(
                "give 1 to {MAX_PER_DAY} walk-ins a day, got {}",
                opts.per_day
            ),
        ));
    }
    let admin = accounts::system_admin();
    let code = ports::check_code(&opts.code).map_err(|e| AppError::invalid("port", e))?;
    let (port, created_port) = match port_by_code(conn, &code) {
        Ok(port) => (port, false),
        Err(AppError::NotFound(_)) => {
            ports::check_timezone(&opts.timezone).map_err(|e| AppError::invalid("timezone", e))?;
            let port = ports::create(
                conn,
                &admin,
                &ports::NewPort {
                    code: code.clone(),
                    name: format!("{code} (demo)"),
                    timezone: opts.timezone.clone(),
                },
                now,
            )?;
            (port, true)
        }
        Err(e) => return Err(e),
    };
    let tz = port.tz();
    let today = now.with_timezone(&tz).date_naive();
    let first = today - Duration::days(i64::from(opts.days));
    let last = today - Duration::days(1);

    let prefix = format!("demo-{}-", code.to_ascii_lowercase());
    let demo_ids = demo_accounts(conn, &port, &prefix)?;
    let real: i64 = entries::table
        .filter(entries::port_id.eq(port.id))
        .filter(
            entries::created_by
                .is_null()
                .or(entries::created_by.ne_all(demo_ids.clone())),
        )
        .count()
        .get_result(conn)?;
    if real > 0 {
        return Err(AppError::Conflict(format!(
            "port {code} has {real} real entries: the demo only fills a new port or one it \
             filled itself"
        )));
    }
    let (first_start, _) = day_bounds(first, tz);
    let later: i64 = entries::table
        .filter(entries::port_id.eq(port.id))
        .filter(entries::arrived_at.ge(to_db(first_start)))
        .count()
        .get_result(conn)?;
    if later > 0 {
        return Err(AppError::Conflict(format!(
            "port {code} already has demo activity on or after {first}: history is only \
             written forwards (fill a new port, or fewer days)"
        )));
    }

    let mut people = People::ensure(conn, &port, &prefix, now)?;
    let port = if created_port {
        // As a port's supervisor does on its languages page before counters open with
        // languages: what every officer there speaks. A port the demo filled before keeps
        // what it has.
        counter_languages::set_port_languages(
            conn,
            &people.supervisor,
            &port,
            &[DEFAULT_LANGUAGES.join(",")],
            &port.language_wait_limit_minutes.to_string(),
        )?;
        port_by_code(conn, &code)?
    } else {
        port
    };
    let mut summary = DemoSummary {
        port: code.clone(),
        created_port,
        first_day: Some(first),
        last_day: Some(last),
        ..DemoSummary::default()
    };
    let mut open: HashMap<i64, Status> = HashMap::new();
    for (index, date) in first.iter_days().take_while(|d| *d <= last).enumerate() {
        let plan = DayPlan::new(opts, date, tz);
        people.ensure_officers(conn, &port, plan.counters.len() as u32, now)?;
        let mut day = DayRun::new(&plan);
        loop {
            let until = Instant::now() + SLICE;
            let finished = transaction(conn, |conn| {
                day.run(
                    conn,
                    &port,
                    &people,
                    &plan,
                    index,
                    &mut open,
                    &mut summary,
                    until,
                )
            })
            .inspect_err(|e| log::error!("demo {code}: day {date} not finished: {e:?}"))?;
            if finished {
                break;
            }
            // Other writers (a server's officers at other ports) wait for SQLite's write
            // lock by polling it every 100 ms at most: leave them a longer gap than that.
            std::thread::sleep(GAP);
        }
        // The day is over: keep its figures now, so a report over the filled history reads
        // kept figures from the first read (as the server's keeper does after a real day).
        report_days::keep_day(conn, &port, date, now)
            .inspect_err(|e| log::error!("demo {code}: figures of {date} not kept: {e:?}"))?;
        if (index + 1) % 30 == 0 {
            log::info!("demo {code}: {} of {} days filled", index + 1, opts.days);
        }
    }
    Ok(summary)
}

/// The ids of the demo's accounts at a port.
fn demo_accounts(conn: &mut DbConnection, port: &Port, prefix: &str) -> AppResult<Vec<i64>> {
    Ok(users::table
        .filter(users::port_id.eq(port.id))
        .filter(users::username.like(format!("{prefix}%")))
        .select(users::id)
        .load(conn)?)
}

/// The demo's accounts: one officer per counter, one supervisor.
struct People {
    prefix: String,
    officers: Vec<Actor>,
    supervisor: Actor,
}

impl People {
    fn ensure(
        conn: &mut DbConnection,
        port: &Port,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> AppResult<People> {
        let supervisor = account(conn, port, &format!("{prefix}sup"), "supervisor", now)?;
        Ok(People {
            prefix: prefix.to_owned(),
            officers: Vec::new(),
            supervisor,
        })
    }

    fn ensure_officers(
        &mut self,
        conn: &mut DbConnection,
        port: &Port,
        count: u32,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        while (self.officers.len() as u32) < count {
            let n = self.officers.len() + 1;
            let officer = account(conn, port, &format!("{}{n}", self.prefix), "officer", now)?;
            self.officers.push(officer);
        }
        Ok(())
    }

    /// The officer at counter `c` (1-based).
    fn at(&self, counter: u32) -> &Actor {
        &self.officers[(counter as usize - 1) % self.officers.len()]
    }
}

/// A demo account, created inactive with a random password if missing.
fn account(
    conn: &mut DbConnection,
    port: &Port,
    username: &str,
    role: &str,
    now: DateTime<Utc>,
) -> AppResult<Actor> {
    let existing: Option<User> = users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .get_result(conn)
        .optional()?;
    let user = match existing {
        Some(user) if user.port_id == Some(port.id) => user,
        Some(_) => {
            return Err(AppError::Conflict(format!(
                "the account {username} belongs to another port; the demo will not use it"
            )));
        }
        None => {
            let user = accounts::create(
                conn,
                &accounts::system_admin(),
                &accounts::NewAccount {
                    username: username.into(),
                    role: role.into(),
                    port: port.code.clone(),
                    password: auth::random_password(),
                    must_change_password: false,
                },
                now,
            )?;
            diesel::update(users::table.find(user.id))
                .set(users::active.eq(false))
                .execute(conn)?;
            user
        }
    };
    Ok(Actor::from_user(&user))
}

/// A counter's hours on one day, and the languages it is opened with.
#[derive(Debug, Clone)]
struct Hours {
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
    languages: &'static [&'static str],
}

/// What every demo officer speaks: the defaults of a port the demo creates, and the
/// languages every counter is opened with but the one with a second pair.
const DEFAULT_LANGUAGES: [&str; 2] = ["spa", "eng"];

/// The second pair of languages one counter covers on most days (when more than one counter
/// opens), by weight; the rest of the days, every counter covers the defaults only.
const SECOND_PAIRS: [(&[&str], f64); 5] = [
    (&["hat", "fra"], 0.45),
    (&["por", "rus"], 0.15),
    (&["cmn", "tur"], 0.1),
    (&["pan", "hin"], 0.1),
    (&[], 0.2),
];

/// One walk-in or booking of the day, decided before the day runs.
#[derive(Debug, Clone)]
enum Arrival {
    WalkIn(WalkInInput),
    /// A booking's confirmation number, checked in at the arrival.
    CheckIn(String, TriageInput),
}

/// One day, drawn from the seed and the date alone.
struct DayPlan {
    end: DateTime<Utc>,
    import_at: DateTime<Utc>,
    bookings: Vec<AppointmentInput>,
    arrivals: Vec<(DateTime<Utc>, Arrival)>,
    counters: Vec<Hours>,
    counter_plan: [u32; 24],
    rng: StdRng,
}

const LANGUAGES: [(&str, f64); 12] = [
    ("spa", 0.58),
    ("hat", 0.12),
    ("por", 0.05),
    ("rus", 0.04),
    ("eng", 0.04),
    ("fra", 0.03),
    ("quc", 0.04),
    ("mam", 0.03),
    ("cmn", 0.02),
    ("tur", 0.02),
    ("hin", 0.02),
    ("arb", 0.01),
];
const VULNERABILITIES: [&str; 7] = [
    "unaccompanied_child",
    "pregnancy",
    "disability",
    "serious_illness",
    "infant",
    "elderly",
    "threatened",
];

fn pick<'a>(rng: &mut StdRng, weighted: &[(&'a str, f64)]) -> &'a str {
    let total: f64 = weighted.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (value, weight) in weighted {
        if x < *weight {
            return value;
        }
        x -= weight;
    }
    weighted[weighted.len() - 1].0
}

/// The day's second pair of languages (empty: none).
fn second_pair(rng: &mut StdRng) -> &'static [&'static str] {
    let total: f64 = SECOND_PAIRS.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (pair, weight) in SECOND_PAIRS {
        if x < weight {
            return pair;
        }
        x -= weight;
    }
    &[]
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn party_size(rng: &mut StdRng) -> u32 {
    match rng.random::<f64>() {
        x if x < 0.52 => 1,
        x if x < 0.67 => 2,
        x if x < 0.79 => 3,
        x if x < 0.89 => 4,
        x if x < 0.95 => 5,
        x if x < 0.98 => 6,
        _ => rng.random_range(7..=8),
    }
}

/// Minutes at the counter for a party: log-normal, median growing with its size.
fn service_minutes(rng: &mut StdRng, persons: u32) -> f64 {
    let median = 2.5 + 2.0 * f64::from(persons);
    (median * (0.45 * normal(rng)).exp()).clamp(1.0, 90.0)
}

fn triage(rng: &mut StdRng) -> TriageInput {
    match rng.random::<f64>() {
        x if x < 0.006 => TriageInput {
            tier: "urgent".into(),
            vulnerabilities: Vec::new(),
            urgent_reason: "medical emergency: taken to the first-aid room, then seen first".into(),
        },
        x if x < 0.13 => TriageInput {
            tier: "priority".into(),
            vulnerabilities: vec![
                VULNERABILITIES[rng.random_range(0..VULNERABILITIES.len())].into(),
            ],
            urgent_reason: String::new(),
        },
        _ => TriageInput::default(),
    }
}

impl DayPlan {
    fn new(opts: &DemoOptions, date: NaiveDate, tz: Tz) -> DayPlan {
        let day_seed = opts
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(date.num_days_from_ce() as u64);
        let mut rng = StdRng::seed_from_u64(day_seed);
        let (start, end) = day_bounds(date, tz);
        let at = |minutes: f64| start + Duration::seconds((minutes * 60.0) as i64);
        let weekday = match date.weekday() {
            Weekday::Sat => 0.8,
            Weekday::Sun => 0.65,
            Weekday::Mon => 1.1,
            _ => 1.0,
        };
        let per_day = f64::from(opts.per_day);
        let walk_ins = (per_day * weekday * rng.random_range(0.85..1.15)).round() as usize;
        let booked = (per_day * 0.4 * weekday * rng.random_range(0.9..1.1)).round() as usize;

        let mut arrivals: Vec<(DateTime<Utc>, Arrival)> = Vec::new();
        for _ in 0..walk_ins {
            // A morning crowd, and a steady trickle all day.
            let minute = if rng.random::<f64>() < 0.7 {
                (9.5 * 60.0 + 120.0 * normal(&mut rng)).clamp(5.0 * 60.0, 20.0 * 60.0)
            } else {
                rng.random_range(6.0 * 60.0..19.5 * 60.0)
            };
            let language = pick(&mut rng, &LANGUAGES);
            let mut barriers = Vec::new();
            if language != "spa" || rng.random::<f64>() < 0.15 {
                barriers.push("language".to_owned());
            }
            if rng.random::<f64>() < 0.2 {
                barriers.push("literacy".to_owned());
            }
            if barriers.is_empty() || rng.random::<f64>() < 0.35 {
                barriers.push("technical".to_owned());
            }
            let other = rng.random::<f64>() < 0.04;
            if other {
                barriers.push("other".to_owned());
            }
            let t = triage(&mut rng);
            arrivals.push((
                at(minute),
                Arrival::WalkIn(WalkInInput {
                    party_size: party_size(&mut rng).to_string(),
                    language: language.into(),
                    barriers,
                    barrier_note: if other {
                        "phone stolen on the way".into()
                    } else {
                        String::new()
                    },
                    tier: t.tier,
                    vulnerabilities: t.vulnerabilities,
                    urgent_reason: t.urgent_reason,
                    name: String::new(),
                    nationality: String::new(),
                }),
            ));
        }

        let mut bookings = Vec::with_capacity(booked);
        for n in 0..booked {
            let slot_minute = 7.0 * 60.0 + 5.0 * f64::from(rng.random_range(0..108u32));
            let slot = at(slot_minute);
            let confirmation = format!("DEMO-{}-{:04}", date.format("%Y%m%d"), n + 1);
            bookings.push(AppointmentInput {
                confirmation: confirmation.clone(),
                slot_at: slot.to_rfc3339(),
                party_size: party_size(&mut rng).to_string(),
                name: format!("Demo Person {}", n + 1),
                nationality: pick(
                    &mut rng,
                    &[
                        ("Venezuela", 3.0),
                        ("Honduras", 2.0),
                        ("Haiti", 2.0),
                        ("Guatemala", 2.0),
                        ("Mexico", 2.0),
                        ("Cuba", 1.0),
                    ],
                )
                .into(),
                language: pick(&mut rng, &LANGUAGES).into(),
            });
            let offset = match rng.random::<f64>() {
                x if x < 0.09 => continue, // never comes
                x if x < 0.15 => -rng.random_range(70.0..150.0),
                x if x < 0.21 => rng.random_range(65.0..180.0),
                _ => (-10.0 + 20.0 * normal(&mut rng)).clamp(-55.0, 55.0),
            };
            let t = triage(&mut rng);
            arrivals.push((
                slot + Duration::seconds((offset * 60.0) as i64),
                Arrival::CheckIn(confirmation, t),
            ));
        }
        arrivals.sort_by_key(|(t, _)| *t);

        // Counter-minutes the day needs, with the time lost to recalls and changeovers.
        // Mean party 2.2 persons; the log-normal's mean is 1.105 times its median; about 1.4
        // minutes a call go to changeovers and unanswered calls; 10% to spare.
        let persons = 2.2;
        let per_call = (2.5 + 2.0 * persons) * 1.105 + 1.4;
        let needed = (walk_ins as f64 + booked as f64 * 0.9) * per_call * 1.1;
        let open_minutes = 14.0 * 60.0;
        let counters = ((needed / open_minutes).ceil() as i64 + rng.random_range(-1..=1))
            .clamp(1, i64::from(MAX_COUNTERS)) as u32;
        // The supervisor's counter plan for the day: every counter from 06:00 to 20:00.
        // The counters keep it, so the windows printed in the afternoon know that the
        // counters close at 20:00 (with no plan, the estimates take the counters open
        // now to stay open, and everyone still waiting at closing is called after the
        // window they were given).
        let mut counter_plan = [0u32; 24];
        for hour in &mut counter_plan[6..20] {
            *hour = counters;
        }
        // The languages come from a stream of their own, so that the day's arrivals and
        // counters stay those of the same seed before counters had languages.
        let mut pairs = StdRng::seed_from_u64(day_seed ^ 0x6C61_6E67_7561_6765);
        let second = second_pair(&mut pairs);
        let counters = (1..=counters)
            .map(|counter| Hours {
                opens: at(6.0 * 60.0),
                closes: at(20.0 * 60.0),
                languages: if counter == 2 && !second.is_empty() {
                    second
                } else {
                    &DEFAULT_LANGUAGES
                },
            })
            .collect();
        DayPlan {
            end,
            import_at: at(4.5 * 60.0),
            bookings,
            arrivals,
            counters,
            counter_plan,
            rng,
        }
    }
}

/// What happens next in a day, ordered by time, then by when it was planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Arrive(usize),
    /// A counter opens with its languages (before its first call), and closes for them.
    OpenLanguages(u32),
    CloseLanguages(u32),
    CounterFree(u32),
    /// Call again an entry that did not answer: counter, entry, recalls so far.
    Recall(u32, i64, u32),
    Serve(u32, i64),
    NoShow(u32, i64),
    Withdraw(i64),
    Reprint(i64),
}

/// A day being written: what is still to happen, in time order, and the day's random
/// stream. It is written in slices of one transaction each ([`DayRun::run`]).
struct DayRun {
    rng: StdRng,
    steps: BinaryHeap<Reverse<(DateTime<Utc>, u64, Step)>>,
    seq: u64,
    begun: bool,
}

impl DayRun {
    fn new(plan: &DayPlan) -> DayRun {
        DayRun {
            rng: plan.rng.clone(),
            steps: BinaryHeap::new(),
            seq: 0,
            begun: false,
        }
    }

    fn push(&mut self, at: DateTime<Utc>, step: Step) {
        self.seq += 1;
        self.steps.push(Reverse((at, self.seq, step)));
    }

    /// Writes the day's next steps until `until` (wall time) or the day's end; returns
    /// whether the day is finished.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        conn: &mut DbConnection,
        port: &Port,
        people: &People,
        plan: &DayPlan,
        index: usize,
        open: &mut HashMap<i64, Status>,
        summary: &mut DemoSummary,
        until: Instant,
    ) -> AppResult<bool> {
        if !self.begun {
            self.begin(conn, port, people, plan, index, summary)?;
            self.begun = true;
        }
        while Instant::now() < until {
            let Some(Reverse((now, _, step))) = self.steps.pop() else {
                return Ok(true);
            };
            self.step(conn, port, people, plan, open, summary, now, step)?;
        }
        Ok(self.steps.is_empty())
    }

    /// The morning: a policy change now and then, the counter plan, the day's bookings, and
    /// the day's arrivals and counter openings planned.
    fn begin(
        &mut self,
        conn: &mut DbConnection,
        port: &Port,
        people: &People,
        plan: &DayPlan,
        index: usize,
        summary: &mut DemoSummary,
    ) -> AppResult<()> {
        let port_id = port.id;
        let supervisor = &people.supervisor;
        if index % 45 == 20 {
            let current = port_by_code(conn, &port.code)?.policy();
            let changed = Policy {
                walkin_share: if current.walkin_share >= 0.34 {
                    0.30
                } else {
                    0.35
                },
                minutes_per_person: if current.minutes_per_person == 10 {
                    8
                } else {
                    10
                },
                ..current
            };
            ports::update_policy(
                conn,
                supervisor,
                port_id,
                &changed,
                plan.import_at - Duration::minutes(15),
            )?;
            summary.policy_changes += 1;
        }

        counter_plan::save(conn, supervisor, port, &plan.counter_plan)?;
        let rows = appointments::check_rows(&plan.bookings, Source::Json)?;
        let imported = appointments::import(conn, supervisor, port_id, &rows, plan.import_at)?;
        summary.booked += imported.created as u64;

        for (i, (at, _)) in plan.arrivals.iter().enumerate() {
            self.push(*at, Step::Arrive(i));
        }
        for (i, hours) in plan.counters.iter().enumerate() {
            let counter = i as u32 + 1;
            self.push(hours.opens, Step::OpenLanguages(counter));
            self.push(hours.opens, Step::CounterFree(counter));
            self.push(hours.closes, Step::CloseLanguages(counter));
        }
        Ok(())
    }

    /// One thing that happens at `now`.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        conn: &mut DbConnection,
        port: &Port,
        people: &People,
        plan: &DayPlan,
        open: &mut HashMap<i64, Status>,
        summary: &mut DemoSummary,
        now: DateTime<Utc>,
        step: Step,
    ) -> AppResult<()> {
        let port_id = port.id;
        let minutes = |m: f64| Duration::seconds((m * 60.0) as i64);
        let printer = PrintOutcome::Printer("192.0.2.10:9100".into());
        if now >= plan.end {
            // Whatever is still planned belongs to a day the demo does not write.
            return Ok(());
        }
        match step {
            Step::Arrive(i) => {
                let desk = people.at(self.rng.random_range(1..=plan.counters.len() as u32));
                let view = match &plan.arrivals[i].1 {
                    Arrival::WalkIn(input) => {
                        summary.walk_ins += 1;
                        walk_ins::register(conn, desk, port_id, input, now)?
                    }
                    Arrival::CheckIn(confirmation, triage) => {
                        summary.check_ins += 1;
                        appointments::check_in(conn, desk, port_id, confirmation, triage, now)?.0
                    }
                };
                open.insert(view.id, Status::Waiting);
                if self.rng.random::<f64>() < 0.97 {
                    let how = if self.rng.random::<f64>() < 0.85 {
                        &printer
                    } else {
                        &PrintOutcome::Browser
                    };
                    tickets::record_print(conn, desk, view.id, how, now + minutes(0.2))?;
                    summary.prints += 1;
                    if self.rng.random::<f64>() < 0.02 {
                        let later = now + minutes(self.rng.random_range(1.0..20.0));
                        self.push(later, Step::Reprint(view.id));
                    }
                }
                if self.rng.random::<f64>() < 0.04 {
                    let later = now + minutes(self.rng.random_range(20.0..300.0));
                    self.push(later, Step::Withdraw(view.id));
                }
            }
            Step::OpenLanguages(counter) => {
                let hours = &plan.counters[counter as usize - 1];
                counter_languages::open(
                    conn,
                    people.at(counter),
                    port,
                    counter,
                    hours.languages,
                    now,
                )?;
                summary.language_openings += 1;
            }
            Step::CloseLanguages(counter) => {
                counter_languages::close(conn, people.at(counter), port, counter, now)?;
            }
            Step::CounterFree(counter) => {
                if now >= plan.counters[counter as usize - 1].closes {
                    return Ok(());
                }
                match queue::call_next(conn, people.at(counter), port_id, counter, now)? {
                    Some(view) => {
                        summary.calls += 1;
                        open.insert(view.id, Status::Called);
                        if self.rng.random::<f64>() < 0.07 {
                            self.push(now + minutes(3.0), Step::Recall(counter, view.id, 0));
                        } else {
                            let took = service_minutes(&mut self.rng, view.party_size);
                            self.push(now + minutes(took), Step::Serve(counter, view.id));
                        }
                    }
                    None => self.push(now + minutes(4.0), Step::CounterFree(counter)),
                }
            }
            Step::Recall(counter, id, done) => {
                if open.get(&id) != Some(&Status::Called) {
                    self.push(now, Step::CounterFree(counter));
                    return Ok(());
                }
                let view =
                    entry_actions::act(conn, people.at(counter), id, Action::Recall, None, now)?;
                summary.recalls += 1;
                if self.rng.random::<f64>() < 0.45 {
                    let took = service_minutes(&mut self.rng, view.party_size);
                    self.push(now + minutes(took), Step::Serve(counter, id));
                } else if done + 1 < 2 {
                    self.push(now + minutes(3.0), Step::Recall(counter, id, done + 1));
                } else {
                    self.push(now + minutes(3.0), Step::NoShow(counter, id));
                }
            }
            Step::Serve(counter, id) | Step::NoShow(counter, id) => {
                if open.get(&id) == Some(&Status::Called) {
                    let (action, status) = match step {
                        Step::Serve(..) => (Action::Complete, Status::Served),
                        _ => (Action::NoShow, Status::NoShow),
                    };
                    entry_actions::act(conn, people.at(counter), id, action, None, now)?;
                    open.remove(&id);
                    match status {
                        Status::Served => summary.served += 1,
                        _ => summary.no_shows += 1,
                    }
                }
                let changeover = now + minutes(self.rng.random_range(0.3..1.5));
                self.push(changeover, Step::CounterFree(counter));
            }
            Step::Withdraw(id) => {
                if open.get(&id) == Some(&Status::Waiting) {
                    let desk = people.at(1);
                    entry_actions::act(
                        conn,
                        desk,
                        id,
                        Action::Withdraw,
                        Some("left the queue".into()),
                        now,
                    )?;
                    open.remove(&id);
                    summary.withdrawn += 1;
                }
            }
            Step::Reprint(id) => {
                if matches!(open.get(&id), Some(Status::Waiting | Status::Called)) {
                    tickets::record_print(conn, people.at(1), id, &printer, now)?;
                    summary.prints += 1;
                }
            }
        }
        Ok(())
    }
}
