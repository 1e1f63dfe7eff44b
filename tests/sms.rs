//! Opt-in text messages end to end: the phone field, the queue written with the change, and
//! the gateway worker against a fake gateway on loopback that accepts, refuses, hangs,
//! answers 500, and sees a restart in the middle of a send — over plain HTTP and over TLS
//! (a certificate made in the test, trusted through the CA setting; an untrusted one sends
//! nothing). Also: no public page or feed
//! ever carries the number, officers see it masked (each view logged), it is erased a day
//! after the ticket closes, and the day's figures count what happened.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::{App, web};
use diesel::prelude::*;

use common::web::{Browser, Page};
use common::{TestApp, morning, test_app};
use portqueue::AppState;
use portqueue::auth::Actor;
use portqueue::db::schema::{access_log, entries, entry_phones, outgoing_messages};
use portqueue::service::appointments::{self, AppointmentRow};
use portqueue::service::entries::{self as entry_actions, Action};
use portqueue::service::sms::{self, MessageRow};
use portqueue::service::walk_ins::TriageInput;
use portqueue::service::walk_ins::{self, TextOptIn, WalkInInput};
use portqueue::service::{accounts, queue, retention};
use portqueue::sms::{DEFAULT_TEMPLATE, Gateway, ServeSms, run_once};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The number every test gives, in the form an officer might type it.
const TYPED: &str = "+52 (664) 987-6543";
const E164: &str = "+526649876543";

/// How the fake gateway answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Accept,
    Refuse,
    Fail500,
    /// Reads the request and never answers (until the test ends).
    Hang,
    /// Reads the request and closes the connection without answering (the gateway died).
    Close,
    /// Takes the connection and says nothing, not even the TLS handshake.
    Mute,
}

/// A connection the fake gateway holds: plain TCP or TLS over it.
trait Conn: Read + Write + Send {}
impl<T: Read + Write + Send> Conn for T {}

/// One request the fake gateway received.
#[derive(Debug, Clone)]
struct Received {
    authorization: String,
    idempotency_key: String,
    body: serde_json::Value,
}

/// A tiny HTTP (or HTTPS) server on 127.0.0.1 that records every request.
struct FakeGateway {
    url: String,
    mode: Arc<Mutex<Mode>>,
    received: Arc<Mutex<Vec<Received>>>,
    /// Connections held open by `Hang`, kept so they stay open.
    held: Arc<Mutex<Vec<Box<dyn Conn>>>>,
    /// How many connections it accepted (a refused TLS handshake included).
    connections: Arc<Mutex<usize>>,
}

impl FakeGateway {
    fn start(mode: Mode) -> FakeGateway {
        FakeGateway::serve(mode, None)
    }

    /// The same over TLS, with this server configuration (see [`certificate`]).
    fn start_tls(mode: Mode, tls: Arc<rustls::ServerConfig>) -> FakeGateway {
        FakeGateway::serve(mode, Some(tls))
    }

    fn serve(mode: Mode, tls: Option<Arc<rustls::ServerConfig>>) -> FakeGateway {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}/send", listener.local_addr().unwrap());
        let mode = Arc::new(Mutex::new(mode));
        let received = Arc::new(Mutex::new(Vec::new()));
        let held = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (m, r, h, c) = (
            mode.clone(),
            received.clone(),
            held.clone(),
            connections.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(tcp) = stream else { continue };
                *c.lock().unwrap() += 1;
                if *m.lock().unwrap() == Mode::Mute {
                    h.lock().unwrap().push(Box::new(tcp) as Box<dyn Conn>);
                    continue;
                }
                tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut stream: Box<dyn Conn> = match &tls {
                    None => Box::new(tcp),
                    Some(config) => Box::new(rustls::StreamOwned::new(
                        rustls::ServerConnection::new(config.clone()).unwrap(),
                        tcp,
                    )),
                };
                // A client that refuses the certificate ends here: no request.
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                r.lock().unwrap().push(request);
                let answer = match *m.lock().unwrap() {
                    Mode::Accept => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                    Mode::Refuse => "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad",
                    Mode::Fail500 => {
                        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops"
                    }
                    Mode::Hang => {
                        h.lock().unwrap().push(stream);
                        continue;
                    }
                    Mode::Close | Mode::Mute => continue,
                };
                let _ = stream
                    .write_all(answer.as_bytes())
                    .and_then(|()| stream.flush());
            }
        });
        FakeGateway {
            url,
            mode,
            received,
            held,
            connections,
        }
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn gateway(&self) -> Gateway {
        let mut g = Gateway::new(&self.url, "test-secret-123", DEFAULT_TEMPLATE).unwrap();
        g.timeout = Duration::from_secs(1);
        g.poll = Duration::from_millis(20);
        g
    }
}

/// Reads one HTTP request (headers and a `Content-Length` body).
fn read_request(stream: &mut dyn Conn) -> Option<Received> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).into_owned();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let length: usize = header("content-length").parse().ok()?;
    while data.len() < header_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Some(Received {
        authorization: header("authorization"),
        idempotency_key: header("idempotency-key"),
        body: serde_json::from_slice(&data[header_end..header_end + length]).ok()?,
    })
}

/// What the helpers below need: the app's state (shared with a "second server"), the
/// officer, and the port.
#[derive(Clone)]
struct Ctx {
    state: AppState,
    officer: Actor,
    port_id: i64,
}

fn setup() -> (TestApp, Ctx) {
    let app = test_app();
    let port = app.add_port("SYS", "America/Tijuana");
    let officer = Actor::from_user(&app.add_user("officer1", "officer", Some("SYS")));
    let ctx = Ctx {
        state: app.state.clone(),
        officer,
        port_id: port.id,
    };
    (app, ctx)
}

