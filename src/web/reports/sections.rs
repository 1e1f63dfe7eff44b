//! The sections of a report, one function each. Every report has [`figure_sections`], a
//! day's report also [`glance`], [`hourly`] and [`policy`].

use chrono::NaiveDate;

use portqueue_core::reports::{
    self as core_reports, Count, DailyReport, Figures, HourlyChart, Spread, Waits,
};
use portqueue_core::{Barrier, Class, Policy, Tier, languages};

use super::table::{
    Cell, More, Section, Table, capital, class_label, count_row, language_label, mins, num, pct,
    table, text, tier_label, when, yes_no,
};

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
    let language = language_passes(&f.language_passes)
        .map(|l| format!("; {l}"))
        .unwrap_or_default();
    format!(
        "{}: {bound}{language}; {share}",
        if f.kept { "Kept" } else { "Not kept" }
    )
}

/// The passes made for language under matching, in words for the verdict; `None` on a day
/// without any.
fn language_passes(p: &core_reports::LanguagePasses) -> Option<String> {
    if p.passes == 0 && p.beyond_rule == 0 {
        return None;
    }
    let passes = match p.passes {
        1 => "1 pass for language under matching".to_owned(),
        n => format!("{n} passes for language under matching"),
    };
    let rule = match p.beyond_rule {
        0 if p.passes == 1 => "within the matching rule".to_owned(),
        0 => "all within the matching rule".to_owned(),
        n => format!("{n} beyond the matching rule"),
    };
    let longest = match (p.longest_minutes, p.wait_limit_minutes) {
        (Some(longest), Some(limit)) => format!(
            " (longest passed over {longest:.1} min, limit {limit} min{})",
            if p.within_limit == Some(false) {
                ": beyond it"
            } else {
                ""
            }
        ),
        _ => String::new(),
    };
    Some(format!("{passes}, {rule}{longest}"))
}

/// Why a pass for language broke the matching rule, in words.
fn language_breach_why(why: &str) -> &'static str {
    match why {
        "urgent" => "urgent entries are never passed over",
        "beyond_limit" => "passed over for longer than the wait limit",
        "covered_by_calling_counter" => "the calling counter covered the language",
        "not_covered_elsewhere" => "no other open counter covered the language",
        _ => "outside the matching rule",
    }
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
/// the day", "at 15:00"); `as_of_now`: whether it ends now (today read before its end).
pub(super) fn figure_sections(
    f: &Figures,
    day: Option<NaiveDate>,
    at_end: &str,
    as_of_now: bool,
) -> Vec<Section> {
    vec![
        arrivals(f),
        outcomes(f, day, at_end, as_of_now),
        waits(f, at_end, as_of_now),
        fairness(f, day, at_end),
        estimates(f),
        desks(f),
    ]
}

/// Who came: walk-ins by barrier, tier and language, and the appointments.
fn arrivals(f: &Figures) -> Section {
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
    Section {
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
    }
}

/// Words for a report that ends now (today read before its end: its waits still run, "so
/// far") or one whose waits stopped at its end ("by then").
fn while_running(as_of_now: bool, running: &'static str, stopped: &'static str) -> &'static str {
    if as_of_now { running } else { stopped }
}

/// The most entries still open a page lists (the longest waits): a busy port has a thousand
/// and more, which the live queue and the downloads list whole.
pub const MAX_LISTED_STILL_OPEN: usize = 50;

/// What became of the entries, and those still open (the longest waits, at most
/// [`MAX_LISTED_STILL_OPEN`]).
fn outcomes(f: &Figures, day: Option<NaiveDate>, at_end: &str, as_of_now: bool) -> Section {
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
    let open = o.carried_over.len();
    let carried: Vec<Vec<Cell>> = o
        .carried_over
        .iter()
        .take(MAX_LISTED_STILL_OPEN)
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
        // A finished day's waits stopped at its end: "so far" only while the day runs.
        let counted = while_running(
            as_of_now,
            "waits still running, counted so far",
            "waits counted up to then",
        );
        let (caption, more) = if open > carried.len() {
            let listed = carried.len();
            (
                format!(
                    "Still open {at_end}: the {listed} longest waits of {open}, longest first \
                     ({counted})"
                ),
                Some(More {
                    text: format!(
                        "Only the {listed} longest waits of the {open} still open are listed \
                         here. The CSV and JSON downloads list all {open}."
                    ),
                    live_queue: as_of_now,
                }),
            )
        } else {
            (
                format!("Still open {at_end}, longest wait first ({counted})"),
                None,
            )
        };
        let mut carried_table = table(
            "t-carried-over",
            caption,
            &[
                "Ticket",
                "Queue",
                "Tier",
                "Persons",
                "Status",
                "Arrived",
                while_running(as_of_now, "Waited so far (min)", "Waited until then (min)"),
            ],
            carried,
        );
        carried_table.more = more;
        outcome_tables.push(carried_table);
    }
    Section {
        id: "outcomes",
        title: "Outcomes".into(),
        notes: Vec::new(),
        charts: Vec::new(),
        tables: outcome_tables,
    }
}

