//! The officer kiosk, page by page, as an officer, a supervisor and an administrator use it.

mod common;

use actix_web::http::StatusCode;
use diesel::prelude::*;

use common::web::{Browser, Page, unescape};
use common::{NowUtc, PASSWORD, TestApp, test_app};
use portqueue::db::schema::{access_log, appointments, entries};
use portqueue::service::{accounts, appointments as bookings};

/// A port in Tijuana's time zone with an officer, a supervisor and an admin.
fn port_with_staff() -> TestApp {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_port("TIJ", "America/Tijuana");
    app.add_user("officer1", "officer", Some("SYS"));
    app.add_user("super1", "supervisor", Some("SYS"));
    app.add_user("root", "admin", None);
    app
}

fn assert_status(page: &Page, status: StatusCode) {
    assert_eq!(page.status, status, "body:\n{}", page.body);
}

/// A walk-in form as a kiosk officer fills it in.
fn walk_in_fields(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("language", "hat"),
        ("barriers", "language"),
        ("barriers", "technical"),
        ("party_size", "3"),
        ("name", "Jean Pierre"),
        ("nationality", "Haiti"),
    ]
}

async fn register_walk_in(browser: &mut Browser<'_>) -> String {
    let csrf = browser.csrf_from("/ports/SYS/walk-ins/new").await;
    let done = browser
        .post("/ports/SYS/walk-ins/new", &walk_in_fields(&csrf))
        .await;
    assert_status(&done, StatusCode::SEE_OTHER);
    done.location.expect("redirect to the ticket")
}

const APPOINTMENTS: &str = "confirmation,slot_at,party_size,name,nationality,language\n\
    AB-1001,2026-11-25T09:30:00-08:00,2,Ana Pérez,Venezuela,spa\n\
    AB-1002,2026-11-25T13:00:00-08:00,1,Jean Baptiste,Haiti,hat\n";

#[actix_web::test]
async fn sign_in_with_the_right_password_lands_on_the_officers_queue() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    let signed = browser.sign_in("officer1").await;
    assert_eq!(signed.location.as_deref(), Some("/"));
    let cookie = signed
        .set_cookies
        .iter()
        .find(|c| c.starts_with("pq_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing from {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "tests run without TLS: {cookie}"
    );

    let home = browser.get("/").await;
    assert_eq!(home.location.as_deref(), Some("/ports/SYS/queue"));
    let queue = browser.get("/ports/SYS/queue").await;
    assert_status(&queue, StatusCode::OK);
    assert!(queue.body.contains("Queue at SYS"));
    assert!(queue.body.contains("<html lang=\"en\">"));
    assert!(
        queue
            .body
            .contains("Signed in as <strong>officer1</strong>")
    );
    // An officer's navigation does not offer a supervisor's pages.
    assert!(!queue.body.contains("/ports/SYS/policy"));
    assert!(queue.body.contains("action=\"/logout\""));
}

#[actix_web::test]
async fn a_wrong_password_is_named_beside_the_field_and_the_username_is_kept() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    let page = browser.sign_in_with("officer1", "not the password").await;
    assert_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.element_text("f-password-error").as_deref(),
        Some("Error: Wrong username or password")
    );
    assert!(page.body.contains("aria-describedby=\"f-password-error\""));
    assert!(page.body.contains("value=\"officer1\""));
    assert!(
        page.body.contains("href=\"#f-password\""),
        "summary links to the field"
    );
    assert!(!browser.cookies.contains_key("pq_session"));
}

#[actix_web::test]
async fn pages_behind_sign_in_send_you_to_sign_in_and_back() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    let page = browser.get("/ports/SYS/queue").await;
    assert_status(&page, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location.as_deref(),
        Some("/login?next=/ports/SYS/queue")
    );
    let form = browser.get("/login?next=/ports/SYS/queue").await;
    let csrf = form.csrf();
    let signed = browser
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", "officer1"),
                ("password", PASSWORD),
                ("next", "/ports/SYS/queue"),
            ],
        )
        .await;
    assert_eq!(signed.location.as_deref(), Some("/ports/SYS/queue"));
}

#[actix_web::test]
async fn a_form_without_the_session_token_is_refused_and_changes_nothing() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let mut fields = walk_in_fields("");
    fields.remove(0);
    let refused = browser.post("/ports/SYS/walk-ins/new", &fields).await;
    assert_status(&refused, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("This form has expired"));
    let wrong = browser
        .post(
            "/ports/SYS/walk-ins/new",
            &walk_in_fields("0123456789abcdef"),
        )
        .await;
    assert_status(&wrong, StatusCode::FORBIDDEN);
    let count: i64 = app.with_conn(|c| entries::table.count().get_result(c).unwrap());
    assert_eq!(count, 0);

    // The sign-in form has its own double-submit token.
    let mut stranger = Browser::new(&app);
    let login = stranger
        .post(
            "/login",
            &[("username", "officer1"), ("password", PASSWORD)],
        )
        .await;
    assert_status(&login, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn the_first_sign_in_of_a_new_account_must_choose_a_password() {
    let app = port_with_staff();
    app.with_conn(|conn| {
        accounts::create(
            conn,
            &accounts::system_admin(),
            &accounts::NewAccount {
                username: "admin".into(),
                role: "admin".into(),
                port: String::new(),
                password: "one time password".into(),
                must_change_password: true,
            },
            app.clock.now_utc(),
        )
        .unwrap()
    });
    let mut browser = Browser::new(&app);
    let signed = browser.sign_in_with("admin", "one time password").await;
    assert_eq!(signed.location.as_deref(), Some("/account/password"));
    let elsewhere = browser.get("/admin/ports").await;
    assert_eq!(elsewhere.location.as_deref(), Some("/account/password"));

    let form = browser.get("/account/password").await;
    assert_status(&form, StatusCode::OK);
    assert!(
        form.body
            .contains("Before you continue, choose your own password")
    );
    assert!(
        !form.body.contains("/admin/ports"),
        "no navigation before the change"
    );
    let csrf = form.csrf();
    let short = browser
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "one time password"),
                ("new", "short"),
                ("repeat", "short"),
            ],
        )
        .await;
    assert_status(&short, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .element_text("f-new-error")
            .unwrap()
            .contains("at least 12 characters")
    );

    // A second kiosk signed in with the old password.
    let mut elsewhere = Browser::new(&app);
    elsewhere.sign_in_with("admin", "one time password").await;

    let changed = browser
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "one time password"),
                ("new", "my own long passphrase"),
                ("repeat", "my own long passphrase"),
            ],
        )
        .await;
    assert_status(&changed, StatusCode::SEE_OTHER);
    let ports = browser.get("/admin/ports").await;
    assert_status(&ports, StatusCode::OK);
    assert!(ports.body.contains("SYS"));
    // The change ended every other session of the account.
    let old = elsewhere.get("/admin/ports").await;
    assert!(
        old.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login")),
        "the other kiosk is signed out: {:?}",
        old.location
    );
}

