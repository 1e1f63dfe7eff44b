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
pub mod ops;
pub mod printer;
pub mod report_gate;
pub mod service;
pub mod sms;
pub mod turns;
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
    /// Rendered status pages, served again while the board's freshness rule holds
    /// (`web::public::status_pages`).
    pub status_pages: Arc<web::public::status_pages::StatusPages>,
    /// The reports' own concurrency limit ([`report_gate`]): reports never starve the rest.
    pub report_gate: Arc<report_gate::ReportGate>,
    /// Recent submission keys of forms that create something, so each acts once.
    pub submissions: Arc<web::submissions::Submissions>,
    /// Addresses of the reverse proxies whose `X-Forwarded-For`, `X-Forwarded-Host` and
    /// `X-Forwarded-Proto` are believed; every other client's are ignored.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// The bearer token `GET /metrics` needs; `None` closes it here (it may be served on a
    /// separate address instead).
    pub metrics_token: Option<Arc<str>>,
    /// The queue this app's SQLite writers wait in ([`turns::WriterQueue`]).
    pub writers: turns::WriterQueue,
    /// Turns for password checks (argon2, 19 MiB and tens of milliseconds each): a flood
    /// of sign-in attempts costs a bounded amount of memory and CPU, and never a database
    /// connection.
    pub password_checks: Arc<turns::Turns>,
    /// Whether an SMS gateway is configured: the phone field for text messages is shown,
    /// and accepted, only then (`sms`).
    pub text_messages: bool,
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
            status_pages: Arc::default(),
            report_gate: Arc::default(),
            submissions: Arc::default(),
            trusted_proxies: Arc::default(),
            metrics_token: None,
            writers: turns::WriterQueue::default(),
            password_checks: Arc::new(turns::Turns::new(
                auth::sessions::CONCURRENT_PASSWORD_CHECKS,
            )),
            text_messages: false,
        }
    }

    /// Whether the request came straight from one of the trusted proxies.
    fn via_trusted_proxy(&self, req: &actix_web::HttpRequest) -> bool {
        req.peer_addr()
            .is_some_and(|peer| self.trusted_proxies.contains(&peer.ip()))
    }

    /// The client's address, for sign-in throttling: the peer, or, behind a trusted proxy,
    /// the last address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_addr(&self, req: &actix_web::HttpRequest) -> String {
        let peer = req.peer_addr().map(|p| p.ip());
        if self.via_trusted_proxy(req) {
            let forwarded = req
                .headers()
                .get_all("X-Forwarded-For")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
                .collect::<Vec<_>>();
            if let Some(client) = forwarded
                .iter()
                .rev()
                .find(|a| !self.trusted_proxies.contains(a))
            {
                return client.to_string();
            }
        }
        peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }

    /// The base URL for public links (no trailing slash): the configured public URL, or
    /// the scheme and host this request came in on.
    pub fn base_url(&self, req: &actix_web::HttpRequest) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            // Forwarded headers are believed only from a trusted proxy; from anyone else
            // the link follows the `Host` this server was reached at.
            None if self.via_trusted_proxy(req) => {
                let info = req.connection_info();
                format!("{}://{}", info.scheme(), info.host())
            }
            None => {
                let host = req
                    .headers()
                    .get(actix_web::http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| !h.is_empty() && !h.chars().any(|c| c.is_control() || c == '/'))
                    .map(str::to_owned)
                    .unwrap_or_else(|| req.app_config().host().to_owned());
                let scheme = if req.app_config().secure() {
                    "https"
                } else {
                    "http"
                };
                format!("{scheme}://{host}")
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
        db::run_blocking(move || state.blocking(f)).await
    }

    /// Runs database work on this thread, with a connection from the pool and this app's
    /// writer queue: what [`AppState::run`] runs off the executor, and what the server's
    /// own background jobs run on their threads.
    pub fn blocking<T>(
        &self,
        f: impl FnOnce(&mut db::DbConnection, chrono::DateTime<chrono::Utc>) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut conn = self.conn()?;
        let _writes = self.writers.enter();
        f(&mut conn, self.now())
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

/// The whole app as the server runs it: every route, behind the request gate
/// ([`web::guard`]) and the request metrics.
pub fn app(
    state: AppState,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .wrap(actix_web::middleware::from_fn(web::guard::guard))
        .wrap(actix_web::middleware::from_fn(metrics::record))
        .app_data(actix_web::web::Data::new(state))
        .configure(configure)
}

/// Mounts every route: pages, API, static files, health.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.route("/metrics", actix_web::web::get().to(metrics::scrape));
    api::configure(cfg);
    web::configure(cfg);
}
