//! `simulate` on fixed examples: a CSV file in, exact rows out; every input mistake named.

use chrono_tz::Tz;

use portqueue_core::model::Policy;
use portqueue_core::queue::simulate::{self, read_arrivals};

const HEADER: &str = "ticket,class,tier,party_size,arrived_at,slot_at\n";

fn replay(csv: &str, counters: u32, tz: Tz) -> String {
    let arrivals = read_arrivals(csv.as_bytes()).expect("valid input");
    let rows = simulate::run(&arrivals, &Policy::default(), counters, tz);
    let mut out = Vec::new();
    simulate::write_csv(&rows, &mut out).expect("writes to memory");
    String::from_utf8(out).expect("UTF-8")
}

/// One counter at a Tijuana port (UTC-8), default policy (30% walk-ins, 10 min a person):
/// - 09:00 the first walk-in is alone;
/// - 09:20 the urgent walk-in goes first although the priority walk-in registered earlier;
/// - 09:30 the appointment becomes callable (slot 10:30, 60 min early window) and wins the
///   share: it is raised to the walk-ins' credit, and its finish (7000 + 3000) is below
///   the walk-in's (7000 + 7000);
/// - the late appointment (checked in 11:45, slot 10:30, late window 60 min) is ordered
///   as a walk-in; the counter idles from 09:50 until it arrives.
#[test]
fn one_counter_day_replays_to_exact_rows() {
    let input = format!(
        "{HEADER}\
         A001,walk_in,standard,2,2026-11-25T17:00:00Z,\n\
         A002,appointment,standard,1,2026-11-25T17:05:00Z,2026-11-25T18:30:00Z\n\
         A003,walk_in,priority,1,2026-11-25T17:10:00Z,\n\
         A004,appointment,standard,3,2026-11-25T19:45:00Z,2026-11-25T18:30:00Z\n\
         A005,walk_in,urgent,1,2026-11-25T17:12:00Z,\n"
    );
    let expected = "\
ticket,class,queue_class,tier,party_size,arrived_at,eligible_at,called_at,counter,finished_at,wait_minutes,reason,estimate_earliest,estimate_latest
A001,walk_in,walk_in,standard,2,2026-11-25T17:00:00Z,2026-11-25T17:00:00Z,2026-11-25T17:00:00Z,1,2026-11-25T17:20:00Z,0,\"walk-in, waiting since 09:00; walk-ins get 30% of officer time\"
A005,walk_in,walk_in,urgent,1,2026-11-25T17:12:00Z,2026-11-25T17:12:00Z,2026-11-25T17:20:00Z,1,2026-11-25T17:30:00Z,8,urgent: called before everyone else
A002,appointment,appointment,standard,1,2026-11-25T17:05:00Z,2026-11-25T17:30:00Z,2026-11-25T17:30:00Z,1,2026-11-25T17:40:00Z,0,\"appointment for 10:30, callable from 09:30; appointments get 70% of officer time\"
A003,walk_in,walk_in,priority,1,2026-11-25T17:10:00Z,2026-11-25T17:10:00Z,2026-11-25T17:40:00Z,1,2026-11-25T17:50:00Z,30,\"walk-in, waiting since 09:10; priority counts as 2 h earlier; walk-ins get 30% of officer time\"
A004,appointment,walk_in,standard,3,2026-11-25T19:45:00Z,2026-11-25T19:45:00Z,2026-11-25T19:45:00Z,1,2026-11-25T20:15:00Z,0,\"appointment checked in late (slot 10:30): ordered with walk-ins from 11:45, booking kept; walk-ins get 30% of officer time\"
";
    // The windows are worked out in the next test; here only the calls.
    let without_windows: String = replay(&input, 1, Tz::America__Tijuana)
        .lines()
        .map(|line| {
            let mut fields = line.rsplitn(3, ',');
            let rest = fields.nth(2).unwrap_or_default();
            format!("{rest}\n")
        })
        .collect();
    let expected: String = expected
        .lines()
        .enumerate()
        .map(|(k, line)| {
            if k == 0 {
                let mut fields = line.rsplitn(3, ',');
                format!("{}\n", fields.nth(2).unwrap_or_default())
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert_eq!(without_windows, expected);
}

/// The windows a ticket showed, where they can be worked by hand: A001 arrives to an idle
/// counter with nobody else (every run calls it at once: 09:00 to 09:10, the narrowest
/// window); A004 arrives at 11:45 to an idle counter and an empty queue (11:45 to 11:55).
/// A005 (urgent, 09:12) waits for A001's party at the counter since 09:00: its window
/// starts after now and ends after the assumed 20 minutes of that service.
#[test]
fn windows_are_those_known_at_arrival() {
    let input = format!(
        "{HEADER}\
         A001,walk_in,standard,2,2026-11-25T17:00:00Z,\n\
         A002,appointment,standard,1,2026-11-25T17:05:00Z,2026-11-25T18:30:00Z\n\
         A003,walk_in,priority,1,2026-11-25T17:10:00Z,\n\
         A004,appointment,standard,3,2026-11-25T19:45:00Z,2026-11-25T18:30:00Z\n\
         A005,walk_in,urgent,1,2026-11-25T17:12:00Z,\n"
    );
    let arrivals = read_arrivals(input.as_bytes()).unwrap();
    let rows = simulate::run(&arrivals, &Policy::default(), 1, Tz::America__Tijuana);
    let window = |ticket: &str| {
        let row = rows.iter().find(|r| r.ticket == ticket).unwrap();
        (row.estimate_earliest.unwrap(), row.estimate_latest.unwrap())
    };
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    assert_eq!(
        window("A001"),
        (at("2026-11-25T17:00:00Z"), at("2026-11-25T17:10:00Z"))
    );
    assert_eq!(
        window("A004"),
        (at("2026-11-25T19:45:00Z"), at("2026-11-25T19:55:00Z"))
    );
    let (earliest, latest) = window("A005");
    assert!(earliest > at("2026-11-25T17:12:00Z"));
    assert!(latest > at("2026-11-25T17:20:00Z"));
}

/// Nothing is read from the future: changing how long the services that start after an
/// arrival last changes no window shown at that arrival, though it changes later ones.
#[test]
fn a_window_never_depends_on_services_that_start_after_the_arrival() {
    let mut input =
        String::from("ticket,class,tier,party_size,arrived_at,slot_at,service_minutes\n");
    for i in 0..40 {
        let minute = i * 4;
        let (class, slot) = if i % 3 == 0 {
            (
                "appointment",
                format!(
                    "2026-11-25T{:02}:{:02}:00Z",
                    9 + (minute + 30) / 60,
                    (minute + 30) % 60
                ),
            )
        } else {
            ("walk_in", String::new())
        };
        let tier = ["standard", "priority", "standard", "standard"][i % 4];
        input.push_str(&format!(
            "T{i:02},{class},{tier},{},2026-11-25T{:02}:{:02}:00Z,{slot},{}\n",
            1 + i % 3,
            9 + minute / 60,
            minute % 60,
            8 + (i * 7) % 23,
        ));
    }
    let arrivals = read_arrivals(input.as_bytes()).unwrap();
    let policy = Policy::default();
    let rows = simulate::run(&arrivals, &policy, 2, chrono_tz::UTC);
    let by_ticket =
        |rows: &[simulate::SimRow], t: &str| rows.iter().find(|r| r.ticket == t).cloned().unwrap();
    // Pick an arrival in mid-queue; lengthen every service that starts after it.
    let pivot = by_ticket(&rows, "T20");
    let mut changed = arrivals.clone();
    for a in &mut changed {
        let row = by_ticket(&rows, &a.ticket);
        if row.called_at > pivot.arrived_at {
            a.service_minutes = Some(a.service_minutes.unwrap() * 3.0);
        }
    }
    let after = simulate::run(&changed, &policy, 2, chrono_tz::UTC);
    let mut later_changed = false;
    for row in &rows {
        let other = by_ticket(&after, &row.ticket);
        if row.arrived_at <= pivot.arrived_at {
            assert_eq!(
                (row.estimate_earliest, row.estimate_latest),
                (other.estimate_earliest, other.estimate_latest),
                "{}",
                row.ticket
            );
        } else if (row.estimate_earliest, row.estimate_latest)
            != (other.estimate_earliest, other.estimate_latest)
        {
            later_changed = true;
        }
    }
    assert!(later_changed, "the longer services show in later windows");
}

/// `service_minutes` and `language` are read in any column order; unknown columns and bad
/// values are named.
#[test]
fn optional_columns_in_any_order_and_unknown_ones_refused() {
    let input = "language,service_minutes,slot_at,arrived_at,party_size,tier,class,ticket\n\
                 spa,25.5,,2026-11-25T09:00:00Z,2,standard,walk_in,X1\n\
                 ,,,2026-11-25T09:01:00Z,1,standard,walk_in,X2\n";
    let arrivals = read_arrivals(input.as_bytes()).unwrap();
    assert_eq!(arrivals[0].ticket, "X1");
    assert_eq!(arrivals[0].service_minutes, Some(25.5));
    assert_eq!(arrivals[0].language.as_deref(), Some("spa"));
    assert_eq!(arrivals[1].service_minutes, None);
    let rows = simulate::run(&arrivals, &Policy::default(), 1, chrono_tz::UTC);
    // X1 keeps the counter 25.5 minutes, not 2 x 10.
    assert_eq!(
        rows[0].finished_at.to_rfc3339(),
        "2026-11-25T09:25:30+00:00"
    );
    assert_eq!(rows[1].called_at, rows[0].finished_at);

    let unknown =
        read_arrivals("ticket,class,tier,party_size,arrived_at,slot_at,colour\n".as_bytes())
            .unwrap_err()
            .to_string();
    assert!(
        unknown.starts_with("line 1: unknown column \"colour\""),
        "{unknown}"
    );
    let bad = |header: &str, row: &str| {
        read_arrivals(format!("{header}\n{row}\n").as_bytes())
            .unwrap_err()
            .to_string()
    };
    let header = "ticket,class,tier,party_size,arrived_at,slot_at,service_minutes,language";
    assert_eq!(
        bad(header, "A,walk_in,standard,1,2026-11-25T09:00:00Z,,0,spa"),
        "line 2, column service_minutes: must be a number of minutes more than 0 and at most \
         1440, or empty, got \"0\""
    );
    assert!(
        bad(header, "A,walk_in,standard,1,2026-11-25T09:00:00Z,,10,xx")
            .starts_with("line 2, column language: `xx` is not a language code we know")
    );
}

#[test]
fn counters_free_at_the_same_instant_call_in_counter_order() {
    let input = format!(
        "{HEADER}\
         B1,walk_in,standard,1,2026-11-25T09:00:00Z,\n\
         B2,walk_in,standard,2,2026-11-25T09:00:00Z,\n\
         B3,walk_in,standard,1,2026-11-25T09:01:00Z,\n"
    );
    let out = replay(&input, 2, chrono_tz::UTC);
    let calls: Vec<(String, String, String)> = out
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[0].to_owned(), f[7].to_owned(), f[8].to_owned())
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("B1".into(), "2026-11-25T09:00:00Z".into(), "1".into()),
            ("B2".into(), "2026-11-25T09:00:00Z".into(), "2".into()),
            // Counter 1 is free again at 09:10, before counter 2 (09:20).
            ("B3".into(), "2026-11-25T09:10:00Z".into(), "1".into()),
        ]
    );
}

