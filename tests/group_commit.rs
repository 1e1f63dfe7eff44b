//! Group commit on SQLite (`service::group`): registrations handed in together run in one
//! transaction, each in its own savepoint, and are answered only after the one commit.
//!
//! Each test holds the app's writer turn itself while the writes are handed in, so the group
//! that forms when it lets go is known exactly, whatever the machine's speed.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use portqueue::AppState;
use portqueue::auth::Actor;
use portqueue::db;
use portqueue::db::schema::{entries, entry_events};
use portqueue::error::AppError;
use portqueue::service::walk_ins::{self, WalkInInput};
use portqueue::service::{self, group, port_by_code, public};
use portqueue::turns::WriterQueue;

use common::TestApp;

/// A test app on a temporary SQLite file (group commit is SQLite's) with room for many
/// writers' connections at once.
fn sqlite_app() -> TestApp {
    common::test_app_on_sqlite_with_pool(24)
}

fn walk_in(i: usize) -> WalkInInput {
    WalkInInput {
        party_size: (1 + i % 4).to_string(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    }
}

/// Waits until `n` writes are handed in to the app's writer queue.
fn until_handed_in(state: &AppState, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while state.writers.handed_in_waiting() < n {
        assert!(Instant::now() < deadline, "{n} writes never came");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The public board of port SYS, as the app serves it (from the kept queue when there is one).
fn sys_board(app: &TestApp) -> public::Board {
    app.state
        .blocking(|c, now| public::board(c, "SYS", now))
        .unwrap()
}

/// The board read from the kept queue, after checking that it is the one a fresh read of the
/// database gives (the kept queue forgotten in between).
fn kept_board_is_the_databases(app: &TestApp) -> public::Board {
    let kept = sys_board(app);
    service::live::forget_all();
    let fresh = sys_board(app);
    assert_eq!(kept.next, fresh.next);
    kept
}

fn count<T>(app: &TestApp, f: impl FnOnce(&mut db::DbConnection) -> QueryResult<T>) -> T {
    app.with_conn(|c| f(c).unwrap())
}

#[test]
fn registrations_handed_in_together_commit_as_one_group_each_answered_as_if_alone() {
    let app = sqlite_app();
    let port = app.add_port("SYS", "America/Tijuana");
    app.add_port("OTY", "America/Tijuana");
    let ofelia = Actor::from_user(&app.add_user("ofelia", "officer", Some("SYS")));
    // An officer of another port: refused inside the transaction, after the port's lock.
    let otto = Actor::from_user(&app.add_user("otto", "officer", Some("OTY")));

    let _scope = app.state.writers.enter();
    let held = WriterQueue::turn().expect("the turn");
    let answered = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..16)
        .map(|i| {
            let state = app.state.clone();
            let actor = if i % 5 == 3 {
                otto.clone()
            } else {
                ofelia.clone()
            };
            let answered = answered.clone();
            std::thread::spawn(move || {
                let result = state.blocking(|conn, now| {
                    walk_ins::register(conn, &actor, port.id, &walk_in(i), now)
                });
                answered.fetch_add(1, Ordering::SeqCst);
                result
            })
        })
        .collect();
    until_handed_in(&app.state, 16);
    // Handed in, not run: nothing is written and nobody is answered.
    assert_eq!(answered.load(Ordering::SeqCst), 0);
    assert_eq!(
        count(&app, |c| entries::table.count().get_result::<i64>(c)),
        0
    );
    let before = app.state.writers.group_counts();
    drop(held);

    let results: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let after = app.state.writers.group_counts();
    assert_eq!(after.groups - before.groups, 1, "one group: {after:?}");
    assert_eq!(after.writes - before.writes, 16);

    let mut tickets = Vec::new();
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(view) => tickets.push(view.ticket.clone()),
            Err(AppError::Forbidden(_)) => assert_eq!(i % 5, 3, "write {i} refused"),
            Err(e) => panic!("write {i}: {e:?}"),
        }
    }
    // 13 registered, three refused: each refusal rolled back to its own savepoint (its
    // lock of the port included), the others drew consecutive tickets.
    assert_eq!(tickets.len(), 13);
    tickets.sort();
    let expected: Vec<String> = (1..=13).map(|n| format!("W-{n:04}")).collect();
    assert_eq!(tickets, expected);
    assert_eq!(
        count(&app, |c| entries::table.count().get_result::<i64>(c)),
        13
    );
    assert_eq!(
        count(&app, |c| entry_events::table.count().get_result::<i64>(c)),
        13,
        "each registration committed with its event"
    );
    let now_port = app.with_conn(|c| port_by_code(c, "SYS").unwrap());
    assert_eq!(now_port.revision, port.revision + 13);

    // The queue the group left in memory is the one the database holds.
    let kept = kept_board_is_the_databases(&app);
    assert_eq!(kept.revision, sys_board(&app).revision);
}

