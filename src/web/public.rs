//! What applicants and the waiting room see, without signing in: a ticket's status page (the
//! QR code's target) and a port's "now serving" board with its live feed.
//!
//! None of these handlers takes the session extractor, and everything they show comes from
//! [`crate::service::public`], whose types carry ticket numbers, statuses, positions,
//! windows and counters only: no name, nationality, barrier, note, tier or vulnerability
//! can reach a public page because none is ever loaded into what they render.
//!
//! Applicants read many languages, or none: the status page speaks the ticket's language
//! (then Spanish and English) with a switch to every language we have text in; the board
//! shows numbers large enough to read across a room, headed in the port's own languages
//! ([`board_languages`]), and can say them aloud through the browser's own speech synthesis.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType, HeaderName, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::stream::{self, Stream, StreamExt};
use portqueue_core::Status;
use portqueue_core::languages::{self, Language};
use portqueue_core::tickets::{Arg, Catalog, Pictogram};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::AppError;
use crate::service::live;
use crate::service::public::{self, TicketStatus, local_hhmm, window_times};

pub mod board_hub;
pub mod listen;
pub mod status_pages;

pub use board_hub::MAX_FEEDS;
use board_hub::{Current, FeedPermit, SharedBoard};

use super::assets;

/// How often the live feed asks whether the board changed (one indexed read per board).
pub const FEED_POLL: Duration = Duration::from_secs(1);
/// A comment line this often keeps proxies and the browser from closing a quiet feed, and
/// finds out soon that a client went away: a write to a closed connection fails and drops
/// the feed, which frees its place (a feed that never writes would hold it for good).
pub const FEED_HEARTBEAT: Duration = Duration::from_secs(3);
/// What the browser waits before reconnecting a dropped feed, in milliseconds.
const FEED_RETRY_MS: u32 = 2000;
/// `Retry-After` of a feed refused because [`MAX_FEEDS`] are open, in seconds (the script
/// polls the JSON meanwhile and tries the feed again after its own 10 s).
const FEED_FULL_RETRY_SECONDS: u32 = 10;
/// The board's languages at a port that has set none we have text for (and, with English,
/// the second language beside a port's only one).
const DEFAULT_SPEAK: [&str; 2] = ["spa", "eng"];
/// At most this many languages head the board: more would crowd a screen read across a room.
const MAX_BOARD_LANGUAGES: usize = 3;
/// At most this many spoken languages: each call is said in every one of them.
const MAX_SPEAK: usize = 6;

