//! Reports run within their own limit: when it is full, a report request gets 503 with
//! `Retry-After` (a page for people, the API's JSON error for programs) before it touches the
//! database, while `/healthz`, the public board and registrations of every port still answer.

mod common;

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use portqueue::report_gate::{RETRY_AFTER_SECONDS, ReportGate};

use common::web::Browser;
use common::{TestApp, test_app};

fn app_with_a_small_gate() -> TestApp {
    let mut app = test_app();
    // Two places and one waiting request that gives up after a tenth of a second.
    app.state.report_gate = Arc::new(ReportGate::new(2, 1, Duration::from_millis(100)));
    app.add_port("SYS", "America/Tijuana");
    app.add_port("OTY", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.add_user("sergio", "supervisor", Some("SYS"));
    app
}

fn api_get(path: &str, token: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
}

#[actix_web::test]
async fn a_full_report_limit_refuses_reports_with_retry_after_and_starves_nothing_else() {
    let app = app_with_a_small_gate();
    let sergio = app.token("sergio");
    let ofelia = app.token("ofelia");
    let mut browser = Browser::new(&app);
    browser.sign_in("sergio").await;
    let report = "/api/v1/ports/SYS/reports/daily?date=2026-11-24";

    // Below the limit a report answers.
    let page = browser.send(api_get(report, &sergio)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);

    // Every place taken, as by two long month reports still running.
    let gate = Arc::clone(&app.state.report_gate);
    let running: Vec<_> = (0..gate.limit())
        .map(|_| gate.try_enter().expect("a free place"))
        .collect();
    assert_eq!(gate.running(), 2);

    let refused = browser.send(api_get(report, &sergio)).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        refused.header("Retry-After"),
        Some(RETRY_AFTER_SECONDS.to_string().as_str())
    );
    let error: Value = serde_json::from_str(&refused.body).expect("JSON error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again"),
        "{error}"
    );

    let range = browser
        .send(api_get(
            "/api/v1/ports/SYS/reports/range?from=2026-11-01&to=2026-11-24",
            &sergio,
        ))
        .await;
    assert_eq!(range.status, StatusCode::SERVICE_UNAVAILABLE);

    // The page a supervisor opens, and the downloads: a page saying so, with Retry-After.
    for path in [
        "/ports/SYS/reports?date=2026-11-24",
        "/ports/SYS/reports?from=2026-11-01&to=2026-11-24",
        "/ports/SYS/reports.csv?date=2026-11-24",
        "/ports/SYS/reports/what-if?date=2026-11-24",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(page.header("Retry-After").is_some(), "{path}");
        assert!(page.content_type.starts_with("text/html"), "{path}");
        assert!(
            page.body.contains("Busy right now"),
            "{path}: {}",
            page.body
        );
    }

    // Everything else answers: health, the boards, registrations, the live queue.
    let health = browser.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    for board in ["/board/SYS.json", "/board/OTY.json", "/board/SYS"] {
        assert_eq!(browser.get(board).await.status, StatusCode::OK, "{board}");
    }
    let registered = browser
        .send(
            TestRequest::post()
                .uri("/api/v1/ports/SYS/walk-ins")
                .insert_header(("Authorization", format!("Bearer {ofelia}")))
                .insert_header(("Content-Type", "application/json"))
                .set_payload(
                    json!({"party_size": 1, "language": "spa", "barriers": ["technical"]})
                        .to_string(),
                ),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    let queue = browser
        .send(api_get("/api/v1/ports/SYS/queue", &ofelia))
        .await;
    assert_eq!(queue.status, StatusCode::OK);

    // A place comes free: reports answer again.
    drop(running);
    assert_eq!(gate.running(), 0);
    let page = browser.send(api_get(report, &sergio)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        gate.running(),
        0,
        "the place is given back after the report"
    );
}
