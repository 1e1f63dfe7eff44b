//! What the applicant holds and sees: the printed ticket and how it leaves the kiosk, the
//! public status page behind its QR code, and the "now serving" board with its live feed.

mod common;

use std::cell::Cell;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use diesel::prelude::*;

use common::web::{Browser, Page, unescape};
use common::{TestApp, test_app};
use portqueue::db::schema::{entries, entry_events};
use portqueue::service::{accounts, ports};
use portqueue::web::public::board_hub::BoardHub;
use portqueue_core::tickets::Catalog;

/// Personal data typed at registration that no public page or feed may ever show.
const NAME: &str = "Zyxwa Quillfeather";
const NATIONALITY: &str = "Vorlandia";
const NOTE: &str = "phone stolen near the bridge 7731";

/// A port in Tijuana's time zone with an officer.
fn port_with_officer() -> TestApp {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("officer1", "officer", Some("SYS"));
    app
}

fn assert_status(page: &Page, status: StatusCode) {
    assert_eq!(page.status, status, "body:\n{}", page.body);
}

/// Registers a walk-in with personal data, a barrier note and a vulnerability; returns the
/// entry's id.
async fn register(browser: &mut Browser<'_>, language: &str) -> i64 {
    let csrf = browser.csrf_from("/ports/SYS/walk-ins/new").await;
    let done = browser
        .post(
            "/ports/SYS/walk-ins/new",
            &[
                ("csrf", &csrf),
                ("language", language),
                ("barriers", "literacy"),
                ("barriers", "other"),
                ("barrier_note", NOTE),
                ("party_size", "2"),
                ("vulnerabilities", "serious_illness"),
                ("name", NAME),
                ("nationality", NATIONALITY),
            ],
        )
        .await;
    assert_status(&done, StatusCode::SEE_OTHER);
    let location = done.location.expect("redirect to the ticket");
    location
        .strip_prefix("/entries/")
        .and_then(|rest| rest.strip_suffix("/ticket"))
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a ticket address: {location}"))
}

fn token_of(app: &TestApp, id: i64) -> String {
    app.with_conn(|conn| {
        entries::table
            .find(id)
            .select(entries::status_token)
            .first(conn)
            .expect("entry")
    })
}

fn status_of(app: &TestApp, id: i64) -> String {
    app.with_conn(|conn| {
        entries::table
            .find(id)
            .select(entries::status)
            .first(conn)
            .expect("entry")
    })
}

/// The notes of the entry's `ticket_printed` events.
fn prints_of(app: &TestApp, id: i64) -> Vec<String> {
    app.with_conn(|conn| {
        entry_events::table
            .filter(entry_events::entry_id.eq(id))
            .filter(entry_events::kind.eq("ticket_printed"))
            .select(entry_events::detail)
            .load(conn)
            .expect("events")
    })
}

/// Points the port at a fake printer on a loopback port of the test's choosing. Written
/// straight to the database: the supervisor's form only takes raw printing ports (9100-9109),
/// which parallel tests cannot each listen on.
fn set_printer(app: &TestApp, addr: &str) {
    use diesel::prelude::*;
    use portqueue::db::schema::ports as port_rows;
    app.with_conn(|conn| {
        diesel::update(port_rows::table.filter(port_rows::code.eq("SYS")))
            .set(port_rows::printer_addr.eq(addr))
            .execute(conn)
            .expect("printer set")
    });
}

#[test]
fn the_printer_setting_takes_only_raw_printing_ports() {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.with_conn(|conn| {
        let port = portqueue::service::port_by_code(conn, "SYS").expect("port");
        let admin = accounts::system_admin();
        for refused in ["10.0.0.5:5432", "169.254.169.254:80", "printer.local:22"] {
            let err = ports::set_printer(conn, &admin, port.id, refused, "80").unwrap_err();
            assert!(
                err.fields()
                    .and_then(|f| f.get("printer_addr"))
                    .is_some_and(|m| m.contains("9100")),
                "{refused}: {err:?}"
            );
        }
        ports::set_printer(conn, &admin, port.id, "10.0.0.5:9100", "80").expect("a printer port");
    });
}

async fn call_next(browser: &mut Browser<'_>, counter: u32) {
    let path = format!("/ports/SYS/counters/{counter}");
    let csrf = browser.csrf_from(&path).await;
    let called = browser
        .post(&format!("{path}/call-next"), &[("csrf", &csrf)])
        .await;
    assert_eq!(
        called.location.as_deref(),
        Some(format!("{path}?note=called").as_str()),
        "{}",
        called.body
    );
}

/// Fails with the offending text if any personal datum appears in `text`.
fn assert_no_personal_data(text: &str, what: &str) {
    let lower = text.to_lowercase();
    for secret in [
        NAME,
        "Zyxwa",
        "Quillfeather",
        NATIONALITY,
        NOTE,
        "7731",
        "serious_illness",
        "serious illness",
        "literacy",
        "cannot read",
        "another serious obstacle",
        "priority",
        "barrier",
        "vulnerab",
    ] {
        assert!(
            !lower.contains(&secret.to_lowercase()),
            "{what} shows `{secret}`:\n{text}"
        );
    }
}

/// The first server-sent event of a feed, and the one after it that carries data, read
/// straight from the response body (the feed never ends by itself).
struct Feed<B> {
    body: std::pin::Pin<Box<B>>,
    buffer: String,
}

impl<B: MessageBody> Feed<B> {
    /// The next event with a `data:` line (heartbeat comments are skipped): its data.
    async fn next_data(&mut self) -> String {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return data.to_owned();
                }
                continue;
            }
            let chunk = futures_util::future::poll_fn(|cx| self.body.as_mut().poll_next(cx))
                .await
                .expect("the feed stays open")
                .unwrap_or_else(|_| panic!("the feed failed"));
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Status page and board: no personal data

#[actix_web::test]
async fn status_page_board_and_feeds_never_show_personal_data() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "spa").await;
    let token = token_of(&app, id);

    // A phone that never signed in: no cookies at all.
    let mut phone = Browser::new(&app);
    let status = phone.get(&format!("/t/{token}")).await;
    assert_status(&status, StatusCode::OK);
    assert!(status.body.contains("W-0001"));
    assert!(status.body.contains("En espera"));
    assert!(status.body.contains("Waiting"));
    assert_no_personal_data(&status.body, "the status page");
    assert!(status.set_cookies.is_empty(), "no session is started");
    assert_eq!(status.header("cache-control"), Some("no-store"));
    assert_eq!(status.header("referrer-policy"), Some("no-referrer"));
    assert!(
        status
            .header("x-robots-tag")
            .unwrap_or("")
            .contains("noindex")
    );
    assert!(status.body.contains("<meta name=\"viewport\""));
    assert_eq!(status.header("refresh"), Some("30"), "updates itself");
    assert!(
        status.body.contains("refresh=off"),
        "and the reader can stop it"
    );
    // The pause link speaks the page's languages, not Spanish and English only.
    let arabic = phone.get(&format!("/t/{token}?lang=arb")).await;
    assert!(
        arabic.body.contains("أوقف التحديث التلقائي"),
        "{}",
        arabic.body
    );
    assert!(arabic.body.contains("Dejar de actualizar"));
    assert!(arabic.body.contains("Stop updating"));
    let paused = phone.get(&format!("/t/{token}?refresh=off")).await;
    assert_status(&paused, StatusCode::OK);
    assert_eq!(paused.header("refresh"), None);
    assert!(
        unescape(&paused.body).contains("href=\"?lang=spa&refresh=off\""),
        "the language switch keeps updates stopped"
    );
    // Works without JavaScript: the one script is the Listen button's, which stays hidden
    // (not an inert button) until that script shows it.
    assert_eq!(status.body.matches("<script").count(), 1);
    assert!(status.body.contains("<script src=\"/static/listen.js?v="));
    assert!(
        status
            .body
            .contains("<div id=\"listen\" class=\"listen\" hidden")
    );
    assert!(!status.body.contains(&format!("/entries/{id}")));

    call_next(&mut officer, 3).await;
    let called = phone.get(&format!("/t/{token}")).await;
    assert!(
        called.body.contains("vaya a la ventanilla 3"),
        "{}",
        called.body
    );
    assert!(called.body.contains("go to counter 3"));
    assert_no_personal_data(&called.body, "the status page once called");

    let board = phone.get("/board/SYS").await;
    assert_status(&board, StatusCode::OK);
    assert!(board.body.contains("W-0001"));
    // The column has its own heading, not "your ticket" over everyone's numbers.
    assert!(
        board
            .body
            .contains("Número <span lang=\"en\">· Number</span>")
    );
    assert!(!board.body.contains("Su turno"));
    assert_no_personal_data(&board.body, "the board");
    assert_eq!(board.header("cache-control"), Some("no-store"));

    let json = phone.get("/board/SYS.json").await;
    assert_status(&json, StatusCode::OK);
    assert!(json.content_type.starts_with("application/json"));
    assert_no_personal_data(&json.body, "the board's JSON");

    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;
    let response = test::call_service(
        &service,
        TestRequest::get().uri("/board/SYS/events").to_request(),
    )
    .await;
    let mut feed = Feed {
        body: Box::pin(response.into_body()),
        buffer: String::new(),
    };
    let first = feed.next_data().await;
    assert!(first.contains("W-0001"));
    assert_no_personal_data(&first, "the board's live feed");
}

