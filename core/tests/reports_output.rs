//! Daylight-saving days, the CSV export and the SVG charts.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Tijuana;
use portqueue_core::events::{EntrySnapshot, Event, EventKind};
use portqueue_core::model::{Barrier, Class, Policy, Status, Tier};
use portqueue_core::reports::{
    DailyReport, DayInput, HourlyChart, daily, hourly_chart_svg, to_csv,
};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 time")
}

fn registered(id: i64, ticket: &str, language: &str, at: DateTime<Utc>) -> Event {
    Event {
        entry_id: id,
        at,
        actor_id: Some(1),
        kind: EventKind::Registered,
        from: None,
        to: Some(Status::Waiting),
        counter: None,
        snapshot: Some(EntrySnapshot {
            ticket: ticket.to_string(),
            class: Class::WalkIn,
            queue_class: Class::WalkIn,
            tier: Tier::Standard,
            party_size: 2,
            language: language.to_string(),
            barriers: vec![Barrier::Language],
            vulnerabilities: Vec::new(),
            arrived_at: at,
            eligible_at: at,
            slot_at: None,
            confirmation: None,
            punctuality: None,
            estimate: None,
        }),
        note: None,
        language_matched: None,
        passed_over: None,
    }
}

fn called(id: i64, at: DateTime<Utc>) -> Event {
    Event {
        entry_id: id,
        at,
        actor_id: Some(1),
        kind: EventKind::Called,
        from: Some(Status::Waiting),
        to: Some(Status::Called),
        counter: Some(1),
        snapshot: None,
        note: None,
        language_matched: None,
        passed_over: None,
    }
}

fn report(port_name: &str, date: NaiveDate, events: Vec<Event>) -> DailyReport {
    daily(&DayInput {
        port_code: "TJ1".to_string(),
        port_name: port_name.to_string(),
        date,
        tz: Tijuana,
        policy: Policy::default(),
        events,
        booked: Vec::new(),
        officers: BTreeMap::new(),
        policy_changes: Vec::new(),
        as_of: None,
    })
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn spring_forward_day_has_23_hours_without_a_2_oclock() {
    // 2026-03-08: Tijuana goes from 02:00 PST to 03:00 PDT.
    let r = report(
        "El Chaparral",
        date(2026, 3, 8),
        vec![registered(1, "W-001", "spa", utc("2026-03-08T10:30:00Z"))], // 03:30 PDT
    );
    assert_eq!(r.hours, 23);
    assert_eq!(r.hourly.len(), 23);
    assert_eq!(r.day_start.to_rfc3339(), "2026-03-08T00:00:00-08:00");
    assert_eq!(r.day_end.to_rfc3339(), "2026-03-09T00:00:00-07:00");
    let labels: Vec<&str> = r.hourly.iter().take(4).map(|h| h.label.as_str()).collect();
    assert_eq!(labels, ["00:00", "01:00", "03:00", "04:00"]);
    assert_eq!(r.hourly[2].arrivals, 1);
    assert_eq!(r.hourly.iter().map(|h| h.arrivals).sum::<u32>(), 1);
    assert_eq!(r.hourly[22].label, "23:00");
}

#[test]
fn fall_back_day_has_25_hours_and_each_0130_lands_in_its_own_hour() {
    // 2026-11-01: Tijuana goes from 02:00 PDT back to 01:00 PST; 01:30 happens twice.
    let first_0130 = utc("2026-11-01T08:30:00Z"); // 01:30 PDT
    let second_0130 = utc("2026-11-01T09:30:00Z"); // 01:30 PST
    let late = utc("2026-11-02T07:30:00Z"); // 23:30 PST
    assert_eq!(
        Tijuana
            .from_utc_datetime(&first_0130.naive_utc())
            .to_string(),
        "2026-11-01 01:30:00 PDT"
    );
    let r = report(
        "El Chaparral",
        date(2026, 11, 1),
        vec![
            registered(1, "W-001", "spa", first_0130),
            registered(2, "W-002", "spa", second_0130),
            registered(3, "W-003", "spa", late),
            called(1, utc("2026-11-01T10:15:00Z")), // 02:15 PST
        ],
    );
    assert_eq!(r.hours, 25);
    assert_eq!(r.hourly.len(), 25);
    assert_eq!(r.day_start.to_rfc3339(), "2026-11-01T00:00:00-07:00");
    assert_eq!(r.day_end.to_rfc3339(), "2026-11-02T00:00:00-08:00");
    assert_eq!(
        (r.hourly[1].label.as_str(), r.hourly[2].label.as_str()),
        ("01:00", "01:00")
    );
    assert_eq!(r.hourly[1].start.to_rfc3339(), "2026-11-01T01:00:00-07:00");
    assert_eq!(r.hourly[2].start.to_rfc3339(), "2026-11-01T01:00:00-08:00");
    let arrivals: Vec<u32> = r.hourly.iter().map(|h| h.arrivals).collect();
    assert_eq!((arrivals[1], arrivals[2], arrivals[24]), (1, 1, 1));
    assert_eq!(arrivals.iter().sum::<u32>(), 3);
    assert_eq!(r.hourly[3].label, "02:00");
    assert_eq!(r.hourly[3].calls, 1);
    // Waiting at the end of the first 01:00 hour: W-001; of the second: both; 02:00 hour:
    // W-002 (W-001 called); the last hour: W-002 and W-003.
    let queue: Vec<u32> = r.hourly.iter().map(|h| h.queue_length).collect();
    assert_eq!(
        (queue[0], queue[1], queue[2], queue[3], queue[24]),
        (0, 1, 2, 1, 2)
    );
}

/// Every figure of a small day with hostile text in it.
fn hostile_report() -> DailyReport {
    report(
        "@Port & <Gate>",
        date(2026, 6, 15),
        vec![
            registered(1, "-1+1", "=cmd|' /C calc'!A0", utc("2026-06-15T16:00:00Z")),
            registered(2, "+W-002", "spa", utc("2026-06-15T16:10:00Z")),
            called(2, utc("2026-06-15T16:40:00Z")),
        ],
    )
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let body = text
        .strip_prefix('\u{feff}')
        .expect("starts with a byte order mark");
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn scalar_leaves(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Object(map) => map.values().map(scalar_leaves).sum(),
        serde_json::Value::Array(items) => items.iter().map(scalar_leaves).sum(),
        _ => 1,
    }
}

#[test]
fn csv_neutralizes_cells_that_a_spreadsheet_would_run_as_formulas() {
    let r = hostile_report();
    let text = to_csv(&r);
    let rows = parse_csv(&text);
    for row in &rows {
        assert_eq!(row.len(), 4);
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "formula cell {cell:?} in {row:?}"
            );
        }
    }
    let has = |section: &str, metric: &str, key: &str, value: &str| {
        rows.iter()
            .any(|r| r[0] == section && r[1] == metric && r[2] == key && r[3] == value)
    };
    assert!(has("report", "port_name", "", "'@Port & <Gate>"));
    // The language as a breakdown key, and the ticket as a list key and as a value.
    assert!(has(
        "walk_ins",
        "by_language.parties",
        "'=cmd|' /C calc'!A0",
        "1"
    ));
    assert!(has("outcomes", "carried_over.ticket", "'-1+1", "'-1+1"));
    assert!(has("outcomes", "carried_over.status", "'+W-002", "called"));
    // Plain figures are untouched.
    assert!(has("walk_ins", "parties", "", "2"));
    assert!(has("walk_ins", "by_barrier.persons", "language", "4"));
    assert!(has("hourly", "arrivals", "2026-06-15T09:00:00-07:00", "2"));
}

