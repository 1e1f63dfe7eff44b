//! Counters opened with their languages, "call next" under language matching, the counter
//! screen's language and "interpreter needed", and interpreter requests, through the pages.

mod common;

use actix_web::http::StatusCode;
use diesel::prelude::*;

use common::test_app;
use common::web::{Browser, Page};
use portqueue::db::schema::{entries, entry_events, users};

fn assert_status(page: &Page, status: StatusCode) {
    assert_eq!(page.status, status, "body:\n{}", page.body);
}

async fn register(browser: &mut Browser<'_>, language: &str) {
    let csrf = browser.csrf_from("/ports/SYS/walk-ins/new").await;
    let done = browser
        .post(
            "/ports/SYS/walk-ins/new",
            &[
                ("csrf", &csrf),
                ("language", language),
                ("barriers", "language"),
                ("party_size", "1"),
            ],
        )
        .await;
    assert_status(&done, StatusCode::SEE_OTHER);
}

fn entry(app: &common::TestApp, ticket: &str) -> (i64, String, Option<bool>, bool, bool) {
    app.with_conn(|c| {
        let (id, status, matched, needed, passed): (
            i64,
            String,
            Option<bool>,
            bool,
            Option<chrono::NaiveDateTime>,
        ) = entries::table
            .filter(entries::ticket.eq(ticket))
            .select((
                entries::id,
                entries::status,
                entries::language_matched,
                entries::interpreter_needed,
                entries::language_passed_at,
            ))
            .first(c)
            .unwrap();
        (id, status, matched, needed, passed.is_some())
    })
}