// ---------------------------------------------------------------------------------------
// Status page: languages

#[actix_web::test]
async fn status_page_in_haitian_creole_also_speaks_spanish_and_english_and_switches() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "hat").await;
    let token = token_of(&app, id);
    let mut phone = Browser::new(&app);

    let page = phone.get(&format!("/t/{token}")).await;
    assert!(page.body.contains("<html lang=\"ht\" dir=\"ltr\">"));
    for text in [
        "Ap tann",
        "Tikè ou",
        "En espera",
        "Waiting",
        "People before you",
    ] {
        assert!(page.body.contains(text), "`{text}` missing:\n{}", page.body);
    }
    assert!(page.body.contains("lang=\"es\""));
    assert!(page.body.contains("lang=\"en\""));
    // The switch lists every catalog language by its own name.
    for (code, native) in [
        ("spa", "Español"),
        ("arb", "العربية"),
        ("cmn", "中文（普通话）"),
    ] {
        assert!(
            page.body.contains(&format!("href=\"?lang={code}\"")) && page.body.contains(native),
            "no switch to {code}"
        );
    }

    let arabic = phone.get(&format!("/t/{token}?lang=arb")).await;
    assert!(arabic.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
    let waiting = Catalog::shared()
        .message("arb", "status-waiting", &[])
        .expect("Arabic text");
    assert!(arabic.body.contains(&waiting));
    let nonsense = phone.get(&format!("/t/{token}?lang=klingon")).await;
    assert!(
        nonsense.body.contains("<html lang=\"ht\""),
        "free text is never a language"
    );
}

#[actix_web::test]
async fn status_page_of_an_arabic_ticket_is_right_to_left() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "arb").await;
    let page = Browser::new(&app)
        .get(&format!("/t/{}", token_of(&app, id)))
        .await;
    assert_status(&page, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(page.body.contains("lang=\"es\" dir=\"ltr\""));
}

#[actix_web::test]
async fn status_page_of_a_mayan_language_ticket_is_spanish_and_english_with_an_interpreter() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "quc").await;
    let page = Browser::new(&app)
        .get(&format!("/t/{}", token_of(&app, id)))
        .await;
    assert!(page.body.contains("<html lang=\"es\" dir=\"ltr\">"));
    assert!(page.body.contains("Pida a un oficial un intérprete."));
    assert!(
        page.body
            .contains("Please ask an officer for an interpreter.")
    );
}

#[actix_web::test]
async fn an_unknown_ticket_address_is_a_plain_404_in_spanish_and_english() {
    let app = port_with_officer();
    let mut phone = Browser::new(&app);
    for path in [
        format!("/t/{}", "ab".repeat(32)),
        "/t/1".to_owned(),
        "/board/NOPE".to_owned(),
    ] {
        let page = phone.get(&path).await;
        assert_status(&page, StatusCode::NOT_FOUND);
        assert!(page.body.contains("<html lang=\"es\" dir=\"ltr\">"));
        assert!(page.body.contains("No hay nada en esta dirección."));
        assert!(page.body.contains("There is nothing at this address."));
        // The pictogram to ask an officer, described in the page's language.
        assert!(page.body.contains("/static/pictograms/ask-officer.svg"));
        assert!(
            unescape(&page.body).contains("alt=\"¿Tiene preguntas? Pregunte a un oficial.\""),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("Sign in"),
            "no kiosk navigation on public pages"
        );
    }
}

#[actix_web::test]
async fn an_error_on_a_ticket_address_speaks_the_ticket_language_it_can_guess() {
    let app = port_with_officer();
    let mut phone = Browser::new(&app);
    let unknown = format!("/t/{}", "ab".repeat(32));
    // Switched to Arabic: right to left, Arabic first, then Spanish and English.
    let page = phone.get(&format!("{unknown}?lang=arb")).await;
    assert_status(&page, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
    let arabic = page.body.find("لا يوجد شيء").expect("Arabic text");
    let spanish = page.body.find("No hay nada").expect("Spanish text");
    assert!(arabic < spanish, "the ticket's language first");
    assert!(page.body.contains("alt=\"هل لديك سؤال؟"));
    // The phone's own language when nothing was chosen.
    let page = phone
        .send(
            TestRequest::get()
                .uri(&unknown)
                .insert_header(("Accept-Language", "zh-CN,zh;q=0.9")),
        )
        .await;
    assert!(
        page.body.contains("<html lang=\"zh-Hans\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("此地址没有内容"));
    // Free text is never a language: Spanish and English.
    let page = phone.get(&format!("{unknown}?lang=klingon")).await;
    assert!(page.body.contains("<html lang=\"es\""));
}

// ---------------------------------------------------------------------------------------
// The ticket page

#[actix_web::test]
async fn the_ticket_has_the_qr_code_to_the_status_page_and_pictograms_with_alt_text() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "hat").await;
    let token = token_of(&app, id);
    let page = officer.get(&format!("/entries/{id}/ticket")).await;
    assert_status(&page, StatusCode::OK);

    let qr_start = page
        .body
        .find("<svg role=\"img\"")
        .expect("an inline QR code");
    let qr = &page.body[qr_start..];
    let qr = &qr[..qr.find("</svg>").expect("end of the QR code")];
    assert!(
        qr.contains(&format!("/t/{token}\"")),
        "the QR code leads to the status page"
    );
    assert!(!qr.contains("/entries/"), "never the database id");

    for (file, alt) in [
        ("wait-here.svg", "Wait here"),
        ("watch-board.svg", "Watch the board for your number"),
        ("go-to-counter.svg", "Go to the counter shown"),
        ("keep-ticket.svg", "Keep this ticket"),
        ("ask-officer.svg", "Ask an officer"),
    ] {
        let img = format!("src=\"/static/pictograms/{file}?v=");
        let at = page
            .body
            .find(&img)
            .unwrap_or_else(|| panic!("{file} missing"));
        let tag = &page.body[at..at + page.body[at..].find('>').expect("end of img")];
        assert!(tag.contains(&format!("alt=\"{alt}\"")), "{tag}");
        let served = officer.get(&format!("/static/pictograms/{file}")).await;
        assert_status(&served, StatusCode::OK);
    }
    // The applicant's language first, then Spanish and English, each marked.
    let creole = page
        .body
        .find("lang=\"ht\" dir=\"ltr\">Tann isit la")
        .expect("Creole");
    let spanish = page
        .body
        .find("lang=\"es\" dir=\"ltr\">Espere aquí")
        .expect("Spanish");
    let english = page
        .body
        .find("lang=\"en\" dir=\"ltr\">Wait here")
        .expect("English");
    assert!(creole < spanish && spanish < english);
    assert_eq!(
        page.element_text("ticket-number").as_deref(),
        Some("W-0001")
    );
    assert!(page.body.contains("Not printed yet"));
    assert!(!page.body.contains(NAME) && !page.body.contains(NOTE));

    // 58 mm paper, remembered on this kiosk.
    let narrow = officer.get(&format!("/entries/{id}/ticket?paper=58")).await;
    assert!(narrow.body.contains("class=\"tk tk-58\""));
    assert!(
        narrow
            .set_cookies
            .iter()
            .any(|c| c.starts_with("pq_paper=58"))
    );
    let again = officer.get(&format!("/entries/{id}/ticket")).await;
    assert!(again.body.contains("class=\"tk tk-58\""));
    let css = officer.get("/static/ticket.css").await;
    assert!(css.body.contains("size: 80mm") && css.body.contains("margin: 0"));
}

#[actix_web::test]
async fn a_mayan_language_ticket_asks_for_an_interpreter() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "quc").await;
    let page = officer.get(&format!("/entries/{id}/ticket")).await;
    assert_eq!(
        page.element_text("needs-interpreter").map(|t| unescape(&t)),
        Some(
            "Needs an interpreter: K'iche'. We have no text in this language: the ticket shows \
             pictograms, Spanish and English, and asks for an interpreter."
                .to_owned()
        )
    );
    let request = page
        .element_text("interpreter-request")
        .expect("on the ticket");
    assert!(request.contains("Pida a un oficial un intérprete."));
    assert!(request.contains("Please ask an officer for an interpreter."));
    assert!(page.body.contains("src=\"/static/pictograms/wait-here.svg"));
}

