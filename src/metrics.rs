//! Operations: `GET /metrics` in the Prometheus text format (version 0.0.4).
//!
//! - Requests and their latency by matched route pattern (`/api/v1/ports/{code}/queue`, never
//!   the raw path, so the label set stays small), method and status class, recorded by the
//!   middleware [`record`], which `web::serve` wraps around the whole app.
//! - Per port, computed at scrape time with one query: entries waiting, and how long the
//!   longest-waiting of them has waited (since `arrived_at`).
//!
//! Each app server counts its own requests; Prometheus adds them up across servers. The queue
//! gauges come from the shared database, so every server reports the same values: aggregate
//! them with `max by (port)`, not `sum`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count, min};
use diesel::prelude::*;

use portqueue_core::Status;

use crate::AppState;
use crate::db::schema::{entries, ports};
use crate::db::{DbConnection, from_db};
use crate::error::AppResult;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The route label of requests that matched no route (404s of unknown paths): one label for
/// all of them, so that scanners cannot grow the label set.
const UNMATCHED: &str = "unmatched";

/// Counts and latencies of the requests this process answered.
#[derive(Debug, Default)]
pub struct Metrics {
    /// By (route pattern, method, status class). A mutex is plenty at a few hundred requests a
    /// second: it is held for a map lookup and a few additions.
    requests: Mutex<BTreeMap<(String, &'static str, &'static str), Histogram>>,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    count: u64,
    sum_seconds: f64,
    /// Not cumulative: `buckets[i]` counts the requests that fell in bucket i alone.
    buckets: [u64; BUCKETS.len()],
}

