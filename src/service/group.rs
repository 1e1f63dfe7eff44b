//! Group commit for SQLite: writes handed to the app's writer queue at about the same time
//! run in one transaction, each in its own savepoint, and are committed by one `COMMIT`.
//!
//! SQLite lets one writer in at a time, and with `synchronous = FULL` every commit waits for
//! the disk. Registered one after another, sixteen kiosks' registrations each wait for their
//! own flush; grouped, the flush is shared. Nothing about the answer changes: each write
//! decides exactly as it would alone (it runs after the writes before it in the group, under
//! the port's lock, on the queue as they left it), a write that fails rolls back to its own
//! savepoint and answers its own error, and every write is answered only after the group's
//! commit: an answer still means "committed", and a crash before the commit loses only
//! writes nobody was told about. If the commit fails, every write of the group answers that.
//!
//! How a group forms: a writer hands its write in ([`WriterQueue::hand_in`]) and waits. When
//! the turn to write is free, one waiting writer takes it and leads: it begins the
//! transaction, runs every write handed in by then (at most [`MOST_IN_A_GROUP`]), its own
//! among them, commits, settles them all and gives the turn back. Writes handed in while a
//! group runs form the next group. A lone registration is a group of one. Every group is
//! written on the queue's own connection (opened by the first leader, see
//! `group_connection`), whose page cache lasts from one group to the next.
//!
//! Only registrations are grouped ([`grouped`]); other writes take the turn alone
//! ([`super::transaction`]). PostgreSQL, which queues writers with row locks and commits
//! concurrently, and work outside an app state (the command line) run each write alone.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;

use super::live;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::turns::{GroupConnection, HandedIn, WriterQueue, WriterTurn};
use diesel::r2d2::{ManageConnection, R2D2Connection};

/// The most writes one group commits together. It bounds how long a reader of a port the
/// group changed waits for the commit ([`live`] keeps such a port's queue marked
/// uncommitted until then).
pub const MOST_IN_A_GROUP: usize = 64;

/// Runs `f`, which makes its writes in one [`super::transaction`], possibly inside a group
/// with other writers' (see the module), where that transaction is a savepoint of the
/// group's. `f` may run on another thread, on that thread's connection; this returns once
/// its writes are committed (or failed).
pub fn grouped<T: Send>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> AppResult<T> + Send,
) -> AppResult<T> {
    let queue = match conn {
        DbConnection::Sqlite(_) => WriterQueue::current(),
        DbConnection::Postgresql(_) => None,
    };
    let Some(queue) = queue else {
        return f(conn);
    };
    let answer = Mutex::new(None);
    let settled = AtomicBool::new(false);
    let write: Box<dyn HandedIn + '_> = Box::new(Write {
        f: Some(f),
        answer: &answer,
        settled: &settled,
        writer: std::thread::current(),
    });
    // SAFETY: `write` borrows `answer`, `settled` and what `f` borrows, all of which outlive
    // this call. It is made `'static` only to wait in the queue, and this call does not
    // return before it is settled: `hand_in` and `wait_for` return `None` only once
    // `settled` is set, and with `Some` this thread holds the turn and leads a group, which
    // settles every write it takes. While this write is unsettled and the turn is free, it
    // is still in the queue (a write is taken only by the turn's holder, who settles it
    // before giving the turn back), so the loop below ends. `settle` is the last use of the
    // borrows: by then `f` has been run or dropped, and the box is only dropped after it.
    let write: Box<dyn HandedIn + 'static> = unsafe {
        std::mem::transmute::<Box<dyn HandedIn + '_>, Box<dyn HandedIn + 'static>>(write)
    };
    // Whatever happens from here, this frame must not go away while its write may still be
    // queued or running: should anything below unwind before the write is settled, the
    // process stops rather than leave another thread writing into a frame that is gone.
    let _frame = AbortUnlessSettled(&settled);
    let mut turn = queue.hand_in(write, &settled);
    while let Some(held) = turn {
        // A panic outside the writes themselves (they run under `catch_unwind`) would leave
        // the group's other writers waiting for ever, and this one's write maybe queued.
        let led = catch_unwind(AssertUnwindSafe(|| {
            let mut own = queue.group_connection();
            let writer = group_connection(&mut own, conn).unwrap_or(conn);
            lead(writer, &queue, held);
            if let GroupConnection::Open(c) = &mut *own
                && c.is_broken()
            {
                *own = GroupConnection::Unopened;
            }
        }));
        if led.is_err() {
            stop("the writer leading a group of registrations panicked outside its writes");
        }
        turn = queue.wait_for(&settled);
    }
    let answer = answer
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .ok_or_else(|| AppError::Internal("a grouped write was settled unanswered".into()))?;
    match answer {
        Ok(answer) => answer,
        Err(panic) => resume_unwind(panic),
    }
}