#[test]
fn a_write_that_panics_in_a_group_fails_its_whole_group_and_leaves_nothing_behind() {
    let app = sqlite_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let ofelia = Actor::from_user(&app.add_user("ofelia", "officer", Some("SYS")));

    let _scope = app.state.writers.enter();
    let held = WriterQueue::turn().expect("the turn");
    let mut writers = Vec::new();
    for i in 0..3 {
        let state = app.state.clone();
        let actor = ofelia.clone();
        writers.push(std::thread::spawn(move || {
            state.blocking(|conn, now| walk_ins::register(conn, &actor, port.id, &walk_in(i), now))
        }));
        until_handed_in(&app.state, i + 1);
    }
    // The fourth panics in the middle of its transaction, after the first three ran.
    let state = app.state.clone();
    let panicking = std::thread::spawn(move || {
        state.blocking(|conn, _| {
            group::grouped(conn, |conn| {
                service::transaction(conn, |conn| {
                    service::lock_port(conn, port.id)?;
                    panic!("a bug in the middle of a write");
                    #[allow(unreachable_code)]
                    Ok(())
                })
            })
        })
    });
    until_handed_in(&app.state, 4);
    // And one more after it, taken in the same group but never run: it is answered too.
    let (state, actor) = (app.state.clone(), ofelia.clone());
    let (after_tx, after_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let answer =
            state.blocking(|conn, now| walk_ins::register(conn, &actor, port.id, &walk_in(4), now));
        let _ = after_tx.send(answer);
    });
    until_handed_in(&app.state, 5);
    drop(held);

    assert!(
        panicking.join().is_err(),
        "the panic reaches its own writer"
    );
    let after = after_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the write after the panic is answered, not left waiting");
    assert!(
        matches!(after, Err(AppError::Internal(_))),
        "not run, not answered as registered: {after:?}"
    );
    for writer in writers {
        let answer = writer.join().unwrap();
        assert!(
            matches!(answer, Err(AppError::Internal(_))),
            "not committed, so not answered as registered: {answer:?}"
        );
    }
    assert_eq!(
        count(&app, |c| entries::table.count().get_result::<i64>(c)),
        0
    );
    assert_eq!(
        app.with_conn(|c| port_by_code(c, "SYS").unwrap()).revision,
        port.revision
    );

    // The next registration finds the queue as the database has it.
    let view = app
        .state
        .blocking(|conn, now| walk_ins::register(conn, &ofelia, port.id, &walk_in(9), now))
        .unwrap();
    assert_eq!(view.ticket, "W-0001");
    let board = sys_board(&app);
    assert_eq!(board.next, vec!["W-0001".to_owned()]);
}

#[test]
fn a_reader_never_sees_a_group_before_its_commit() {
    let app = sqlite_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let ofelia = Actor::from_user(&app.add_user("ofelia", "officer", Some("SYS")));
    let first = app
        .state
        .blocking(|conn, now| walk_ins::register(conn, &ofelia, port.id, &walk_in(0), now))
        .unwrap();
    // The queue is kept in memory from here on.
    let board = sys_board(&app);
    assert_eq!(board.next, vec![first.ticket.clone()]);

    let _scope = app.state.writers.enter();
    let held = WriterQueue::turn().expect("the turn");
    let state = app.state.clone();
    let actor = ofelia.clone();
    let second = std::thread::spawn(move || {
        state.blocking(|conn, now| walk_ins::register(conn, &actor, port.id, &walk_in(1), now))
    });
    until_handed_in(&app.state, 1);
    // A write after it in the same group that holds the group open until told.
    let (ran, ran_rx) = std::sync::mpsc::channel::<()>();
    let (go, go_rx) = std::sync::mpsc::channel::<()>();
    let state = app.state.clone();
    let holder = std::thread::spawn(move || {
        state.blocking(|conn, _| {
            group::grouped(conn, move |conn| {
                service::transaction(conn, move |_| {
                    ran.send(()).unwrap();
                    go_rx.recv().unwrap();
                    Ok(())
                })
            })
        })
    });
    until_handed_in(&app.state, 2);
    drop(held);
    ran_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the group runs");

    // The second registration ran and sits in the kept queue, uncommitted: a reader waits
    // for the commit a while, then reads what is committed.
    let board = sys_board(&app);
    assert_eq!(
        board.next,
        vec![first.ticket.clone()],
        "nothing uncommitted"
    );

    go.send(()).unwrap();
    holder.join().unwrap().unwrap();
    let second = second.join().unwrap().unwrap();
    let board = sys_board(&app);
    assert_eq!(board.next, vec![first.ticket, second.ticket]);
}

