//! Nobody let in, nothing lost, nothing kept longer than needed: sign-in throttling,
//! control characters, the shape and headers of every error, tokens after a password
//! change, another port's entries, retention purges, backups and the access log. Runs on
//! SQLite, or on PostgreSQL when `PORTQUEUE_TEST_DATABASE_URL` is set.

mod common;

use actix_web::http::StatusCode;
use actix_web::test;
use chrono::Duration;
use diesel::prelude::*;
use serde_json::{Value, json};

use common::api::{call, call_raw};
use common::web::Browser;
use common::{NowUtc, PASSWORD, TestApp, two_ports};
use portqueue::auth::{Actor, sessions, throttle};
use portqueue::db::models::Entry;
use portqueue::db::schema::{audit_events, entries};
use portqueue::service::{accounts, audit, reports, retention};

fn audit_count(app: &TestApp, kind: audit::Kind) -> i64 {
    app.with_conn(|conn| {
        audit_events::table
            .filter(audit_events::kind.eq(kind.as_str()))
            .count()
            .get_result(conn)
            .unwrap()
    })
}

// ---- 1. sign-in throttling ----------------------------------------------------------------

#[actix_web::test]
async fn wrong_passwords_make_the_account_wait_even_for_the_right_one() {
    let app = two_ports();
    let mut browser = Browser::new(&app);
    for _ in 0..throttle::ACCOUNT_FREE_FAILURES {
        let page = browser.sign_in_with("ofelia", "wrong password!").await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            page.body
        );
    }
    // The right password now waits too, with a clear message and the wait.
    let page = browser.sign_in_with("ofelia", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body
            .contains("Too many failed sign-ins for this account"),
        "{}",
        page.body
    );
    assert!(page.body.contains("wait 1 second"), "{}", page.body);
    assert_eq!(page.header("Retry-After"), Some("1"));
    assert!(audit_count(&app, audit::Kind::SignInThrottled) >= 1);
    // After the wait, the right password is let in, and the count starts again.
    app.clock.advance(Duration::seconds(2));
    browser.sign_in("ofelia").await;
}

#[actix_web::test]
async fn a_stranger_keeps_an_account_waiting_minutes_at_most_and_an_admin_ends_it() {
    let app = two_ports();
    let now = app.clock.now_utc();
    // 200 wrong passwords from many addresses: the account's wait stops growing at the cap.
    app.with_conn(|conn| {
        for i in 0..200 {
            throttle::record_failure(
                conn,
                "ofelia",
                &format!("10.0.{}.{}", i / 200, i % 200),
                now,
            )
            .unwrap();
        }
        let wait = throttle::account_wait(conn, "ofelia", now)
            .unwrap()
            .unwrap();
        assert!(wait <= throttle::ACCOUNT_MAX_WAIT_SECS, "{wait}");
        assert!(wait >= 60, "a real wait: {wait}");
    });
    let mut browser = Browser::new(&app);
    let page = browser.sign_in_with("ofelia", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("5 minutes"), "{}", page.body);
    // The wait ends by itself after minutes…
    app.clock
        .advance(Duration::seconds(throttle::ACCOUNT_MAX_WAIT_SECS + 1));
    let later = app.clock.now_utc();
    assert_eq!(
        app.with_conn(|conn| throttle::account_wait(conn, "ofelia", later).unwrap()),
        None
    );
    // …and an admin can end it at once (audited); an officer cannot.
    app.with_conn(|conn| {
        throttle::record_failure(conn, "ofelia", "10.9.9.9", later).unwrap();
        assert!(
            throttle::account_wait(conn, "ofelia", later)
                .unwrap()
                .is_some()
        );
        let officer = Actor::from_user(&sessions::find_account(conn, "ofelia").unwrap().unwrap());
        assert!(throttle::unlock(conn, &officer, "ofelia", later).is_err());
        let admin = Actor::from_user(&sessions::find_account(conn, "ada").unwrap().unwrap());
        assert!(throttle::unlock(conn, &admin, "ofelia", later).unwrap());
        assert_eq!(throttle::account_wait(conn, "ofelia", later).unwrap(), None);
    });
    assert_eq!(audit_count(&app, audit::Kind::SignInUnlocked), 1);
    browser.sign_in("ofelia").await;
}

