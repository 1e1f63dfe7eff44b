//! The report pages, for supervisors of the port and admins: one day, a range of
//! days (a week, a month), the what-if replay, and the downloads (CSV, JSON).
//!
//! Every figure of the JSON is shown in a table with a caption; the hourly charts are the
//! core's SVG, drawn inline. Figures are formatted here, once, into plain [`Table`]s, so the
//! template stays one loop and the page, the standalone document of `portqueue report
//! --format html` and the what-if page share it (`templates/report_body.html`).
//!
//! Printing: `static/report.css` (served at [`STYLESHEET_PATH`], inlined in the standalone
//! document) hides the navigation and forms, keeps small tables whole and repeats the heads
//! of long ones, and sets only a margin (`@page { margin: 12mm }`), so Letter and A4 both
//! print from one click (the Print button, `data-print` in `static/app.js`) or the menu.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use portqueue_core::reports::{
    self as core_reports, Count, DailyReport, Figures, HourlyChart, RangeReport, Spread, Waits,
};
use portqueue_core::{Barrier, Class, Policy, Tier, languages};

use crate::AppState;
use crate::db::models::Port;
use crate::error::AppError;
use crate::service::port_by_code;
use crate::service::reports::{self, WhatIf, WhatIfInput, both};

use super::WebResult;
use super::layout::Layout;
use super::session::SignedIn;

/// The report stylesheet (screen and print).
const STYLESHEET: &str = include_str!("../../static/report.css");
/// Where the page links it from.
pub const STYLESHEET_PATH: &str = "/reports/report.css";
/// The kiosk stylesheet, inlined with the report's in the standalone document.
const APP_STYLESHEET: &str = include_str!("../../static/app.css");

/// Mounts the report pages (called from [`super::configure`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(STYLESHEET_PATH, web::get().to(stylesheet))
        .route("/ports/{code}/reports", web::get().to(page))
        .route(
            "/ports/{code}/reports.{extension}",
            web::get().to(download_report),
        )
        .route("/ports/{code}/reports/what-if", web::get().to(what_if));
}

// ---- View model -------------------------------------------------------------------------

/// A link.
pub struct Link {
    pub href: String,
    pub label: String,
}

/// One table cell; the first cell of a row is its header.
pub struct Cell {
    pub text: String,
    pub num: bool,
    pub href: Option<String>,
}

/// A table with a caption, as the page shows it.
pub struct Table {
    pub id: String,
    pub caption: String,
    pub head: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
    /// Long tables may break across printed pages (their head repeats); short ones may not.
    pub long: bool,
}

/// A titled part of the page.
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub notes: Vec<String>,
    /// Inline SVG documents from the core (escaped there).
    pub charts: Vec<String>,
    pub tables: Vec<Table>,
}

/// The what-if form's values.
pub struct WhatIfForm {
    pub date: String,
    pub walkin_percent: String,
    pub priority_boost_minutes: String,
    pub counters: String,
    pub minutes_per_person: String,
    /// Field errors, named as the form labels them.
    pub errors: Vec<WhatIfError>,
}

/// One what-if field in error: its input's id (the summary links to it), its label as the
/// form shows it, and what is wrong.
pub struct WhatIfError {
    pub field: &'static str,
    pub input_id: &'static str,
    pub label: &'static str,
    pub message: String,
}

/// The what-if form's fields: query name, input id, label as shown. The policy's own name
/// for the share (`walkin_share`) is the percentage field on this form.
const WHAT_IF_FIELDS: &[(&str, &str, &str)] = &[
    ("date", "", "Date"),
    ("walkin_percent", "w-share", "Walk-in share"),
    ("walkin_share", "w-share", "Walk-in share"),
    (
        "priority_boost_minutes",
        "w-boost",
        "Priority counts earlier by",
    ),
    ("counters", "w-counters", "Counters"),
    ("minutes_per_person", "w-mpp", "Service per person"),
];

impl WhatIfForm {
    /// The message beside a field, if it is in error.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn what_if_errors(fields: &portqueue_core::validation::FieldErrors) -> Vec<WhatIfError> {
    fields
        .iter()
        .map(|(name, message)| {
            let (field, input_id, label) = WHAT_IF_FIELDS
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or(("date", "", "Date"), |&(n, id, label)| {
                    // The share is one field whatever the rule calls it.
                    let n = if n == "walkin_share" {
                        "walkin_percent"
                    } else {
                        n
                    };
                    (n, id, label)
                });
            WhatIfError {
                field,
                input_id,
                label,
                message: message.to_string(),
            }
        })
        .collect()
}

impl Section {
    /// Whether the section is short enough to keep on one printed page with its heading.
    pub fn keep(&self) -> bool {
        self.charts.is_empty() && self.tables.iter().all(|t| !t.long)
    }
}

/// Everything `report_body.html` shows.
pub struct ReportView {
    /// The standalone document of the command line: no forms, no links.
    pub standalone: bool,
    pub code: String,
    pub heading: String,
    pub subheading: String,
    /// The day shown (day view), for the date picker.
    pub date: String,
    pub from: String,
    pub to: String,
    pub nav: Vec<Link>,
    pub downloads: Vec<Link>,
    pub sections: Vec<Section>,
    pub what_if: Option<WhatIfForm>,
    /// The what-if page puts its form above the results.
    pub form_first: bool,
}

fn text(t: impl Into<String>) -> Cell {
    Cell {
        text: t.into(),
        num: false,
        href: None,
    }
}

fn num(n: impl ToString) -> Cell {
    Cell {
        text: n.to_string(),
        num: true,
        href: None,
    }
}

/// A table; a column's head is aligned as its cells are (numbers to the right).
fn table(id: &str, caption: impl Into<String>, head: &[&str], rows: Vec<Vec<Cell>>) -> Table {
    let head = head
        .iter()
        .enumerate()
        .map(|(i, name)| Cell {
            text: (*name).to_owned(),
            num: rows
                .first()
                .and_then(|row| row.get(i))
                .is_some_and(|cell| cell.num),
            href: None,
        })
        .collect();
    Table {
        id: id.to_owned(),
        caption: caption.into(),
        head,
        long: rows.len() > LONG_TABLE_ROWS,
        rows,
    }
}

/// Tables longer than this may break across printed pages; shorter ones are kept whole.
const LONG_TABLE_ROWS: usize = 30;