impl Metrics {
    /// Records one answered request.
    pub fn observe(&self, route: String, method: &Method, status: StatusCode, took: Duration) {
        let seconds = took.as_secs_f64();
        let key = (route, method_label(method), status_class(status));
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let h = requests.entry(key).or_default();
        h.count += 1;
        h.sum_seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|le| seconds <= *le) {
            h.buckets[i] += 1;
        }
    }

    /// How many requests matched this route pattern with this method, any status.
    pub fn requests_for(&self, route: &str, method: &Method) -> u64 {
        let method = method_label(method);
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        requests
            .iter()
            .filter(|((r, m, _), _)| r == route && *m == method)
            .map(|(_, h)| h.count)
            .sum()
    }

    /// The request counters and histograms in the text format.
    fn render_requests(&self, out: &mut String) {
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        out.push_str(
            "# HELP portqueue_http_requests_total HTTP requests answered, by route pattern, method and status class.\n\
             # TYPE portqueue_http_requests_total counter\n",
        );
        for ((route, method, status), h) in &requests {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                escape(route)
            );
            let _ = writeln!(out, "portqueue_http_requests_total{{{labels}}} {}", h.count);
        }
        out.push_str(
            "# HELP portqueue_http_request_duration_seconds Time to answer a request, by route pattern, method and status class.\n\
             # TYPE portqueue_http_request_duration_seconds histogram\n",
        );
        for ((route, method, status), h) in &requests {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                escape(route)
            );
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "portqueue_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "portqueue_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "portqueue_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum_seconds
            );
            let _ = writeln!(
                out,
                "portqueue_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// A label value with `\`, `"` and newlines escaped, as the text format asks.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The middleware: times every request and records it under its route pattern.
/// Wrap it around the app with `actix_web::middleware::from_fn(metrics::record)`.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.metrics.clone());
    let route = req.match_pattern().unwrap_or_else(|| UNMATCHED.to_owned());
    let method = req.method().clone();
    let started = Instant::now();
    let result = next.call(req).await;
    if let Some(metrics) = metrics {
        let status = match &result {
            Ok(response) => response.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        metrics.observe(route, &method, status, started.elapsed());
    }
    result
}

/// One port's queue at scrape time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortQueueGauge {
    pub port: String,
    /// Entries waiting to be called.
    pub waiting: i64,
    /// Seconds since the longest-waiting entry arrived; 0 when nobody waits.
    pub oldest_wait_seconds: i64,
}

/// Every port's queue length and oldest wait, in one query.
pub fn queue_gauges(conn: &mut DbConnection, now: DateTime<Utc>) -> AppResult<Vec<PortQueueGauge>> {
    let rows: Vec<(String, i64, Option<NaiveDateTime>)> = ports::table
        .left_join(
            entries::table.on(entries::port_id
                .eq(ports::id)
                .and(entries::status.eq(Status::Waiting.as_str()))),
        )
        .group_by((ports::id, ports::code))
        .select((
            ports::code,
            count(entries::id.nullable()),
            min(entries::arrived_at.nullable()),
        ))
        .order(ports::code.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(port, waiting, oldest)| PortQueueGauge {
            port,
            waiting,
            oldest_wait_seconds: oldest
                .map_or(0, |arrived| (now - from_db(arrived)).num_seconds().max(0)),
        })
        .collect())
}

/// `GET /metrics`. Answers 200 even when the database does not: the request metrics are
/// still worth scraping, and `portqueue_database_up` says 0.
/// Marks the app that serves `/metrics` on its own address (`--metrics-bind`): no token
/// is asked there.
#[derive(Debug, Clone, Copy)]
pub struct OpenMetrics;

/// Whether this request may read the metrics: on the metrics address, or with the metrics
/// token. Without either, `/metrics` does not exist here (each port's queue is not public).
fn may_scrape(state: &AppState, req: &actix_web::HttpRequest) -> bool {
    if req.app_data::<OpenMetrics>().is_some() {
        return true;
    }
    let Some(expected) = state.metrics_token.as_deref() else {
        return false;
    };
    req.headers()
        .get("Authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|given| crate::web::session::same_secret(given.trim(), expected))
}

pub async fn scrape(state: web::Data<AppState>, req: actix_web::HttpRequest) -> HttpResponse {
    if !may_scrape(&state, &req) {
        return crate::web::error::app_error_page(&crate::error::AppError::NotFound(
            "there is no page at /metrics".into(),
        ));
    }
    let gauges = state.run(queue_gauges).await;
    let mut out = String::new();
    state.metrics.render_requests(&mut out);
    out.push_str(
        "# HELP portqueue_database_up Whether the database answered this scrape's query.\n\
         # TYPE portqueue_database_up gauge\n",
    );
    let _ = writeln!(out, "portqueue_database_up {}", u8::from(gauges.is_ok()));
    let gauges = gauges.unwrap_or_else(|e| {
        log::error!("metrics: the queue query failed: {e}");
        Vec::new()
    });
    out.push_str(
        "# HELP portqueue_queue_waiting Entries waiting to be called, per port.\n\
         # TYPE portqueue_queue_waiting gauge\n",
    );
    for g in &gauges {
        let _ = writeln!(
            out,
            "portqueue_queue_waiting{{port=\"{}\"}} {}",
            escape(&g.port),
            g.waiting
        );
    }
    out.push_str(
        "# HELP portqueue_queue_oldest_wait_seconds Seconds the longest-waiting entry has waited since it arrived, per port (0 when nobody waits).\n\
         # TYPE portqueue_queue_oldest_wait_seconds gauge\n",
    );
    for g in &gauges {
        let _ = writeln!(
            out,
            "portqueue_queue_oldest_wait_seconds{{port=\"{}\"}} {}",
            escape(&g.port),
            g.oldest_wait_seconds
        );
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_end_with_the_count() {
        let metrics = Metrics::default();
        for ms in [1, 30, 30, 20_000] {
            metrics.observe(
                "/x/{id}".into(),
                &Method::GET,
                StatusCode::OK,
                Duration::from_millis(ms),
            );
        }
        metrics.observe(
            "/x/{id}".into(),
            &Method::GET,
            StatusCode::NOT_FOUND,
            Duration::from_millis(1),
        );
        let mut out = String::new();
        metrics.render_requests(&mut out);
        let ok = r#"route="/x/{id}",method="GET",status="2xx""#;
        assert!(
            out.contains(&format!("portqueue_http_requests_total{{{ok}}} 4\n")),
            "{out}"
        );
        assert!(
            out.contains(&format!("_bucket{{{ok},le=\"0.005\"}} 1\n")),
            "{out}"
        );
        assert!(
            out.contains(&format!("_bucket{{{ok},le=\"0.025\"}} 1\n")),
            "{out}"
        );
        assert!(
            out.contains(&format!("_bucket{{{ok},le=\"0.05\"}} 3\n")),
            "{out}"
        );
        assert!(
            out.contains(&format!("_bucket{{{ok},le=\"10\"}} 3\n")),
            "{out}"
        );
        assert!(
            out.contains(&format!("_bucket{{{ok},le=\"+Inf\"}} 4\n")),
            "{out}"
        );
        assert!(out.contains(
            r#"portqueue_http_requests_total{route="/x/{id}",method="GET",status="4xx"} 1"#
        ));
        assert_eq!(metrics.requests_for("/x/{id}", &Method::GET), 5);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