fn walk_in(language: &str) -> WalkInInput {
    WalkInInput {
        party_size: "1".into(),
        language: language.into(),
        barriers: vec!["language".into()],
        ..WalkInInput::default()
    }
}

impl Ctx {
    fn conn(&self) -> portqueue::db::PooledConn {
        self.state.pool.get().unwrap()
    }

    /// Registers a walk-in through the service, with `phone` for texts; returns its id.
    fn register(&self, language: &str, phone: &str) -> i64 {
        let text = TextOptIn {
            phone,
            enabled: true,
            base_url: "https://queue.example.org",
        };
        walk_ins::register_texting(
            &mut self.conn(),
            &self.officer,
            self.port_id,
            &walk_in(language),
            Some(&text),
            self.state.now(),
        )
        .unwrap()
        .id
    }

    fn call_next(&self, counter: u32) -> i64 {
        queue::call_next(
            &mut self.conn(),
            &self.officer,
            self.port_id,
            counter,
            self.state.now(),
        )
        .unwrap()
        .expect("someone to call")
        .id
    }

    fn act(&self, id: i64, action: Action) {
        entry_actions::act(
            &mut self.conn(),
            &self.officer,
            id,
            action,
            None,
            self.state.now(),
        )
        .unwrap();
    }

    fn messages(&self, id: i64) -> Vec<MessageRow> {
        sms::messages_of(&mut self.conn(), id).unwrap()
    }

    fn states(&self, id: i64) -> Vec<(String, String)> {
        self.messages(id)
            .into_iter()
            .map(|m| (m.kind, m.status))
            .collect()
    }

    fn body(&self, id: i64, kind: &str) -> String {
        outgoing_messages::table
            .filter(outgoing_messages::entry_id.eq(id))
            .filter(outgoing_messages::kind.eq(kind))
            .select(outgoing_messages::body)
            .first(&mut self.conn())
            .unwrap()
    }

    fn set_near_ahead(&self, n: i32) {
        let port = portqueue::service::port_by_code(&mut self.conn(), "SYS").unwrap();
        sms::set_near_ahead(&mut self.conn(), &accounts::system_admin(), &port, n).unwrap();
    }

    fn round(&self, gateway: &Gateway) -> usize {
        run_once(gateway, &self.state.pool, self.state.clock.as_ref()).unwrap()
    }
}

fn pair(kind: &str, status: &str) -> (String, String) {
    (kind.to_owned(), status.to_owned())
}

// ---------------------------------------------------------------------------------------
// The worker against the fake gateway

#[test]
fn an_accepted_message_is_sent_once_with_the_secret_the_number_and_the_text() {
    let (_app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Accept);
    let gateway = fake.gateway();
    let id = ctx.register("spa", TYPED);
    assert_eq!(ctx.states(id), vec![pair("issued", "queued")]);
    assert!(
        fake.received().is_empty(),
        "registering sends nothing itself"
    );

    assert_eq!(ctx.round(&gateway), 1);
    assert_eq!(ctx.states(id), vec![pair("issued", "sent")]);
    let got = fake.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].authorization, "Bearer test-secret-123");
    assert_eq!(got[0].body["to"], E164);
    let text = got[0].body["text"].as_str().unwrap();
    assert!(text.starts_with("Número W-0001 en"), "{text}");
    assert!(text.contains("https://queue.example.org/t/"), "{text}");
    assert!(got[0].idempotency_key.starts_with("portqueue-"));

    // Nothing is due any more: another round sends nothing.
    assert_eq!(ctx.round(&gateway), 0);
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn a_refused_message_fails_and_is_never_tried_again() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Refuse);
    let gateway = fake.gateway();
    let id = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    let m = &ctx.messages(id)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("failed", 1));
    assert!(m.last_error.as_deref().unwrap().contains("400"), "{m:?}");
    app.clock.advance(chrono::Duration::hours(2));
    fake.set(Mode::Accept);
    assert_eq!(ctx.round(&gateway), 0);
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn a_500_is_tried_again_after_a_backoff_and_then_sent_once() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Fail500);
    let gateway = fake.gateway();
    let id = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    let m = &ctx.messages(id)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("queued", 1), "{m:?}");
    // Not due before its backoff.
    assert_eq!(ctx.round(&gateway), 0);
    app.clock.advance(chrono::Duration::seconds(31));
    ctx.round(&gateway);
    assert_eq!(ctx.messages(id)[0].attempts, 2);
    assert_eq!(ctx.messages(id)[0].status, "queued");
    // The wait doubled: 30 s more is not enough, 60 s is.
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(ctx.round(&gateway), 0);
    fake.set(Mode::Accept);
    app.clock.advance(chrono::Duration::seconds(30));
    assert_eq!(ctx.round(&gateway), 1);
    assert_eq!(ctx.states(id), vec![pair("issued", "sent")]);
    assert_eq!(fake.received().len(), 3);
    // Every try carried the same message key.
    let keys: std::collections::BTreeSet<String> = fake
        .received()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 1);
}

#[test]
fn a_gateway_that_keeps_failing_is_given_up_after_the_last_try() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Fail500);
    let gateway = fake.gateway();
    let id = ctx.register("eng", TYPED);
    for _ in 0..sms::MAX_ATTEMPTS + 2 {
        ctx.round(&gateway);
        app.clock.advance(chrono::Duration::hours(1));
    }
    let m = &ctx.messages(id)[0];
    assert_eq!(
        (m.status.as_str(), m.attempts),
        ("failed", sms::MAX_ATTEMPTS)
    );
    assert_eq!(fake.received().len(), sms::MAX_ATTEMPTS as usize);
}

