//! Operating the server: backups and restores of the SQLite file, the retention purge from
//! the command line, the lock that tells a restore a server is running, and serving the
//! metrics on their own address.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::db::{DbConnection, Location};
use crate::service::retention;

/// The lock file beside an SQLite database, itself a tiny SQLite file: every server keeps
/// a read transaction open on it for its whole life (a shared lock), and a restore needs
/// an exclusive one, so a restore never replaces the database under a running server. The
/// locks are the operating system's, so they go with the process, even when it is killed.
pub fn lock_path(db_path: &str) -> PathBuf {
    PathBuf::from(format!("{db_path}.lock"))
}

/// Held by a running server (see [`lock_path`]); the lock ends when this is dropped.
pub struct ServerLock(#[allow(dead_code)] diesel::SqliteConnection);

fn open_lock(db_path: &str) -> Result<diesel::SqliteConnection, String> {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    let lock = lock_path(db_path);
    let text = lock
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", lock.display()))?;
    let mut conn = diesel::SqliteConnection::establish(text)
        .map_err(|e| format!("cannot open the lock file {text}: {e}"))?;
    conn.batch_execute(
        "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = DELETE; \
         CREATE TABLE IF NOT EXISTS held (x INTEGER); PRAGMA busy_timeout = 0;",
    )
    .map_err(|e| format!("cannot set up the lock file {text}: {e}"))?;
    Ok(conn)
}

/// Taken by `serve` on an SQLite database; held until dropped.
pub fn hold_server_lock(location: &Location) -> Result<Option<ServerLock>, String> {
    use diesel::connection::SimpleConnection;
    let Location::Sqlite { path, .. } = location else {
        return Ok(None);
    };
    let mut conn = open_lock(path)?;
    conn.batch_execute("BEGIN; SELECT COUNT(*) FROM held;")
        .map_err(|_| {
            format!(
                "{path} is being restored right now; start the server when the restore has finished"
            )
        })?;
    Ok(Some(ServerLock(conn)))
}

/// `portqueue backup FILE`: a consistent copy of the SQLite database, made while the server
/// keeps serving (SQLite's `VACUUM INTO` reads one snapshot and writes a fresh file).
pub fn backup(conn: &mut DbConnection, location: &Location, file: &Path) -> Result<String, String> {
    let DbConnection::Sqlite(sqlite) = conn else {
        return Err(
            "backup copies an SQLite database; for PostgreSQL use pg_dump (docs/deployment.md, \"Backups\")"
                .into(),
        );
    };
    if file.exists() {
        return Err(format!(
            "{} exists already; give a new file name (a backup never overwrites)",
            file.display()
        ));
    }
    let target = file
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", file.display()))?;
    use diesel::connection::SimpleConnection;
    sqlite
        .batch_execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .map_err(|e| format!("cannot write the backup to {}: {e}", file.display()))?;
    Ok(format!(
        "backed up {} to {}",
        location.display(),
        file.display()
    ))
}

/// Whether `file` is an SQLite database made by this program (it has the ports table).
fn check_backup_file(file: &Path) -> Result<(), String> {
    use diesel::prelude::*;
    let text = file
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", file.display()))?;
    if !file.is_file() {
        return Err(format!("no backup file at {}", file.display()));
    }
    let mut conn = diesel::SqliteConnection::establish(text)
        .map_err(|e| format!("{} cannot be opened: {e}", file.display()))?;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let tables: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('ports', 'entries', '__diesel_schema_migrations')",
    )
    .get_result(&mut conn)
    .map_err(|e| format!("{} is not an SQLite database: {e}", file.display()))?;
    if tables.n != 3 {
        return Err(format!(
            "{} is not a portqueue backup (its tables are missing)",
            file.display()
        ));
    }
    Ok(())
}

