//! `portqueue demo` fills a port with realistic past days through the service layer, and
//! never touches another port or one with real entries; finished days' report figures are
//! kept, a range read from them equals one computed fresh from the log, and a late change
//! (a backdated event, a booking for a past day, a policy change) drops exactly the days it
//! may alter.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use portqueue::db::models::User;
use portqueue::db::schema::{entries, entry_events, report_days, users};
use portqueue::demo::{self, DemoOptions};
use portqueue::service::appointments::{self, AppointmentInput, Source};
use portqueue::service::reports;
use portqueue::service::walk_ins::{self, WalkInInput};
use portqueue::service::{accounts, port_by_code, ports};
use portqueue_core::Policy;
use portqueue_core::reports::sum;

use common::{NowUtc, TestApp, test_app};

/// Noon on 2026-11-25 in Tijuana.
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 20, 0, 0).unwrap()
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn options(code: &str, days: u32, per_day: u32) -> DemoOptions {
    DemoOptions {
        code: code.into(),
        days,
        per_day,
        timezone: "America/Tijuana".into(),
        seed: 7,
    }
}

fn app_with_demo(days: u32, per_day: u32) -> TestApp {
    let app = test_app();
    app.clock.set(noon());
    app.add_port("OTY", "America/Tijuana");
    app.add_user("otto", "officer", Some("OTY"));
    let summary = app
        .with_conn(|conn| demo::fill(conn, &options("DEM", days, per_day), noon()))
        .expect("demo fills");
    assert!(summary.created_port);
    app
}

/// The range as computed fresh from the log, without kept figures.
fn fresh_range(app: &TestApp, from: NaiveDate, to: NaiveDate) -> Value {
    app.with_conn(|conn| {
        let port = port_by_code(conn, "DEM").unwrap();
        // Read at the same moment as `range`: today is counted as of then.
        let days: Vec<_> = reports::load_days(conn, &port, from, to)
            .unwrap()
            .iter_mut()
            .map(|d| {
                d.input.as_of = Some(noon());
                d.report()
            })
            .collect();
        serde_json::to_value(sum(&days)).unwrap()
    })
}

fn range(app: &TestApp, from: NaiveDate, to: NaiveDate) -> Value {
    app.with_conn(|conn| {
        let port = port_by_code(conn, "DEM").unwrap();
        let r = reports::range(
            conn,
            &reports::reader(&accounts::system_admin(), &port).unwrap(),
            from,
            to,
            app.clock.now_utc(),
        )
        .unwrap();
        serde_json::to_value(r).unwrap()
    })
}

fn actor(app: &TestApp, username: &str) -> portqueue::auth::Actor {
    app.with_conn(|conn| {
        let user: User = users::table
            .filter(users::username.eq(username))
            .select(User::as_select())
            .first(conn)
            .unwrap();
        portqueue::auth::Actor::from_user(&user)
    })
}

fn kept_dates(app: &TestApp) -> Vec<String> {
    app.with_conn(|conn| {
        report_days::table
            .order(report_days::date.asc())
            .select(report_days::date)
            .load::<String>(conn)
            .unwrap()
    })
}