#[test]
fn a_gateway_that_cannot_be_reached_is_tried_again() {
    let (_app, ctx) = setup();
    // A port nobody listens on: bound, then closed.
    let url = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/send", l.local_addr().unwrap())
    };
    let mut gateway = Gateway::new(&url, "s", DEFAULT_TEMPLATE).unwrap();
    gateway.timeout = Duration::from_secs(1);
    let id = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    let m = &ctx.messages(id)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("queued", 1), "{m:?}");
}

#[test]
fn a_hanging_gateway_fails_the_message_without_sending_it_twice_and_never_holds_up_registering() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Hang);
    let mut gateway = fake.gateway();
    gateway.timeout = Duration::from_secs(30);
    let first = ctx.register("eng", TYPED);
    // The worker on its own thread, stuck on the hanging gateway.
    let worker = portqueue::sms::spawn(gateway, app.state.pool.clone(), app.state.clock.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while fake.received().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never sent"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // While the gateway holds that request, registering and calling go on: each finishes
    // although the gateway has still not answered.
    let (tx, rx) = mpsc::channel();
    let test = ctx.clone();
    std::thread::spawn(move || {
        let ids: Vec<i64> = (0..3).map(|_| test.register("eng", TYPED)).collect();
        let called = test.call_next(1);
        tx.send((ids, called)).unwrap();
    });
    let (more, called) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("registering waited on the gateway");
    assert_eq!(called, first);
    assert_eq!(fake.held.lock().unwrap().len(), 1, "still hanging");
    assert_eq!(fake.received().len(), 1, "one send at a time");
    worker.stop();
    // The message the gateway holds is `sending`; the new ones wait their turn.
    assert_eq!(ctx.messages(first)[0].status, "sending");
    for id in &more {
        assert_eq!(ctx.states(*id)[0], pair("issued", "queued"));
    }
}

#[test]
fn a_timeout_fails_the_message_and_it_is_never_sent_again() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Hang);
    let gateway = fake.gateway(); // one second
    let id = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    let m = &ctx.messages(id)[0];
    assert_eq!(m.status, "failed", "{m:?}");
    assert!(
        m.last_error
            .as_deref()
            .unwrap()
            .contains("never sent twice")
    );
    fake.set(Mode::Accept);
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(ctx.round(&gateway), 0);
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn a_gateway_that_dies_after_reading_the_request_fails_the_message_for_good() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Close);
    let gateway = fake.gateway();
    let id = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    let m = &ctx.messages(id)[0];
    assert_eq!(m.status, "failed", "{m:?}");
    let error = m.last_error.as_deref().unwrap();
    assert!(
        error.contains("closed the connection without answering")
            && error.contains("never sent twice"),
        "{error}"
    );
    fake.set(Mode::Accept);
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(ctx.round(&gateway), 0);
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn a_restart_in_the_middle_of_a_send_loses_nothing_and_sends_nothing_twice() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Hang);
    let mut gateway = fake.gateway();
    gateway.timeout = Duration::from_secs(60);
    let a = ctx.register("eng", TYPED);
    let b = ctx.register("spa", "+1 619 555 0123");
    // The first server sends and is stopped (its process dies) while the gateway holds the
    // first request: it never learns the answer.
    let dying = {
        let (gateway, pool, clock) = (gateway.clone(), app.state.pool.clone(), app.clock.clone());
        std::thread::spawn(move || run_once(&gateway, &pool, clock.as_ref()))
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while fake.received().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first server never sent"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(ctx.messages(a)[0].status, "sending");
    assert_eq!(
        ctx.messages(b)[0].status,
        "queued",
        "only the message in flight is claimed"
    );

    // The second server starts on the same database, with a gateway that now answers.
    let restarted = Ctx {
        state: AppState::new(app.state.pool.clone(), app.state.clock.clone()),
        ..ctx.clone()
    };
    fake.set(Mode::Accept);
    // Within the lease it leaves the claimed message alone (the first server may be alive)
    // and sends what is still queued.
    assert_eq!(restarted.round(&gateway), 1);
    assert_eq!(ctx.messages(a)[0].status, "sending");
    assert_eq!(fake.received().len(), 2);
    // Past the lease it is the dead server's: its fate is unknown, so it ends `failed`,
    // recorded, never sent again.
    app.clock.advance(chrono::Duration::minutes(10));
    let c = ctx.register("eng", "+33 6 12 34 56 78");
    restarted.round(&gateway);
    let m = &ctx.messages(a)[0];
    assert_eq!(m.status, "failed", "{m:?}");
    assert!(m.last_error.as_deref().unwrap().contains("interrupted"));
    // What was still queued goes out once.
    assert_eq!(ctx.states(b), vec![pair("issued", "sent")]);
    assert_eq!(ctx.states(c), vec![pair("issued", "sent")]);
    // The dead server's late answer changes nothing.
    fake.held.lock().unwrap().clear();
    let _ = dying.join();
    assert_eq!(ctx.messages(a)[0].status, "failed");
    assert_eq!(ctx.messages(b)[0].status, "sent");
    let to: Vec<String> = fake
        .received()
        .iter()
        .map(|r| r.body["to"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        to,
        vec![
            E164.to_owned(),
            "+16195550123".to_owned(),
            "+33612345678".to_owned()
        ]
    );
}

// ---------------------------------------------------------------------------------------
// What is queued, and when

#[test]
fn near_and_called_messages_follow_the_queue_in_the_ticket_language() {
    let (_app, ctx) = setup();
    ctx.set_near_ahead(2);
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(ctx.register("eng", ""));
    }
    let haitian = ctx.register("hat", TYPED);
    let english = ctx.register("eng", "+1 619 555 0123");
    assert!(ctx.states(ids[0]).is_empty(), "no number, no message");
    // 4 ahead of the Haitian ticket: nothing near yet.
    ctx.call_next(1);
    assert_eq!(ctx.states(haitian), vec![pair("issued", "queued")]);
    // After this call 2 are ahead: "near" is queued, once.
    ctx.act(ids[0], Action::Complete);
    ctx.call_next(1);
    assert_eq!(
        ctx.states(haitian),
        vec![pair("issued", "queued"), pair("near", "queued")]
    );
    let body = ctx.body(haitian, "near");
    assert!(body.contains("anviwon 2 moun"), "Haitian Creole: {body}");
    // Called: the unsent waiting messages are cancelled, "go to counter" is queued.
    for id in &ids[1..4] {
        ctx.act(*id, Action::Complete);
        let called = ctx.call_next(1);
        if called == haitian {
            break;
        }
    }
    assert_eq!(
        ctx.states(haitian),
        vec![
            pair("issued", "cancelled"),
            pair("near", "cancelled"),
            pair("called", "queued")
        ]
    );
    let called_body = ctx.body(haitian, "called");
    assert!(called_body.contains("gichè 1"), "{called_body}");
    // The English ticket behind it is now near, in English.
    let english_states = ctx.states(english);
    assert!(
        english_states.contains(&pair("near", "queued")),
        "{english_states:?}"
    );
}

