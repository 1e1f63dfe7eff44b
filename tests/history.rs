//! No request an officer or a public screen makes costs more as the port's history grows: a
//! port that has run for years answers like a new one.
//!
//! The test fills a port with a long synthetic history (thousands of finished entries and
//! their events, written directly), then makes every request of the live queue, the counter,
//! registration, check-in, printing, the ticket, the status page and the board, and records
//! each SQL statement they issue. On SQLite it asks the planner how each one reads its
//! tables: none may scan a table, nor walk an index by port alone (which reads every row the
//! port ever had). The same requests on a database without the history issue the same
//! number of statements.

mod common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use diesel::connection::InstrumentationEvent;
use diesel::prelude::*;
use diesel::sql_types::Text;

use portqueue::auth::Actor;
use portqueue::db::models::{NewEntry, NewEvent, Port};
use portqueue::db::schema::{entries, entry_events};
use portqueue::db::{DbConnection, to_db};
use portqueue::service::appointments::{self, AppointmentRow};
use portqueue::service::entries::{self as entry_actions, Action};
use portqueue::service::tickets::{self, PrintOutcome};
use portqueue::service::walk_ins::{self, TriageInput, WalkInInput};
use portqueue::service::{counters, live, public, queue, reports};
use portqueue_core::{Class, Status, Tier};

use common::{NowUtc, TestApp};

/// Writes `days` of finished history for `port` straight into the tables: `per_day`
/// served entries a day, each with its registration, print, call and completion events.
fn fill_history(conn: &mut DbConnection, port: &Port, days: i64, per_day: i64, now: DateTime<Utc>) {
    conn.transaction(|conn| {
        for day in 1..=days {
            let base = now - Duration::days(day);
            let rows: Vec<NewEntry> = (0..per_day)
                .map(|i| NewEntry {
                    port_id: port.id,
                    ticket: format!("W-{:03}", i % 999 + 1),
                    class: Class::WalkIn,
                    tier: Tier::Standard,
                    party_size: 1 + (i % 4) as i32,
                    language: "spa".into(),
                    barriers: "language".into(),
                    barrier_note: None,
                    vulnerabilities: String::new(),
                    urgent_reason: None,
                    name: Some(format!("Old {day}-{i}")),
                    nationality: None,
                    appointment_id: None,
                    slot_at: None,
                    arrived_at: to_db(base + Duration::minutes(i)),
                    status: Status::Served,
                    status_token: format!("{:064x}", day * 1_000_000 + i),
                    created_by: None,
                })
                .collect();
            // One row at a time: the two-backend connection has no batch insert.
            for row in &rows {
                diesel::insert_into(entries::table)
                    .values(row)
                    .execute(conn)?;
            }
            let ids: Vec<i64> = entries::table
                .filter(entries::port_id.eq(port.id))
                .filter(entries::arrived_at.ge(to_db(base)))
                .filter(entries::arrived_at.lt(to_db(base + Duration::minutes(per_day))))
                .select(entries::id)
                .load(conn)?;
            diesel::update(entries::table.filter(entries::id.eq_any(&ids)))
                .set((
                    entries::counter.eq(1),
                    entries::called_at.eq(to_db(base + Duration::hours(1))),
                    entries::finished_at.eq(to_db(base + Duration::hours(2))),
                    entries::prints.eq(1),
                ))
                .execute(conn)?;
            let events: Vec<NewEvent> = ids
                .iter()
                .flat_map(|&id| {
                    ["registered", "ticket_printed", "called", "served"]
                        .into_iter()
                        .enumerate()
                        .map(move |(k, kind)| NewEvent {
                            entry_id: id,
                            port_id: port.id,
                            at: to_db(base + Duration::minutes(30 * k as i64)),
                            actor_id: None,
                            kind: kind.into(),
                            from_status: None,
                            to_status: None,
                            counter: Some(1),
                            detail: "{}".into(),
                        })
                })
                .collect();
            for event in &events {
                diesel::insert_into(entry_events::table)
                    .values(event)
                    .execute(conn)?;
            }
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("history written");
}

/// Every statement a connection issues, as SQL without its bound values.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>, Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn attach(&self, conn: &mut DbConnection) {
        let (log, cached) = (Arc::clone(&self.0), Arc::clone(&self.1));
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                let text = query.to_string();
                let sql = text.split(" -- binds:").next().unwrap_or(&text).trim();
                log.lock().unwrap().push(sql.to_owned());
            }
            // A statement prepared and kept for reuse (never emitted for one prepared for a
            // single use).
            InstrumentationEvent::CacheQuery { sql, .. } => {
                cached.lock().unwrap().push(sql.to_owned());
            }
            _ => {}
        });
    }

    /// The statements kept prepared since the last call.
    fn take_cached(&self) -> Vec<String> {
        std::mem::take(&mut *self.1.lock().unwrap())
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// The planner's lines that read a table in a way bounded by something other than the port:
/// `None` when fine, else the offending line.
fn unbounded_read(conn: &mut DbConnection, sql: &str) -> Option<String> {
    let upper = sql.trim_start().to_ascii_uppercase();
    if !(upper.starts_with("SELECT") || upper.starts_with("UPDATE") || upper.starts_with("DELETE"))
    {
        return None;
    }
    let plan: Vec<PlanRow> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load(conn)
        .unwrap_or_else(|e| panic!("explain `{sql}`: {e}"));
    // Tables that grow with history; `ports`, `users` and the like stay small.
    let growing = ["entries", "entry_events", "appointments", "access_log"];
    plan.into_iter().map(|r| r.detail).find(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        let table = match words.as_slice() {
            ["SCAN", table, ..] | ["SEARCH", table, ..] => *table,
            _ => return false,
        };
        if !growing.contains(&table) {
            return false;
        }
        if words[0] == "SCAN" {
            return true;
        }
        // `SEARCH t USING INDEX i (port_id=?)`: every row the port ever had; and
        // `(port_id=? AND at<?)`: every row before a time, back to the port's first.
        line.ends_with("(port_id=?)")
            || line
                .rsplit_once("(port_id=? AND ")
                .is_some_and(|(_, rest)| rest.ends_with("<?)") && !rest.contains('>'))
    })
}

