//! The daily report's per-language figures, worked by hand for a small day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use portqueue_core::events::{EntrySnapshot, Event, EventKind};
use portqueue_core::model::{Class, Policy, Status, Tier};
use portqueue_core::reports::{DayInput, daily, from_kept, language_figures, to_csv, to_kept};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 9, h, m, 0).unwrap()
}

fn snapshot(language: &str, party_size: u32, eligible: DateTime<Utc>) -> EntrySnapshot {
    EntrySnapshot {
        ticket: "W".into(),
        class: Class::WalkIn,
        queue_class: Class::WalkIn,
        tier: Tier::Standard,
        party_size,
        language: language.into(),
        barriers: Vec::new(),
        vulnerabilities: Vec::new(),
        arrived_at: eligible,
        eligible_at: eligible,
        slot_at: None,
        confirmation: None,
        punctuality: None,
        estimate: None,
    }
}

fn event(entry_id: i64, when: DateTime<Utc>, kind: EventKind, note: Option<&str>) -> Event {
    let to = match kind {
        EventKind::Called => Some(Status::Called),
        EventKind::Served => Some(Status::Served),
        _ => None,
    };
    Event {
        entry_id,
        at: when,
        actor_id: Some(1),
        kind,
        from: None,
        to,
        counter: Some(1),
        snapshot: None,
        note: note.map(str::to_owned),
        language_matched: None,
    }
}

fn registered(entry_id: i64, snap: EntrySnapshot) -> Event {
    Event {
        entry_id,
        at: snap.arrived_at,
        actor_id: Some(1),
        kind: EventKind::Registered,
        from: None,
        to: Some(Status::Waiting),
        counter: None,
        snapshot: Some(snap),
        note: None,
        language_matched: None,
    }
}

const REASON: &str = "walk-in, waiting since 09:00; walk-ins get 30% of officer time";

/// Four walk-ins. Punjabi: one party of 2 (eligible 09:00, called 09:10 at a Punjabi
/// counter, served 09:30) and one of 1 (eligible 09:05, called 09:20 with an interpreter as
/// no counter covered Punjabi, interpreter requested 09:21, served 09:40). Haitian Creole:
/// a party of 3 (eligible 09:00, called 09:30 before matching was on, served 10:00) and one
/// of 1 (eligible 09:15, called 09:45 at a counter that covers it, not yet served).
///
/// By hand: Punjabi served 2 parties, 3 persons; called in language 1, with an interpreter
/// 1, share 1/2; mean wait (10 + 15) / 2 = 12.5 min; 1 interpreter request. Haitian Creole
/// served 1 party, 3 persons; 1 called in language, none with an interpreter (the call
/// without matching counts in neither), share 1; mean wait (30 + 30) / 2 = 30 min.
#[test]
fn per_language_figures_of_a_small_day_worked_by_hand() {
    let events = vec![
        registered(1, snapshot("pan", 2, at(9, 0))),
        registered(3, snapshot("hat", 3, at(9, 0))),
        registered(2, snapshot("pan", 1, at(9, 5))),
        // The calls' own fact, whatever their note says.
        Event {
            language_matched: Some(true),
            ..event(1, at(9, 10), EventKind::Called, Some(REASON))
        },
        registered(4, snapshot("hat", 1, at(9, 15))),
        Event {
            language_matched: Some(false),
            ..event(2, at(9, 20), EventKind::Called, Some(REASON))
        },
        event(
            2,
            at(9, 21),
            EventKind::InterpreterRequested,
            Some("requested"),
        ),
        event(1, at(9, 30), EventKind::Served, None),
        event(3, at(9, 30), EventKind::Called, Some(REASON)),
        event(2, at(9, 40), EventKind::Served, None),
        // A call logged before calls carried the fact: its note's language line says it.
        event(
            4,
            at(9, 45),
            EventKind::Called,
            Some(&format!("{REASON}; Haitian Creole: this counter covers it")),
        ),
        event(3, at(10, 0), EventKind::Served, None),
    ];
    let input = DayInput {
        port_code: "SYS".into(),
        port_name: "San Ysidro".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
        tz: chrono_tz::UTC,
        policy: Policy::default(),
        policy_changes: Vec::new(),
        as_of: None,
        events,
        booked: Vec::new(),
        officers: BTreeMap::new(),
    };
    let figures = language_figures(&input);
    let summary: Vec<_> = figures
        .iter()
        .map(|f| {
            (
                f.language.as_str(),
                f.served_parties,
                f.served_persons,
                f.called_in_language,
                f.called_with_interpreter,
                f.share_in_language,
                f.mean_wait_minutes,
                f.interpreter_requests,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("hat", 1, 3, 1, 0, Some(1.0), Some(30.0), 0),
            ("pan", 2, 3, 1, 1, Some(0.5), Some(12.5), 1),
        ]
    );

    // The same figures are the daily report's `languages` section, in its JSON and CSV.
    let report = daily(&input);
    assert_eq!(report.languages, figures);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["languages"][1]["language"], "pan");
    assert_eq!(json["languages"][1]["called_with_interpreter"], 1);
    assert_eq!(json["languages"][1]["share_in_language"], 0.5);
    let csv = to_csv(&report);
    for row in [
        "languages,called_in_language,hat,1",
        "languages,called_with_interpreter,pan,1",
        "languages,share_in_language,pan,0.5",
        "languages,mean_wait_minutes,pan,12.5",
        "languages,interpreter_requests,pan,1",
    ] {
        assert!(csv.lines().any(|l| l == row), "{row} in\n{csv}");
    }
    // Kept and read back whole.
    assert_eq!(from_kept(&to_kept(&report)).unwrap(), report);
}