#[actix_web::test]
async fn registering_a_walk_in_shows_its_printable_ticket() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let form = browser.get("/ports/SYS/walk-ins/new").await;
    assert_status(&form, StatusCode::OK);
    assert!(form.body.contains("<option value=\"hat\""));
    assert!(form.body.contains("Kreyòl ayisyen"));
    assert!(form.body.contains("value=\"unaccompanied_child\""));

    let ticket_url = register_walk_in(&mut browser).await;
    assert!(ticket_url.starts_with("/entries/") && ticket_url.ends_with("/ticket"));
    let ticket = browser.get(&ticket_url).await;
    assert_status(&ticket, StatusCode::OK);
    assert_eq!(
        ticket.element_text("ticket-number").as_deref(),
        Some("W-0001")
    );
    assert!(
        ticket.body.contains("Wednesday 25 November 2026, 09:00"),
        "port-local time"
    );
    assert!(ticket.body.contains("3 persons"));
    assert!(ticket.body.contains("data-print"));
    assert!(
        !ticket.body.contains("Jean Pierre"),
        "no names on the ticket"
    );
}

#[actix_web::test]
async fn an_invalid_walk_in_is_shown_back_with_each_message_beside_its_field() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let csrf = browser.csrf_from("/ports/SYS/walk-ins/new").await;
    let page = browser
        .post(
            "/ports/SYS/walk-ins/new",
            &[
                ("csrf", &csrf),
                ("language", "Klingon"),
                ("party_size", "25"),
                ("tier", "urgent"),
                ("vulnerabilities", "pregnancy"),
                ("name", "Ana <b>Pérez</b>"),
                ("nationality", "Venezuela"),
            ],
        )
        .await;
    assert_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, words) in [
        ("party_size", "from 1 to 20, got \"25\""),
        ("language", "`Klingon` is not a language code"),
        ("barriers", "at least one reason the person could not book"),
        ("urgent_reason", "needs a reason"),
    ] {
        let message = page
            .element_text(&format!("f-{field}-error"))
            .unwrap_or_else(|| panic!("no message beside {field}:\n{}", page.body));
        assert!(message.contains(words), "{field}: {message}");
        assert!(
            page.body.contains(&format!("href=\"#f-{field}\"")),
            "summary links to {field}"
        );
    }
    assert!(
        page.body
            .contains("aria-invalid=\"true\" aria-describedby=\"f-barriers-error\"")
    );
    // Everything typed is kept (and escaped).
    assert!(page.body.contains("value=\"25\""));
    assert!(
        page.body
            .contains("value=\"Ana &#60;b&#62;Pérez&#60;/b&#62;\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"Venezuela\""));
    assert!(
        page.body
            .contains("value=\"urgent\" id=\"f-tier-urgent\" checked")
    );
    assert!(
        page.body
            .contains("value=\"pregnancy\" id=\"f-vulnerabilities-pregnancy\" checked")
    );
    let count: i64 = app.with_conn(|c| entries::table.count().get_result(c).unwrap());
    assert_eq!(count, 0);
}