/// The queue's own connection, opened on the first group to the database file the leader's
/// connection (`leader`) is open on; `None` where there is none (each leader then writes on
/// its own).
///
/// Every group is written on this one connection rather than on whichever pooled connection
/// its leader holds. SQLite drops a connection's whole page cache when it begins a
/// transaction after another connection committed; with the leaders' connections taking
/// turns, each group read again from the file (through the kernel) every page its writes
/// touched: the port's row, the entries' and events' B-tree pages and their indexes. On one
/// connection, the pages the group before it wrote are still in the cache (measured in
/// BENCHMARKS.md, "One connection for the groups").
fn group_connection<'a>(
    own: &'a mut GroupConnection,
    leader: &mut DbConnection,
) -> Option<&'a mut DbConnection> {
    if matches!(own, GroupConnection::Unopened) {
        *own = match database_file(leader).map(|path| {
            crate::db::Manager::new(crate::db::Location::Sqlite {
                path,
                create: false,
            })
            .connect()
        }) {
            Some(Ok(conn)) => GroupConnection::Open(conn),
            Some(Err(e)) => {
                log::warn!(
                    "group commit: no connection of its own ({e}); each leader writes on its own"
                );
                GroupConnection::Unavailable
            }
            None => GroupConnection::Unavailable,
        };
    }
    match own {
        GroupConnection::Open(conn) => Some(conn),
        _ => None,
    }
}

/// The file of the SQLite database `conn` is open on, if it has one (not in memory).
fn database_file(conn: &mut DbConnection) -> Option<String> {
    #[derive(QueryableByName)]
    struct Database {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let DbConnection::Sqlite(sqlite) = conn else {
        return None;
    };
    diesel::sql_query("PRAGMA database_list")
        .load::<Database>(sqlite)
        .ok()?
        .into_iter()
        .find(|d| d.name == "main")
        .map(|d| d.file)
        .filter(|file| !file.is_empty())
}

/// Stops the process if dropped before its write is settled (see [`grouped`]).
struct AbortUnlessSettled<'a>(&'a AtomicBool);

impl Drop for AbortUnlessSettled<'_> {
    fn drop(&mut self) {
        if !self.0.load(Ordering::Acquire) {
            stop("a grouped write's writer unwound before its write was settled");
        }
    }
}

fn stop(why: &str) -> ! {
    log::error!("{why}: stopping the process");
    eprintln!("{why}: stopping the process");
    std::process::abort()
}

/// One handed-in write and where its answer goes.
struct Write<'a, T, F> {
    f: Option<F>,
    answer: &'a Mutex<Option<std::thread::Result<AppResult<T>>>>,
    settled: &'a AtomicBool,
    writer: std::thread::Thread,
}

impl<T, F> HandedIn for Write<'_, T, F>
where
    T: Send,
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send,
{
    fn run(&mut self, conn: &mut DbConnection) {
        if let Some(f) = self.f.take() {
            // Its transaction is a savepoint of the group's.
            let answer = catch_unwind(AssertUnwindSafe(|| f(conn)));
            *self.answer.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
        }
    }

    fn fail(&mut self, error: AppError) {
        self.f = None;
        let mut answer = self.answer.lock().unwrap_or_else(PoisonError::into_inner);
        // A write that panicked keeps its panic, for its own writer to resume.
        if !matches!(*answer, Some(Err(_))) {
            *answer = Some(Ok(Err(error)));
        }
    }

    fn settle(&mut self) {
        self.f = None;
        self.settled.store(true, Ordering::Release);
        // `writer` is this box's own handle, not a borrow of the writer's frame.
        self.writer.unpark();
    }

    fn writer(&self) -> &std::thread::Thread {
        &self.writer
    }
}

