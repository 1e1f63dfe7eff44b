//! Shared set-up for the integration tests: a real app on a temporary database, with a
//! fixed clock. Every test file that needs it says `mod common;`.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;

use portqueue::AppState;
use portqueue::auth::sessions;
use portqueue::clock::FixedClock;
use portqueue::db::models::{Port, User};
use portqueue::db::{self, DbConnection, Location};
use portqueue::service::{accounts, ports};

pub mod api;
pub mod cli;
pub mod web;

/// The password every test account gets.
pub const PASSWORD: &str = "long enough password";

/// A test app: state over a fresh database, and the clock it reads.
pub struct TestApp {
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    _dir: Option<TempDir>,
}

/// 2026-11-25 09:00 in Tijuana (UTC-8): a working morning at a port.
pub fn morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 17, 0, 0).unwrap()
}

/// The database the tests run on: `PORTQUEUE_TEST_DATABASE_URL` when set (a PostgreSQL
/// server the CI starts; each test gets its own schema-fresh database there), else a
/// temporary SQLite file.
pub fn test_app() -> TestApp {
    let clock = Arc::new(FixedClock::new(morning()));
    let (location, dir) = match test_postgres_url() {
        Some(url) => (Location::Postgres(fresh_postgres_database(&url)), None),
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("test.db");
            (
                Location::Sqlite {
                    path: path.to_string_lossy().into_owned(),
                    create: true,
                },
                Some(dir),
            )
        }
    };
    let pool = db::open(&location, 8).expect("open test database");
    TestApp {
        state: AppState::new(pool, clock.clone()),
        clock,
        _dir: dir,
    }
}

/// A test app on a temporary SQLite file whatever `PORTQUEUE_TEST_DATABASE_URL` says, for
/// tests about SQLite itself (its query plans).
pub fn test_app_on_sqlite() -> TestApp {
    test_app_on_sqlite_with_pool(4)
}

/// [`test_app_on_sqlite`] with a pool of `connections`.
pub fn test_app_on_sqlite_with_pool(connections: u32) -> TestApp {
    let clock = Arc::new(FixedClock::new(morning()));
    let dir = tempfile::tempdir().expect("temp dir");
    let location = Location::Sqlite {
        path: dir.path().join("test.db").to_string_lossy().into_owned(),
        create: true,
    };
    let pool = db::open(&location, connections).expect("open test database");
    TestApp {
        state: AppState::new(pool, clock.clone()),
        clock,
        _dir: Some(dir),
    }
}

/// The URL of a fresh, empty database for one test: on the PostgreSQL server of
/// `PORTQUEUE_TEST_DATABASE_URL` when set, else an SQLite file (`sqlite://`, so that it is
/// created) in `dir`. For tests that run the `portqueue` binary.
pub fn fresh_database_url(dir: &std::path::Path) -> String {
    match test_postgres_url() {
        Some(url) => fresh_postgres_database(&url),
        None => format!("sqlite://{}", dir.join("test.db").display()),
    }
}

/// `PORTQUEUE_TEST_DATABASE_URL`, when the tests run against PostgreSQL.
///
/// In CI's PostgreSQL pass (`CI=true` and `PORTQUEUE_REQUIRE_POSTGRES=1`) an unset URL is a
/// failure, never a quiet skip.
pub fn test_postgres_url() -> Option<String> {
    let url = std::env::var("PORTQUEUE_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty());
    let required = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        && std::env::var("PORTQUEUE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if url.is_none() && required {
        panic!(
            "PostgreSQL tests are required here (CI) but PORTQUEUE_TEST_DATABASE_URL is not set"
        );
    }
    url
}

/// The PostgreSQL server of `PORTQUEUE_TEST_DATABASE_URL` for a test that needs one, or,
/// when it is not set (a local run), `None` after saying loudly that `test` did not run.
pub fn postgres_or_skip(test: &str) -> Option<String> {
    let url = test_postgres_url();
    if url.is_none() {
        // Straight to the process's stderr: libtest hides what `eprintln!` prints for a test
        // that passes, and this must be seen beside its "ok".
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED, NOT RUN: {test} needs PostgreSQL; set PORTQUEUE_TEST_DATABASE_URL (an \"ok\" for it means nothing was tested)"
        );
    }
    url
}

/// Creates an empty database for one test on the server at `url` and returns its URL.
pub fn fresh_postgres_database(url: &str) -> String {
    use diesel::{Connection, PgConnection};
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "pq_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let mut admin = PgConnection::establish(url).expect("connect to the test PostgreSQL server");
    // One statement at a time, outside any transaction: PostgreSQL refuses both inside one.
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        diesel::RunQueryDsl::execute(diesel::sql_query(statement), &mut admin)
            .expect("create test database");
    }
    match url.rfind('/') {
        Some(slash) => format!("{}/{name}", &url[..slash]),
        None => panic!("PORTQUEUE_TEST_DATABASE_URL must end with /DBNAME"),
    }
}

