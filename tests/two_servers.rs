//! Two `portqueue serve` processes on one PostgreSQL database: registrations through
//! both never give two open tickets one number, and 32 simultaneous "call next" presses spread
//! over both never call an entry twice and commit in the engine's order (G7 across processes).
//!
//! Needs `PORTQUEUE_TEST_DATABASE_URL` (the CI's PostgreSQL pass sets it); on SQLite, one file
//! served by one process, it says that it skipped.

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use portqueue::db::models::Entry;
use portqueue::db::schema::{entries, entry_events};
use portqueue::db::{self, Location};
use portqueue::service::port_by_code;
use portqueue_core::queue as engine;

use common::cli::{ADD_SYS, Served, add_officer, portqueue_ok};
use common::{PASSWORD, fresh_postgres_database, postgres_or_skip};

// ---- a minimal HTTP/1.1 client ----------------------------------------------------------

/// One request on its own connection (`Connection: close`): the status and the body.
/// `/metrics` needs this token on the servers these tests start.
const METRICS_TOKEN: &str = "metrics-token-for-two-servers";

fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("read from {addr}: {e}"));
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {raw:?}"));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"));
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().replace(' ', "") == "transfer-encoding:chunked");
    (
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        },
    )
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size =
            usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

// ---- the servers --------------------------------------------------------------------------

/// A `portqueue serve` process whose `/metrics` takes [`METRICS_TOKEN`].
fn serve(dir: &Path, database_url: &str, n: usize) -> Served {
    Served::start(
        dir,
        database_url,
        &n.to_string(),
        &[("PORTQUEUE_METRICS_TOKEN", METRICS_TOKEN)],
    )
}

/// Runs `jobs` at once, one thread each, released together; returns their results in order.
fn all_at_once<T: Send + 'static>(jobs: Vec<Box<dyn FnOnce() -> T + Send>>) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(jobs.len()));
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|job| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                barrier.wait();
                job()
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("request thread"))
        .collect()
}

// ---- the test -----------------------------------------------------------------------------