/// Minutes with one decimal; a dash without samples.
fn mins(m: Option<f64>) -> String {
    m.map_or_else(|| "–".to_owned(), |m| format!("{m:.1}"))
}

/// A share as a percentage with one decimal; a dash without samples.
fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

/// A time of the report: `09:12` on its own day, with the date otherwise.
fn when(t: DateTime<FixedOffset>, day: Option<NaiveDate>) -> String {
    if Some(t.date_naive()) == day {
        t.format("%H:%M").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}

fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn count_row(label: impl Into<String>, count: Option<&Count>) -> Vec<Cell> {
    let count = count.copied().unwrap_or_default();
    vec![text(label), num(count.parties), num(count.persons)]
}

fn class_label(name: &str) -> String {
    name.parse::<Class>()
        .map_or_else(|_| name.to_owned(), |c| c.label().to_owned())
}

fn tier_label(name: &str) -> String {
    name.parse::<Tier>()
        .map_or_else(|_| name.to_owned(), |t| t.label().to_owned())
}

fn language_label(code: &str) -> String {
    languages::find(code).map_or_else(|| code.to_owned(), |l| format!("{} ({code})", l.name))
}

/// "yes", "no", or a dash when not measured.
fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "–",
    }
}

/// The fairness verdict in words.
fn verdict(f: &core_reports::Fairness) -> String {
    let bound = match f.overtakes_beyond_bound {
        0 => "no one passed beyond the priority bound".to_owned(),
        1 => "1 pass beyond the priority bound".to_owned(),
        n => format!("{n} passes beyond the priority bound"),
    };
    let share = match f.share_kept {
        None => "the share did not apply (both queues never waited together at a call)".to_owned(),
        Some(true) => format!(
            "walk-ins got {} of persons called while both queues waited, against {} in force",
            pct(f.walkin_share_called_while_both_waited),
            pct(f.target_in_force_at_calls)
        ),
        Some(false) => format!(
            "walk-ins got {} of persons called while both queues waited, against {} in \
             force: off the share in {} stretch(es)",
            pct(f.walkin_share_called_while_both_waited),
            pct(f.target_in_force_at_calls),
            f.periods.iter().map(|p| p.stretches_off_share).sum::<u32>()
        ),
    };
    format!(
        "{}: {bound}; {share}",
        if f.kept { "Kept" } else { "Not kept" }
    )
}

/// The settings a policy change changed, in words.
fn policy_difference(before: &Policy, after: &Policy) -> String {
    let mut changed = Vec::new();
    if before.walkin_share != after.walkin_share {
        changed.push(format!(
            "walk-in share {} to {}",
            pct(Some(before.walkin_share)),
            pct(Some(after.walkin_share))
        ));
    }
    let mut minutes = |name: &str, b: u32, a: u32| {
        if b != a {
            changed.push(format!("{name} {b} to {a}"));
        }
    };
    minutes(
        "priority boost (min)",
        before.priority_boost_minutes,
        after.priority_boost_minutes,
    );
    minutes(
        "early window (min)",
        before.early_window_minutes,
        after.early_window_minutes,
    );
    minutes(
        "late window (min)",
        before.late_window_minutes,
        after.late_window_minutes,
    );
    minutes("recalls", before.max_recalls, after.max_recalls);
    minutes(
        "service minutes per person",
        before.minutes_per_person,
        after.minutes_per_person,
    );
    if changed.is_empty() {
        "nothing (saved unchanged)".to_owned()
    } else {
        changed.join("; ")
    }
}

