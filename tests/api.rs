//! The JSON API, route by route: success, authorization (no token 401, wrong role or other
//! port 403) and bad input (400 malformed, 422 invalid, 409 wrong state), as docs/design/interfaces.md says.

mod common;

use actix_web::http::StatusCode;
use actix_web::{App, test, web};
use chrono::Duration;
use serde_json::{Value, json};

use common::api::call;
use common::{NowUtc, TestApp, two_ports};

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, "POST", path, Some(token), Some(body)).await
}

async fn post_empty(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    call(app, "POST", path, Some(token), None).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    call(app, "GET", path, Some(token), None).await
}

fn walk_in(party: u32) -> Value {
    json!({"party_size": party, "language": "hat", "barriers": ["language"], "name": "Marie Joseph", "nationality": "Haiti", "barrier_note": "app only in English"})
}

fn appointments() -> Value {
    json!([
        {"confirmation": "AB-1001", "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 2, "name": "Ana Pérez", "nationality": "Venezuela", "language": "spa"},
        {"confirmation": "AB-1002", "slot_at": "2026-11-25T13:00:00-08:00", "party_size": 1, "name": "Li Wei", "nationality": "China", "language": "zho"}
    ])
}

/// Every route of the API as `src/api/mod.rs` registers it: (method, path pattern). Read from
/// the source so that a route added there is in the tests below without being listed twice.
fn api_routes() -> Vec<(String, String)> {
    let source = include_str!("../src/api/mod.rs");
    let mut routes = Vec::new();
    for piece in source.split(".route(").skip(1) {
        let path = piece.split('"').nth(1).expect("a route's path literal");
        let method = piece
            .split("web::")
            .nth(1)
            .and_then(|rest| rest.split("()").next())
            .expect("a route's method");
        routes.push((method.to_uppercase(), format!("/api/v1{path}")));
    }
    routes
}

/// A route pattern with its path parameters (and the query a report needs) filled in.
fn concrete(path: &str) -> String {
    let filled = path
        .replace("{code}", "SYS")
        .replace("{confirmation}", "AB-1001")
        .replace("{n}", "1")
        .replace("{id}", "1")
        .replace("{action}", "complete");
    if filled.ends_with("/reports/range") {
        format!("{filled}?from=2026-11-24&to=2026-11-25")
    } else if filled.contains("/reports/") {
        format!("{filled}?date=2026-11-25")
    } else {
        filled
    }
}

#[actix_web::test]
async fn every_route_answers_401_without_a_known_token() {
    let app = two_ports();
    let routes = api_routes();
    assert!(routes.len() >= 15, "{routes:?}");
    for (method, pattern) in routes {
        if pattern == "/api/v1/openapi.json" {
            continue; // the public description of the API
        }
        let path = concrete(&pattern);
        let (status, body) = call(&app, &method, &path, None, Some(json!({}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert!(body["error"]["message"].is_string());
        let (status, _) = call(&app, &method, &path, Some("not-a-token"), Some(json!({}))).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with a bad token"
        );
    }
}

#[actix_web::test]
async fn registering_a_walk_in_returns_its_ticket_position_and_window_without_personal_data() {
    let app = two_ports();
    app.plan_counters("SYS", 4);
    let token = app.token("ofelia");
    let (status, entry) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(3)).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["ticket"], "W-0001");
    assert_eq!(entry["class"], "walk_in");
    assert_eq!(entry["queue_class"], "walk_in");
    assert_eq!(entry["tier"], "standard");
    assert_eq!(entry["party_size"], 3);
    assert_eq!(entry["status"], "waiting");
    assert_eq!(entry["position"], 1);
    assert_eq!(entry["arrived_at"], "2026-11-25T17:00:00Z");
    let window = &entry["estimated_call_at"];
    assert!(window["earliest"].as_str().unwrap() <= window["latest"].as_str().unwrap());
    assert!(!entry["reason"].as_str().unwrap().is_empty());
    let text = entry.to_string();
    for private in ["Marie", "Haiti", "English", "hat"] {
        assert!(!text.contains(private), "{private} leaked: {text}");
    }
    let (_, second) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    assert_eq!(second["ticket"], "W-0002");
    assert_eq!(second["position"], 2);
}

#[actix_web::test]
async fn an_invalid_walk_in_is_422_naming_each_field_and_writes_nothing() {
    let app = two_ports();
    let token = app.token("ofelia");
    let bad = json!({"party_size": 0, "language": "Spanish", "barriers": [], "tier": "urgent"});
    let (status, body) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &body["error"]["fields"];
    for field in ["party_size", "language", "barriers", "urgent_reason"] {
        assert!(fields[field].is_string(), "{field} missing in {body}");
    }
    let (status, body) = post(
        &app,
        "/api/v1/ports/SYS/walk-ins",
        &token,
        json!({"party_size": [1]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["party_size"]
            .as_str()
            .unwrap()
            .contains("string or a number")
    );
    let (_, queue) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert_eq!(queue["entries"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = two_ports();
    let token = app.token("ofelia");
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;
    let req = test::TestRequest::post()
        .uri("/api/v1/ports/SYS/walk-ins")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .set_payload("{\"party_size\": ")
        .to_request();
    let resp = test::call_service(&service, req).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(resp).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
}

#[actix_web::test]
async fn another_ports_officer_is_403_at_its_port_and_404_for_its_entries() {
    let app = two_ports();
    let ofelia = app.token("ofelia");
    let otto = app.token("otto");
    let (_, entry) = post(&app, "/api/v1/ports/SYS/walk-ins", &ofelia, walk_in(1)).await;
    let id = entry["id"].as_i64().unwrap();
    for (method, path) in [
        ("POST", "/api/v1/ports/SYS/walk-ins".to_string()),
        ("GET", "/api/v1/ports/SYS/queue".to_string()),
        ("POST", "/api/v1/ports/SYS/counters/1/call-next".to_string()),
    ] {
        let (status, _) = call(&app, method, &path, Some(&otto), Some(walk_in(1))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    // Another port's entry answers exactly as a missing one: the id tells nothing.
    let (status, other) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{id}/withdraw"),
        Some(&otto),
        None,
    )
    .await;
    let (missing_status, missing) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{}/withdraw", id + 1000),
        Some(&otto),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing_status, StatusCode::NOT_FOUND);
    assert_eq!(
        other["error"]["message"]
            .as_str()
            .map(|m| m.replace(&id.to_string(), "ID")),
        missing["error"]["message"]
            .as_str()
            .map(|m| m.replace(&(id + 1000).to_string(), "ID"))
    );
    let (status, _) = get(&app, "/api/v1/ports/NOPE/queue", &ofelia).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Admins see every port.
    let (status, _) = get(&app, "/api/v1/ports/SYS/queue", &app.token("ada")).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn importing_appointments_needs_a_supervisor_and_is_idempotent() {
    let app = two_ports();
    let (status, _) = post(
        &app,
        "/api/v1/ports/SYS/appointments",
        &app.token("ofelia"),
        appointments(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let sergio = app.token("sergio");
    let (status, body) = post(
        &app,
        "/api/v1/ports/SYS/appointments",
        &sergio,
        appointments(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["created"], 2);
    assert_eq!(body["unchanged"], 0);
    let (_, body) = post(
        &app,
        "/api/v1/ports/SYS/appointments",
        &sergio,
        appointments(),
    )
    .await;
    assert_eq!(
        (body["created"].as_u64(), body["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
}

#[actix_web::test]
async fn one_bad_appointment_row_imports_nothing_and_names_the_row() {
    let app = two_ports();
    let sergio = app.token("sergio");
    let mut rows = appointments();
    rows[1]["slot_at"] = json!("tomorrow morning");
    let (status, body) = post(&app, "/api/v1/ports/SYS/appointments", &sergio, rows).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["rows[1].slot_at"]
            .as_str()
            .unwrap()
            .contains("RFC 3339")
    );
    // Nothing was imported: the good first row cannot be checked in.
    let (status, _) = post_empty(
        &app,
        "/api/v1/ports/SYS/appointments/AB-1001/check-in",
        &sergio,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn check_in_draws_an_appointment_ticket_once() {
    let app = two_ports();
    let sergio = app.token("sergio");
    post(
        &app,
        "/api/v1/ports/SYS/appointments",
        &sergio,
        appointments(),
    )
    .await;
    let ofelia = app.token("ofelia");
    let (status, entry) = post(
        &app,
        "/api/v1/ports/SYS/appointments/ab-1001/check-in",
        &ofelia,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["ticket"], "A-0001");
    assert_eq!(entry["class"], "appointment");
    assert_eq!(entry["queue_class"], "appointment");
    // Slot 09:30 local, checked in at 09:00: callable from 08:30, so now.
    assert_eq!(entry["eligible_at"], "2026-11-25T17:00:00Z");
    let (status, body) = post_empty(
        &app,
        "/api/v1/ports/SYS/appointments/AB-1001/check-in",
        &ofelia,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("A-0001")
    );
    let (status, _) = post_empty(
        &app,
        "/api/v1/ports/SYS/appointments/ZZ-9/check-in",
        &ofelia,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = post(
        &app,
        "/api/v1/ports/SYS/appointments/AB-1002/check-in",
        &ofelia,
        json!({"tier": "priority"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["vulnerabilities"].is_string());
}

#[actix_web::test]
async fn a_late_appointment_is_ordered_as_a_walk_in_and_keeps_its_booking() {
    let app = two_ports();
    post(
        &app,
        "/api/v1/ports/SYS/appointments",
        &app.token("sergio"),
        appointments(),
    )
    .await;
    // Slot 09:30; late window 60 min; arrive 10:45.
    app.clock.advance(Duration::minutes(105));
    let (status, entry) = post_empty(
        &app,
        "/api/v1/ports/SYS/appointments/AB-1001/check-in",
        &app.token("ofelia"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(entry["class"], "appointment");
    assert_eq!(entry["queue_class"], "walk_in");
    assert!(
        entry["reason"].as_str().unwrap().contains("late"),
        "{entry}"
    );
}

#[actix_web::test]
async fn call_next_then_complete_and_the_state_rules_answer_409() {
    let app = two_ports();
    let token = app.token("ofelia");
    let (status, body) = post_empty(&app, "/api/v1/ports/SYS/counters/1/call-next", &token).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(2)).await;
    post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    let (status, called) = post_empty(&app, "/api/v1/ports/SYS/counters/3/call-next", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(called["ticket"], "W-0001");
    assert_eq!(called["status"], "called");
    assert_eq!(called["counter"], 3);
    let (status, _) = post_empty(&app, "/api/v1/ports/SYS/counters/3/call-next", &token).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a counter calls one at a time"
    );
    for counter in ["0", "100", "x"] {
        let (status, _) = post_empty(
            &app,
            &format!("/api/v1/ports/SYS/counters/{counter}/call-next"),
            &token,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "counter {counter}"
        );
    }
    let id = called["id"].as_i64().unwrap();
    app.clock.advance(Duration::minutes(12));
    let (status, done) = post_empty(&app, &format!("/api/v1/entries/{id}/complete"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["status"], "served");
    let (status, _) = post_empty(&app, &format!("/api/v1/entries/{id}/complete"), &token).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = post_empty(&app, &format!("/api/v1/entries/{id}/teleport"), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post_empty(&app, "/api/v1/entries/99999/complete", &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn recall_is_allowed_up_to_max_recalls_then_no_show() {
    let app = two_ports();
    let token = app.token("ofelia");
    post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    let (_, called) = post_empty(&app, "/api/v1/ports/SYS/counters/1/call-next", &token).await;
    let id = called["id"].as_i64().unwrap();
    for _ in 0..2 {
        let (status, _) = post_empty(&app, &format!("/api/v1/entries/{id}/recall"), &token).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = post_empty(&app, &format!("/api/v1/entries/{id}/recall"), &token).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-show")
    );
    let (status, entry) = post_empty(&app, &format!("/api/v1/entries/{id}/no-show"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(entry["status"], "no_show");
}

#[actix_web::test]
async fn a_waiting_entry_can_be_withdrawn_and_leaves_the_queue() {
    let app = two_ports();
    let token = app.token("ofelia");
    let (_, entry) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    let id = entry["id"].as_i64().unwrap();
    let (status, entry) = post_empty(&app, &format!("/api/v1/entries/{id}/withdraw"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(entry["status"], "withdrawn");
    let (_, queue) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert!(queue["entries"].as_array().unwrap().is_empty());
    let (status, _) = post_empty(&app, &format!("/api/v1/entries/{id}/no-show"), &token).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn the_queue_lists_waiting_entries_in_call_order_with_urgent_first() {
    let app = two_ports();
    app.plan_counters("SYS", 4);
    let token = app.token("ofelia");
    post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    app.clock.advance(Duration::minutes(5));
    let urgent = json!({"party_size": 1, "language": "spa", "barriers": ["technical"], "tier": "urgent", "urgent_reason": "chest pain"});
    post(&app, "/api/v1/ports/SYS/walk-ins", &token, urgent).await;
    let (status, queue) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert_eq!(status, StatusCode::OK);
    let tickets: Vec<_> = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ticket"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tickets, ["W-0002", "W-0001"]);
    assert_eq!(queue["entries"][0]["position"], 1);
    assert!(
        !queue.to_string().contains("chest pain"),
        "the urgent reason is personal"
    );
    assert_eq!(queue["generated_at"], json!(app.clock.now_utc()));
}

#[actix_web::test]
async fn the_openapi_document_describes_every_route() {
    let app = two_ports();
    let (status, doc) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for (method, path) in api_routes() {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        assert!(
            doc["paths"][&path][method.to_lowercase()].is_object(),
            "{method} {path} undocumented"
        );
    }
}

#[actix_web::test]
async fn every_change_writes_its_event_in_the_same_transaction() {
    use diesel::prelude::*;
    use portqueue::db::models::EventRow;
    use portqueue::db::schema::entry_events;
    let app = two_ports();
    let token = app.token("ofelia");
    let (_, entry) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    let id = entry["id"].as_i64().unwrap();
    post_empty(&app, "/api/v1/ports/SYS/counters/2/call-next", &token).await;
    post_empty(&app, &format!("/api/v1/entries/{id}/recall"), &token).await;
    post_empty(&app, &format!("/api/v1/entries/{id}/complete"), &token).await;
    let events: Vec<EventRow> = app.with_conn(|conn| {
        entry_events::table
            .filter(entry_events::entry_id.eq(id))
            .order(entry_events::id.asc())
            .select(EventRow::as_select())
            .load(conn)
            .unwrap()
    });
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["registered", "called", "recalled", "served"]);
    assert_eq!(events[1].from_status.as_deref(), Some("waiting"));
    assert_eq!(events[3].to_status.as_deref(), Some("served"));
    assert!(
        events.iter().all(|e| e.actor_id.is_some()),
        "every event names who acted"
    );
}

#[actix_web::test]
async fn entries_carry_an_unguessable_status_link_and_the_ticket_prints_as_escpos() {
    let app = two_ports();
    let token = app.token("ofelia");
    let (_, entry) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(2)).await;
    let url = entry["status_url"].as_str().unwrap();
    let (base, secret) = url.rsplit_once("/t/").unwrap();
    assert!(base.starts_with("http://"), "{url}");
    assert_eq!(secret.len(), 64, "a 256-bit token, never the database id");
    assert!(!secret.contains(&entry["id"].to_string()) || secret.len() == 64);

    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;
    let id = entry["id"].as_i64().unwrap();
    let req = test::TestRequest::get()
        .uri(&format!("/api/v1/entries/{id}/ticket.escpos"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = test::call_service(&service, req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = test::read_body(resp).await.to_vec();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        bytes.starts_with(b"\x1b@"),
        "starts by resetting the printer"
    );
    let decoded = portqueue_core::tickets::decode(&bytes).expect("a clean ESC/POS stream");
    let raster = decoded.raster.expect("the slip is drawn as a raster");
    assert_eq!(raster.width, 576, "80 mm paper is 576 dots");
    assert!(
        raster.height > 1000,
        "the whole slip, {} rows",
        raster.height
    );
    assert!(has(b"\x1d(k"), "a native QR code");
    assert!(has(secret.as_bytes()), "the QR code holds the status link");
    assert!(has(b"\x1dV"), "a cut");
    // Another port's officer may not print it, nor learn that it exists.
    let req = test::TestRequest::get()
        .uri(&format!("/api/v1/entries/{id}/ticket.escpos"))
        .insert_header(("Authorization", format!("Bearer {}", app.token("otto"))))
        .to_request();
    assert_eq!(
        test::call_service(&service, req).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_public_status_and_board_carry_no_personal_data() {
    use portqueue::service::public;
    let app = two_ports();
    app.plan_counters("SYS", 4);
    let token = app.token("ofelia");
    let mut body = walk_in(2);
    body["vulnerabilities"] = json!(["pregnancy"]);
    body["barrier_note"] = json!("phone stolen on the way");
    let (_, entry) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, body).await;
    post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    let secret = entry["status_url"]
        .as_str()
        .unwrap()
        .rsplit_once("/t/")
        .unwrap()
        .1
        .to_owned();
    let now = app.clock.now_utc();
    let status = app
        .with_conn(|c| public::ticket_status(c, &secret, now))
        .unwrap();
    assert_eq!(status.ticket, "W-0001");
    assert_eq!(status.position, Some(1));
    assert!(status.estimate.is_some());
    let shown = serde_json::to_string(&status).unwrap();
    for private in [
        "Marie", "Joseph", "Haiti", "stolen", "pregnan", "priority", "hat", "language",
    ] {
        assert!(!shown.contains(private), "{private} in {shown}");
    }
    assert!(
        app.with_conn(|c| public::ticket_status(c, &"0".repeat(64), now))
            .is_err()
    );
    assert!(
        app.with_conn(|c| public::ticket_status(c, &entry["id"].to_string(), now))
            .is_err()
    );

    post_empty(&app, "/api/v1/ports/SYS/counters/5/call-next", &token).await;
    let board = app.with_conn(|c| public::board(c, "SYS", now)).unwrap();
    assert_eq!(board.called.len(), 1);
    assert_eq!(board.called[0].counter, 5);
    assert_eq!(board.next, ["W-0002"]);
    let shown = serde_json::to_string(&board).unwrap();
    for private in ["Marie", "Haiti", "stolen", "pregnan"] {
        assert!(!shown.contains(private), "{private} on the board");
    }
}

#[actix_web::test]
async fn booked_appointments_still_to_come_widen_walk_ins_windows_but_never_their_place() {
    let app = two_ports();
    app.plan_counters("SYS", 2);
    let token = app.token("ofelia");
    for _ in 0..8 {
        post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(2)).await;
    }
    let (_, before) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    // A family of 12 booked for 09:30 (now is 09:00), not yet here.
    let booking = json!([{"confirmation": "BIG-1", "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 12, "name": "Big Family", "nationality": "Honduras", "language": "spa"}]);
    post(
        &app,
        "/api/v1/ports/SYS/appointments",
        &app.token("sergio"),
        booking,
    )
    .await;
    let (_, after) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    let entries = |q: &Value| q["entries"].as_array().unwrap().clone();
    let (before, after) = (entries(&before), entries(&after));
    assert_eq!(
        after.len(),
        8,
        "a booking is not in the queue until it checks in"
    );
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b["ticket"], a["ticket"], "same order");
    }
    let last = |q: &[Value]| {
        q[7]["estimated_call_at"]["latest"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        last(&after) > last(&before),
        "the family's share pushes the last window's end later"
    );
}

#[actix_web::test]
async fn errors_raised_before_a_handler_runs_keep_the_json_shape() {
    let app = two_ports();
    let sergio = app.token("sergio");
    // A body over the limit.
    let rows: Vec<Value> = (0..20_000)
        .map(|i| json!({"confirmation": format!("AB-{i}"), "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 2, "name": "A Long Enough Name For Padding", "nationality": "Venezuela", "language": "spa"}))
        .collect();
    let (status, body) = post(&app, "/api/v1/ports/SYS/appointments", &sergio, json!(rows)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{body}"
    );
    // A query string that cannot be read.
    let (status, body) = get(
        &app,
        "/api/v1/ports/SYS/reports/daily?date=2026-11-25&date=2026-11-24",
        &sergio,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].is_string(), "{body}");
    // A date no queue ever ran on.
    let (status, body) = get(
        &app,
        "/api/v1/ports/SYS/reports/daily?date=-262143-01-01",
        &sergio,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["date"].is_string(), "{body}");
}

#[actix_web::test]
async fn a_password_reset_or_a_revocation_ends_api_access() {
    use portqueue::auth::sessions;
    use portqueue::service::accounts;
    let app = two_ports();
    let token = app.token("ofelia");
    let (status, _) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert_eq!(status, StatusCode::OK);
    let ada = app
        .with_conn(|c| sessions::authenticate(c, "ada", common::PASSWORD))
        .unwrap();
    let ofelia_id = app
        .with_conn(|c| sessions::find_account(c, "ofelia"))
        .unwrap()
        .unwrap()
        .id;
    app.with_conn(|c| {
        accounts::reset_password(
            c,
            &portqueue::auth::Actor::from_user(&ada),
            ofelia_id,
            "a brand new password",
        )
    })
    .unwrap();
    let (status, _) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old token died with the old password"
    );

    let second = app.token("ofelia");
    assert_eq!(
        get(&app, "/api/v1/ports/SYS/queue", &second).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.with_conn(|c| sessions::revoke_api_tokens(c, "ofelia"))
            .unwrap(),
        1
    );
    assert_eq!(
        get(&app, "/api/v1/ports/SYS/queue", &second).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn a_closed_tickets_status_link_stops_answering_after_a_day() {
    use portqueue::service::public;
    let app = two_ports();
    let token = app.token("ofelia");
    let (_, entry) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    let secret = entry["status_url"]
        .as_str()
        .unwrap()
        .rsplit_once("/t/")
        .unwrap()
        .1
        .to_owned();
    let id = entry["id"].as_i64().unwrap();
    post_empty(&app, &format!("/api/v1/entries/{id}/withdraw"), &token).await;
    app.clock.advance(Duration::hours(23));
    let now = app.clock.now_utc();
    let status = app
        .with_conn(|c| public::ticket_status(c, &secret, now))
        .unwrap();
    assert_eq!(status.status, portqueue_core::Status::Withdrawn);
    app.clock.advance(Duration::hours(2));
    let now = app.clock.now_utc();
    assert!(matches!(
        app.with_conn(|c| public::ticket_status(c, &secret, now)),
        Err(portqueue::error::AppError::NotFound(_))
    ));
}

/// With no counter in use and none planned, a ticket gets no window (never a made-up one);
/// a counter plan for the hour gives one; a single call at counter 5 makes it open only
/// while it serves and shortly after.
#[actix_web::test]
async fn no_counter_open_means_no_window_and_one_call_does_not_open_a_counter_for_an_hour() {
    let app = two_ports();
    let token = app.token("ofelia");
    let (_, first) = post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    assert!(first.get("estimated_call_at").is_none(), "{first}");
    post(&app, "/api/v1/ports/SYS/walk-ins", &token, walk_in(1)).await;
    // Counter 5 calls the first and completes it within ten minutes.
    post_empty(&app, "/api/v1/ports/SYS/counters/5/call-next", &token).await;
    let (_, queue) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert!(
        queue["entries"][0].get("estimated_call_at").is_some(),
        "{queue}"
    );
    let id = first["id"].as_i64().unwrap();
    app.clock.advance(Duration::minutes(8));
    let (status, done) = post_empty(&app, &format!("/api/v1/entries/{id}/complete"), &token).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (_, queue) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert!(queue["entries"][0].get("estimated_call_at").is_some());
    // Twenty minutes later nobody has called there again: it is not counted as open.
    app.clock.advance(Duration::minutes(20));
    let (_, queue) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert!(
        queue["entries"][0].get("estimated_call_at").is_none(),
        "{queue}"
    );
    app.plan_counters("SYS", 2);
    let (_, queue) = get(&app, "/api/v1/ports/SYS/queue", &token).await;
    assert!(
        queue["entries"][0].get("estimated_call_at").is_some(),
        "{queue}"
    );
}