#[test]
fn two_servers_on_one_postgres_never_share_a_ticket_nor_call_twice_and_follow_the_engine() {
    let Some(server_url) = postgres_or_skip("two app servers") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_postgres_database(&server_url);

    // Set up by command line, as an operator would.
    portqueue_ok(&url, &ADD_SYS, None);
    let password = format!("{PASSWORD}\n");
    portqueue_ok(
        &url,
        &[
            "officer",
            "add",
            "--username",
            "ada",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(&password),
    );
    portqueue_ok(&url, &add_officer("ofelia"), Some(&password));
    let token = portqueue_ok(&url, &["token", "create", "--username", "ofelia"], None)
        .trim()
        .to_owned();
    // Today's appointments around now; the last is booked 90 minutes ahead, so it may not be
    // called yet (G2) and both the servers and the engine below must pass it over.
    let now = Utc::now();
    let mut csv = String::from("confirmation,slot_at,party_size,name,nationality,language\n");
    for (i, minutes) in [-30i64, -20, -10, 0, 5, 10, 20, 90].into_iter().enumerate() {
        let slot =
            (now + chrono::Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true);
        csv.push_str(&format!(
            "AP-{i:02},{slot},{},Person {i},Venezuela,spa\n",
            1 + i % 4
        ));
    }
    let bookings = dir.path().join("today.csv");
    std::fs::write(&bookings, csv).unwrap();
    portqueue_ok(
        &url,
        &[
            "import-appointments",
            "--port",
            "SYS",
            bookings.to_str().unwrap(),
        ],
        None,
    );

    let servers = [serve(dir.path(), &url, 1), serve(dir.path(), &url, 2)];
    let addrs = [servers[0].addr, servers[1].addr];

    // 40 walk-ins and 8 check-ins at once, alternating between the two servers.
    let mut jobs: Vec<Box<dyn FnOnce() -> (u16, String) + Send>> = Vec::new();
    for i in 0..48usize {
        let (addr, token) = (addrs[i % 2], token.clone());
        let (path, body) = if i < 40 {
            let body = common::mixed_walk_in(i);
            ("/api/v1/ports/SYS/walk-ins".to_owned(), body)
        } else {
            (
                format!("/api/v1/ports/SYS/appointments/AP-{:02}/check-in", i - 40),
                json!({}),
            )
        };
        jobs.push(Box::new(move || {
            http(addr, "POST", &path, Some(&token), Some(&body))
        }));
    }
    let mut tickets = HashSet::new();
    for (status, body) in all_at_once(jobs) {
        assert_eq!(status, 201, "{body}");
        let entry: Value = serde_json::from_str(&body).unwrap();
        let ticket = entry["ticket"].as_str().expect("a ticket").to_owned();
        assert!(
            tickets.insert(ticket.clone()),
            "two open tickets numbered {ticket}"
        );
    }
    assert_eq!(tickets.len(), 48);

    // What the engine says, one call after another, from the stored state.
    let pool = db::open(&Location::Postgres(url.clone()), 2).unwrap();
    let mut conn = pool.get().unwrap();
    let port = port_by_code(&mut conn, "SYS").unwrap();
    let stored: Vec<Entry> = entries::table
        .select(Entry::as_select())
        .order(entries::id.asc())
        .load(&mut conn)
        .unwrap();
    let mut queue: Vec<_> = stored.iter().map(Entry::queue_entry).collect();
    let mut state = port.share_state();
    let mut expected = Vec::new();
    let now = Utc::now();
    for _ in 0..32 {
        let call = engine::next_call(&queue, &port.policy(), port.tz(), &state, now)
            .expect("someone eligible");
        state = call.state;
        queue.retain(|e| e.id != call.entry_id);
        expected.push(call.entry_id);
    }
    let early = stored
        .iter()
        .find(|e| {
            e.slot_at
                .is_some_and(|slot| slot > db::to_db(now + chrono::Duration::minutes(80)))
        })
        .expect("the appointment booked 90 minutes ahead is checked in");
    assert!(
        !expected.contains(&early.id),
        "the engine never calls an appointment early"
    );

    // 32 officers press "call next" at the same moment, each at their own counter, half on
    // each server.
    let jobs: Vec<Box<dyn FnOnce() -> (u16, String) + Send>> = (1..=32usize)
        .map(|counter| {
            let (addr, token) = (addrs[counter % 2], token.clone());
            let path = format!("/api/v1/ports/SYS/counters/{counter}/call-next");
            Box::new(move || http(addr, "POST", &path, Some(&token), None))
                as Box<dyn FnOnce() -> _ + Send>
        })
        .collect();
    let mut called = Vec::new();
    for (status, body) in all_at_once(jobs) {
        assert_eq!(status, 200, "{body}");
        let entry: Value = serde_json::from_str(&body).unwrap();
        called.push(entry["id"].as_i64().expect("an entry id"));
    }
    let distinct: HashSet<_> = called.iter().collect();
    assert_eq!(distinct.len(), 32, "an entry was called twice: {called:?}");

    // The order the calls committed in, across both processes, is the engine's order.
    let committed: Vec<i64> = entry_events::table
        .filter(entry_events::kind.eq("called"))
        .order(entry_events::id.asc())
        .select(entry_events::entry_id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(committed, expected);
    assert!(
        !committed.contains(&early.id),
        "no server calls an appointment early (G2)"
    );
    let statuses: Vec<String> = entries::table
        .select(entries::status)
        .load(&mut conn)
        .unwrap();
    assert_eq!(statuses.iter().filter(|s| *s == "called").count(), 32);
    assert_eq!(statuses.iter().filter(|s| *s == "waiting").count(), 16);

    // Each server answered its half, and its /metrics says so.
    for server in &servers {
        let (status, metrics) = http(server.addr, "GET", "/metrics", Some(METRICS_TOKEN), None);
        assert_eq!(status, 200);
        let line = r#"portqueue_http_requests_total{route="/api/v1/ports/{code}/counters/{n}/call-next",method="POST",status="2xx"} 16"#;
        assert!(
            metrics.lines().any(|l| l == line),
            "{}:\n{metrics}",
            server.addr
        );
        assert!(
            metrics
                .lines()
                .any(|l| l == r#"portqueue_queue_waiting{port="SYS"} 16"#),
            "{metrics}"
        );
    }
}

/// Sets up port SYS with an officer (by command line, as an operator would) and today's
/// bookings around now; returns the officer's API token.
fn set_up_port(dir: &Path, url: &str) -> String {
    portqueue_ok(url, &ADD_SYS, None);
    let password = format!("{PASSWORD}\n");
    portqueue_ok(url, &add_officer("ofelia"), Some(&password));
    let now = Utc::now();
    let mut csv = String::from("confirmation,slot_at,party_size,name,nationality,language\n");
    for (i, minutes) in [-30i64, -20, -10, 0, 5, 10].into_iter().enumerate() {
        let slot =
            (now + chrono::Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true);
        csv.push_str(&format!(
            "AP-{i:02},{slot},{},Person {i},Peru,spa\n",
            1 + i % 3
        ));
    }
    let bookings = dir.join("today.csv");
    std::fs::write(&bookings, csv).unwrap();
    portqueue_ok(
        url,
        &[
            "import-appointments",
            "--port",
            "SYS",
            bookings.to_str().unwrap(),
        ],
        None,
    );
    portqueue_ok(url, &["token", "create", "--username", "ofelia"], None)
        .trim()
        .to_owned()
}

fn waiting_tickets(addr: SocketAddr, token: &str) -> Vec<String> {
    let (status, body) = http(addr, "GET", "/api/v1/ports/SYS/queue", Some(token), None);
    assert_eq!(status, 200, "{body}");
    let queue: Value = serde_json::from_str(&body).unwrap();
    queue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ticket"].as_str().unwrap().to_owned())
        .collect()
}

/// Each server keeps the port's queue in memory; neither may decide on it once the other
/// changed the port. Every step reads or changes the queue on one server right after the
/// other server changed it, sequentially, so each server's kept queue is warm and stale at
/// the moment it is asked.
#[test]
fn neither_server_decides_on_a_stale_kept_queue() {
    let Some(server_url) = postgres_or_skip("two app servers") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_postgres_database(&server_url);
    let token = set_up_port(dir.path(), &url);
    let servers = [serve(dir.path(), &url, 1), serve(dir.path(), &url, 2)];
    let [a, b] = [servers[0].addr, servers[1].addr];
    let walk_in = |addr: SocketAddr, size: usize| {
        let body = json!({"party_size": size, "language": "spa", "barriers": ["language"]});
        let (status, body) = http(
            addr,
            "POST",
            "/api/v1/ports/SYS/walk-ins",
            Some(&token),
            Some(&body),
        );
        assert_eq!(status, 201, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()["ticket"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // Both servers read the queue, then each registration on one shows at once on the other,
    // and ticket numbers continue across them.
    let mut expected_waiting = Vec::new();
    for i in 0..12usize {
        let (here, there) = if i % 2 == 0 { (a, b) } else { (b, a) };
        assert_eq!(waiting_tickets(here, &token).len(), expected_waiting.len());
        let ticket = walk_in(here, 1 + i % 4);
        assert!(!expected_waiting.contains(&ticket), "{ticket} drawn twice");
        expected_waiting.push(ticket.clone());
        let seen = waiting_tickets(there, &token);
        assert!(
            seen.contains(&ticket),
            "{ticket} registered on one server is missing on the other: {seen:?}"
        );
        assert_eq!(seen.len(), expected_waiting.len());
    }
    // Check-ins alternate too (the bookings leave the estimates' expected arrivals).
    for i in 0..6usize {
        let server = if i % 2 == 0 { b } else { a };
        let (status, body) = http(
            server,
            "POST",
            &format!("/api/v1/ports/SYS/appointments/AP-{i:02}/check-in"),
            Some(&token),
            Some(&json!({})),
        );
        assert_eq!(status, 201, "{body}");
    }

    // The engine's order from the stored state: what the servers must call, in turn.
    let pool = db::open(&Location::Postgres(url.clone()), 2).unwrap();
    let mut conn = pool.get().unwrap();
    let port = port_by_code(&mut conn, "SYS").unwrap();
    let stored: Vec<Entry> = entries::table
        .select(Entry::as_select())
        .order(entries::id.asc())
        .load(&mut conn)
        .unwrap();
    let mut queue: Vec<_> = stored.iter().map(Entry::queue_entry).collect();
    let mut share = port.share_state();
    let mut expected = Vec::new();
    let now = Utc::now();
    while let Some(call) = engine::next_call(&queue, &port.policy(), port.tz(), &share, now) {
        share = call.state;
        queue.retain(|e| e.id != call.entry_id);
        expected.push(call.entry_id);
    }
    assert_eq!(expected.len(), 18, "everyone is eligible");

    // Calls alternate between the servers, each at its own counter, with a warm kept queue
    // on both: each call must be the next in the engine's order, never one the other server
    // already called.
    let mut called = Vec::new();
    for (k, want) in expected.iter().enumerate() {
        let server = if k % 2 == 0 { a } else { b };
        let counter = 1 + k;
        // The other server reads the queue (and so keeps it) before this call.
        let other = if k % 2 == 0 { b } else { a };
        waiting_tickets(other, &token);
        let (status, body) = http(
            server,
            "POST",
            &format!("/api/v1/ports/SYS/counters/{counter}/call-next"),
            Some(&token),
            None,
        );
        assert_eq!(status, 200, "call {k}: {body}");
        let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
            .as_i64()
            .unwrap();
        assert!(!called.contains(&id), "entry {id} called twice");
        assert_eq!(
            id, *want,
            "call {k} on server {server} is out of the engine's order"
        );
        called.push(id);
        // The counter just used is busy on both servers.
        for addr in [a, b] {
            let (status, body) = http(
                addr,
                "POST",
                &format!("/api/v1/ports/SYS/counters/{counter}/call-next"),
                Some(&token),
                None,
            );
            assert_eq!(status, 409, "counter {counter} is busy: {body}");
        }
    }
    // Completing on one server frees the counter on the other.
    let (status, body) = http(
        b,
        "POST",
        &format!("/api/v1/entries/{}/complete", called[0]),
        Some(&token),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let (status, _) = http(
        a,
        "POST",
        "/api/v1/ports/SYS/counters/1/call-next",
        Some(&token),
        None,
    );
    assert_eq!(
        status, 204,
        "counter 1 is free on the other server, and nobody waits"
    );
    assert!(waiting_tickets(a, &token).is_empty());
    assert!(waiting_tickets(b, &token).is_empty());
}