#[test]
fn two_runs_give_identical_bytes_in_csv_and_json() {
    let mut input = HEADER.to_owned();
    for i in 0..200 {
        let minute = i % 60;
        let hour = 8 + i / 60;
        let (class, slot) = if i % 3 == 0 {
            (
                "appointment",
                format!("2026-11-25T{:02}:{minute:02}:00Z", hour + 1),
            )
        } else {
            ("walk_in", String::new())
        };
        let tier = ["standard", "standard", "priority", "standard", "urgent"][i % 5];
        input.push_str(&format!(
            "T{i:03},{class},{tier},{},2026-11-25T{hour:02}:{minute:02}:00Z,{slot}\n",
            1 + i % 7
        ));
    }
    let arrivals = read_arrivals(input.as_bytes()).unwrap();
    let policy = Policy::default();
    let first = simulate::run(&arrivals, &policy, 4, Tz::America__Tijuana);
    let second = simulate::run(&arrivals, &policy, 4, Tz::America__Tijuana);
    let bytes = |rows: &[simulate::SimRow]| {
        let mut out = Vec::new();
        simulate::write_csv(rows, &mut out).unwrap();
        out
    };
    assert_eq!(first.len(), 200);
    assert_eq!(bytes(&first), bytes(&second));
    assert_eq!(simulate::to_json(&first), simulate::to_json(&second));
}

