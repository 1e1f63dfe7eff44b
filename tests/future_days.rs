//! Reports of days that have not begun: a day after the port's today is refused everywhere
//! (API, pages, downloads, what-if, the command line), and a week or month that reaches past
//! today is counted up to today, as of now, never counting waits into the future. Today is
//! the port's own date: a port east of UTC may already be on tomorrow.

mod common;

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};

use common::api::call;
use common::web::Browser;
use common::{TestApp, test_app};

/// 2026-11-30 13:00 UTC: 15:00 in Cairo (AFT), 00:00 on 1 December in Guadalcanal (MID,
/// UTC+11), 05:00 in Tijuana (SYS).
fn noon_utc() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 13, 0, 0).unwrap()
}

fn ports() -> TestApp {
    let app = test_app();
    app.clock.set(noon_utc() - Duration::days(2));
    app.add_port("AFT", "Africa/Cairo");
    app.add_port("MID", "Pacific/Guadalcanal");
    app.add_port("SYS", "America/Tijuana");
    for code in ["AFT", "MID", "SYS"] {
        let lower = code.to_lowercase();
        app.add_user(&format!("o{lower}"), "officer", Some(code));
        app.add_user(&format!("s{lower}"), "supervisor", Some(code));
    }
    app.clock.set(noon_utc());
    app
}