/// Headers of every public answer: never cached (the status changes, and a shared phone
/// must not show the last person's ticket from cache), never indexed, and no `Referer` that
/// would carry the ticket's token to another site.
fn public_headers(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

fn public_page<T: askama::Template>(status: StatusCode, page: &T) -> HttpResponse {
    public_headers(super::render(status, page))
}

/// A message in the language with this ISO 639-3 code, else Spanish, else English; never
/// the message id (see [`Catalog::say`]).
fn say(code: &str, id: &str, args: &[(&str, Arg<'_>)]) -> String {
    Catalog::shared().say(code, id, args)
}

/// One language's sentence of a public page (an error, the pause link).
#[derive(Debug, Clone)]
struct Sentence {
    tag: &'static str,
    dir: &'static str,
    text: String,
}

#[derive(askama::Template)]
#[template(path = "public_not_found.html")]
struct PublicErrorPage {
    asset_version: &'static str,
    tag: &'static str,
    dir: &'static str,
    /// The "ask an officer" pictogram and its text in the page's language.
    pictogram: &'static str,
    alt: String,
    blocks: Vec<Sentence>,
}

/// A failed public request, said in `language` (then Spanish and English) with the pictogram
/// to ask an officer: a ticket address that was mistyped or is not ours says only that, and
/// never whether some ticket exists; anything else says to try again or ask. The details stay
/// in the log.
fn failed_in(error: AppError, language: Option<&'static Language>) -> HttpResponse {
    let (status, id) = match &error {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "error-not-found"),
        other => {
            log::warn!("public page failed: {}", other.message());
            (
                StatusCode::from_u16(other.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "error-failed",
            )
        }
    };
    let catalog = Catalog::shared();
    let shown = catalog.languages_for(language.map_or("spa", |l| l.code));
    let primary = shown[0];
    let page = PublicErrorPage {
        asset_version: assets::version(),
        tag: primary.tag,
        dir: primary.dir(),
        pictogram: Pictogram::AskOfficer.file_name(),
        alt: say(primary.code, Pictogram::AskOfficer.message_id(), &[]),
        blocks: shown
            .iter()
            .map(|l| Sentence {
                tag: l.tag,
                dir: l.dir(),
                text: say(l.code, id, &[]),
            })
            .collect(),
    };
    public_page(status, &page)
}

/// A failed public request in Spanish and English (the board, which speaks to everyone).
fn failed(error: AppError) -> HttpResponse {
    failed_in(error, None)
}

/// The language an error on `/t/...` speaks: the one the page was switched to (`?lang=`),
/// else the first of the phone's languages (`Accept-Language`) we have text for: the ticket
/// itself could not be read, so this is the best guess at the ticket's language.
fn error_language(req: &HttpRequest, lang: &str) -> Option<&'static Language> {
    let catalog = Catalog::shared();
    if let Some(l) = languages::find(lang).filter(|l| catalog.has(l.code)) {
        return Some(l);
    }
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.split(',').find_map(|part| {
        let tag = part.split(';').next()?.trim().to_ascii_lowercase();
        let primary = tag.split('-').next()?;
        catalog
            .languages()
            .find(|l| l.tag.eq_ignore_ascii_case(&tag) || l.tag.split('-').next() == Some(primary))
    })
}

// ---------------------------------------------------------------------------------------
// Status page

/// One language's part of the status page.
#[derive(Debug, Clone)]
struct StatusBlock {
    tag: &'static str,
    dir: &'static str,
    status_label: String,
    status_text: String,
    people_label: String,
    people_before: Option<u32>,
    estimate_label: String,
    estimate: Option<String>,
    interpreter: Option<String>,
    auto_refresh: String,
    /// The language's own name, for the Listen button's offer of another language.
    native: &'static str,
    /// What the Listen button says in this language (`listen::spoken`).
    speech: String,
}

/// A link of the language switch.
#[derive(Debug, Clone)]
struct LanguageLink {
    code: &'static str,
    tag: &'static str,
    native: &'static str,
    current: bool,
}

#[derive(askama::Template)]
#[template(path = "status.html")]
struct StatusPage {
    asset_version: &'static str,
    tag: &'static str,
    dir: &'static str,
    port_name: String,
    ticket: String,
    your_ticket: String,
    /// `waiting`, `called`, ...: a style hook, not text.
    state: &'static str,
    counter: Option<u32>,
    counter_label: String,
    go_to_counter: &'static str,
    /// The pictogram's text, in the page's language.
    go_to_counter_alt: String,
    /// "Stop updating" (or, while paused, "update by itself") in each shown language.
    refresh_links: Vec<Sentence>,
    blocks: Vec<StatusBlock>,
    language_label: String,
    languages: Vec<LanguageLink>,
    /// Whether the reader stopped the page from reloading itself.
    paused: bool,
    /// The language chosen with the switch (ISO 639-3), for links back to this page; empty
    /// for the ticket's own.
    code: &'static str,
    /// `&refresh=off` while paused, so switching language keeps the choice.
    keep: &'static str,
    /// The Listen button's words, in the page's language.
    listen: listen::ListenTexts,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusQuery {
    #[serde(default)]
    lang: String,
    /// `off` stops the page from reloading itself.
    #[serde(default)]
    refresh: String,
}

impl StatusPage {
    fn new(status: &TicketStatus, chosen: Option<&'static Language>, paused: bool) -> StatusPage {
        let catalog = Catalog::shared();
        // The language asked for by the switch, else the ticket's own.
        let asked = chosen.map_or(status.language.as_str(), |l| l.code);
        let shown = catalog.languages_for(asked);
        let needs_interpreter = chosen.is_none() && catalog.needs_interpreter(&status.language);
        let primary = shown[0];
        let counter = status.counter.map(|c| c.to_string());
        let window = status
            .estimate
            .as_ref()
            .map(|w| window_times(&status.port, w, status.read_at));
        let blocks = shown
            .iter()
            .map(|language| {
                let code = language.code;
                let status_text = match status.status {
                    Status::Waiting => say(code, "status-waiting", &[]),
                    Status::Called => say(
                        code,
                        "status-called",
                        &[("counter", counter.as_deref().unwrap_or("?").into())],
                    ),
                    Status::Served => say(code, "status-served", &[]),
                    Status::NoShow => say(code, "status-no-show", &[]),
                    Status::Withdrawn => say(code, "status-withdrawn", &[]),
                };
                let people_before = status.people_before;
                let estimate = match (&window, status.status) {
                    (Some((earliest, latest)), _) => Some(say(
                        code,
                        "status-between",
                        &[("earliest", earliest.into()), ("latest", latest.into())],
                    )),
                    // Waiting without a window: no counter open, or further back than the
                    // estimates look ahead. Said which, never a made-up time.
                    (None, Status::Waiting) => Some(say(
                        code,
                        crate::service::tickets::no_window_key(status.beyond_estimate),
                        &[],
                    )),
                    (None, _) => None,
                };
                let interpreter = needs_interpreter.then(|| say(code, "ticket-interpreter", &[]));
                let speech = listen::spoken(
                    code,
                    &status.ticket,
                    status.status,
                    &status_text,
                    people_before,
                    estimate.as_deref(),
                    interpreter.as_deref(),
                );
                StatusBlock {
                    tag: language.tag,
                    dir: language.dir(),
                    native: language.native,
                    speech,
                    status_label: say(code, "status-status", &[]),
                    status_text,
                    people_label: say(code, "status-people-before-you", &[]),
                    people_before,
                    estimate_label: say(code, "status-estimated-call-time", &[]),
                    estimate,
                    interpreter,
                    auto_refresh: say(code, "status-auto-refresh", &[]),
                }
            })
            .collect();
        StatusPage {
            asset_version: assets::version(),
            tag: primary.tag,
            dir: primary.dir(),
            port_name: status.port_name.clone(),
            ticket: status.ticket.clone(),
            your_ticket: say(primary.code, "status-your-ticket", &[]),
            state: status.status.as_str(),
            counter: status.counter,
            counter_label: say(primary.code, "board-counter", &[]),
            go_to_counter: Pictogram::GoToCounter.file_name(),
            go_to_counter_alt: say(primary.code, Pictogram::GoToCounter.message_id(), &[]),
            refresh_links: shown
                .iter()
                .map(|l| Sentence {
                    tag: l.tag,
                    dir: l.dir(),
                    text: say(
                        l.code,
                        if paused {
                            "status-keep-updating"
                        } else {
                            "status-stop-updating"
                        },
                        &[],
                    ),
                })
                .collect(),
            blocks,
            language_label: say(primary.code, "status-language", &[]),
            languages: catalog
                .languages()
                .map(|l| LanguageLink {
                    code: l.code,
                    tag: l.tag,
                    native: l.native,
                    current: l.code == primary.code,
                })
                .collect(),
            paused,
            code: chosen.map_or("", |l| l.code),
            keep: if paused { "&refresh=off" } else { "" },
            listen: listen::ListenTexts::new(primary),
        }
    }
}

/// How often the status page reloads itself, in seconds.
const STATUS_REFRESH_SECONDS: u32 = 30;

/// `GET /t/{token}`: a ticket's status, for the applicant's phone. No session, no script.
///
/// The page reloads itself every 30 s with the `Refresh` header (what
/// `<meta http-equiv="refresh">` does, and as widely supported), and offers a link that stops
/// it: a reload that cannot be turned off fails WCAG 2.2.1, and would make a screen reader
/// start over every half minute.
pub async fn status_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: web::Query<StatusQuery>,
) -> HttpResponse {
    let token = token.into_inner();
    // Free text is never a language: only a code we have text for switches.
    let chosen = languages::find(&query.lang).filter(|l| Catalog::shared().has(l.code));
    let paused = query.refresh == "off";
    let key = status_pages::Key {
        token: token.clone(),
        language: chosen.map_or("", |l| l.code),
        paused,
    };
    let now = state.now();
    if let Some(page) = state.status_pages.get(&key) {
        if !page.usable(live::projection_instant(now), now) {
            state.status_pages.forget(&key);
        } else if let Ok(current) = feed_board(&state, &page.port_code).await
            && current.port.revision == page.revision
        {
            return status_response(page.body.clone(), paused);
        }
    }
    let found = state
        .run(move |conn, now| public::ticket_status(conn, &token, now))
        .await;
    match found {
        Ok(status) => {
            let body = match StatusPage::new(&status, chosen, paused).render() {
                Ok(body) => Bytes::from(body),
                Err(e) => return failed(AppError::Internal(format!("status page: {e}"))),
            };
            state.status_pages.keep(
                key,
                status_pages::Page {
                    body: body.clone(),
                    port_code: status.port_code.clone(),
                    revision: status.port.revision,
                    minute: live::projection_instant(status.read_at),
                    answers_until: status.answers_until,
                },
            );
            status_response(body, paused)
        }
        Err(e) => {
            state.status_pages.forget(&key);
            failed_in(e, error_language(&req, &query.lang))
        }
    }
}

/// A rendered status page as the answer, with the public headers and, unless paused, the
/// header that reloads it.
fn status_response(body: Bytes, paused: bool) -> HttpResponse {
    let mut response = public_headers(
        super::html(StatusCode::OK, String::new())
            .set_body(body)
            .map_into_boxed_body(),
    );
    if !paused {
        response
            .headers_mut()
            .insert(header::REFRESH, HeaderValue::from(STATUS_REFRESH_SECONDS));
    }
    response
}

// ---------------------------------------------------------------------------------------
// "Now serving" board

/// A called ticket as the board shows it.
#[derive(Debug, Clone)]
struct CalledRow {
    ticket: String,
    counter: u32,
}

/// What the board's script needs: where the feed is, the port's zone for the clock, and
/// the sentence to speak in each chosen language.
#[derive(Debug, Serialize)]
struct BoardConfig {
    events: String,
    json: String,
    timezone: String,
    announce: Vec<Announcement>,
    /// The sentence in every language we have text for, while the port announces calls in
    /// the called ticket's language (each call in the feed then carries its tag); else empty.
    by_language: Vec<Announcement>,
}

/// `board-announce` in one language, with `{ticket}` and `{counter}` for the script to fill.
#[derive(Debug, Serialize)]
struct Announcement {
    tag: &'static str,
    text: String,
}

/// One language's words of a board heading. The first is in the page's language (`<html
/// lang>`); the others, and one that fell back to English, carry their own `lang`.
#[derive(Debug, Clone)]
struct BoardWords {
    tag: &'static str,
    /// The words' direction where it differs from the page's.
    dir: Option<&'static str>,
    text: String,
    /// Whether the words need their own `lang` (and `dir`): not in the page's language, or
    /// not the first.
    marked: bool,
}

#[derive(askama::Template)]
#[template(path = "board.html")]
struct BoardPage {
    asset_version: &'static str,
    /// The page's language (the board's first) and its direction.
    lang: &'static str,
    dir: &'static str,
    port_name: String,
    clock: String,
    called: Vec<CalledRow>,
    next: Vec<String>,
    now_serving: Vec<BoardWords>,
    counter: Vec<BoardWords>,
    ticket_label: Vec<BoardWords>,
    next_label: Vec<BoardWords>,
    /// The staff's sound button and the voices line under the board, in the board's
    /// languages like its headings; board.js copies the voices line's words from the page.
    sound_label: Vec<BoardWords>,
    voice_label: Vec<BoardWords>,
    no_voice_label: Vec<BoardWords>,
    /// The spoken languages' own names, each marked with its language.
    speak_names: Vec<BoardWords>,
    config: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    speak: String,
}

/// The languages to speak: the listed codes we have text for, in the order given; the
/// board's own languages when the list names none.
fn speak_languages(list: &str, board: &[&'static Language]) -> Vec<&'static Language> {
    let catalog = Catalog::shared();
    let asked: Vec<&str> = if list.trim().is_empty() {
        board.iter().map(|l| l.code).collect()
    } else {
        list.split(',').collect()
    };
    let mut chosen: Vec<&'static Language> = Vec::new();
    for code in asked {
        if let Some(language) = languages::find(code).filter(|l| catalog.has(l.code))
            && !chosen.iter().any(|c| c.code == language.code)
            && chosen.len() < MAX_SPEAK
        {
            chosen.push(language);
        }
    }
    chosen
}

/// The languages of a port's board: the languages every counter of the port covers (its
/// default languages, in the order the supervisor gave them) that we have text for, at most
/// [`MAX_BOARD_LANGUAGES`]. A port with only one gets English beside it (Spanish beside
/// English); a port with none, Spanish and English, as every board had before ports had
/// languages.
fn board_languages(port: &crate::db::models::Port) -> Vec<&'static Language> {
    let catalog = Catalog::shared();
    let mut chosen: Vec<&'static Language> = Vec::new();
    for code in crate::service::counter_languages::split(&port.default_languages) {
        if let Some(language) = languages::find(&code).filter(|l| catalog.has(l.code))
            && !chosen.iter().any(|c| c.code == language.code)
            && chosen.len() < MAX_BOARD_LANGUAGES
        {
            chosen.push(language);
        }
    }
    let fallback = match chosen.as_slice() {
        [] => DEFAULT_SPEAK.to_vec(),
        [only] if only.code == "eng" => vec!["spa"],
        [_] => vec!["eng"],
        _ => Vec::new(),
    };
    chosen.extend(fallback.into_iter().filter_map(languages::find));
    chosen
}

/// The board page's language and direction (`<html lang dir>`): its first language's.
fn board_page_language(board: &[&'static Language]) -> (&'static str, &'static str) {
    board.first().map_or(("en", "ltr"), |l| (l.tag, l.dir()))
}

/// One message in each of the board's languages, for its headings and the staff's labels.
/// A language whose catalog lacks the message gets the English words, marked as English
/// (never another language's words under its tag), once.
fn in_board_languages(id: &str, board: &[&'static Language]) -> Vec<BoardWords> {
    let catalog = Catalog::shared();
    let (page, page_dir) = board_page_language(board);
    let mut words: Vec<BoardWords> = Vec::new();
    for language in board {
        let (language, text) = match catalog.message(language.code, id, &[]) {
            Some(text) => (*language, text),
            None => match languages::find("eng") {
                Some(english) => (english, say("eng", id, &[])),
                None => continue,
            },
        };
        if words.iter().any(|w| w.tag == language.tag) {
            continue;
        }
        words.push(BoardWords {
            tag: language.tag,
            dir: Some(language.dir()).filter(|d| *d != page_dir),
            marked: !words.is_empty() || language.tag != page,
            text,
        });
    }
    words
}

/// The board's sentence template for one language. Isolation marks are for the eye; the
/// speech engine gets plain text.
fn announcement(language: &'static Language) -> Announcement {
    let text = say(
        language.code,
        "board-announce",
        &[
            ("ticket", "{ticket}".into()),
            ("counter", "{counter}".into()),
        ],
    )
    .chars()
    .filter(|c| !('\u{2066}'..='\u{2069}').contains(c))
    .collect();
    Announcement {
        tag: language.tag,
        text,
    }
}

/// The board of `code` from the hub, as of a revision check at most [`FEED_POLL`] old and
/// after every change this process made: what the page and its JSON show includes every
/// change made through this server, and another server's within a second. Most requests are
/// served from the kept answer without waiting on any check or the database.
async fn fresh_board(state: &AppState, code: &str) -> Result<Current, AppError> {
    feed_board(state, code).await
}

/// The board of `code` from the hub, as of a revision check at most [`FEED_POLL`] old: all
/// the feeds of a port share about one check a second.
async fn feed_board(state: &AppState, code: &str) -> Result<Current, AppError> {
    let since = Instant::now()
        .checked_sub(FEED_POLL)
        .unwrap_or_else(Instant::now);
    state.board_hub.current(state, code, since).await
}

/// `GET /board/{code}`: the "now serving" screen of a port.
pub async fn board_page(
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: web::Query<BoardQuery>,
) -> HttpResponse {
    let (board, port) = match fresh_board(&state, &code).await {
        Ok(Current { board, port }) => (board, port),
        Err(e) => return failed(e),
    };
    let board = &board.board;
    let now = state.now();
    let shown = board_languages(&port);
    let spoken = speak_languages(&query.speak, &shown);
    let config = BoardConfig {
        events: format!("/board/{}/events", port.code),
        json: format!("/board/{}.json", port.code),
        timezone: port.timezone.to_string(),
        announce: spoken.iter().map(|l| announcement(l)).collect(),
        by_language: if port.announce_ticket_language {
            Catalog::shared().languages().map(announcement).collect()
        } else {
            Vec::new()
        },
    };
    let (lang, page_dir) = board_page_language(&shown);
    let page = BoardPage {
        asset_version: assets::version(),
        lang,
        dir: page_dir,
        port_name: board.port_name.clone(),
        clock: local_hhmm(&port, now),
        called: board
            .called
            .iter()
            .map(|c| CalledRow {
                ticket: c.ticket.clone(),
                counter: c.counter,
            })
            .collect(),
        next: board.next.clone(),
        now_serving: in_board_languages("board-now-serving", &shown),
        counter: in_board_languages("board-counter", &shown),
        ticket_label: in_board_languages("board-number", &shown),
        next_label: in_board_languages("board-next", &shown),
        sound_label: in_board_languages("board-sound", &shown),
        voice_label: in_board_languages("board-voice", &shown),
        no_voice_label: in_board_languages("board-no-voice", &shown),
        speak_names: spoken
            .iter()
            .map(|l| BoardWords {
                tag: l.tag,
                dir: Some(l.dir()).filter(|d| *d != page_dir),
                text: l.native.to_owned(),
                marked: true,
            })
            .collect(),
        config: match serde_json::to_string(&config) {
            Ok(json) => json,
            Err(e) => return failed(AppError::Internal(format!("board config: {e}"))),
        },
    };
    public_page(StatusCode::OK, &page)
}

/// `GET /board/{code}.json`: the board as data, for the screen's fallback polling (when the
/// browser has no `EventSource`, the feed dropped, or this server has [`MAX_FEEDS`] open).
pub async fn board_json(state: web::Data<AppState>, code: web::Path<String>) -> HttpResponse {
    match fresh_board(&state, &code).await {
        Ok(current) => public_headers(
            HttpResponse::Ok()
                .content_type(ContentType::json())
                .body(current.board.json.clone()),
        ),
        Err(AppError::NotFound(message)) => public_headers(
            HttpResponse::NotFound().json(serde_json::json!({ "error": { "message": message } })),
        ),
        Err(e) => failed(e),
    }
}

/// The live feed's memory between events.
struct Feed {
    state: web::Data<AppState>,
    code: String,
    revision: i64,
    last_sent: Instant,
    /// This feed's place among the process's [`MAX_FEEDS`], freed when the feed is dropped.
    _permit: FeedPermit,
}

/// Waits for the next thing to send: the board once its revision moves, or a heartbeat once
/// the feed has been quiet for [`FEED_HEARTBEAT`]. The board comes from the port's shared
/// cache in the hub, so a thousand feeds of one port cost what one does. Ends when the port
/// is gone; the browser then reconnects and is told 404.
async fn next_event(mut feed: Feed) -> Option<(Result<Bytes, Infallible>, Feed)> {
    loop {
        actix_web::rt::time::sleep(FEED_POLL).await;
        match feed_board(&feed.state, &feed.code).await {
            Ok(current) if current.board.board.revision != feed.revision => {
                feed.revision = current.board.board.revision;
                feed.last_sent = Instant::now();
                return Some((Ok(current.board.event.clone()), feed));
            }
            Ok(_) => {}
            Err(AppError::NotFound(_)) => return None,
            // A busy or restarting database (the hub logged it once for every feed): keep
            // the feed open and ask again next second.
            Err(_) => {}
        }
        if feed.last_sent.elapsed() >= FEED_HEARTBEAT {
            feed.last_sent = Instant::now();
            return Some((Ok(Bytes::from_static(b": heartbeat\n\n")), feed));
        }
    }
}

/// The feed: the board at once, then again within a second or two of every change.
fn feed(
    state: web::Data<AppState>,
    board: &SharedBoard,
    permit: FeedPermit,
) -> impl Stream<Item = Result<Bytes, Infallible>> + use<> {
    let first = format!("retry: {FEED_RETRY_MS}\n");
    let opening = Bytes::from([first.as_bytes(), &board.event].concat());
    let feed = Feed {
        state,
        code: board.board.port_code.clone(),
        revision: board.board.revision,
        last_sent: Instant::now(),
        _permit: permit,
    };
    stream::once(async move { Ok(opening) }).chain(stream::unfold(feed, next_event))
}

/// `GET /board/{code}/events`: server-sent events (`text/event-stream`) of the board.
///
/// Past [`MAX_FEEDS`] open feeds in this process, or [`board_hub::MAX_FEEDS_PER_ADDRESS`] from
/// the client's address: 503 with `Retry-After`, before any database work; the board's
/// script then polls the JSON and tries the feed again later. The address is the one a
/// trusted proxy forwards, else the peer's (`AppState::client_addr`).
pub async fn board_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> HttpResponse {
    // Forwarded headers count only from a trusted proxy: anyone else could name a new
    // address on every request and never meet the cap.
    let address = state.client_addr(&req).parse::<std::net::IpAddr>().ok();
    let Some(permit) = state.board_hub.open_feed(address) else {
        return public_headers(
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, FEED_FULL_RETRY_SECONDS))
                .content_type(ContentType::plaintext())
                .body("Too many live boards are open; poll the board's JSON instead."),
        );
    };
    let board = match feed_board(&state, &code).await {
        Ok(current) => current.board,
        Err(e) => return failed(e),
    };
    public_headers(
        HttpResponse::Ok()
            .content_type("text/event-stream")
            // Tell a buffering reverse proxy (nginx) to pass each event on at once.
            .insert_header(("X-Accel-Buffering", "no"))
            .streaming(feed(state, &board, permit)),
    )
}
