//! The database at the edge: one connection type for SQLite and PostgreSQL, one pool,
//! embedded migrations per backend, and the few statements that must differ per backend.
//!
//! The backend is chosen from the URL (docs/design/interfaces.md): `postgres://` or `postgresql://`
//! selects PostgreSQL; `sqlite://PATH` or a bare path selects SQLite. A new SQLite file is
//! created only for the default path or an explicit `sqlite://` URL, so that a typo in a
//! URL never silently starts an empty database.
//!
//! ## Statements prepared once
//! A statement diesel can cache is prepared once per connection and reused; parsing it again
//! costs more than running it (a registration is a handful of one-row statements). Three
//! things defeat or slow the cache on the hot paths, and all are avoided there:
//! - `LIMIT ?` (diesel's `.first()`): SQLite 3.53 reads a bound LIMIT while planning and so
//!   marks the statement stale whenever the value is bound again — every call prepares it
//!   anew. A lookup by a unique key (or an aggregate, always one row) uses `.get_result()`
//!   instead (no LIMIT); a read that needs its LIMIT writes it as a literal ([`Limit`]).
//! - diesel never caches an `UPDATE` (its `SET` list may vary): the port's lock and its
//!   ticket counters are fixed statements instead ([`LockPort`], [`SetPortNumber`]).
//! - through [`DbConnection`] diesel writes each statement's SQL text again on every call
//!   before it finds the kept statement: the registration's statements run on the
//!   backend's own connection instead (`on_backend!`).
//!
//! An entry's and an event's insert bind absent values as NULL
//! (`treat_none_as_default_value = false`; those columns default to NULL anyway) rather than
//! writing `DEFAULT`, so each is one statement text whatever is absent, kept prepared once
//! instead of once per combination of absent fields.

pub mod models;
pub mod schema;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The database file used when no URL is given.
pub const DEFAULT_SQLITE_PATH: &str = "portqueue.db";

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries are written once against this type.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// The shared connection pool.
pub type DbPool = Pool<Manager>;
/// A connection checked out of the pool.
pub type PooledConn = PooledConnection<Manager>;

/// Why the database could not be opened, in words an operator can act on. Each message is
/// one line (the command line prints it as its one line on standard error) and never shows
/// a password.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "no SQLite database at `{0}`; to create a new one, use `sqlite://{0}` (a typo must not start an empty database)"
    )]
    MissingFile(String),
    #[error(
        "`{0}` is not a database URL this program knows: use `postgres://USER:PASSWORD@HOST:PORT/DB` for PostgreSQL or `sqlite://PATH` for SQLite"
    )]
    UnknownScheme(String),
    #[error("cannot open the database at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(String),
    #[error("`sqlite://` names no file: give a path, e.g. sqlite://portqueue.db")]
    EmptySqlitePath,
}

impl OpenError {
    fn connect(location: &Location, raw: &str) -> OpenError {
        OpenError::Connect {
            url: location.display(),
            message: explain_connect_error(location, raw),
        }
    }
}

/// Turns a driver's (often multi-line) connection error into one line that says what to check.
fn explain_connect_error(location: &Location, raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    let hint = match location {
        Location::Postgres(_) => [
            ("connection refused", "connection refused — is PostgreSQL running and reachable?"),
            (
                "password authentication failed",
                "password authentication failed — check the user and password in the URL",
            ),
            (
                "no password supplied",
                "the server asks for a password and the URL has none",
            ),
            (
                "could not translate host name",
                "unknown host name — check the host in the URL",
            ),
            ("name or service not known", "unknown host name — check the host in the URL"),
            ("timeout expired", "no answer in time — is the host reachable (firewall)?"),
            ("timed out", "no answer in time — is the host reachable (firewall)?"),
            (
                "no pg_hba.conf entry",
                "the server does not accept this user from this address (see pg_hba.conf)",
            ),
            (
                "remaining connection slots",
                "the server has no free connection slots (raise max_connections or lower the number of app servers)",
            ),
            (
                "too many connections",
                "the server has no free connection slots (raise max_connections or lower the number of app servers)",
            ),
            ("invalid connection string", "the URL is not a valid PostgreSQL URL"),
            ("invalid uri", "the URL is not a valid PostgreSQL URL"),
        ]
        .iter()
        .find(|(needle, _)| lower.contains(needle))
        .map(|(_, hint)| (*hint).to_owned()),
        Location::Sqlite { .. } => lower.contains("unable to open").then(|| {
            "cannot open the file — does its directory exist, and may this user write there?"
                .to_owned()
        }),
    };
    let hint = hint.or_else(|| {
        // "database "x" does not exist", "role "x" does not exist": the server names what.
        lower.contains("does not exist").then(|| {
            let detail = raw.rsplit("FATAL:").next().unwrap_or(raw);
            format!(
                "{} — create it first (docs/deployment.md)",
                one_line(detail)
            )
        })
    });
    hint.unwrap_or_else(|| one_line(raw))
}