/// Makes every request of the queue's pages and actions once, recording their statements.
/// Returns the number of statements each made.
fn requests(
    app: &TestApp,
    (port, actors): &(Port, (Actor, Actor)),
    record: &Recorder,
    check: &mut Vec<String>,
) -> Vec<usize> {
    let (officer, supervisor) = actors;
    let now = app.clock.now_utc();
    let mut conn = app.conn();
    record.attach(&mut conn);
    let mut counts = Vec::new();
    let mut step = |conn: &mut DbConnection, f: &mut dyn FnMut(&mut DbConnection)| {
        record.take();
        f(conn);
        let statements = record.take();
        counts.push(statements.len());
        check.extend(statements);
    };
    let walk_in = WalkInInput {
        party_size: "2".into(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    };
    // Registering, twice: the first reads the port's queue into memory, the second uses it.
    let mut first = None;
    for _ in 0..2 {
        step(&mut conn, &mut |c| {
            first.get_or_insert(
                walk_ins::register(c, officer, port.id, &walk_in, now).expect("register"),
            );
        });
    }
    let first = first.expect("registered");
    appointments::import(
        &mut conn,
        supervisor,
        port.id,
        &[AppointmentRow {
            confirmation: "AB-1".into(),
            slot_at: now,
            party_size: 1,
            name: "Ana".into(),
            nationality: "Peru".into(),
            language: "spa",
        }],
        now,
    )
    .expect("import");
    step(&mut conn, &mut |c| {
        appointments::check_in(c, officer, port.id, "AB-1", &TriageInput::default(), now)
            .expect("check in");
    });
    step(&mut conn, &mut |c| {
        tickets::record_print(c, officer, first.id, &PrintOutcome::Browser, now).expect("print");
    });
    step(&mut conn, &mut |c| {
        tickets::ticket_doc(c, officer, first.id, "http://x", now).expect("ticket");
    });
    step(&mut conn, &mut |c| {
        let snapshot = queue::snapshot(c, port, now).expect("snapshot");
        tickets::printed_waiting(&snapshot);
    });
    step(&mut conn, &mut |c| {
        public::ticket_status(c, &first.status_token, now).expect("status");
    });
    step(&mut conn, &mut |c| {
        public::board(c, &port.code, now).expect("board");
    });
    step(&mut conn, &mut |c| {
        queue::call_next(c, officer, port.id, 3, now)
            .expect("call")
            .expect("someone called");
    });
    step(&mut conn, &mut |c| {
        let at = queue::at_counter(c, port.id, 3)
            .expect("counter")
            .expect("someone");
        entry_actions::view_personal(c, officer, at.id, now).expect("view");
        entry_actions::act(c, officer, at.id, Action::Complete, None, now).expect("complete");
    });
    // The counter's page, with the officer's undo, at a counter that just served and at
    // one that has been idle all day.
    for desk in [3, 7] {
        step(&mut conn, &mut |c| {
            counters::desk(c, officer, &port.code, desk, now).expect("counter page");
        });
    }
    // Today's report, read by the supervisor as the day runs.
    step(&mut conn, &mut |c| {
        let reader = reports::reader(supervisor, port).expect("reader");
        reports::daily(c, &reader, reports::today(port, now), now).expect("today's report");
    });
    // After a restart: the queue is read from the database again.
    live::forget_all();
    step(&mut conn, &mut |c| {
        queue::snapshot(c, port, now).expect("snapshot");
    });
    counts
}

fn set_up(app: &TestApp) -> (Port, (Actor, Actor)) {
    let port = app.add_port("SYS", "America/Tijuana");
    let officer = Actor::from_user(&app.add_user("ofelia", "officer", Some("SYS")));
    let supervisor = Actor::from_user(&app.add_user("sam", "supervisor", Some("SYS")));
    (port, (officer, supervisor))
}

#[test]
fn no_request_reads_more_rows_as_the_history_grows() {
    // Today's queue, on a port with a long history and on a new one.
    let lived = common::test_app_on_sqlite();
    let lived_port = set_up(&lived);
    let now = lived.clock.now_utc();
    lived.with_conn(|c| fill_history(c, &lived_port.0, 60, 80, now));
    let old: i64 = lived.with_conn(|c| entry_events::table.count().get_result(c).unwrap());
    assert!(old >= 19_000, "the history holds {old} events");

    let fresh = common::test_app_on_sqlite();
    let fresh_port = set_up(&fresh);

    let record = Recorder::default();
    let mut statements = Vec::new();
    let lived_counts = requests(&lived, &lived_port, &record, &mut statements);
    let mut ignored = Vec::new();
    let fresh_counts = requests(&fresh, &fresh_port, &record, &mut ignored);
    assert_eq!(
        lived_counts, fresh_counts,
        "the same requests issue as many statements after a long history as on a new port"
    );

    assert!(
        statements.len() > 30,
        "the requests were recorded: {statements:?}"
    );
    let mut conn = lived.conn();
    if std::env::var("SHOW_PLANS").is_ok() {
        for sql in &statements {
            let plan: Vec<PlanRow> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                .load(&mut conn)
                .unwrap_or_default();
            eprintln!(
                "{sql}\n   {:?}",
                plan.iter().map(|p| &p.detail).collect::<Vec<_>>()
            );
        }
        eprintln!("{lived_counts:?}");
    }
    let unbounded: Vec<String> = statements
        .iter()
        .filter_map(|sql| unbounded_read(&mut conn, sql).map(|line| format!("{line}\n  in {sql}")))
        .collect();
    assert!(
        unbounded.is_empty(),
        "statements that read rows by port alone or scan a growing table:\n{}",
        unbounded.join("\n")
    );
}

/// A registration into a kept queue is one transaction of five statements and one commit
/// (one flush to disk), however long the queue and whether counters serve: the port's lock
/// returns the port row, the ticket counter moves, the entry's insert returns the row, its
/// event, and the kept daily figures it makes stale; nothing is read back.
#[test]
fn a_registration_is_one_commit_of_five_statements_however_long_the_queue() {
    let app = common::test_app_on_sqlite();
    let (port, (officer, _)) = set_up(&app);
    let now = app.clock.now_utc();
    let record = Recorder::default();
    let mut conn = app.conn();
    record.attach(&mut conn);
    let walk_in = WalkInInput {
        party_size: "2".into(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    };
    let expected = [
        "BEGIN",
        "UPDATE `ports` SET `revision`",
        "UPDATE `ports` SET `next_walkin_number`",
        "INSERT INTO `entries`",
        "INSERT INTO `entry_events`",
        "DELETE FROM `report_days`",
        "COMMIT",
    ];
    let register = |conn: &mut DbConnection| {
        record.take();
        walk_ins::register(conn, &officer, port.id, &walk_in, now).expect("register");
        record.take()
    };
    // The first reads the port's queue into memory.
    register(&mut conn);
    let mut measured = Vec::new();
    for round in 0..3 {
        if round == 1 {
            // Counters serving: the windows now come from the sampled runs.
            for counter in 1..=2 {
                queue::call_next(&mut conn, &officer, port.id, counter, now)
                    .expect("call")
                    .expect("someone called");
            }
        }
        for _ in 0..40 {
            register(&mut conn);
        }
        measured.push(register(&mut conn));
    }
    for statements in measured {
        assert_eq!(
            statements.len(),
            expected.len(),
            "a registration's statements: {statements:#?}"
        );
        for (sql, start) in statements.iter().zip(expected) {
            assert!(sql.starts_with(start), "expected {start}…, got {sql}");
        }
        assert_eq!(
            statements.iter().filter(|s| s.as_str() == "COMMIT").count(),
            1
        );
    }
    // Each of the five statements was prepared once on this connection and kept: none is
    // parsed again per registration (BEGIN and COMMIT are not prepared statements).
    let cached = record.take_cached();
    for start in &expected[1..expected.len() - 1] {
        assert_eq!(
            cached.iter().filter(|sql| sql.starts_with(start)).count(),
            1,
            "{start}… kept prepared once: {cached:#?}"
        );
    }
}

/// No read of the pages binds its LIMIT. Diesel's `.first()` and `.limit(n)` bind the limit
/// (`LIMIT ?`); SQLite reads a bound LIMIT while planning and marks the kept statement stale
/// each time the value is bound again, so such a read is parsed and planned anew on every
/// call (see the next test). Every request of the queue's pages and actions, and the counter
/// page, reads by a unique key without a LIMIT or writes its LIMIT into the statement.
#[test]
fn no_page_read_binds_its_limit() {
    let app = common::test_app_on_sqlite();
    let set = set_up(&app);
    let record = Recorder::default();
    let mut statements = Vec::new();
    requests(&app, &set, &record, &mut statements);
    let (port, (officer, _)) = &set;
    let now = app.clock.now_utc();
    let mut conn = app.conn();
    record.attach(&mut conn);
    record.take();
    // The counter page, with someone at the counter and a recent action to undo.
    queue::call_next(&mut conn, officer, port.id, 2, now)
        .expect("call")
        .expect("someone called");
    counters::desk(&mut conn, officer, &port.code, 2, now).expect("counter page");
    statements.extend(record.take());
    assert!(
        statements
            .iter()
            .any(|sql| sql.contains(" LIMIT 1") && sql.contains("`status` = ?")),
        "the counter page's read of who is at the counter is recorded: {statements:#?}"
    );
    // Left as they are: the kept queue's own reads (`service::live`), its past days' samples
    // (read once a day per port) and the port row a change reads back.
    let kept_queue = [
        "SELECT `entries`.`counter`, `entries`.`called_at`, `entries`.`finished_at`,",
        "SELECT `ports`.`id`, `ports`.`code`, `ports`.`name`, `ports`.`timezone`, `ports`.`walkin_share`, `ports`.`priority_boost_minutes`, `ports`.`early_window_minutes`, `ports`.`late_window_minutes`, `ports`.`max_recalls`, `ports`.`minutes_per_person`, `ports`.`share_state`, `ports`.`next_walkin_number`, `ports`.`next_appointment_number`, `ports`.`revision`, `ports`.`printer_addr`, `ports`.`created_at`, `ports`.`printer_paper_mm`, `ports`.`instance`, `ports`.`announce_ticket_language`, `ports`.`default_languages`, `ports`.`language_wait_limit_minutes` FROM `ports` WHERE (`ports`.`id` = ?) LIMIT ?",
    ];
    let bound: Vec<&String> = statements
        .iter()
        .filter(|sql| sql.contains("LIMIT ?"))
        .filter(|sql| !kept_queue.iter().any(|k| sql.starts_with(k)))
        .collect();
    assert!(bound.is_empty(), "reads that bind their LIMIT: {bound:#?}");
}

/// Why the test above matters: on SQLite (the bundled library), a kept statement whose LIMIT
/// is bound is prepared again on every run, one with the LIMIT written into it, or none, is
/// prepared once (`SQLITE_STMTSTATUS_REPREPARE`).
#[test]
fn sqlite_prepares_a_bound_limit_again_on_every_run() {
    use libsqlite3_sys as ffi;
    use std::ffi::CString;
    use std::ptr::null_mut;
    let mut db = null_mut();
    // SAFETY: plain use of the SQLite C interface on a private in-memory database; every
    // pointer passed is valid for the call and the handles are closed at the end.
    unsafe {
        let name = CString::new(":memory:").unwrap();
        assert_eq!(ffi::sqlite3_open(name.as_ptr(), &mut db), ffi::SQLITE_OK);
        let setup = CString::new(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); \
             INSERT INTO t (v) VALUES ('a'), ('b'), ('c');",
        )
        .unwrap();
        assert_eq!(
            ffi::sqlite3_exec(db, setup.as_ptr(), None, null_mut(), null_mut()),
            ffi::SQLITE_OK
        );
    }
    let reprepared = |sql: &str, params: i32| -> i32 {
        let sql = CString::new(sql).unwrap();
        // SAFETY: as above; the statement is finalized before returning.
        unsafe {
            let mut stmt = null_mut();
            assert_eq!(
                ffi::sqlite3_prepare_v3(
                    db,
                    sql.as_ptr(),
                    -1,
                    ffi::SQLITE_PREPARE_PERSISTENT,
                    &mut stmt,
                    null_mut()
                ),
                ffi::SQLITE_OK
            );
            // As diesel runs a kept statement: bind every parameter, step, reset.
            for _ in 0..10 {
                for i in 1..=params {
                    ffi::sqlite3_bind_int64(stmt, i, 1);
                }
                assert_eq!(ffi::sqlite3_step(stmt), ffi::SQLITE_ROW);
                ffi::sqlite3_reset(stmt);
                ffi::sqlite3_clear_bindings(stmt);
            }
            let n = ffi::sqlite3_stmt_status(stmt, ffi::SQLITE_STMTSTATUS_REPREPARE, 0);
            ffi::sqlite3_finalize(stmt);
            n
        }
    };
    assert!(reprepared("SELECT v FROM t WHERE id > ? LIMIT ?", 2) >= 9);
    assert_eq!(reprepared("SELECT v FROM t WHERE id > ? LIMIT 1", 1), 0);
    assert_eq!(reprepared("SELECT v FROM t WHERE id = ?", 1), 0);
    // SAFETY: every statement was finalized.
    unsafe {
        ffi::sqlite3_close(db);
    }
}

/// Under language matching too, a registration into a long kept queue continues the kept
/// projection instead of projecting the whole queue again: with counters open with
/// languages and serving, 300 people of four languages waiting (some whose language no
/// counter covers), no registration after the first of the minute projects afresh.
#[test]
fn a_registration_under_language_matching_continues_the_kept_projection() {
    let app = common::test_app_on_sqlite();
    let (port, (officer, _)) = set_up(&app);
    let now = app.clock.now_utc();
    let mut conn = app.conn();
    let languages = ["spa", "eng", "pan", "quc"];
    for i in 0..300i64 {
        diesel::insert_into(entries::table)
            .values(NewEntry {
                port_id: port.id,
                ticket: format!("W-{:04}", 5_000 + i),
                class: Class::WalkIn,
                tier: if i % 13 == 4 {
                    Tier::Priority
                } else {
                    Tier::Standard
                },
                party_size: 1 + (i % 3) as i32,
                language: languages[i as usize % 4].into(),
                barriers: "language".into(),
                barrier_note: None,
                vulnerabilities: String::new(),
                urgent_reason: None,
                name: None,
                nationality: None,
                appointment_id: None,
                slot_at: None,
                arrived_at: to_db(now - Duration::minutes(300 - i)),
                status: Status::Waiting,
                status_token: format!("{:064x}", 7_000_000 + i),
                created_by: None,
            })
            .execute(&mut conn)
            .expect("waiting entry");
    }
    portqueue::service::counter_languages::open(&mut conn, &officer, &port, 1, &["spa"], now)
        .expect("counter 1 opened");
    portqueue::service::counter_languages::open(&mut conn, &officer, &port, 2, &["pan"], now)
        .expect("counter 2 opened");
    for counter in 1..=2 {
        queue::call_next(&mut conn, &officer, port.id, counter, now)
            .expect("call")
            .expect("someone called");
    }
    let walk_in = |language: &str| WalkInInput {
        party_size: "2".into(),
        language: language.into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    };
    // The first of the minute projects the queue the calls changed.
    walk_ins::register(&mut conn, &officer, port.id, &walk_in("spa"), now).expect("register");
    let fresh = portqueue_core::queue::fresh_projections();
    for language in ["pan", "quc", "spa", "eng", "pan", "spa"] {
        let view = walk_ins::register(&mut conn, &officer, port.id, &walk_in(language), now)
            .expect("register");
        assert!(view.estimated_call_at.is_some(), "a window on the ticket");
    }
    assert_eq!(
        portqueue_core::queue::fresh_projections(),
        fresh,
        "every registration continued the kept projection"
    );
    let snapshot = queue::snapshot(&mut conn, &port, now).expect("snapshot");
    assert_eq!(snapshot.waiting.len(), 300 - 2 + 7);
}

/// A walk-in is registered in ticket order: a clock read up to a second before the previous
/// registration (its change waited for the port's lock) gives the previous arrival, so the
/// new ticket is never placed before the one drawn just before it; a clock further behind is
/// taken as it is.
#[test]
fn walk_ins_arrive_in_ticket_order() {
    let app = common::test_app_on_sqlite();
    let (port, (officer, _)) = set_up(&app);
    let now = app.clock.now_utc();
    let mut conn = app.conn();
    let walk_in = WalkInInput {
        party_size: "1".into(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    };
    let mut register = |at: DateTime<Utc>| {
        walk_ins::register(&mut conn, &officer, port.id, &walk_in, at)
            .expect("register")
            .arrived_at
    };
    assert_eq!(register(now), now);
    let behind = now - Duration::milliseconds(300);
    assert_eq!(register(behind), now, "moved up to the ticket before");
    let later = now + Duration::milliseconds(200);
    assert_eq!(register(later), later, "a later clock is taken as it is");
    let far = later - Duration::seconds(5);
    assert_eq!(register(far), far, "a clock far behind is taken as it is");
}