#[actix_web::test]
async fn a_punjabi_speaking_counter_calls_the_punjabi_speaker_and_others_wait_for_theirs() {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.add_user("harpreet", "officer", Some("SYS"));
    let mut ofelia = Browser::new(&app);
    ofelia.sign_in("ofelia").await;
    let mut harpreet = Browser::new(&app);
    harpreet.sign_in("harpreet").await;

    register(&mut ofelia, "hat").await; // W-0001
    register(&mut ofelia, "pan").await; // W-0002
    register(&mut ofelia, "spa").await; // W-0003

    // A code that is not a language is refused beside the field; nothing is opened.
    let page = ofelia.get("/ports/SYS/counters/1").await;
    assert!(page.body.contains("No languages recorded"));
    let csrf = page.csrf();
    let refused = ofelia
        .post(
            "/ports/SYS/counters/1/languages",
            &[("csrf", &csrf), ("languages", "spa"), ("languages", "xx")],
        )
        .await;
    assert_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"f-languages-error\""));
    assert!(
        refused.body.contains("language code we know: &#34;xx&#34;"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("value=\"spa\" id=\"f-languages\" checked"),
        "what was chosen is kept"
    );
    let none = ofelia
        .post("/ports/SYS/counters/1/languages", &[("csrf", &csrf)])
        .await;
    assert_status(&none, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Choose at least one language"));

    // Ofelia covers Spanish and Haitian Creole and keeps them in her profile.
    let opened = ofelia
        .post(
            "/ports/SYS/counters/1/languages",
            &[
                ("csrf", &csrf),
                ("languages", "spa"),
                ("languages", "hat"),
                ("remember", "1"),
            ],
        )
        .await;
    assert_eq!(
        opened.location.as_deref(),
        Some("/ports/SYS/counters/1?note=languages")
    );
    let profile: String = app.with_conn(|c| {
        users::table
            .filter(users::username.eq("ofelia"))
            .select(users::languages)
            .first(c)
            .unwrap()
    });
    assert_eq!(profile, "spa,hat");
    let elsewhere = ofelia.get("/ports/SYS/counters/7").await;
    assert!(
        elsewhere
            .body
            .contains("value=\"hat\" id=\"f-languages-hat\" checked")
            && elsewhere
                .body
                .contains("value=\"spa\" id=\"f-languages\" checked"),
        "her profile pre-fills another counter's form"
    );

    // Harpreet covers Punjabi. Calling next passes over the Haitian Creole speaker (counter
    // 1 covers her) and calls the Punjabi speaker.
    let page = harpreet.get("/ports/SYS/counters/2").await;
    let csrf2 = page.csrf();
    harpreet
        .post(
            "/ports/SYS/counters/2/languages",
            &[("csrf", &csrf2), ("languages", "pan")],
        )
        .await;
    let called = harpreet
        .post("/ports/SYS/counters/2/call-next", &[("csrf", &csrf2)])
        .await;
    assert_eq!(
        called.location.as_deref(),
        Some("/ports/SYS/counters/2?note=called")
    );
    let serving = harpreet.get("/ports/SYS/counters/2?note=called").await;
    assert_eq!(
        serving.element_text("at-counter-ticket").as_deref(),
        Some("W-0002")
    );
    assert_eq!(
        serving.element_text("at-counter-language").as_deref(),
        Some("Punjabi (Eastern) (ਪੰਜਾਬੀ)")
    );
    assert!(serving.body.contains("this counter speaks it"));
    assert!(!serving.body.contains("id=\"interpreter-needed\""));
    // The language reason line shows beside the fair-order reason, not only in the log.
    assert_eq!(
        serving.element_text("language-reason").as_deref(),
        Some(
            "Punjabi (Eastern): this counter covers it; passed over 1 whose language another open counter covers"
        )
    );
    assert!(
        serving
            .element_text("call-reason")
            .is_some_and(|r| !r.is_empty())
    );
    let live = harpreet.get("/ports/SYS/queue").await;
    assert!(
        live.body.contains(
            "id=\"language-reason-2\">; Punjabi (Eastern): this counter covers it; passed over 1"
        ),
        "{}",
        live.body
    );
    assert_eq!(
        entry(&app, "W-0002").1.as_str(),
        "called",
        "the Punjabi speaker is called"
    );
    assert_eq!(entry(&app, "W-0002").2, Some(true));
    let (hat_id, status, _, _, passed) = entry(&app, "W-0001");
    assert_eq!(status, "waiting");
    assert!(passed, "the passed-over entry's limit starts running");
    let note: Option<String> = app.with_conn(|c| {
        entry_events::table
            .filter(entry_events::kind.eq("called"))
            .select(entry_events::detail)
            .first::<String>(c)
            .ok()
    });
    assert!(
        note.unwrap_or_default().contains(
            "Punjabi (Eastern): this counter covers it; passed over 1 whose language another open counter covers"
        ),
        "the call's event says why"
    );
    // The line is its own field of the event; a call logged before it was has the line only
    // in its note, read from there.
    let (pan_id, ..) = entry(&app, "W-0002");
    let line = "Punjabi (Eastern): this counter covers it; passed over 1 whose language another open counter covers";
    let (event_id, detail): (i64, String) = app.with_conn(|c| {
        entry_events::table
            .filter(entry_events::entry_id.eq(pan_id))
            .filter(entry_events::kind.eq("called"))
            .select((entry_events::id, entry_events::detail))
            .first(c)
            .unwrap()
    });
    let mut stored: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(stored["language_reason"], line);
    let reasons_with = |stored: &serde_json::Value| {
        app.with_conn(|c| {
            diesel::update(entry_events::table.find(event_id))
                .set(entry_events::detail.eq(stored.to_string()))
                .execute(c)
                .unwrap();
            portqueue::service::queue::language_reasons(c, &[pan_id]).unwrap()
        })
    };
    stored["language_reason"] = "as the field says".into();
    assert_eq!(reasons_with(&stored)[&pan_id], "as the field says");
    stored.as_object_mut().unwrap().remove("language_reason");
    assert_eq!(reasons_with(&stored)[&pan_id], line);

    // Ofelia's counter calls the Haitian Creole speaker, in her language.
    let called = ofelia
        .post("/ports/SYS/counters/1/call-next", &[("csrf", &csrf)])
        .await;
    assert_status(&called, StatusCode::SEE_OTHER);
    assert_eq!(entry(&app, "W-0001").1, "called");
    assert_eq!(entry(&app, "W-0001").2, Some(true));

    // Harpreet completes and calls again: only the Spanish speaker waits, no counter of his
    // covers Spanish but Ofelia's does and she is busy. Nobody else waits, so he calls her
    // with an interpreter (a free counter never idles while someone waits).
    let (pan_id, ..) = entry(&app, "W-0002");
    harpreet
        .post(
            &format!("/entries/{pan_id}/complete"),
            &[("csrf", &csrf2), ("counter", "2")],
        )
        .await;
    harpreet
        .post("/ports/SYS/counters/2/call-next", &[("csrf", &csrf2)])
        .await;
    let serving = harpreet.get("/ports/SYS/counters/2?note=called").await;
    assert_eq!(
        serving.element_text("at-counter-ticket").as_deref(),
        Some("W-0003")
    );
    assert!(serving.body.contains("id=\"interpreter-needed\""));
    assert!(
        serving
            .element_text("language-reason")
            .is_some_and(|l| l.contains("Spanish") && l.contains("interpreter needed")),
        "{}",
        serving.body
    );
    let (spa_id, _, matched, needed, _) = entry(&app, "W-0003");
    assert_eq!((matched, needed), (Some(false), true));

    // The officer asks for a telephone interpreter: the mark and its event commit together.
    let marked = harpreet
        .post(
            &format!("/entries/{spa_id}/interpreter"),
            &[("csrf", &csrf2), ("counter", "2")],
        )
        .await;
    assert_eq!(
        marked.location.as_deref(),
        Some("/ports/SYS/counters/2?note=interpreter")
    );
    let requested: (bool, i64) = app.with_conn(|c| {
        (
            entries::table
                .find(spa_id)
                .select(entries::interpreter_requested)
                .first(c)
                .unwrap(),
            entry_events::table
                .filter(entry_events::entry_id.eq(spa_id))
                .filter(entry_events::kind.eq("interpreter_requested"))
                .count()
                .get_result(c)
                .unwrap(),
        )
    });
    assert_eq!(requested, (true, 1));
    let page = harpreet.get("/ports/SYS/counters/2").await;
    assert!(page.body.contains("Interpreter requested</span>"));

    // The live queue shows who waits for an interpreter, and for which language.
    register(&mut ofelia, "quc").await; // W-0004
    let (quc_id, ..) = entry(&app, "W-0004");
    let queue = ofelia.get("/ports/SYS/queue").await;
    let tag = format!("id=\"interpreter-{quc_id}\">interpreter needed: no open counter covers it");
    assert!(queue.body.contains(&tag), "{}", queue.body);
    assert!(queue.body.contains("K&#39;iche&#39;") || queue.body.contains("K'iche'"));
    let marked = ofelia
        .post(
            &format!("/entries/{quc_id}/interpreter"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(marked.location.as_deref(), Some("/ports/SYS/queue"));
    let queue = ofelia.get("/ports/SYS/queue").await;
    assert!(queue.body.contains(&format!(
        "id=\"interpreter-{quc_id}\">interpreter requested"
    )));

    // Clearing the languages puts the counter back on the plain fair order.
    let cleared = ofelia
        .post("/ports/SYS/counters/1/close", &[("csrf", &csrf)])
        .await;
    assert_eq!(
        cleared.location.as_deref(),
        Some("/ports/SYS/counters/1?note=closed")
    );
    let page = ofelia.get("/ports/SYS/counters/1").await;
    assert!(page.body.contains("No languages recorded"));

    // The day's figures per language, for a supervisor.
    app.add_user("sergio", "supervisor", Some("SYS"));
    let mut sergio = Browser::new(&app);
    sergio.sign_in("sergio").await;
    let report = sergio.get("/ports/SYS/reports/languages").await;
    assert_status(&report, StatusCode::OK);
    // A scrollable table wrapper a keyboard can reach (axe scrollable-region-focusable).
    assert!(report.body.contains(
        "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"language-figures-caption\">"
    ));
    assert!(
        report
            .body
            .contains("<caption id=\"language-figures-caption\">")
    );
    let row = |name: &str| {
        report
            .body
            .split("<tr>")
            .find(|r| r.contains(&format!("<th scope=\"row\">{name}</th>")))
            .unwrap_or_default()
            .to_owned()
    };
    let punjabi = row("Punjabi (Eastern)");
    assert!(
        punjabi.contains(" min</td><td class=\"num\">0</td></tr>"),
        "what matching cost is given: {punjabi}"
    );
    assert!(
        punjabi.contains("1 party (1 person)")
            && punjabi.contains("1 in their language, 0 with an interpreter")
            && punjabi.contains("100%"),
        "{punjabi}"
    );
    let spanish = row("Spanish");
    assert!(
        spanish.contains("0 in their language, 1 with an interpreter")
            && spanish.contains("0%")
            && spanish.contains("<td class=\"num\">1</td></tr>"),
        "{spanish}"
    );
    // The same figures in the daily report: its page, its CSV and the API's JSON.
    let daily = sergio.get("/ports/SYS/reports?date=2026-11-25").await;
    assert_status(&daily, StatusCode::OK);
    let table = daily
        .body
        .split("id=\"t-languages\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        table.contains("<th scope=\"row\">Punjabi (Eastern)</th><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">100.0%</td>"),
        "{table}"
    );
    assert!(
        table.contains("Share of calls in their language"),
        "{table}"
    );
    assert!(daily.body.contains("not out of the parties served"));
    // The Reports page links the languages page of its day.
    assert!(
        daily.body.contains(
            "<a href=\"/ports/SYS/reports/languages?date=2026-11-25\">Languages on 2026-11-25</a>"
        ),
        "{}",
        daily.body
    );
    let csv = sergio.get("/ports/SYS/reports.csv?date=2026-11-25").await;
    assert!(
        csv.body
            .lines()
            .any(|l| l == "languages,called_with_interpreter,spa,1"),
        "{}",
        csv.body
    );
    let token = app.token("sergio");
    let (_, json) = common::api::call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/daily?date=2026-11-25",
        Some(&token),
        None,
    )
    .await;
    let languages = json["languages"].as_array().expect("languages");
    let pan = languages
        .iter()
        .find(|l| l["language"] == "pan")
        .expect("pan");
    assert_eq!(pan["called_in_language"], 1);
    assert_eq!(pan["share_in_language"], 1.0);
    // Counter 2 passed the Haitian Creole speaker over for language, within the matching
    // rule (counter 1 covered her, at once): not a pass beyond the priority bound, and the
    // verdict stays kept.
    let fairness = &json["fairness"];
    assert_eq!(fairness["overtakes_beyond_bound"], 0, "{fairness}");
    assert_eq!(fairness["language_passes"]["passes"], 1, "{fairness}");
    assert_eq!(fairness["language_passes"]["longest_minutes"], 0.0);
    assert_eq!(fairness["language_passes"]["within_limit"], true);
    assert_eq!(fairness["language_passes"]["beyond_rule"], 0, "{fairness}");
    assert_eq!(fairness["kept"], true, "{fairness}");
    assert!(
        daily.body.contains(
            "Kept: no one passed beyond the priority bound; 1 pass for language under \
             matching, within the matching rule (longest passed over 0.0 min, limit 20 min)"
        ),
        "{}",
        daily.body
    );
    assert!(
        csv.body
            .lines()
            .any(|l| l == "fairness,language_passes.passes,,1"),
        "{}",
        csv.body
    );
    // The counters' openings were kept with their times, so the day is replayed with and
    // without matching (worked by hand in core/tests/language_report.rs).
    assert!(pan["matching_extra_wait_minutes"].is_number(), "{pan}");
    let opened: Vec<(i64, Option<String>)> = app.with_conn(|c| {
        portqueue::db::schema::counter_language_changes::table
            .order(portqueue::db::schema::counter_language_changes::id.asc())
            .select((
                portqueue::db::schema::counter_language_changes::counter,
                portqueue::db::schema::counter_language_changes::languages,
            ))
            .load(c)
            .unwrap()
    });
    assert_eq!(
        opened,
        [
            (1, Some("spa,hat".to_owned())),
            (2, Some("pan".to_owned())),
            (1, None)
        ],
        "opened, opened, closed"
    );
    // Told by the call's own fact, stored beside its note.
    let details: Vec<String> = app.with_conn(|c| {
        entry_events::table
            .filter(entry_events::kind.eq("called"))
            .select(entry_events::detail)
            .load(c)
            .unwrap()
    });
    assert!(
        details
            .iter()
            .any(|d| d.contains("\"language_matched\":false")),
        "{details:?}"
    );
    // The call that passed her over says whom, with the limit in force.
    assert!(
        details.iter().any(|d| d.contains(&format!(
            "\"passed_over\":{{\"entries\":[{hat_id}],\"wait_limit_minutes\":20}}"
        ))),
        "{details:?}"
    );
    let bad = sergio
        .get("/ports/SYS/reports/languages?date=yesterday")
        .await;
    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"f-date-error\""));
    assert!(bad.body.contains("value=\"yesterday\""));
    // A week adds up the days' language figures (the page's section and the API's JSON).
    let week = sergio
        .get("/ports/SYS/reports?from=2026-11-19&to=2026-11-25")
        .await;
    assert_status(&week, StatusCode::OK);
    assert!(
        week.body.contains("<th scope=\"row\">Punjabi (Eastern)</th><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">100.0%</td>"),
        "{}",
        week.body
    );
    let (_, range) = common::api::call(
        &app,
        "GET",
        "/api/v1/ports/SYS/reports/range?from=2026-11-19&to=2026-11-25",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        range["languages"], json["languages"],
        "one day with figures"
    );
    // "today", as the daily report page takes it: the port-local date.
    for page in [
        "/ports/SYS/reports/languages?date=today",
        "/ports/SYS/reports?date=today",
    ] {
        let today = sergio.get(page).await;
        assert_status(&today, StatusCode::OK);
        assert!(today.body.contains("2026-11-25"), "{page}");
    }
    let today = sergio.get("/ports/SYS/reports/languages?date=today").await;
    assert_eq!(
        today.body.split("<tbody>").nth(1),
        report.body.split("<tbody>").nth(1),
        "the same figures as without a date"
    );
    let officer = ofelia.get("/ports/SYS/reports/languages").await;
    assert_status(&officer, StatusCode::FORBIDDEN);
}

/// The API: opening counters with languages, the queue answer naming them, call-next's
/// `language_matched` and `interpreter_needed`, and interpreter requests.
#[actix_web::test]
async fn the_api_opens_counters_with_languages_and_says_how_each_call_matched() {
    use common::api::call;
    use serde_json::json;
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    let token = app.token("ofelia");
    for language in ["hat", "pan", "quc"] {
        let (status, _) = call(
            &app,
            "POST",
            "/api/v1/ports/SYS/walk-ins",
            Some(&token),
            Some(json!({"party_size": 1, "language": language, "barriers": ["language"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/4/open",
        Some(&token),
        Some(json!({"languages": ["pa", "xx"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("\\\"pa\\\", \\\"xx\\\""),
        "{body}"
    );
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/4/open",
        Some(&token),
        Some(json!({"languages": ["pan", "eng"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["counter"], 4);
    assert_eq!(body["languages"], json!(["pan", "eng"]));
    call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/5/open",
        Some(&token),
        Some(json!({"languages": ["hat"]})),
    )
    .await;
    let (_, queue) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    assert_eq!(
        queue["counters"],
        json!([
            {"counter": 4, "languages": ["pan", "eng"], "opened_at": queue["counters"][0]["opened_at"]},
            {"counter": 5, "languages": ["hat"], "opened_at": queue["counters"][1]["opened_at"]},
        ])
    );
    assert_eq!(queue["default_languages"], json!([]));
    assert!(
        queue["entries"][0].get("language").is_none(),
        "no personal field in the API"
    );
    assert_eq!(queue["entries"][0]["interpreter_needed"], false);
    assert!(queue["entries"][0].get("language_matched").is_none());
    // While they wait, the API says what the live queue page says: no open counter covers
    // K'iche', so that entry needs an interpreter; Punjabi and Haitian Creole are covered.
    let mut needed: Vec<(String, bool)> = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["ticket"].as_str().unwrap().to_owned(),
                e["interpreter_needed"].as_bool().unwrap(),
            )
        })
        .collect();
    needed.sort();
    assert_eq!(
        needed,
        vec![
            ("W-0001".to_owned(), false),
            ("W-0002".to_owned(), false),
            ("W-0003".to_owned(), true),
        ]
    );
    // Marking a waiting entry answers the entry as the queue shows it: place, window, reason.
    let quc = queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ticket"] == "W-0003")
        .unwrap()
        .clone();
    let quc_id = quc["id"].as_i64().unwrap();
    for requested in [true, false] {
        let (status, marked) = call(
            &app,
            "POST",
            &format!("/api/v1/entries/{quc_id}/interpreter"),
            Some(&token),
            Some(json!({"requested": requested})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{marked}");
        assert_eq!(marked["interpreter_requested"], requested);
        assert_eq!(marked["status"], "waiting");
        assert_eq!(marked["interpreter_needed"], true, "{marked}");
        assert_eq!(marked["position"], quc["position"], "{marked}");
        assert_eq!(marked["reason"], quc["reason"], "{marked}");
        assert!(!marked["reason"].as_str().unwrap().is_empty(), "{marked}");
        assert!(marked.get("estimated_call_at").is_some(), "{marked}");
    }

    // Counter 4 passes over the Haitian Creole speaker (counter 5 covers her).
    let (status, called) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/4/call-next",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(called["ticket"], "W-0002");
    assert_eq!(called["language_matched"], true);
    assert_eq!(called["interpreter_needed"], false);
    assert_eq!(
        called["language_reason"],
        "Punjabi (Eastern): this counter covers it; passed over 1 whose language another open counter covers"
    );
    // Every later answer for the called entry carries the call's line too.
    let punjabi = called["id"].as_i64().unwrap();
    let (status, recalled) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{punjabi}/recall"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{recalled}");
    assert_eq!(recalled["language_reason"], called["language_reason"]);
    assert_eq!(recalled["language_matched"], true);
    let (_, completed) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{punjabi}/complete"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(completed["status"], "served");
    assert_eq!(completed["language_reason"], called["language_reason"]);
    // Counter 5 calls her; then, K'iche' being covered nowhere, whoever calls next calls the
    // K'iche' speaker with an interpreter.
    let (_, called) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/5/call-next",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(called["ticket"], "W-0001");
    let id = called["id"].as_i64().unwrap();
    call(
        &app,
        "POST",
        &format!("/api/v1/entries/{id}/complete"),
        Some(&token),
        None,
    )
    .await;
    let (_, called) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/5/call-next",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(called["ticket"], "W-0003");
    assert_eq!(called["language_matched"], false);
    assert_eq!(called["interpreter_needed"], true);
    assert_eq!(
        called["language_reason"],
        "no open counter covers K'iche': interpreter needed"
    );
    let id = called["id"].as_i64().unwrap();
    let (status, marked) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{id}/interpreter"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(marked["interpreter_requested"], true);
    assert_eq!(
        marked["language_reason"],
        "no open counter covers K'iche': interpreter needed"
    );
    // Her call undone, she waits again: no call, no line.
    let (status, undone) = call(
        &app,
        "POST",
        &format!("/api/v1/entries/{id}/undo"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{undone}");
    assert_eq!(undone["status"], "waiting");
    assert!(undone.get("language_reason").is_none(), "{undone}");
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/4/close",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, queue) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    assert_eq!(queue["counters"].as_array().unwrap().len(), 1);
}

/// Nobody closes counters at night: a counter opened with languages on an earlier port-local
/// day is not open today, so yesterday's interpreter lets nobody be passed over today.
#[actix_web::test]
async fn a_counter_opened_yesterday_is_not_open_today() {
    use common::api::call;
    use serde_json::json;
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    let token = app.token("ofelia");
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/5/open",
        Some(&token),
        Some(json!({"languages": ["hat"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, queue) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    assert_eq!(queue["counters"].as_array().unwrap().len(), 1, "{queue}");
    // Past the port's midnight (Tijuana is 7-8 hours behind UTC; a day later is surely
    // the next local day).
    app.clock.advance(chrono::Duration::hours(24));
    let (_, queue) = call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    assert_eq!(queue["counters"], json!([]), "{queue}");
}

/// A supervisor sets the languages every counter covers and the limit; an officer keeps
/// their own. Bad input is named beside its field, kept as typed, and nothing is saved.
#[actix_web::test]
async fn port_and_officer_languages_are_checked_beside_their_fields() {
    use portqueue::db::schema::ports;
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("sergio", "supervisor", Some("SYS"));
    app.add_user("ofelia", "officer", Some("SYS"));
    let mut sergio = Browser::new(&app);
    sergio.sign_in("sergio").await;
    let csrf = sergio.csrf_from("/ports/SYS/languages").await;
    let refused = sergio
        .post(
            "/ports/SYS/languages",
            &[
                ("csrf", &csrf),
                ("default_languages", "spa, english"),
                ("language_wait_limit_minutes", "soon"),
            ],
        )
        .await;
    assert_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"f-default_languages-error\""));
    assert!(
        refused
            .body
            .contains("id=\"f-language_wait_limit_minutes-error\"")
    );
    assert!(refused.body.contains("value=\"spa, english\""));
    assert!(refused.body.contains("value=\"soon\""));
    let stored: (String, i32) = app.with_conn(|c| {
        ports::table
            .select((ports::default_languages, ports::language_wait_limit_minutes))
            .first(c)
            .unwrap()
    });
    assert_eq!(stored, (String::new(), 20), "nothing half-written");
    let saved = sergio
        .post(
            "/ports/SYS/languages",
            &[
                ("csrf", &csrf),
                ("default_languages", "spa, ENG"),
                ("language_wait_limit_minutes", "15"),
            ],
        )
        .await;
    assert_eq!(
        saved.location.as_deref(),
        Some("/ports/SYS/languages?saved=1")
    );
    let stored: (String, i32) = app.with_conn(|c| {
        ports::table
            .select((ports::default_languages, ports::language_wait_limit_minutes))
            .first(c)
            .unwrap()
    });
    assert_eq!(stored, ("spa,eng".to_owned(), 15));

    // An officer may not set the port's languages, only their own.
    let mut ofelia = Browser::new(&app);
    ofelia.sign_in("ofelia").await;
    let page = ofelia.get("/ports/SYS/languages").await;
    assert_status(&page, StatusCode::FORBIDDEN);
    let csrf = ofelia.csrf_from("/account/languages").await;
    let refused = ofelia
        .post(
            "/account/languages",
            &[("csrf", &csrf), ("languages", "pan, punjabi")],
        )
        .await;
    assert_status(&refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("value=\"pan, punjabi\""));
    ofelia
        .post(
            "/account/languages",
            &[("csrf", &csrf), ("languages", "pan hin")],
        )
        .await;
    let counter = ofelia.get("/ports/SYS/counters/3").await;
    assert!(
        counter
            .body
            .contains("value=\"pan\" id=\"f-languages-pan\" checked")
    );
    assert!(
        counter.body.contains("besides the port&#39;s: Spanish")
            || counter.body.contains("besides the port's: Spanish")
    );
    // With the port's languages, a counter may open with none of its own.
    let csrf = counter.csrf();
    let opened = ofelia
        .post("/ports/SYS/counters/3/languages", &[("csrf", &csrf)])
        .await;
    assert_status(&opened, StatusCode::SEE_OTHER);
}

/// Port SYS with counter 1 open for Spanish and English (ofelia at it) and counter 2 for
/// Punjabi (harpreet): both officers' browsers, each with its counter page's CSRF token.
async fn spanish_and_punjabi_counters(
    app: &common::TestApp,
) -> (Browser<'_>, String, Browser<'_>, String) {
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    app.add_user("harpreet", "officer", Some("SYS"));
    let mut ofelia = Browser::new(app);
    ofelia.sign_in("ofelia").await;
    let mut harpreet = Browser::new(app);
    harpreet.sign_in("harpreet").await;
    let csrf = ofelia.csrf_from("/ports/SYS/counters/1").await;
    ofelia
        .post(
            "/ports/SYS/counters/1/languages",
            &[("csrf", &csrf), ("languages", "spa"), ("languages", "eng")],
        )
        .await;
    let csrf2 = harpreet.csrf_from("/ports/SYS/counters/2").await;
    harpreet
        .post(
            "/ports/SYS/counters/2/languages",
            &[("csrf", &csrf2), ("languages", "pan")],
        )
        .await;
    (ofelia, csrf, harpreet, csrf2)
}

/// The windows shown on the status page follow language matching: counter 1 covers Spanish
/// and English and is free, counter 2 covers Punjabi and is serving someone. The Punjabi
/// speaker, first in line, waits for counter 2 and the Spanish speaker behind her is
/// called at counter 1 now; once the counters' languages are cleared (plain fair order) she
/// is ahead of him again.
#[actix_web::test]
async fn status_windows_follow_the_counters_that_cover_each_language() {
    use portqueue::service::public::ticket_status;
    let app = test_app();
    let (mut ofelia, csrf, mut harpreet, csrf2) = spanish_and_punjabi_counters(&app).await;
    register(&mut ofelia, "pan").await; // W-0001, called at counter 2
    let called = harpreet
        .post("/ports/SYS/counters/2/call-next", &[("csrf", &csrf2)])
        .await;
    assert_status(&called, StatusCode::SEE_OTHER);
    assert_eq!(entry(&app, "W-0001").1, "called");
    app.clock.advance(chrono::Duration::minutes(1));
    register(&mut ofelia, "pan").await; // W-0002
    register(&mut ofelia, "spa").await; // W-0003
    app.clock.advance(chrono::Duration::minutes(1));

    let token = |ticket: &str| -> String {
        app.with_conn(|c| {
            entries::table
                .filter(entries::ticket.eq(ticket))
                .select(entries::status_token)
                .first(c)
                .unwrap()
        })
    };
    let now = portqueue::clock::Clock::now(app.clock.as_ref());
    let status = |ticket: &str| {
        let token = token(ticket);
        app.with_conn(|c| ticket_status(c, &token, now).unwrap())
    };
    let (punjabi, spanish) = (status("W-0002"), status("W-0003"));
    let (p, s) = (punjabi.estimate.unwrap(), spanish.estimate.unwrap());
    let minute = portqueue::service::live::projection_instant(now);
    assert_eq!(s.earliest, minute, "counter 1 calls him now: {s:?}");
    assert!(
        p.earliest > minute,
        "she waits for counter 2 to come free: {p:?}"
    );
    assert_eq!((punjabi.position, spanish.position), (Some(2), Some(1)));
    // The status page shows his window starting this minute (09:02 in Tijuana).
    let page = ofelia.get(&format!("/t/{}", token("W-0003"))).await;
    assert_status(&page, StatusCode::OK);
    assert!(page.body.contains("09:02"), "{}", page.body);

    // Counters' languages cleared: the plain fair order, she is first again.
    ofelia
        .post("/ports/SYS/counters/1/close", &[("csrf", &csrf)])
        .await;
    harpreet
        .post("/ports/SYS/counters/2/close", &[("csrf", &csrf2)])
        .await;
    let (punjabi, spanish) = (status("W-0002"), status("W-0003"));
    assert_eq!((punjabi.position, spanish.position), (Some(1), Some(2)));
    assert!(punjabi.estimate.unwrap().earliest < spanish.estimate.unwrap().earliest);
}

/// The reviewer's steps: counter 1 open with Spanish and English, counter 2 with Punjabi,
/// both free. Two Spanish speakers and then a Punjabi speaker register within the minute.
/// Counter 2 calls the Punjabi speaker at once, so her status page shows a window from this
/// minute and nobody before her: the first Spanish speaker, ahead of her in the projected
/// order, is called at counter 1 in the same instant, not before her. The second Spanish
/// speaker waits for counter 1: both are before him.
#[actix_web::test]
async fn free_counters_with_languages_give_the_punjabi_speaker_the_window_of_her_call() {
    use portqueue::service::public::ticket_status;
    let app = test_app();
    let (mut ofelia, _, mut harpreet, csrf2) = spanish_and_punjabi_counters(&app).await;
    // Within the minute 09:00 (Tijuana): after its start, which projections are made from.
    for language in ["spa", "spa", "pan"] {
        app.clock.advance(chrono::Duration::seconds(10));
        register(&mut ofelia, language).await; // W-0001, W-0002, W-0003
    }

    let token = |ticket: &str| -> String {
        app.with_conn(|c| {
            entries::table
                .filter(entries::ticket.eq(ticket))
                .select(entries::status_token)
                .first(c)
                .unwrap()
        })
    };
    let now = portqueue::clock::Clock::now(app.clock.as_ref());
    let minute = portqueue::service::live::projection_instant(now);
    let status = |ticket: &str| {
        let token = token(ticket);
        app.with_conn(|c| ticket_status(c, &token, now).unwrap())
    };
    let (first, second, punjabi) = (status("W-0001"), status("W-0002"), status("W-0003"));
    assert_eq!(
        (first.position, punjabi.position, second.position),
        (Some(1), Some(2), Some(3)),
        "counter 1 takes the first Spanish speaker, counter 2 the Punjabi speaker"
    );
    let p = punjabi.estimate.unwrap();
    assert!(
        p.earliest < minute + chrono::Duration::minutes(1),
        "counter 2 calls her now: {p:?}"
    );
    let s = second.estimate.unwrap();
    assert!(
        s.earliest >= minute + chrono::Duration::minutes(2),
        "the second Spanish speaker waits for counter 1: {s:?}"
    );
    assert_eq!(
        (
            first.people_before,
            punjabi.people_before,
            second.people_before
        ),
        (Some(0), Some(0), Some(2))
    );
    let page = ofelia.get(&format!("/t/{}", token("W-0003"))).await;
    assert_status(&page, StatusCode::OK);
    assert!(
        page.body.contains("<dd class=\"people\">0</dd>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("09:00"), "{}", page.body);

    // And counter 2 does call her next.
    let called = harpreet
        .post("/ports/SYS/counters/2/call-next", &[("csrf", &csrf2)])
        .await;
    assert_status(&called, StatusCode::SEE_OTHER);
    assert_eq!(entry(&app, "W-0003").1, "called");
    assert_eq!(entry(&app, "W-0002").1, "waiting");
    // Someone already called is not before anyone: the second Spanish speaker has the first
    // before him, still waiting for counter 1.
    let second = status("W-0002");
    assert_eq!((second.position, second.people_before), (Some(2), Some(1)));
    let page = ofelia.get(&format!("/t/{}", token("W-0002"))).await;
    assert!(
        page.body.contains("<dd class=\"people\">1</dd>"),
        "{}",
        page.body
    );
}

/// A counter opened with its languages and not yet calling is free: the live queue lists it,
/// as the estimates count it (the Haitian Creole speaker is called there now, nobody before
/// her), whether or not another counter is free by use.
#[actix_web::test]
async fn a_counter_opened_with_languages_and_idle_is_listed_free() {
    use common::api::call;
    use portqueue::service::public::ticket_status;
    use serde_json::json;
    let app = test_app();
    let (mut ofelia, _, _, _) = spanish_and_punjabi_counters(&app).await;
    register(&mut ofelia, "spa").await; // W-0001
    let page = ofelia.get("/ports/SYS/queue").await;
    assert_status(&page, StatusCode::OK);
    assert_eq!(
        page.element_text("free-counters").unwrap(),
        "Free counters: 1, 2"
    );

    // Counter 3 (without languages) calls the Spanish speaker and completes; counter 4
    // opens for Haitian Creole and does not call yet.
    let token = app.token("ofelia");
    let (_, called) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/3/call-next",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(called["ticket"], "W-0001");
    let id = called["id"].as_i64().unwrap();
    call(
        &app,
        "POST",
        &format!("/api/v1/entries/{id}/complete"),
        Some(&token),
        None,
    )
    .await;
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/ports/SYS/counters/4/open",
        Some(&token),
        Some(json!({"languages": ["hat", "fra"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    register(&mut ofelia, "hat").await; // W-0002
    let page = ofelia.get("/ports/SYS/queue").await;
    assert_eq!(
        page.element_text("free-counters").unwrap(),
        "Free counters: 1, 2, 3, 4",
        "counter 3 is free by use, its party just gone; counter 4 opened with languages"
    );
    let status_token: String = app.with_conn(|c| {
        entries::table
            .filter(entries::ticket.eq("W-0002"))
            .select(entries::status_token)
            .first(c)
            .unwrap()
    });
    let now = portqueue::clock::Clock::now(app.clock.as_ref());
    let haitian = app.with_conn(|c| ticket_status(c, &status_token, now).unwrap());
    assert_eq!(haitian.people_before, Some(0));
}

/// At registration, while the party still waits, the officer can ask for an interpreter from
/// the ticket page: the mark commits with its event, the ticket page and the live queue show
/// it, and it can be cancelled there; once the party is called the ticket page no longer
/// offers it (the counter page does).
#[actix_web::test]
async fn an_interpreter_can_be_asked_for_from_the_ticket_page_while_the_party_waits() {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ofelia", "officer", Some("SYS"));
    let mut ofelia = Browser::new(&app);
    ofelia.sign_in("ofelia").await;
    register(&mut ofelia, "quc").await; // W-0001
    let (id, ..) = entry(&app, "W-0001");
    let requested = || {
        app.with_conn(|c| -> (bool, i64) {
            (
                entries::table
                    .find(id)
                    .select(entries::interpreter_requested)
                    .first(c)
                    .unwrap(),
                entry_events::table
                    .filter(entry_events::entry_id.eq(id))
                    .filter(entry_events::kind.eq("interpreter_requested"))
                    .count()
                    .get_result(c)
                    .unwrap(),
            )
        })
    };

    let ticket = ofelia.get(&format!("/entries/{id}/ticket")).await;
    assert_status(&ticket, StatusCode::OK);
    assert!(ticket.body.contains("Ask for an interpreter for the call"));
    assert!(!ticket.body.contains("id=\"interpreter-requested\""));
    let marked = ofelia
        .post(
            &format!("/entries/{id}/interpreter"),
            &[("csrf", &ticket.csrf()), ("back", "ticket")],
        )
        .await;
    assert_status(&marked, StatusCode::SEE_OTHER);
    let back = format!("/entries/{id}/ticket?note=interpreter");
    assert_eq!(marked.location.as_deref(), Some(back.as_str()));
    assert_eq!(requested(), (true, 1));
    let ticket = ofelia.get(&back).await;
    assert!(
        ticket
            .body
            .contains("Noted: an interpreter is requested for W-0001")
    );
    assert!(ticket.body.contains("id=\"interpreter-requested\""));
    assert!(ticket.body.contains("Cancel the interpreter request"));
    let queue = ofelia.get("/ports/SYS/queue").await;
    assert!(
        queue
            .element_text(&format!("interpreter-{id}"))
            .is_some_and(|t| t.contains("interpreter requested")),
        "{}",
        queue.body
    );

    // Cancelled from the same page.
    let cancelled = ofelia
        .post(
            &format!("/entries/{id}/interpreter"),
            &[("csrf", &ticket.csrf()), ("back", "ticket"), ("off", "1")],
        )
        .await;
    assert_eq!(
        cancelled.location.as_deref(),
        Some(format!("/entries/{id}/ticket?note=interpreter-off").as_str())
    );
    assert!(!requested().0);

    // Called: the ticket page no longer offers it.
    let page = ofelia.get("/ports/SYS/counters/1").await;
    ofelia
        .post("/ports/SYS/counters/1/call-next", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(entry(&app, "W-0001").1, "called");
    let ticket = ofelia.get(&format!("/entries/{id}/ticket")).await;
    assert!(!ticket.body.contains("Ask for an interpreter for the call"));
}
