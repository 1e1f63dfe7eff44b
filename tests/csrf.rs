//! Every form that posts is refused without its token. The forms are not listed here: the
//! test signs in as each role, follows every link the pages show, and posts every
//! `method="post"` form it finds without the `csrf` field, so a new form is covered as soon
//! as a page shows it.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use actix_web::http::StatusCode;

use common::test_app;
use common::web::{Browser, unescape};

/// Links a crawl must not follow: the live feed never ends, and the static files and public
/// pages show no officer forms.
fn followed(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.ends_with("/events")
        && !path.starts_with("/static/")
        && !path.starts_with("/t/")
}

/// The values of `attribute="…"` in each tag named `tag` of an HTML page.
fn tags<'a>(body: &'a str, tag: &str) -> Vec<&'a str> {
    body.match_indices(&format!("<{tag}"))
        .filter_map(|(at, _)| body[at..].find('>').map(|end| &body[at..at + end]))
        .collect()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + end]))
}

/// Every post form the pages reachable from `/` show to this browser: action → multipart.
async fn post_forms(browser: &mut Browser<'_>, seeds: &[String]) -> BTreeMap<String, bool> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = seeds.iter().cloned().collect();
    let mut forms = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        if seen.len() >= 120 || !seen.insert(path.clone()) {
            continue;
        }
        let page = browser.get(&path).await;
        if page.status != StatusCode::OK || !page.content_type.starts_with("text/html") {
            continue;
        }
        for a in tags(&page.body, "a ") {
            if let Some(href) = attribute(a, "href") {
                let href = href.split('#').next().unwrap_or_default().to_owned();
                if followed(&href) && !seen.contains(&href) {
                    queue.push_back(href);
                }
            }
        }
        for form in tags(&page.body, "form") {
            let post = attribute(form, "method").is_some_and(|m| m.eq_ignore_ascii_case("post"));
            if post {
                let action = attribute(form, "action").unwrap_or_else(|| path.clone());
                let multipart = attribute(form, "enctype")
                    .is_some_and(|e| e.eq_ignore_ascii_case("multipart/form-data"));
                forms.insert(action, multipart);
            }
        }
    }
    forms
}

#[actix_web::test]
async fn every_form_that_posts_is_refused_without_its_token() {
    let app = test_app();
    app.add_port("SYS", "America/Tijuana");
    app.add_user("ada", "admin", None);
    app.add_user("sue", "supervisor", Some("SYS"));
    app.add_user("otto", "officer", Some("SYS"));

    // An entry called to a counter, so that the ticket and the counter's actions show.
    let mut officer = Browser::new(&app);
    officer.sign_in("otto").await;
    let walk_in = "/ports/SYS/walk-ins/new";
    let fields = [
        ("language", "spa"),
        ("party_size", "1"),
        ("barriers", "language"),
    ];
    let registered = officer.submit(walk_in, walk_in, &fields).await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    let ticket = registered.location.expect("the ticket");
    let counter = "/ports/SYS/counters/1";
    let called = officer
        .submit(counter, &format!("{counter}/call-next"), &[])
        .await;
    assert_eq!(called.status, StatusCode::SEE_OTHER, "{}", called.body);

    let mut all = BTreeSet::new();
    for (username, extra) in [
        (
            "otto",
            vec![
                ticket.clone(),
                "/ports/SYS/counters/1".to_owned(),
                "/ports/SYS/counters/2".to_owned(),
            ],
        ),
        ("sue", vec![]),
        ("ada", vec![]),
    ] {
        let mut browser = Browser::new(&app);
        browser.sign_in(username).await;
        let mut seeds = vec!["/".to_owned()];
        seeds.extend(extra);
        let forms = post_forms(&mut browser, &seeds).await;
        for (action, multipart) in &forms {
            let page = if *multipart {
                browser
                    .post_file(action, &[], "file", "x.csv", b"confirmation\n")
                    .await
            } else {
                browser.post(action, &[("x", "1")]).await
            };
            assert_eq!(
                page.status,
                StatusCode::FORBIDDEN,
                "{username}: POST {action} without its token: {}",
                page.body
            );
            all.insert(action.clone());
        }
        // The session still works: nothing above signed it out.
        let home = browser.get("/").await;
        assert!(
            !home
                .location
                .as_deref()
                .unwrap_or_default()
                .starts_with("/login"),
            "{username} was signed out"
        );
    }
    // The sign-in form refuses a post without its double-submit token too.
    let mut stranger = Browser::new(&app);
    let page = stranger
        .post(
            "/login",
            &[("username", "ada"), ("password", common::PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);

    // The crawl reached the forms of every part of the app, not a few of them.
    for expected in [
        "/logout",
        "/ports/SYS/walk-ins/new",
        "/ports/SYS/check-in",
        "/ports/SYS/counters/2/call-next",
        "/entries/1/complete",
        "/entries/1/undo",
        "/ports/SYS/appointments/import",
        "/admin/security/retention",
        "/ports/SYS/policy",
        "/admin/ports",
        "/admin/accounts",
        "/account/password",
    ] {
        assert!(all.contains(expected), "{expected} not found among {all:?}");
    }
    assert!(all.len() >= 15, "only {} forms found: {all:?}", all.len());
}
