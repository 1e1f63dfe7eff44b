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