/// An undone call takes back its "go to counter" text while it is unsent, and the next call
/// of that ticket queues its own (the person is not sent to a counter that no longer calls
/// them, and is not left without a text when called again).
#[test]
fn an_undone_call_takes_back_its_unsent_text_and_the_next_call_queues_one() {
    let (_app, ctx) = setup();
    let id = ctx.register("spa", TYPED);
    assert_eq!(ctx.call_next(2), id);
    assert!(ctx.states(id).contains(&pair("called", "queued")));
    portqueue::service::undo::undo(&mut ctx.conn(), &ctx.officer, id, Some(2), ctx.state.now())
        .unwrap();
    assert!(
        !ctx.states(id).iter().any(|(kind, _)| kind == "called"),
        "{:?}",
        ctx.states(id)
    );
    assert_eq!(ctx.call_next(3), id);
    assert!(ctx.states(id).contains(&pair("called", "queued")));
    assert!(
        ctx.body(id, "called").contains('3'),
        "{}",
        ctx.body(id, "called")
    );
    // Served before the gateway took it: a retry must not send them to a counter later.
    ctx.act(id, Action::Complete);
    assert!(
        ctx.states(id).contains(&pair("called", "cancelled")),
        "{:?}",
        ctx.states(id)
    );
    assert!(
        !ctx.body(id, "called").contains(['\u{2068}', '\u{2069}']),
        "no invisible direction marks in a text"
    );
}

#[test]
fn without_a_gateway_a_number_is_refused_beside_the_field() {
    let (app, ctx) = setup();
    let (officer, port_id) = (ctx.officer.clone(), ctx.port_id);
    let off = TextOptIn {
        phone: TYPED,
        enabled: false,
        base_url: "http://x",
    };
    let err = app.with_conn(|c| {
        walk_ins::register_texting(
            c,
            &officer,
            port_id,
            &walk_in("eng"),
            Some(&off),
            ctx.state.now(),
        )
        .unwrap_err()
    });
    assert!(
        err.fields()
            .unwrap()
            .get("phone")
            .unwrap()
            .contains("no SMS gateway")
    );
    // A bad number and a bad field elsewhere are named together; nothing is written.
    let on = TextOptIn {
        phone: "664 123",
        enabled: true,
        base_url: "http://x",
    };
    let mut bad = walk_in("eng");
    bad.party_size = "0".into();
    let err = app.with_conn(|c| {
        walk_ins::register_texting(c, &officer, port_id, &bad, Some(&on), ctx.state.now())
            .unwrap_err()
    });
    let fields = err.fields().unwrap();
    assert!(fields.get("phone").unwrap().contains("international"));
    assert!(fields.get("party_size").is_some());
    let count: i64 = app.with_conn(|c| entries::table.count().get_result(c).unwrap());
    assert_eq!(count, 0);
}

// ---------------------------------------------------------------------------------------
// Personal data: never public, masked and logged, erased