#[actix_web::test]
async fn one_address_guessing_at_many_accounts_is_made_to_wait() {
    let app = two_ports();
    let now = app.clock.now_utc();
    app.with_conn(|conn| {
        for i in 0..throttle::ADDRESS_FREE_FAILURES {
            throttle::record_failure(conn, &format!("guess{i}"), "203.0.113.7", now).unwrap();
        }
        let wait = throttle::check(conn, "ofelia", "203.0.113.7", now).unwrap();
        assert!(wait.as_ref().is_some_and(|w| !w.account), "{wait:?}");
        // Another address, the same account: not held up by the guesser's address.
        assert_eq!(
            throttle::check(conn, "ofelia", "198.51.100.1", now).unwrap(),
            None
        );
    });
}

// ---- 2. control characters -------------------------------------------------------------------

#[actix_web::test]
async fn nul_and_control_characters_are_refused_everywhere_with_the_same_answer() {
    let app = two_ports();
    let mut browser = Browser::new(&app);
    for path in [
        "/board/%00",
        "/board/S%00.json",
        "/board/%00/events",
        "/t/%00",
        "/ports/SY%01S/queue",
        "/login?next=%00",
    ] {
        let page = browser.get(path).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            page.body
        );
        assert!(page.content_type.starts_with("text/html"), "{path}");
        assert!(page.body.contains("control character"), "{path}");
    }
    let form = browser.get("/login").await;
    let csrf = form.csrf();
    let page = browser
        .post(
            "/login",
            &[("csrf", &csrf), ("username", "adm\0"), ("password", "x")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("control character"));

    let token = app.token("ofelia");
    let mut body =
        json!({"party_size": 1, "language": "hat", "barriers": ["language"], "name": "Ma\u{0}rie"});
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&token),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["error"]["fields"]["name"].is_string(), "{answer}");
    // Nothing was stored.
    let stored: i64 = app.with_conn(|conn| entries::table.count().get_result(conn).unwrap());
    assert_eq!(stored, 0);
    // Line breaks are fine in a note, not in a name.
    body["name"] = json!("Marie");
    body["barrier_note"] = json!("phone stolen\nno app");
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&token),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    body["name"] = json!("Ma\nrie");
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, answer) = call(
        &app,
        "GET",
        "/api/v1/ports/S%00YS/queue",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("control character")
    );
}

// ---- 4. every error has its shape and headers ----------------------------------------------

#[actix_web::test]
async fn every_error_is_a_page_or_json_with_the_security_headers() {
    let app = two_ports();
    let mut browser = Browser::new(&app);
    let page = browser.get("/entries/%22%3E%3Cimg%20src=x%3E/ticket").await;
    assert!(
        page.status.is_client_error() || page.status.is_redirection(),
        "{}",
        page.status
    );
    if page.status.is_client_error() {
        assert!(
            page.content_type.starts_with("text/html"),
            "{}",
            page.content_type
        );
        assert!(!page.body.contains("<img"), "{}", page.body);
    }
    assert_eq!(page.header("X-Content-Type-Options"), Some("nosniff"));
    browser.sign_in("ofelia").await;
    for path in [
        "/entries/%22%3E%3Cimg%20src=x%3E/ticket",
        "/entries/abc/ticket",
        "/no/such/page",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            page.content_type.starts_with("text/html"),
            "{path}: {}",
            page.content_type
        );
        assert!(!page.body.contains("<img"), "{path}");
        for header in [
            "Content-Security-Policy",
            "X-Frame-Options",
            "X-Content-Type-Options",
        ] {
            assert!(page.header(header).is_some(), "{path}: {header}");
        }
    }
    // TRACE and unknown methods: 405 with the methods that exist.
    let service = test::init_service(portqueue::app(app.state.clone())).await;
    for path in ["/login", "/api/v1/ports/SYS/queue"] {
        let req = test::TestRequest::default()
            .method(actix_web::http::Method::TRACE)
            .uri(path)
            .to_request();
        let resp = test::call_service(&service, req).await;
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert!(resp.headers().get("Allow").is_some());
        assert!(resp.headers().get("X-Content-Type-Options").is_some());
    }
    // API answers are never cached, errors included.
    let token = app.token("ofelia");
    for path in [
        "/api/v1/ports/SYS/queue",
        "/api/v1/ports/NOPE/queue",
        "/api/v1/entries/abc/ticket.escpos",
        "/api/v1/nothing",
    ] {
        let req = test::TestRequest::get()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let resp = test::call_service(&service, req).await;
        let headers = resp.headers();
        assert_eq!(headers.get("Cache-Control").unwrap(), "no-store", "{path}");
        assert_eq!(
            headers.get("X-Content-Type-Options").unwrap(),
            "nosniff",
            "{path}"
        );
        if !resp.status().is_success() {
            assert!(
                headers
                    .get("Content-Type")
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("application/json"),
                "{path}"
            );
        }
    }
}

