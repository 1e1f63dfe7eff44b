//! The daily report's per-language figures, worked by hand for a small day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use portqueue_core::events::{EntrySnapshot, Event, EventKind, PassedOver};
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
        passed_over: None,
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
        passed_over: None,
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
        ..DayMatching::default()
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
        ..DayMatching::default()
    };
    assert!(matching_effect(&input, &yesterday).is_empty());
}

/// The fairness verdict on passes made for language, worked by hand. Counters 1 (Spanish)
/// and 2 (Punjabi) open with languages from 08:00, wait limit 20 min; standard walk-ins of
/// one. A (Punjabi, eligible 09:00) and B (Spanish, 09:05): at 09:10 counter 1 calls B,
/// passing A over (counter 2 covers Punjabi); at 09:20 counter 2 calls A. By the priority
/// bound alone that is a pass (A's effective time is earlier than B's), but it is within the
/// matching rule: one pass for language, passed over 0 min at it, within the limit, and the
/// verdict stays kept with no pass beyond the priority bound.
///
/// Then E (Punjabi, 10:00), F (Spanish, 10:05), G (Spanish, 10:06): counter 1 calls F at
/// 10:10 passing E over (within the rule), and G at 10:35 passing E over again, 25 min after
/// E was first passed over, beyond the 20-min limit: that pass breaks the rule and the
/// verdict is not kept, still with no pass beyond the priority bound.
#[test]
fn passes_for_language_are_judged_by_the_matching_rule_worked_by_hand() {
    use portqueue_core::model::Tier;
    use portqueue_core::reports::{CounterLanguageChange, DayMatching, daily_matched};
    let ticket = |entry_id: i64, language: &str, eligible| {
        let mut snap = snapshot(language, 1, eligible);
        snap.ticket = format!("W{entry_id}");
        registered(entry_id, snap)
    };
    let call = |entry_id: i64, when, counter: u32, passed: &[i64]| Event {
        counter: Some(counter),
        language_matched: Some(true),
        passed_over: Some(PassedOver {
            entries: passed.to_vec(),
            wait_limit_minutes: 20,
        }),
        ..event(entry_id, when, EventKind::Called, Some(REASON))
    };
    let day = |events: Vec<Event>| DayInput {
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
    let change = |counter: u32, when, language: Option<&str>| CounterLanguageChange {
        at: when,
        counter,
        languages: language.map(|l| vec![l.to_owned()]),
    };
    let matching = DayMatching {
        changes: vec![
            change(1, at(8, 0), Some("spa")),
            change(2, at(8, 0), Some("pan")),
        ],
        default_languages: vec!["eng".into()],
        wait_limit_minutes: 20,
    };
    let legit = vec![
        ticket(1, "pan", at(9, 0)),
        ticket(2, "spa", at(9, 5)),
        call(2, at(9, 10), 1, &[1]),
        call(1, at(9, 20), 2, &[]),
    ];

    let report = daily_matched(&day(legit.clone()), &matching);
    let fair = &report.figures.fairness;
    assert_eq!(fair.overtakes_beyond_bound, 0);
    let lp = &fair.language_passes;
    assert_eq!(
        (
            lp.passes,
            lp.parties,
            lp.longest_minutes,
            lp.wait_limit_minutes,
            lp.within_limit,
            lp.beyond_rule
        ),
        (1, 1, Some(0.0), Some(20), Some(true), 0)
    );
    assert!(lp.breaches.is_empty());
    assert!(fair.kept);

    // A call logged before calls recorded whom they passed: the pass is found from the
    // priority bound and the counters' recorded languages, and judged the same way.
    let mut old = legit.clone();
    old[2].passed_over = None;
    let old_report = daily_matched(&day(old), &matching);
    assert_eq!(old_report.figures.fairness.language_passes, *lp);
    assert!(old_report.figures.fairness.kept);

    // Counter 2 closed its languages at 09:05: nobody else covered Punjabi, so passing A
    // over broke the rule.
    let mut closed = matching.clone();
    closed.changes.push(change(2, at(9, 5), None));
    let closed_report = daily_matched(&day(legit.clone()), &closed);
    let breach = &closed_report.figures.fairness.language_passes.breaches;
    assert_eq!(breach.len(), 1);
    assert_eq!(
        (
            breach[0].passed_ticket.as_str(),
            breach[0].by_ticket.as_str(),
            breach[0].why.as_str()
        ),
        ("W1", "W2", "not_covered_elsewhere")
    );
    assert!(!closed_report.figures.fairness.kept);
    // So without the day's counter languages nothing vouches for the pass.
    assert!(!daily(&day(legit.clone())).figures.fairness.kept);
    // An urgent entry is never passed over.
    let mut urgent = legit.clone();
    if let Some(snap) = urgent[0].snapshot.as_mut() {
        snap.tier = Tier::Urgent;
    }
    let urgent_passes = daily_matched(&day(urgent), &matching)
        .figures
        .fairness
        .language_passes;
    assert_eq!(urgent_passes.breaches[0].why, "urgent");

    // The whole day: the second pass of E comes 25 min after its first.
    let mut whole = legit;
    whole.extend([
        ticket(5, "pan", at(10, 0)),
        ticket(6, "spa", at(10, 5)),
        ticket(7, "spa", at(10, 6)),
        call(6, at(10, 10), 1, &[5]),
        call(7, at(10, 35), 1, &[5]),
        call(5, at(10, 40), 2, &[]),
    ]);
    let report = daily_matched(&day(whole), &matching);
    let fair = &report.figures.fairness;
    assert_eq!(fair.overtakes_beyond_bound, 0);
    let lp = &fair.language_passes;
    assert_eq!(
        (
            lp.passes,
            lp.parties,
            lp.longest_minutes,
            lp.within_limit,
            lp.beyond_rule
        ),
        (3, 2, Some(25.0), Some(false), 1)
    );
    let b = &lp.breaches[0];
    assert_eq!(
        (
            b.passed_ticket.as_str(),
            b.by_ticket.as_str(),
            b.counter,
            b.passed_minutes,
            b.why.as_str()
        ),
        ("W5", "W7", Some(1), 25.0, "beyond_limit")
    );
    assert_eq!(b.called_at.to_rfc3339(), "2026-12-09T10:35:00+00:00");
    assert!(!fair.kept);

    // The same figures in the CSV and the kept form.
    let csv = to_csv(&report);
    assert!(
        csv.contains("fairness,language_passes.passes,,3\r\n"),
        "{csv}"
    );
    assert!(csv.contains("fairness,language_passes.beyond_rule,,1\r\n"));
    assert!(
        csv.contains("fairness,language_passes.breaches.why,W7,beyond_limit\r\n"),
        "{csv}"
    );
    let back = from_kept(&to_kept(&report)).unwrap();
    assert_eq!(back.figures.fairness.language_passes, *lp);
}

/// A week or a month adds the days' language figures: counts add up, the share is worked
/// out again, and the mean wait and the extra wait from matching are the days' means
/// weighted by the parties each is over. Worked by hand: Punjabi on day 1 (served 2 parties
/// of 3 persons, 1 call in language and 1 with an interpreter, mean wait 12.5 over 2 first
/// calls, 1 request, +5.0 over 2 parties) and day 2 (1 of 1, 1 in language, 20.0 over 1,
/// -1.0 over 4): 3 parties of 4 persons, share 2/3, mean wait (25 + 20) / 3 = 15.0, extra
/// (10 - 4) / 6 = +1.0. Haitian Creole only on day 2, without matching: its own figures.
#[test]
fn a_range_sums_the_days_language_figures_worked_by_hand() {
    use portqueue_core::reports::{LanguageFigures, sum, sum_languages};
    let figures = |language: &str,
                   served: (u32, u32),
                   calls: (u32, u32),
                   wait: Option<(f64, u32)>,
                   requests: u32,
                   extra: Option<(f64, u32)>| LanguageFigures {
        language: language.into(),
        served_parties: served.0,
        served_persons: served.1,
        called_in_language: calls.0,
        called_with_interpreter: calls.1,
        share_in_language: None,
        mean_wait_minutes: wait.map(|w| w.0),
        first_calls: wait.map_or(0, |w| w.1),
        interpreter_requests: requests,
        matching_extra_wait_minutes: extra.map(|e| e.0),
        matching_parties: extra.map_or(0, |e| e.1),
    };
    let day1 = vec![figures(
        "pan",
        (2, 3),
        (1, 1),
        Some((12.5, 2)),
        1,
        Some((5.0, 2)),
    )];
    let day2 = vec![
        figures("hat", (1, 1), (0, 0), Some((30.0, 1)), 0, None),
        figures("pan", (1, 1), (1, 0), Some((20.0, 1)), 0, Some((-1.0, 4))),
    ];
    let summed = sum_languages([day1.as_slice(), day2.as_slice()]);
    let hat = &summed[0];
    assert_eq!(
        (
            hat.language.as_str(),
            hat.served_parties,
            hat.share_in_language
        ),
        ("hat", 1, None)
    );
    assert_eq!(
        (hat.mean_wait_minutes, hat.matching_extra_wait_minutes),
        (Some(30.0), None)
    );
    let pan = &summed[1];
    assert_eq!(
        (
            pan.served_parties,
            pan.served_persons,
            pan.called_in_language,
            pan.called_with_interpreter,
            pan.interpreter_requests
        ),
        (3, 4, 2, 1, 1)
    );
    assert_eq!(pan.share_in_language, Some(2.0 / 3.0));
    assert_eq!((pan.mean_wait_minutes, pan.first_calls), (Some(15.0), 3));
    assert_eq!(
        (pan.matching_extra_wait_minutes, pan.matching_parties),
        (Some(1.0), 6)
    );

    // Through `sum`: the hand day of `per_language_figures_of_a_small_day_worked_by_hand`
    // twice (its Punjabi: 2 parties of 3 persons, waits 10 and 15) is its figures doubled,
    // with the same mean wait; in the range's JSON and CSV.
    let day = |date: NaiveDate, shift: chrono::Duration| DayInput {
        port_code: "SYS".into(),
        port_name: "San Ysidro".into(),
        date,
        tz: chrono_tz::UTC,
        policy: Policy::default(),
        policy_changes: Vec::new(),
        as_of: None,
        events: vec![
            registered(1, snapshot("pan", 2, at(9, 0) + shift)),
            registered(2, snapshot("pan", 1, at(9, 5) + shift)),
            Event {
                language_matched: Some(true),
                ..event(1, at(9, 10) + shift, EventKind::Called, Some(REASON))
            },
            Event {
                language_matched: Some(false),
                ..event(2, at(9, 20) + shift, EventKind::Called, Some(REASON))
            },
            event(1, at(9, 30) + shift, EventKind::Served, None),
            event(2, at(9, 40) + shift, EventKind::Served, None),
        ],
        booked: Vec::new(),
        officers: BTreeMap::new(),
    };
    let first = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
    let range = sum(&[
        daily(&day(first, chrono::Duration::zero())),
        daily(&day(first.succ_opt().unwrap(), chrono::Duration::days(1))),
    ]);
    let pan = &range.languages[0];
    assert_eq!(
        (
            pan.served_parties,
            pan.served_persons,
            pan.called_in_language,
            pan.called_with_interpreter,
            pan.share_in_language,
            pan.mean_wait_minutes,
            pan.first_calls
        ),
        (4, 6, 2, 2, Some(0.5), Some(12.5), 4)
    );
    let json = serde_json::to_value(&range).unwrap();
    assert_eq!(json["languages"][0]["served_persons"], 6);
    assert!(to_csv(&range).contains("languages,served_persons,pan,6\r\n"));
}

/// Interpreter requests count the parties whose request stands at the end of the day, or at
/// the report's `as_of`. Spanish: party 1 asked for 09:10, cancelled 09:12 (not counted);
/// party 2 asked for 09:10, cancelled 09:11, asked for again 09:20 (counted once); party 3
/// asked for 09:30, cancelled 11:00. Punjabi: party 4 asked for 10:30.
///
/// By hand, the whole day: Spanish 1 (party 2), Punjabi 1. As of 10:00: Spanish 2 (parties 2
/// and 3: party 3's cancel comes later), Punjabi none (its request comes later, so no row).
#[test]
fn only_interpreter_requests_still_standing_count_worked_by_hand() {
    let requested = |id, h, m| {
        event(
            id,
            at(h, m),
            EventKind::InterpreterRequested,
            Some("requested"),
        )
    };
    let cancelled = |id, h, m| {
        event(
            id,
            at(h, m),
            EventKind::InterpreterRequested,
            Some("cancelled"),
        )
    };
    let events = vec![
        registered(1, snapshot("spa", 1, at(9, 0))),
        registered(2, snapshot("spa", 1, at(9, 0))),
        registered(3, snapshot("spa", 2, at(9, 5))),
        registered(4, snapshot("pan", 1, at(9, 5))),
        requested(1, 9, 10),
        requested(2, 9, 10),
        cancelled(2, 9, 11),
        cancelled(1, 9, 12),
        requested(2, 9, 20),
        requested(3, 9, 30),
        requested(4, 10, 30),
        cancelled(3, 11, 0),
    ];
    let mut input = DayInput {
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
    let requests = |input: &DayInput| -> Vec<(String, u32)> {
        language_figures(input)
            .into_iter()
            .map(|f| (f.language, f.interpreter_requests))
            .collect()
    };
    assert_eq!(
        requests(&input),
        [("pan".to_owned(), 1), ("spa".to_owned(), 1)]
    );
    input.as_of = Some(at(10, 0));
    assert_eq!(requests(&input), [("spa".to_owned(), 2)]);
}