#[actix_web::test]
async fn an_arabic_ticket_is_right_to_left_and_its_slip_preview_is_the_printed_raster() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "arb").await;
    let page = officer.get(&format!("/entries/{id}/ticket")).await;
    assert!(page.body.contains("lang=\"ar\" dir=\"rtl\""));
    // The printer draws every script now: no "hand over the browser ticket too" notice.
    assert!(page.element_text("omitted-languages").is_none());
    // The Arabic catalog is a draft: the officer is told to check with an interpreter.
    let draft = page
        .element_text("draft-translation")
        .expect("a draft notice");
    assert!(
        draft.starts_with("Draft translation: check with an interpreter."),
        "{draft}"
    );
    assert!(draft.contains("Arabic"), "{draft}");
    assert!(
        page.body
            .contains(&format!("/entries/{id}/ticket.png?paper=80"))
    );

    let mut previews = Vec::new();
    for paper in ["80", "58"] {
        let png = officer
            .get(&format!("/entries/{id}/ticket.png?paper={paper}"))
            .await;
        assert_eq!(png.status, StatusCode::OK);
        assert_eq!(png.content_type, "image/png");
        assert!(png.body.contains("IHDR"), "a PNG");
        previews.push(png.body);
    }
    // The page body is read as (lossy) text: the 80 mm width, 576 = 0x0240, survives that.
    let bytes = previews[0].as_bytes();
    let at = bytes.windows(4).position(|w| w == b"IHDR").expect("IHDR") + 4;
    let width = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(width, 576, "80 mm is 576 dots");
    assert_ne!(previews[0], previews[1], "58 mm is another picture");
    // Nobody signed out sees it.
    let mut stranger = Browser::new(&app);
    let page = stranger.get(&format!("/entries/{id}/ticket.png")).await;
    assert_ne!(page.status, StatusCode::OK);
    assert!(!page.content_type.starts_with("image/"));
}

// ---------------------------------------------------------------------------------------
// Printing: no ghost tickets

/// A printer on loopback that takes one job and hands its bytes back.
fn fake_printer() -> (String, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        while let Ok((mut stream, _)) = listener.accept() {
            let mut job = Vec::new();
            if stream.read_to_end(&mut job).is_ok() && tx.send(job).is_err() {
                break;
            }
        }
    });
    (addr, rx)
}

#[actix_web::test]
async fn a_ticket_sent_to_the_network_printer_is_recorded_and_reprints_are_counted() {
    let app = port_with_officer();
    let (addr, jobs) = fake_printer();
    set_printer(&app, &addr);
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "hat").await;

    let page = officer.get(&format!("/entries/{id}/ticket")).await;
    assert!(page.body.contains("Print on the ticket printer"));
    let csrf = page.csrf();
    let printed = officer
        .post(&format!("/entries/{id}/print"), &[("csrf", &csrf)])
        .await;
    assert_status(&printed, StatusCode::SEE_OTHER);
    assert_eq!(
        printed.location.as_deref(),
        Some(format!("/entries/{id}/ticket?note=printed").as_str())
    );
    let job = jobs
        .recv_timeout(Duration::from_secs(10))
        .expect("the printer got the job");
    let drawn = portqueue_core::tickets::decode(&job)
        .expect("a clean ESC/POS stream")
        .raster
        .expect("the slip is drawn");
    assert_eq!(drawn.width, 576, "the port's 80 mm roll");
    assert!(job.ends_with(&[0x1D, b'V', 66, 0]), "and the paper is cut");
    assert_eq!(prints_of(&app, id).len(), 1);

    let page = officer
        .get(&format!("/entries/{id}/ticket?note=printed"))
        .await;
    assert_eq!(
        page.element_text("print-count").as_deref(),
        Some("Printed once.")
    );
    assert!(
        page.body
            .contains(&format!("Printed on the ticket printer at {addr}"))
    );
    assert!(page.body.contains("Reprint on the ticket printer"));

    officer
        .post(&format!("/entries/{id}/print"), &[("csrf", &csrf)])
        .await;
    jobs.recv_timeout(Duration::from_secs(10))
        .expect("the reprint");
    let notes = prints_of(&app, id);
    assert_eq!(notes.len(), 2);
    assert!(notes[1].contains("reprint"), "{notes:?}");
    let page = officer.get(&format!("/entries/{id}/ticket")).await;
    assert_eq!(
        page.element_text("print-count").as_deref(),
        Some("Printed 2 times.")
    );
}

#[actix_web::test]
async fn a_refusing_printer_shows_why_and_the_three_choices_and_records_nothing() {
    let app = port_with_officer();
    // A port nobody listens on: bound, then closed.
    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .to_string();
    set_printer(&app, &closed);
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "spa").await;
    let csrf = officer.csrf_from(&format!("/entries/{id}/ticket")).await;

    let failed = officer
        .post(&format!("/entries/{id}/print"), &[("csrf", &csrf)])
        .await;
    assert_status(&failed, StatusCode::BAD_GATEWAY);
    let message = failed.element_text("print-failure").expect("the failure");
    assert!(
        message.contains(&format!("the printer at {closed} refused the connection")),
        "{message}"
    );
    assert!(failed.body.contains("Try the printer again"));
    assert!(
        failed
            .body
            .contains(&format!("action=\"/entries/{id}/print\""))
    );
    assert!(
        failed
            .body
            .contains(&format!("action=\"/entries/{id}/printed\""))
    );
    assert!(
        failed
            .body
            .contains(&format!("action=\"/entries/{id}/cancel\""))
    );
    assert!(
        prints_of(&app, id).is_empty(),
        "a failed print is not recorded"
    );
    assert_eq!(status_of(&app, id), "waiting");
}

/// A printer whose listen queue is full: the connection is never answered, as when a
/// printer hangs.
async fn hanging_printer() -> (actix_web::rt::net::TcpListener, SocketAddr, Vec<TcpStream>) {
    let socket = actix_web::rt::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind");
    let listener = socket.listen(0).expect("listen");
    let addr = listener.local_addr().expect("address");
    // Fill the queue (nobody accepts): once a connection is no longer answered, it is full.
    let mut queued = Vec::new();
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => queued.push(stream),
            Err(_) => break,
        }
    }
    (listener, addr, queued)
}