#[actix_web::test]
async fn an_officer_of_one_port_cannot_open_another_ports_pages() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    for path in [
        "/ports/TIJ/queue",
        "/ports/TIJ/walk-ins/new",
        "/ports/TIJ/check-in?q=AB",
        "/ports/TIJ/counters/1",
    ] {
        let page = browser.get(path).await;
        assert_status(&page, StatusCode::FORBIDDEN);
        assert!(page.body.contains("does not belong to port TIJ"), "{path}");
        assert!(page.body.contains("href=\"/\""), "a way back");
    }
    let csrf = browser.csrf_from("/ports/SYS/queue").await;
    let post = browser
        .post("/ports/TIJ/walk-ins/new", &walk_in_fields(&csrf))
        .await;
    assert_status(&post, StatusCode::FORBIDDEN);
    // A supervisor's page is not an officer's.
    let policy = browser.get("/ports/SYS/policy").await;
    assert_status(&policy, StatusCode::FORBIDDEN);
    let missing = browser.get("/ports/NOPE/queue").await;
    assert_status(&missing, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_appointment_is_found_checked_in_and_cannot_be_checked_in_twice() {
    let app = port_with_staff();
    app.with_conn(|conn| {
        let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
        let rows = bookings::read_csv(APPOINTMENTS.as_bytes()).unwrap();
        let rows = bookings::check_rows(&rows, bookings::Source::Csv).unwrap();
        bookings::import(
            conn,
            &accounts::system_admin(),
            port.id,
            &rows,
            app.clock.now_utc(),
        )
        .unwrap();
    });
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let logged_before: i64 = app.with_conn(|c| access_log::table.count().get_result(c).unwrap());

    // The search is a POST form: what is typed (often a name) never goes into an address.
    let empty = browser.get("/ports/SYS/check-in").await;
    assert_status(&empty, StatusCode::OK);
    assert!(
        empty
            .body
            .contains("<form method=\"post\" action=\"/ports/SYS/check-in\""),
        "{}",
        empty.body
    );
    assert!(
        empty.body.contains("spellcheck=\"false\" autofocus>"),
        "the box has the focus"
    );
    let csrf = empty.csrf();
    // An old bookmark with `?q=` shows the empty form: no search, no names, nothing logged.
    let bookmark = browser.get("/ports/SYS/check-in?q=ab-1001").await;
    assert_status(&bookmark, StatusCode::OK);
    for shown in ["Ana Pérez", "AB-1001", "ab-1001", "found</h2>"] {
        assert!(
            !bookmark.body.contains(shown),
            "{shown}:\n{}",
            bookmark.body
        );
    }
    let by_name_bookmark = browser.get("/ports/SYS/check-in?q=Baptiste").await;
    assert_status(&by_name_bookmark, StatusCode::OK);
    assert!(!by_name_bookmark.body.contains("AB-1002"));
    assert!(!by_name_bookmark.body.contains("Baptiste"));
    let logged: i64 = app.with_conn(|c| access_log::table.count().get_result(c).unwrap());
    assert_eq!(logged, logged_before, "a GET searched nothing");
    // Without the session's form token the search is refused.
    let forged = browser
        .post("/ports/SYS/check-in", &[("q", "Baptiste")])
        .await;
    assert_status(&forged, StatusCode::FORBIDDEN);
    assert!(!forged.body.contains("AB-1002"));

    let found = browser
        .post("/ports/SYS/check-in", &[("csrf", &csrf), ("q", "ab-1001")])
        .await;
    assert_status(&found, StatusCode::OK);
    assert!(found.body.contains("Ana Pérez"));
    assert!(found.body.contains("on time"));
    assert!(found.body.contains("09:30"), "slot in port-local time");
    assert!(
        found.body.contains("value=\"ab-1001\""),
        "what was typed stays in the box"
    );
    assert!(
        found
            .body
            .contains("autofocus>Check in AB-1001 and print ticket</button>"),
        "the first booking's check-in button has the focus:\n{}",
        found.body
    );
    assert!(!found.body.contains("spellcheck=\"false\" autofocus>"));
    let by_name = browser
        .post("/ports/SYS/check-in", &[("csrf", &csrf), ("q", "Baptiste")])
        .await;
    assert_status(&by_name, StatusCode::OK);
    assert!(by_name.body.contains("AB-1002"));
    assert!(by_name.body.contains("early: may be called from 12:00"));
    assert!(by_name.body.contains("value=\"Baptiste\""));

    // A check-in that fails validation shows the results again, with the error beside its field.
    let missing_reason = browser
        .post(
            "/ports/SYS/check-in/AB-1001",
            &[("csrf", &csrf), ("q", "ab-1001"), ("tier", "urgent")],
        )
        .await;
    assert_status(&missing_reason, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing_reason
            .element_text("f-1-urgent_reason-error")
            .unwrap()
            .contains("needs a reason")
    );
    assert!(missing_reason.body.contains("Ana Pérez"));
    assert!(missing_reason.body.contains("value=\"ab-1001\""));

    let checked = browser
        .post(
            "/ports/SYS/check-in/AB-1001",
            &[("csrf", &csrf), ("q", "ab-1001"), ("tier", "standard")],
        )
        .await;
    assert_status(&checked, StatusCode::SEE_OTHER);
    let ticket = browser.get(checked.location.as_deref().unwrap()).await;
    assert_eq!(
        ticket.element_text("ticket-number").as_deref(),
        Some("A-0001")
    );

    let again = browser
        .post("/ports/SYS/check-in", &[("csrf", &csrf), ("q", "AB-1001")])
        .await;
    assert_status(&again, StatusCode::OK);
    assert!(again.body.contains("already checked in"));
    assert!(
        again.body.contains("spellcheck=\"false\" autofocus>"),
        "nothing left to check in: the box has the focus"
    );
    let twice = browser
        .post(
            "/ports/SYS/check-in/AB-1001",
            &[("csrf", &csrf), ("q", "AB-1001")],
        )
        .await;
    assert_status(&twice, StatusCode::CONFLICT);
    assert!(twice.body.contains("is already checked in as A-0001"));
    assert!(
        twice.body.contains("Check in an appointment"),
        "the check-in page, not an error page"
    );

    // Every search that shows names is logged, and the log says what kind of search it was,
    // never what was typed.
    let actions: Vec<String> = app.with_conn(|c| {
        access_log::table
            .order(access_log::id.asc())
            .select(access_log::action)
            .load(c)
            .unwrap()
    });
    let searches: Vec<&String> = actions
        .iter()
        .filter(|a| a.starts_with("search appointments"))
        .collect();
    assert!(searches.len() >= 5, "{actions:?}");
    assert_eq!(
        searches[0], "search appointments: 1 found, by confirmation number",
        "{actions:?}"
    );
    assert_eq!(searches[1], "search appointments: 1 found", "{actions:?}");
    for action in &actions {
        let lower = action.to_lowercase();
        for typed in ["baptiste", "ab-1001", "ana", "pérez"] {
            assert!(
                !lower.contains(typed),
                "{typed} in the access log: {action}"
            );
        }
    }
}

#[actix_web::test]
async fn a_counter_calls_the_next_entry_serves_it_and_says_when_nobody_is_eligible() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    register_walk_in(&mut browser).await;

    let queue = browser.get("/ports/SYS/queue").await;
    assert!(queue.body.contains("W-0001"));
    assert!(
        !queue.body.contains("Jean Pierre"),
        "no names on the queue page"
    );
    assert!(
        queue
            .body
            .contains("<noscript><meta http-equiv=\"refresh\" content=\"20\"></noscript>")
    );
    let fragment = browser.get("/ports/SYS/queue?fragment=1").await;
    assert!(fragment.body.contains("data-fragment=\"queue\"") && fragment.body.contains("W-0001"));
    assert!(!fragment.body.contains("<html"));

    let picked = browser.get("/ports/SYS/counters?n=3").await;
    assert_eq!(picked.location.as_deref(), Some("/ports/SYS/counters/3"));
    let free = browser.get("/ports/SYS/counters/3").await;
    assert_status(&free, StatusCode::OK);
    assert!(free.body.contains("Call next"));
    assert_eq!(
        browser.cookies.get("pq_counter").map(String::as_str),
        Some("3")
    );
    let csrf = free.csrf();

    let called = browser
        .post("/ports/SYS/counters/3/call-next", &[("csrf", &csrf)])
        .await;
    assert_eq!(
        called.location.as_deref(),
        Some("/ports/SYS/counters/3?note=called")
    );
    let serving = browser.get("/ports/SYS/counters/3?note=called").await;
    assert!(serving.body.contains("W-0001"));
    assert!(serving.body.contains("Jean Pierre") && serving.body.contains("Haitian Creole"));
    assert!(serving.body.contains("Technical failure of the app"));
    assert!(
        serving.body.contains("Counter 3</a>"),
        "the remembered counter is in the navigation"
    );
    let entry_id: i64 = app.with_conn(|c| entries::table.select(entries::id).first(c).unwrap());
    let viewed: i64 = app.with_conn(|c| {
        access_log::table
            .filter(access_log::entry_id.eq(entry_id))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert!(viewed >= 1, "showing personal data is logged");

    // The counter is busy: calling again is refused on the counter page itself.
    let busy = browser
        .post("/ports/SYS/counters/3/call-next", &[("csrf", &csrf)])
        .await;
    assert_status(&busy, StatusCode::CONFLICT);
    assert!(busy.body.contains("Counter 3 is still with W-0001"));
    assert!(busy.body.contains("Complete"));

    // Two recalls are allowed by the default policy; then Recall is off.
    for _ in 0..2 {
        let recalled = browser
            .post(
                &format!("/entries/{entry_id}/recall"),
                &[("csrf", &csrf), ("counter", "3")],
            )
            .await;
        assert_eq!(
            recalled.location.as_deref(),
            Some("/ports/SYS/counters/3?note=recall")
        );
    }
    let page = browser.get("/ports/SYS/counters/3").await;
    assert!(
        page.body
            .contains("disabled aria-describedby=\"recall-note\"")
    );
    let third = browser
        .post(
            &format!("/entries/{entry_id}/recall"),
            &[("csrf", &csrf), ("counter", "3")],
        )
        .await;
    assert_status(&third, StatusCode::CONFLICT);
    assert!(third.body.contains("mark it no-show"));

    let done = browser
        .post(
            &format!("/entries/{entry_id}/complete"),
            &[("csrf", &csrf), ("counter", "3")],
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/ports/SYS/counters/3?note=complete")
    );
    let status: String = app.with_conn(|c| {
        entries::table
            .find(entry_id)
            .select(entries::status)
            .first(c)
            .unwrap()
    });
    assert_eq!(status, "served");

    let nobody = browser
        .post("/ports/SYS/counters/3/call-next", &[("csrf", &csrf)])
        .await;
    assert_eq!(
        nobody.location.as_deref(),
        Some("/ports/SYS/counters/3?note=nobody")
    );
    let page = browser.get("/ports/SYS/counters/3?note=nobody").await;
    assert!(page.body.contains("Nobody is eligible to be called now"));
}

#[actix_web::test]
async fn a_policy_change_is_kept_with_who_and_when() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("super1").await;
    let form = browser.get("/ports/SYS/policy").await;
    assert_status(&form, StatusCode::OK);
    assert!(form.body.contains("name=\"walkin_share\" value=\"30\""));
    assert!(form.body.contains("has not been changed"));
    let csrf = form.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("walkin_share", "150"),
        ("priority_boost_minutes", "120"),
        ("early_window_minutes", "60"),
        ("late_window_minutes", "60"),
        ("max_recalls", "two"),
        ("minutes_per_person", "10"),
    ];
    let bad = browser.post("/ports/SYS/policy", &fields).await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.element_text("f-walkin_share-error")
            .unwrap()
            .contains("less than 100")
    );
    assert!(
        bad.element_text("f-max_recalls-error")
            .unwrap()
            .contains("\"two\"")
    );
    assert!(bad.body.contains("value=\"150\""));

    fields[1].1 = "40";
    fields[5].1 = "3";
    let saved = browser.post("/ports/SYS/policy", &fields).await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/ports/SYS/policy?saved=policy")
    );
    let page = browser.get("/ports/SYS/policy?saved=policy").await;
    assert!(page.body.contains("The policy was saved"));
    assert!(page.body.contains("walk-in share 30% → 40%"));
    assert!(page.body.contains("recalls before no-show 2 → 3"));
    assert!(page.body.contains("<td>super1</td>"));
    assert!(
        page.body.contains("2026-11-25 09:00"),
        "when, in port-local time"
    );

    let printer = browser
        .post(
            "/ports/SYS/printer",
            &[("csrf", &csrf), ("printer_addr", "nowhere")],
        )
        .await;
    assert_status(&printer, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        printer
            .element_text("f-printer_addr-error")
            .unwrap()
            .contains("host:port")
    );
    assert!(printer.body.contains("value=\"nowhere\""));
}

