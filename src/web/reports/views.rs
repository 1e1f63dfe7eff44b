//! The day and range pages: their headings, navigation and sections in order.

use chrono::{Datelike, Duration, NaiveDate};

use portqueue_core::reports::{DailyReport, RangeReport};

use super::sections::{
    figure_sections, glance, hourly, languages_section, policy, warnings_section,
};
use super::table::{Cell, Link, ReportView, Section, long_date, num, table, text};
use super::what_if::WhatIfForm;

pub(super) fn report_url(code: &str, query: &str) -> String {
    format!("/ports/{code}/reports?{query}")
}

/// The links of a day's page. `begun_next`: whether the next day has begun (not when the
/// day is today): a day not begun has no report, so no link to one.
fn day_nav(code: &str, date: NaiveDate, begun_next: bool) -> Vec<Link> {
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
    if let Some(next) = date.succ_opt().filter(|_| begun_next) {
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
    nav.push(Link {
        href: format!("/ports/{code}/reports/languages?date={date}"),
        label: format!("Languages on {date}"),
    });
    nav
}

/// The page of one day's report.
pub fn day_view(report: &DailyReport, standalone: bool) -> ReportView {
    let date = report.date;
    let code = report.port.clone();
    let f = &report.figures;
    let mut hours_note = if report.hours == 24 {
        String::new()
    } else {
        format!(", a {}-hour day (clocks changed)", report.hours)
    };
    // A day not over is read "as of" a moment: said at the top and in every "at the end".
    let as_of = report.as_of.map(|t| t.format("%H:%M").to_string());
    if let Some(t) = &as_of {
        hours_note.push_str(&format!(
            "; counted to {t} ({} hours)",
            hours_counted(report.hours_counted(), report.hours)
        ));
    }
    let at_end = as_of
        .as_ref()
        .map_or_else(|| "at the end of the day".to_owned(), |t| format!("at {t}"));
    let mut sections = vec![glance(report, &as_of, &at_end)];
    sections.extend(figure_sections(f, Some(date), &at_end, as_of.is_some()));
    sections.insert(sections.len() - 1, hourly(report, &as_of));
    sections.push(languages_section(&report.languages));
    sections.push(policy(report, &at_end));
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
        // A day read before its end is today: tomorrow has not begun.
        nav: day_nav(&code, date, report.complete),
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
        picker_errors: Vec::new(),
        code,
    }
}

/// The hours a day's figures cover: "24" for a day over, "15.25 of 24" for today read at
/// 15:15 (never the whole day for a day counted only to now).
fn hours_counted(counted: f64, hours: u32) -> String {
    if (counted - f64::from(hours)).abs() < 0.005 {
        return hours.to_string();
    }
    let counted = format!("{counted:.2}");
    let counted = counted.trim_end_matches('0').trim_end_matches('.');
    format!("{counted} of {hours}")
}

/// The page of a range of days.
pub fn range_view(report: &RangeReport, from: NaiveDate, to: NaiveDate) -> ReportView {
    let code = report.port.clone();
    // A range that ends today is counted up to the moment it is read.
    let as_of = report.as_of.map(|t| t.format("%H:%M").to_string());
    let daily: Vec<Vec<Cell>> = report
        .daily
        .iter()
        .map(|d| {
            let so_far = match &as_of {
                Some(t) if Some(d.date) == report.to => format!(" (so far, to {t})"),
                _ => String::new(),
            };
            vec![
                Cell {
                    href: Some(report_url(&code, &format!("date={}", d.date))),
                    ..text(format!("{}{so_far}", d.date.format("%a %Y-%m-%d")))
                },
                num(hours_counted(d.hours_counted, d.hours)),
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
    let at_end = as_of.as_ref().map_or_else(
        || "at the end of the last day".to_owned(),
        |t| format!("at {t} today"),
    );
    sections.extend(figure_sections(
        &report.figures,
        None,
        &at_end,
        as_of.is_some(),
    ));
    sections.push(languages_section(&report.languages));
    sections.extend(warnings_section(&report.warnings));
    let days = report.days;
    let day_word = if days == 1 { "day" } else { "days" };
    // Days after today are not counted (they have not begun): the heading says how far
    // the figures go.
    let counted = match (report.asked_to, report.to) {
        (Some(_), Some(last)) => format!(", up to today, {}", last.format("%-d %B")),
        _ => String::new(),
    };
    let as_of_note = as_of
        .as_ref()
        .map(|t| format!(", as of {t}"))
        .unwrap_or_default();
    let not_begun = match (report.asked_to, report.to) {
        (Some(asked), Some(last)) => format!(
            " The days after today ({} to {}) have not begun: they are not counted.",
            (last + Duration::days(1)).format("%-d %B"),
            asked.format("%-d %B")
        ),
        _ => String::new(),
    };
    ReportView {
        standalone: false,
        heading: format!(
            "Report for {} to {}{counted}{as_of_note} ({days} {day_word})",
            from.format("%-d %B %Y"),
            to.format("%-d %B %Y")
        ),
        subheading: format!(
            "Port {} ({}). Counts are added up; medians and percentiles are worked out \
             again from every call of the range.{not_begun}",
            report.port, report.port_name
        ),
        date: to.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        nav: {
            let last = report.to.unwrap_or(to);
            vec![Link {
                href: report_url(&code, &format!("date={last}")),
                label: format!("The last day alone ({last})"),
            }]
        },
        downloads: downloads(&code, &format!("from={from}&to={to}")),
        sections,
        what_if: None,
        form_first: false,
        picker_errors: Vec::new(),
        code,
    }
}

/// The CSV and JSON downloads of the report a query names.
pub(super) fn downloads(code: &str, query: &str) -> Vec<Link> {
    [("csv", "Download CSV"), ("json", "Download JSON")]
        .into_iter()
        .map(|(ext, label)| Link {
            href: format!("/ports/{code}/reports.{ext}?{query}"),
            label: label.into(),
        })
        .collect()
}