/// Waits until the first call, finished and still running.
/// `as_of_now`: the report ends now, so the waits still running are "so far".
fn waits(f: &Figures, at_end: &str, as_of_now: bool) -> Section {
    Section {
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
                    while_running(as_of_now, "Median so far", "Median by then"),
                    while_running(as_of_now, "90th pct so far", "90th pct by then"),
                    while_running(as_of_now, "Longest so far", "Longest by then"),
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
    }
}

/// The fair-queue guarantees as kept: the share, passes beyond the bound, policy changes.
fn fairness(f: &Figures, day: Option<NaiveDate>, at_end: &str) -> Section {
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
    let lp = &fair.language_passes;
    if lp.passes > 0 || lp.beyond_rule > 0 {
        fairness_rows.extend([
            vec![
                text(
                    "Passed over for language under matching (passes; not passes beyond the \
                     priority bound)",
                ),
                num(lp.passes),
            ],
            vec![text("Parties passed over for language"), num(lp.parties)],
            vec![
                text("Longest passed over at a pass for language (min)"),
                num(lp
                    .longest_minutes
                    .map_or("–".to_owned(), |m| format!("{m:.1}"))),
            ],
            vec![
                text("Wait limit for passing over (min)"),
                num(lp
                    .wait_limit_minutes
                    .map_or("–".to_owned(), |m| m.to_string())),
            ],
            vec![
                text("Every pass for language within the wait limit"),
                num(yes_no(lp.within_limit)),
            ],
            vec![
                text("Passes for language beyond the matching rule (expected 0)"),
                num(lp.beyond_rule),
            ],
        ]);
    }
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
    if !lp.breaches.is_empty() {
        fairness_tables.push(table(
            "t-language-breaches",
            format!(
                "Each pass for language beyond the matching rule ({} listed of {})",
                lp.breaches.len(),
                lp.beyond_rule
            ),
            &[
                "Passed",
                "Its language",
                "Called instead",
                "Called at",
                "Counter",
                "Passed over for (min)",
                "Why it breaks the rule",
            ],
            lp.breaches
                .iter()
                .map(|b| {
                    vec![
                        text(&b.passed_ticket),
                        text(if b.passed_language.is_empty() {
                            "none recorded".to_owned()
                        } else {
                            language_label(&b.passed_language)
                        }),
                        text(&b.by_ticket),
                        text(when(b.called_at, day)),
                        num(b.counter.map_or("–".to_owned(), |c| c.to_string())),
                        num(format!("{:.1}", b.passed_minutes)),
                        text(language_breach_why(&b.why)),
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
    Section {
        id: "fairness",
        title: "Fairness".into(),
        notes: vec![
            "The walk-in share applies only while both queues have someone who may be called: \
             it is measured over the calls made then, each against the target in force at \
             that moment. A stretch is a run of such calls under one policy; it keeps the \
             share when walk-in persons called differ from the target by at most two of the \
             largest parties waiting."
                .into(),
            "Under language matching a counter may call someone behind an entry whose \
             language it does not cover, while another open counter covers it, for at most \
             the port's wait limit, never an urgent one: such a pass is counted apart and \
             judged by that rule, not as a pass beyond the priority bound."
                .into(),
        ],
        charts: Vec::new(),
        tables: fairness_tables,
    }
}

/// How good the printed call windows were.
fn estimates(f: &Figures) -> Section {
    let e = &f.estimates;
    Section {
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
    }
}

/// Per officer and per counter.
fn desks(f: &Figures) -> Section {
    Section {
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
    }
}

/// A day at a glance: the few figures a supervisor reads first.
pub(super) fn glance(report: &DailyReport, as_of: &Option<String>, at_end: &str) -> Section {
    let f = &report.figures;
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
    Section {
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
                    while_running(as_of.is_some(), "Longest so far", "Longest by then"),
                ],
                glance_waits,
            ),
        ],
    }
}

/// Hour by hour, with the two charts.
pub(super) fn hourly(report: &DailyReport, as_of: &Option<String>) -> Section {
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
    Section {
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
    }
}

/// The policy in force at the end.
pub(super) fn policy(report: &DailyReport, at_end: &str) -> Section {
    Section {
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
    }
}

/// The day's figures per applicant language: served, calls in their language or with an
/// interpreter under language matching, mean wait, interpreter requests.
pub(super) fn languages_section(figures: &[core_reports::LanguageFigures]) -> Section {
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
            "Calls under language matching only (counters opened with their languages): \
             \"in their language\" at a counter that covers it, \"with an interpreter\" \
             at one that does not. \"Share of calls in their language\": calls in their \
             language out of the calls under matching, not out of the parties served. Waits \
             from eligible to the first call, in minutes. \
             \"Extra wait from matching\": each language's mean wait as the day happened, \
             against the same calls (same times) each made to the head of the plain fair \
             order (negative: matching saved that much). Over several days, the waits are \
             the days' means weighted by the parties each is over."
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
                "Share of calls in their language",
                "Mean wait",
                "Interpreter requests",
                "Extra wait from matching",
            ],
            rows,
        )],
    }
}

pub(super) fn warnings_section(warnings: &[String]) -> Option<Section> {
    (!warnings.is_empty()).then(|| Section {
        id: "warnings",
        title: "Warnings about the log".into(),
        notes: warnings.to_vec(),
        charts: Vec::new(),
        tables: Vec::new(),
    })
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
pub(super) fn wait_groups(waits: &Waits) -> Vec<(String, portqueue_core::reports::WaitFigures)> {
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