#[actix_web::test]
async fn an_appointment_file_with_one_bad_row_imports_nothing() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("super1").await;
    let csrf = browser.csrf_from("/ports/SYS/appointments/import").await;
    let bad = APPOINTMENTS.replace("2026-11-25T13:00:00-08:00", "tomorrow");
    let page = browser
        .post_file(
            "/ports/SYS/appointments/import",
            &[("csrf", &csrf)],
            "file",
            "day.csv",
            bad.as_bytes(),
        )
        .await;
    assert_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
    let message = page.element_text("f-file-error").unwrap();
    assert!(message.contains("Line 3, column slot_at"), "{message}");
    let count: i64 = app.with_conn(|c| appointments::table.count().get_result(c).unwrap());
    assert_eq!(count, 0);

    let no_token = browser
        .post_file(
            "/ports/SYS/appointments/import",
            &[],
            "file",
            "day.csv",
            APPOINTMENTS.as_bytes(),
        )
        .await;
    assert_status(&no_token, StatusCode::FORBIDDEN);

    let good = browser
        .post_file(
            "/ports/SYS/appointments/import",
            &[("csrf", &csrf)],
            "file",
            "day.csv",
            APPOINTMENTS.as_bytes(),
        )
        .await;
    assert_status(&good, StatusCode::OK);
    assert!(good.body.contains("2 created, 0 unchanged, 0 updated"));
    let again = browser
        .post_file(
            "/ports/SYS/appointments/import",
            &[("csrf", &csrf)],
            "file",
            "day.csv",
            APPOINTMENTS.as_bytes(),
        )
        .await;
    assert!(again.body.contains("0 created, 2 unchanged, 0 updated"));
}