/// The sections every report has, day or range. `day` is the day of a daily report, for
/// showing times without their date; `at_end` says when the report ends ("at the end of
/// the day", "at 15:00").
fn figure_sections(f: &Figures, day: Option<NaiveDate>, at_end: &str) -> Vec<Section> {
    let w = &f.walk_ins;
    let mut barriers: Vec<Vec<Cell>> = Barrier::ALL
        .iter()
        .map(|b| count_row(b.label(), w.by_barrier.get(b.as_str())))
        .collect();
    barriers.push(vec![
        text("All walk-ins, each once"),
        num(w.parties),
        num(w.persons),
    ]);
    let tiers: Vec<Vec<Cell>> = Tier::ALL
        .iter()
        .map(|t| count_row(t.label(), w.by_tier.get(t.as_str())))
        .collect();
    let mut by_language: Vec<(&String, &Count)> = w.by_language.iter().collect();
    by_language.sort_by(|a, b| b.1.parties.cmp(&a.1.parties).then(a.0.cmp(b.0)));
    let languages: Vec<Vec<Cell>> = by_language
        .into_iter()
        .map(|(code, c)| count_row(language_label(code), Some(c)))
        .collect();
    let a = &f.appointments;
    let appointment_rows = vec![
        vec![text("Booked for the day"), num(a.booked)],
        vec![text("Checked in (parties)"), num(a.checked_in)],
        vec![text("Checked in (persons)"), num(a.persons)],
        vec![text("Early (before the early window)"), num(a.early)],
        vec![text("On time"), num(a.on_time)],
        vec![text("Late (waited as walk-ins)"), num(a.late)],
        vec![
            text("Booked and never arrived (slot and late window passed)"),
            num(a.not_arrived),
        ],
        vec![
            text("Not yet due (slot or late window still ahead)"),
            num(a.not_yet_due),
        ],
    ];
    let arrivals = Section {
        id: "arrivals",
        title: "Arrivals".into(),
        notes: Vec::new(),
        charts: Vec::new(),
        tables: vec![
            table(
                "t-walkins-barrier",
                "Walk-ins by barrier (a walk-in with two barriers counts under both; the \
                 last row counts each once)",
                &["Barrier", "Parties", "Persons"],
                barriers,
            ),
            table(
                "t-walkins-tier",
                "Walk-ins by tier",
                &["Tier", "Parties", "Persons"],
                tiers,
            ),
            table(
                "t-walkins-language",
                "Walk-ins by language, most first",
                &["Language", "Parties", "Persons"],
                languages,
            ),
            table(
                "t-appointments",
                "Appointments",
                &["Appointments", "Number"],
                appointment_rows,
            ),
        ],
    };

    let o = &f.outcomes;
    let outcome_rows = vec![
        vec![text("Open at the start (carried in)"), num(o.carried_in)],
        vec![text("Arrived (walk-ins and check-ins)"), num(o.arrived)],
        vec![text("Served (parties)"), num(o.served)],
        vec![text("Served (persons)"), num(o.served_persons)],
        vec![text("No-show"), num(o.no_show)],
        vec![text("Withdrawn"), num(o.withdrawn)],
        vec![text(format!("Still open {at_end}")), num(o.waiting)],
    ];
    let carried: Vec<Vec<Cell>> = o
        .carried_over
        .iter()
        .map(|c| {
            vec![
                text(&c.ticket),
                text(class_label(&c.queue_class)),
                text(tier_label(&c.tier)),
                num(c.party_size),
                text(&c.status),
                text(when(c.arrived_at, day)),
                num(format!("{:.1}", c.waited_minutes)),
            ]
        })
        .collect();
    let mut outcome_tables = vec![table(
        "t-outcomes",
        "What became of the entries (open at the start + arrived = served + no-show + \
         withdrawn + still open)",
        &["Outcome", "Number"],
        outcome_rows,
    )];
    if !carried.is_empty() {
        outcome_tables.push(table(
            "t-carried-over",
            format!(
                "Still open {at_end}, longest wait first (waits still running, counted so far)"
            ),
            &[
                "Ticket",
                "Queue",
                "Tier",
                "Persons",
                "Status",
                "Arrived",
                "Waited so far (min)",
            ],
            carried,
        ));
    }
    let outcomes = Section {
        id: "outcomes",
        title: "Outcomes".into(),
        notes: Vec::new(),
        charts: Vec::new(),
        tables: outcome_tables,
    };

    let waits = Section {
        id: "waits",
        title: "Waits until the first call".into(),
        notes: vec![
            "In minutes: from when the entry could first be called (eligible), and from its \
             arrival. The 90th percentile is the wait that 9 in 10 calls did not exceed."
                .into(),
        ],
        charts: Vec::new(),
        tables: vec![
            waits_table("t-waits", "Waits by queue and tier", &f.waits),
            table(
                "t-waits-running",
                format!(
                    "Waits still running {at_end}: parties not yet called, from eligible to \
                     then (not mixed with the waits above)"
                ),
                &[
                    "Group",
                    "Still waiting",
                    "Median so far",
                    "90th pct so far",
                    "Longest so far",
                ],
                wait_groups(&f.waits)
                    .into_iter()
                    .map(|(label, w)| {
                        vec![
                            text(label),
                            num(w.still_waiting),
                            num(mins(w.still_waiting_so_far.median)),
                            num(mins(w.still_waiting_so_far.p90)),
                            num(mins(w.still_waiting_so_far.max)),
                        ]
                    })
                    .collect(),
            ),
        ],
    };

    let fair = &f.fairness;
    let mut fairness_rows = vec![
        vec![text("Verdict"), text(verdict(fair))],
        vec![
            text("Minutes both queues had someone waiting (the only time the share applies)"),
            num(format!("{:.1}", fair.both_waiting_minutes)),
        ],
        vec![
            text("Persons called while both queues waited"),
            num(fair.persons_called_while_both_waited),
        ],
        vec![
            text("Walk-in share of those persons"),
            num(pct(fair.walkin_share_called_while_both_waited)),
        ],
        vec![
            text("Target in force at those calls (weighted by persons)"),
            num(pct(fair.target_in_force_at_calls)),
        ],
        vec![
            text("Every stretch within two of the largest parties of its target"),
            num(yes_no(fair.share_kept)),
        ],
        vec![
            text(format!("Walk-in share target in force {at_end}")),
            num(pct(Some(fair.walkin_share_target))),
        ],
        vec![
            text("Walk-in share of all persons served (whether or not both waited)"),
            num(pct(fair.walkin_share_served)),
        ],
        vec![
            text("Persons served from the walk-in queue"),
            num(fair.served_persons_walk_in),
        ],
        vec![
            text("Persons served from the appointment queue"),
            num(fair.served_persons_appointment),
        ],
        vec![
            text("Standard entries passed beyond the priority bound (expected 0)"),
            num(fair.overtakes_beyond_bound),
        ],
    ];
    if fair.walkin_share_target_varied {
        fairness_rows.push(vec![
            text("The share target changed during the range"),
            text("yes"),
        ]);
    }
    fairness_rows.push(match &fair.longest_standard_single_wait {
        Some(l) => vec![
            text("Longest wait of a standard party of one (min)"),
            num(format!(
                "{:.1} ({}{})",
                l.minutes,
                l.ticket,
                if l.still_waiting {
                    ", still waiting"
                } else {
                    ""
                }
            )),
        ],
        None => vec![
            text("Longest wait of a standard party of one (min)"),
            num("–"),
        ],
    });
    let mut fairness_tables = vec![table(
        "t-fairness",
        "Fairness",
        &["Measure", "Value"],
        fairness_rows,
    )];
    if !fair.overtakes.is_empty() {
        fairness_tables.push(table(
            "t-overtakes",
            format!(
                "Each pass beyond the priority bound ({} listed of {})",
                fair.overtakes.len(),
                fair.overtakes_beyond_bound
            ),
            &[
                "Queue",
                "Passed",
                "Its effective time",
                "Called first",
                "Its effective time",
                "Called at",
                "Beyond (min)",
            ],
            fair.overtakes
                .iter()
                .map(|o| {
                    vec![
                        text(class_label(&o.queue_class)),
                        text(&o.passed_ticket),
                        text(when(o.passed_effective_at, day)),
                        text(&o.by_ticket),
                        text(when(o.by_effective_at, day)),
                        text(when(o.called_at, day)),
                        num(format!("{:.1}", o.beyond_minutes)),
                    ]
                })
                .collect(),
        ));
    }
    fairness_tables.push(table(
        "t-policy-changes",
        "Policy changes (port-local time)",
        &["Changed at", "By", "What changed"],
        fair.policy_changes
            .iter()
            .map(|c| {
                vec![
                    text(when(c.at, day)),
                    text(c.changed_by.as_deref().unwrap_or("not recorded")),
                    text(policy_difference(&c.before, &c.after)),
                ]
            })
            .collect(),
    ));
    fairness_tables.push(table(
        "t-share-periods",
        "The walk-in share under each policy: calls made while both queues waited, against \
         the target in force",
        &[
            "From",
            "To",
            "Target",
            "Both waiting (min)",
            "Calls",
            "Persons",
            "Walk-in persons",
            "Walk-in share",
            "Stretches",
            "Off the share",
        ],
        fair.periods
            .iter()
            .map(|p| {
                vec![
                    text(when(p.from, day)),
                    text(when(p.to, day)),
                    num(pct(Some(p.target))),
                    num(format!("{:.1}", p.both_waiting_minutes)),
                    num(p.calls_while_both_waited),
                    num(p.persons_called_while_both_waited),
                    num(p.walkin_persons_called_while_both_waited),
                    num(pct(p.walkin_share_called)),
                    num(p.stretches),
                    num(p.stretches_off_share),
                ]
            })
            .collect(),
    ));
    let fairness = Section {
        id: "fairness",
        title: "Fairness".into(),
        notes: vec![
            "The walk-in share applies only while both queues have someone who may be called: \
             it is measured over the calls made then, each against the target in force at \
             that moment. A stretch is a run of such calls under one policy; it keeps the \
             share when walk-in persons called differ from the target by at most two of the \
             largest parties waiting."
                .into(),
        ],
        charts: Vec::new(),
        tables: fairness_tables,
    };

    let e = &f.estimates;
    let estimates = Section {
        id: "estimates",
        title: "Call-time estimates on tickets".into(),
        notes: Vec::new(),
        charts: Vec::new(),
        tables: vec![table(
            "t-estimates",
            "How good the printed call windows were",
            &["Measure", "Value"],
            vec![
                vec![
                    text("First calls of tickets with a window"),
                    num(e.calls_with_estimate),
                ],
                vec![text("Called within the window"), num(e.within_window)],
                vec![text("Called before the window"), num(e.before_window)],
                vec![text("Called after the window"), num(e.after_window)],
                vec![
                    text(format!(
                        "Median distance from the window (min; target {:.0} or less)",
                        e.target_median_abs_error_minutes
                    )),
                    num(mins(e.median_abs_error_minutes)),
                ],
                vec![
                    text(format!(
                        "Share called after the window (target {} or less)",
                        pct(Some(e.target_after_window_share))
                    )),
                    num(pct(e.after_window_share)),
                ],
                vec![
                    text(format!(
                        "Share called before the window (target {} or less)",
                        pct(Some(e.target_after_window_share))
                    )),
                    num(pct(e.before_window_share)),
                ],
                vec![
                    text("Median window width, latest minus earliest (min)"),
                    num(mins(e.median_width_minutes)),
                ],
                vec![
                    text("Targets met"),
                    num(match e.meets_targets {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "–",
                    }),
                ],
            ],
        )],
    };

    let desks = Section {
        id: "desks",
        title: "Officers and counters".into(),
        notes: vec![
            "Calls are first calls; service time runs from the call to served or no-show.".into(),
        ],
        charts: Vec::new(),
        tables: vec![
            table(
                "t-officers",
                "Per officer",
                &[
                    "Officer",
                    "Calls",
                    "Recalls",
                    "Served",
                    "No-show",
                    "Median service (min)",
                ],
                f.officers
                    .iter()
                    .map(|o| {
                        vec![
                            text(&o.name),
                            num(o.calls),
                            num(o.recalls),
                            num(o.served),
                            num(o.no_show),
                            num(mins(o.median_service_minutes)),
                        ]
                    })
                    .collect(),
            ),
            table(
                "t-counters",
                "Per counter",
                &[
                    "Counter",
                    "Calls",
                    "Recalls",
                    "Served",
                    "No-show",
                    "Median service (min)",
                ],
                f.counters
                    .iter()
                    .map(|c| {
                        vec![
                            text(c.counter.map_or_else(|| "none".into(), |n| n.to_string())),
                            num(c.calls),
                            num(c.recalls),
                            num(c.served),
                            num(c.no_show),
                            num(mins(c.median_service_minutes)),
                        ]
                    })
                    .collect(),
            ),
        ],
    };
    vec![arrivals, outcomes, waits, fairness, estimates, desks]
}