#[test]
fn grouped_and_lone_writers_mixed_all_finish_and_never_write_at_once() {
    let app = sqlite_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let ofelia = Actor::from_user(&app.add_user("ofelia", "officer", Some("SYS")));
    let inside = Arc::new(AtomicUsize::new(0));
    let overlaps = Arc::new(AtomicUsize::new(0));
    let (done, done_rx) = std::sync::mpsc::channel();
    for t in 0..10 {
        let (state, actor, inside, overlaps, done) = (
            app.state.clone(),
            ofelia.clone(),
            inside.clone(),
            overlaps.clone(),
            done.clone(),
        );
        std::thread::spawn(move || {
            for i in 0..40 {
                let result = if (t + i) % 3 == 0 {
                    // A lone write: takes the turn for itself.
                    state.blocking(|conn, _| {
                        service::transaction(conn, |conn| {
                            if inside.fetch_add(1, Ordering::SeqCst) > 0 {
                                overlaps.fetch_add(1, Ordering::SeqCst);
                            }
                            service::lock_port(conn, port.id)?;
                            inside.fetch_sub(1, Ordering::SeqCst);
                            Ok(())
                        })
                    })
                } else {
                    state
                        .blocking(|conn, now| {
                            walk_ins::register(conn, &actor, port.id, &walk_in(i), now)
                        })
                        .map(|_| ())
                };
                result.unwrap();
            }
            done.send(()).unwrap();
        });
    }
    for _ in 0..10 {
        done_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("every writer finishes: none is left waiting");
    }
    assert_eq!(overlaps.load(Ordering::SeqCst), 0);
    let registered = count(&app, |c| entries::table.count().get_result::<i64>(c));
    let lone = (0..10)
        .flat_map(|t| (0..40).map(move |i| (t + i) % 3 == 0))
        .filter(|&l| l)
        .count() as i64;
    assert_eq!(registered, 400 - lone);
    assert_eq!(
        app.with_conn(|c| port_by_code(c, "SYS").unwrap()).revision,
        port.revision + 400
    );
    kept_board_is_the_databases(&app);
}

/// A write whose savepoint cannot be rolled back (SQLite answers `ROLLBACK TO SAVEPOINT`
/// with an error while the group's transaction stays open: played here by a write that
/// releases its own savepoint before it fails) leaves its changes in the group's
/// transaction, though it answers its error. The group must not commit them.
#[test]
fn a_write_whose_savepoint_cannot_be_rolled_back_commits_nothing_of_its_group() {
    let app = sqlite_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let ofelia = Actor::from_user(&app.add_user("ofelia", "officer", Some("SYS")));

    let _scope = app.state.writers.enter();
    let held = WriterQueue::turn().expect("the turn");
    let register = |i: usize| {
        let (state, actor) = (app.state.clone(), ofelia.clone());
        std::thread::spawn(move || {
            state.blocking(|conn, now| walk_ins::register(conn, &actor, port.id, &walk_in(i), now))
        })
    };
    let first = register(0);
    until_handed_in(&app.state, 1);
    let state = app.state.clone();
    let broken = std::thread::spawn(move || {
        state.blocking(|conn, _| {
            group::grouped(conn, |conn| {
                service::transaction(conn, |conn| {
                    // Half a change: the port's lock taken (its revision moved), then the
                    // savepoint gone, then a failure.
                    service::lock_port(conn, port.id)?;
                    diesel::connection::SimpleConnection::batch_execute(
                        conn,
                        "RELEASE SAVEPOINT diesel_savepoint_1",
                    )?;
                    Err::<(), _>(AppError::Internal("failed half-way".into()))
                })
            })
        })
    });
    until_handed_in(&app.state, 2);
    let third = register(2);
    until_handed_in(&app.state, 3);
    drop(held);

    assert!(broken.join().unwrap().is_err(), "the broken write fails");
    let registered = [first.join().unwrap(), third.join().unwrap()]
        .iter()
        .filter(|r| r.is_ok())
        .count() as i64;
    // Whatever was answered as registered is committed, and nothing else: not the broken
    // write's half change (its lock of the port).
    assert_eq!(
        count(&app, |c| entries::table.count().get_result::<i64>(c)),
        registered
    );
    assert_eq!(
        app.with_conn(|c| port_by_code(c, "SYS").unwrap()).revision,
        port.revision + registered,
        "the failed write's change was committed"
    );

    // The app goes on: the next registration commits and the kept queue is the database's.
    let view = app
        .state
        .blocking(|conn, now| walk_ins::register(conn, &ofelia, port.id, &walk_in(3), now))
        .unwrap();
    let board = kept_board_is_the_databases(&app);
    assert!(board.next.contains(&view.ticket));
}