#[actix_web::test]
async fn no_public_page_or_feed_ever_shows_the_number() {
    let (mut app, ctx) = setup();
    app.state.text_messages = true;
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let csrf = browser.csrf_from("/ports/SYS/walk-ins/new").await;
    let done = browser
        .post(
            "/ports/SYS/walk-ins/new",
            &[
                ("csrf", &csrf),
                ("language", "spa"),
                ("barriers", "language"),
                ("party_size", "1"),
                ("phone", TYPED),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let second = ctx.register("eng", "+1 619 555 0123");
    let token: String = app.with_conn(|c| {
        entries::table
            .filter(entries::id.eq(second))
            .select(entries::status_token)
            .first(c)
            .unwrap()
    });
    let first_token: String = app.with_conn(|c| {
        entries::table
            .filter(entries::id.ne(second))
            .select(entries::status_token)
            .first(c)
            .unwrap()
    });
    ctx.call_next(2);
    let mut phone = Browser::new(&app);
    // Whole numbers and typed fragments (short runs of digits would also match the random
    // hex of status tokens by chance).
    let digits = [
        "6649876543",
        "6195550123",
        "664) 987",
        "987-6543",
        "619 555",
    ];
    let check = |page: &Page, what: &str| {
        assert!(
            page.status == StatusCode::OK || page.status == StatusCode::SEE_OTHER,
            "{what}: {}",
            page.body
        );
        let flat: String = page.body.chars().filter(|c| c.is_ascii_digit()).collect();
        for d in digits {
            assert!(
                !(page.body.contains(d) || d.len() >= 10 && flat.contains(d)),
                "{what} shows `{d}`"
            );
        }
        assert!(!page.body.contains('•'), "{what} shows a masked number");
    };
    for path in [
        format!("/t/{token}"),
        format!("/t/{token}?lang=ara"),
        format!("/t/{token}?refresh=off"),
        format!("/t/{first_token}"),
        format!("/t/{first_token}?lang=eng"),
        "/board/SYS".into(),
        "/board/SYS.json".into(),
        "/".into(),
        "/login".into(),
        "/healthz".into(),
    ] {
        let page = phone.get(&path).await;
        check(&page, &path);
    }
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
    let mut body = Box::pin(response.into_body());
    let chunk = futures_util::future::poll_fn(|cx| body.as_mut().poll_next(cx))
        .await
        .expect("the feed sends")
        .unwrap_or_else(|_| panic!("the feed failed"));
    let text = String::from_utf8_lossy(&chunk).into_owned();
    assert!(text.contains("W-000"), "{text}");
    for d in digits {
        assert!(!text.contains(d), "the board feed shows `{d}`");
    }

    // The officer's ticket page shows it masked, and the view is logged.
    let before: i64 = app.with_conn(|c| access_log::table.count().get_result(c).unwrap());
    let ticket = browser.get(&format!("/entries/{second}/ticket")).await;
    assert_eq!(
        ticket.element_text("sms-phone").as_deref(),
        Some("+1 ••• ••• 0123")
    );
    assert!(!ticket.body.contains("6195550123") && !ticket.body.contains("619 555"));
    let logged: Vec<String> = app.with_conn(|c| {
        access_log::table
            .filter(access_log::entry_id.eq(second))
            .select(access_log::action)
            .load(c)
            .unwrap()
    });
    assert!(
        logged.iter().any(|a| a == "view phone (masked)"),
        "{logged:?}"
    );
    let after: i64 = app.with_conn(|c| access_log::table.count().get_result(c).unwrap());
    assert!(after > before);
}

#[actix_web::test]
async fn the_phone_field_shows_only_with_a_gateway_and_keeps_what_was_typed() {
    let (mut app, _ctx) = setup();
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let form = browser.get("/ports/SYS/walk-ins/new").await;
    assert!(
        !form.body.contains("name=\"phone\""),
        "hidden without a gateway"
    );
    app.state.text_messages = true;
    let mut browser = Browser::new(&app);
    browser.sign_in("officer1").await;
    let form = browser.get("/ports/SYS/walk-ins/new").await;
    assert!(form.body.contains("name=\"phone\""));
    let refused = browser
        .post(
            "/ports/SYS/walk-ins/new",
            &[
                ("csrf", &form.csrf()),
                ("language", "spa"),
                ("barriers", "language"),
                ("party_size", "1"),
                ("phone", "664 98"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .element_text("f-phone-error")
            .unwrap()
            .contains("international form")
    );
    assert!(
        refused.body.contains("value=\"664 98\""),
        "what was typed is kept"
    );
}

#[test]
fn the_number_is_erased_a_day_after_the_ticket_closes_and_by_the_purge() {
    let (app, ctx) = setup();
    let id = ctx.register("eng", TYPED);
    let waiting = ctx.register("eng", "+1 619 555 0123");
    ctx.call_next(1);
    ctx.act(id, Action::Complete);
    let phones = |app: &TestApp| -> Vec<i64> {
        app.with_conn(|c| {
            entry_phones::table
                .select(entry_phones::entry_id)
                .load(c)
                .unwrap()
        })
    };
    app.clock.advance(chrono::Duration::hours(23));
    app.with_conn(|c| sms::erase_closed(c, None, ctx.state.now()).unwrap());
    assert_eq!(phones(&app), vec![id, waiting], "kept for a day");
    app.clock.advance(chrono::Duration::hours(2));
    // The retention purge erases it too (here it is the purge that runs first).
    app.with_conn(|c| retention::purge(c, None, false, ctx.state.now()).unwrap());
    assert_eq!(
        phones(&app),
        vec![waiting],
        "the waiting ticket keeps its number"
    );
    // A message that was still queued for it is cancelled, never sent without a number.
    let m = ctx.messages(id);
    assert!(m.iter().all(|m| m.status != "queued"), "{m:?}");
}

// ---------------------------------------------------------------------------------------
// The day's figures

#[test]
fn the_day_figures_count_queued_sent_failed_and_who_came_back() {
    let (app, ctx) = setup();
    let fake = FakeGateway::start(Mode::Accept);
    let gateway = fake.gateway();
    ctx.set_near_ahead(1);
    let a = ctx.register("eng", "");
    let b = ctx.register("eng", TYPED);
    let c = ctx.register("eng", "+1 619 555 0123");
    ctx.round(&gateway); // both "issued" sent
    ctx.call_next(1); // a called: b is 0 ahead, c is 1 ahead: both near
    ctx.round(&gateway);
    app.clock.advance(chrono::Duration::minutes(5));
    ctx.act(a, Action::Complete);
    assert_eq!(ctx.call_next(1), b); // 5 min after "near": came back
    fake.set(Mode::Refuse);
    ctx.round(&gateway); // b's "called" is refused (closing now would cancel it unsent)
    ctx.act(b, Action::Complete);
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(ctx.call_next(1), c); // 25 min after: not within 15
    ctx.round(&gateway); // c's "called" is refused
    ctx.act(c, Action::Complete);
    let start = morning() - chrono::Duration::hours(1);
    let f = app.with_conn(|conn| {
        sms::day_figures(conn, ctx.port_id, start, start + chrono::Duration::days(1)).unwrap()
    });
    assert_eq!(
        f,
        sms::DayFigures {
            queued: 6,
            sent: 4,
            failed: 2,
            came_back: 1,
            near_sent: 2,
        }
    );
}

#[test]
fn a_check_in_with_a_number_queues_its_first_message_in_the_same_transaction() {
    let (app, ctx) = setup();
    let supervisor = Actor::from_user(&app.add_user("sam", "supervisor", Some("SYS")));
    let now = ctx.state.now();
    appointments::import(
        &mut ctx.conn(),
        &supervisor,
        ctx.port_id,
        &[AppointmentRow {
            confirmation: "AB-1".into(),
            slot_at: now,
            party_size: 1,
            name: "Ana".into(),
            nationality: "Peru".into(),
            language: "por",
        }],
        now,
    )
    .unwrap();
    let text = TextOptIn {
        phone: "0055 11 91234 5678",
        enabled: true,
        base_url: "https://queue.example.org/",
    };
    // A bad triage and a bad number: both named, nothing checked in, nothing queued.
    let bad_triage = TriageInput {
        tier: "urgent".into(),
        ..TriageInput::default()
    };
    let bad_text = TextOptIn {
        phone: "11 9123",
        ..text
    };
    let err = appointments::check_in_texting(
        &mut ctx.conn(),
        &ctx.officer,
        ctx.port_id,
        "AB-1",
        &bad_triage,
        Some(&bad_text),
        now,
    )
    .unwrap_err();
    let fields = err.fields().unwrap();
    assert!(fields.get("phone").is_some() && fields.get("urgent_reason").is_some());
    let (view, _) = appointments::check_in_texting(
        &mut ctx.conn(),
        &ctx.officer,
        ctx.port_id,
        "AB-1",
        &TriageInput::default(),
        Some(&text),
        now,
    )
    .unwrap();
    assert_eq!(ctx.states(view.id), vec![pair("issued", "queued")]);
    let body = ctx.body(view.id, "issued");
    assert!(
        body.starts_with("Senha "),
        "in the ticket's language: {body}"
    );
    assert!(body.contains("https://queue.example.org/t/"), "{body}");
    let phone: String = entry_phones::table
        .find(view.id)
        .select(entry_phones::phone)
        .first(&mut ctx.conn())
        .unwrap();
    assert_eq!(phone, "+5511912345678");
}

#[actix_web::test]
async fn the_day_report_page_shows_the_text_message_figures() {
    let (mut app, ctx) = setup();
    app.add_user("sam", "supervisor", Some("SYS"));
    app.state.text_messages = true;
    let fake = FakeGateway::start(Mode::Accept);
    ctx.register("eng", TYPED);
    ctx.register("eng", "+1 619 555 0123");
    fake.set(Mode::Refuse);
    ctx.round(&fake.gateway());
    let mut browser = Browser::new(&app);
    browser.sign_in("sam").await;
    let page = browser.get("/ports/SYS/reports?date=2026-11-25").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.element_text("texts-queued").as_deref(), Some("2"));
    assert_eq!(page.element_text("texts-failed").as_deref(), Some("2"));
    assert_eq!(page.element_text("texts-sent").as_deref(), Some("0"));
    assert!(page.body.contains("answered that first call"));
}

#[actix_web::test]
async fn the_api_takes_a_number_only_with_a_gateway_and_never_returns_it() {
    let (mut app, ctx) = setup();
    let token = app.token("officer1");
    let body = serde_json::json!({
        "party_size": 1, "language": "spa", "barriers": ["language"], "phone": TYPED,
    });
    let (status, refused) = common::api::call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&token),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("phone"), "{refused}");
    app.state.text_messages = true;
    let (status, made) = common::api::call(
        &app,
        "POST",
        "/api/v1/ports/SYS/walk-ins",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let text = made.to_string();
    assert!(
        !text.contains("6649876543") && !text.contains("987-6543"),
        "{text}"
    );
    let id = made["id"].as_i64().unwrap();
    assert_eq!(ctx.states(id), vec![pair("issued", "queued")]);
    let (_, queue) =
        common::api::call(&app, "GET", "/api/v1/ports/SYS/queue", Some(&token), None).await;
    assert!(!queue.to_string().contains("6649876543"));
}

// ---------------------------------------------------------------------------------------
// Over TLS: an https:// gateway

/// A server configuration presenting `cert`, whose key is `key`.
fn server_config(cert: &rcgen::Certificate, key: &rcgen::KeyPair) -> Arc<rustls::ServerConfig> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], key)
    .unwrap();
    Arc::new(config)
}