/// One row of a waits table.
fn wait_cells(label: String, calls: u32, eligible: &Spread, arrival: &Spread) -> Vec<Cell> {
    vec![
        text(label),
        num(calls),
        num(mins(eligible.median)),
        num(mins(eligible.p90)),
        num(mins(eligible.max)),
        num(mins(arrival.median)),
        num(mins(arrival.p90)),
        num(mins(arrival.max)),
    ]
}

const WAIT_HEAD: [&str; 8] = [
    "Group",
    "Calls",
    "Median from eligible",
    "90th pct from eligible",
    "Longest from eligible",
    "Median from arrival",
    "90th pct from arrival",
    "Longest from arrival",
];

/// Groups of a waits table: all, each queue class, each tier.
fn wait_groups(waits: &Waits) -> Vec<(String, portqueue_core::reports::WaitFigures)> {
    let mut groups = vec![("All calls".to_owned(), waits.all)];
    for class in Class::ALL {
        if let Some(w) = waits.by_class.get(class.as_str()) {
            groups.push((format!("{} queue", capital(class.label())), *w));
        }
    }
    for tier in Tier::ALL {
        if let Some(w) = waits.by_tier.get(tier.as_str()) {
            groups.push((capital(tier.label()), *w));
        }
    }
    groups
}

fn waits_table(id: &str, caption: &str, waits: &Waits) -> Table {
    table(
        id,
        caption,
        &WAIT_HEAD,
        wait_groups(waits)
            .into_iter()
            .map(|(label, w)| wait_cells(label, w.calls, &w.from_eligible, &w.from_arrival))
            .collect(),
    )
}

fn capital(s: &str) -> String {
    super::error::capitalise(s)
}

fn policy_rows(p: &Policy) -> Vec<Vec<Cell>> {
    vec![
        vec![text("Walk-in share"), num(pct(Some(p.walkin_share)))],
        vec![
            text("Priority counts earlier by (min)"),
            num(p.priority_boost_minutes),
        ],
        vec![text("Early window (min)"), num(p.early_window_minutes)],
        vec![text("Late window (min)"), num(p.late_window_minutes)],
        vec![text("Recalls before no-show"), num(p.max_recalls)],
        vec![
            text("Service minutes per person"),
            num(p.minutes_per_person),
        ],
    ]
}

fn report_url(code: &str, query: &str) -> String {
    format!("/ports/{code}/reports?{query}")
}

