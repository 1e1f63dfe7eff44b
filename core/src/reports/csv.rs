//! The report as a flat CSV that opens right in a spreadsheet.

use serde::Serialize;
use serde_json::Value;

use super::{DailyReport, RangeReport};

/// A report that [`to_csv`] can flatten: [`DailyReport`] and [`RangeReport`]. Sealed: only
/// types whose JSON is known to convert (string-keyed maps, plain values) may be flattened.
pub trait Report: Serialize + sealed::Sealed {}
impl Report for DailyReport {}
impl Report for RangeReport {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::DailyReport {}
    impl Sealed for super::RangeReport {}
}

/// Array items are named in the `key` column by the first of these fields they have.
const ITEM_KEYS: &[&str] = &[
    "start",
    "date",
    "ticket",
    "by_ticket",
    "officer_id",
    "name",
    "counter",
    "at",
    "from",
    "language",
];

/// The order of the top-level fields in the CSV (the JSON's order); others follow.
const SECTION_ORDER: &[&str] = &[
    "port",
    "port_name",
    "date",
    "from",
    "to",
    "asked_to",
    "days",
    "time_zone",
    "day_start",
    "day_end",
    "hours",
    "policy",
    "complete",
    "as_of",
    "walk_ins",
    "appointments",
    "outcomes",
    "waits",
    "fairness",
    "estimates",
    "officers",
    "counters",
    "languages",
    "hourly",
    "daily",
    "warnings",
];

/// The report as CSV with the columns `section,metric,key,value`, one figure a row, showing
/// exactly the figures of the JSON (it is generated from it):
///
/// - top-level values are in section `report` (`report,port,,TJ1`);
/// - `section` is the top-level object (`walk_ins`, `waits`, `hourly`, ...), `metric` the
///   dotted path inside it;
/// - `key` names what a `by_*` breakdown or a list item is about: a barrier, a language, a
///   tier, a class, an hour (its RFC 3339 start), a ticket, an officer
///   (`walk_ins,by_barrier.parties,language,3`; `hourly,calls,2026-03-08T09:00:00-08:00,4`);
/// - an empty value is JSON `null` (no samples).
///
/// Spreadsheets run cells that begin with `=`, `+`, `-` or `@` (and tab or carriage return)
/// as formulas, so every text cell that does is prefixed with a single quote; numbers are
/// written by us and left alone. The text starts with a UTF-8 byte order mark so that
/// spreadsheet programs read accented port names and languages correctly.
pub fn to_csv<R: Report>(report: &R) -> String {
    // Reports hold only string-keyed maps and plain values, which always convert.
    let value = serde_json::to_value(report).expect("a report serializes to JSON");
    let mut rows: Vec<[String; 4]> = Vec::new();
    if let Value::Object(top) = value {
        // JSON objects come back sorted by key; lead with the report's own order instead.
        let mut sections: Vec<(&String, &Value)> = top.iter().collect();
        sections.sort_by_key(|(name, _)| {
            SECTION_ORDER
                .iter()
                .position(|known| known == name)
                .unwrap_or(SECTION_ORDER.len())
        });
        for (name, value) in sections {
            if is_scalar(value) {
                rows.push(row("report", name, "", value));
            } else {
                walk(name, &mut Vec::new(), None, false, value, &mut rows);
            }
        }
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    for record in
        std::iter::once(["section", "metric", "key", "value"].map(String::from)).chain(rows)
    {
        writer.write_record(&record).expect("CSV written to memory");
    }
    let bytes = writer.into_inner().expect("CSV written to memory");
    format!(
        "\u{feff}{}",
        String::from_utf8(bytes).expect("CSV of UTF-8 cells")
    )
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn walk<'a>(
    section: &str,
    path: &mut Vec<&'a str>,
    key: Option<String>,
    breakdown: bool,
    value: &'a Value,
    rows: &mut Vec<[String; 4]>,
) {
    match value {
        Value::Object(map) => {
            for (name, child) in map {
                if breakdown {
                    // The children of a `by_*` breakdown name what is counted: `key`.
                    walk(
                        section,
                        path,
                        Some(join_key(&key, name)),
                        false,
                        child,
                        rows,
                    );
                } else {
                    path.push(name);
                    let child_breakdown = name.starts_with("by_");
                    walk(section, path, key.clone(), child_breakdown, child, rows);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let name = ITEM_KEYS
                    .iter()
                    .find_map(|field| item.get(field).filter(|v| !v.is_null()))
                    .map_or_else(|| index.to_string(), plain);
                walk(
                    section,
                    path,
                    Some(join_key(&key, &name)),
                    false,
                    item,
                    rows,
                );
            }
        }
        scalar => rows.push(row(
            section,
            &path.join("."),
            key.as_deref().unwrap_or(""),
            scalar,
        )),
    }
}

fn join_key(outer: &Option<String>, inner: &str) -> String {
    match outer {
        Some(outer) => format!("{outer}/{inner}"),
        None => inner.to_string(),
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn row(section: &str, metric: &str, key: &str, value: &Value) -> [String; 4] {
    let value = match value {
        Value::String(text) => neutralize(text),
        other => plain(other),
    };
    [
        neutralize(section),
        neutralize(metric),
        neutralize(key),
        value,
    ]
}

/// Prefixes a text cell that a spreadsheet would run as a formula with a single quote.
pub(crate) fn neutralize(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}