#[test]
fn json_has_the_csv_fields_with_utc_times() {
    let input = format!("{HEADER}C1,walk_in,standard,3,2026-11-25T09:12:00+01:00,\n");
    let arrivals = read_arrivals(input.as_bytes()).unwrap();
    let rows = simulate::run(&arrivals, &Policy::default(), 4, chrono_tz::UTC);
    let json: serde_json::Value = serde_json::from_str(&simulate::to_json(&rows)).unwrap();
    let row = &json[0];
    let keys: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = simulate::OUTPUT_HEADER.to_vec();
    expected.sort_unstable();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort_unstable();
    assert_eq!(keys_sorted, expected);
    assert_eq!(row["arrived_at"], "2026-11-25T08:12:00Z");
    assert_eq!(row["finished_at"], "2026-11-25T08:42:00Z");
    assert_eq!(row["queue_class"], "walk_in");
    assert_eq!(row["counter"], 1);
    assert_eq!(row["wait_minutes"], 0);
}

#[test]
fn header_only_input_gives_a_header_only_output() {
    assert_eq!(
        replay(HEADER, 4, chrono_tz::UTC),
        format!("{}\n", simulate::OUTPUT_HEADER.join(","))
    );
}

fn error_for(body: &str) -> String {
    read_arrivals(format!("{HEADER}{body}").as_bytes())
        .unwrap_err()
        .to_string()
}