fn day_nav(code: &str, date: NaiveDate) -> Vec<Link> {
    let week_start = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    let month_start = date.with_day(1).unwrap_or(date);
    let month_end = month_start
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(date);
    let mut nav = Vec::new();
    if let Some(prev) = date.pred_opt() {
        nav.push(Link {
            href: report_url(code, &format!("date={prev}")),
            label: format!("Previous day ({prev})"),
        });
    }
    if let Some(next) = date.succ_opt() {
        nav.push(Link {
            href: report_url(code, &format!("date={next}")),
            label: format!("Next day ({next})"),
        });
    }
    nav.push(Link {
        href: report_url(
            code,
            &format!("from={week_start}&to={}", week_start + Duration::days(6)),
        ),
        label: format!("Week of {}", week_start.format("%-d %B")),
    });
    nav.push(Link {
        href: report_url(code, &format!("from={month_start}&to={month_end}")),
        label: format!("Month of {}", month_start.format("%B %Y")),
    });
    nav
}

/// The page of one day's report.
pub fn day_view(report: &DailyReport, standalone: bool) -> ReportView {
    let date = report.date;
    let code = report.port.clone();
    let f = &report.figures;
    let hours_note = if report.hours == 24 {
        String::new()
    } else {
        format!(", a {}-hour day (clocks changed)", report.hours)
    };
    // A day not over is read "as of" a moment: said at the top and in every "at the end".
    let as_of = report.as_of.map(|t| t.format("%H:%M").to_string());
    let at_end = as_of
        .as_ref()
        .map_or_else(|| "at the end of the day".to_owned(), |t| format!("at {t}"));
    let mut glance_notes = Vec::new();
    if let Some(t) = &as_of {
        glance_notes.push(format!(
            "The day is not over: figures as of {t} ({} time). Waits of parties still \
             waiting are counted to {t} and shown apart; hours from then on are not shown; \
             bookings whose slot plus the late window is still ahead are \"not yet due\".",
            report.time_zone
        ));
    }
    let e = &f.estimates;
    let glance_waits: Vec<Vec<Cell>> = Class::ALL
        .iter()
        .filter_map(|class| {
            let w = f.waits.by_class.get(class.as_str())?;
            Some(vec![
                text(format!("{} queue", capital(class.label()))),
                num(w.calls),
                num(mins(w.from_eligible.median)),
                num(mins(w.from_eligible.p90)),
                num(w.still_waiting),
                num(mins(w.still_waiting_so_far.max)),
            ])
        })
        .collect();
    let glance = Section {
        id: "glance",
        title: "At a glance".into(),
        notes: glance_notes,
        charts: Vec::new(),
        tables: vec![
            table(
                "t-glance",
                match &as_of {
                    Some(t) => format!("The day so far, as of {t}"),
                    None => "The day in short".to_owned(),
                },
                &["Figure", "Value"],
                vec![
                    vec![text("Parties arrived"), num(f.outcomes.arrived)],
                    vec![text("Parties served"), num(f.outcomes.served)],
                    vec![
                        text(format!("Still open {at_end}")),
                        num(f.outcomes.waiting),
                    ],
                    vec![text("Fairness"), text(verdict(&f.fairness))],
                    vec![
                        text("Calls after the printed window"),
                        num(pct(e.after_window_share)),
                    ],
                    vec![
                        text("Calls before the printed window"),
                        num(pct(e.before_window_share)),
                    ],
                    vec![
                        text("Median width of the printed windows (min)"),
                        num(mins(e.median_width_minutes)),
                    ],
                ],
            ),
            table(
                "t-glance-waits",
                format!(
                    "Waits by queue, in minutes from eligible to the first call; parties still \
                     waiting {at_end} apart"
                ),
                &[
                    "Queue",
                    "Calls",
                    "Median wait",
                    "90th pct wait",
                    "Still waiting",
                    "Longest so far",
                ],
                glance_waits,
            ),
        ],
    };
    let repeated = report.hours > 24;
    let hourly_rows: Vec<Vec<Cell>> = report
        .hourly
        .iter()
        .map(|h| {
            let mut label = if repeated {
                h.start.format("%H:%M (UTC%:z)").to_string()
            } else {
                h.label.clone()
            };
            if h.in_progress {
                if let Some(t) = &as_of {
                    label.push_str(&format!(" (so far, to {t})"));
                }
            }
            vec![
                text(label),
                num(h.arrivals),
                num(h.walk_ins),
                num(h.check_ins),
                num(h.calls),
                num(h.queue_length),
            ]
        })
        .collect();
    let hourly = Section {
        id: "hourly",
        title: "Hour by hour".into(),
        notes: Vec::new(),
        charts: vec![
            core_reports::hourly_chart_svg(report, HourlyChart::ArrivalsAndCalls),
            core_reports::hourly_chart_svg(report, HourlyChart::QueueLength),
        ],
        tables: vec![Table {
            long: true,
            ..table(
                "t-hourly",
                "Hour by hour (port-local hours; queue length is parties waiting to be \
                 called at the end of the hour)",
                &[
                    "Hour",
                    "Arrivals",
                    "Walk-ins",
                    "Check-ins",
                    "First calls",
                    "Waiting at end",
                ],
                hourly_rows,
            )
        }],
    };
    let policy = Section {
        id: "policy",
        title: format!("Policy in force {at_end}"),
        notes: Vec::new(),
        charts: Vec::new(),
        tables: vec![table(
            "t-policy",
            "Queue policy",
            &["Setting", "Value"],
            policy_rows(&report.policy),
        )],
    };
    let mut sections = vec![glance];
    sections.extend(figure_sections(f, Some(date), &at_end));
    sections.insert(sections.len() - 1, hourly);
    sections.push(languages_section(&report.languages));
    sections.push(policy);
    sections.extend(warnings_section(&report.warnings));

    ReportView {
        standalone,
        heading: match &as_of {
            Some(t) => format!("Daily report: {}, as of {t}", long_date(date)),
            None => format!("Daily report: {}", long_date(date)),
        },
        subheading: format!(
            "Port {} ({}), {} time: {} to {}{hours_note}.",
            report.port,
            report.port_name,
            report.time_zone,
            report.day_start.format("%Y-%m-%d %H:%M %:z"),
            report.day_end.format("%Y-%m-%d %H:%M %:z"),
        ),
        date: date.to_string(),
        from: (date - Duration::days(6)).to_string(),
        to: date.to_string(),
        nav: day_nav(&code, date),
        downloads: downloads(&code, &format!("date={date}")),
        sections,
        what_if: Some(WhatIfForm {
            date: date.to_string(),
            walkin_percent: format!("{}", (report.policy.walkin_share * 1000.0).round() / 10.0),
            priority_boost_minutes: report.policy.priority_boost_minutes.to_string(),
            counters: String::new(),
            minutes_per_person: String::new(),
            errors: Vec::new(),
        }),
        form_first: false,
        code,
    }
}