/// A port SYS (Tijuana time) with an officer (`ofelia`) and a supervisor (`sergio`), a
/// second port OTY with its own officer (`otto`), and an admin (`ada`).
pub fn two_ports() -> TestApp {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_port("OTY", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.add_user("sergio", "supervisor", Some("SYS"));
    app.add_user("otto", "officer", Some("OTY"));
    app.add_user("ada", "admin", None);
    app
}

/// The `i`th of a run of walk-ins of mixed sizes and tiers, for the API: every seventh
/// pregnant, the 31st urgent.
pub fn mixed_walk_in(i: usize) -> serde_json::Value {
    let mut body =
        serde_json::json!({"party_size": 1 + i % 5, "language": "spa", "barriers": ["language"]});
    if i % 7 == 3 {
        body["vulnerabilities"] = serde_json::json!(["pregnancy"]);
    }
    if i == 30 {
        body["tier"] = serde_json::json!("urgent");
        body["urgent_reason"] = serde_json::json!("fainted");
    }
    body
}

impl TestApp {
    /// The port's counter plan: `counters` open every hour, so windows are given before
    /// any counter has called.
    pub fn plan_counters(&self, code: &str, counters: i32) {
        self.plan_counters_by_hour(code, |_| counters);
    }

    /// The port's counter plan: `counters(hour)` open in each port-local hour.
    pub fn plan_counters_by_hour(&self, code: &str, counters: impl Fn(i64) -> i32) {
        use diesel::prelude::*;
        use portqueue::db::schema::{counter_plans, ports};
        self.with_conn(|conn| {
            let port_id: i64 = ports::table
                .filter(ports::code.eq(code))
                .select(ports::id)
                .first(conn)
                .unwrap();
            for hour in 0..24i64 {
                diesel::insert_into(counter_plans::table)
                    .values((
                        counter_plans::port_id.eq(port_id),
                        counter_plans::hour.eq(hour),
                        counter_plans::counters.eq(counters(hour)),
                    ))
                    .execute(conn)
                    .unwrap();
            }
            // As the plan page does: the port's revision moves, so kept queues read the plan.
            portqueue::service::lock_port(conn, port_id).unwrap();
        });
    }

    /// A connection to the test database.
    pub fn conn(&self) -> db::PooledConn {
        self.state.pool.get().expect("connection")
    }

    /// Adds a port with the default policy.
    pub fn add_port(&self, code: &str, timezone: &str) -> Port {
        ports::create(
            &mut self.conn(),
            &accounts::system_admin(),
            &ports::NewPort {
                code: code.into(),
                name: format!("Port {code}"),
                timezone: timezone.into(),
            },
            self.clock.now_utc(),
        )
        .expect("add port")
    }

    /// Adds an account with [`PASSWORD`].
    pub fn add_user(&self, username: &str, role: &str, port: Option<&str>) -> User {
        accounts::create(
            &mut self.conn(),
            &accounts::system_admin(),
            &accounts::NewAccount {
                username: username.into(),
                role: role.into(),
                port: port.unwrap_or_default().into(),
                password: PASSWORD.into(),
                must_change_password: false,
            },
            self.clock.now_utc(),
        )
        .expect("add user")
    }

    /// An API token for an account.
    pub fn token(&self, username: &str) -> String {
        sessions::create_api_token(&mut self.conn(), username, self.clock.now_utc()).expect("token")
    }

    /// Runs something against the database directly.
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut DbConnection) -> T) -> T {
        f(&mut self.conn())
    }
}

/// Reads the fixed clock.
pub trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        portqueue::clock::Clock::now(self)
    }
}
