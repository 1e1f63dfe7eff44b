//! Operations: `GET /metrics` (requests and latency by route, each port's queue) and
//! `GET /healthz` (200 only while the database answers).

mod common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{App, test, web};
use chrono::Duration;
use serde_json::json;

use portqueue::clock::FixedClock;
use portqueue::db::{DbPool, Location, Manager};
use portqueue::{AppState, metrics};

use common::{NowUtc, TestApp, test_app};

/// Sends one request through the app as `portqueue serve` builds it: every route, wrapped
/// in the metrics middleware. The counts live in the state, so they add up across calls.
async fn send(state: &AppState, req: test::TestRequest) -> (StatusCode, String) {
    let mut state = state.clone();
    state.metrics_token = Some(METRICS_TOKEN.into());
    let svc = test::init_service(
        App::new()
            .wrap(from_fn(metrics::record))
            .app_data(web::Data::new(state))
            .configure(portqueue::configure),
    )
    .await;
    let resp = test::call_service(&svc, req.to_request()).await;
    let status = resp.status();
    let body = test::read_body(resp).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The metrics token the test server is started with.
const METRICS_TOKEN: &str = "metrics-token-for-the-tests";

async fn get(state: &AppState, path: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut req = test::TestRequest::get().uri(path);
    let token = token.or((path == "/metrics").then_some(METRICS_TOKEN));
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    send(state, req).await
}

async fn post(
    state: &AppState,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> StatusCode {
    let mut req = test::TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(body) = body {
        req = req.set_json(body);
    }
    send(state, req).await.0
}

/// The value of the sample whose name and labels are exactly `series`, if present.
fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().expect("a number"))
    })
}

fn port_with_officer(app: &TestApp) -> String {
    app.add_port("SYS", "America/Tijuana");
    app.add_port("OTY", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.token("ofelia")
}

#[actix_web::test]
async fn requests_are_counted_by_route_pattern_method_and_status_class() {
    let app = test_app();
    let token = port_with_officer(&app);
    let state = &app.state;
    let queue_ok = r#"route="/api/v1/ports/{code}/queue",method="GET",status="2xx""#;
    let queue_404 = r#"route="/api/v1/ports/{code}/queue",method="GET",status="4xx""#;

    for _ in 0..3 {
        assert_eq!(
            get(state, "/api/v1/ports/SYS/queue", Some(&token)).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(
        get(state, "/api/v1/ports/NOPE/queue", Some(&token)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(state, "/no/such/page/1234", None).await.0,
        StatusCode::NOT_FOUND
    );

    let (status, body) = get(state, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("# TYPE portqueue_http_requests_total counter"),
        "{body}"
    );
    let total = |body: &str, labels: &str| {
        sample(body, &format!("portqueue_http_requests_total{{{labels}}}"))
    };
    assert_eq!(total(&body, queue_ok), Some(3.0), "{body}");
    assert_eq!(total(&body, queue_404), Some(1.0), "{body}");
    // The raw path never becomes a label: unknown paths share one.
    assert!(!body.contains("/no/such/page"), "{body}");
    assert_eq!(
        total(&body, r#"route="unmatched",method="GET",status="4xx""#),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            &format!("portqueue_http_request_duration_seconds_bucket{{{queue_ok},le=\"+Inf\"}}")
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &body,
            &format!("portqueue_http_request_duration_seconds_count{{{queue_ok}}}")
        ),
        Some(3.0)
    );

    // Counts go up; the scrape itself is counted too.
    get(state, "/api/v1/ports/SYS/queue", Some(&token)).await;
    let (_, body) = get(state, "/metrics", None).await;
    assert_eq!(total(&body, queue_ok), Some(4.0), "{body}");
    assert_eq!(
        total(&body, r#"route="/metrics",method="GET",status="2xx""#),
        Some(1.0)
    );
    assert_eq!(
        app.state
            .metrics
            .requests_for("/metrics", &actix_web::http::Method::GET),
        2
    );
}

#[actix_web::test]
async fn queue_length_and_oldest_wait_per_port_match_the_queue() {
    let app = test_app();
    let token = port_with_officer(&app);
    let state = &app.state;
    let start = app.clock.now_utc();
    for _ in 0..3 {
        let walk_in = json!({"party_size": 2, "language": "spa", "barriers": ["language"]});
        let status = post(state, "/api/v1/ports/SYS/walk-ins", &token, Some(walk_in)).await;
        assert_eq!(status, StatusCode::CREATED);
        app.clock.advance(Duration::minutes(5));
    }
    // The first walk-in (arrived at `start`) is called: it no longer waits.
    let status = post(
        state,
        "/api/v1/ports/SYS/counters/1/call-next",
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    app.clock.advance(Duration::minutes(10));

    let (status, body) = get(state, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sample(&body, "portqueue_database_up"), Some(1.0), "{body}");
    assert_eq!(
        sample(&body, r#"portqueue_queue_waiting{port="SYS"}"#),
        Some(2.0),
        "{body}"
    );
    assert_eq!(
        sample(&body, r#"portqueue_queue_waiting{port="OTY"}"#),
        Some(0.0),
        "{body}"
    );
    // The oldest still waiting arrived at start + 5 min; now is start + 25 min.
    let oldest = (app.clock.now_utc() - (start + Duration::minutes(5))).num_seconds() as f64;
    assert_eq!(oldest, 1200.0);
    assert_eq!(
        sample(&body, r#"portqueue_queue_oldest_wait_seconds{port="SYS"}"#),
        Some(oldest),
        "{body}"
    );
    assert_eq!(
        sample(&body, r#"portqueue_queue_oldest_wait_seconds{port="OTY"}"#),
        Some(0.0)
    );

    // The same numbers straight from the query the scrape runs.
    let now = app.clock.now_utc();
    let gauges = app.with_conn(|c| metrics::queue_gauges(c, now).unwrap());
    assert_eq!(
        gauges,
        [
            metrics::PortQueueGauge {
                port: "OTY".into(),
                waiting: 0,
                oldest_wait_seconds: 0
            },
            metrics::PortQueueGauge {
                port: "SYS".into(),
                waiting: 2,
                oldest_wait_seconds: 1200
            },
        ]
    );
}

/// A pool over a PostgreSQL server that is not there (nothing listens on port 1).
fn unreachable_pool() -> DbPool {
    diesel::r2d2::Pool::builder()
        .max_size(1)
        .connection_timeout(StdDuration::from_millis(500))
        .build_unchecked(Manager::new(Location::parse(Some(
            "postgres://nobody@127.0.0.1:1/x",
        ))))
}

#[actix_web::test]
async fn healthz_answers_503_while_the_database_does_not_answer() {
    let app = test_app();
    let state = &app.state;
    let (status, body) = get(state, "/healthz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));

    let down = AppState::new(
        unreachable_pool(),
        Arc::new(FixedClock::new(common::morning())),
    );
    let state = &down;
    let (status, _) = get(state, "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // Metrics still answer, and say the database is down.
    let (status, body) = get(state, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sample(&body, "portqueue_database_up"), Some(0.0), "{body}");
    assert_eq!(
        sample(
            &body,
            r#"portqueue_http_requests_total{route="/healthz",method="GET",status="5xx"}"#
        ),
        Some(1.0),
        "{body}"
    );
}
