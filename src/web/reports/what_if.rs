//! The what-if page: the day replayed under other settings, side by side with the day as
//! it happened.

use chrono::Duration;

use portqueue_core::reports::Spread;

use crate::service::reports::WhatIf;

use super::sections::wait_groups;
use super::table::{
    Cell, Link, ReportView, Section, Table, class_label, long_date, mins, num, pct, table, text,
    tier_label, when,
};
use super::views::report_url;

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

pub(super) fn what_if_errors(fields: &portqueue_core::validation::FieldErrors) -> Vec<WhatIfError> {
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
        picker_errors: Vec::new(),
        code,
    }
}