#[actix_web::test]
async fn a_hanging_printer_fails_within_the_deadline_and_blocks_no_other_request() {
    let app = port_with_officer();
    let (_printer, addr, _queued) = hanging_printer().await;
    set_printer(&app, &addr.to_string());
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "spa").await;
    let csrf = officer.csrf_from(&format!("/entries/{id}/ticket")).await;
    let form_csrf = officer.csrf_from("/ports/SYS/walk-ins/new").await;

    // A second officer at another kiosk of the same session, registering meanwhile.
    let mut colleague = Browser::new(&app);
    colleague.cookies = officer.cookies.clone();
    let print_done = Cell::new(false);
    let printing = async {
        let page = officer
            .post(&format!("/entries/{id}/print"), &[("csrf", &csrf)])
            .await;
        print_done.set(true);
        page
    };
    let registering = async {
        // Let the print reach the printer first.
        actix_web::rt::task::yield_now().await;
        let page = colleague
            .post(
                "/ports/SYS/walk-ins/new",
                &[
                    ("csrf", &form_csrf),
                    ("language", "hat"),
                    ("barriers", "language"),
                    ("party_size", "1"),
                ],
            )
            .await;
        (page, print_done.get())
    };
    let (failed, (registered, print_was_done)) =
        futures_util::future::join(printing, registering).await;

    assert_status(&registered, StatusCode::SEE_OTHER);
    assert!(
        !print_was_done,
        "the walk-in was registered only after the printer gave up"
    );
    assert_status(&failed, StatusCode::BAD_GATEWAY);
    let message = failed.element_text("print-failure").expect("the failure");
    assert!(
        message.contains(&format!(
            "the printer at {addr} did not answer within 3 seconds"
        )),
        "{message}"
    );
    assert!(prints_of(&app, id).is_empty());
}

#[actix_web::test]
async fn cancelling_a_ticket_that_would_not_print_withdraws_the_entry() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "spa").await;
    let csrf = officer.csrf_from(&format!("/entries/{id}/ticket")).await;
    let cancelled = officer
        .post(&format!("/entries/{id}/cancel"), &[("csrf", &csrf)])
        .await;
    assert_status(&cancelled, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id), "withdrawn");
    let note: String = app.with_conn(|conn| {
        entry_events::table
            .filter(entry_events::entry_id.eq(id))
            .filter(entry_events::kind.eq("withdrawn"))
            .select(entry_events::detail)
            .first(conn)
            .expect("the withdrawal")
    });
    assert!(note.contains("ticket could not be printed"), "{note}");
    let page = officer.get(cancelled.location.as_deref().unwrap()).await;
    assert!(page.body.contains("was cancelled"));
    assert!(
        !page
            .body
            .contains(&format!("action=\"/entries/{id}/printed\"")),
        "a withdrawn ticket is not printed"
    );
    let refused = officer
        .post(&format!("/entries/{id}/printed"), &[("csrf", &csrf)])
        .await;
    assert_status(&refused, StatusCode::CONFLICT);
    assert!(prints_of(&app, id).is_empty());
}

#[actix_web::test]
async fn a_ticket_printed_from_the_browser_is_recorded_once_the_officer_says_so() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let id = register(&mut officer, "spa").await;
    let page = officer.get(&format!("/entries/{id}/ticket")).await;
    assert!(
        !page.body.contains("Print on the ticket printer"),
        "no network printer at this port"
    );
    assert!(page.body.contains("data-print-first"));
    assert!(
        unescape(&page.body).contains("Printed with the browser's Print menu (Ctrl+P)"),
        "without JavaScript: print with the menu, then mark it"
    );
    let marked = officer
        .post(&format!("/entries/{id}/printed"), &[("csrf", &page.csrf())])
        .await;
    assert_status(&marked, StatusCode::SEE_OTHER);
    let notes = prints_of(&app, id);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("kiosk browser"), "{notes:?}");
    let without_token = officer.post(&format!("/entries/{id}/printed"), &[]).await;
    assert_status(&without_token, StatusCode::FORBIDDEN);
    assert_eq!(prints_of(&app, id).len(), 1);
}

// ---------------------------------------------------------------------------------------
// The board