/// Joins a multi-line message into one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the database is, after reading the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Postgres(String),
    Sqlite { path: String, create: bool },
}

impl Location {
    /// Reads a `--database-url` / `DATABASE_URL` value; `None` means the default file.
    pub fn parse(url: Option<&str>) -> Location {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Location::Sqlite {
                path: DEFAULT_SQLITE_PATH.into(),
                create: true,
            },
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Location::Postgres(u.into())
            }
            Some(u) => match u.strip_prefix("sqlite://") {
                Some(path) => Location::Sqlite {
                    path: path.into(),
                    create: true,
                },
                None => Location::Sqlite {
                    path: u.strip_prefix("sqlite:").unwrap_or(u).into(),
                    create: false,
                },
            },
        }
    }

    /// The URL without any password, for logs.
    pub fn display(&self) -> String {
        match self {
            Location::Postgres(url) => redact_password(url),
            Location::Sqlite { path, .. } => format!("sqlite://{path}"),
        }
    }
}

fn redact_password(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    let url = match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    };
    // …/db?password=secret&sslmode=require → …/db?password=***&sslmode=require
    match url.split_once('?') {
        Some((base, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", query.join("&"))
        }
        None => url,
    }
}

/// Makes the pool's connections: to the backend the URL names and no other, each set up as
/// [`open`] sets up the first. (Diesel's generic `ConnectionManager<DbConnection>` would try
/// every backend in turn and, when PostgreSQL is down, report only "Invalid connection url
/// for multiconnection"; this one says what is wrong.)
#[derive(Debug, Clone)]
pub struct Manager {
    location: Location,
}