#[test]
fn csv_has_one_row_for_every_figure_of_the_json() {
    let r = hostile_report();
    let rows = parse_csv(&to_csv(&r));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(rows.len(), scalar_leaves(&json));
}

/// Checks that every tag is closed in order (enough for the documents we write).
fn assert_balanced(svg: &str) {
    let mut open: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("a closed tag") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap().to_string();
            open.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "unclosed {open:?}");
}

#[test]
fn svg_charts_have_a_title_axis_labels_and_one_bar_or_point_per_hour() {
    let r = hostile_report();
    let bars = hourly_chart_svg(&r, HourlyChart::ArrivalsAndCalls);
    assert!(bars.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(bars.contains("role=\"img\""));
    assert!(bars.contains("<title id=\"pq-arrivals-calls-title\">Arrivals and calls per hour"));
    assert!(bars.contains("<desc id=\"pq-arrivals-calls-desc\">"));
    assert!(bars.contains("Total arrivals 2, total calls 1"));
    assert!(bars.contains(">Hour of the day (port-local time, America/Tijuana)</text>"));
    assert!(bars.contains(">Parties</text>"));
    assert!(bars.contains("@Port &amp; &lt;Gate&gt;"));
    assert!(!bars.contains("<Gate>"));
    assert_eq!(bars.matches("class=\"bar arrivals\"").count(), 24);
    assert_eq!(bars.matches("class=\"bar calls\"").count(), 24);
    // Told apart by pattern, not colour: arrivals hatched.
    assert!(bars.contains("fill=\"url(#pq-arrivals-calls-hatch)\""));
    assert_eq!(bars.matches("class=\"hour\"").count(), 24);
    assert_balanced(&bars);

    let line = hourly_chart_svg(&r, HourlyChart::QueueLength);
    assert!(line.contains("<title id=\"pq-queue-length-title\">Queue length"));
    assert!(line.contains(">Parties waiting</text>"));
    assert_eq!(line.matches("class=\"point\"").count(), 24);
    assert_eq!(line.matches("<polyline").count(), 1);
    assert_balanced(&line);
}

#[test]
fn svg_on_a_fall_back_day_has_25_bars_and_marks_the_repeated_hour() {
    let r = report(
        "El Chaparral",
        date(2026, 11, 1),
        vec![registered(1, "W-001", "spa", utc("2026-11-01T09:30:00Z"))],
    );
    let svg = hourly_chart_svg(&r, HourlyChart::ArrivalsAndCalls);
    assert_eq!(svg.matches("class=\"bar arrivals\"").count(), 25);
    assert!(svg.contains(">01*</text>"));
    assert!(svg.contains("Clocks went back"));
    assert_balanced(&svg);
}