#[actix_web::test]
async fn the_board_feed_is_an_event_stream_that_starts_with_the_called_ticket_and_follows_calls() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    register(&mut officer, "spa").await;
    register(&mut officer, "hat").await;
    call_next(&mut officer, 4).await;

    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;
    let response = test::call_service(
        &service,
        TestRequest::get().uri("/board/SYS/events").to_request(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let mut feed = Feed {
        body: Box::pin(response.into_body()),
        buffer: String::new(),
    };
    let first: serde_json::Value = serde_json::from_str(&feed.next_data().await).expect("JSON");
    assert_eq!(first["called"][0]["ticket"], "W-0001");
    assert_eq!(first["called"][0]["counter"], 4);
    assert_eq!(first["next"][0], "W-0002");

    app.clock.advance(chrono::Duration::minutes(2));
    call_next(&mut officer, 7).await;
    let next: serde_json::Value = serde_json::from_str(&feed.next_data().await).expect("JSON");
    assert_eq!(
        next["called"][0]["ticket"], "W-0002",
        "the latest call first"
    );
    assert_eq!(next["called"][0]["counter"], 7);
    assert_eq!(next["next"].as_array().map(Vec::len), Some(0));
}

#[actix_web::test]
async fn the_board_and_its_json_show_a_call() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    register(&mut officer, "spa").await;
    let mut screen = Browser::new(&app);

    let before: serde_json::Value =
        serde_json::from_str(&screen.get("/board/SYS.json").await.body).expect("JSON");
    assert_eq!(before["called"].as_array().map(Vec::len), Some(0));
    assert_eq!(before["next"][0], "W-0001");

    call_next(&mut officer, 3).await;
    let after: serde_json::Value =
        serde_json::from_str(&screen.get("/board/SYS.json").await.body).expect("JSON");
    assert_eq!(after["called"][0]["ticket"], "W-0001");
    assert_eq!(after["called"][0]["counter"], 3);
    assert!(after["revision"].as_i64() > before["revision"].as_i64());

    let board = screen.get("/board/SYS?speak=spa,hat,eng,klingon").await;
    assert_status(&board, StatusCode::OK);
    assert!(board.body.contains(
        "<tr class=\"newest\"><td class=\"ticket\">W-0001</td><td class=\"counter\">3</td></tr>"
    ));
    assert!(
        board
            .body
            .contains("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>")
    );
    assert!(board.body.contains("/static/board.js"));
    // The spoken sentence per chosen language, for the script to fill in.
    let config = unescape(
        board
            .body
            .split("data-config=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("board config"),
    );
    let config: serde_json::Value = serde_json::from_str(&config).expect("config JSON");
    let spoken: Vec<&str> = config["announce"]
        .as_array()
        .expect("announcements")
        .iter()
        .map(|a| a["tag"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(spoken, ["es", "ht", "en"], "unknown languages are left out");
    assert_eq!(
        config["announce"][2]["text"],
        "Ticket {ticket}, counter {counter}"
    );
    let script = screen.get("/static/board.js").await;
    assert!(script.body.contains("EventSource") && script.body.contains("speechSynthesis"));
}

#[actix_web::test]
async fn with_the_port_setting_on_the_board_feed_carries_the_called_ticket_language_only() {
    let app = port_with_officer();
    app.add_user("super1", "supervisor", Some("SYS"));
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    register(&mut officer, "arb").await;
    register(&mut officer, "quc").await;
    call_next(&mut officer, 3).await;
    let mut screen = Browser::new(&app);
    let board = |body: &str| -> serde_json::Value { serde_json::from_str(body).expect("JSON") };

    // Off by default: the feed says nothing about languages.
    let off = screen.get("/board/SYS.json").await.body;
    assert!(!off.contains("language"), "{off}");
    let page = screen.get("/board/SYS").await;
    assert!(unescape(&page.body).contains("\"by_language\":[]"));

    let mut supervisor = Browser::new(&app);
    supervisor.sign_in("super1").await;
    let csrf = supervisor.csrf_from("/ports/SYS/policy").await;
    // A checkbox is "on" or absent: anything else is refused and nothing changes.
    let refused = supervisor
        .post(
            "/ports/SYS/announce",
            &[("csrf", &csrf), ("announce_ticket_language", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !screen
            .get("/board/SYS.json")
            .await
            .body
            .contains("language")
    );
    let saved = supervisor
        .post(
            "/ports/SYS/announce",
            &[("csrf", &csrf), ("announce_ticket_language", "on")],
        )
        .await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/ports/SYS/policy?saved=announce")
    );
    let policy = supervisor.get("/ports/SYS/policy").await;
    assert!(
        policy.body.contains(
            "name=\"announce_ticket_language\" id=\"f-announce_ticket_language\" checked"
        )
    );

    let on = board(&screen.get("/board/SYS.json").await.body);
    assert_eq!(on["called"][0]["ticket"], "W-0001");
    assert_eq!(on["called"][0]["language"], "ar", "the tag only: {on}");
    // The board page carries the sentence in every language we have text for.
    let page = unescape(&screen.get("/board/SYS").await.body);
    assert!(page.contains("\"tag\":\"ar\""), "{page}");
    assert!(page.contains("\"by_language\":[{"));
    // The language is not shown on screen.
    assert!(!page.contains(">ar<") && !page.contains("Arabic") && !page.contains("العربية"));

    // A language without our text (K'iche') has no tag: the board's languages say it.
    call_next(&mut officer, 4).await;
    let both = board(&screen.get("/board/SYS.json").await.body);
    let quc = both["called"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["ticket"] == "W-0002")
        .expect("W-0002 called");
    assert!(quc.get("language").is_none(), "{quc}");
    assert_no_personal_data(&both.to_string(), "the board's JSON");

    // Off again: the tags are gone.
    let csrf = supervisor.csrf_from("/ports/SYS/policy").await;
    supervisor
        .post("/ports/SYS/announce", &[("csrf", &csrf)])
        .await;
    assert!(
        !screen
            .get("/board/SYS.json")
            .await
            .body
            .contains("language")
    );
}

#[actix_web::test]
async fn fifty_screens_of_one_port_share_one_board_computation_per_change() {
    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    register(&mut officer, "spa").await;
    register(&mut officer, "hat").await;
    let hub = app.state.board_hub.clone();
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;

    let mut feeds = Vec::new();
    for _ in 0..50 {
        let response = test::call_service(
            &service,
            TestRequest::get().uri("/board/SYS/events").to_request(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        feeds.push(Feed {
            body: Box::pin(response.into_body()),
            buffer: String::new(),
        });
    }
    assert_eq!(hub.open_feeds(), 50);
    let firsts = futures_util::future::join_all(feeds.iter_mut().map(Feed::next_data)).await;
    for first in &firsts {
        let first: serde_json::Value = serde_json::from_str(first).expect("JSON");
        assert_eq!(first["next"][0], "W-0001");
        assert_eq!(first["called"].as_array().map(Vec::len), Some(0));
    }
    let opened = hub.computations();
    assert!(
        (1..=2).contains(&opened),
        "50 screens opening cost {opened} board computations"
    );

    for (round, (counter, ticket)) in [(4, "W-0001"), (7, "W-0002")].into_iter().enumerate() {
        let before = hub.computations();
        app.clock.advance(chrono::Duration::minutes(2));
        call_next(&mut officer, counter).await;
        let updates = futures_util::future::join_all(feeds.iter_mut().map(Feed::next_data)).await;
        for update in &updates {
            let update: serde_json::Value = serde_json::from_str(update).expect("JSON");
            assert_eq!(update["called"][0]["ticket"], ticket, "round {round}");
            assert_eq!(update["called"][0]["counter"], counter);
        }
        let cost = hub.computations() - before;
        assert!(
            (1..=2).contains(&cost),
            "round {round}: one change seen by 50 screens cost {cost} board computations"
        );
    }

    // The JSON and the page read the same cache: the board is not computed again.
    let computed = hub.computations();
    let mut screen = Browser::new(&app);
    let json: serde_json::Value =
        serde_json::from_str(&screen.get("/board/SYS.json").await.body).expect("JSON");
    assert_eq!(json["called"][0]["ticket"], "W-0002");
    let page = screen.get("/board/SYS").await;
    assert_status(&page, StatusCode::OK);
    assert!(page.body.contains("W-0002"));
    assert_eq!(hub.computations(), computed, "served from the shared board");

    drop(feeds);
    assert_eq!(hub.open_feeds(), 0, "a closed feed frees its place");
}

#[actix_web::test]
async fn past_the_feed_limit_the_board_feed_answers_503_and_the_json_still_works() {
    let mut app = port_with_officer();
    app.state.board_hub = std::sync::Arc::new(BoardHub::new(2));
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    register(&mut officer, "spa").await;
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;
    let open = || TestRequest::get().uri("/board/SYS/events").to_request();

    let first = test::call_service(&service, open()).await;
    let second = test::call_service(&service, open()).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(app.state.board_hub.open_feeds(), 2);

    let refused = test::call_service(&service, open()).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("10")
    );
    assert_eq!(
        refused
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert_eq!(
        app.state.board_hub.open_feeds(),
        2,
        "a refusal takes no place"
    );

    // What the screen's script falls back to.
    let json = Browser::new(&app).get("/board/SYS.json").await;
    assert_status(&json, StatusCode::OK);
    assert!(json.body.contains("W-0001"));
    let script = Browser::new(&app).get("/static/board.js").await;
    assert!(script.body.contains("startPolling") && script.body.contains("config.json"));

    // A screen that closes frees its place for the next.
    drop(first);
    let again = test::call_service(&service, open()).await;
    assert_eq!(again.status(), StatusCode::OK);
    let mut feed = Feed {
        body: Box::pin(again.into_body()),
        buffer: String::new(),
    };
    assert!(feed.next_data().await.contains("W-0001"));
    drop(second);
    drop(feed);
    assert_eq!(app.state.board_hub.open_feeds(), 0);
}

#[actix_web::test]
async fn an_unknown_port_has_no_feed_and_takes_no_place() {
    let app = port_with_officer();
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(app.state.clone()))
            .configure(portqueue::configure),
    )
    .await;
    for _ in 0..3 {
        let response = test::call_service(
            &service,
            TestRequest::get().uri("/board/NOPE/events").to_request(),
        )
        .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(app.state.board_hub.open_feeds(), 0);
    assert_eq!(app.state.board_hub.computations(), 0);
}

/// A real server on loopback for `app`, run on its own thread; returns its address.
fn serve_on_loopback(app: &TestApp) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let state = app.state.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(move || {
                App::new()
                    .app_data(web::Data::new(state.clone()))
                    .configure(portqueue::configure)
            })
            .workers(1)
            .listen(listener)
            .expect("listen")
            .run()
            .await
        })
    });
    addr
}