/// The day's figures per applicant language: served, calls in their language or with an
/// interpreter under language matching, mean wait, interpreter requests.
fn languages_section(figures: &[core_reports::LanguageFigures]) -> Section {
    let rows = figures
        .iter()
        .map(|f| {
            vec![
                text(
                    languages::find(&f.language)
                        .map_or_else(|| f.language.clone(), |l| l.name.to_owned()),
                ),
                num(f.served_parties),
                num(f.served_persons),
                num(f.called_in_language),
                num(f.called_with_interpreter),
                num(pct(f.share_in_language)),
                num(mins(f.mean_wait_minutes)),
                num(f.interpreter_requests),
                num(f
                    .matching_extra_wait_minutes
                    .map_or_else(|| "–".to_owned(), |m| format!("{m:+.1}"))),
            ]
        })
        .collect();
    Section {
        id: "languages",
        title: "Languages".into(),
        notes: vec![
            "Calls under language matching only (counters opened with their languages):              \"in their language\" at a counter that covers it, \"with an interpreter\"              at one that does not. Waits from eligible to the first call, in minutes. \
             \"Extra wait from matching\": the day replayed with the counters' languages as \
             they were opened and closed, and again in the plain fair order; the difference \
             in each language's mean wait (negative: matching saved that much)."
                .into(),
        ],
        charts: Vec::new(),
        tables: vec![table(
            "t-languages",
            "Per applicant language",
            &[
                "Language",
                "Parties served",
                "Persons served",
                "Called in their language",
                "Called with an interpreter",
                "Share in their language",
                "Mean wait",
                "Interpreter requests",
                "Extra wait from matching",
            ],
            rows,
        )],
    }
}

fn warnings_section(warnings: &[String]) -> Option<Section> {
    (!warnings.is_empty()).then(|| Section {
        id: "warnings",
        title: "Warnings about the log".into(),
        notes: warnings.to_vec(),
        charts: Vec::new(),
        tables: Vec::new(),
    })
}

/// The page of a range of days.
pub fn range_view(report: &RangeReport, from: NaiveDate, to: NaiveDate) -> ReportView {
    let code = report.port.clone();
    let daily: Vec<Vec<Cell>> = report
        .daily
        .iter()
        .map(|d| {
            vec![
                Cell {
                    href: Some(report_url(&code, &format!("date={}", d.date))),
                    ..text(d.date.format("%a %Y-%m-%d").to_string())
                },
                num(d.hours),
                num(d.arrivals),
                num(d.calls),
                num(d.served),
                num(d.no_show),
                num(d.withdrawn),
                num(d.waiting_at_end),
                num(d.overtakes_beyond_bound),
            ]
        })
        .collect();
    let mut sections = vec![Section {
        id: "days",
        title: "Day by day".into(),
        notes: Vec::new(),
        charts: Vec::new(),
        tables: vec![table(
            "t-days",
            "Each day of the range (open a day for its hours and charts)",
            &[
                "Date",
                "Hours",
                "Arrivals",
                "First calls",
                "Served",
                "No-show",
                "Withdrawn",
                "Open at end",
                "Passes beyond bound",
            ],
            daily,
        )],
    }];
    sections.extend(figure_sections(
        &report.figures,
        None,
        "at the end of the last day",
    ));
    sections.extend(warnings_section(&report.warnings));
    let days = report.days;
    ReportView {
        standalone: false,
        heading: format!(
            "Report for {} to {} ({days} days)",
            from.format("%-d %B %Y"),
            to.format("%-d %B %Y")
        ),
        subheading: format!(
            "Port {} ({}). Counts are added up; medians and percentiles are worked out \
             again from every call of the range.",
            report.port, report.port_name
        ),
        date: to.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        nav: vec![Link {
            href: report_url(&code, &format!("date={to}")),
            label: format!("The last day alone ({to})"),
        }],
        downloads: downloads(&code, &format!("from={from}&to={to}")),
        sections,
        what_if: None,
        form_first: false,
        code,
    }
}

