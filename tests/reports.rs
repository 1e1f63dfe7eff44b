//! Daily queue reports, end to end: a small day driven through the JSON API with
//! the clock moving, its every figure worked out by hand; the same day read again after
//! entries changed; a daylight-saving day; who may read; the CSV download; the command line;
//! and the what-if replay.

mod common;

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use portqueue::service::reports::{self, WhatIfParams};
use portqueue::service::{accounts, port_by_code, ports, walk_ins};
use portqueue_core::Policy;

use common::api::{call, call_raw};
use common::web::Browser;
use common::{NowUtc, TestApp, test_app};

/// 2026-11-25 at `hh:mm` in Tijuana (UTC-8 in November).
fn at(hh: u32, mm: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap()
        + Duration::hours(i64::from(hh))
        + Duration::minutes(i64::from(mm))
}

/// Port SYS (Tijuana) with officers ofelia and oscar, supervisor sergio; port OTY with its
/// officer otto and supervisor olga; admin ada.
fn ports_and_people() -> TestApp {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_port("OTY", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.add_user("oscar", "officer", Some("SYS"));
    app.add_user("sergio", "supervisor", Some("SYS"));
    app.add_user("otto", "officer", Some("OTY"));
    app.add_user("olga", "supervisor", Some("OTY"));
    app.add_user("ada", "admin", None);
    // Four counters planned every hour, so tickets show a window before the first call.
    app.plan_counters("SYS", 4);
    app
}

/// What the test day produced that the report must agree with.
struct Day {
    /// Ticket of each entry, by name in the story.
    tickets: std::collections::BTreeMap<&'static str, String>,
    ids: std::collections::BTreeMap<&'static str, i64>,
    /// The call window printed on each ticket at registration.
    windows: std::collections::BTreeMap<&'static str, (DateTime<Utc>, DateTime<Utc>)>,
}

impl Day {
    fn record(&mut self, name: &'static str, entry: &Value) {
        self.tickets
            .insert(name, entry["ticket"].as_str().unwrap().to_owned());
        self.ids.insert(name, entry["id"].as_i64().unwrap());
        self.windows.insert(name, window(entry));
    }
}

fn window(entry: &Value) -> (DateTime<Utc>, DateTime<Utc>) {
    let w = &entry["estimated_call_at"];
    let t = |v: &Value| {
        DateTime::parse_from_rfc3339(v.as_str().expect("window time"))
            .unwrap()
            .with_timezone(&Utc)
    };
    (t(&w["earliest"]), t(&w["latest"]))
}

/// The day of 2026-11-25 at SYS, through the API, the clock moving as it goes:
///
/// | time  | what |
/// | ----- | ---- |
/// | 08:50 | sergio imports AB-1001 (09:30, 2), AB-1002 (13:00, 1), AB-1003 (15:00, 3), AB-2001 (next day) |
/// | 09:00 | W1 walk-in, 3 persons, Haitian Creole, language barrier |
/// | 09:05 | W2 walk-in, 1, Spanish, literacy and technical barriers |
/// | 09:10 | A1 = AB-1001 checked in (on time: slot 09:30, early window 60 min), 2 persons |
/// | 09:20 | ofelia, counter 1, calls next: A1 (the appointment head would finish with the smaller credit) |
/// | 09:30 | oscar, counter 2, calls next: W1 (no appointment eligible) |
/// | 09:40 | ofelia completes A1, calls next: W2 |
/// | 09:45 | ofelia recalls W2 |
/// | 09:50 | ofelia marks W2 no-show |
/// | 10:00 | oscar completes W1; W3 walk-in, urgent, 2 persons, English, other barrier |
/// | 10:05 | W4 walk-in, priority (pregnancy), 1, Spanish, language barrier |
/// | 10:10 | W4 withdraws |
/// | 10:15 | ofelia calls next: W3 (urgent first) |
/// | 10:35 | ofelia completes W3 |
/// | 14:30 | A2 = AB-1002 checked in: late (slot 13:00 + 60 min < 14:30), waits as a walk-in |
/// | 16:00 | W5 walk-in, 1, Spanish, technical barrier |
///
/// A2 and W5 are still waiting at midnight; AB-1003 never arrives.
async fn drive_the_day(app: &TestApp) -> Day {
    let ofelia = app.token("ofelia");
    let oscar = app.token("oscar");
    let sergio = app.token("sergio");
    let mut day = Day {
        tickets: Default::default(),
        ids: Default::default(),
        windows: Default::default(),
    };

    app.clock.set(at(8, 50));
    let (status, body) = call(
        app,
        "POST",
        "/api/v1/ports/SYS/appointments",
        Some(&sergio),
        Some(json!([
            {"confirmation": "AB-1001", "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 2, "name": "Ana Pérez", "nationality": "Venezuela", "language": "spa"},
            {"confirmation": "AB-1002", "slot_at": "2026-11-25T13:00:00-08:00", "party_size": 1, "name": "Li Wei", "nationality": "China", "language": "zho"},
            {"confirmation": "AB-1003", "slot_at": "2026-11-25T15:00:00-08:00", "party_size": 3, "name": "Omar Haddad", "nationality": "Syria", "language": "arb"},
            {"confirmation": "AB-2001", "slot_at": "2026-11-26T10:00:00-08:00", "party_size": 1, "name": "Next Day", "nationality": "Peru", "language": "spa"}
        ])),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let walk_in = async |time: DateTime<Utc>, body: Value| {
        app.clock.set(time);
        let (status, entry) = call(
            app,
            "POST",
            "/api/v1/ports/SYS/walk-ins",
            Some(&ofelia),
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{entry}");
        entry
    };
    let entry = walk_in(
        at(9, 0),
        json!({"party_size": 3, "language": "hat", "barriers": ["language"]}),
    )
    .await;
    day.record("W1", &entry);
    let entry = walk_in(
        at(9, 5),
        json!({"party_size": 1, "language": "spa", "barriers": ["literacy", "technical"]}),
    )
    .await;
    day.record("W2", &entry);

    let check_in = async |time: DateTime<Utc>, confirmation: &str| {
        app.clock.set(time);
        let (status, entry) = call(
            app,
            "POST",
            &format!("/api/v1/ports/SYS/appointments/{confirmation}/check-in"),
            Some(&ofelia),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{confirmation}: {entry}");
        entry
    };
    let entry = check_in(at(9, 10), "AB-1001").await;
    day.record("A1", &entry);

    let call_next = async |token: &str, counter: u32, time: DateTime<Utc>| -> String {
        app.clock.set(time);
        let (status, entry) = call(
            app,
            "POST",
            &format!("/api/v1/ports/SYS/counters/{counter}/call-next"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "call at counter {counter}: {entry}");
        entry["ticket"].as_str().unwrap().to_owned()
    };
    let act = async |token: &str, id: i64, action: &str, time: DateTime<Utc>| {
        app.clock.set(time);
        let (status, entry) = call(
            app,
            "POST",
            &format!("/api/v1/entries/{id}/{action}"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{action} {id}: {entry}");
    };

    assert_eq!(call_next(&ofelia, 1, at(9, 20)).await, day.tickets["A1"]);
    assert_eq!(call_next(&oscar, 2, at(9, 30)).await, day.tickets["W1"]);
    act(&ofelia, day.ids["A1"], "complete", at(9, 40)).await;
    assert_eq!(call_next(&ofelia, 1, at(9, 40)).await, day.tickets["W2"]);
    act(&ofelia, day.ids["W2"], "recall", at(9, 45)).await;
    act(&ofelia, day.ids["W2"], "no-show", at(9, 50)).await;
    act(&oscar, day.ids["W1"], "complete", at(10, 0)).await;

    let entry = walk_in(
        at(10, 0),
        json!({"party_size": 2, "language": "eng", "barriers": ["other"], "tier": "urgent", "urgent_reason": "chest pain"}),
    )
    .await;
    day.record("W3", &entry);
    let entry = walk_in(
        at(10, 5),
        json!({"party_size": 1, "language": "spa", "barriers": ["language"], "vulnerabilities": ["pregnancy"]}),
    )
    .await;
    day.record("W4", &entry);
    act(&ofelia, day.ids["W4"], "withdraw", at(10, 10)).await;
    assert_eq!(call_next(&ofelia, 1, at(10, 15)).await, day.tickets["W3"]);
    act(&ofelia, day.ids["W3"], "complete", at(10, 35)).await;

    let entry = check_in(at(14, 30), "AB-1002").await;
    day.record("A2", &entry);
    let entry = walk_in(
        at(16, 0),
        json!({"party_size": 1, "language": "spa", "barriers": ["technical"]}),
    )
    .await;
    day.record("W5", &entry);
    day
}

fn count(parties: u64, persons: u64) -> Value {
    json!({"parties": parties, "persons": persons})
}

fn spread(median: f64, p90: f64, max: f64) -> Value {
    json!({"median": median, "p90": p90, "max": max})
}

#[actix_web::test]
async fn a_day_driven_through_the_api_reports_the_figures_worked_out_by_hand() {
    let app = ports_and_people();
    let day = drive_the_day(&app).await;
    app.clock.set(at(23, 0) + Duration::hours(2)); // 01:00 the next morning
    let sergio = app.token("sergio");
    let (status, r) = call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/daily?date=2026-11-25",
        Some(&sergio),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");

    assert_eq!(r["port"], "SYS");
    assert_eq!(r["date"], "2026-11-25");
    assert_eq!(r["time_zone"], "America/Tijuana");
    assert_eq!(r["day_start"], "2026-11-25T00:00:00-08:00");
    assert_eq!(r["day_end"], "2026-11-26T00:00:00-08:00");
    assert_eq!(r["hours"], 24);
    assert!(r["warnings"].as_array().unwrap().is_empty(), "{r}");

    // Walk-ins W1..W5: 5 parties, 3 + 1 + 2 + 1 + 1 = 8 persons.
    let w = &r["walk_ins"];
    assert_eq!(
        (w["parties"].as_u64(), w["persons"].as_u64()),
        (Some(5), Some(8))
    );
    // language: W1 (3) + W4 (1); literacy: W2; technical: W2 + W5; other: W3 (2).
    assert_eq!(w["by_barrier"]["language"], count(2, 4));
    assert_eq!(w["by_barrier"]["literacy"], count(1, 1));
    assert_eq!(w["by_barrier"]["technical"], count(2, 2));
    assert_eq!(w["by_barrier"]["other"], count(1, 2));
    assert_eq!(
        w["by_language"],
        json!({"eng": count(1, 2), "hat": count(1, 3), "spa": count(3, 3)})
    );
    // standard: W1, W2, W5 (3 + 1 + 1); priority: W4; urgent: W3.
    assert_eq!(
        w["by_tier"],
        json!({"standard": count(3, 5), "priority": count(1, 1), "urgent": count(1, 2)})
    );

    // Booked in the day: AB-1001, AB-1002, AB-1003 (AB-2001 is the next day's). Checked in:
    // A1 on time (2 persons), A2 late (1). AB-1003 never came.
    assert_eq!(
        r["appointments"],
        json!({"booked": 3, "checked_in": 2, "persons": 3, "early": 0, "on_time": 1, "late": 1, "not_arrived": 1, "not_yet_due": 0})
    );

    // 0 carried in + 7 arrived = 3 served (A1, W1, W3: 2 + 3 + 2 persons) + 1 no-show (W2)
    // + 1 withdrawn (W4) + 2 still waiting (A2, W5).
    let o = &r["outcomes"];
    assert_eq!(o["carried_in"], 0);
    assert_eq!(o["arrived"], 7);
    assert_eq!(o["served"], 3);
    assert_eq!(o["served_persons"], 7);
    assert_eq!(o["no_show"], 1);
    assert_eq!(o["withdrawn"], 1);
    assert_eq!(o["waiting"], 2);
    let carried: Vec<&str> = o["carried_over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ticket"].as_str().unwrap())
        .collect();
    assert_eq!(
        carried,
        [day.tickets["A2"].as_str(), day.tickets["W5"].as_str()]
    );
    // A2 arrived 14:30: 9 h 30 min = 570 minutes before midnight; W5 at 16:00: 480.
    assert_eq!(o["carried_over"][0]["waited_minutes"], 570.0);
    assert_eq!(o["carried_over"][0]["queue_class"], "walk_in");
    assert_eq!(o["carried_over"][1]["waited_minutes"], 480.0);

    // First calls, eligible → called: A1 09:10 → 09:20 = 10; W1 09:00 → 09:30 = 30;
    // W2 09:05 → 09:40 = 35; W3 10:00 → 10:15 = 15 (arrival = eligible for all four).
    // All: [10, 15, 30, 35] → median 22.5, p90 the ceil(3.6) = 4th = 35, max 35.
    let waits = &r["waits"];
    assert_eq!(waits["all"]["calls"], 4);
    assert_eq!(waits["all"]["from_eligible"], spread(22.5, 35.0, 35.0));
    assert_eq!(waits["all"]["from_arrival"], spread(22.5, 35.0, 35.0));
    // Appointment queue [10]; walk-in queue [15, 30, 35] → median 30, p90 3rd = 35.
    assert_eq!(
        waits["by_class"]["appointment"]["from_eligible"],
        spread(10.0, 10.0, 10.0)
    );
    assert_eq!(waits["by_class"]["walk_in"]["calls"], 3);
    assert_eq!(
        waits["by_class"]["walk_in"]["from_eligible"],
        spread(30.0, 35.0, 35.0)
    );
    // Standard: A1, W1, W2 [10, 30, 35]; urgent W3 [15]; priority: nobody called.
    assert_eq!(
        waits["by_tier"]["standard"]["from_eligible"],
        spread(30.0, 35.0, 35.0)
    );
    assert_eq!(
        waits["by_tier"]["urgent"]["from_eligible"],
        spread(15.0, 15.0, 15.0)
    );
    assert_eq!(waits["by_tier"]["priority"]["calls"], 0);
    assert_eq!(
        waits["by_tier"]["priority"]["from_eligible"]["median"],
        Value::Null
    );

    // Served persons: walk-in queue W1 3 + W3 2 = 5, appointment queue A1 2: 5/7 = 0.7143.
    let f = &r["fairness"];
    assert_eq!(f["walkin_share_target"], 0.3);
    assert_eq!(f["walkin_share_served"], 0.7143);
    assert_eq!(f["served_persons_walk_in"], 5);
    assert_eq!(f["served_persons_appointment"], 2);
    // W1 (eligible 09:00) was called before W2 (09:05): nobody passed beyond the bound.
    assert_eq!(f["overtakes_beyond_bound"], 0);
    // Standard parties of one: W2 waited 35; A2 still waits, from 14:30: 570; W5 480.
    assert_eq!(
        f["longest_standard_single_wait"],
        json!({"ticket": day.tickets["A2"], "minutes": 570.0, "still_waiting": true})
    );

    // Estimates: the four first calls against the windows their tickets showed.
    let calls = [
        ("A1", at(9, 20)),
        ("W1", at(9, 30)),
        ("W2", at(9, 40)),
        ("W3", at(10, 15)),
    ];
    let (mut within, mut before, mut after) = (0, 0, 0);
    for (name, called) in calls {
        let (earliest, latest) = day.windows[name];
        if called < earliest {
            before += 1;
        } else if called > latest {
            after += 1;
        } else {
            within += 1;
        }
    }
    let e = &r["estimates"];
    assert_eq!(e["calls_with_estimate"], 4);
    assert_eq!(
        (
            e["within_window"].as_u64(),
            e["before_window"].as_u64(),
            e["after_window"].as_u64()
        ),
        (Some(within), Some(before), Some(after))
    );
    assert_eq!(e["target_median_abs_error_minutes"], 15.0);

    // Hours: 09h W1, W2, A1 arrive and A1, W1, W2 are called; 10h W3, W4 arrive and W3 is
    // called; 14h A2; 16h W5. Waiting at the end of the hour: nobody until A2 (1 from the
    // end of 14h), then A2 and W5 (2 from the end of 16h).
    let hourly = r["hourly"].as_array().unwrap();
    assert_eq!(hourly.len(), 24);
    let arrivals: Vec<u64> = hourly
        .iter()
        .map(|h| h["arrivals"].as_u64().unwrap())
        .collect();
    let mut expected = vec![0; 24];
    expected[9] = 3;
    expected[10] = 2;
    expected[14] = 1;
    expected[16] = 1;
    assert_eq!(arrivals, expected);
    assert_eq!(
        (
            hourly[9]["walk_ins"].as_u64(),
            hourly[9]["check_ins"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let calls: Vec<u64> = hourly
        .iter()
        .map(|h| h["calls"].as_u64().unwrap())
        .collect();
    let mut expected = vec![0; 24];
    expected[9] = 3;
    expected[10] = 1;
    assert_eq!(calls, expected);
    let queue: Vec<u64> = hourly
        .iter()
        .map(|h| h["queue_length"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (0..24)
        .map(|h| match h {
            0..=13 => 0,
            14 | 15 => 1,
            _ => 2,
        })
        .collect();
    assert_eq!(queue, expected);
    assert_eq!(hourly[9]["label"], "09:00");
    assert_eq!(hourly[9]["start"], "2026-11-25T09:00:00-08:00");

    // ofelia: first calls A1, W2, W3 and one recall (W2); served A1 (20 min) and W3 (20),
    // no-show W2 (09:40 → 09:50, 10): median of [10, 20, 20] = 20. oscar: W1, 30.
    let officers = r["officers"].as_array().unwrap();
    assert_eq!(officers.len(), 2, "{officers:?}");
    let by_name = |name: &str| officers.iter().find(|o| o["name"] == name).unwrap().clone();
    let ofelia = by_name("ofelia");
    assert_eq!(
        (
            ofelia["calls"].as_u64(),
            ofelia["recalls"].as_u64(),
            ofelia["served"].as_u64(),
            ofelia["no_show"].as_u64()
        ),
        (Some(3), Some(1), Some(2), Some(1))
    );
    assert_eq!(ofelia["median_service_minutes"], 20.0);
    let oscar = by_name("oscar");
    assert_eq!(
        (oscar["calls"].as_u64(), oscar["served"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(oscar["median_service_minutes"], 30.0);
    // The same by counter: 1 is ofelia's, 2 oscar's.
    let counters = r["counters"].as_array().unwrap();
    assert_eq!(counters.len(), 2);
    assert_eq!(counters[0]["counter"], 1);
    assert_eq!(counters[0]["calls"], 3);
    assert_eq!(counters[0]["recalls"], 1);
    assert_eq!(counters[0]["median_service_minutes"], 20.0);
    assert_eq!(counters[1]["counter"], 2);
    assert_eq!(counters[1]["median_service_minutes"], 30.0);

    assert_eq!(r["policy"]["walkin_share"], 0.3);
}

#[actix_web::test]
async fn a_past_day_reads_byte_for_byte_the_same_after_its_entries_and_policy_change() {
    let app = ports_and_people();
    let day = drive_the_day(&app).await;
    let sergio = app.token("sergio");
    let ofelia = app.token("ofelia");
    let path = "/api/v1/ports/SYS/reports/daily?date=2026-11-25";
    // Read once the day is over (at 23:30 it would be counted as of 23:30, not whole).
    app.clock.set(at(23, 30) + Duration::minutes(35));
    let (status, before) = call_raw(&app, "GET", path, Some(&sergio), None).await;
    assert_eq!(status, StatusCode::OK, "{before}");

    // The next morning: A2 is called and served, W5 withdraws, the share becomes 50%, more
    // appointments are imported, and someone new registers.
    let next = |hh, mm| at(hh, mm) + Duration::days(1);
    app.clock.set(next(9, 0));
    let (status, called) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/1/call-next",
        Some(&ofelia),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(called["ticket"], day.tickets["A2"].as_str());
    app.clock.set(next(9, 20));
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{}/complete", day.ids["A2"]),
        Some(&ofelia),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{}/withdraw", day.ids["W5"]),
        Some(&ofelia),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    app.with_conn(|conn| {
        let port = port_by_code(conn, "SYS").unwrap();
        let policy = Policy {
            walkin_share: 0.5,
            ..port.policy()
        };
        ports::update_policy(
            conn,
            &accounts::system_admin(),
            port.id,
            &policy,
            next(9, 25),
        )
        .unwrap();
    });
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&ofelia),
        Some(json!({"party_size": 2, "language": "spa", "barriers": ["language"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, after) = call_raw(&app, "GET", path, Some(&sergio), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(before, after, "the past day's report moved");

    // The next day sees the change: A2 and W5 carried in, one served, one withdrawn, the new
    // walk-in still waiting, under the new share.
    app.clock.set(next(9, 30));
    let (_, next_day) = call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/daily?date=2026-11-26",
        Some(&sergio),
        None,
    )
    .await;
    let o = &next_day["outcomes"];
    assert_eq!(
        (
            o["carried_in"].as_u64(),
            o["arrived"].as_u64(),
            o["served"].as_u64(),
            o["withdrawn"].as_u64(),
            o["waiting"].as_u64()
        ),
        (Some(2), Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(next_day["fairness"]["walkin_share_target"], 0.5);
    // AB-2001 is booked for the 26th and has not come; its slot plus the late window is
    // still ahead at 09:30, so it is "not yet due", not "never arrived" (the day is read as
    // of 09:30).
    assert_eq!(next_day["complete"], false);
    assert_eq!(next_day["as_of"], "2026-11-26T09:30:00-08:00");
    assert_eq!(next_day["appointments"]["booked"], 1);
    assert_eq!(next_day["appointments"]["not_arrived"], 0);
    assert_eq!(next_day["appointments"]["not_yet_due"], 1);
    // The share change of 09:25 is listed with its time.
    let changes = next_day["fairness"]["policy_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["at"], "2026-11-26T09:25:00-08:00");
    assert_eq!(changes[0]["after"]["walkin_share"], 0.5);

    // The two days summed: counts added, carried in from the first, still open from the last.
    let (status, range) = call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/range?from=2026-11-25&to=2026-11-26",
        Some(&sergio),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{range}");
    assert_eq!(range["days"], 2);
    assert_eq!(range["walk_ins"]["parties"], 6);
    let o = &range["outcomes"];
    assert_eq!(
        (
            o["carried_in"].as_u64(),
            o["arrived"].as_u64(),
            o["served"].as_u64(),
            o["waiting"].as_u64()
        ),
        (Some(0), Some(8), Some(4), Some(1))
    );
    assert_eq!(range["daily"].as_array().unwrap().len(), 2);
    // The day-by-day line of the 25th agrees with that day's own report.
    let first: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(range["daily"][0]["served"], first["outcomes"]["served"]);
    assert_eq!(
        range["daily"][0]["waiting_at_end"],
        first["outcomes"]["waiting"]
    );
}

#[actix_web::test]
async fn the_fall_back_day_in_tijuana_has_25_hours_and_two_one_oclock_hours() {
    let app = ports_and_people();
    let token = app.token("ofelia");
    let (port, clerk) = app.with_conn(|conn| {
        let port = port_by_code(conn, "SYS").unwrap();
        let clerk = portqueue::auth::sessions::find_api_token(conn, &token)
            .unwrap()
            .unwrap();
        (port, clerk)
    });
    let register = |at: DateTime<Utc>| {
        app.with_conn(|conn| {
            walk_ins::register(
                conn,
                &clerk,
                port.id,
                &walk_ins::WalkInInput {
                    party_size: "1".into(),
                    language: "spa".into(),
                    barriers: vec!["language".into()],
                    ..Default::default()
                },
                at,
            )
            .unwrap()
        })
    };
    let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap();
    // 2026-11-01 in Tijuana: midnight is 07:00Z (PDT, UTC-7); clocks go back at 02:00 PDT
    // (09:00Z) to 01:00 PST; the next midnight is 08:00Z: 25 hours.
    register(utc(1, 6, 50)); // 23:50 on Oct 31: the day before
    register(utc(1, 8, 30)); // 01:30 PDT
    register(utc(1, 9, 30)); // 01:30 PST, an hour later in real time
    register(utc(2, 7, 30)); // 23:30 PST, the day's last hour
    register(utc(2, 8, 10)); // 00:10 on Nov 2: the next day
    let date = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let report = app.with_conn(|conn| {
        reports::daily(
            conn,
            &reports::reader(&accounts::system_admin(), &port).unwrap(),
            date,
            app.clock.now_utc(),
        )
        .unwrap()
    });
    let r = serde_json::to_value(&report).unwrap();
    assert_eq!(r["hours"], 25);
    assert_eq!(r["day_start"], "2026-11-01T00:00:00-07:00");
    assert_eq!(r["day_end"], "2026-11-02T00:00:00-08:00");
    let hourly = r["hourly"].as_array().unwrap();
    assert_eq!(hourly.len(), 25);
    assert_eq!(
        (hourly[1]["label"].as_str(), hourly[1]["start"].as_str()),
        (Some("01:00"), Some("2026-11-01T01:00:00-07:00"))
    );
    assert_eq!(
        (hourly[2]["label"].as_str(), hourly[2]["start"].as_str()),
        (Some("01:00"), Some("2026-11-01T01:00:00-08:00"))
    );
    assert_eq!(hourly[24]["label"], "23:00");
    let arrivals: Vec<u64> = hourly
        .iter()
        .map(|h| h["arrivals"].as_u64().unwrap())
        .collect();
    let mut expected = vec![0; 25];
    expected[1] = 1;
    expected[2] = 1;
    expected[24] = 1;
    assert_eq!(arrivals, expected);
    // Carried in: the 23:50 walk-in of Oct 31; nobody is called, so all four wait at the end.
    assert_eq!(r["outcomes"]["carried_in"], 1);
    assert_eq!(r["outcomes"]["arrived"], 3);
    assert_eq!(r["outcomes"]["waiting"], 4);
    // The 01:30 PDT walk-in waited 22 h 30 min of real time until midnight PST (08:00Z).
    let waited: Vec<f64> = r["outcomes"]["carried_over"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["waited_minutes"].as_f64().unwrap())
        .collect();
    assert_eq!(waited, [1510.0, 1410.0, 1350.0, 30.0]);
    // Queue length at the end of each hour: 1 carried in, +1 from the end of the first
    // 01:00 hour, +1 from the second, +1 at the end of the last.
    let queue: Vec<u64> = hourly
        .iter()
        .map(|h| h["queue_length"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (0..25)
        .map(|i| match i {
            0 => 1,
            1 => 2,
            24 => 4,
            _ => 3,
        })
        .collect();
    assert_eq!(queue, expected);
}

#[actix_web::test]
async fn reports_need_a_token_a_supervisor_of_the_port_and_a_real_date() {
    let app = ports_and_people();
    let path = "/api/v1/ports/SYS/reports/daily?date=2026-11-25";
    let (status, body) = call(&app, "GET", path, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = call(&app, "GET", path, Some("not-a-token"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An officer of the port: reports are a supervisor's (per-officer figures included).
    let (status, body) = call(&app, "GET", path, Some(&app.token("ofelia")), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("supervisor")
    );
    // A supervisor of another port.
    let (status, _) = call(&app, "GET", path, Some(&app.token("olga")), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for path in [
        "/api/v1/ports/SYS/reports/range?from=2026-11-01&to=2026-11-07",
        "/api/v1/ports/SYS/reports/what-if?date=2026-11-25",
    ] {
        let (status, _) = call(&app, "GET", path, Some(&app.token("ofelia")), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let sergio = app.token("sergio");
    let (status, _) = call(&app, "GET", path, Some(&sergio), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, "GET", path, Some(&app.token("ada")), None).await;
    assert_eq!(status, StatusCode::OK, "admins read every port");
    // Missing and malformed dates name the field.
    for bad in ["", "?date=", "?date=25/11/2026", "?date=2026-02-30"] {
        let (status, body) = call(
            &app,
            "GET",
            &format!("/api/v1/ports/SYS/reports/daily{bad}"),
            Some(&sergio),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(
            body["error"]["fields"]["date"]
                .as_str()
                .unwrap()
                .contains("YYYY-MM-DD"),
            "{body}"
        );
    }
    // A range of more than 31 days, or backwards.
    for bad in [
        "from=2026-10-01&to=2026-11-01",
        "from=2026-11-02&to=2026-11-01",
    ] {
        let (status, body) = call(
            &app,
            "GET",
            &format!("/api/v1/ports/SYS/reports/range?{bad}"),
            Some(&sergio),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body["error"]["fields"]["to"].is_string(), "{body}");
    }
    let (status, body) = call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/range?from=x",
        Some(&sergio),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["from"].is_string() && body["error"]["fields"]["to"].is_string(),
        "{body}"
    );
    let (status, _) = call(
        &app,
        "GET",
        "/api/v1/ports/NOPE/reports/daily?date=2026-11-25",
        Some(&sergio),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The OpenAPI document names the route, and every field it says a daily report has
    // (at the top and one level down) is in the answer.
    let (_, doc) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert!(
        doc["paths"]["/api/v1/ports/{code}/reports/daily"]["get"].is_object(),
        "not in openapi.json"
    );
    let (status, report) = call(&app, "GET", path, Some(&sergio), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let schema = &doc["components"]["schemas"]["DailyReport"];
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(|n| n.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    for field in names(&schema["required"]) {
        assert!(report.get(&field).is_some(), "{field} missing");
        for inner in names(&schema["properties"][&field]["required"]) {
            assert!(
                report[&field].get(&inner).is_some(),
                "{field}.{inner} missing"
            );
        }
    }
    for inner in names(&schema["properties"]["hourly"]["items"]["required"]) {
        assert!(
            report["hourly"][0].get(&inner).is_some(),
            "hourly.{inner} missing"
        );
    }
}

#[actix_web::test]
async fn the_csv_download_neutralizes_cells_a_spreadsheet_would_run() {
    let app = test_app();
    app.with_conn(|conn| {
        ports::create(
            conn,
            &accounts::system_admin(),
            &ports::NewPort {
                code: "EVL".into(),
                name: "=HYPERLINK(\"http://evil.example\")".into(),
                timezone: "America/Tijuana".into(),
            },
            app.clock.now_utc(),
        )
        .unwrap();
    });
    app.add_user("sergio", "supervisor", Some("EVL"));
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    let page = browser.get("/ports/EVL/reports.csv?date=2026-11-25").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.content_type.starts_with("text/csv"),
        "{}",
        page.content_type
    );
    assert_eq!(
        page.header("content-disposition"),
        Some("attachment; filename=\"portqueue-EVL-2026-11-25.csv\"")
    );
    assert!(
        page.body
            .starts_with("\u{feff}section,metric,key,value\r\n"),
        "{}",
        page.body
    );
    // The name is quoted for the comma-free CSV rules and starts with a single quote.
    assert!(
        page.body
            .contains("report,port_name,,\"'=HYPERLINK(\"\"http://evil.example\"\")\"\r\n"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(",=HYPERLINK"));
    // The JSON download is the API's JSON.
    let json = browser.get("/ports/EVL/reports.json?date=2026-11-25").await;
    let value: Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["port_name"], "=HYPERLINK(\"http://evil.example\")");
}

#[actix_web::test]
async fn the_report_page_shows_the_figures_charts_downloads_and_print_for_supervisors_only() {
    let app = ports_and_people();
    drive_the_day(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    let page = browser.get("/ports/SYS/reports?date=2026-11-25").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for id in [
        "t-glance",
        "t-walkins-barrier",
        "t-appointments",
        "t-outcomes",
        "t-carried-over",
        "t-waits",
        "t-fairness",
        "t-estimates",
        "t-hourly",
        "t-officers",
        "t-counters",
        "t-policy",
    ] {
        assert!(
            page.body.contains(&format!("id=\"{id}\"")),
            "table {id} missing"
        );
    }
    assert_eq!(page.body.matches("<svg").count(), 2, "two charts inline");
    assert!(
        page.body
            .contains("href=\"/ports/SYS/reports.csv?date=2026-11-25\"")
    );
    assert!(page.body.contains("data-print"));
    assert!(
        page.body.contains("aria-current=\"page\">Reports</a>"),
        "nav link"
    );
    // The glance table: 7 arrived, 3 served, 2 open at the end.
    let glance = page.element_text("t-glance").unwrap();
    assert!(
        glance.contains("Parties arrived7") && glance.contains("Parties served3"),
        "{glance}"
    );
    // Read at 16:00 the same day: counted as of then, said at the top; no hour after 16:00;
    // the wait of the party still waiting counted to 16:00, apart from the calls' waits.
    assert!(
        page.body
            .contains("<h1>Daily report: Wednesday 25 November 2026, as of 16:00</h1>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("The day is not over: figures as of 16:00")
    );
    assert!(glance.contains("Still open at 16:002"), "{glance}");
    assert!(glance.contains("Fairness") && glance.contains("Calls after the printed window"));
    let hourly = page.element_text("t-hourly").unwrap();
    assert!(hourly.contains("16:00 (so far, to 16:00)"), "{hourly}");
    assert!(!hourly.contains("17:00"), "{hourly}");
    let waits = page.element_text("t-glance-waits").unwrap();
    assert!(waits.starts_with("Waits by queue"), "{waits}");
    for id in ["t-waits-running", "t-policy-changes", "t-share-periods"] {
        assert!(page.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // The stylesheet it links sets a print margin and no page size.
    let href_start = page.body.find("href=\"/static/report.css").unwrap() + 6;
    let href = &page.body[href_start..href_start + page.body[href_start..].find('"').unwrap()];
    let css = browser.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("@page { margin: 12mm; }") && css.body.contains("@media print"));
    for page_rule in css.body.split("@page").skip(1) {
        let rule = &page_rule[..page_rule.find('}').unwrap()];
        assert!(!rule.contains("size"), "no forced page size: {rule}");
    }

    // A week, summed, links each day.
    let week = browser
        .get("/ports/SYS/reports?from=2026-11-23&to=2026-11-29")
        .await;
    assert_eq!(week.status, StatusCode::OK, "{}", week.body);
    assert!(week.body.contains("id=\"t-days\""));
    assert!(
        week.body
            .contains("href=\"/ports/SYS/reports?date=2026-11-25\"")
    );

    // What-if with one counter, as a GET form.
    let what_if = browser
        .get("/ports/SYS/reports/what-if?date=2026-11-25&counters=1")
        .await;
    assert_eq!(what_if.status, StatusCode::OK, "{}", what_if.body);
    assert!(what_if.body.contains("id=\"t-what-if-eligible\""));
    let bad = browser
        .get("/ports/SYS/reports/what-if?date=2026-11-25&counters=0")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Named as the form labels it, linked to and marked beside the field.
    assert!(
        bad.body
            .contains("<a href=\"#w-counters\">Counters: must be a whole number from 1 to 99"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("id=\"w-counters-error\""), "{}", bad.body);
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);

    // Officers may not.
    let mut officer = Browser::new(&app);
    officer.sign_in("ofelia").await;
    let page = officer.get("/ports/SYS/reports?date=2026-11-25").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let csv = officer.get("/ports/SYS/reports.csv?date=2026-11-25").await;
    assert_eq!(csv.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn what_if_replays_the_days_arrivals_and_fewer_counters_wait_longer() {
    let app = ports_and_people();
    drive_the_day(&app).await;
    let sergio = app.token("sergio");
    let replay = async |query: &str| -> Value {
        let (status, body) = call(
            &app,
            "GET",
            &format!("/api/v1/ports/SYS/reports/what-if?date=2026-11-25{query}"),
            Some(&sergio),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        body
    };
    let as_was = replay("").await;
    // Seven parties arrived; two counters called that day; A1, W1, W3 served in 20, 30
    // and 20 minutes for 2, 3 and 2 persons: 70 / 7 = 10 minutes a person.
    assert_eq!(as_was["arrivals"], 7);
    assert_eq!(as_was["actual"]["counters"], 2);
    assert_eq!(as_was["simulated"]["counters"], 2);
    assert_eq!(as_was["observed_minutes_per_person"], 10.0);
    assert_eq!(as_was["simulated"]["policy"]["minutes_per_person"], 10);
    // The day's side is the report's arithmetic over the same parties.
    let (_, report) = call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/daily?date=2026-11-25",
        Some(&sergio),
        None,
    )
    .await;
    assert_eq!(as_was["actual"]["waits"], report["waits"]);
    // The replay calls everyone (nobody withdraws or fails to answer in it).
    assert_eq!(as_was["simulated"]["called"], 7);
    assert_eq!(as_was["entries"].as_array().unwrap().len(), 7);

    let one = replay("&counters=1").await;
    let six = replay("&counters=6").await;
    let max = |v: &Value| {
        v["simulated"]["waits"]["all"]["from_eligible"]["max"]
            .as_f64()
            .unwrap()
    };
    let total = |v: &Value| -> f64 {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["simulated_wait_minutes"].as_f64().unwrap())
            .sum()
    };
    assert!(
        max(&one) > max(&six),
        "one counter {} vs six {}",
        max(&one),
        max(&six)
    );
    assert!(total(&one) > total(&six));
    // With six counters nobody who arrived on an open counter waits (W1, W2, A1, W3 ... are
    // called as they arrive).
    assert_eq!(max(&six), 0.0);
    // Both sides keep the day's figures apart from the settings.
    assert_eq!(one["actual"], as_was["actual"]);

    let (status, body) = call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/what-if?date=2026-11-25&counters=0&walkin_percent=150",
        Some(&sergio),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["counters"].is_string()
            && body["error"]["fields"]["walkin_percent"].is_string(),
        "{body}"
    );

    // Through the service: a higher walk-in share moves persons towards walk-ins.
    let port = app.with_conn(|conn| port_by_code(conn, "SYS").unwrap());
    let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let w = app.with_conn(|conn| {
        reports::what_if(
            conn,
            &reports::reader(&accounts::system_admin(), &port).unwrap(),
            date,
            &WhatIfParams {
                walkin_share: Some(0.9),
                counters: Some(1),
                ..Default::default()
            },
            app.clock.now_utc(),
        )
        .unwrap()
    });
    assert_eq!(w.simulated.policy.walkin_share, 0.9);
    assert_eq!(w.actual.policy.walkin_share, 0.3);
}

/// Runs the binary with a database URL; returns (success, stdout, stderr).
fn portqueue(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = common::cli::portqueue(None, Some(url), args, None);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_line_prints_the_report_as_json_csv_and_a_printable_page() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path());
    let (ok, _, err) = portqueue(&url, &common::cli::ADD_SYS);
    assert!(ok, "{err}");

    let (ok, json, err) = portqueue(
        &url,
        &[
            "report",
            "--port",
            "SYS",
            "--date",
            "2026-11-01",
            "--format",
            "json",
        ],
    );
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["port"], "SYS");
    assert_eq!(r["port_name"], "San Ysidro");
    assert_eq!(r["hours"], 25, "the fall-back day");
    assert_eq!(r["walk_ins"]["parties"], 0);

    let (ok, csv, _) = portqueue(
        &url,
        &[
            "report",
            "--port",
            "SYS",
            "--date",
            "2026-11-01",
            "--format",
            "csv",
        ],
    );
    assert!(ok);
    assert!(csv.starts_with("\u{feff}section,metric,key,value\r\n"));
    assert!(csv.contains("report,hours,,25\r\n"), "{csv}");

    let (ok, html, err) = portqueue(
        &url,
        &[
            "report",
            "--port",
            "SYS",
            "--date",
            "2026-11-01",
            "--format",
            "html",
        ],
    );
    assert!(ok, "{err}");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<style>") && html.contains("@page { margin: 12mm; }"));
    assert!(
        !html.contains("<link rel=\"stylesheet\""),
        "standalone: styles inline"
    );
    assert!(!html.contains("<form"), "no forms in the printout");
    assert!(html.contains("Daily report: Sunday 1 November 2026"));
    assert_eq!(html.matches("<svg").count(), 2);

    // A bad date: one line on standard error, a failure, and no database touched.
    let (ok, out, err) = portqueue(&url, &["report", "--port", "SYS", "--date", "2026-13-01"]);
    assert!(!ok);
    assert!(out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("date: use a date as YYYY-MM-DD"), "{err}");
    let fresh = dir.path().join("never.db");
    let (ok, _, _) = portqueue(
        &format!("sqlite://{}", fresh.display()),
        &["report", "--port", "SYS", "--date", "tomorrow"],
    );
    assert!(!ok);
    assert!(!fresh.exists(), "a bad date must not create a database");
    let (ok, _, err) = portqueue(&url, &["report", "--port", "NOPE", "--date", "2026-11-01"]);
    assert!(!ok);
    assert!(err.contains("NOPE"), "{err}");
}

/// The HTML of the element `<tag id="id" ...>...</tag>` on a page (no nesting of `tag`).
fn element_html<'a>(body: &'a str, tag: &str, id: &str) -> &'a str {
    let start = body
        .find(&format!("<{tag} class=\"data report-table\" id=\"{id}\""))
        .or_else(|| body.find(&format!("id=\"{id}\"")))
        .unwrap_or_else(|| panic!("no {id} on the page:\n{body}"));
    let end = start + body[start..].find(&format!("</{tag}>")).unwrap();
    &body[start..end]
}

#[actix_web::test]
async fn a_busy_today_lists_the_longest_waits_of_those_still_open_and_the_downloads_all() {
    let app = ports_and_people();
    let officer = app.token("ofelia");
    // 55 parties register a minute apart from 09:00; nobody is called.
    let mut tickets = Vec::new();
    for i in 0..55 {
        app.clock.set(at(9, i));
        let (status, entry) = call(
            &app,
            "POST",
            "/api/v1/ports/SYS/walk-ins",
            Some(&officer),
            Some(json!({"party_size": 1, "language": "spa", "barriers": ["language"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{entry}");
        tickets.push(entry["ticket"].as_str().unwrap().to_owned());
    }
    app.clock.set(at(15, 0));
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    let range = "from=2026-11-24&to=2026-11-25";
    let listed = |body: &str| -> Vec<String> {
        element_html(body, "table", "t-carried-over")
            .split("<th scope=\"row\">")
            .skip(1)
            .map(|row| row[..row.find("</th>").unwrap()].to_owned())
            .collect()
    };

    for path in [
        format!("/ports/SYS/reports?{range}"),
        "/ports/SYS/reports?date=2026-11-25".to_owned(),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        // The 50 longest waits, longest first: the first 50 to arrive.
        assert_eq!(listed(&page.body), tickets[..50].to_vec(), "{path}");
        let caption = page.element_text("t-carried-over-caption").unwrap();
        assert!(
            caption.contains("Still open at 15:00")
                && caption.contains("the 50 longest waits of 55, longest first"),
            "{path}: {caption}"
        );
        let more = element_html(&page.body, "p", "t-carried-over-more");
        assert!(
            more.contains(
                "Only the 50 longest waits of the 55 still open are listed here. The CSV and \
                 JSON downloads list all 55."
            ),
            "{path}: {more}"
        );
        assert!(
            more.contains(
                "<a href=\"/ports/SYS/queue\">The live queue</a> lists everyone waiting now."
            ),
            "read as of now, the rest are on the live queue: {more}"
        );
    }
    // The downloads keep every one.
    let csv = browser
        .get(&format!("/ports/SYS/reports.csv?{range}"))
        .await;
    for ticket in &tickets {
        assert!(
            csv.body
                .contains(&format!("outcomes,carried_over.waited_minutes,{ticket},")),
            "{ticket} in the CSV"
        );
    }
    let json = browser
        .get(&format!("/ports/SYS/reports.json?{range}"))
        .await;
    let json: Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(
        json["outcomes"]["carried_over"].as_array().unwrap().len(),
        55
    );

    // The next day, the same range is over: still cut at 50, pointing at the downloads only
    // (who was open that night may have been called since).
    app.clock.set(at(15, 0) + Duration::days(1));
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    let page = browser.get(&format!("/ports/SYS/reports?{range}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(listed(&page.body).len(), 50);
    let more = element_html(&page.body, "p", "t-carried-over-more");
    assert!(
        more.contains("The CSV and JSON downloads list all 55."),
        "{more}"
    );
    assert!(!more.contains("live queue"), "{more}");
}

#[actix_web::test]
async fn a_quiet_day_lists_everyone_still_open_without_a_note() {
    let app = ports_and_people();
    drive_the_day(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    let page = browser.get("/ports/SYS/reports?date=2026-11-25").await;
    assert!(page.body.contains("id=\"t-carried-over\""));
    assert!(!page.body.contains("t-carried-over-more"), "nothing cut");
}

#[actix_web::test]
async fn a_report_of_too_many_days_shows_the_pickers_with_the_problem_beside_the_field() {
    let app = ports_and_people();
    app.clock.set(at(10, 0));
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;

    // A year at once: the range picker again, the dates kept, the problem beside "to".
    let year = browser
        .get("/ports/SYS/reports?from=2025-11-26&to=2026-11-25")
        .await;
    assert_eq!(
        year.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        year.body
    );
    assert!(year.body.contains("id=\"r-to-error\""), "{}", year.body);
    assert!(year.body.contains("31 days"), "{}", year.body);
    assert!(
        year.body.contains(
            "id=\"r-from\" name=\"from\" value=\"2025-11-26\" required>"
        ) && year.body.contains(
            "id=\"r-to\" name=\"to\" value=\"2026-11-25\" required aria-invalid=\"true\" aria-describedby=\"r-to-error\">"
        ),
        "what was typed is kept and the field marked: {}",
        year.body
    );
    assert!(
        year.body.contains("<a href=\"#r-to\">To: "),
        "the summary links to the field: {}",
        year.body
    );
    assert!(!year.body.contains("id=\"t-glance\""), "nothing computed");

    // A day not yet begun: the day picker, the problem beside it.
    let later = browser.get("/ports/SYS/reports?date=2026-12-25").await;
    assert_eq!(
        later.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        later.body
    );
    assert!(later.body.contains("id=\"r-date-error\""), "{}", later.body);
    assert!(
        later.body.contains(
            "id=\"r-date\" name=\"date\" value=\"2026-12-25\" required aria-invalid=\"true\""
        ),
        "{}",
        later.body
    );

    // The downloads keep their plain 422, and another port's supervisor still gets a 403.
    let csv = browser
        .get("/ports/SYS/reports.csv?from=2025-11-26&to=2026-11-25")
        .await;
    assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut olga = Browser::new(&app);
    olga.sign_in("olga").await;
    let refused = olga
        .get("/ports/SYS/reports?from=2025-11-26&to=2026-11-25")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("r-to-error"));
}

#[actix_web::test]
async fn a_finished_day_says_its_open_waits_stopped_at_its_end_not_so_far() {
    let app = ports_and_people();
    drive_the_day(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    // Read while the day runs: the waits of those still open run on, "so far".
    let today = browser.get("/ports/SYS/reports?date=2026-11-25").await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert!(
        today.body.contains("id=\"t-carried-over\""),
        "someone is still open"
    );
    assert!(today.body.contains("Waited so far (min)"), "{}", today.body);
    assert!(today.body.contains("counted so far"));

    // The next morning the same day is finished: its open waits were cut at midnight.
    app.clock.set(at(8, 0) + Duration::days(1));
    // (A new morning, a new sign-in: the evening's session has timed out.)
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    let finished = browser.get("/ports/SYS/reports?date=2026-11-25").await;
    assert_eq!(finished.status, StatusCode::OK, "{}", finished.body);
    assert!(finished.body.contains("id=\"t-carried-over\""));
    assert!(
        finished.body.contains("Waited until then (min)")
            && finished.body.contains("waits counted up to then")
            && finished.body.contains("Longest by then"),
        "{}",
        finished.body
    );
    assert!(
        !finished.body.contains("so far"),
        "nothing on a finished day is \"so far\": {}",
        finished.body
    );
}