/// A self-signed certificate for `names`, made here: its PEM text (what an operator puts in
/// the file named by PORTQUEUE_SMS_GATEWAY_CA) and a server configuration presenting it.
/// `marked_ca`: with the CA flag set, as `openssl req -x509` makes them.
fn certificate_for(names: &[&str], marked_ca: bool) -> (String, Arc<rustls::ServerConfig>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    if marked_ca {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), server_config(&cert, &key))
}

/// A self-signed certificate for 127.0.0.1 and localhost (see [`certificate_for`]).
fn certificate() -> (String, Arc<rustls::ServerConfig>) {
    certificate_for(&["127.0.0.1", "localhost"], false)
}

/// Numbers the CA files [`tls_gateway`] writes.
static CA_FILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The gateway as `serve` builds it from its settings, with `ca_pem` written to the CA file.
fn tls_gateway(fake: &FakeGateway, ca_pem: Option<&str>, dir: &tempfile::TempDir) -> Gateway {
    let ca = ca_pem.map(|pem| {
        let path = dir.path().join(format!(
            "ca-{}.pem",
            CA_FILES.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        std::fs::write(&path, pem).unwrap();
        path
    });
    let settings = ServeSms {
        sms_gateway_url: Some(fake.url.clone()),
        sms_gateway_secret: Some("test-secret-123".into()),
        sms_gateway_timeout: 1,
        sms_gateway_ca: ca,
        ..ServeSms::default()
    };
    let mut g = settings.gateway().unwrap().expect("a gateway");
    g.poll = Duration::from_millis(20);
    g
}

#[test]
fn over_tls_an_accepted_message_is_sent_once() {
    let (_app, ctx) = setup();
    let (pem, server) = certificate();
    let fake = FakeGateway::start_tls(Mode::Accept, server);
    assert!(fake.url.starts_with("https://127.0.0.1:"));
    let dir = tempfile::tempdir().unwrap();
    let gateway = tls_gateway(&fake, Some(&pem), &dir);
    assert!(gateway.is_https());
    let id = ctx.register("spa", TYPED);
    assert_eq!(ctx.round(&gateway), 1);
    assert_eq!(ctx.states(id), vec![pair("issued", "sent")]);
    let got = fake.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].authorization, "Bearer test-secret-123");
    assert_eq!(got[0].body["to"], E164);
    assert!(got[0].idempotency_key.starts_with("portqueue-"));
    assert!(
        got[0].body["text"]
            .as_str()
            .unwrap()
            .starts_with("Número W-0001 en")
    );
    assert_eq!(ctx.round(&gateway), 0);
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn over_tls_a_refusal_fails_at_once_and_a_500_is_tried_again() {
    let (app, ctx) = setup();
    let (pem, server) = certificate();
    let fake = FakeGateway::start_tls(Mode::Refuse, server);
    let dir = tempfile::tempdir().unwrap();
    let gateway = tls_gateway(&fake, Some(&pem), &dir);
    let refused = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    let m = &ctx.messages(refused)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("failed", 1), "{m:?}");
    assert!(m.last_error.as_deref().unwrap().contains("400"), "{m:?}");

    fake.set(Mode::Fail500);
    let retried = ctx.register("eng", "+1 619 555 0123");
    ctx.round(&gateway);
    let m = &ctx.messages(retried)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("queued", 1), "{m:?}");
    assert!(m.last_error.as_deref().unwrap().contains("500"), "{m:?}");

    fake.set(Mode::Accept);
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(ctx.round(&gateway), 1);
    assert_eq!(ctx.states(retried), vec![pair("issued", "sent")]);
    assert_eq!(ctx.states(refused), vec![pair("issued", "failed")]);
    assert_eq!(fake.received().len(), 3);
}