impl Manager {
    pub fn new(location: Location) -> Manager {
        Manager { location }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = OpenError;

    fn connect(&self) -> Result<DbConnection, OpenError> {
        let mut conn = establish(&self.location)?;
        if let DbConnection::Sqlite(c) = &mut conn {
            // A busy timeout so concurrent writers queue instead of failing, foreign keys on,
            // and every commit flushed to disk before it is acknowledged (with WAL, set in
            // `establish`, NORMAL could lose the last commits, printed tickets among them, to
            // a power cut; README, "What a power cut can lose"). Temporary files in memory:
            // a savepoint inside a group of registrations (`service::group`) keeps the pages
            // it changes in a sub-journal, which would otherwise be a file written through
            // the kernel on every registration.
            c.batch_execute(
                "PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                 PRAGMA temp_store = MEMORY;",
            )
            .map_err(|e| OpenError::connect(&self.location, &e.to_string()))?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), OpenError> {
        conn.ping()
            .map_err(|e| OpenError::connect(&self.location, &e.to_string()))
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

fn establish(location: &Location) -> Result<DbConnection, OpenError> {
    let connect_error = |e: diesel::ConnectionError| OpenError::connect(location, &e.to_string());
    match location {
        Location::Postgres(url) => PgConnection::establish(url)
            .map(DbConnection::Postgresql)
            .map_err(connect_error),
        Location::Sqlite { path, create } => {
            if path.trim().is_empty() {
                return Err(OpenError::EmptySqlitePath);
            }
            if !create && !Path::new(path).exists() {
                // `postgress://…`, `mysql://…`: a URL, not a file name.
                if path.contains("://") {
                    return Err(OpenError::UnknownScheme(redact_password(path)));
                }
                return Err(OpenError::MissingFile(path.clone()));
            }
            let mut conn = SqliteConnection::establish(path).map_err(connect_error)?;
            // The busy timeout comes first: switching to WAL takes a lock, and the pool opens
            // its connections at once, so without it one of them could fail with "database
            // is locked".
            conn.batch_execute("PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL;")
                .map_err(|e| OpenError::connect(location, &e.to_string()))?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

/// Brings the schema up to date on one connection.
pub fn migrate(conn: &mut DbConnection) -> Result<(), OpenError> {
    let result = match conn {
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(drop),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(drop),
    };
    result.map_err(|e| OpenError::Migrate(one_line(&e.to_string())))
}

/// Opens the database, migrates it, and returns a pool of connections to it.
pub fn open(location: &Location, max_connections: u32) -> Result<DbPool, OpenError> {
    let mut first = establish(location)?;
    migrate(&mut first)?;
    drop(first);
    Pool::builder()
        .max_size(max_connections)
        .connection_timeout(Duration::from_secs(10))
        .build(Manager::new(location.clone()))
        .map_err(|e| OpenError::connect(location, &e.to_string()))
}

/// Runs blocking work (a query, a password check, a printer's socket) on the blocking
/// thread pool, off the async executor.
pub async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::error::AppResult<T> + Send + 'static,
) -> crate::error::AppResult<T> {
    actix_web::web::block(f)
        .await
        .map_err(|e| crate::error::AppError::Internal(format!("worker: {e}")))?
}

/// The backend of [`DbConnection`] (diesel's generated multi-backend).
pub type Db = <DbConnection as Connection>::Backend;

/// Runs `$body` with `$c` bound to the backend's own connection (`SqliteConnection` or
/// `PgConnection`), for the statements every registration runs. Through [`DbConnection`]
/// diesel writes each statement's SQL text again on every call before it finds the kept
/// prepared statement; typed for one backend, a statement with a static query id is found by
/// its type alone. `$body` is compiled once per backend.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// `UPDATE ports SET revision = revision + 1 WHERE id = ? RETURNING <the port's columns>`:
/// a port's write lock (`service::lock_port`) as one fixed statement, prepared once per
/// connection. Diesel's own `UPDATE` is never kept prepared (its `SET` list may vary); this
/// one cannot vary, and every change to a queue starts with it.
#[derive(diesel::query_builder::QueryId)]
pub struct LockPort {
    port_id: i64,
    returning: <models::Port as Selectable<Db>>::SelectExpression,
}

impl LockPort {
    pub fn new(port_id: i64) -> LockPort {
        LockPort {
            port_id,
            returning: <models::Port as Selectable<Db>>::construct_selection(),
        }
    }
}

impl<B> diesel::query_builder::QueryFragment<B> for LockPort
where
    B: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, B>,
    <models::Port as Selectable<Db>>::SelectExpression: diesel::query_builder::QueryFragment<B>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, B>,
    ) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier("ports")?;
        out.push_sql(" SET ");
        out.push_identifier("revision")?;
        out.push_sql(" = ");
        out.push_identifier("revision")?;
        out.push_sql(" + 1 WHERE ");
        out.push_identifier("id")?;
        out.push_sql(" = ");
        out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.port_id)?;
        out.push_sql(" RETURNING ");
        self.returning.walk_ast(out.reborrow())
    }
}

impl diesel::query_builder::Query for LockPort {
    type SqlType =
        <<models::Port as Selectable<Db>>::SelectExpression as diesel::Expression>::SqlType;
}

impl<Conn> RunQueryDsl<Conn> for LockPort {}

/// `UPDATE ports SET <column> = ? WHERE id = ?` for one integer column of a port (a ticket
/// counter), as a fixed statement prepared once per connection (see [`LockPort`]).
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct SetPortNumber<C> {
    pub port_id: i64,
    pub value: i32,
    pub column: std::marker::PhantomData<C>,
}

impl<C> SetPortNumber<C> {
    pub fn new(_column: C, port_id: i64, value: i32) -> SetPortNumber<C> {
        SetPortNumber {
            port_id,
            value,
            column: std::marker::PhantomData,
        }
    }
}

impl<C, B> diesel::query_builder::QueryFragment<B> for SetPortNumber<C>
where
    C: diesel::Column<Table = schema::ports::table>
        + diesel::Expression<SqlType = diesel::sql_types::Integer>,
    B: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, B>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, B>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, B>,
    ) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier("ports")?;
        out.push_sql(" SET ");
        out.push_identifier(C::NAME)?;
        out.push_sql(" = ");
        out.push_bind_param::<diesel::sql_types::Integer, _>(&self.value)?;
        out.push_sql(" WHERE ");
        out.push_identifier("id")?;
        out.push_sql(" = ");
        out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.port_id)?;
        Ok(())
    }
}

impl<C, Conn> RunQueryDsl<Conn> for SetPortNumber<C> {}

