//! A stored class, tier, status or time zone that is none of the known names is an error when
//! it is read, on either backend: never a guess. The old guess read an unknown status as
//! "waiting", so a corrupt finished entry would have shown as waiting again and been callable.

mod common;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use portqueue::auth::Actor;
use portqueue::db::DbConnection;
use portqueue::db::models::{Entry, Port};
use portqueue::db::schema::{entries, ports};
use portqueue::error::AppError;
use portqueue::service::entries::{self as entry_actions, Action};
use portqueue::service::walk_ins::{self, WalkInInput};
use portqueue::service::{live, public, queue};
use portqueue_core::{Class, Status, Tier};

use common::{NowUtc, test_app};

fn walk_in() -> WalkInInput {
    WalkInInput {
        party_size: "1".into(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    }
}

/// The message of an internal error; anything else fails the test.
fn internal(result: Result<impl std::fmt::Debug, AppError>, what: &str) -> String {
    match result {
        Err(AppError::Internal(message)) => message,
        other => panic!("{what}: expected an internal error, got {other:?}"),
    }
}

/// Lets this connection store what the table's CHECK constraints refuse.
fn set_aside_checks(conn: &mut DbConnection, postgres_constraint: &str) {
    let sql = match conn {
        DbConnection::Sqlite(_) => "PRAGMA ignore_check_constraints = ON".to_owned(),
        DbConnection::Postgresql(_) => {
            format!("ALTER TABLE entries DROP CONSTRAINT {postgres_constraint}")
        }
    };
    conn.batch_execute(&sql).expect("set the check aside");
}

#[test]
fn a_corrupt_stored_status_is_an_error_not_a_waiting_entry() {
    let app = test_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let officer = Actor::from_user(&app.add_user("ofelia", "officer", Some("SYS")));
    let now = app.clock.now_utc();
    let mut conn = app.conn();
    let kept = walk_ins::register(&mut conn, &officer, port.id, &walk_in(), now).expect("first");
    let broken = walk_ins::register(&mut conn, &officer, port.id, &walk_in(), now).expect("second");

    // Typed columns read and write their machine names.
    let stored: (String, String, String) = entries::table
        .find(kept.id)
        .select((entries::class, entries::tier, entries::status))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        stored,
        ("walk_in".into(), "standard".into(), "waiting".into())
    );
    let entry: Entry = entries::table
        .find(kept.id)
        .select(Entry::as_select())
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (entry.class, entry.tier, entry.status),
        (Class::WalkIn, Tier::Standard, Status::Waiting)
    );
    let waiting: i64 = entries::table
        .filter(entries::status.eq(Status::Waiting))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(waiting, 2, "a typed value filters like its name");

    // A served entry whose status was damaged outside the app (the table's CHECK set
    // aside, as a hand edit or a bad restore might), then a restart.
    set_aside_checks(&mut conn, "entries_status_check");
    diesel::update(entries::table.find(broken.id))
        .set(entries::status.eq("servedx"))
        .execute(&mut conn)
        .unwrap();
    live::forget_all();

    let read = entries::table
        .find(broken.id)
        .select(Entry::as_select())
        .first(&mut conn);
    let message = match read {
        Err(e @ diesel::result::Error::DeserializationError(_)) => {
            internal(Err::<(), _>(e.into()), "reading")
        }
        other => panic!("a corrupt status must not read as an entry: {other:?}"),
    };
    assert!(
        message.contains("servedx") && message.contains("status") && !message.contains('\n'),
        "one line naming the stored value: {message}"
    );

    let token: String = entries::table
        .find(broken.id)
        .select(entries::status_token)
        .first(&mut conn)
        .unwrap();
    let message = internal(
        public::ticket_status(&mut conn, &token, now),
        "the public status page",
    );
    assert!(message.contains("servedx"), "{message}");
    let message = internal(
        entry_actions::act(&mut conn, &officer, broken.id, Action::Withdraw, None, now),
        "withdrawing the corrupt entry (allowed only while waiting or called)",
    );
    assert!(message.contains("servedx"), "{message}");
    let still: String = entries::table
        .find(broken.id)
        .select(entries::status)
        .first(&mut conn)
        .unwrap();
    assert_eq!(still, "servedx", "nothing was written over the corrupt row");

    // The queue read again from the database still holds the sound entry, and only it.
    let snapshot = queue::snapshot(&mut conn, &port, now).expect("queue without the corrupt row");
    let ids: Vec<i64> = snapshot.waiting.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![kept.id]);
}

#[test]
fn a_corrupt_stored_time_zone_is_an_error_not_utc() {
    let app = test_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let mut conn = app.conn();
    let read: Port = ports::table
        .find(port.id)
        .select(Port::as_select())
        .first(&mut conn)
        .unwrap();
    assert_eq!(read.tz(), chrono_tz::America::Tijuana);
    assert_eq!(read.timezone.to_string(), "America/Tijuana");

    diesel::update(ports::table.find(port.id))
        .set(ports::timezone.eq("Mars/Olympus_Mons"))
        .execute(&mut conn)
        .unwrap();
    let message = match ports::table
        .find(port.id)
        .select(Port::as_select())
        .first(&mut conn)
    {
        Err(e @ diesel::result::Error::DeserializationError(_)) => {
            internal(Err::<(), _>(e.into()), "reading")
        }
        other => panic!("a corrupt time zone must not read as a port: {other:?}"),
    };
    assert!(
        message.contains("Mars/Olympus_Mons") && !message.contains('\n'),
        "{message}"
    );
}