/// Registers `n` standard walk-ins of one person at `code`, now.
async fn walk_ins(app: &TestApp, code: &str, n: usize) {
    let officer = app.token(&format!("o{}", code.to_lowercase()));
    for _ in 0..n {
        let (status, body) = call(
            app,
            "POST",
            &format!("/api/v1/ports/{code}/walk-ins"),
            Some(&officer),
            Some(json!({"party_size": 1, "language": "spa", "barriers": ["language"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    call(app, "GET", path, Some(token), None).await
}

fn longest(report: &Value) -> f64 {
    report["fairness"]["longest_standard_single_wait"]["minutes"]
        .as_f64()
        .unwrap_or_else(|| panic!("no longest wait: {report}"))
}

fn so_far_max(report: &Value) -> f64 {
    report["waits"]["all"]["still_waiting_so_far"]["max"]
        .as_f64()
        .unwrap_or_else(|| panic!("no wait so far: {report}"))
}

fn refused_field(body: &Value, field: &str) -> String {
    body["error"]["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no message on {field}: {body}"))
        .to_owned()
}

#[actix_web::test]
async fn a_week_including_today_counts_waits_only_to_now_and_future_days_are_refused() {
    let app = ports();
    // Three parties wait at AFT from 15:00; it is read at 15:10.
    walk_ins(&app, "AFT", 3).await;
    app.clock.set(noon_utc() + Duration::minutes(10));
    let supervisor = app.token("saft");

    let (status, today) = get(
        &app,
        &supervisor,
        "/api/v1/ports/AFT/reports/daily?date=2026-11-30",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{today}");
    assert_eq!(today["complete"], false);
    assert!((longest(&today) - 10.0).abs() < 0.01, "{}", longest(&today));
    assert!((so_far_max(&today) - 10.0).abs() < 0.01);

    // The week of Monday 30 November, asked for whole: counted up to today, as of now.
    let (status, week) = get(
        &app,
        &supervisor,
        "/api/v1/ports/AFT/reports/range?from=2026-11-30&to=2026-12-06",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{week}");
    assert_eq!(week["from"], "2026-11-30");
    assert_eq!(week["to"], "2026-11-30", "only the days begun are counted");
    assert_eq!(week["asked_to"], "2026-12-06");
    assert_eq!(week["days"], 1);
    assert_eq!(week["complete"], false);
    assert_eq!(week["as_of"], today["as_of"]);
    assert_eq!(
        week["daily"].as_array().unwrap().len(),
        1,
        "{}",
        week["daily"]
    );
    assert_eq!(
        longest(&week),
        longest(&today),
        "the longest wait is today's"
    );
    assert_eq!(so_far_max(&week), so_far_max(&today));
    assert_eq!(week["outcomes"]["waiting"], 3);
    // A range that ends in the past says nothing was cut.
    let (status, past) = get(
        &app,
        &supervisor,
        "/api/v1/ports/AFT/reports/range?from=2026-11-23&to=2026-11-29",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{past}");
    assert_eq!(past["asked_to"], Value::Null);
    assert_eq!(past["complete"], true);
    assert_eq!(past["as_of"], Value::Null);

    // A day that has not begun: refused, naming the field and today.
    let (status, body) = get(
        &app,
        &supervisor,
        "/api/v1/ports/AFT/reports/daily?date=2026-12-01",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        refused_field(&body, "date"),
        "that day has not begun at this port (today is 2026-11-30)"
    );
    // A range wholly after today: refused on `from`.
    let (status, body) = get(
        &app,
        &supervisor,
        "/api/v1/ports/AFT/reports/range?from=2026-12-01&to=2026-12-06",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        refused_field(&body, "from").contains("has not begun"),
        "{body}"
    );
    // The what-if of a future day too.
    let (status, body) = get(
        &app,
        &supervisor,
        "/api/v1/ports/AFT/reports/what-if?date=2026-12-05",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        refused_field(&body, "date").contains("has not begun"),
        "{body}"
    );
}

#[actix_web::test]
async fn the_pages_and_downloads_offer_no_future_day_and_cut_the_week_at_today() {
    let app = ports();
    walk_ins(&app, "AFT", 3).await;
    app.clock.set(noon_utc() + Duration::minutes(10));
    let mut browser = Browser::new(&app);
    browser.sign_in("saft").await;

    let page = browser.get("/ports/AFT/reports?date=today").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Previous day (2026-11-29)"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Next day"),
        "no link to a day not begun"
    );
    let week = "/ports/AFT/reports?from=2026-11-30&#38;to=2026-12-06";
    assert!(page.body.contains(week), "the week link: {}", page.body);
    assert!(
        page.body
            .contains("/ports/AFT/reports?from=2026-11-01&#38;to=2026-11-30")
    );
    // Yesterday's page still leads to today.
    let page = browser.get("/ports/AFT/reports?date=2026-11-29").await;
    assert!(page.body.contains("Next day (2026-11-30)"));

    // The week link works, counted up to today and saying so.
    let page = browser.get(&week.replace("&#38;", "&")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(
            "Report for 30 November 2026 to 6 December 2026, up to today, 30 November, \
             as of 15:10 (1 day)"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("The days after today (1 December to 6 December) have not begun")
    );
    let days = page.element_text("t-days").unwrap();
    assert!(days.contains("Mon 2026-11-30 (so far, to 15:10)"), "{days}");
    assert!(!days.contains("2026-12-01"), "{days}");

    let (status, csv) = browser_csv(
        &mut browser,
        "/ports/AFT/reports.csv?from=2026-11-30&to=2026-12-06",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("report,asked_to,,2026-12-06\r\n"), "{csv}");
    assert!(csv.contains("report,to,,2026-11-30\r\n"));
    assert!(csv.contains("report,complete,,false\r\n"));
    assert!(
        csv.contains("waits,all.still_waiting_so_far.max,,10.0\r\n"),
        "{csv}"
    );

    // A future day, by page, CSV, JSON and what-if: refused with the reason.
    for path in [
        "/ports/AFT/reports?date=2026-12-02",
        "/ports/AFT/reports.csv?date=2026-12-02",
        "/ports/AFT/reports.json?date=2026-12-02",
        "/ports/AFT/reports?from=2026-12-01&to=2026-12-06",
        "/ports/AFT/reports/what-if?date=2026-12-02",
        "/ports/AFT/reports/languages?date=2026-12-02",
    ] {
        let page = browser.get(path).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            page.body
        );
        assert!(
            page.body
                .contains("that day has not begun at this port (today is 2026-11-30)"),
            "{path}: {}",
            page.body
        );
    }
}

async fn browser_csv(browser: &mut Browser<'_>, path: &str) -> (StatusCode, String) {
    let page = browser.get(path).await;
    (page.status, page.body)
}

#[actix_web::test]
async fn today_is_the_ports_own_date_after_midnight_east_and_before_it_west() {
    let app = ports();
    // 00:00 on 1 December at MID: one party registers at 00:01 and is read at 00:11.
    app.clock.set(noon_utc() + Duration::minutes(1));
    walk_ins(&app, "MID", 1).await;
    app.clock.set(noon_utc() + Duration::minutes(11));
    let mid = app.token("smid");
    let (status, today) = get(
        &app,
        &mid,
        "/api/v1/ports/MID/reports/daily?date=2026-12-01",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "at MID, 1 December is today: {today}"
    );
    assert!((so_far_max(&today) - 10.0).abs() < 0.01);
    let (status, body) = get(
        &app,
        &mid,
        "/api/v1/ports/MID/reports/daily?date=2026-12-02",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused_field(&body, "date").contains("(today is 2026-12-01)"),
        "{body}"
    );
    // The month of December, asked for whole on its first minutes: one day, to now.
    let (status, month) = get(
        &app,
        &mid,
        "/api/v1/ports/MID/reports/range?from=2026-12-01&to=2026-12-31",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{month}");
    assert_eq!(
        (month["to"].as_str(), month["days"].as_u64()),
        (Some("2026-12-01"), Some(1))
    );
    assert_eq!(so_far_max(&month), so_far_max(&today));
    assert_eq!(longest(&month), longest(&today));

    // At SYS (Tijuana, 05:11 on 30 November) the UTC date is already 30 November, and it
    // stays 30 November there after UTC midnight: 1 December is refused at 03:00 UTC.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap());
    let sys = app.token("ssys");
    let (status, body) = get(
        &app,
        &sys,
        "/api/v1/ports/SYS/reports/daily?date=2026-12-01",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        refused_field(&body, "date").contains("(today is 2026-11-30)"),
        "{body}"
    );
    let (status, _) = get(
        &app,
        &sys,
        "/api/v1/ports/SYS/reports/daily?date=2026-11-30",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn the_command_line_refuses_a_day_not_begun() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path());
    let out = common::cli::portqueue(None, Some(&url), &common::cli::ADD_SYS, None);
    assert!(out.status.success());
    // Three days after the UTC date is after today in every time zone.
    let later = (Utc::now() + Duration::days(3)).date_naive().to_string();
    let out = common::cli::portqueue(
        None,
        Some(&url),
        &["report", "--port", "SYS", "--date", &later],
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("date: that day has not begun at this port (today is "),
        "{err}"
    );
    // Today (at the port) is still given.
    let today = Utc::now()
        .with_timezone(&chrono_tz::America::Tijuana)
        .date_naive()
        .to_string();
    let out = common::cli::portqueue(
        None,
        Some(&url),
        &[
            "report", "--port", "SYS", "--date", &today, "--format", "json",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The cells of the first table row whose text contains `needle`, tags stripped.
fn row_cells(body: &str, needle: &str) -> Vec<String> {
    let at = body
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} on the page:\n{body}"));
    let start = body[..at].rfind("<tr").expect("the row's start");
    let end = at + body[at..].find("</tr>").expect("the row's end");
    body[start..end]
        .replace("</th>", "</td>")
        .split("</td>")
        .map(|cell| {
            // The cell's text: what is outside its tags (a link inside a header cell too).
            let mut text = String::new();
            let mut in_tag = false;
            for c in cell.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            common::web::unescape(text.trim())
        })
        .filter(|cell| !cell.is_empty())
        .collect()
}

/// The `hours_counted` of each line of a range's `daily`, by date.
fn hours_counted(range: &Value) -> Vec<(String, f64, u64)> {
    range["daily"]
        .as_array()
        .unwrap_or_else(|| panic!("no daily: {range}"))
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["hours_counted"]
                    .as_f64()
                    .unwrap_or_else(|| panic!("no hours_counted: {d}")),
                d["hours"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_range_ending_today_counts_todays_hours_only_to_now_on_the_page_and_in_the_downloads() {
    let app = ports();
    // Two parties wait at AFT (Cairo) from 14:00; the range is read at 15:00, then 15:15.
    app.clock.set(noon_utc() - Duration::hours(1));
    walk_ins(&app, "AFT", 2).await;
    app.clock.set(noon_utc());
    let supervisor = app.token("saft");
    let mut browser = Browser::new(&app);
    browser.sign_in("saft").await;
    let range = "from=2026-11-29&to=2026-11-30";

    let (status, json) = get(
        &app,
        &supervisor,
        &format!("/api/v1/ports/AFT/reports/range?{range}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        hours_counted(&json),
        vec![
            ("2026-11-29".to_owned(), 24.0, 24),
            ("2026-11-30".to_owned(), 15.0, 24)
        ]
    );
    assert!((so_far_max(&json) - 60.0).abs() < 0.01, "waits to now only");

    let page = browser.get(&format!("/ports/AFT/reports?{range}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let today = row_cells(&page.body, "Mon 2026-11-30 (so far, to 15:00)");
    assert_eq!(today[1], "15 of 24", "{today:?}");
    let yesterday = row_cells(&page.body, "Sun 2026-11-29");
    assert_eq!(yesterday[1], "24", "{yesterday:?}");
    // The downloads of the same range say the same.
    let csv = browser
        .get(&format!("/ports/AFT/reports.csv?{range}"))
        .await;
    assert!(
        csv.body.contains("daily,hours_counted,2026-11-30,15.0\r\n"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("daily,hours_counted,2026-11-29,24.0\r\n"));
    assert!(csv.body.contains("daily,hours,2026-11-30,24\r\n"));
    let download = browser
        .get(&format!("/ports/AFT/reports.json?{range}"))
        .await;
    let download: Value = serde_json::from_str(&download.body).unwrap();
    assert_eq!(hours_counted(&download), hours_counted(&json));
    // Today's own page says how far it is counted.
    let day = browser.get("/ports/AFT/reports?date=2026-11-30").await;
    assert!(
        day.body.contains("counted to 15:00 (15 of 24 hours)"),
        "{}",
        day.body
    );

    // A quarter of an hour later: a quarter of an hour more, everywhere.
    app.clock.set(noon_utc() + Duration::minutes(15));
    let (_, json) = get(
        &app,
        &supervisor,
        &format!("/api/v1/ports/AFT/reports/range?{range}"),
    )
    .await;
    assert_eq!(hours_counted(&json)[1].1, 15.25);
    let page = browser.get(&format!("/ports/AFT/reports?{range}")).await;
    let today = row_cells(&page.body, "Mon 2026-11-30 (so far, to 15:15)");
    assert_eq!(today[1], "15.25 of 24", "{today:?}");
    let csv = browser
        .get(&format!("/ports/AFT/reports.csv?{range}"))
        .await;
    assert!(
        csv.body
            .contains("daily,hours_counted,2026-11-30,15.25\r\n"),
        "{}",
        csv.body
    );
}

#[actix_web::test]
async fn just_after_midnight_today_counts_minutes_and_yesterday_is_whole() {
    let app = ports();
    // At MID (UTC+11) one party arrives at 23:50 on 30 November; read at 00:07 on 1 December.
    app.clock.set(noon_utc() - Duration::minutes(10));
    walk_ins(&app, "MID", 1).await;
    app.clock.set(noon_utc() + Duration::minutes(7));
    let supervisor = app.token("smid");
    let range = "from=2026-11-30&to=2026-12-06";
    let (status, json) = get(
        &app,
        &supervisor,
        &format!("/api/v1/ports/MID/reports/range?{range}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        hours_counted(&json),
        vec![
            ("2026-11-30".to_owned(), 24.0, 24),
            ("2026-12-01".to_owned(), 0.12, 24)
        ]
    );
    assert!(
        (so_far_max(&json) - 17.0).abs() < 0.01,
        "the wait runs to 00:07, not to midnight tonight: {}",
        so_far_max(&json)
    );
    let mut browser = Browser::new(&app);
    browser.sign_in("smid").await;
    let page = browser.get(&format!("/ports/MID/reports?{range}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let today = row_cells(&page.body, "Tue 2026-12-01 (so far, to 00:07)");
    assert_eq!(today[1], "0.12 of 24", "{today:?}");
    assert_eq!(row_cells(&page.body, "Mon 2026-11-30")[1], "24");
    let csv = browser
        .get(&format!("/ports/MID/reports.csv?{range}"))
        .await;
    assert!(
        csv.body.contains("daily,hours_counted,2026-12-01,0.12\r\n"),
        "{}",
        csv.body
    );
}