#[test]
fn party_size_out_of_range_names_line_column_and_rule() {
    assert_eq!(
        error_for(
            "A1,walk_in,standard,2,2026-11-25T09:00:00Z,\n\
             A2,walk_in,standard,1,2026-11-25T09:00:00Z,\n\
             A3,walk_in,standard,0,2026-11-25T09:00:00Z,\n"
        ),
        "line 4, column party_size: must be a whole number from 1 to 20, got \"0\""
    );
    assert_eq!(
        error_for("A1,walk_in,standard,2.5,2026-11-25T09:00:00Z,\n"),
        "line 2, column party_size: must be a whole number from 1 to 20, got \"2.5\""
    );
}

#[test]
fn missing_or_wrong_header_is_rejected() {
    let wrong = read_arrivals("ticket,class,tier,size,arrived_at,slot_at\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        wrong,
        "line 1: unknown column \"size\": the columns are \
         ticket,class,tier,party_size,arrived_at,slot_at, and optionally \
         service_minutes,language"
    );
    let missing_column = read_arrivals("ticket,class,tier,arrived_at,slot_at\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        missing_column.contains("missing party_size"),
        "{missing_column}"
    );
    let missing = read_arrivals("A1,walk_in,standard,2,2026-11-25T09:00:00Z,\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(missing.starts_with("line 1: the first row must be the header"));
    let empty = read_arrivals("".as_bytes()).unwrap_err().to_string();
    assert!(empty.ends_with("the file is empty"), "{empty}");
}

#[test]
fn slot_at_must_match_the_class() {
    assert_eq!(
        error_for("A1,appointment,standard,2,2026-11-25T09:00:00Z,\n"),
        "line 2, column slot_at: an appointment needs its booked time (RFC 3339), got nothing"
    );
    assert_eq!(
        error_for("A1,walk_in,standard,2,2026-11-25T09:00:00Z,2026-11-25T10:00:00Z\n"),
        "line 2, column slot_at: must be empty for a walk-in, got \"2026-11-25T10:00:00Z\""
    );
    assert_eq!(
        error_for("A1,appointment,standard,2,2026-11-25T09:00:00Z,tomorrow\n"),
        "line 2, column slot_at: must be an RFC 3339 time such as 2026-11-25T09:12:00Z, \
         got \"tomorrow\""
    );
}

#[test]
fn duplicate_ticket_names_the_first_line() {
    assert_eq!(
        error_for(
            "A1,walk_in,standard,2,2026-11-25T09:00:00Z,\n\
             A1,walk_in,standard,1,2026-11-25T09:01:00Z,\n"
        ),
        "line 3, column ticket: must be unique, \"A1\" is already on line 2"
    );
}

#[test]
fn bad_class_tier_time_and_column_count_are_named() {
    assert_eq!(
        error_for("A1,walkin,standard,2,2026-11-25T09:00:00Z,\n"),
        "line 2, column class: must be walk_in or appointment, got \"walkin\""
    );
    assert_eq!(
        error_for("A1,walk_in,vip,2,2026-11-25T09:00:00Z,\n"),
        "line 2, column tier: must be standard, priority or urgent, got \"vip\""
    );
    assert_eq!(
        error_for("A1,walk_in,standard,2,2026-11-25 09:00,\n"),
        "line 2, column arrived_at: must be an RFC 3339 time such as 2026-11-25T09:12:00Z, \
         got \"2026-11-25 09:00\""
    );
    assert_eq!(
        error_for("A1,walk_in,standard,2\n"),
        "line 2: expected 6 columns (ticket,class,tier,party_size,arrived_at,slot_at), got 4"
    );
    assert_eq!(
        error_for(",walk_in,standard,2,2026-11-25T09:00:00Z,\n"),
        "line 2, column ticket: must not be empty"
    );
}