/// `<query> LIMIT N` with N written into the statement: diesel's `.first()` / `.limit(n)`
/// without their bound LIMIT, which SQLite would plan again on every call (see the module's
/// "Statements prepared once"). For a read that needs its LIMIT (a filter on no unique
/// key); a lookup by a unique key uses `.get_result()`. The query must have no LIMIT or
/// OFFSET of its own. N is part of the type, so each limit is its own kept statement.
#[derive(Debug, Clone, Copy)]
pub struct Limit<Q, const N: u32>(Q);

/// `<query> LIMIT 1`, for `.get_result()`: exactly `.first()`, the 1 written into the SQL.
pub fn first_row<Q>(query: Q) -> Limit<Q, 1> {
    Limit(query)
}

/// `<query> LIMIT N`, for `.load()`: exactly `.limit(N)`, N written into the SQL.
pub fn limited<const N: u32, Q>(query: Q) -> Limit<Q, N> {
    Limit(query)
}

impl<Q: diesel::query_builder::QueryId, const N: u32> diesel::query_builder::QueryId
    for Limit<Q, N>
{
    type QueryId = Limit<Q::QueryId, N>;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}

impl<Q, B, const N: u32> diesel::query_builder::QueryFragment<B> for Limit<Q, N>
where
    Q: diesel::query_builder::QueryFragment<B>,
    B: diesel::backend::Backend,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, B>,
    ) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(&format!(" LIMIT {N}"));
        Ok(())
    }
}

impl<Q: diesel::query_builder::Query, const N: u32> diesel::query_builder::Query for Limit<Q, N> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn, const N: u32> RunQueryDsl<Conn> for Limit<Q, N> {}

/// Stored times are UTC without an offset (both backends agree on that column type).
pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// The inverse of [`to_db`].
pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_selects_backend_and_only_explicit_sqlite_urls_create_files() {
        assert_eq!(
            Location::parse(None),
            Location::Sqlite {
                path: "portqueue.db".into(),
                create: true
            }
        );
        assert!(matches!(
            Location::parse(Some("postgresql://u@h/db")),
            Location::Postgres(_)
        ));
        assert_eq!(
            Location::parse(Some("sqlite:///tmp/x.db")),
            Location::Sqlite {
                path: "/tmp/x.db".into(),
                create: true
            }
        );
        assert_eq!(
            Location::parse(Some("postgress://typo")),
            Location::Sqlite {
                path: "postgress://typo".into(),
                create: false
            }
        );
    }

    #[test]
    fn an_empty_sqlite_path_is_refused_and_creates_nothing() {
        let err = open(&Location::parse(Some("sqlite://")), 1).expect_err("refused");
        assert!(matches!(err, OpenError::EmptySqlitePath), "{err}");
        assert!(err.to_string().contains("names no file"));
    }

    #[test]
    fn a_typo_never_creates_an_empty_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo.db");
        let location = Location::parse(Some(path.to_str().unwrap()));
        assert!(matches!(open(&location, 1), Err(OpenError::MissingFile(_))));
        assert!(!path.exists());
    }

    #[test]
    fn a_url_with_an_unknown_scheme_is_named_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("postgress://app:s3cret@{}/pq", dir.path().display());
        let err = open(&Location::parse(Some(&url)), 1).expect_err("refused");
        assert!(matches!(err, OpenError::UnknownScheme(_)), "{err}");
        let message = err.to_string();
        assert!(message.contains("postgress://app:***@"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn passwords_are_redacted_in_logs() {
        assert_eq!(
            redact_password("postgres://app:s3cret@db:5432/pq"),
            "postgres://app:***@db:5432/pq"
        );
        assert_eq!(
            redact_password("postgres://db/pq?user=app&password=s3cret&sslmode=require"),
            "postgres://db/pq?user=app&password=***&sslmode=require"
        );
    }

    #[test]
    fn connection_errors_are_one_line_that_says_what_to_check() {
        let location = Location::parse(Some("postgres://app:s3cret@127.0.0.1:1/pq"));
        let refused = "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n";
        let message = OpenError::connect(&location, refused).to_string();
        assert_eq!(
            message,
            "cannot open the database at postgres://app:***@127.0.0.1:1/pq: connection refused — is PostgreSQL running and reachable?"
        );
        let missing = "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"pq\" does not exist\n";
        let message = OpenError::connect(&location, missing).to_string();
        assert!(
            message.ends_with(
                ": database \"pq\" does not exist — create it first (docs/deployment.md)"
            ),
            "{message}"
        );
        let odd = "something\nunexpected   happened\n";
        assert!(
            OpenError::connect(&location, odd)
                .to_string()
                .ends_with(": something unexpected happened")
        );
    }
}
