//! The database at the edge: one connection type for SQLite and PostgreSQL, one pool,
//! embedded migrations per backend, and the few statements that must differ per backend.
//!
//! The backend is chosen from the URL (interfaces.md): `postgres://` or `postgresql://`
//! selects PostgreSQL; `sqlite://PATH` or a bare path selects SQLite. A new SQLite file is
//! created only for the default path or an explicit `sqlite://` URL, so that a typo in a
//! URL never silently starts an empty database.

pub mod models;
pub mod schema;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
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
pub type DbPool = Pool<ConnectionManager<DbConnection>>;
/// A connection checked out of the pool.
pub type PooledConn = PooledConnection<ConnectionManager<DbConnection>>;

/// Why the database could not be opened, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "no SQLite database at `{0}`; to create a new one, use `sqlite://{0}` (a typo must not start an empty database)"
    )]
    MissingFile(String),
    #[error("cannot open the database at `{url}`: {message}")]
    Connect { url: String, message: String },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(String),
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
    match (url.find("://"), url.rfind('@')) {
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
    }
}

/// SQLite settings for every pooled connection: WAL so readers never block the writer,
/// a busy timeout so concurrent writers queue instead of failing, and foreign keys on.
#[derive(Debug, Clone, Copy)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

fn establish(location: &Location) -> Result<DbConnection, OpenError> {
    let connect_error = |e: diesel::ConnectionError| OpenError::Connect {
        url: location.display(),
        message: e.to_string(),
    };
    match location {
        Location::Postgres(url) => PgConnection::establish(url)
            .map(DbConnection::Postgresql)
            .map_err(connect_error),
        Location::Sqlite { path, create } => {
            if !create && !Path::new(path).exists() {
                return Err(OpenError::MissingFile(path.clone()));
            }
            let mut conn = SqliteConnection::establish(path).map_err(connect_error)?;
            conn.batch_execute("PRAGMA journal_mode = WAL;")
                .map_err(|e| OpenError::Connect {
                    url: location.display(),
                    message: e.to_string(),
                })?;
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
    result.map_err(|e| OpenError::Migrate(e.to_string()))
}

/// Opens the database, migrates it, and returns a pool of connections to it.
pub fn open(location: &Location, max_connections: u32) -> Result<DbPool, OpenError> {
    let mut first = establish(location)?;
    migrate(&mut first)?;
    drop(first);
    let url = match location {
        Location::Postgres(url) => url.clone(),
        Location::Sqlite { path, .. } => path.clone(),
    };
    Pool::builder()
        .max_size(max_connections)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(ConnectionSetup))
        .build(ConnectionManager::<DbConnection>::new(url))
        .map_err(|e| OpenError::Connect {
            url: location.display(),
            message: e.to_string(),
        })
}

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
    fn a_typo_never_creates_an_empty_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("typo.db");
        let location = Location::parse(Some(path.to_str().unwrap()));
        assert!(matches!(open(&location, 1), Err(OpenError::MissingFile(_))));
        assert!(!path.exists());
    }

    #[test]
    fn passwords_are_redacted_in_logs() {
        assert_eq!(
            redact_password("postgres://app:s3cret@db:5432/pq"),
            "postgres://app:***@db:5432/pq"
        );
    }
}
