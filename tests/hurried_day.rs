//! A hurried day at the kiosk: search by a name typed without accents or by part of a
//! confirmation number, import errors that name every bad line, forms that redirect after
//! a successful post, and every example the program shows accepted by it.

mod common;

use actix_web::http::StatusCode;
use serde_json::json;

use common::api::call;
use common::web::{Browser, unescape};
use common::{TestApp, test_app};
use portqueue::service::appointments;

fn port_with_bookings() -> TestApp {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.add_user("sergio", "supervisor", Some("SYS"));
    app
}

async fn import(app: &TestApp) {
    let rows = json!([
        {"confirmation": "SYS-24127", "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 2, "name": "María José García", "nationality": "Honduras", "language": "spa"},
        {"confirmation": "SYS-30001", "slot_at": "2026-11-25T10:00:00-08:00", "party_size": 1, "name": "Ana Pérez", "nationality": "Venezuela", "language": "spa"},
        {"confirmation": "SYS-30002", "slot_at": "2026-11-25T10:30:00-08:00", "party_size": 1, "name": "Arcia Lopez", "nationality": "Cuba", "language": "spa"}
    ]);
    let (status, body) = call(
        app,
        "POST",
        "/api/v1/ports/SYS/appointments",
        Some(&app.token("sergio")),
        Some(rows),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn search(browser: &mut Browser<'_>, q: &str) -> String {
    let csrf = browser.csrf_from("/ports/SYS/check-in").await;
    let page = browser
        .post("/ports/SYS/check-in", &[("csrf", &csrf), ("q", q)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    unescape(&page.body)
}

#[actix_web::test]
async fn check_in_search_ignores_accents_and_case_and_finds_part_of_a_number() {
    let app = port_with_bookings();
    import(&app).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("ofelia").await;

    let page = search(&mut browser, "Garcia").await;
    assert!(page.contains("SYS-24127"), "Garcia finds García: {page}");
    assert!(!page.contains("SYS-30002"), "not Arcia: word starts only");
    let page = search(&mut browser, "PEREZ ana").await;
    assert!(page.contains("SYS-30001"), "{page}");
    assert!(!page.contains("SYS-24127"));
    let page = search(&mut browser, "24127").await;
    assert!(page.contains("SYS-24127"), "part of the number: {page}");
    assert!(page.contains("1 booking found"), "{page}");
    let page = search(&mut browser, "sys-30").await;
    assert!(page.contains("SYS-30001") && page.contains("SYS-30002"));
    let page = search(&mut browser, "   ").await;
    assert!(page.contains("Nothing to search for"), "{page}");
    let page = search(&mut browser, "Nobody").await;
    assert!(page.contains("0 bookings found"), "{page}");
}

#[test]
fn a_bad_csv_names_every_bad_line_and_column_in_plain_words() {
    let csv = "confirmation,slot_at,party_size,name,nationality,language\n\
        AB-1,2026-11-25T09:30:00-08:00,2,Ana,Venezuela,spa\n\
        AB-2,tomorrow,0,Luis,Cuba,spa\n\
        AB-3,2026-11-25T10:30:00-08:00,1\n\
        AB-4,2026-11-25T10:30:00-08:00,1,Perez, Juan,Mexico,spa\n\
        AB-5,2026-11-25T10:30:00-08:00,1,Li,China,klingon\n";
    let error = appointments::read_csv(csv.as_bytes())
        .unwrap_err()
        .to_string();
    for expected in [
        "line 3, column slot_at",
        "line 3, column party_size",
        "line 4: has 3 values where the header has 6",
        "is missing values",
        "line 5: has 7 values",
        "needs quotes",
        "line 6, column language",
    ] {
        assert!(error.contains(expected), "{expected} missing in: {error}");
    }
    assert!(!error.contains("CSV error"), "no library message: {error}");
    assert!(
        !error.contains("line 2"),
        "the good line is not named: {error}"
    );

    // Many bad lines: a sensible number listed, the rest counted.
    let mut many = String::from("confirmation,slot_at,party_size,name,nationality,language\n");
    for i in 0..40 {
        many.push_str(&format!("AB-{i},never,1,X,Y,spa\n"));
    }
    let error = appointments::read_csv(many.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("line 2, column slot_at"));
    assert!(error.contains("and 15 more problems not listed"), "{error}");
}

#[actix_web::test]
async fn json_import_names_every_bad_row() {
    let app = port_with_bookings();
    let rows = json!([
        {"confirmation": "AB-1", "slot_at": "soon", "party_size": 1, "name": "A", "nationality": "B", "language": "spa"},
        {"confirmation": "AB-2", "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 99, "name": "A", "nationality": "B", "language": "spa"},
        {"confirmation": "AB-2", "slot_at": "2026-11-25T09:30:00-08:00", "party_size": 1, "name": "A", "nationality": "B", "language": "xx"}
    ]);
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/appointments",
        Some(&app.token("sergio")),
        Some(rows),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &body["error"]["fields"];
    for key in ["rows[0].slot_at", "rows[1].party_size", "rows[2].language"] {
        assert!(fields[key].is_string(), "{key} missing in {body}");
    }
}

/// The words of `text` that look like what `looks_like` picks, punctuation around them cut.
fn examples(text: &str, looks_like: impl Fn(&str) -> bool) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",.;:()`'\"".contains(c)))
        .filter(|w| looks_like(w))
        .map(str::to_owned)
        .collect()
}

fn is_zone(w: &str) -> bool {
    w.contains('/') && w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

#[actix_web::test]
async fn every_example_the_program_shows_is_accepted_by_it() {
    let app = port_with_bookings();
    app.add_user("root", "admin", None);
    let mut browser = Browser::new(&app);
    browser.sign_in("root").await;

    // The port form's time-zone hint, and the message for a wrong zone.
    let page = browser.get("/admin/ports").await;
    let hint = page
        .element_text("f-timezone-hint")
        .expect("a time-zone hint");
    let message = portqueue::service::ports::check_timezone("Mountain").unwrap_err();
    let zones: Vec<String> = examples(&format!("{hint} {message}"), is_zone);
    assert!(zones.len() >= 3, "{zones:?}");
    let csrf = page.csrf();
    for (i, zone) in zones.iter().enumerate() {
        assert!(
            portqueue::service::ports::check_timezone(zone).is_ok(),
            "{zone} is shown as an example but refused"
        );
        let code = format!("EX-{i}");
        let added = browser
            .post(
                "/admin/ports",
                &[
                    ("csrf", &csrf),
                    ("code", &code),
                    ("name", "Example"),
                    ("timezone", zone),
                ],
            )
            .await;
        assert_eq!(
            added.status,
            StatusCode::SEE_OTHER,
            "{zone}: {}",
            added.body
        );
    }
    // The port-code examples.
    let hint = page.element_text("f-code-hint").expect("a code hint");
    let message = portqueue::service::ports::check_code("x").unwrap_err();
    let codes = examples(&format!("{hint} {message}"), |w| {
        w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase() || c == '-')
    });
    assert!(codes.contains(&"ELP-PDN".to_owned()), "{codes:?}");
    for code in codes {
        assert!(
            portqueue::service::ports::check_code(&code).is_ok(),
            "{code}"
        );
    }

    // The import page's slot example.
    browser.sign_in("sergio").await;
    let page = browser.get("/ports/SYS/appointments/import").await;
    let hint = page.element_text("f-file-hint").expect("an import hint");
    let slots = examples(&hint, |w| {
        w.len() >= 20 && w.contains('T') && w.starts_with("20")
    });
    assert!(!slots.is_empty(), "{hint}");
    for slot in slots {
        let csv = format!(
            "{}\nAB-1,{slot},1,A,B,spa\n",
            appointments::CSV_HEADER.join(",")
        );
        let rows = appointments::read_csv(csv.as_bytes()).expect("the example slot reads");
        appointments::check_rows(&rows, appointments::Source::Csv).expect("the example slot");
    }

    // The printer example.
    let page = browser.get("/ports/SYS/policy").await;
    let hint = page
        .element_text("f-printer_addr-hint")
        .expect("a printer hint");
    let addrs = examples(&hint, |w| {
        w.contains(':') && w.chars().next().is_some_and(|c| c.is_ascii_digit())
    });
    assert!(!addrs.is_empty(), "{hint}");
    for addr in addrs {
        app.with_conn(|conn| {
            let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
            portqueue::service::ports::set_printer(
                conn,
                &portqueue::service::accounts::system_admin(),
                port.id,
                &addr,
                "80",
            )
            .unwrap_or_else(|e| panic!("{addr} is shown as an example but refused: {e}"));
        });
    }
}

#[actix_web::test]
async fn a_reload_after_an_admin_change_sends_nothing_again() {
    let app = port_with_bookings();
    app.add_user("root", "admin", None);
    let mut browser = Browser::new(&app);
    browser.sign_in("root").await;
    let page = browser.get("/admin/accounts").await;
    let csrf = page.csrf();
    let id: i64 = app.with_conn(|conn| {
        use diesel::prelude::*;
        use portqueue::db::schema::users;
        users::table
            .filter(users::username.eq("ofelia"))
            .select(users::id)
            .first(conn)
            .unwrap()
    });
    for (path, fields, notice) in [
        (
            format!("/admin/accounts/{id}/active"),
            vec![("active", "false")],
            "The account ofelia was turned off",
        ),
        (
            format!("/admin/accounts/{id}/active"),
            vec![("active", "true")],
            "The account ofelia was turned on",
        ),
        (
            format!("/admin/accounts/{id}/password"),
            vec![("password", "a brand new password here")],
            "The password of ofelia was reset",
        ),
    ] {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        let done = browser.post(&path, &all).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{path}: {}", done.body);
        let location = done.location.unwrap();
        assert!(location.starts_with("/admin/accounts?"), "{location}");
        assert!(!location.contains("brand"), "no password in the address");
        let page = browser.get(&location).await;
        assert!(page.body.contains(notice), "{notice}: {}", page.body);
    }
}

#[actix_web::test]
async fn the_live_queue_names_languages_free_counters_and_the_share_only_when_it_decides() {
    let app = port_with_bookings();
    let token = app.token("ofelia");
    for language in ["prs", "quc", "spa"] {
        let (status, body) = call(
            &app,
            "POST",
            "/api/v1/ports/SYS/walk-ins",
            Some(&token),
            Some(json!({"party_size": 1, "language": language, "barriers": ["language"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Counter 4 calls and completes: it is open and free; counter 6 is busy.
    for counter in [4, 6] {
        let (_, called) = call(
            &app,
            "POST",
            &format!("/api/v1/ports/SYS/counters/{counter}/call-next"),
            Some(&token),
            None,
        )
        .await;
        if counter == 4 {
            let id = called["id"].as_i64().unwrap();
            call(
                &app,
                "POST",
                &format!("/api/v1/entries/{id}/complete"),
                Some(&token),
                None,
            )
            .await;
        }
    }
    let mut browser = Browser::new(&app);
    browser.sign_in("ofelia").await;
    let page = browser.get("/ports/SYS/queue").await;
    let body = unescape(&page.body);
    assert!(body.contains("<th scope=\"col\">Language</th>"), "{body}");
    assert!(body.contains("<td>Spanish</td>"), "{body}");
    let free = page.element_text("free-counters").unwrap();
    assert_eq!(free, "Free counter: 4");
    // Only walk-ins wait: the share decides nothing and is not said on every row.
    assert!(!body.contains("of officer time"), "{body}");

    // With an appointment waiting too, the share is said.
    import(&app).await;
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/appointments/SYS-24127/check-in",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let page = browser.get("/ports/SYS/queue").await;
    assert!(unescape(&page.body).contains("of officer time"));
}

#[actix_web::test]
async fn an_unknown_address_keeps_the_navigation_for_a_signed_in_officer() {
    let app = port_with_bookings();
    let mut browser = Browser::new(&app);
    let anonymous = browser.get("/no/such/page").await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
    browser.sign_in("ofelia").await;
    let page = browser.get("/ports/SYS/no-such-page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Not found"));
    assert!(page.body.contains("/ports/SYS/queue"), "{}", page.body);
    assert!(page.body.contains("Sign out"), "{}", page.body);
    // A refusal keeps it too (rendered away from the request, framed again on the way out).
    app.add_port("OTY", "America/Tijuana");
    let refused = browser.get("/ports/OTY/queue").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Not allowed"), "{}", refused.body);
    assert!(
        refused.body.contains("/ports/SYS/queue"),
        "{}",
        refused.body
    );
    let conflict = browser.get("/entries/999999/ticket").await;
    assert_eq!(conflict.status, StatusCode::NOT_FOUND);
    assert!(
        conflict.body.contains("/ports/SYS/queue"),
        "{}",
        conflict.body
    );
}