#[actix_web::test]
async fn an_admin_adds_a_port_and_an_account_that_must_choose_its_password() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("root").await;
    let home = browser.get("/").await;
    assert_status(&home, StatusCode::OK);
    assert!(home.body.contains("/ports/TIJ/queue"));
    let csrf = home.csrf();

    let bad = browser
        .post(
            "/admin/ports",
            &[
                ("csrf", &csrf),
                ("code", "ELP PDN"),
                ("name", "Paso del Norte"),
                ("timezone", "Mountain"),
            ],
        )
        .await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.element_text("f-code-error").is_some());
    assert!(
        bad.element_text("f-timezone-error")
            .unwrap()
            .contains("IANA")
    );
    assert!(bad.body.contains("value=\"Paso del Norte\""));
    let added = browser
        .post(
            "/admin/ports",
            &[
                ("csrf", &csrf),
                ("code", "elp-pdn"),
                ("name", "Paso del Norte"),
                ("timezone", "America/Denver"),
            ],
        )
        .await;
    // A successful post redirects, so a reload does not send the form again.
    assert_status(&added, StatusCode::SEE_OTHER);
    let location = added.location.clone().unwrap();
    assert_eq!(location, "/admin/ports?added=ELP-PDN");
    let added = browser.get(&location).await;
    assert!(
        added
            .body
            .contains("Port ELP-PDN (Paso del Norte) was added.")
    );

    let account = browser
        .post(
            "/admin/accounts",
            &[
                ("csrf", &csrf),
                ("username", "officer2"),
                ("role", "officer"),
                ("port", "ELP-PDN"),
                ("password", "handed over in person"),
            ],
        )
        .await;
    assert_status(&account, StatusCode::SEE_OTHER);
    let account = browser.get(account.location.as_deref().unwrap()).await;
    assert!(account.body.contains("Account officer2 was added"));
    assert!(
        !account.body.contains("handed over in person"),
        "no password in a page reached by address"
    );

    let mut newcomer = Browser::new(&app);
    let first = newcomer
        .sign_in_with("officer2", "handed over in person")
        .await;
    assert_eq!(first.location.as_deref(), Some("/account/password"));

    let own = browser.get("/admin/accounts").await;
    let root_id = app.with_conn(|c| {
        portqueue::db::schema::users::table
            .filter(portqueue::db::schema::users::username.eq("root"))
            .select(portqueue::db::schema::users::id)
            .first::<i64>(c)
            .unwrap()
    });
    let refused = browser
        .post(
            &format!("/admin/accounts/{root_id}/active"),
            &[("csrf", &own.csrf()), ("active", "false")],
        )
        .await;
    assert_status(&refused, StatusCode::CONFLICT);
    assert!(
        refused
            .body
            .contains("You cannot turn off your own account")
    );
}

#[actix_web::test]
async fn health_static_files_and_unknown_pages() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    let health = browser.get("/healthz").await;
    assert_status(&health, StatusCode::OK);
    assert_eq!(health.body, "ok");

    let css = browser.get("/static/app.css").await;
    assert_status(&css, StatusCode::OK);
    assert!(css.content_type.starts_with("text/css"));
    assert!(css.header("cache-control").unwrap().contains("max-age"));
    assert!(css.body.contains("@media print"));
    let js = browser.get("/static/app.js").await;
    assert!(js.content_type.starts_with("text/javascript"));
    let svg = browser.get("/static/pictograms/wait-here.svg").await;
    assert_status(&svg, StatusCode::OK);
    assert_eq!(svg.content_type, "image/svg+xml");
    let missing = browser.get("/static/../Cargo.toml").await;
    assert_status(&missing, StatusCode::NOT_FOUND);

    let unknown = browser.get("/no/such/page").await;
    assert_status(&unknown, StatusCode::NOT_FOUND);
    assert!(unknown.content_type.starts_with("text/html"));
    assert!(unknown.body.contains("Not found"));
}