/// Leads one group with the turn held: runs the writes handed in, commits, settles them.
fn lead(conn: &mut DbConnection, queue: &WriterQueue, turn: WriterTurn) {
    let mut group: Vec<Box<dyn HandedIn>> = Vec::new();
    let ran = catch_unwind(AssertUnwindSafe(|| run_group(conn, queue, &mut group)));
    let failure = match ran {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error),
        Err(_) => {
            abandon(conn);
            Some(AppError::Internal(
                "the writer leading a group of registrations stopped".into(),
            ))
        }
    };
    live::end_group(failure.is_none());
    // Caches keyed on the count of changes look again now that the group is visible, and
    // before anyone is answered: counted after the answers, a board read right after its
    // registration's answer could be served a board cached, under the count the group's
    // changes left, from a check that read the port before the commit.
    live::note_change();
    queue.count_group(group.len());
    for write in &mut group {
        if let Some(error) = &failure {
            write.fail(again(error));
        }
        write.settle();
    }
    drop(group);
    drop(turn);
}

/// Begins the group's transaction, runs the writes handed in (more may come while it
/// runs) and commits; rolls back on any failure of its own.
fn run_group(
    conn: &mut DbConnection,
    queue: &WriterQueue,
    group: &mut Vec<Box<dyn HandedIn>>,
) -> AppResult<()> {
    type Manager = <DbConnection as Connection>::TransactionManager;
    let DbConnection::Sqlite(sqlite) = conn else {
        return Err(AppError::Internal("group commit is for SQLite".into()));
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    live::begin_group();
    let ran = (|| {
        while group.len() < MOST_IN_A_GROUP {
            let taken = queue.take_handed_in(MOST_IN_A_GROUP - group.len());
            if taken.is_empty() {
                break;
            }
            // Into the group before any runs: a write that stops the group leaves the ones
            // taken after it unrun, and they must be settled (failed) with the rest.
            let first = group.len();
            group.extend(taken);
            for write in &mut group[first..] {
                write.run(conn);
                if !in_the_group_transaction(conn) {
                    return Err(AppError::Internal(
                        "a grouped write left its savepoint open or could not roll it back".into(),
                    ));
                }
            }
        }
        Ok(())
    })();
    match ran.and_then(|()| Ok(Manager::commit_transaction(conn)?)) {
        Ok(()) => Ok(()),
        Err(error) => {
            abandon(conn);
            Err(error)
        }
    }
}

/// Whether the connection is in the group's transaction and no deeper, and every write so
/// far was rolled back to its savepoint when it failed.
///
/// When `ROLLBACK TO SAVEPOINT` itself fails while SQLite keeps the transaction open, diesel
/// steps back to the outer level anyway, answers the write's error and marks the
/// transaction as needing a rollback "maybe up to the top level"; the write's changes, its
/// entry without its event perhaps, are still in the transaction. The group must then not
/// commit. Diesel keeps that mark private (public only with its
/// `i-implement-a-third-party-backend-and-opt-into-breaking-changes` feature) but prints it in
/// the status's `Debug`; `tests/group_commit.rs` fails if that stops being so.
fn in_the_group_transaction(conn: &mut DbConnection) -> bool {
    match conn {
        DbConnection::Sqlite(sqlite) => {
            let status = AnsiTransactionManager::transaction_manager_status_mut(sqlite);
            status
                .transaction_depth()
                .is_ok_and(|depth| depth.map(u32::from) == Some(1))
                && !needs_rollback(status)
        }
        DbConnection::Postgresql(_) => false,
    }
}

/// Whether diesel marked the transaction as needing a rollback up to its top level (a
/// savepoint it could not roll back).
fn needs_rollback(status: &diesel::connection::TransactionManagerStatus) -> bool {
    format!("{status:?}").contains("requires_rollback_maybe_up_to_top_level: true")
}

/// Rolls back whatever transaction the connection is still in (a savepoint a panic left
/// open, then the group's transaction).
fn abandon(conn: &mut DbConnection) {
    type Manager = <DbConnection as Connection>::TransactionManager;
    let depth = match conn {
        DbConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::transaction_manager_status_mut(sqlite)
                .transaction_depth()
                .ok()
                .flatten()
                .map_or(0, u32::from)
        }
        DbConnection::Postgresql(_) => 0,
    };
    for _ in 0..depth {
        if Manager::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

/// The answer of every write of a group that did not commit.
fn again(error: &AppError) -> AppError {
    match error {
        AppError::Busy {
            message,
            retry_after_seconds,
        } => AppError::Busy {
            message: message.clone(),
            retry_after_seconds: *retry_after_seconds,
        },
        other => AppError::Internal(format!("a group of registrations did not commit: {other}")),
    }
}