/// `portqueue restore FILE`: replaces the SQLite database with a backup, refusing while any
/// server holds the database.
pub fn restore(location: &Location, file: &Path) -> Result<String, String> {
    let Location::Sqlite { path, .. } = location else {
        return Err(
            "restore replaces an SQLite database; for PostgreSQL restore a pg_dump with pg_restore (docs/deployment.md, \"Backups\")"
                .into(),
        );
    };
    if path.trim().is_empty() {
        return Err("`sqlite://` names no file: give a path, e.g. sqlite://portqueue.db".into());
    }
    check_backup_file(file)?;
    let mut lock = open_lock(path)?;
    if diesel::connection::SimpleConnection::batch_execute(&mut lock, "BEGIN EXCLUSIVE;").is_err() {
        return Err(format!(
            "a server is running on {path}; stop it first (a restore never replaces the database under a running server)"
        ));
    }
    let temp = PathBuf::from(format!("{path}.restoring"));
    std::fs::copy(file, &temp)
        .and_then(|_| File::open(&temp)?.sync_all())
        .map_err(|e| format!("cannot copy {} next to {path}: {e}", file.display()))?;
    for stale in [format!("{path}-wal"), format!("{path}-shm")] {
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot remove {stale}: {e}")),
        }
    }
    std::fs::rename(&temp, path).map_err(|e| format!("cannot replace {path}: {e}"))?;
    drop(lock);
    Ok(format!("restored {path} from {}", file.display()))
}

/// `portqueue purge [--port CODE] [--dry-run]`: one line per port.
pub fn purge(
    conn: &mut DbConnection,
    port: Option<&str>,
    dry_run: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>, String> {
    let done = retention::purge(conn, port, dry_run, now).map_err(|e| e.to_string())?;
    Ok(done
        .iter()
        .map(|p| {
            format!(
                "port {}: {} {} entries, {} appointments, {} event notes older than {} days",
                p.port,
                if dry_run { "would erase" } else { "erased" },
                p.entries,
                p.appointments,
                p.event_notes,
                p.retention_days
            )
        })
        .collect())
}

/// Makes the C allocator hand big blocks back to the system once freed.
///
/// glibc serves a block of at least its "mmap threshold" with its own mapping, returned to
/// the system on free; but each such free *raises* the threshold to the block's size (up to
/// 32 MiB), after which blocks that size come from the heap arenas and stay resident once
/// freed. One sign-in (argon2: 19 MiB) thus left 19-38 MiB resident for the life of the
/// server, and one JSON queue of 10,000 entries (4 MB) more. A fixed threshold turns that
/// adjustment off: blocks of 1 MiB or more are always mapped and always given back.
/// Elsewhere than glibc this does nothing.
pub fn keep_big_allocations_returnable() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::c_int;
        /// `M_MMAP_THRESHOLD` in glibc's `malloc.h`.
        const M_MMAP_THRESHOLD: c_int = -3;
        unsafe extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        // SAFETY: mallopt only sets a number in the allocator's parameters; it is called
        // before any other thread starts, and 1 MiB is within the range glibc accepts.
        if unsafe { mallopt(M_MMAP_THRESHOLD, 1 << 20) } == 0 {
            log::warn!("could not set the allocator's mmap threshold");
        }
    }
}

/// Runs the app on `bind` and, when given, `GET /metrics` alone on `metrics_bind` (open
/// there without a token: that address is meant for the monitoring network only).
pub fn serve(
    state: crate::AppState,
    bind: &str,
    metrics_bind: Option<&str>,
) -> std::io::Result<()> {
    use actix_web::{App, HttpServer, web};
    actix_web::rt::System::new().block_on(async move {
        let main = {
            let state = state.clone();
            HttpServer::new(move || crate::app(state.clone()))
                .bind(bind)?
                .run()
        };
        match metrics_bind {
            None => main.await,
            Some(metrics_bind) => {
                let metrics = HttpServer::new(move || {
                    App::new()
                        .app_data(web::Data::new(state.clone()))
                        .app_data(crate::metrics::OpenMetrics)
                        .route("/metrics", web::get().to(crate::metrics::scrape))
                })
                .workers(1)
                .bind(metrics_bind)?
                .run();
                futures_util::future::try_join(main, metrics)
                    .await
                    .map(drop)
            }
        }
    })
}