/// Opens a live feed as `forwarded_for` (through a proxy's `X-Forwarded-For`) or directly;
/// returns the status and, when open, the connection after its first event.
fn open_feed(addr: SocketAddr, forwarded_for: Option<&str>) -> (u16, TcpStream) {
    use std::io::Write;
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let forwarded = forwarded_for
        .map(|a| format!("X-Forwarded-For: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET /board/SYS/events HTTP/1.1\r\nHost: {addr}\r\n{forwarded}\r\n"
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
        stream.read_exact(&mut byte).expect("answer");
        seen.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&seen).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    if status == 200 {
        // Up to the first event's end.
        while !String::from_utf8_lossy(&seen).contains("data: ") {
            stream.read_exact(&mut byte).expect("first event");
            seen.push(byte[0]);
        }
    }
    (status, stream)
}

/// Waits until `hub` holds `open` feeds; false after 20 seconds.
fn feeds_settle_at(hub: &BoardHub, open: usize) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if hub.open_feeds() == open {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[actix_web::test]
async fn behind_a_change_readers_get_the_last_board_while_a_check_waits_for_the_database() {
    use portqueue::auth::Actor;
    use portqueue::service::walk_ins::{self, WalkInInput};
    use std::time::Instant;
    let app = port_with_officer();
    let officer = Actor::from_user(&app.add_user("officer2", "officer", Some("SYS")));
    let port = app.with_conn(|c| portqueue::service::port_by_code(c, "SYS").unwrap());
    let walk_in = WalkInInput {
        party_size: "1".into(),
        language: "spa".into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    };
    let register = || {
        app.state
            .blocking(|conn, now| walk_ins::register(conn, &officer, port.id, &walk_in, now))
            .unwrap()
            .ticket
    };
    let first = register();
    let hub = app.state.board_hub.clone();
    let feed_poll = Instant::now() - Duration::from_millis(900);
    let board = hub
        .current(&app.state, "SYS", Instant::now())
        .await
        .unwrap();
    assert_eq!(board.board.board.next, vec![first.clone()]);

    // A change, then a check that cannot get a database connection for now.
    let second = register();
    let held: Vec<_> = (0..app.state.pool.max_size())
        .map(|_| app.state.pool.get().unwrap())
        .collect();
    let (state, checker) = (app.state.clone(), hub.clone());
    let check = actix_web::rt::spawn(async move {
        checker
            .current(&state, "SYS", Instant::now())
            .await
            .unwrap()
    });
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;

    // A board reader behind the change is not put in line behind that check.
    let served = actix_web::rt::time::timeout(
        Duration::from_secs(2),
        hub.current(&app.state, "SYS", feed_poll),
    )
    .await
    .expect("served without waiting for the check")
    .unwrap();
    assert_eq!(
        served.board.board.next,
        vec![first.clone()],
        "the last board"
    );

    drop(held);
    let checked = check.await.unwrap();
    assert_eq!(checked.board.board.next, vec![first, second]);
    // With no check running, the next reader gets the new board.
    let after = hub.current(&app.state, "SYS", feed_poll).await.unwrap();
    assert_eq!(after.board.board.next, checked.board.board.next);
}

#[test]
fn a_feed_frees_its_place_when_its_client_goes_and_one_address_cannot_take_every_place() {
    let mut app = port_with_officer();
    let hub = std::sync::Arc::new(BoardHub::with_address_limit(6, 3));
    app.state.board_hub = hub.clone();
    // The test stands behind a proxy on loopback, which names each client's address.
    app.state.trusted_proxies = std::sync::Arc::new(vec!["127.0.0.1".parse().unwrap()]);
    let addr = serve_on_loopback(&app);

    // One address gets its share of the places, and no more; another address still gets in.
    let mut from_one: Vec<TcpStream> = (0..3)
        .map(|_| {
            let (status, stream) = open_feed(addr, Some("203.0.113.7"));
            assert_eq!(status, 200);
            stream
        })
        .collect();
    assert_eq!(open_feed(addr, Some("203.0.113.7")).0, 503);
    let (status, other) = open_feed(addr, Some("198.51.100.2"));
    assert_eq!(status, 200, "another address is not held back");
    assert!(feeds_settle_at(&hub, 4));

    // The clients go away without a word: their places come free, within a few heartbeats,
    // and the address may open feeds again.
    from_one.clear();
    drop(other);
    assert!(
        feeds_settle_at(&hub, 0),
        "closed feeds still hold {} places",
        hub.open_feeds()
    );
    assert_eq!(
        hub.open_feeds_from("203.0.113.7".parse().unwrap()),
        0,
        "the address's count is freed too"
    );
    let reopened: Vec<TcpStream> = (0..3)
        .map(|_| {
            let (status, stream) = open_feed(addr, Some("203.0.113.7"));
            assert_eq!(status, 200, "places freed by gone clients are given again");
            stream
        })
        .collect();
    assert_eq!(reopened.len(), 3);
}

// ---------------------------------------------------------------------------------------
// The status page kept in memory

/// The page is kept once found and served again while the board's rule holds; a change made
/// through this server shows at once (call, no-show), another server's within the board's
/// second, and an unknown address is never kept.
#[actix_web::test]
async fn a_kept_status_page_follows_every_change_here_at_once_and_another_servers_within_a_second()
{
    use common::NowUtc;
    use portqueue::auth::Actor;
    use portqueue::db::schema::ports as port_rows;
    use portqueue::service::entries::{self as entry_actions, Action};
    use portqueue::service::queue;

    let app = port_with_officer();
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let first = register(&mut officer, "spa").await;
    let second = register(&mut officer, "spa").await;
    let (first_token, second_token) = (token_of(&app, first), token_of(&app, second));
    let mut phone = Browser::new(&app);

    let kept_before = app.state.status_pages.size().0;
    let unknown = phone.get(&format!("/t/{}", "ab".repeat(32))).await;
    assert_status(&unknown, StatusCode::NOT_FOUND);
    assert_eq!(
        app.state.status_pages.size().0,
        kept_before,
        "an unknown address is not kept"
    );

    let waiting = phone.get(&format!("/t/{first_token}")).await;
    assert!(waiting.body.contains("En espera"), "{}", waiting.body);
    let again = phone.get(&format!("/t/{first_token}")).await;
    assert_eq!(again.body, waiting.body);
    assert_eq!(again.header("refresh"), Some("30"));
    assert_eq!(again.header("cache-control"), Some("no-store"));
    let english = phone.get(&format!("/t/{first_token}?lang=eng")).await;
    assert!(
        english.body.contains("<html lang=\"en\""),
        "kept per language"
    );
    let paused = phone.get(&format!("/t/{first_token}?refresh=off")).await;
    assert_eq!(paused.header("refresh"), None, "kept per pause choice");
    let second_page = phone.get(&format!("/t/{second_token}")).await;
    assert!(second_page.body.contains("En espera"));
    assert_eq!(app.state.status_pages.size().0, kept_before + 4);

    // A call on this server: the next read shows it, without waiting for anything.
    let officer_actor = Actor::from_user(&app.add_user("officer2", "officer", Some("SYS")));
    let now = app.clock.now_utc();
    let port_id = app.with_conn(|conn| {
        port_rows::table
            .filter(port_rows::code.eq("SYS"))
            .select(port_rows::id)
            .first::<i64>(conn)
            .expect("port")
    });
    let called = app.with_conn(|conn| queue::call_next(conn, &officer_actor, port_id, 4, now));
    assert_eq!(called.expect("call").expect("someone").id, first);
    let page = phone.get(&format!("/t/{first_token}")).await;
    assert!(
        page.body.contains("vaya a la ventanilla 4"),
        "{}",
        page.body
    );
    let page = phone.get(&format!("/t/{first_token}?lang=eng")).await;
    assert!(page.body.contains("go to counter 4"), "{}", page.body);

    // A no-show on this server: at once too.
    app.with_conn(|conn| {
        entry_actions::act(conn, &officer_actor, first, Action::NoShow, None, now).expect("no-show")
    });
    let page = phone.get(&format!("/t/{first_token}")).await;
    assert!(page.body.contains("No se presentó"), "{}", page.body);

    // Another server calls the second ticket: the same database moves, this process applies
    // nothing. Within the board's second the page shows it.
    app.with_conn(|conn| {
        diesel::update(entries::table.find(second))
            .set((
                entries::status.eq("called"),
                entries::counter.eq(Some(6)),
                entries::called_at.eq(Some(portqueue::db::to_db(now))),
            ))
            .execute(conn)
            .expect("call elsewhere");
        diesel::update(port_rows::table.find(port_id))
            .set(port_rows::revision.eq(port_rows::revision + 1))
            .execute(conn)
            .expect("revision");
    });
    std::thread::sleep(portqueue::web::public::FEED_POLL + Duration::from_millis(100));
    let page = phone.get(&format!("/t/{second_token}")).await;
    assert!(
        page.body.contains("vaya a la ventanilla 6"),
        "{}",
        page.body
    );
    assert_no_personal_data(&page.body, "the kept status page");

    // A new minute makes the page again (positions and windows follow the clock).
    app.clock.advance(chrono::Duration::minutes(1));
    let page = phone.get(&format!("/t/{second_token}")).await;
    assert!(page.body.contains("vaya a la ventanilla 6"));
}

// ---------------------------------------------------------------------------------------
// A waiting ticket without a window: no counter open, or further back than the estimates

/// The port's counter plan: one counter from 09:00 to 17:00 port time, none otherwise.
fn plan_day_counter(app: &TestApp) {
    app.plan_counters_by_hour("SYS", |hour| i32::from((9..17).contains(&hour)));
}

/// Registers `count` Spanish-speaking walk-ins of 20 people each (200 minutes at a counter
/// by the default 10 minutes a person); returns their ids in order.
fn register_large_parties(app: &TestApp, count: usize) -> Vec<i64> {
    register_large_parties_as(app, "officer9", count)
}

fn register_large_parties_as(app: &TestApp, officer: &str, count: usize) -> Vec<i64> {
    use common::NowUtc;
    use portqueue::auth::Actor;
    use portqueue::service::walk_ins::{self, WalkInInput};
    let actor = Actor::from_user(&app.add_user(officer, "officer", Some("SYS")));
    let port_id: i64 = app.with_conn(|conn| {
        use portqueue::db::schema::ports as port_rows;
        port_rows::table
            .filter(port_rows::code.eq("SYS"))
            .select(port_rows::id)
            .first(conn)
            .expect("port")
    });
    (0..count)
        .map(|_| {
            let input = WalkInInput {
                party_size: "20".into(),
                language: "spa".into(),
                barriers: vec!["language".into()],
                ..WalkInInput::default()
            };
            app.with_conn(|conn| {
                walk_ins::register(conn, &actor, port_id, &input, app.clock.now_utc())
                    .expect("registered")
                    .id
            })
        })
        .collect()
}

/// The estimate sentence of each language of an entry's printed slip, and the slip drawn on
/// both rolls with nothing clipped.
fn slip_estimates(app: &TestApp, id: i64) -> Vec<String> {
    use common::NowUtc;
    use portqueue::auth::Actor;
    use portqueue::service::tickets;
    use portqueue_core::tickets::Paper;
    let actor = Actor::from_user(&app.add_user(&format!("reader{id}"), "officer", Some("SYS")));
    let doc = app.with_conn(|conn| {
        tickets::ticket_doc(conn, &actor, id, "http://x", app.clock.now_utc()).expect("doc")
    });
    for paper in [Paper::Mm58, Paper::Mm80] {
        let printout = doc.escpos_on(paper).expect("printout");
        assert_eq!(printout.layout.clipped_dots, 0, "{paper:?}");
        assert_eq!(
            printout.layout.estimates.len(),
            doc.texts.languages.len(),
            "every language prints its estimate line on {paper:?}"
        );
    }
    doc.texts
        .languages
        .iter()
        .map(|l| l.estimate.clone())
        .collect()
}

#[actix_web::test]
async fn a_ticket_beyond_the_look_ahead_says_it_is_far_back_not_that_no_counter_is_open() {
    let app = port_with_officer();
    // One counter from 09:00 to 17:00 (it is 09:00): by the close tomorrow it serves 16
    // hours, under five parties of 20. The plan's next opening is past the look-ahead.
    plan_day_counter(&app);
    let ids = register_large_parties(&app, 9);
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    call_next(&mut officer, 1).await;
    // One more after the call, so a continued projection is checked too.
    let ids = [&ids[1..], &register_large_parties_more(&app)].concat();
    let catalog = Catalog::shared();
    let no_counter = catalog.message("spa", "status-no-counter", &[]).unwrap();
    let beyond = catalog
        .message("spa", "status-beyond-estimate", &[])
        .unwrap();
    let beyond_en = catalog
        .message("eng", "status-beyond-estimate", &[])
        .unwrap();

    // The first still waiting has a window.
    let first = ids[0];
    let page = Browser::new(&app)
        .get(&format!("/t/{}", token_of(&app, first)))
        .await;
    let body = unescape(&page.body);
    assert!(body.contains("entre "), "a window:\n{body}");
    assert!(
        !body.contains(&beyond) && !body.contains(&no_counter),
        "{body}"
    );

    let last = *ids.last().unwrap();
    let mut phone = Browser::new(&app);
    let page = phone.get(&format!("/t/{}", token_of(&app, last))).await;
    assert_status(&page, StatusCode::OK);
    let body = unescape(&page.body);
    assert!(body.contains(&beyond), "{body}");
    assert!(body.contains(&beyond_en), "English too:\n{body}");
    assert!(!body.contains(&no_counter), "{body}");
    assert!(!body.contains("No counter is open"), "{body}");
    // And what the page says aloud.
    let speech = body
        .split("data-speech=\"")
        .skip(1)
        .find(|s| s.contains("far back"))
        .expect("the English speech says it");
    assert!(
        speech.contains(&format!("Estimated call time: {beyond_en}")),
        "{speech}"
    );

    let page = officer.get(&format!("/entries/{last}/ticket")).await;
    let body = unescape(&page.body);
    assert!(body.contains(&beyond), "{body}");
    assert!(!body.contains(&no_counter), "{body}");

    let slip = slip_estimates(&app, last);
    assert!(slip.contains(&beyond), "{slip:?}");
    assert!(slip.contains(&beyond_en), "{slip:?}");
    assert!(
        !slip
            .iter()
            .any(|s| s == &no_counter || s.contains("No counter"))
    );
}

/// One more walk-in of 20, registered after the first call.
fn register_large_parties_more(app: &TestApp) -> Vec<i64> {
    register_large_parties_as(app, "officer8", 1)
}

#[actix_web::test]
async fn with_no_counter_open_or_planned_a_waiting_ticket_still_says_no_counter_is_open() {
    let app = port_with_officer();
    let ids = register_large_parties(&app, 9);
    let last = *ids.last().unwrap();
    let catalog = Catalog::shared();
    let no_counter = catalog.message("spa", "status-no-counter", &[]).unwrap();
    let beyond = catalog
        .message("spa", "status-beyond-estimate", &[])
        .unwrap();
    for id in [ids[0], last] {
        let page = Browser::new(&app)
            .get(&format!("/t/{}", token_of(&app, id)))
            .await;
        let body = unescape(&page.body);
        assert!(body.contains(&no_counter), "{body}");
        assert!(body.contains("No counter is open now"), "{body}");
        assert!(!body.contains(&beyond), "{body}");
    }
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    let body = unescape(&officer.get(&format!("/entries/{last}/ticket")).await.body);
    assert!(body.contains(&no_counter), "{body}");
    assert!(!body.contains(&beyond), "{body}");
    let slip = slip_estimates(&app, last);
    assert!(slip.contains(&no_counter), "{slip:?}");
    assert!(!slip.contains(&beyond), "{slip:?}");
}

/// Sets a port's default languages as the Languages page stores them.
fn set_default_languages(app: &TestApp, code: &str, stored: &str) {
    use portqueue::db::schema::ports as port_rows;
    app.with_conn(|c| {
        diesel::update(port_rows::table.filter(port_rows::code.eq(code)))
            .set((
                port_rows::default_languages.eq(stored),
                port_rows::revision.eq(port_rows::revision + 1),
            ))
            .execute(c)
            .unwrap()
    });
}

/// The `tag`s of the spoken sentences in the board page's script settings.
fn spoken_tags(board: &str) -> Vec<String> {
    let config = unescape(
        board
            .split("data-config=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("board config"),
    );
    let config: serde_json::Value = serde_json::from_str(&config).expect("config JSON");
    config["announce"]
        .as_array()
        .expect("announcements")
        .iter()
        .map(|a| a["tag"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A message in one of our catalogs (tested complete), to compare with what a page shows.
fn said(code: &str, id: &str) -> String {
    let text = Catalog::shared().say(code, id, &[]);
    assert!(!text.is_empty(), "{code}: {id}");
    text
}

/// The inside of the board's sound button.
fn staff_button(board: &str) -> &str {
    let inside = board
        .split("id=\"board-sound\" aria-pressed=\"false\" hidden>")
        .nth(1)
        .expect("the sound button");
    &inside[..inside.find("</button>").expect("its end")]
}

/// The words board.js copies into the voices line, from their `<template>`.
fn voice_words(board: &str) -> &str {
    let inside = board
        .split("<template id=\"board-voice-words\">")
        .nth(1)
        .expect("the voices line's words");
    &inside[..inside.find("</template>").expect("its end")]
}

#[actix_web::test]
async fn the_board_speaks_the_ports_languages_each_marked_and_its_feed_is_unchanged() {
    let app = port_with_officer();
    app.add_user("sup1", "supervisor", Some("SYS"));
    let mut officer = Browser::new(&app);
    officer.sign_in("officer1").await;
    register(&mut officer, "por").await;
    let mut screen = Browser::new(&app);
    let json_before: serde_json::Value =
        serde_json::from_str(&screen.get("/board/SYS.json").await.body).expect("JSON");

    // A port with no languages set: Spanish and English, as before.
    let board = screen.get("/board/SYS").await;
    assert_status(&board, StatusCode::OK);
    assert!(
        board.body.contains("<html lang=\"es\" dir=\"ltr\">"),
        "{}",
        board.body
    );
    assert!(
        board.body.contains(
            "<h1 id=\"called-heading\">Atendiendo ahora <span lang=\"en\">· Now serving</span></h1>"
        ),
        "{}",
        board.body
    );
    assert_eq!(spoken_tags(&board.body), ["es", "en"]);
    // The staff's words, as they were before they came from the catalogs.
    assert!(
        staff_button(&board.body).starts_with("Sonido / <span lang=\"en\">Sound</span>: "),
        "{}",
        board.body
    );
    assert_eq!(
        voice_words(&board.body),
        "<span data-words=\"voice\">Voz / <span lang=\"en\">Voice</span></span>\
         <span data-words=\"no-voice\">Sin voz, solo sonido / \
         <span lang=\"en\">No voice, chime only</span></span>"
    );
    assert!(
        board
            .body
            .contains("<p class=\"board-voices\" id=\"board-voices\" hidden></p>")
    );

    // The supervisor says the counters cover Portuguese (a port like Praia): the board is in
    // Portuguese, with English beside it, each marked; no Spanish left.
    let mut supervisor = Browser::new(&app);
    supervisor.sign_in("sup1").await;
    let csrf = supervisor.csrf_from("/ports/SYS/languages").await;
    let saved = supervisor
        .post(
            "/ports/SYS/languages",
            &[
                ("csrf", &csrf),
                ("default_languages", "por"),
                ("language_wait_limit_minutes", "20"),
            ],
        )
        .await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/ports/SYS/languages?saved=1")
    );
    // The board reads the port again within its second of polling.
    std::thread::sleep(Duration::from_millis(1100));
    let board = screen.get("/board/SYS").await;
    assert_status(&board, StatusCode::OK);
    assert!(
        board.body.contains("<html lang=\"pt\" dir=\"ltr\">"),
        "{}",
        board.body
    );
    for heading in [
        "<h1 id=\"called-heading\">Atendendo agora <span lang=\"en\">· Now serving</span></h1>",
        "<th scope=\"col\">Senha <span lang=\"en\">· Number</span></th>",
        "<th scope=\"col\">Guichê <span lang=\"en\">· Counter</span></th>",
        "<h2 id=\"next-heading\">Próximas senhas <span lang=\"en\">· Next</span></h2>",
        "<title>Atendendo agora · ",
    ] {
        assert!(board.body.contains(heading), "{heading}:\n{}", board.body);
    }
    assert!(!board.body.contains("Atendiendo"), "no Spanish heading");
    assert_eq!(spoken_tags(&board.body), ["pt", "en"], "spoken as shown");
    assert!(board.body.contains("<span lang=\"pt\">Português</span>"));
    assert!(
        staff_button(&board.body).starts_with(&format!(
            "{} / <span lang=\"en\">Sound</span>: ",
            said("por", "board-sound")
        )),
        "{}",
        board.body
    );
    assert_no_personal_data(&board.body, "the Portuguese board");

    // The feed is data only, the same shape whatever the languages.
    let json_after: serde_json::Value =
        serde_json::from_str(&screen.get("/board/SYS.json").await.body).expect("JSON");
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&json_after), keys(&json_before));
    assert_eq!(json_after["next"], json_before["next"]);
    assert_eq!(json_after["called"], json_before["called"]);
    assert!(!json_after.to_string().contains("Atend"));
}

#[actix_web::test]
async fn a_board_has_at_most_three_languages_with_text_right_to_left_marked_and_a_fallback() {
    let app = test_app();
    for (code, stored) in [
        ("MUL", "arb,fra,eng,spa"),
        ("ENG", "eng"),
        ("MAY", "quc,hat"),
        ("NON", "quc,mam"),
        ("ARF", "arb,fra"),
    ] {
        app.add_port(code, "America/Tijuana");
        set_default_languages(&app, code, stored);
    }
    let mut screen = Browser::new(&app);

    // Arabic first: the page is right to left; French and English are marked left to right.
    let board = screen.get("/board/MUL").await;
    assert_status(&board, StatusCode::OK);
    assert!(
        board.body.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{}",
        board.body
    );
    let h1 = board
        .body
        .split("<h1 id=\"called-heading\">")
        .nth(1)
        .unwrap();
    let h1 = &h1[..h1.find("</h1>").unwrap()];
    let arabic = Catalog::shared().say("arb", "board-now-serving", &[]);
    let french = Catalog::shared().say("fra", "board-now-serving", &[]);
    assert_eq!(
        h1,
        format!(
            "{arabic} <span lang=\"fr\" dir=\"ltr\">· {french}</span> \
             <span lang=\"en\" dir=\"ltr\">· Now serving</span>"
        ),
        "three languages at most, in the port's order"
    );
    assert_eq!(spoken_tags(&board.body), ["ar", "fr", "en"]);
    // The staff's sound button and voices line are in the board's languages too: French and
    // English marked left to right on the right-to-left board.
    let (arabic, french) = (said("arb", "board-sound"), said("fra", "board-sound"));
    assert!(
        staff_button(&board.body).starts_with(&format!(
            "{arabic} / <span lang=\"fr\" dir=\"ltr\">{french}</span> \
             / <span lang=\"en\" dir=\"ltr\">Sound</span>: "
        )),
        "{}",
        board.body
    );
    assert_eq!(
        voice_words(&board.body),
        format!(
            "<span data-words=\"voice\">{} / <span lang=\"fr\" dir=\"ltr\">{}</span> \
             / <span lang=\"en\" dir=\"ltr\">Voice</span></span>\
             <span data-words=\"no-voice\">{} / <span lang=\"fr\" dir=\"ltr\">{}</span> \
             / <span lang=\"en\" dir=\"ltr\">No voice, chime only</span></span>",
            said("arb", "board-voice"),
            said("fra", "board-voice"),
            said("arb", "board-no-voice"),
            said("fra", "board-no-voice"),
        )
    );
    assert!(!board.body.contains("Sonido") && !board.body.contains("lang=\"es\""));

    // Arabic and French alone: the staff's words in those two, and no English.
    let board = screen.get("/board/ARF").await;
    assert!(board.body.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(
        staff_button(&board.body).starts_with(&format!(
            "{arabic} / <span lang=\"fr\" dir=\"ltr\">{french}</span>: "
        )),
        "{}",
        board.body
    );
    assert_eq!(
        voice_words(&board.body),
        format!(
            "<span data-words=\"voice\">{} / <span lang=\"fr\" dir=\"ltr\">{}</span></span>\
             <span data-words=\"no-voice\">{} / <span lang=\"fr\" dir=\"ltr\">{}</span></span>",
            said("arb", "board-voice"),
            said("fra", "board-voice"),
            said("arb", "board-no-voice"),
            said("fra", "board-no-voice"),
        )
    );
    for english in ["Sound", "Voice", "No voice"] {
        assert!(!board.body.contains(english), "{english}:\n{}", board.body);
    }

    // English alone gets Spanish beside it.
    let board = screen.get("/board/ENG").await;
    assert!(board.body.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(
        board
            .body
            .contains("Now serving <span lang=\"es\">· Atendiendo ahora</span>"),
        "{}",
        board.body
    );

    // A language we have no text in (K'iche') is left out, not guessed.
    let board = screen.get("/board/MAY").await;
    assert!(
        board.body.contains("<html lang=\"ht\" dir=\"ltr\">"),
        "{}",
        board.body
    );
    assert!(!board.body.contains("lang=\"quc\""));
    assert!(
        board
            .body
            .contains("<span lang=\"en\">· Now serving</span>")
    );

    // None with text: Spanish and English.
    let board = screen.get("/board/NON").await;
    assert!(board.body.contains("<html lang=\"es\" dir=\"ltr\">"));
    assert!(
        board
            .body
            .contains("Atendiendo ahora <span lang=\"en\">· Now serving</span>")
    );
}