/// The cost of matching, worked by hand. Counters 1 (Spanish) and 2 (Punjabi) open with
/// their languages from 08:59; four parties of one, eligible 09:00 in this order: A Punjabi,
/// B Spanish, C Punjabi, D Spanish.
///
/// As it happened (under matching): at 09:00 counter 1 passed A over and called B, counter 2
/// called A (and kept her 20 minutes); at 09:10 counter 1 passed C over and called D; at
/// 09:20 counter 2 called C. Waits: Punjabi (0 + 20) / 2 = 10, Spanish (0 + 10) / 2 = 5.
///
/// The same calls (09:00, 09:00, 09:10, 09:20) in the plain fair order call A, B, C, D:
/// Punjabi (0 + 10) / 2 = 5, Spanish (0 + 20) / 2 = 10.
///
/// So matching cost Punjabi speakers 5 minutes and saved Spanish speakers 5.
#[test]
fn what_matching_cost_or_saved_each_language_worked_by_hand() {
    use portqueue_core::reports::{
        CounterLanguageChange, DayMatching, add_matching_effect, matching_effect,
    };
    let at_counter = |entry_id: i64, when, kind, counter| Event {
        counter: Some(counter),
        ..event(entry_id, when, kind, Some(REASON))
    };
    let registrations = || {
        vec![
            registered(1, snapshot("pan", 1, at(9, 0))),
            registered(2, snapshot("spa", 1, at(9, 0))),
            registered(3, snapshot("pan", 1, at(9, 0))),
            registered(4, snapshot("spa", 1, at(9, 0))),
        ]
    };
    let day = |calls: Vec<Event>, as_of: Option<DateTime<Utc>>| DayInput {
        port_code: "SYS".into(),
        port_name: "San Ysidro".into(),
        date: NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
        tz: chrono_tz::UTC,
        policy: Policy::default(),
        policy_changes: Vec::new(),
        as_of,
        events: registrations().into_iter().chain(calls).collect(),
        booked: Vec::new(),
        officers: BTreeMap::new(),
    };
    let matched_calls = vec![
        at_counter(2, at(9, 0), EventKind::Called, 1),
        at_counter(1, at(9, 0), EventKind::Called, 2),
        at_counter(2, at(9, 10), EventKind::Served, 1),
        at_counter(4, at(9, 10), EventKind::Called, 1),
        at_counter(1, at(9, 20), EventKind::Served, 2),
        at_counter(3, at(9, 20), EventKind::Called, 2),
        at_counter(4, at(9, 30), EventKind::Served, 1),
        at_counter(3, at(9, 30), EventKind::Served, 2),
    ];
    let input = day(matched_calls.clone(), None);
    let change = |counter: u32, language: &str| CounterLanguageChange {
        at: at(8, 59),
        counter,
        languages: Some(vec![language.to_owned()]),
    };
    let matching = DayMatching {
        changes: vec![change(1, "spa"), change(2, "pan")],
    };
    let effect = matching_effect(&input, &matching);
    assert_eq!(
        effect.into_iter().collect::<Vec<_>>(),
        [("pan".to_owned(), 5.0), ("spa".to_owned(), -5.0)]
    );
    let mut report = daily(&input);
    add_matching_effect(&mut report, &input, &matching);
    let extra: Vec<_> = report
        .languages
        .iter()
        .map(|l| (l.language.as_str(), l.matching_extra_wait_minutes))
        .collect();
    assert_eq!(extra, [("pan", Some(5.0)), ("spa", Some(-5.0))]);

    // Read at 09:15: C is still waiting (15 min so far) and D was called at 09:10. The calls
    // so far (09:00, 09:00, 09:10) in the plain order call A, B, C, and D waits 15 min:
    // Punjabi (0 + 15) / 2 = 7.5 against (0 + 10) / 2 = 5, Spanish (0 + 10) / 2 = 5 against
    // (0 + 15) / 2 = 7.5.
    let at_15 = day(matched_calls, Some(at(9, 15)));
    assert_eq!(
        matching_effect(&at_15, &matching)
            .into_iter()
            .collect::<Vec<_>>(),
        [("pan".to_owned(), 2.5), ("spa".to_owned(), -2.5)]
    );

    // A day whose calls were in the plain fair order: matching changed nothing.
    let plain = day(
        vec![
            at_counter(1, at(9, 0), EventKind::Called, 1),
            at_counter(2, at(9, 0), EventKind::Called, 2),
            at_counter(2, at(9, 10), EventKind::Served, 2),
            at_counter(3, at(9, 10), EventKind::Called, 2),
            at_counter(3, at(9, 20), EventKind::Served, 2),
            at_counter(4, at(9, 20), EventKind::Called, 2),
        ],
        None,
    );
    assert_eq!(
        matching_effect(&plain, &matching)
            .into_values()
            .collect::<Vec<_>>(),
        [0.0, 0.0]
    );
    // Counters opened with languages the day before are not open: nothing to compare.
    let yesterday = DayMatching {
        changes: matching
            .changes
            .iter()
            .map(|c| CounterLanguageChange {
                at: c.at - chrono::Duration::days(1),
                ..c.clone()
            })
            .collect(),
    };
    assert!(matching_effect(&input, &yesterday).is_empty());
}