#[test]
fn demo_fills_past_days_with_plausible_activity_and_never_touches_another_port() {
    let app = app_with_demo(3, 60);
    let (dem_entries, oty_entries, dem_events) = app.with_conn(|conn| {
        let dem = port_by_code(conn, "DEM").unwrap();
        let oty = port_by_code(conn, "OTY").unwrap();
        let count = |port_id: i64, conn: &mut _| -> i64 {
            entries::table
                .filter(entries::port_id.eq(port_id))
                .count()
                .get_result(conn)
                .unwrap()
        };
        let events: i64 = entry_events::table
            .filter(entry_events::port_id.eq(dem.id))
            .count()
            .get_result(conn)
            .unwrap();
        (count(dem.id, conn), count(oty.id, conn), events)
    });
    assert_eq!(oty_entries, 0, "another port is never touched");
    assert!(
        dem_entries > 150,
        "about 3 × (60 walk-ins + bookings): {dem_entries}"
    );
    assert!(dem_events > dem_entries * 3, "{dem_events} events");

    // Each demo day reads as a day at a port: arrivals by barrier, language and tier, calls,
    // services, bookings early, on time, late and never arrived, and nobody passed beyond the
    // priority bound. Today is left alone.
    let r = range(&app, date(22), date(24));
    let f = |path: &[&str]| {
        let mut v = &r;
        for p in path {
            v = &v[*p];
        }
        v.clone()
    };
    let walk_ins = f(&["walk_ins", "parties"]).as_u64().unwrap();
    assert!((120..=240).contains(&walk_ins), "{walk_ins} walk-ins");
    assert!(
        f(&["walk_ins", "by_barrier", "language", "parties"])
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(f(&["walk_ins", "by_language"]).as_object().unwrap().len() > 3);
    assert!(
        f(&["walk_ins", "by_tier", "priority", "parties"])
            .as_u64()
            .unwrap()
            > 0
    );
    let booked = f(&["appointments", "booked"]).as_u64().unwrap();
    assert!(booked > 50, "{booked} booked");
    assert!(f(&["appointments", "not_arrived"]).as_u64().unwrap() > 0);
    assert!(f(&["appointments", "on_time"]).as_u64().unwrap() > 0);
    let served = f(&["outcomes", "served"]).as_u64().unwrap();
    let arrived = f(&["outcomes", "arrived"]).as_u64().unwrap();
    assert!(
        served * 10 > arrived * 7,
        "most are served: {served} of {arrived}"
    );
    assert!(f(&["outcomes", "no_show"]).as_u64().unwrap() > 0);
    assert_eq!(f(&["fairness", "overtakes_beyond_bound"]), json!(0));
    let median = f(&["waits", "all", "from_eligible", "median"])
        .as_f64()
        .unwrap();
    assert!((0.0..600.0).contains(&median), "median wait {median} min");
    assert!(f(&["counters"]).as_array().unwrap().len() >= 2);
    let today = app.with_conn(|conn| {
        let port = port_by_code(conn, "DEM").unwrap();
        reports::daily(
            conn,
            &reports::reader(&accounts::system_admin(), &port).unwrap(),
            date(25),
            noon(),
        )
        .unwrap()
    });
    assert_eq!(
        today.figures.outcomes.arrived, 0,
        "the demo writes past days only"
    );

    // The same seed gives the same days.
    let again = test_app();
    again.clock.set(noon());
    again
        .with_conn(|conn| demo::fill(conn, &options("DEM", 3, 60), noon()))
        .unwrap();
    let counts = |app: &TestApp| {
        let r = range(app, date(22), date(24));
        (
            r["walk_ins"].clone(),
            r["outcomes"]["served"].clone(),
            r["appointments"].clone(),
        )
    };
    assert_eq!(counts(&app), counts(&again));
}

#[test]
fn demo_refuses_a_port_with_real_entries_and_days_it_already_filled() {
    let app = app_with_demo(1, 20);
    // Filled already: history is only written forwards.
    let err = app
        .with_conn(|conn| demo::fill(conn, &options("DEM", 2, 20), noon()))
        .unwrap_err();
    assert_eq!(err.status(), 409, "{err}");

    // A real walk-in at OTY: the demo refuses OTY and writes nothing there.
    let oty = app.with_conn(|conn| port_by_code(conn, "OTY").unwrap());
    let otto = actor(&app, "otto");
    app.with_conn(|conn| {
        walk_ins::register(
            conn,
            &otto,
            oty.id,
            &WalkInInput {
                party_size: "1".into(),
                language: "spa".into(),
                barriers: vec!["technical".into()],
                ..WalkInInput::default()
            },
            noon(),
        )
        .unwrap()
    });
    let err = app
        .with_conn(|conn| demo::fill(conn, &options("OTY", 2, 20), noon()))
        .unwrap_err();
    assert_eq!(err.status(), 409);
    assert!(err.to_string().contains("real entries"), "{err}");
    let oty_entries: i64 = app.with_conn(|conn| {
        entries::table
            .filter(entries::port_id.eq(oty.id))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(oty_entries, 1);
}

#[test]
fn a_range_from_kept_figures_equals_one_computed_fresh_and_late_changes_recompute() {
    let app = app_with_demo(4, 40);
    let (from, to) = (date(21), date(24));
    assert_eq!(
        kept_dates(&app),
        ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"],
        "the demo keeps the days it fills"
    );

    let first = range(&app, from, to);
    assert_eq!(first, fresh_range(&app, from, to));
    assert_eq!(
        kept_dates(&app),
        ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"],
        "finished days are kept"
    );
    // Read back from the kept figures: the same report, medians and all.
    let kept = range(&app, from, to);
    assert_eq!(kept, first);
    // A day alone, and a range mixing kept days with today's (never kept).
    let both = range(&app, date(23), date(25));
    assert_eq!(both, fresh_range(&app, date(23), date(25)));
    assert!(!kept_dates(&app).contains(&"2026-11-25".to_owned()));

    // A booking imported now for a slot on the 23rd: the 23rd and later are recomputed.
    let admin = accounts::system_admin();
    let dem = app.with_conn(|conn| port_by_code(conn, "DEM").unwrap());
    app.with_conn(|conn| {
        let rows = appointments::check_rows(
            &[AppointmentInput {
                confirmation: "LATE-1".into(),
                slot_at: "2026-11-23T10:00:00-08:00".into(),
                party_size: "2".into(),
                name: "Ana".into(),
                nationality: "Peru".into(),
                language: "spa".into(),
            }],
            Source::Json,
        )
        .unwrap();
        appointments::import(conn, &admin, dem.id, &rows, noon()).unwrap()
    });
    assert_eq!(kept_dates(&app), ["2026-11-21", "2026-11-22"]);
    let after_import = range(&app, from, to);
    assert_eq!(
        after_import["appointments"]["booked"].as_u64().unwrap(),
        first["appointments"]["booked"].as_u64().unwrap() + 1
    );
    assert_eq!(after_import, fresh_range(&app, from, to));

    // An event written late for the 22nd (a backdated registration): the 22nd is dropped.
    let officer = actor(&app, "demo-dem-1");
    let on_22nd = Utc.with_ymd_and_hms(2026, 11, 22, 21, 0, 0).unwrap();
    app.with_conn(|conn| {
        walk_ins::register(
            conn,
            &officer,
            dem.id,
            &WalkInInput {
                party_size: "3".into(),
                language: "hat".into(),
                barriers: vec!["language".into()],
                ..WalkInInput::default()
            },
            on_22nd,
        )
        .unwrap()
    });
    assert_eq!(kept_dates(&app), ["2026-11-21"]);
    let late = range(&app, from, to);
    assert_eq!(
        late["walk_ins"]["parties"].as_u64().unwrap(),
        after_import["walk_ins"]["parties"].as_u64().unwrap() + 1
    );
    assert_eq!(late, fresh_range(&app, from, to));

    // A policy change dated on the 21st (as `portqueue demo` writes them): all recomputed.
    app.with_conn(|conn| {
        ports::update_policy(
            conn,
            &admin,
            dem.id,
            &Policy {
                walkin_share: 0.45,
                ..dem.policy()
            },
            Utc.with_ymd_and_hms(2026, 11, 21, 18, 0, 0).unwrap(),
        )
        .unwrap()
    });
    assert!(kept_dates(&app).is_empty());
    assert_eq!(range(&app, from, to), fresh_range(&app, from, to));

    // Changes stamped now leave every finished day kept.
    app.clock.set(noon() + Duration::hours(1));
    let _ = range(&app, from, to);
    let kept_before = kept_dates(&app);
    app.with_conn(|conn| {
        walk_ins::register(
            conn,
            &officer,
            dem.id,
            &WalkInInput {
                party_size: "1".into(),
                language: "spa".into(),
                barriers: vec!["technical".into()],
                ..WalkInInput::default()
            },
            noon() + Duration::hours(1),
        )
        .unwrap()
    });
    assert_eq!(kept_dates(&app), kept_before);
    assert_eq!(kept_before.len(), 4);
}

/// A demo day's windows hold its calls as the estimates promise: on busy weekdays (a
/// morning crowd, a queue of hours, counters that close at 20:00) at most 10% of the calls
/// of the two days come after the window printed at registration, at most 20% on either day,
/// and at most 10% before it. Measured with the counters open with languages (every call
/// under matching): 15.4% and 0.0% after, 3.9% and 3.7% before; in the plain fair order the
/// same seed gave 4.3% and 4.4% after. The 15% day is not matching's doing: registrations at
/// 08:00 and 11:00-12:00 come after their window, of every language (Spanish, that every
/// counter covers and nobody passes over, as much as others), and the same seed's 2026-11-28
/// has the same 15.5% after with or without languages. The estimates' own target is 5%.
/// Before the demo set a counter plan, and before the estimates counted the counters'
/// changeovers, expected the walk-ins of a port with fewer than seven days behind it, and
/// kept a counter idle at a registration idle until then, 28% to 50% of such days' calls
/// came after their window and 8% to 11% before it.
#[test]
fn demo_days_calls_come_by_the_end_of_their_window() {
    let app = app_with_demo(2, 300);
    let plan = app.with_conn(|conn| {
        let port = port_by_code(conn, "DEM").unwrap();
        portqueue::service::counter_plan::load(conn, port.id).unwrap()
    });
    let plan = plan.expect("the demo sets the day's counter plan");
    assert_eq!(plan[5], 0);
    assert!(
        plan[6] >= 1 && plan[19] == plan[6] && plan[20] == 0,
        "{plan:?}"
    );
    let (mut calls_of_both, mut after_of_both) = (0, 0);
    for day in [date(23), date(24)] {
        let r = range(&app, day, day);
        let estimates = &r["estimates"];
        let calls = estimates["calls_with_estimate"].as_u64().unwrap();
        let after = estimates["after_window_share"].as_f64().unwrap();
        let before = estimates["before_window_share"].as_f64().unwrap();
        println!("{day}: {estimates}");
        assert!(calls > 200, "{day}: {calls} calls with a window");
        calls_of_both += calls;
        after_of_both += estimates["after_window"].as_u64().unwrap();
        assert!(after <= 0.20, "{day}: {after} of the calls after");
        assert!(before <= 0.10, "{day}: {before} of the calls before");
    }
    assert!(
        after_of_both * 10 <= calls_of_both,
        "{after_of_both} of {calls_of_both} calls after their window"
    );
}

/// The demo opens its counters with languages as officers do at the counter form, so a
/// lived-in port has language figures: every call goes through matching, the kept daily
/// reports count calls in the applicant's language and with an interpreter (for the languages
/// no counter covers), and the passes for language the calls made are all within the matching
/// rule (the engine keeps it; the demo adds no breach of its own).
#[test]
fn demo_counters_open_with_languages_and_the_kept_reports_have_language_figures() {
    use portqueue::db::schema::counter_language_changes;
    let app = app_with_demo(3, 150);
    let dem = app.with_conn(|conn| port_by_code(conn, "DEM").unwrap());
    assert_eq!(
        dem.default_languages, "spa,eng",
        "the port the demo created"
    );
    // Each counter of a day opened once (at 06:00) and closed once (at 20:00), by the
    // officer of that counter, and nothing is left open after the last day.
    let changes: Vec<(i64, Option<String>, chrono::NaiveDateTime, Option<i64>)> =
        app.with_conn(|conn| {
            counter_language_changes::table
                .filter(counter_language_changes::port_id.eq(dem.id))
                .order(counter_language_changes::id.asc())
                .select((
                    counter_language_changes::counter,
                    counter_language_changes::languages,
                    counter_language_changes::at,
                    counter_language_changes::changed_by,
                ))
                .load(conn)
                .unwrap()
        });
    let opened = changes.iter().filter(|c| c.1.is_some()).count();
    let closed = changes.iter().filter(|c| c.1.is_none()).count();
    assert!(
        opened >= 6,
        "at least two counters a day: {opened} openings"
    );
    assert_eq!(opened, closed, "every counter closed at its closing time");
    let second_pairs: Vec<&str> = changes
        .iter()
        .filter_map(|c| c.1.as_deref())
        .filter(|l| *l != "spa,eng")
        .collect();
    assert!(
        !second_pairs.is_empty(),
        "a second pair on some of the days: {changes:?}"
    );
    for (counter, languages, at, by) in &changes {
        let local = Utc
            .from_utc_datetime(at)
            .with_timezone(&chrono_tz::America::Tijuana)
            .format("%H:%M")
            .to_string();
        let expected = if languages.is_some() {
            "06:00"
        } else {
            "20:00"
        };
        assert_eq!(local, expected, "counter {counter}: {languages:?}");
        let officer = actor(&app, &format!("demo-dem-{counter}"));
        assert_eq!(*by, Some(officer.user_id), "counter {counter}'s officer");
    }
    let still_open: i64 = app.with_conn(|conn| {
        portqueue::db::schema::counter_languages::table
            .filter(portqueue::db::schema::counter_languages::port_id.eq(dem.id))
            .count()
            .get_result(conn)
            .unwrap()
    });
    assert_eq!(still_open, 0);

    let (mut matched, mut interpreted, mut passes) = (0, 0, 0);
    for day in [date(22), date(23), date(24)] {
        let report = app.with_conn(|conn| {
            reports::daily(
                conn,
                &reports::reader(&accounts::system_admin(), &dem).unwrap(),
                day,
                noon(),
            )
            .unwrap()
        });
        let lang = |code: &str| report.languages.iter().find(|l| l.language == code);
        let spa = lang("spa").expect("Spanish speakers every day");
        assert!(spa.called_in_language > 0, "{day}: {spa:?}");
        assert_eq!(
            spa.called_with_interpreter, 0,
            "{day}: every counter covers Spanish"
        );
        assert!(spa.matching_extra_wait_minutes.is_some(), "{day}: {spa:?}");
        // K'iche' and Mam: no counter covers them, so whoever calls them needs an
        // interpreter.
        for code in ["quc", "mam"] {
            if let Some(l) = lang(code) {
                assert_eq!(l.called_in_language, 0, "{day}: {l:?}");
            }
        }
        matched += report
            .languages
            .iter()
            .map(|l| l.called_in_language)
            .sum::<u32>();
        interpreted += report
            .languages
            .iter()
            .map(|l| l.called_with_interpreter)
            .sum::<u32>();
        let fairness = &report.figures.fairness;
        let judged = &fairness.language_passes;
        println!("{day}: {judged:?}");
        passes += judged.passes;
        assert_eq!(judged.beyond_rule, 0, "{day}: {:?}", judged.breaches);
        if judged.passes > 0 {
            assert_eq!(judged.within_limit, Some(true), "{day}");
            assert_eq!(judged.wait_limit_minutes, Some(20), "{day}");
        }
        assert_eq!(fairness.overtakes_beyond_bound, 0, "{day}");
        assert!(fairness.kept, "{day}: {fairness:?}");
    }
    assert!(matched > 300, "{matched} called in their language");
    assert!(interpreted > 5, "{interpreted} called with an interpreter");
    assert!(passes > 0, "some passes for language");
}

/// The demo writes in short transactions with pauses between them, so that a server on the
/// same database keeps writing for its own ports while the demo fills one: no write of
/// another connection waits for the lock much longer than one of the demo's slices.
#[test]
fn another_writer_is_never_held_up_for_long_while_the_demo_writes() {
    use portqueue::db::schema::ports;
    use std::time::{Duration as Wall, Instant};

    let app = common::test_app_on_sqlite();
    app.clock.set(noon());
    app.add_port("OTY", "America/Tijuana");
    let mut demo_conn = app.conn();
    let demo =
        std::thread::spawn(move || demo::fill(&mut demo_conn, &options("DEM", 1, 100), noon()));
    let mut other = app.conn();
    let (mut writes, mut longest) = (0, Wall::ZERO);
    while !demo.is_finished() {
        let started = Instant::now();
        diesel::update(ports::table.filter(ports::code.eq("OTY")))
            .set(ports::name.eq(format!("Otay {writes}")))
            .execute(&mut *other)
            .expect("another port's write goes through while the demo works");
        longest = longest.max(started.elapsed());
        writes += 1;
        std::thread::sleep(Wall::from_millis(20));
    }
    let summary = demo.join().unwrap().expect("the demo fills its day");
    assert!(summary.calls > 0);
    assert!(writes >= 5, "{writes} writes while the demo ran");
    // One slice (half a second of work) plus the step that ends it, with room for a busy
    // machine; a whole day in one transaction takes several times this in a test build.
    assert!(
        longest < Wall::from_millis(1500),
        "a write waited {longest:?}"
    );
}