#[test]
fn over_tls_no_answer_in_time_or_a_gateway_that_dies_mid_send_fails_the_message_for_good() {
    let (app, ctx) = setup();
    let (pem, server) = certificate();
    let fake = FakeGateway::start_tls(Mode::Hang, server);
    let dir = tempfile::tempdir().unwrap();
    let gateway = tls_gateway(&fake, Some(&pem), &dir); // one second
    let hung = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    fake.set(Mode::Close);
    let died = ctx.register("eng", "+1 619 555 0123");
    ctx.round(&gateway);
    for id in [hung, died] {
        let m = &ctx.messages(id)[0];
        assert_eq!(m.status, "failed", "{m:?}");
        assert!(
            m.last_error
                .as_deref()
                .unwrap()
                .contains("never sent twice"),
            "{m:?}"
        );
    }
    let error = |id| ctx.messages(id)[0].last_error.clone().unwrap();
    assert!(error(hung).contains("no answer"), "{}", error(hung));
    assert!(
        error(died).contains("closed the connection without answering"),
        "{}",
        error(died)
    );
    assert_eq!(fake.received().len(), 2);
    fake.set(Mode::Accept);
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(ctx.round(&gateway), 0);
    assert_eq!(fake.received().len(), 2, "nothing sent twice");
}

#[test]
fn over_tls_a_gateway_silent_before_the_handshake_has_not_taken_the_message() {
    let (app, ctx) = setup();
    let (pem, server) = certificate();
    let fake = FakeGateway::start_tls(Mode::Mute, server);
    let dir = tempfile::tempdir().unwrap();
    let gateway = tls_gateway(&fake, Some(&pem), &dir);
    let id = ctx.register("eng", TYPED);
    ctx.round(&gateway);
    let m = &ctx.messages(id)[0];
    assert_eq!((m.status.as_str(), m.attempts), ("queued", 1), "{m:?}");
    assert!(
        m.last_error.as_deref().unwrap().contains("handshake"),
        "{m:?}"
    );
    assert!(fake.received().is_empty());
    fake.set(Mode::Accept);
    app.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(ctx.round(&gateway), 1);
    assert_eq!(ctx.states(id), vec![pair("issued", "sent")]);
    assert_eq!(fake.received().len(), 1);
}

