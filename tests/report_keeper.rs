//! The server's keeper of finished days' figures: after each port's own midnight (and the
//! grace period) it keeps the day that ended, catches up missed days a bounded number per
//! tick and no further back than its limit, and a late change still drops a kept day, which
//! the next tick keeps again with the change counted.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use serde_json::Value;

use portqueue::auth::Actor;
use portqueue::db::models::Port;
use portqueue::db::schema::{ports, report_days};
use portqueue::service::report_days::{CATCH_UP_DAYS, keep_finished_days};
use portqueue::service::walk_ins::{self, WalkInInput};
use portqueue::service::{accounts, reports};

use common::{NowUtc, TestApp, test_app};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Every kept (port code, date), in order.
fn kept(app: &TestApp) -> Vec<(String, String)> {
    app.with_conn(|conn| {
        report_days::table
            .inner_join(ports::table.on(ports::id.eq(report_days::port_id)))
            .order((report_days::date.asc(), ports::code.asc()))
            .select((ports::code, report_days::date))
            .load(conn)
            .unwrap()
    })
}

fn pair(code: &str, date: &str) -> (String, String) {
    (code.to_owned(), date.to_owned())
}

fn tick(app: &TestApp, budget: usize) -> (Vec<(String, NaiveDate)>, bool) {
    app.with_conn(|conn| keep_finished_days(conn, app.clock.now_utc(), budget))
        .unwrap()
}

fn register(app: &TestApp, officer: &Actor, port: &Port, when: DateTime<Utc>) {
    let input = WalkInInput {
        party_size: "1".into(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    };
    app.with_conn(|conn| walk_ins::register(conn, officer, port.id, &input, when))
        .expect("register");
}

/// The day's walk-in parties as a report reads them (kept figures when kept).
fn parties(app: &TestApp, port: &Port, day: NaiveDate) -> u64 {
    let report = app
        .with_conn(|conn| {
            reports::daily(
                conn,
                &reports::reader(&accounts::system_admin(), port).unwrap(),
                day,
                app.clock.now_utc(),
            )
        })
        .unwrap();
    let value: Value = serde_json::to_value(report).unwrap();
    value["walk_ins"]["parties"].as_u64().unwrap()
}

#[test]
fn the_keeper_keeps_each_ports_finished_day_after_its_own_midnight_and_catches_up_bounded() {
    let app = test_app();
    // Noon of the 20th in Tijuana (UTC-8), 05:00 of the 21st in Tokyo (UTC+9).
    app.clock.set(at(2026, 11, 20, 20, 0));
    let tij = app.add_port("TIJ", "America/Tijuana");
    let tok = app.add_port("TOK", "Asia/Tokyo");
    let officer = Actor::from_user(&app.add_user("ofelia", "officer", Some("TIJ")));
    register(&app, &officer, &tij, app.clock.now_utc());
    register(&app, &officer, &tij, app.clock.now_utc());

    // Five past Tijuana's midnight: the 20th is not yet past the grace period.
    app.clock.set(at(2026, 11, 21, 8, 5));
    assert_eq!(tick(&app, 10), (Vec::new(), false));
    assert!(kept(&app).is_empty());
    // Eleven past: kept, with the day's figures; Tokyo's first day (the 21st) is not over.
    app.clock.set(at(2026, 11, 21, 8, 11));
    let (done, left) = tick(&app, 10);
    assert_eq!(done, [("TIJ".to_owned(), date(2026, 11, 20))]);
    assert!(!left);
    assert_eq!(kept(&app), [pair("TIJ", "2026-11-20")]);
    assert_eq!(parties(&app, &tij, date(2026, 11, 20)), 2);
    assert_eq!(tick(&app, 10), (Vec::new(), false), "kept once");

    // The server was down four days: at 08:00 of the 25th in Tijuana (01:00 of the 26th in
    // Tokyo) Tijuana has the 21st-24th to keep and Tokyo the 21st-25th: nine days, at most
    // four a tick, the most recent first.
    app.clock.set(at(2026, 11, 25, 16, 0));
    let (done, left) = tick(&app, 4);
    assert_eq!(
        done,
        [
            ("TOK".to_owned(), date(2026, 11, 25)),
            ("TIJ".to_owned(), date(2026, 11, 24)),
            ("TOK".to_owned(), date(2026, 11, 24)),
            ("TIJ".to_owned(), date(2026, 11, 23)),
        ]
    );
    assert!(left);
    assert_eq!(tick(&app, 4).0.len(), 4);
    let (done, left) = tick(&app, 4);
    assert_eq!(done, [("TOK".to_owned(), date(2026, 11, 21))]);
    assert!(!left);
    let all = kept(&app);
    assert_eq!(all.len(), 10);
    assert!(
        !all.contains(&pair("TIJ", "2026-11-25")),
        "Tijuana's 25th is today there"
    );
    assert!(all.contains(&pair("TOK", "2026-11-25")));
    assert_eq!(parties(&app, &tok, date(2026, 11, 25)), 0);

    // A late change (a walk-in backdated to the 22nd): the 22nd and later days of Tijuana
    // are dropped, Tokyo's stay; the next tick keeps them again, the change counted.
    register(&app, &officer, &tij, at(2026, 11, 22, 20, 0));
    let after = kept(&app);
    assert!(after.contains(&pair("TIJ", "2026-11-21")));
    for day in ["2026-11-22", "2026-11-23", "2026-11-24"] {
        assert!(!after.contains(&pair("TIJ", day)), "{day} dropped");
        assert!(
            after.contains(&pair("TOK", day)),
            "another port's {day} stays"
        );
    }
    let (done, _) = tick(&app, 10);
    assert_eq!(done.len(), 3);
    assert_eq!(kept(&app).len(), 10);
    assert_eq!(parties(&app, &tij, date(2026, 11, 22)), 1);

    // Two months on: only the last CATCH_UP_DAYS days are caught up; older ones wait for a
    // report to read them.
    app.clock.set(at(2027, 1, 30, 20, 0));
    let (done, left) = tick(&app, 1_000);
    assert!(!left);
    let oldest = date(2027, 1, 30) - Duration::days(CATCH_UP_DAYS);
    assert!(done.iter().all(|(_, d)| *d >= oldest), "{done:?}");
    assert!(done.contains(&("TIJ".to_owned(), oldest)));
    assert!(done.contains(&("TIJ".to_owned(), date(2027, 1, 29))));
    assert!(!done.contains(&("TIJ".to_owned(), date(2027, 1, 30))));
    assert!(!kept(&app).contains(&pair("TIJ", "2026-12-20")));
}
