//! portqueue: a walk-in queue manager for land ports of entry.
//!
//! Where things are:
//! - the fair order, estimates and `simulate`: the pure `portqueue_core::queue`;
//! - every action (register, check in, call next, complete, import, policy): [`service`];
//! - the officer kiosk (HTML): [`web`]; the JSON API: [`api`]; both are thin faces over
//!   [`service`];
//! - the database (SQLite or PostgreSQL through one connection type): [`db`];
//! - accounts, sessions and tokens: [`auth`].

pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod db;
pub mod demo;
pub mod error;
pub mod metrics;
pub mod report_gate;
pub mod service;
pub mod web;

use std::sync::Arc;

use clock::Clock;
use db::{DbPool, PooledConn};
use error::AppResult;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    /// Whether cookies are marked `Secure` (behind a TLS proxy).
    pub secure_cookies: bool,
    /// The address applicants reach the server at (`https://queue.example.org`), for the
    /// links in tickets' QR codes; `None` takes it from each request's `Host`.
    pub public_url: Option<String>,
    /// Request counts and latencies for `GET /metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// The public boards, computed once per port and revision for every screen, and the
    /// count of open live feeds (`web::public::board_hub`).
    pub board_hub: Arc<web::public::board_hub::BoardHub>,
    /// The reports' own concurrency limit ([`report_gate`]): reports never starve the rest.
    pub report_gate: Arc<report_gate::ReportGate>,
}

impl AppState {
    pub fn new(pool: DbPool, clock: Arc<dyn Clock>) -> Self {
        Self {
            pool,
            clock,
            secure_cookies: false,
            public_url: None,
            metrics: Arc::default(),
            board_hub: Arc::default(),
            report_gate: Arc::default(),
        }
    }

    /// The base URL for public links (no trailing slash): the configured public URL, or
    /// the scheme and host this request came in on.
    pub fn base_url(&self, req: &actix_web::HttpRequest) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
        }
    }

    /// A connection from the pool.
    pub fn conn(&self) -> AppResult<PooledConn> {
        Ok(self.pool.get()?)
    }

    /// Now, from the injected clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Runs blocking database work off the async executor.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut db::DbConnection, chrono::DateTime<chrono::Utc>) -> AppResult<T>
            + Send
            + 'static,
    {
        let state = self.clone();
        actix_web::web::block(move || {
            let mut conn = state.conn()?;
            let now = state.now();
            f(&mut conn, now)
        })
        .await
        .map_err(|e| error::AppError::Internal(format!("worker: {e}")))?
    }
}

impl AppState {
    /// Runs a report's database work like [`AppState::run`], but only within the reports'
    /// own limit: 503 with `Retry-After` when it is full, before any database work. The
    /// sign-in check of the request has run already (a cheap lookup, like every page's).
    pub async fn run_report<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut db::DbConnection, chrono::DateTime<chrono::Utc>) -> AppResult<T>
            + Send
            + 'static,
    {
        let permit = self.report_gate.enter().await?;
        // The place goes with the work, so a client that hangs up cannot free it early.
        self.run(move |conn, now| {
            let _permit = permit;
            f(conn, now)
        })
        .await
    }
}

/// Mounts every route: pages, API, static files, health.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.route("/metrics", actix_web::web::get().to(metrics::scrape));
    api::configure(cfg);
    web::configure(cfg);
}