#[test]
fn over_tls_a_private_ca_or_the_gateways_own_certificate_is_trusted_through_the_ca_setting() {
    let (_app, ctx) = setup();
    let dir = tempfile::tempdir().unwrap();
    // A private CA signed the gateway's certificate; the file holds the CA alone.
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Port LAN CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &*ca)
        .unwrap();
    let signed = FakeGateway::start_tls(Mode::Accept, server_config(&leaf, &leaf_key));
    // The gateway's own self-signed certificate marked as a CA (`openssl req -x509`), which
    // a chain check alone refuses as a server's certificate: trusted as itself.
    let (own_pem, own_server) = certificate_for(&["127.0.0.1"], true);
    let own = FakeGateway::start_tls(Mode::Accept, own_server);
    for (fake, pem) in [(&signed, ca.pem()), (&own, own_pem)] {
        let gateway = tls_gateway(fake, Some(&pem), &dir);
        let id = ctx.register("eng", TYPED);
        assert_eq!(ctx.round(&gateway), 1);
        assert_eq!(ctx.states(id), vec![pair("issued", "sent")], "{}", fake.url);
        assert_eq!(fake.received().len(), 1);
    }
}

#[test]
fn an_untrusted_certificate_sends_nothing_and_the_message_fails_with_the_reason() {
    let (app, ctx) = setup();
    let (pem, server) = certificate();
    let fake = FakeGateway::start_tls(Mode::Accept, server);
    let dir = tempfile::tempdir().unwrap();
    // The public roots (no CA setting), and another certificate as the CA: neither trusts it.
    // Nor is a certificate in the CA file trusted for a host it does not name.
    let (other, _) = certificate();
    let (elsewhere_pem, elsewhere_server) = certificate_for(&["gw.lan"], true);
    let elsewhere = FakeGateway::start_tls(Mode::Accept, elsewhere_server);
    for (fake, gateway) in [
        (&fake, tls_gateway(&fake, None, &dir)),
        (&fake, tls_gateway(&fake, Some(&other), &dir)),
        (
            &elsewhere,
            tls_gateway(&elsewhere, Some(&elsewhere_pem), &dir),
        ),
    ] {
        let id = ctx.register("eng", TYPED);
        let before = fake.connections();
        ctx.round(&gateway);
        assert_eq!(fake.connections(), before + 1, "it reached the gateway");
        let m = &ctx.messages(id)[0];
        assert_eq!((m.status.as_str(), m.attempts), ("failed", 1), "{m:?}");
        let error = m.last_error.as_deref().unwrap();
        assert!(error.contains("certificate is not trusted"), "{error}");
        assert!(error.contains("nothing was sent"), "{error}");
    }
    assert!(fake.received().is_empty(), "no request went out");
    assert!(elsewhere.received().is_empty(), "no request went out");
    // Never tried again, even once the certificate is trusted.
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(ctx.round(&tls_gateway(&fake, Some(&pem), &dir)), 0);
    assert!(fake.received().is_empty());
}

#[test]
fn the_gateway_settings_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let check = |url: &str, ca: Option<std::path::PathBuf>| {
        ServeSms {
            sms_gateway_url: Some(url.into()),
            sms_gateway_secret: Some("s".into()),
            sms_gateway_timeout: 10,
            sms_gateway_ca: ca,
            ..ServeSms::default()
        }
        .gateway()
    };
    let e = check("ftp://sms.example/send", None).unwrap_err();
    assert!(e.contains("`ftp://` is not spoken"), "{e}");
    assert!(
        check("https://sms.example/send", None)
            .unwrap()
            .unwrap()
            .is_https()
    );
    assert!(
        !check("http://10.0.0.9:8080/send", None)
            .unwrap()
            .unwrap()
            .is_https()
    );

    let missing = dir.path().join("missing.pem");
    let e = check("https://gw.lan/send", Some(missing)).unwrap_err();
    assert!(
        e.contains("PORTQUEUE_SMS_GATEWAY_CA") && e.contains("cannot read"),
        "{e}"
    );
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let e = check("https://gw.lan/send", Some(junk)).unwrap_err();
    assert!(e.contains("no certificate"), "{e}");
    let good = dir.path().join("ca.pem");
    std::fs::write(&good, certificate().0).unwrap();
    let e = check("http://gw.lan/send", Some(good.clone())).unwrap_err();
    assert!(e.contains("https://"), "{e}");
    assert!(check("https://gw.lan/send", Some(good)).unwrap().is_some());
}

#[test]
fn over_tls_1_2_a_message_is_sent_too() {
    let (_app, ctx) = setup();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS12])
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    let fake = FakeGateway::start_tls(Mode::Accept, Arc::new(server));
    let dir = tempfile::tempdir().unwrap();
    let gateway = tls_gateway(&fake, Some(&cert.pem()), &dir);
    let id = ctx.register("eng", TYPED);
    assert_eq!(ctx.round(&gateway), 1);
    assert_eq!(ctx.states(id), vec![pair("issued", "sent")]);
    assert_eq!(fake.received().len(), 1);
}

/// "You are near" says "next" at 0 and the singular at 1 in Spanish and English, never
/// "unas 0 personas" or "unas 1 personas".
#[test]
fn the_near_text_counts_like_a_person_would() {
    use portqueue_core::tickets::catalog::{Arg, Catalog};
    let say = |language: &str, ahead: i64| {
        Catalog::shared().say(
            language,
            "sms-near",
            &[
                ("ticket", Arg::Text("W-0042")),
                ("ahead", Arg::Number(ahead)),
                ("port", Arg::Text("San Ysidro")),
            ],
        )
    };
    assert!(
        say("spa", 0).contains("usted es el siguiente"),
        "{}",
        say("spa", 0)
    );
    assert!(
        say("spa", 1).contains("hay 1 persona antes"),
        "{}",
        say("spa", 1)
    );
    assert!(
        say("spa", 4).contains("personas antes"),
        "{}",
        say("spa", 4)
    );
    assert!(say("eng", 0).contains("you are next"), "{}", say("eng", 0));
    assert!(say("eng", 1).contains("1 party ahead"), "{}", say("eng", 1));
    assert!(say("eng", 4).contains("about"), "{}", say("eng", 4));
}
