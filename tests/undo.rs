//! Taking back a counter action (`POST /api/v1/entries/{id}/undo` and the counter page), and
//! a counter form sent twice acting once.

mod common;

use actix_web::http::StatusCode;
use chrono::Duration;
use serde_json::{Value, json};

use common::api::call;
use common::web::Browser;
use common::{TestApp, test_app};

/// Port SYS with two officers and a supervisor; port OTY with its own officer.
fn ports() -> TestApp {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_port("OTY", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.add_user("olga", "officer", Some("SYS"));
    app.add_user("sergio", "supervisor", Some("SYS"));
    app.add_user("otto", "officer", Some("OTY"));
    app
}

async fn post(app: &TestApp, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    call(app, "POST", path, Some(token), body).await
}

fn walk_in(party: u32) -> Value {
    json!({"party_size": party, "language": "hat", "barriers": ["language"]})
}

async fn register(app: &TestApp, token: &str, party: u32) -> i64 {
    let (status, entry) = post(
        app,
        "/api/v1/ports/SYS/walk-ins",
        token,
        Some(walk_in(party)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    entry["id"].as_i64().unwrap()
}

async fn call_next(app: &TestApp, token: &str, counter: u32) -> Value {
    let (status, entry) = post(
        app,
        &format!("/api/v1/ports/SYS/counters/{counter}/call-next"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{entry}");
    entry
}

async fn undo(app: &TestApp, token: &str, id: i64, body: Option<Value>) -> (StatusCode, Value) {
    post(app, &format!("/api/v1/entries/{id}/undo"), token, body).await
}

async fn served_today(app: &TestApp) -> (u64, u64) {
    let (status, r) = call(
        app,
        "GET",
        "/api/v1/ports/SYS/reports/daily?date=2026-11-25",
        Some(&app.token("sergio")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let outcomes = &r["outcomes"];
    (
        outcomes["served"].as_u64().unwrap(),
        outcomes["waiting"].as_u64().unwrap(),
    )
}

/// The value of the hidden field `name` in the first form after `marker` in the page.
fn hidden_value(body: &str, marker: &str, name: &str) -> Option<String> {
    let at = body.find(marker)?;
    let field = format!("name=\"{name}\" value=\"");
    let start = at + body[at..].find(&field)? + field.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

#[actix_web::test]
async fn an_undone_completion_is_called_again_and_not_counted_as_served() {
    let app = ports();
    let token = app.token("ofelia");
    let id = register(&app, &token, 5).await;
    let called = call_next(&app, &token, 3).await;
    assert_eq!(called["id"], id);
    app.clock.advance(Duration::seconds(1));
    let (status, done) = post(
        &app,
        &format!("/api/v1/entries/{id}/complete"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["status"], "served");
    assert_eq!(served_today(&app).await, (1, 0));

    app.clock.advance(Duration::seconds(30));
    let (status, back) = undo(&app, &token, id, Some(json!({"counter": 3}))).await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["status"], "called");
    assert_eq!(back["counter"], 3);
    // The report reads the completion as never having happened: still open, not served.
    assert_eq!(served_today(&app).await, (0, 1));
    // Completed again, it is counted once.
    let (status, _) = post(
        &app,
        &format!("/api/v1/entries/{id}/complete"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served_today(&app).await, (1, 0));
}

#[actix_web::test]
async fn an_undone_call_puts_the_entry_back_first_in_line() {
    let app = ports();
    let token = app.token("ofelia");
    let first = register(&app, &token, 2).await;
    app.clock.advance(Duration::minutes(1));
    let second = register(&app, &token, 1).await;
    let called = call_next(&app, &token, 1).await;
    assert_eq!(called["id"], first);
    let (status, back) = undo(&app, &token, first, None).await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["status"], "waiting");
    assert!(back.get("counter").is_none(), "{back}");
    let (_, queue) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    let order: Vec<i64> = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![first, second], "back in its own place");
    // The counter is free again and calls the same person.
    let again = call_next(&app, &token, 1).await;
    assert_eq!(again["id"], first);
    // Nothing left to undo once the call is undone too: the registration is not an action.
    let (status, _) = undo(&app, &token, first, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = undo(&app, &token, first, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing to undo"),
        "{body}"
    );
}

#[actix_web::test]
async fn undo_is_refused_after_two_minutes_for_another_officer_counter_or_port() {
    let app = ports();
    let token = app.token("ofelia");
    let id = register(&app, &token, 1).await;
    call_next(&app, &token, 2).await;
    let (status, _) = post(&app, &format!("/api/v1/entries/{id}/no-show"), &token, None).await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = undo(&app, &app.token("olga"), id, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another officer: {body}");
    let (status, body) = undo(&app, &token, id, Some(json!({"counter": 5}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another counter: {body}");
    let (status, body) = undo(&app, &app.token("otto"), id, None).await;
    // Another port's entry answers as every entry action does for it.
    let (action_status, _) = post(
        &app,
        &format!("/api/v1/entries/{id}/complete"),
        &app.token("otto"),
        None,
    )
    .await;
    assert_eq!(status, action_status, "another port: {body}");
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND);
    let (status, _) = undo(&app, &token, id, Some(json!({"counter": "x"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = undo(&app, &token, 99_999, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.clock.advance(Duration::seconds(121));
    let (status, body) = undo(&app, &token, id, Some(json!({"counter": 2}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "too late: {body}");
    // Nothing changed on the way.
    let (status, _) = post(
        &app,
        &format!("/api/v1/entries/{id}/complete"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "still a no-show");
}

#[actix_web::test]
async fn an_undone_recall_restores_the_count_and_an_undone_withdrawal_the_wait() {
    let app = ports();
    let token = app.token("ofelia");
    let waiting = register(&app, &token, 1).await;
    let id = register(&app, &token, 1).await;
    // Withdrawn while waiting, then back.
    let (status, _) = post(
        &app,
        &format!("/api/v1/entries/{id}/withdraw"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, back) = undo(&app, &token, id, None).await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["status"], "waiting");

    let called = call_next(&app, &token, 1).await;
    assert_eq!(called["id"], waiting);
    let (_, recalled) = post(
        &app,
        &format!("/api/v1/entries/{waiting}/recall"),
        &token,
        None,
    )
    .await;
    assert_eq!(recalled["recalls"], 1);
    let (status, back) = undo(&app, &token, waiting, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(back["recalls"], 0);
    assert_eq!(back["status"], "called");
}

#[actix_web::test]
async fn the_counter_page_offers_undo_and_a_form_sent_twice_acts_once() {
    let app = ports();
    let token = app.token("ofelia");
    register(&app, &token, 5).await;
    register(&app, &token, 1).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("ofelia").await;

    let page = browser.get("/ports/SYS/counters/3").await;
    let csrf = page.csrf();
    let version =
        hidden_value(&page.body, "call-next", "version").expect("call-next carries a version");
    let fields = [("csrf", csrf.as_str()), ("version", version.as_str())];
    let first = browser
        .post("/ports/SYS/counters/3/call-next", &fields)
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    // The same form again (a double Enter): nothing more is called.
    let second = browser
        .post("/ports/SYS/counters/3/call-next", &fields)
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert!(
        second.location.as_deref().unwrap().contains("note=already"),
        "{:?}",
        second.location.as_deref()
    );

    let page = browser.get("/ports/SYS/counters/3").await;
    assert!(page.body.contains("W-0001"), "{}", page.body);
    // Right after a call the focus is on the ticket number, which does nothing on Enter.
    assert_eq!(page.body.matches("autofocus").count(), 1, "{}", page.body);
    assert!(
        page.body
            .contains("id=\"at-counter-ticket\" tabindex=\"-1\" autofocus")
    );
    assert!(
        page.body.contains("Undo the call of W-0001"),
        "{}",
        page.body
    );
    let id: i64 = app.with_conn(|conn| {
        use diesel::prelude::*;
        use portqueue::db::schema::entries;
        entries::table
            .filter(entries::ticket.eq("W-0001"))
            .select(entries::id)
            .first(conn)
            .unwrap()
    });
    let version = hidden_value(&page.body, &format!("/entries/{id}/complete"), "version")
        .expect("complete carries the entry's version");
    let fields = [
        ("csrf", csrf.as_str()),
        ("counter", "3"),
        ("version", version.as_str()),
    ];
    let done = browser
        .post(&format!("/entries/{id}/complete"), &fields)
        .await;
    assert!(done.location.as_deref().unwrap().contains("note=complete"));
    // Sent twice, the completion does not answer 409 and does nothing more.
    let again = browser
        .post(&format!("/entries/{id}/complete"), &fields)
        .await;
    assert!(again.location.as_deref().unwrap().contains("note=already"));

    // The free counter offers to take the completion back; one press does.
    let page = browser.get("/ports/SYS/counters/3?note=complete").await;
    assert!(
        page.body.contains("Undo the completion of W-0001"),
        "{}",
        page.body
    );
    let undone = browser
        .post(
            &format!("/entries/{id}/undo"),
            &[("csrf", csrf.as_str()), ("counter", "3")],
        )
        .await;
    assert!(undone.location.as_deref().unwrap().contains("note=undone"));
    let page = browser.get("/ports/SYS/counters/3").await;
    assert!(page.body.contains("Now at this counter"), "{}", page.body);
    assert!(page.body.contains("W-0001"));
    assert_eq!(served_today(&app).await.0, 0);

    // Another officer's counter page offers nothing to undo.
    let mut olga = Browser::new(&app);
    olga.sign_in("olga").await;
    let page = olga.get("/ports/SYS/counters/3").await;
    assert!(!page.body.contains("Undo "), "{}", page.body);
}