/// The server's security settings from the command line or the environment.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeSecurity {
    /// Addresses of reverse proxies whose X-Forwarded-* headers are believed (comma-separated
    /// IPs); from anyone else they are ignored.
    #[arg(long, env = "PORTQUEUE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// The bearer token `GET /metrics` asks for; without it (and without --metrics-bind)
    /// `/metrics` is not served.
    #[arg(long, env = "PORTQUEUE_METRICS_TOKEN")]
    pub metrics_token: Option<String>,
    /// Serve `GET /metrics` (without a token) on this separate address only, e.g. one
    /// reachable from the monitoring network alone.
    #[arg(long, env = "PORTQUEUE_METRICS_BIND")]
    pub metrics_bind: Option<String>,
}

impl ServeSecurity {
    /// Checks the settings and puts them into the app's state; warns about what is unsafe.
    pub fn apply(&self, state: &mut crate::AppState) -> Result<(), String> {
        let mut proxies = Vec::new();
        for raw in self
            .trusted_proxies
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            proxies.push(
                raw.parse::<std::net::IpAddr>()
                    .map_err(|_| format!("trusted proxies: `{raw}` is not an IP address"))?,
            );
        }
        state.trusted_proxies = std::sync::Arc::new(proxies);
        // An empty token (`PORTQUEUE_METRICS_TOKEN=`) leaves /metrics off, as no token does.
        if let Some(token) = self
            .metrics_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if token.len() < 16 {
                return Err("metrics token: use at least 16 characters".into());
            }
            state.metrics_token = Some(token.into());
        }
        if state.public_url.is_none() {
            log::warn!(
                "no public URL is set (PORTQUEUE_PUBLIC_URL): ticket QR codes will follow the Host each request names; set it to the address applicants reach"
            );
        }
        if state.metrics_token.is_none() && self.metrics_bind.is_none() {
            log::info!(
                "/metrics is off: set PORTQUEUE_METRICS_TOKEN or PORTQUEUE_METRICS_BIND to serve it"
            );
        }
        Ok(())
    }
}

/// Runs the retention purge now and then once a day, on its own thread, for the life of
/// the server.
pub fn spawn_daily_purge(state: crate::AppState) {
    let spawned = std::thread::Builder::new()
        .name("retention-purge".into())
        .spawn(move || {
            loop {
                let result = state
                    .blocking(|conn, now| crate::service::retention::purge(conn, None, false, now));
                if let Err(e) = result {
                    log::error!("retention purge failed (tried again in an hour): {e}");
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                    continue;
                }
                std::thread::sleep(std::time::Duration::from_secs(24 * 3600));
            }
        });
    if let Err(e) = spawned {
        log::error!("cannot start the daily retention purge: {e}");
    }
}

#[cfg(test)]
mod serve_security_tests {
    use super::*;

    fn settings(token: Option<&str>) -> ServeSecurity {
        ServeSecurity {
            trusted_proxies: Vec::new(),
            metrics_token: token.map(str::to_owned),
            metrics_bind: None,
        }
    }

    #[test]
    fn an_empty_metrics_token_leaves_metrics_off_and_a_short_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let location = crate::db::Location::Sqlite {
            path: dir.path().join("t.db").display().to_string(),
            create: true,
        };
        let pool = crate::db::open(&location, 1).unwrap();
        let mut state = crate::AppState::new(pool, std::sync::Arc::new(crate::clock::SystemClock));
        assert_eq!(settings(Some("  ")).apply(&mut state), Ok(()));
        assert!(state.metrics_token.is_none());
        assert!(settings(Some("short")).apply(&mut state).is_err());
        assert_eq!(
            settings(Some("a-long-enough-token-1234")).apply(&mut state),
            Ok(())
        );
        assert_eq!(
            state.metrics_token.as_deref(),
            Some("a-long-enough-token-1234")
        );
    }
}