/// The what-if page: the settings and waits side by side, then every replayed party.
pub fn what_if_view(w: &WhatIf, form: WhatIfForm) -> ReportView {
    let code = w.port.clone();
    let day = Some(w.date);
    let settings = vec![
        vec![
            text("Walk-in share"),
            num(pct(Some(w.actual.policy.walkin_share))),
            num(pct(Some(w.simulated.policy.walkin_share))),
        ],
        vec![
            text("Priority counts earlier by (min)"),
            num(w.actual.policy.priority_boost_minutes),
            num(w.simulated.policy.priority_boost_minutes),
        ],
        vec![
            text("Counters"),
            num(w.actual.counters),
            num(w.simulated.counters),
        ],
        vec![
            text("Service minutes per person"),
            num(mins(w.observed_minutes_per_person)),
            num(w.simulated.policy.minutes_per_person),
        ],
        vec![
            text("Parties called before midnight"),
            num(w.actual.called),
            num(w.simulated.called),
        ],
        vec![
            text("Parties not called before midnight"),
            num(w.actual.not_called),
            num(w.simulated.not_called),
        ],
        vec![
            text("Walk-in share of persons served"),
            num(pct(w.actual.walkin_share_served)),
            num(pct(w.simulated.walkin_share_served)),
        ],
        vec![
            text("Passes beyond the priority bound"),
            num(w.actual.overtakes_beyond_bound),
            num(w.simulated.overtakes_beyond_bound),
        ],
    ];
    let side_by_side =
        |id: &str, caption: &str, pick: fn(&portqueue_core::reports::WaitFigures) -> Spread| {
            let actual = wait_groups(&w.actual.waits);
            let simulated = wait_groups(&w.simulated.waits);
            table(
                id,
                caption,
                &[
                    "Group",
                    "Calls, as it happened",
                    "Calls, replayed",
                    "Median, as it happened",
                    "Median, replayed",
                    "90th pct, as it happened",
                    "90th pct, replayed",
                    "Longest, as it happened",
                    "Longest, replayed",
                ],
                actual
                    .into_iter()
                    .zip(simulated)
                    .map(|((label, a), (_, s))| {
                        let (sa, ss) = (pick(&a), pick(&s));
                        vec![
                            text(label),
                            num(a.calls),
                            num(s.calls),
                            num(mins(sa.median)),
                            num(mins(ss.median)),
                            num(mins(sa.p90)),
                            num(mins(ss.p90)),
                            num(mins(sa.max)),
                            num(mins(ss.max)),
                        ]
                    })
                    .collect(),
            )
        };
    let entries: Vec<Vec<Cell>> = w
        .entries
        .iter()
        .map(|e| {
            vec![
                text(&e.ticket),
                text(class_label(e.actual_queue_class.as_str())),
                text(tier_label(e.tier.as_str())),
                num(e.party_size),
                text(when(e.arrived_at, day)),
                text(e.actual_called_at.map_or_else(
                    || format!("not called ({})", e.actual_status.label()),
                    |t| when(t, day),
                )),
                num(mins(e.actual_wait_minutes)),
                text(when(e.simulated_called_at, day)),
                num(e.simulated_counter),
                num(format!("{:.1}", e.simulated_wait_minutes)),
            ]
        })
        .collect();
    let sections = vec![
        Section {
            id: "what-if-settings",
            title: "Settings and results".into(),
            notes: vec![format!(
                "{} parties arrived this day and are replayed through the queue engine, as \
                 `portqueue simulate` does: every counter open from the first arrival, \
                 service of the given minutes per person, nobody absent. Entries carried in \
                 from the day before are left out of both sides. Both sides are counted as \
                 the report counts: waits of parties first called before midnight.",
                w.arrivals
            )],
            charts: Vec::new(),
            tables: vec![table(
                "t-what-if-settings",
                "The day and the replay",
                &["Setting or result", "As it happened", "Replayed"],
                settings,
            )],
        },
        Section {
            id: "what-if-waits",
            title: "Waits side by side".into(),
            notes: Vec::new(),
            charts: Vec::new(),
            tables: vec![
                side_by_side(
                    "t-what-if-eligible",
                    "Minutes from eligible to the first call",
                    |f| f.from_eligible,
                ),
                side_by_side(
                    "t-what-if-arrival",
                    "Minutes from arrival to the first call",
                    |f| f.from_arrival,
                ),
            ],
        },
        Section {
            id: "what-if-entries",
            title: "Party by party".into(),
            notes: Vec::new(),
            charts: Vec::new(),
            tables: vec![Table {
                long: true,
                ..table(
                    "t-what-if-entries",
                    "Each replayed party in ticket order (waits in minutes from eligible)",
                    &[
                        "Ticket",
                        "Queue",
                        "Tier",
                        "Persons",
                        "Arrived",
                        "Called",
                        "Wait",
                        "Replayed call",
                        "Counter",
                        "Replayed wait",
                    ],
                    entries,
                )
            }],
        },
    ];
    ReportView {
        standalone: false,
        heading: format!("What if: {}", long_date(w.date)),
        subheading: format!("Port {} ({}), {} time.", w.port, w.port_name, w.time_zone),
        date: w.date.to_string(),
        from: (w.date - Duration::days(6)).to_string(),
        to: w.date.to_string(),
        nav: vec![Link {
            href: report_url(&code, &format!("date={}", w.date)),
            label: format!("Back to the report of {}", w.date),
        }],
        // The JSON of a replay is the API's (`/reports/what-if`), which wants a token.
        downloads: Vec::new(),
        sections,
        what_if: Some(form),
        form_first: true,
        code,
    }
}

// ---- Templates --------------------------------------------------------------------------

#[derive(askama::Template)]
#[template(path = "report.html")]
struct ReportPage {
    l: Layout,
    v: ReportView,
    stylesheet: String,
    /// The day's text messages, on a day's report where any were queued or a gateway is set.
    texts: Option<crate::service::sms::DayFigures>,
}

#[derive(askama::Template)]
#[template(path = "report_standalone.html")]
struct StandalonePage<'a> {
    v: ReportView,
    css: &'a str,
}

/// The report as one standalone HTML document with its styles inline: what `portqueue
/// report --format html` prints, to open or print without the server.
pub fn standalone_html(report: &DailyReport) -> Result<String, askama::Error> {
    use askama::Template;
    let css = format!("{APP_STYLESHEET}\n{STYLESHEET}");
    StandalonePage {
        v: day_view(report, true),
        css: &css,
    }
    .render()
}

/// `/reports/report.css?v=HASH`: the URL changes with the file, so it may be cached long.
fn stylesheet_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let hash = Sha256::digest(STYLESHEET.as_bytes());
        format!("{STYLESHEET_PATH}?v={}", hex::encode(&hash[..6]))
    })
}

/// `GET /reports/report.css`.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(STYLESHEET)
}

// ---- Handlers ---------------------------------------------------------------------------

/// The query of the report pages: one `date`, or `from` and `to`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Which report a query asks for.
enum Wanted {
    Day(NaiveDate),
    Range(NaiveDate, NaiveDate),
}

impl ReportQuery {
    /// A range when `from` or `to` is given; else the day, by default today at the port.
    fn wanted(&self, today: NaiveDate) -> Result<Wanted, AppError> {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        if given(&self.from) || given(&self.to) {
            let (from, to) = both(
                reports::parse_date("from", self.from.as_deref()),
                reports::parse_date("to", self.to.as_deref()),
            )?;
            reports::check_range(from, to)?;
            Ok(Wanted::Range(from, to))
        } else if given(&self.date) {
            Ok(Wanted::Day(reports::parse_date(
                "date",
                self.date.as_deref(),
            )?))
        } else {
            Ok(Wanted::Day(today))
        }
    }
}

/// A report and its port, computed for the signed-in supervisor.
enum Computed {
    Day(Box<DailyReport>),
    Range(Box<RangeReport>, NaiveDate, NaiveDate),
}