#[actix_web::test]
async fn signing_out_ends_the_session() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let token = browser.cookies.get("pq_session").cloned().unwrap();
    let csrf = browser.csrf_from("/ports/SYS/queue").await;
    let out = browser.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert!(!browser.cookies.contains_key("pq_session"));
    // The old cookie no longer opens anything.
    browser.cookies.insert("pq_session".into(), token);
    let page = browser.get("/ports/SYS/queue").await;
    assert_status(&page, StatusCode::SEE_OTHER);
}

fn entry_id(ticket_url: &str) -> i64 {
    ticket_url
        .strip_prefix("/entries/")
        .and_then(|rest| rest.strip_suffix("/ticket"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a ticket address: {ticket_url}"))
}

#[actix_web::test]
async fn a_58_mm_printer_is_set_on_the_policy_page_and_the_ticket_follows_it() {
    let app = port_with_staff();
    let stored = || {
        app.with_conn(|conn| {
            let port = portqueue::service::port_by_code(conn, "SYS").expect("port");
            (port.printer_addr, port.printer_paper_mm)
        })
    };
    assert_eq!(stored(), (None, 80), "80 mm unless set");
    let mut supervisor = Browser::new(&app);
    supervisor.sign_in("super1").await;
    let form = supervisor.get("/ports/SYS/policy").await;
    assert_status(&form, StatusCode::OK);
    assert!(
        form.body
            .contains(r#"value="80" id="f-printer_paper_mm" checked"#),
        "80 mm chosen by default:\n{}",
        form.body
    );
    assert!(
        form.body
            .contains(r#"value="58" id="f-printer_paper_mm-58">"#)
    );
    let csrf = form.csrf();

    let saved = supervisor
        .post(
            "/ports/SYS/printer",
            &[
                ("csrf", &csrf),
                ("printer_addr", "10.20.0.15:9100"),
                ("printer_paper_mm", "58"),
            ],
        )
        .await;
    assert_status(&saved, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location.as_deref(),
        Some("/ports/SYS/policy?saved=printer")
    );
    assert_eq!(stored(), (Some("10.20.0.15:9100".to_owned()), 58));
    let page = supervisor.get("/ports/SYS/policy?saved=printer").await;
    assert!(page.body.contains("The ticket printer was saved."));
    assert!(
        page.body
            .contains(r#"value="58" id="f-printer_paper_mm-58" checked"#),
        "58 mm shown as chosen:\n{}",
        page.body
    );
    assert!(!page.body.contains(r#"id="f-printer_paper_mm" checked"#));

    // A width that is no roll of ours is named beside the field and changes nothing.
    let bad = supervisor
        .post(
            "/ports/SYS/printer",
            &[
                ("csrf", &csrf),
                ("printer_addr", "10.20.0.16:9100"),
                ("printer_paper_mm", "76"),
            ],
        )
        .await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    let message = bad
        .element_text("f-printer_paper_mm-error")
        .expect("message beside the paper field");
    assert!(message.contains("80 mm or 58 mm"), "{message}");
    assert!(message.contains("\"76\""), "{message}");
    assert!(
        bad.body.contains("href=\"#f-printer_paper_mm\""),
        "summary link"
    );
    assert!(
        bad.body.contains("value=\"10.20.0.16:9100\""),
        "address kept"
    );
    assert!(bad.element_text("f-printer_addr-error").is_none());
    assert_eq!(stored(), (Some("10.20.0.15:9100".to_owned()), 58));

    // The browser ticket starts at the port's width; a kiosk's own choice still wins.
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let ticket_url = register_walk_in(&mut officer).await;
    let ticket = officer.get(&ticket_url).await;
    assert_status(&ticket, StatusCode::OK);
    assert!(ticket.body.contains(r#"data-paper="58""#));
    assert!(
        !ticket
            .set_cookies
            .iter()
            .any(|c| c.starts_with("pq_paper="))
    );
    let chosen = officer.get(&format!("{ticket_url}?paper=80")).await;
    assert!(chosen.body.contains(r#"data-paper="80""#));
    let again = officer.get(&ticket_url).await;
    assert!(
        again.body.contains(r#"data-paper="80""#),
        "remembered per kiosk"
    );

    // The printer's bytes are laid out for 58 mm: a raster 384 dots wide, not 576.
    let bytes = app.with_conn(|conn| {
        portqueue::service::tickets::ticket_doc(
            conn,
            &accounts::system_admin(),
            entry_id(&ticket_url),
            "https://queue.example.org",
            app.clock.now_utc(),
        )
        .expect("ticket")
        .escpos()
        .expect("bytes")
        .bytes
    });
    let raster = portqueue_core::tickets::decode(&bytes)
        .expect("a clean ESC/POS stream")
        .raster
        .expect("the slip is a raster");
    assert_eq!(raster.width, 384, "58 mm is 384 dots at 203 dpi");
}

#[actix_web::test]
async fn the_queue_marks_a_waiting_entry_whose_ticket_never_printed() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let first = entry_id(&register_walk_in(&mut browser).await);
    let second = entry_id(&register_walk_in(&mut browser).await);
    let badge = |id: i64| format!("unprinted-{id}");

    let queue = browser.get("/ports/SYS/queue").await;
    assert_status(&queue, StatusCode::OK);
    for id in [first, second] {
        assert_eq!(
            queue.element_text(&badge(id)).as_deref(),
            Some("ticket not printed"),
            "{}",
            queue.body
        );
        assert!(queue.body.contains(&format!(
            r#"id="unprinted-{id}" href="/entries/{id}/ticket""#
        )));
    }

    // The officer prints the first from the browser and says so.
    let csrf = browser.csrf_from(&format!("/entries/{first}/ticket")).await;
    let printed = browser
        .post(&format!("/entries/{first}/printed"), &[("csrf", &csrf)])
        .await;
    assert_status(&printed, StatusCode::SEE_OTHER);

    let queue = browser.get("/ports/SYS/queue").await;
    assert!(
        queue.element_text(&badge(first)).is_none(),
        "{}",
        queue.body
    );
    assert!(queue.element_text(&badge(second)).is_some());
    let fragment = browser.get("/ports/SYS/queue?fragment=1").await;
    assert!(fragment.element_text(&badge(first)).is_none());
    assert_eq!(fragment.body.matches("ticket not printed").count(), 1);
}

#[actix_web::test]
async fn a_long_queue_lists_the_next_200_pages_the_rest_and_finds_any_ticket() {
    let app = port_with_staff();
    let port = app.with_conn(|c| portqueue::service::port_by_code(c, "SYS").unwrap());
    let officer = portqueue::auth::Actor::from_user(&app.with_conn(|c| {
        portqueue::db::schema::users::table
            .filter(portqueue::db::schema::users::username.eq("officer1"))
            .select(portqueue::db::models::User::as_select())
            .first(c)
            .expect("the officer")
    }));
    let input = portqueue::service::walk_ins::WalkInInput {
        party_size: "1".into(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..Default::default()
    };
    for _ in 0..205 {
        app.with_conn(|c| {
            portqueue::service::walk_ins::register(
                c,
                &officer,
                port.id,
                &input,
                app.clock.now_utc(),
            )
            .expect("register")
        });
    }
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let rows = |body: &str| body.matches("<td class=\"num\">").count() / 2;

    let first = browser.get("/ports/SYS/queue").await;
    assert_status(&first, StatusCode::OK);
    assert!(
        first.body.contains("205 waiting"),
        "the count is everyone's"
    );
    assert_eq!(rows(&first.body), 200, "the next 200 are listed");
    assert!(first.body.contains("Showing 1 to 200 of 205."));
    assert!(first.body.contains("W-0200") && !first.body.contains("W-0201"));
    assert!(first.body.contains("href=\"/ports/SYS/queue?start=200\""));

    let rest = browser.get("/ports/SYS/queue?start=200").await;
    assert_eq!(rows(&rest.body), 5);
    assert!(rest.body.contains("W-0205") && !rest.body.contains("W-0199"));
    let refresh = rest
        .body
        .split("data-refresh=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(unescape)
        .unwrap_or_default();
    assert_eq!(
        refresh, "/ports/SYS/queue?fragment=1&start=200",
        "the page refreshes itself in place"
    );

    for search in ["W-0203", "w-0203", "0203"] {
        let found = browser
            .get(&format!("/ports/SYS/queue?ticket={search}"))
            .await;
        assert_eq!(rows(&found.body), 1, "{search}");
        assert!(found.body.contains("W-0203"));
        assert!(
            found.body.contains("<td class=\"num\">203</td>"),
            "its place in the queue"
        );
    }
    let none = browser.get("/ports/SYS/queue?ticket=Z-9").await;
    assert!(none.body.contains("No waiting ticket matches"));
    let odd = browser.get("/ports/SYS/queue?start=abc").await;
    assert_status(&odd, StatusCode::OK);
    assert_eq!(rows(&odd.body), 200);
}

/// A supervisor sets the counter plan by hour: a bad hour is marked beside its field with
/// what was typed kept and nothing saved; a good plan is saved whole and shown again.
#[actix_web::test]
async fn a_supervisor_sets_the_counter_plan_by_hour() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("super1").await;
    let form = browser.get("/ports/SYS/counter-plan").await;
    assert_status(&form, StatusCode::OK);
    assert!(form.body.contains("08:00 to 09:00"));
    let csrf = form.csrf();
    let mut fields = vec![("csrf", csrf.as_str()), ("hour_8", "4"), ("hour_9", "many")];
    let bad = browser.post("/ports/SYS/counter-plan", &fields).await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.element_text("f-hour_9-error")
            .unwrap()
            .contains("\"many\"")
    );
    assert!(bad.body.contains("value=\"many\""));
    assert!(
        bad.body.contains("09:00 to 10:00: Must be a whole number"),
        "named as the form labels it: {}",
        bad.body
    );
    let unsaved = browser.get("/ports/SYS/counter-plan").await;
    assert!(!unsaved.body.contains("value=\"4\""), "nothing was saved");

    // The plan the port's kept queue estimates with (read as a page would read it).
    let kept_plan = || {
        app.with_conn(|c| {
            let port = portqueue::service::port_by_code(c, "SYS").unwrap();
            portqueue::service::live::read(c, &port, app.clock.now_utc(), |_, state| Ok(state.plan))
                .unwrap()
        })
    };
    assert_eq!(kept_plan(), None, "no plan yet");
    fields[2].1 = "3";
    let saved = browser.post("/ports/SYS/counter-plan", &fields).await;
    let plan = kept_plan().expect("the kept queue read the new plan at once");
    assert_eq!((plan[8], plan[9], plan[10]), (4, 3, 0));
    assert_eq!(
        saved.location.as_deref(),
        Some("/ports/SYS/counter-plan?saved=plan")
    );
    let page = browser.get("/ports/SYS/counter-plan?saved=plan").await;
    assert!(page.body.contains("The counter plan was saved"));
    assert!(
        page.body
            .contains("name=\"hour_8\" type=\"text\" inputmode=\"numeric\" size=\"3\" value=\"4\"")
    );
    assert!(
        page.body
            .contains("name=\"hour_9\" type=\"text\" inputmode=\"numeric\" size=\"3\" value=\"3\"")
    );

    // Officers may not.
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let denied = officer.get("/ports/SYS/counter-plan").await;
    assert_status(&denied, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_walk_in_form_sent_twice_registers_once_and_both_land_on_its_ticket() {
    let app = port_with_staff();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let form = browser.get("/ports/SYS/walk-ins/new").await;
    let key = form
        .body
        .split("name=\"submission\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries a submission key")
        .to_owned();
    assert_eq!(key.len(), 32);
    let csrf = browser.csrf_from("/ports/SYS/walk-ins/new").await;
    let mut fields = walk_in_fields(&csrf);
    fields.push(("submission", &key));
    let first = browser.post("/ports/SYS/walk-ins/new", &fields).await;
    assert_status(&first, StatusCode::SEE_OTHER);
    let again = browser.post("/ports/SYS/walk-ins/new", &fields).await;
    assert_status(&again, StatusCode::SEE_OTHER);
    assert_eq!(
        again.location, first.location,
        "the same ticket, not a new one"
    );
    let queue = browser.get("/ports/SYS/queue").await;
    assert!(queue.body.contains("W-0001"));
    assert!(!queue.body.contains("W-0002"), "registered once");

    // A refused form keeps its key, and once corrected it registers.
    let form = browser.get("/ports/SYS/walk-ins/new").await;
    let key = form
        .body
        .split("name=\"submission\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let bad = vec![
        ("csrf", csrf.as_str()),
        ("language", "hat"),
        ("party_size", "3"),
        ("submission", key.as_str()),
    ];
    let refused = browser.post("/ports/SYS/walk-ins/new", &bad).await;
    assert_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(&format!("name=\"submission\" value=\"{key}\""))
    );
    let mut good = walk_in_fields(&csrf);
    good.push(("submission", &key));
    let made = browser.post("/ports/SYS/walk-ins/new", &good).await;
    assert_status(&made, StatusCode::SEE_OTHER);
    assert_ne!(made.location, first.location);
}

/// The submission key of the check-in form of `confirmation` in a page of results.
fn check_in_key(body: &str, confirmation: &str) -> String {
    body.split(&format!("action=\"/ports/SYS/check-in/{confirmation}\""))
        .nth(1)
        .and_then(|form| form.split("name=\"submission\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the check-in form carries a submission key")
        .to_owned()
}

#[actix_web::test]
async fn a_check_in_sent_twice_checks_in_once_and_both_land_on_its_ticket() {
    let app = port_with_staff();
    app.with_conn(|conn| {
        let port = portqueue::service::port_by_code(conn, "SYS").unwrap();
        let rows = bookings::read_csv(APPOINTMENTS.as_bytes()).unwrap();
        let rows = bookings::check_rows(&rows, bookings::Source::Csv).unwrap();
        bookings::import(
            conn,
            &accounts::system_admin(),
            port.id,
            &rows,
            app.clock.now_utc(),
        )
        .unwrap();
    });
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let csrf = browser.csrf_from("/ports/SYS/check-in").await;
    let found = browser
        .post("/ports/SYS/check-in", &[("csrf", &csrf), ("q", "AB-100")])
        .await;
    assert_status(&found, StatusCode::OK);
    let key = check_in_key(&found.body, "AB-1001");
    assert_eq!(key.len(), 32);
    assert_ne!(
        key,
        check_in_key(&found.body, "AB-1002"),
        "each booking's form has its own key"
    );
    assert!(
        found.body.contains("class=\"stack\" data-once>"),
        "the script lets the form go once"
    );

    // A refused form keeps its key; corrected, the same key checks in.
    let refused = browser
        .post(
            "/ports/SYS/check-in/AB-1001",
            &[
                ("csrf", &csrf),
                ("q", "AB-100"),
                ("tier", "urgent"),
                ("submission", &key),
            ],
        )
        .await;
    assert_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(check_in_key(&refused.body, "AB-1001"), key);
    let fields = [
        ("csrf", csrf.as_str()),
        ("q", "AB-100"),
        ("submission", &key),
    ];
    let first = browser.post("/ports/SYS/check-in/AB-1001", &fields).await;
    assert_status(&first, StatusCode::SEE_OTHER);
    // The Enter pressed twice: the same ticket, not "already checked in".
    let again = browser.post("/ports/SYS/check-in/AB-1001", &fields).await;
    assert_status(&again, StatusCode::SEE_OTHER);
    assert_eq!(again.location, first.location);
    let ticket = browser.get(again.location.as_deref().unwrap()).await;
    assert_eq!(
        ticket.element_text("ticket-number").as_deref(),
        Some("A-0001")
    );
    let queue = browser.get("/ports/SYS/queue").await;
    assert!(queue.body.contains("A-0001"));
    assert!(!queue.body.contains("A-0002"), "checked in once");

    // Another form (a fresh search) is still told the booking is already checked in.
    let found = browser
        .post("/ports/SYS/check-in", &[("csrf", &csrf), ("q", "AB-1002")])
        .await;
    let other_key = check_in_key(&found.body, "AB-1002");
    let late = browser
        .post(
            "/ports/SYS/check-in/AB-1001",
            &[
                ("csrf", &csrf),
                ("q", "AB-1001"),
                ("submission", &other_key),
            ],
        )
        .await;
    assert_status(&late, StatusCode::CONFLICT);
    assert!(late.body.contains("is already checked in as A-0001"));
}
