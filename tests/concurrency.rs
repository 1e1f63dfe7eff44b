//! G7 on the live system: whatever number of officers press "call next" at the same moment,
//! no entry is called twice and the calls follow the engine's order.

mod common;

use actix_web::http::StatusCode;
use actix_web::{App, test, web};
use chrono::Duration;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::Value;

use portqueue::db::models::Entry;
use portqueue::db::schema::{entries, entry_events};
use portqueue::service::port_by_code;
use portqueue_core::queue::{self as engine, ShareState};

use common::{NowUtc, test_app};

#[actix_web::test]
async fn thirty_two_simultaneous_call_next_never_call_one_entry_twice_nor_skip_the_order() {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    let token = app.token("ofelia");
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;

    // 40 walk-ins of mixed sizes and tiers, one minute apart.
    for i in 0..40u32 {
        let body = common::mixed_walk_in(i as usize);
        let req = test::TestRequest::post()
            .uri("/api/v1/ports/SYS/walk-ins")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .set_json(body)
            .to_request();
        assert_eq!(
            test::call_service(&service, req).await.status(),
            StatusCode::CREATED
        );
        app.clock.advance(Duration::minutes(1));
    }

    // What the engine says, one call after another, from the same state.
    let port = app.with_conn(|c| port_by_code(c, "SYS").unwrap());
    let waiting: Vec<Entry> = app.with_conn(|c| {
        entries::table
            .select(Entry::as_select())
            .order(entries::id.asc())
            .load(c)
            .unwrap()
    });
    let mut queue: Vec<_> = waiting.iter().map(Entry::queue_entry).collect();
    let mut state = ShareState::default();
    let mut expected = Vec::new();
    let now = app.clock.now_utc();
    for _ in 0..32 {
        let call = engine::next_call(&queue, &port.policy(), port.tz(), &state, now)
            .expect("someone eligible");
        state = call.state;
        queue.retain(|e| e.id != call.entry_id);
        expected.push(call.entry_id);
    }

    // 32 officers press "call next" at once, each at their own counter.
    let presses = (1..=32).map(|counter| {
        let req = test::TestRequest::post()
            .uri(&format!("/api/v1/ports/SYS/counters/{counter}/call-next"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        test::call_service(&service, req)
    });
    let mut called = Vec::new();
    for resp in join_all(presses).await {
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = test::read_body_json(resp).await;
        called.push(body["id"].as_i64().unwrap());
    }

    let mut distinct = called.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 32, "an entry was called twice: {called:?}");

    // The order the calls committed in is the engine's order.
    let committed: Vec<i64> = app.with_conn(|c| {
        entry_events::table
            .filter(entry_events::kind.eq("called"))
            .order(entry_events::id.asc())
            .select(entry_events::entry_id)
            .load(c)
            .unwrap()
    });
    assert_eq!(committed, expected);
    let urgent = waiting[30].id;
    assert_eq!(
        committed[0], urgent,
        "the urgent entry is called first (G1)"
    );

    // Every entry is in exactly one state; eight still wait.
    let statuses: Vec<String> =
        app.with_conn(|c| entries::table.select(entries::status).load(c).unwrap());
    assert_eq!(statuses.iter().filter(|s| *s == "called").count(), 32);
    assert_eq!(statuses.iter().filter(|s| *s == "waiting").count(), 8);
}

/// Each app state has its own SQLite writer queue: a write held open in one app (another
/// test running in parallel, on its own database) never holds up the writers of another.
#[::core::prelude::v1::test]
fn two_app_states_in_one_process_do_not_share_the_writer_queue() {
    use std::sync::mpsc;
    use std::time::Duration;

    let first = common::test_app_on_sqlite();
    let second = common::test_app_on_sqlite();
    assert!(!first.state.writers.same(&second.state.writers));

    let (done_tx, done_rx) = mpsc::channel();
    let held = first.state.blocking(|conn, _| {
        portqueue::service::transaction(conn, |_| {
            // The first app holds its writer's turn while the second writes on its own thread.
            let state = second.state.clone();
            let done_tx = done_tx.clone();
            std::thread::spawn(move || {
                let wrote =
                    state.blocking(|conn, _| portqueue::service::transaction(conn, |_| Ok(())));
                done_tx.send(wrote.is_ok()).ok();
            });
            Ok(done_rx.recv_timeout(Duration::from_secs(10)))
        })
    });
    assert_eq!(
        held.expect("first write"),
        Ok(true),
        "the second app wrote while the first held its turn"
    );
}

/// A write that reads first must wait for a writer outside the app (the `portqueue` command
/// line, `portqueue demo`, another server on the same file) rather than fail: SQLite would
/// refuse at once the first write of a transaction begun by reading if someone else
/// committed in between, so the app's transactions take the write lock as they begin.
#[::core::prelude::v1::test]
fn a_transaction_that_reads_first_waits_for_a_writer_outside_the_app_instead_of_failing() {
    use diesel::prelude::*;
    use portqueue::db::schema::ports;
    use std::sync::mpsc;
    use std::time::Duration;

    let app = common::test_app_on_sqlite();
    app.add_port("AAA", "America/Tijuana");
    let outside = app.conn();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel();
    let other = std::thread::spawn(move || {
        let mut outside = outside;
        go_rx.recv().unwrap();
        // A connection of no app state: its write queues in SQLite alone.
        let wrote = diesel::update(ports::table)
            .set(ports::name.eq("renamed outside"))
            .execute(&mut *outside);
        done_tx.send(()).ok();
        wrote
    });
    let inside = app.state.blocking(|conn, _| {
        portqueue::service::transaction(conn, |conn| {
            let before: i64 = ports::table.count().get_result(conn)?;
            go_tx.send(()).unwrap();
            // Time for the outside write to commit, if this transaction lets it.
            let outside_done_first = done_rx.recv_timeout(Duration::from_millis(500)).is_ok();
            diesel::update(ports::table)
                .set(ports::name.eq("renamed inside"))
                .execute(conn)?;
            Ok((before, outside_done_first))
        })
    });
    let (before, outside_done_first) = inside.expect("the app's transaction commits");
    assert_eq!(before, 1);
    assert!(
        !outside_done_first,
        "the outside writer waited for the app's transaction"
    );
    assert_eq!(
        other
            .join()
            .unwrap()
            .expect("the outside write commits after"),
        1
    );
    let name: String = app.with_conn(|conn| ports::table.select(ports::name).first(conn).unwrap());
    assert_eq!(name, "renamed outside", "the outside write came second");
}