async fn compute(
    state: &AppState,
    signed: &SignedIn,
    code: String,
    query: ReportQuery,
) -> WebResult<(Port, Computed)> {
    let actor = signed.actor.clone();
    Ok(state
        .run_report(move |conn, now| {
            let port = port_by_code(conn, &code)?;
            reports::require_reader(&actor, &port)?;
            let computed = match query.wanted(reports::today(&port, now))? {
                Wanted::Day(date) => {
                    Computed::Day(Box::new(reports::daily(conn, &actor, &port, date, now)?))
                }
                Wanted::Range(from, to) => Computed::Range(
                    Box::new(reports::range(conn, &actor, &port, from, to, now)?),
                    from,
                    to,
                ),
            };
            Ok((port, computed))
        })
        .await?)
}

/// `GET /ports/{code}/reports[?date=YYYY-MM-DD | ?from=&to=]`.
pub async fn page(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<ReportQuery>,
) -> WebResult<HttpResponse> {
    let (port, computed) = compute(&state, &signed, code.into_inner(), query.into_inner()).await?;
    let v = match &computed {
        Computed::Day(report) => day_view(report, false),
        Computed::Range(report, from, to) => range_view(report, *from, *to),
    };
    let texts = match &computed {
        Computed::Day(report) => {
            let (port_id, tz, date) = (port.id, port.tz(), report.date);
            let figures = state
                .run(move |conn, _| {
                    let (start, end) = portqueue_core::reports::day_bounds(date, tz);
                    crate::service::sms::day_figures(conn, port_id, start, end)
                })
                .await?;
            (state.text_messages || figures.queued > 0).then_some(figures)
        }
        Computed::Range(..) => None,
    };
    Ok(super::ok(&ReportPage {
        l: Layout::new(&signed, Some(&port), "reports"),
        v,
        stylesheet: stylesheet_url().to_owned(),
        texts,
    }))
}

fn download(body: String, content_type: &str, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

fn file_name(port: &Port, computed: &Computed, extension: &str) -> String {
    // Port codes are letters, digits and dashes: safe in a header.
    match computed {
        Computed::Day(r) => format!("portqueue-{}-{}.{extension}", port.code, r.date),
        Computed::Range(_, from, to) => {
            format!("portqueue-{}-{from}-to-{to}.{extension}", port.code)
        }
    }
}

/// `GET /ports/{code}/reports.csv?date=` and `reports.json` (or `?from=&to=`): the report as
/// a download. The JSON is the API's, for someone signed in to the pages (the API itself
/// wants a token); the CSV shows the same figures.
pub async fn download_report(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<(String, String)>,
    query: web::Query<ReportQuery>,
) -> WebResult<HttpResponse> {
    let (code, extension) = path.into_inner();
    let content_type = match extension.as_str() {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        _ => return Err(AppError::NotFound("reports come as .csv or .json".into()).into()),
    };
    let (port, computed) = compute(&state, &signed, code, query.into_inner()).await?;
    let body = match (&computed, content_type) {
        (Computed::Day(r), "application/json") => serde_json::to_string(r.as_ref()),
        (Computed::Range(r, _, _), "application/json") => serde_json::to_string(r.as_ref()),
        (Computed::Day(r), _) => Ok(core_reports::to_csv(r.as_ref())),
        (Computed::Range(r, _, _), _) => Ok(core_reports::to_csv(r.as_ref())),
    }
    .map_err(|e| AppError::Internal(format!("report JSON: {e}")))?;
    Ok(download(
        body,
        content_type,
        &file_name(&port, &computed, &extension),
    ))
}

/// The what-if query: the day and the settings to change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WhatIfQuery {
    pub date: Option<String>,
    #[serde(flatten)]
    pub settings: WhatIfInput,
}

/// `GET /ports/{code}/reports/what-if?date=&walkin_percent=&priority_boost_minutes=&counters=
/// &minutes_per_person=`: a read-only computation, so a GET form (linkable, no token needed).
pub async fn what_if(
    state: web::Data<AppState>,
    signed: SignedIn,
    code: web::Path<String>,
    query: web::Query<WhatIfQuery>,
) -> WebResult<HttpResponse> {
    let query = query.into_inner();
    let actor = signed.actor.clone();
    let code = code.into_inner();
    let form = WhatIfForm {
        date: query.date.clone().unwrap_or_default(),
        walkin_percent: query.settings.walkin_percent.clone(),
        priority_boost_minutes: query.settings.priority_boost_minutes.clone(),
        counters: query.settings.counters.clone(),
        minutes_per_person: query.settings.minutes_per_person.clone(),
        errors: Vec::new(),
    };
    let (port, replay) = state
        .run_report(move |conn, now| {
            let port = port_by_code(conn, &code)?;
            reports::require_reader(&actor, &port)?;
            let replay = both(
                reports::parse_date("date", query.date.as_deref()),
                query.settings.parse().map_err(AppError::from),
            )
            .and_then(|(date, params)| reports::what_if(conn, &actor, &port, date, &params, now));
            Ok((port, replay))
        })
        .await?;
    let layout = Layout::new(&signed, Some(&port), "reports");
    match replay {
        Ok(w) => Ok(super::ok(&ReportPage {
            l: layout,
            v: what_if_view(&w, form),
            stylesheet: stylesheet_url().to_owned(),
            texts: None,
        })),
        Err(AppError::Invalid(fields)) => {
            // The form again, each problem named, nothing computed.
            let form = WhatIfForm {
                errors: what_if_errors(&fields),
                ..form
            };
            let v = ReportView {
                standalone: false,
                code: port.code.clone(),
                heading: "What if: check the settings".into(),
                subheading: format!("Port {} ({}).", port.code, port.name),
                date: form.date.clone(),
                from: String::new(),
                to: String::new(),
                nav: vec![Link {
                    href: format!("/ports/{}/reports", port.code),
                    label: "Back to the reports".into(),
                }],
                downloads: Vec::new(),
                sections: Vec::new(),
                what_if: Some(form),
                form_first: true,
            };
            Ok(super::render(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &ReportPage {
                    l: layout,
                    v,
                    stylesheet: stylesheet_url().to_owned(),
                    texts: None,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The CSV and JSON downloads of the report a query names.
fn downloads(code: &str, query: &str) -> Vec<Link> {
    [("csv", "Download CSV"), ("json", "Download JSON")]
        .into_iter()
        .map(|(ext, label)| Link {
            href: format!("/ports/{code}/reports.{ext}?{query}"),
            label: label.into(),
        })
        .collect()
}
