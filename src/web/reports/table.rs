//! The table model every report page is made of: sections of captioned tables, and the
//! few ways a figure is written (minutes, shares, times, labels).

use chrono::{DateTime, FixedOffset, NaiveDate};

use portqueue_core::reports::Count;
use portqueue_core::{Class, Tier, languages};

use super::what_if::WhatIfForm;

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
    /// What a table that lists only part of its rows says below them.
    pub more: Option<More>,
}

/// The line under a table cut short: how many rows there are and where to read them all.
pub struct More {
    pub text: String,
    /// Whether the port's live queue (a link on the page) lists the rest: for a report read
    /// as of now, whose rows still wait.
    pub live_queue: bool,
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
    /// What is wrong with the dates asked for (`date`, `from`, `to`), shown beside the
    /// pickers, which keep what was typed: a supervisor who asked for too many days or a
    /// day not yet begun corrects the dates where they are.
    pub picker_errors: Vec<(String, String)>,
}

impl ReportView {
    /// The problem with the picker field `field`, if any.
    pub fn picker_error(&self, field: &str) -> Option<&str> {
        self.picker_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

pub(super) fn text(t: impl Into<String>) -> Cell {
    Cell {
        text: t.into(),
        num: false,
        href: None,
    }
}

pub(super) fn num(n: impl ToString) -> Cell {
    Cell {
        text: n.to_string(),
        num: true,
        href: None,
    }
}

/// A table; a column's head is aligned as its cells are (numbers to the right).
pub(super) fn table(
    id: &str,
    caption: impl Into<String>,
    head: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Table {
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
        more: None,
    }
}

/// Tables longer than this may break across printed pages; shorter ones are kept whole.
const LONG_TABLE_ROWS: usize = 30;

/// Minutes with one decimal; a dash without samples.
pub(super) fn mins(m: Option<f64>) -> String {
    m.map_or_else(|| "–".to_owned(), |m| format!("{m:.1}"))
}

/// A share as a percentage with one decimal; a dash without samples.
pub(super) fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

/// A time of the report: `09:12` on its own day, with the date otherwise.
pub(super) fn when(t: DateTime<FixedOffset>, day: Option<NaiveDate>) -> String {
    if Some(t.date_naive()) == day {
        t.format("%H:%M").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}

pub(super) fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

pub(super) fn count_row(label: impl Into<String>, count: Option<&Count>) -> Vec<Cell> {
    let count = count.copied().unwrap_or_default();
    vec![text(label), num(count.parties), num(count.persons)]
}

pub(super) fn class_label(name: &str) -> String {
    name.parse::<Class>()
        .map_or_else(|_| name.to_owned(), |c| c.label().to_owned())
}

pub(super) fn tier_label(name: &str) -> String {
    name.parse::<Tier>()
        .map_or_else(|_| name.to_owned(), |t| t.label().to_owned())
}

pub(super) fn language_label(code: &str) -> String {
    languages::find(code).map_or_else(|| code.to_owned(), |l| format!("{} ({code})", l.name))
}

/// "yes", "no", or a dash when not measured.
pub(super) fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "–",
    }
}

pub(super) fn capital(s: &str) -> String {
    crate::web::error::capitalise(s)
}