// ---- 5. tokens after a password change ---------------------------------------------------------

#[actix_web::test]
async fn changing_ones_password_or_being_told_to_stops_the_api_tokens() {
    let app = two_ports();
    let token = app.token("ofelia");
    let (status, _) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let mut browser = Browser::new(&app);
    browser.sign_in("ofelia").await;
    let csrf = browser.csrf_from("/account/password").await;
    let page = browser
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "a brand new passphrase"),
                ("repeat", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let (status, _) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A new token works again.
    let fresh = app.token("ofelia");
    let (status, _) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&fresh), None).await;
    assert_eq!(status, StatusCode::OK);

    // Marked "must change password" (an admin's reset): its tokens stop until reissued.
    let sergio = app.token("sergio");
    app.with_conn(|conn| {
        let ada = Actor::from_user(&sessions::find_account(conn, "ada").unwrap().unwrap());
        let id = sessions::find_account(conn, "sergio").unwrap().unwrap().id;
        accounts::reset_password(conn, &ada, id, "a temporary passphrase").unwrap();
        assert!(
            sessions::find_account(conn, "sergio")
                .unwrap()
                .unwrap()
                .must_change_password
        );
    });
    let (status, _) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&sergio), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let reissued = app.token("sergio");
    let (status, _) = call(
        &app,
        "GET",
        "/api/v1/ports/SYS/queue",
        Some(&reissued),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

// ---- 8. metrics ---------------------------------------------------------------------------------

#[actix_web::test]
async fn metrics_need_the_metrics_token() {
    let app = two_ports();
    let (status, _) = call_raw(&app, "GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut state = app.state.clone();
    state.metrics_token = Some("a-long-metrics-token".into());
    let service = test::init_service(portqueue::app(state)).await;
    let req = test::TestRequest::get().uri("/metrics").to_request();
    assert_eq!(
        test::call_service(&service, req).await.status(),
        StatusCode::NOT_FOUND
    );
    let req = test::TestRequest::get()
        .uri("/metrics")
        .insert_header(("Authorization", "Bearer wrong-metrics-token!"))
        .to_request();
    assert_eq!(
        test::call_service(&service, req).await.status(),
        StatusCode::NOT_FOUND
    );
    let req = test::TestRequest::get()
        .uri("/metrics")
        .insert_header(("Authorization", "Bearer a-long-metrics-token"))
        .to_request();
    let resp = test::call_service(&service, req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = test::read_body(resp).await;
    assert!(String::from_utf8_lossy(&body).contains("portqueue_queue_waiting"));
}

// ---- 7. forwarded headers ------------------------------------------------------------------------

#[actix_web::test]
async fn forwarded_headers_count_only_from_a_trusted_proxy() {
    let app = two_ports();
    let peer: std::net::SocketAddr = "192.0.2.10:5555".parse().unwrap();
    let req = test::TestRequest::get()
        .uri("/")
        .peer_addr(peer)
        .insert_header(("Host", "queue.example.org"))
        .insert_header(("X-Forwarded-Host", "evil.example"))
        .insert_header(("X-Forwarded-For", "198.51.100.9"))
        .to_http_request();
    assert_eq!(app.state.base_url(&req), "http://queue.example.org");
    assert_eq!(app.state.client_addr(&req), "192.0.2.10");
    let mut trusted = app.state.clone();
    trusted.trusted_proxies = std::sync::Arc::new(vec![peer.ip()]);
    assert_eq!(trusted.base_url(&req), "http://evil.example");
    assert_eq!(trusted.client_addr(&req), "198.51.100.9");
}

// ---- 11. retention ------------------------------------------------------------------------------

#[actix_web::test]
async fn a_purge_erases_personal_data_and_leaves_the_days_report_identical() {
    let app = two_ports();
    let token = app.token("ofelia");
    let mut ids = Vec::new();
    for (i, tier) in ["standard", "urgent", "standard"].iter().enumerate() {
        let mut body = json!({"party_size": i + 1, "language": "hat", "barriers": ["language"],
            "name": format!("Person {i}"), "nationality": "Haiti", "barrier_note": "no phone",
            "tier": tier});
        if *tier == "urgent" {
            body["urgent_reason"] = json!("chest pain");
        }
        let (status, entry) = call(
            &app,
            "POST",
            "/api/v1/ports/SYS/walk-ins",
            Some(&token),
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{entry}");
        ids.push(entry["id"].as_i64().unwrap());
        app.clock.advance(Duration::minutes(7));
    }
    for _ in 0..2 {
        let (status, called) = call(
            &app,
            "POST",
            "/api/v1/ports/SYS/counters/1/call-next",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{called}");
        app.clock.advance(Duration::minutes(9));
        let id = called["id"].as_i64().unwrap();
        let (status, _) = call(
            &app,
            "POST",
            &format!("/api/v1/entries/{id}/complete"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{}/withdraw", ids[2]),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let report = |app: &TestApp| -> String {
        let now = app.clock.now_utc();
        app.with_conn(|conn| {
            let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
            serde_json::to_string(
                &reports::daily(
                    conn,
                    &reports::reader(&accounts::system_admin(), &port).unwrap(),
                    day,
                    now,
                )
                .unwrap(),
            )
            .unwrap()
        })
    };
    // The whole day, computed from the log (read during the day, the report would be "as
    // of" that moment and differ from the finished day's by design).
    let whole_day = |app: &TestApp| -> String {
        app.with_conn(|conn| {
            let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
            serde_json::to_string(&reports::load_day(conn, &port, day).unwrap().report()).unwrap()
        })
    };
    let before = whole_day(&app);

    // Within retention nothing is erased.
    app.clock.advance(Duration::days(29));
    let now = app.clock.now_utc();
    let purged = app.with_conn(|conn| retention::purge(conn, None, false, now).unwrap());
    assert!(purged.iter().all(|p| p.entries == 0), "{purged:?}");

    // Past 30 days: a dry run counts, the purge erases, a second purge finds nothing.
    app.clock.advance(Duration::days(2));
    let now = app.clock.now_utc();
    let dry = app.with_conn(|conn| retention::purge(conn, Some("SYS"), true, now).unwrap());
    assert_eq!(dry[0].entries, 3);
    let still: Entry = app.with_conn(|conn| {
        entries::table
            .find(ids[0])
            .select(Entry::as_select())
            .first(conn)
            .unwrap()
    });
    assert_eq!(still.name.as_deref(), Some("Person 0"));
    let done = app.with_conn(|conn| retention::purge(conn, Some("SYS"), false, now).unwrap());
    assert_eq!(done, dry);
    assert_eq!(audit_count(&app, audit::Kind::Purge), 1);
    for id in &ids {
        let entry: Entry = app.with_conn(|conn| {
            entries::table
                .find(id)
                .select(Entry::as_select())
                .first(conn)
                .unwrap()
        });
        assert!(entry.erased_at.is_some());
        assert_eq!(
            (
                entry.name,
                entry.nationality,
                entry.barrier_note,
                entry.urgent_reason
            ),
            (None, None, None, None)
        );
    }
    let again = app.with_conn(|conn| retention::purge(conn, Some("SYS"), false, now).unwrap());
    assert_eq!(again[0].entries, 0);
    assert_eq!(
        whole_day(&app),
        before,
        "the day's figures from the log are the same after the purge"
    );
    assert_eq!(
        report(&app),
        before,
        "the day's report is the same after the purge"
    );
    // The ticket page says "erased" where the name was.
    let mut browser = Browser::new(&app);
    browser.sign_in("ofelia").await;
    let page = browser.get(&format!("/entries/{}/ticket", ids[0])).await;
    assert!(!page.body.contains("Person 0"));
}

#[actix_web::test]
async fn retention_days_are_an_admins_to_set_and_checked() {
    let app = two_ports();
    app.with_conn(|conn| {
        let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
        assert_eq!(
            retention::retention_days(conn, port.id).unwrap(),
            retention::DEFAULT_DAYS
        );
        assert!(retention::parse_days("0").is_err());
        assert!(retention::parse_days("ten").is_err());
        assert_eq!(retention::parse_days(" 7 ").unwrap(), 7);
        let sergio = Actor::from_user(&sessions::find_account(conn, "sergio").unwrap().unwrap());
        assert!(retention::set_days(conn, &sergio, port.id, 7).is_err());
        let ada = Actor::from_user(&sessions::find_account(conn, "ada").unwrap().unwrap());
        retention::set_days(conn, &ada, port.id, 7).unwrap();
        assert_eq!(retention::retention_days(conn, port.id).unwrap(), 7);
    });
}

// ---- 13. the access log ----------------------------------------------------------------------

#[actix_web::test]
async fn supervisors_read_who_saw_whose_data_at_their_port() {
    let app = two_ports();
    let token = app.token("ofelia");
    let body =
        json!({"party_size": 1, "language": "hat", "barriers": ["language"], "name": "Marie"});
    let (_, entry) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&token),
        Some(body),
    )
    .await;
    let id = entry["id"].as_i64().unwrap();
    let mut officer = Browser::new(&app);
    officer.sign_in("ofelia").await;
    // The counter page shows the called person's name: that view is logged.
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/1/call-next",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = officer.get("/ports/SYS/counters/1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Marie"));
    let mut supervisor = Browser::new(&app);
    supervisor.sign_in("sergio").await;
    let log = supervisor.get("/ports/SYS/access-log").await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    assert!(log.body.contains("ofelia"), "{}", log.body);
    assert!(
        log.body.contains(entry["ticket"].as_str().unwrap()),
        "{}",
        log.body
    );
    let filtered = supervisor
        .get("/ports/SYS/access-log?officer=nobody&day=2026-11-25")
        .await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(!filtered.body.contains("<td>ofelia"), "{}", filtered.body);
    let bad_day = supervisor.get("/ports/SYS/access-log?day=25.11.").await;
    assert_eq!(bad_day.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An officer may not read it; another port's supervisor neither.
    let refused = officer.get("/ports/SYS/access-log").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let lines: Value = json!(app.with_conn(|conn| {
        let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
        let sergio = Actor::from_user(&sessions::find_account(conn, "sergio").unwrap().unwrap());
        audit::access_log_for(conn, &sergio, &port, &audit::AccessFilter::default()).unwrap()
    }));
    assert!(
        lines
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["officer"] == "ofelia" && l["entry_id"] == id)
    );
}

// ---- 12. backup and restore; 9. an empty sqlite:// ------------------------------------------------

fn portqueue(url: &str, args: &[&str]) -> std::process::Output {
    common::cli::portqueue(None, Some(url), args, None)
}

#[::core::prelude::v1::test]
fn backup_and_restore_round_trip_and_a_running_server_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let url = format!("sqlite://{}", db.display());
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("database is locked"), "{stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(portqueue(&url, &common::cli::ADD_SYS));
    let backup = dir.path().join("copy.db");
    let said = ok(portqueue(&url, &["backup", backup.to_str().unwrap()]));
    assert!(said.contains("backed up"), "{said}");
    // A backup never overwrites.
    let again = portqueue(&url, &["backup", backup.to_str().unwrap()]);
    assert!(!again.status.success());
    ok(portqueue(
        &url,
        &[
            "port",
            "add",
            "--code",
            "OTY",
            "--name",
            "Otay",
            "--timezone",
            "America/Tijuana",
        ],
    ));
    let location = portqueue::db::Location::parse(Some(&url));
    // While a server holds the database, a restore is refused and changes nothing.
    {
        let _server = portqueue::ops::hold_server_lock(&location).unwrap();
        let refused = portqueue(&url, &["restore", backup.to_str().unwrap()]);
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("a server is running"), "{stderr}");
    }
    let ports = |url: &str| {
        let pool = portqueue::db::open(&portqueue::db::Location::parse(Some(url)), 1).unwrap();
        let mut conn = pool.get().unwrap();
        portqueue::db::schema::ports::table
            .select(portqueue::db::schema::ports::code)
            .order(portqueue::db::schema::ports::code.asc())
            .load::<String>(&mut conn)
            .unwrap()
    };
    assert_eq!(ports(&url), ["OTY", "SYS"]);
    let said = ok(portqueue(&url, &["restore", backup.to_str().unwrap()]));
    assert!(said.contains("restored"), "{said}");
    assert_eq!(ports(&url), ["SYS"]);
    // Not a backup: refused.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    assert!(
        !portqueue(&url, &["restore", junk.to_str().unwrap()])
            .status
            .success()
    );
    // An empty sqlite:// says so, instead of "up to date" and then "no such table".
    let empty = portqueue("sqlite://", &["migrate"]);
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("names no file"));
    // The purge from the command line: a dry run on a fresh port erases nothing.
    let said = ok(portqueue(&url, &["purge", "--dry-run"]));
    assert!(said.contains("port SYS: would erase 0 entries"), "{said}");
}

#[::core::prelude::v1::test]
fn backup_on_postgresql_points_to_pg_dump() {
    let Some(base) = common::postgres_or_skip("backup_on_postgresql_points_to_pg_dump") else {
        return;
    };
    let url = common::fresh_postgres_database(&base);
    let out = portqueue(&url, &["backup", "/tmp/never-written.db"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}

// ---- 9. limits ----------------------------------------------------------------------------------

#[actix_web::test]
async fn overlong_printer_hosts_and_slots_outside_2000_to_2199_are_refused() {
    use portqueue::service::{appointments, ports};
    let app = two_ports();
    app.with_conn(|conn| {
        let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
        let sergio = Actor::from_user(&sessions::find_account(conn, "sergio").unwrap().unwrap());
        let long = format!("{}:9100", "a".repeat(254));
        let err = ports::set_printer(conn, &sergio, port.id, &long, "80").unwrap_err();
        let fields = err.fields().expect("a field error");
        assert!(fields.get("printer_addr").unwrap().contains("253"), "{err}");
        let fine = format!("{}:9100", "a".repeat(253));
        ports::set_printer(conn, &sergio, port.id, &fine, "80").unwrap();
    });
    let row = |slot: &str| appointments::AppointmentInput {
        confirmation: "AB-1".into(),
        slot_at: slot.into(),
        party_size: "1".into(),
        name: "Ana".into(),
        nationality: "Venezuela".into(),
        language: "spa".into(),
    };
    for slot in [
        "1999-12-31T10:00:00-08:00",
        "2200-01-01T10:00:00+00:00",
        "0026-11-25T09:30:00-08:00",
    ] {
        let err = appointments::check_rows(&[row(slot)], appointments::Source::Json).unwrap_err();
        assert!(err.to_string().contains("2000 to 2199"), "{slot}: {err}");
    }
    assert!(
        appointments::check_rows(
            &[row("2199-12-31T10:00:00+00:00")],
            appointments::Source::Json
        )
        .is_ok()
    );
    let mut nul = row("2026-11-25T09:30:00-08:00");
    nul.name = "A\0na".into();
    let err = appointments::check_rows(&[nul], appointments::Source::Csv).unwrap_err();
    assert!(err.to_string().contains("control character"), "{err}");
}

// ---- 10b. the OpenAPI document holds every answer ----------------------------------------------

/// Sends requests of every kind the API takes (good, unauthenticated, another port's, bad
/// bodies, bad dates, repeated query keys, control characters, wrong methods) and checks
/// each answer's route, method and status against `src/api/openapi.json`.
#[actix_web::test]
async fn every_api_answer_is_documented_in_the_openapi_document() {
    let app = two_ports();
    let spec: Value = serde_json::from_str(portqueue::api::OPENAPI).unwrap();
    let info = spec["info"]["description"].as_str().unwrap();
    for rule in [
        "405",
        "Allow",
        "control character",
        "twice",
        "413",
        "no-store",
    ] {
        assert!(info.contains(rule), "the document states the rule `{rule}`");
    }
    let range_to = spec["paths"]["/api/v1/ports/{code}/reports/range"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "to")
        .unwrap()["description"]
        .to_string();
    assert!(
        range_to.contains("on or after") && range_to.contains("31 days"),
        "{range_to}"
    );
    assert!(
        spec["components"]["schemas"]["WalkIn"]["properties"]["urgent_reason"]["description"]
            .as_str()
            .unwrap()
            .contains("Required")
    );

    let templates: Vec<String> = spec["paths"].as_object().unwrap().keys().cloned().collect();
    let matches = |template: &str, path: &str| {
        let (t, p): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len()
            && t.iter()
                .zip(&p)
                .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
    };
    let ofelia = app.token("ofelia");
    let sergio = app.token("sergio");
    let otto = app.token("otto");
    let (_, entry) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&ofelia),
        Some(json!({"party_size": 1, "language": "hat", "barriers": ["language"]})),
    )
    .await;
    let id = entry["id"].as_i64().unwrap();
    let rows = json!([{"confirmation": "AB-1001", "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 2, "name": "Ana", "nationality": "Venezuela", "language": "spa"}]);
    let walk_in = json!({"party_size": 1, "language": "hat", "barriers": ["language"]});
    let urgent_without_reason =
        json!({"party_size": 1, "language": "hat", "barriers": ["language"], "tier": "urgent"});
    let mut cases: Vec<(&str, String, Option<&str>, Option<Value>)> = vec![
        ("GET", "/api/v1/ports/SYS/queue".into(), Some(&ofelia), None),
        ("GET", "/api/v1/ports/SYS/queue".into(), None, None),
        ("GET", "/api/v1/ports/SYS/queue".into(), Some(&otto), None),
        (
            "GET",
            "/api/v1/ports/NOPE/queue".into(),
            Some(&ofelia),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/S%00YS/queue".into(),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            "/api/v1/ports/SYS/walk-ins".into(),
            Some(&ofelia),
            Some(walk_in.clone()),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/walk-ins".into(),
            Some(&ofelia),
            Some(urgent_without_reason),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/walk-ins".into(),
            Some(&ofelia),
            Some(json!("not an object")),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/walk-ins".into(),
            Some(&ofelia),
            Some(json!({"party_size": 1, "name": "\u{0}"})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/walk-ins".into(),
            Some(&otto),
            Some(walk_in.clone()),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/appointments".into(),
            Some(&ofelia),
            Some(rows.clone()),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/appointments".into(),
            Some(&sergio),
            Some(rows.clone()),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/appointments".into(),
            Some(&sergio),
            Some(json!([{"confirmation": "x"}])),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/appointments/AB-1001/check-in".into(),
            Some(&ofelia),
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/appointments/AB-1001/check-in".into(),
            Some(&ofelia),
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/appointments/NOPE-1/check-in".into(),
            Some(&ofelia),
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/counters/1/call-next".into(),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            "/api/v1/ports/SYS/counters/0/call-next".into(),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            "/api/v1/ports/SYS/counters/2/open".into(),
            Some(&ofelia),
            Some(json!({"languages": ["pan", "eng"]})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/counters/2/open".into(),
            Some(&ofelia),
            Some(json!({"languages": ["klingon"]})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/counters/2/open".into(),
            Some(&otto),
            Some(json!({"languages": ["pan"]})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/counters/2/close".into(),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            format!("/api/v1/entries/{id}/interpreter"),
            Some(&ofelia),
            Some(json!({"requested": "yes"})),
        ),
        (
            "POST",
            "/api/v1/ports/SYS/counters/x/call-next".into(),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            format!("/api/v1/entries/{id}/complete"),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            format!("/api/v1/entries/{id}/complete"),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            format!("/api/v1/entries/{id}/dance"),
            Some(&ofelia),
            None,
        ),
        (
            "POST",
            format!("/api/v1/entries/{id}/withdraw"),
            Some(&otto),
            None,
        ),
        (
            "POST",
            "/api/v1/entries/abc/withdraw".into(),
            Some(&ofelia),
            None,
        ),
        (
            "GET",
            format!("/api/v1/entries/{id}/ticket.escpos"),
            Some(&ofelia),
            None,
        ),
        (
            "GET",
            format!("/api/v1/entries/{id}/ticket.escpos"),
            Some(&otto),
            None,
        ),
        (
            "GET",
            "/api/v1/entries/abc/ticket.escpos".into(),
            Some(&ofelia),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/daily?date=2026-11-25".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/daily?date=2026-11-25&date=2026-11-26".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/daily?date=25.11.2026".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/daily".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/daily?date=2026-11-25".into(),
            Some(&ofelia),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/range?from=2026-11-20&to=2026-11-25".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/range?from=2026-11-25&to=2026-11-20".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/range?from=2026-01-01&to=2026-11-20".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/range?from=2026-11-20&from=2026-11-21&to=2026-11-25".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/what-if?date=2026-11-25".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/what-if?date=2026-11-25&counters=0".into(),
            Some(&sergio),
            None,
        ),
        (
            "GET",
            "/api/v1/ports/SYS/reports/what-if?date=2026-11-25&counters=2&counters=3".into(),
            Some(&sergio),
            None,
        ),
    ];
    // Every route without a token.
    for template in &templates {
        for method in spec["paths"][template].as_object().unwrap().keys() {
            if template.starts_with("/api/v1") && (method == "get" || method == "post") {
                let path = template
                    .replace("{code}", "SYS")
                    .replace("{id}", &id.to_string())
                    .replace("{action}", "complete")
                    .replace("{confirmation}", "AB-1001")
                    .replace("{n}", "1");
                cases.push((
                    if method == "get" { "GET" } else { "POST" },
                    path,
                    None,
                    None,
                ));
            }
        }
    }
    let service = test::init_service(portqueue::app(app.state.clone())).await;
    let mut seen = std::collections::BTreeSet::new();
    for (method, path, token, body) in cases {
        let (status, text) = call_raw(&app, method, &path, token, body).await;
        let route = path.split('?').next().unwrap();
        let template = templates
            .iter()
            .find(|t| matches(t, route) && spec["paths"][t].get(method.to_lowercase()).is_some())
            .unwrap_or_else(|| panic!("{method} {path} matches no documented route"));
        let documented = &spec["paths"][template][method.to_lowercase()]["responses"];
        assert!(
            documented.get(status.as_str()).is_some(),
            "{method} {path} answered {status}, which {template} does not document: {text}"
        );
        if status.is_client_error() {
            let error: Value =
                serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path}: {text}"));
            assert!(
                error["error"]["message"].is_string(),
                "{method} {path}: {text}"
            );
        }
        seen.insert(format!("{} {method} {template}", status.as_u16()));
    }
    // The repeated key is refused, not silently read once.
    assert!(
        seen.iter()
            .any(|s| s.starts_with("400 GET /api/v1/ports/{code}/reports/daily")),
        "{seen:?}"
    );
    // Methods no route takes: 405 with Allow, as the document says.
    for method in ["TRACE", "PUT", "DELETE", "OPTIONS"] {
        let req = test::TestRequest::default()
            .method(actix_web::http::Method::from_bytes(method.as_bytes()).unwrap())
            .uri("/api/v1/ports/SYS/queue")
            .to_request();
        let resp = test::call_service(&service, req).await;
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(resp.headers().get("Allow").unwrap(), "GET, HEAD, POST");
    }
}

#[actix_web::test]
async fn the_admins_security_page_shows_waits_unlocks_and_sets_retention() {
    let app = two_ports();
    let now = app.clock.now_utc();
    app.with_conn(|conn| {
        for _ in 0..throttle::ACCOUNT_FREE_FAILURES + 2 {
            throttle::record_failure(conn, "ofelia", "10.1.1.1", now).unwrap();
        }
    });
    let mut admin = Browser::new(&app);
    admin.sign_in("ada").await;
    let page = admin.get("/admin/security").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("account:ofelia"), "{}", page.body);
    assert!(page.body.contains("Unlock ofelia"));
    let csrf = page.csrf();
    let done = admin
        .post(
            "/admin/security/unlock",
            &[("csrf", &csrf), ("username", "ofelia")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.with_conn(|conn| throttle::account_wait(conn, "ofelia", now).unwrap()),
        None
    );
    let bad = admin
        .post(
            "/admin/security/retention",
            &[("csrf", &csrf), ("port", "SYS"), ("retention_days", "0")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("between 1 and"), "{}", bad.body);
    let saved = admin
        .post(
            "/admin/security/retention",
            &[("csrf", &csrf), ("port", "SYS"), ("retention_days", "14")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    app.with_conn(|conn| {
        let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
        assert_eq!(retention::retention_days(conn, port.id).unwrap(), 14);
    });
    // Not an officer's page.
    let mut officer = Browser::new(&app);
    officer.sign_in("otto").await;
    assert_eq!(
        officer.get("/admin/security").await.status,
        StatusCode::FORBIDDEN
    );
}

/// The real thing: `portqueue serve` running on the file, then stopped.
#[::core::prelude::v1::test]
fn a_restore_is_refused_while_portqueue_serve_runs_and_works_after_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("served.db");
    let url = format!("sqlite://{}", db.display());
    assert!(portqueue(&url, &["migrate"]).status.success());
    let backup = dir.path().join("backup.db");
    assert!(
        portqueue(&url, &["backup", backup.to_str().unwrap()])
            .status
            .success()
    );
    let server = common::cli::Served::start(dir.path(), &url, "served", &[]);
    let refused = portqueue(&url, &["restore", backup.to_str().unwrap()]);
    drop(server);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("a server is running"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // Killed, the server's lock went with it.
    let restored = portqueue(&url, &["restore", backup.to_str().unwrap()]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
}

#[::core::prelude::v1::test]
fn the_command_line_refuses_control_characters_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let out = portqueue(
        &url,
        &[
            "port",
            "add",
            "--code",
            "SYS",
            "--name",
            "San\u{7}Ysidro",
            "--timezone",
            "UTC",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("control character"));
}