/// Everything at once from several threads, the way a busy port runs: kiosks registering
/// (grouped), check-ins (grouped), two counters calling, serving, marking no-shows and
/// undoing calls (each alone), and readers of the board and the officers' queue. Afterwards
/// the queue kept in memory is the one a restarted server reads from the database, every
/// entry has its one registration or check-in event, and no ticket is held twice.
#[test]
fn a_mixed_load_leaves_the_kept_queue_equal_to_the_database() {
    use portqueue::service::appointments::{self, AppointmentRow};
    use portqueue::service::entries::{self as entry_actions, Action};
    use portqueue::service::walk_ins::TriageInput;
    use portqueue::service::{queue, undo};

    let app = sqlite_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let kiosk = Actor::from_user(&app.add_user("kiosk", "officer", Some("SYS")));
    let supervisor = Actor::from_user(&app.add_user("sara", "supervisor", Some("SYS")));
    let officers = [
        Actor::from_user(&app.add_user("olga", "officer", Some("SYS"))),
        Actor::from_user(&app.add_user("omar", "officer", Some("SYS"))),
    ];
    const BOOKED: usize = 24;
    let rows: Vec<AppointmentRow> = (1..=BOOKED)
        .map(|i| AppointmentRow {
            confirmation: format!("MX-{i}"),
            slot_at: app.state.now(),
            party_size: 1,
            name: format!("Persona {i}"),
            nationality: "Honduras".into(),
            language: "spa",
        })
        .collect();
    app.state
        .blocking(|c, now| appointments::import(c, &supervisor, port.id, &rows, now))
        .unwrap();

    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for k in 0..3 {
        let (state, actor) = (app.state.clone(), kiosk.clone());
        writers.push(std::thread::spawn(move || {
            for i in 0..30 {
                state
                    .blocking(|c, now| {
                        walk_ins::register(c, &actor, port.id, &walk_in(k * 30 + i), now)
                    })
                    .unwrap();
            }
        }));
    }
    {
        let (state, actor) = (app.state.clone(), kiosk.clone());
        writers.push(std::thread::spawn(move || {
            for i in 1..=BOOKED {
                let confirmation = format!("MX-{i}");
                state
                    .blocking(|c, now| {
                        appointments::check_in(
                            c,
                            &actor,
                            port.id,
                            &confirmation,
                            &TriageInput::default(),
                            now,
                        )
                    })
                    .unwrap();
            }
        }));
    }
    for (n, officer) in officers.iter().enumerate() {
        let (state, actor) = (app.state.clone(), officer.clone());
        let counter = n as u32 + 1;
        writers.push(std::thread::spawn(move || {
            for i in 0..30 {
                let called = state
                    .blocking(|c, now| queue::call_next(c, &actor, port.id, counter, now))
                    .unwrap();
                let Some(entry) = called else {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                };
                let answer = state.blocking(|c, now| match i % 3 {
                    0 => undo::undo(c, &actor, entry.id, Some(counter), now),
                    1 => entry_actions::act(c, &actor, entry.id, Action::Complete, None, now),
                    _ => entry_actions::act(c, &actor, entry.id, Action::NoShow, None, now),
                });
                answer.unwrap_or_else(|e| panic!("counter {counter}, action {i}: {e:?}"));
            }
        }));
    }
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (state, done) = (app.state.clone(), done.clone());
            std::thread::spawn(move || {
                let mut reads = 0;
                while !done.load(Ordering::SeqCst) {
                    let board = state
                        .blocking(|c, now| public::board(c, "SYS", now))
                        .unwrap();
                    let listed = state
                        .blocking(|c, now| {
                            let port = port_by_code(c, "SYS")?;
                            queue::officer_queue(c, &port, now)
                        })
                        .unwrap();
                    // Never a ticket twice on one screen.
                    let mut seen = std::collections::HashSet::new();
                    for view in listed
                        .snapshot
                        .waiting
                        .iter()
                        .chain(&listed.snapshot.called)
                    {
                        assert!(
                            seen.insert(view.ticket.clone()),
                            "{} listed twice",
                            view.ticket
                        );
                    }
                    assert!(board.next.len() <= listed.snapshot.waiting.len() + 100);
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for writer in writers {
        writer
            .join()
            .expect("every writer finishes without an error");
    }
    done.store(true, Ordering::SeqCst);
    for reader in readers {
        assert!(reader.join().expect("readers never fail") > 0);
    }

    // The kept queue against the database's, read by a restarted server.
    let read_all = |state: &AppState| {
        let board = state
            .blocking(|c, now| public::board(c, "SYS", now))
            .unwrap();
        let listed = state
            .blocking(|c, now| {
                let port = port_by_code(c, "SYS")?;
                queue::officer_queue(c, &port, now)
            })
            .unwrap();
        let waiting: Vec<(String, Option<String>)> = listed
            .snapshot
            .waiting
            .iter()
            .map(|v| (v.ticket.clone(), v.reason.clone().into()))
            .collect();
        let called: Vec<(String, Option<u32>)> = listed
            .snapshot
            .called
            .iter()
            .map(|v| (v.ticket.clone(), v.counter))
            .collect();
        let board_called: Vec<(String, u32)> = board
            .called
            .iter()
            .map(|c| (c.ticket.clone(), c.counter))
            .collect();
        (board.next, board_called, board.revision, waiting, called)
    };
    let kept = read_all(&app.state);
    service::live::forget_all();
    let fresh = read_all(&app.state);
    assert_eq!(kept, fresh, "the kept queue is the database's");

    type Rows = (Vec<(i64, String, String)>, Vec<(i64, String)>);
    let (all, events): Rows = app.with_conn(|c| {
        (
            entries::table
                .select((entries::id, entries::ticket, entries::status))
                .load(c)
                .unwrap(),
            entry_events::table
                .select((entry_events::entry_id, entry_events::kind))
                .load(c)
                .unwrap(),
        )
    });
    assert_eq!(
        all.len(),
        90 + BOOKED,
        "every registration and check-in committed"
    );
    for (id, ticket, _) in &all {
        let arrivals = events
            .iter()
            .filter(|(e, kind)| e == id && (kind == "registered" || kind == "checked_in"))
            .count();
        assert_eq!(arrivals, 1, "{ticket} has {arrivals} registration events");
    }
    let mut open: Vec<&String> = all
        .iter()
        .filter(|(_, _, status)| status == "waiting" || status == "called")
        .map(|(_, ticket, _)| ticket)
        .collect();
    let n = open.len();
    open.sort();
    open.dedup();
    assert_eq!(open.len(), n, "a ticket held twice among open entries");
}

#[test]
fn every_group_is_written_on_the_queues_own_connection_whichever_leads_it() {
    let app = sqlite_app();
    app.add_port("SYS", "America/Tijuana");
    let _scope = app.state.writers.enter();
    // Two of the pool's connections, each leading a group of one in turn.
    let mut first = app.state.conn().unwrap();
    let mut second = app.state.conn().unwrap();
    let temp = |sql: &'static str| {
        move |conn: &mut db::DbConnection| {
            service::transaction(conn, |conn| Ok(diesel::sql_query(sql).execute(conn)?))
        }
    };
    // A TEMP table belongs to the connection that made it.
    group::grouped(&mut first, temp("CREATE TEMP TABLE marker (x INTEGER)")).unwrap();
    group::grouped(&mut second, temp("INSERT INTO temp.marker (x) VALUES (1)"))
        .expect("the second group runs on the connection the first made its table on");
    for leader in [&mut first, &mut second] {
        assert!(
            diesel::sql_query("SELECT x FROM temp.marker")
                .execute(&mut **leader)
                .is_err(),
            "neither leader's own connection wrote the groups"
        );
    }
}
