//! The command line as a script sees it (docs/design/interfaces.md, "Command line"): the real binary, its
//! exit status, its standard output, and on failure exactly one clear line on standard error.
//! Runs on SQLite, and on PostgreSQL when `PORTQUEUE_TEST_DATABASE_URL` is set.

mod common;

use std::path::Path;
use std::process::Output;

use diesel::prelude::*;

use portqueue::auth::sessions;
use portqueue::db::schema::appointments;
use portqueue::db::{self, Location};
use portqueue_core::Policy;
use portqueue_core::queue::simulate;

use common::{fresh_database_url, test_postgres_url};

/// Runs `portqueue ARGS` in `dir`, with `database_url` as `DATABASE_URL` (none: unset),
/// `stdin` piped in.
fn portqueue(dir: &Path, database_url: Option<&str>, args: &[&str], stdin: Option<&str>) -> Output {
    common::cli::portqueue(Some(dir), database_url, args, stdin)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts success and returns standard output.
#[track_caller]
fn succeeds(output: Output) -> String {
    assert!(
        output.status.success(),
        "expected success, got {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output)
}

/// Asserts exit status 1 and exactly one line on standard error; returns that line.
#[track_caller]
fn fails_with_one_line(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected exit status 1; stdout: {}; stderr: {stderr}",
        stdout(&output)
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line on stderr, got: {stderr:?}"
    );
    assert!(lines[0].starts_with("portqueue: "), "{stderr}");
    assert!(
        stdout(&output).is_empty(),
        "nothing on stdout when it fails"
    );
    lines[0].to_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migrate_creates_a_database_only_for_the_default_file_or_a_sqlite_url() {
    // No URL at all: the default file in the working directory, created and migrated.
    let default_dir = tempfile::tempdir().unwrap();
    let out = succeeds(portqueue(default_dir.path(), None, &["migrate"], None));
    assert!(out.contains("sqlite://portqueue.db is up to date"), "{out}");
    assert!(default_dir.path().join("portqueue.db").exists());

    // An explicit sqlite:// URL creates its file.
    let dir = tempfile::tempdir().unwrap();
    let wanted = dir.path().join("new.db");
    let url = format!("sqlite://{}", wanted.display());
    succeeds(portqueue(dir.path(), Some(&url), &["migrate"], None));
    assert!(wanted.exists());

    // A bare path that does not exist is a typo until proven otherwise: nothing is created.
    let empty = tempfile::tempdir().unwrap();
    let typo = empty.path().join("portqueu.db");
    let line = fails_with_one_line(portqueue(
        empty.path(),
        Some(typo.to_str().unwrap()),
        &["migrate"],
        None,
    ));
    assert!(
        line.contains("no SQLite database at") && line.contains("sqlite://"),
        "{line}"
    );
    assert!(
        files_in(empty.path()).is_empty(),
        "{:?}",
        files_in(empty.path())
    );

    // A misspelt scheme is named as such; the password in it is not shown.
    let line = fails_with_one_line(portqueue(
        empty.path(),
        None,
        &[
            "--database-url",
            "postgress://app:s3cret@127.0.0.1/pq",
            "migrate",
        ],
        None,
    ));
    assert!(
        line.contains("`postgress://app:***@127.0.0.1/pq` is not a database URL"),
        "{line}"
    );
    assert!(!line.contains("s3cret"), "{line}");
    assert!(
        files_in(empty.path()).is_empty(),
        "{:?}",
        files_in(empty.path())
    );
}

#[test]
fn an_unreachable_postgres_is_one_line_that_says_what_to_check() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1 of the loopback address.
    for args in [
        &["migrate"][..],
        &[
            "port",
            "add",
            "--code",
            "SYS",
            "--name",
            "San Ysidro",
            "--timezone",
            "UTC",
        ],
    ] {
        let line = fails_with_one_line(portqueue(
            dir.path(),
            Some("postgres://nobody:hunter2@127.0.0.1:1/x"),
            args,
            None,
        ));
        assert_eq!(
            line,
            "portqueue: cannot open the database at postgres://nobody:***@127.0.0.1:1/x: \
             connection refused — is PostgreSQL running and reachable?"
        );
    }
    assert!(files_in(dir.path()).is_empty());

    // On the PostgreSQL pass: a server that answers, but has no such database.
    if let Some(url) = test_postgres_url() {
        let slash = url.rfind('/').expect("URL ends with /DBNAME");
        let missing = format!("{}/pq_no_such_database", &url[..slash]);
        let line = fails_with_one_line(portqueue(dir.path(), Some(&missing), &["migrate"], None));
        assert!(
            line.contains("database \"pq_no_such_database\" does not exist — create it first"),
            "{line}"
        );
    }
}

#[test]
fn a_port_its_accounts_and_a_token_are_set_up_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let db = Some(url.as_str());
    let run = |args: &[&str], stdin: Option<&str>| portqueue(dir.path(), db, args, stdin);

    let out = succeeds(run(
        &[
            "port",
            "add",
            "--code",
            "sys",
            "--name",
            "San Ysidro",
            "--timezone",
            "America/Tijuana",
        ],
        None,
    ));
    assert_eq!(out.trim(), "added port SYS (San Ysidro, America/Tijuana)");
    let line = fails_with_one_line(run(
        &[
            "port",
            "add",
            "--code",
            "OTY",
            "--name",
            "Otay Mesa",
            "--timezone",
            "America/Tijuna",
        ],
        None,
    ));
    assert!(line.contains("timezone"), "{line}");
    let line = fails_with_one_line(run(
        &[
            "port",
            "add",
            "--code",
            "SYS",
            "--name",
            "Again",
            "--timezone",
            "UTC",
        ],
        None,
    ));
    assert!(line.contains("SYS"), "{line}");

    let add_officer = [
        "officer",
        "add",
        "--username",
        "ofelia",
        "--role",
        "officer",
        "--port",
        "SYS",
    ];
    let line = fails_with_one_line(run(&add_officer, Some("long enough password\n")));
    assert!(line.contains("--password-stdin"), "{line}");
    let with_stdin = [&add_officer[..], &["--password-stdin"]].concat();
    let out = succeeds(run(&with_stdin, Some("long enough password\n")));
    assert_eq!(out.trim(), "added officer ofelia");
    let line = fails_with_one_line(run(
        &[
            "officer",
            "add",
            "--username",
            "otto",
            "--role",
            "officer",
            "--port",
            "NOPE",
            "--password-stdin",
        ],
        Some("long enough password\n"),
    ));
    assert!(line.contains("NOPE"), "{line}");

    let first = succeeds(run(&["token", "create", "--username", "ofelia"], None));
    let second = succeeds(run(&["token", "create", "--username", "ofelia"], None));
    assert_eq!(first.lines().count(), 1, "{first}");
    let (first, second) = (first.trim(), second.trim());
    assert!(
        first.len() >= 32,
        "a token long enough not to be guessed: {first}"
    );
    assert_ne!(first, second, "every token is new");
    let line = fails_with_one_line(run(&["token", "create", "--username", "nobody"], None));
    assert!(line.contains("nobody"), "{line}");

    // A username is one name whatever its case, on the command line as at the sign-in.
    let maria = [
        "officer",
        "add",
        "--username",
        "Maria",
        "--role",
        "officer",
        "--port",
        "SYS",
        "--password-stdin",
    ];
    let out = succeeds(run(&maria, Some("long enough password\n")));
    assert_eq!(out.trim(), "added officer maria");
    let maria_token = succeeds(run(&["token", "create", "--username", "Maria"], None));
    succeeds(run(&["token", "create", "--username", " MARIA "], None));
    let out = succeeds(run(&["token", "revoke", "--username", "Maria"], None));
    assert!(
        out.starts_with("revoked 2 "),
        "both of Maria's tokens revoked: {out}"
    );

    // The printed token is one the app accepts, for that officer.
    let pool = db::open(&Location::parse(db), 1).unwrap();
    let actor = sessions::find_api_token(&mut pool.get().unwrap(), first)
        .unwrap()
        .expect("the printed token is known");
    assert_eq!(actor.username, "ofelia");
    let revoked = sessions::find_api_token(&mut pool.get().unwrap(), maria_token.trim()).unwrap();
    assert!(revoked.is_none(), "Maria's revoked token opens nothing");
}

const APPOINTMENTS: &str = "confirmation,slot_at,party_size,name,nationality,language\n\
AB-1001,2026-11-25T09:30:00-08:00,2,Ana Pérez,Venezuela,spa\n\
AB-1002,2026-11-25T13:00:00-08:00,1,Li Wei,China,zho\n";

const ONE_BAD_ROW: &str = "confirmation,slot_at,party_size,name,nationality,language\n\
AB-1003,2026-11-25T10:00:00-08:00,3,Marie Joseph,Haiti,hat\n\
AB-1004,tomorrow morning,1,Ivan Petrov,Russia,rus\n";

#[test]
fn import_appointments_is_idempotent_and_a_bad_row_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let db = Some(url.as_str());
    let run = |args: &[&str]| portqueue(dir.path(), db, args, None);
    succeeds(run(&common::cli::ADD_SYS));
    std::fs::write(dir.path().join("day.csv"), APPOINTMENTS).unwrap();
    std::fs::write(dir.path().join("bad.csv"), ONE_BAD_ROW).unwrap();

    let out = succeeds(run(&["import-appointments", "--port", "SYS", "day.csv"]));
    assert_eq!(out.trim(), "port SYS: 2 created, 0 unchanged, 0 updated");
    let out = succeeds(run(&["import-appointments", "--port", "SYS", "day.csv"]));
    assert_eq!(out.trim(), "port SYS: 0 created, 2 unchanged, 0 updated");

    let line = fails_with_one_line(run(&["import-appointments", "--port", "SYS", "bad.csv"]));
    assert!(line.contains("line 3, column slot_at"), "{line}");
    let pool = db::open(&Location::parse(db), 1).unwrap();
    let stored: Vec<String> = appointments::table
        .select(appointments::confirmation)
        .order(appointments::confirmation.asc())
        .load(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(
        stored,
        ["AB-1001", "AB-1002"],
        "the good row of a bad file is not imported"
    );

    let line = fails_with_one_line(run(&[
        "import-appointments",
        "--port",
        "SYS",
        "missing.csv",
    ]));
    assert!(line.contains("cannot read missing.csv"), "{line}");
    let line = fails_with_one_line(run(&["import-appointments", "--port", "XXX", "day.csv"]));
    assert!(line.contains("XXX"), "{line}");
}

const ARRIVALS: &str = "ticket,class,tier,party_size,arrived_at,slot_at\n\
W001,walk_in,standard,3,2026-11-25T08:00:00-08:00,\n\
A001,appointment,standard,2,2026-11-25T08:05:00-08:00,2026-11-25T08:30:00-08:00\n\
W002,walk_in,priority,1,2026-11-25T08:06:00-08:00,\n\
W003,walk_in,urgent,1,2026-11-25T08:20:00-08:00,\n\
A002,appointment,standard,4,2026-11-25T08:21:00-08:00,2026-11-25T08:30:00-08:00\n";

#[test]
fn simulate_replays_a_file_as_csv_and_json_without_touching_a_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("arrivals.csv"), ARRIVALS).unwrap();
    let run = |extra: &[&str]| {
        let args = [
            &[
                "simulate",
                "--input",
                "arrivals.csv",
                "--counters",
                "2",
                "--timezone",
                "America/Tijuana",
            ][..],
            extra,
        ]
        .concat();
        portqueue(dir.path(), None, &args, None)
    };

    // The same engine, driven in-process, gives the same bytes.
    let arrivals = simulate::read_arrivals(ARRIVALS.as_bytes()).unwrap();
    let rows = simulate::run(
        &arrivals,
        &Policy::default(),
        2,
        "America/Tijuana".parse().unwrap(),
    );
    let mut expected = Vec::new();
    simulate::write_csv(&rows, &mut expected).unwrap();

    let csv = succeeds(run(&[]));
    assert_eq!(csv, String::from_utf8(expected).unwrap());
    assert_eq!(
        csv.lines().next(),
        Some(
            "ticket,class,queue_class,tier,party_size,arrived_at,eligible_at,called_at,counter,finished_at,wait_minutes,reason,estimate_earliest,estimate_latest"
        )
    );
    assert_eq!(csv.lines().count(), 6);
    let position = |ticket: &str| csv.lines().position(|l| l.starts_with(ticket)).unwrap();
    assert!(
        position("W003,") < position("W002,"),
        "urgent passes the earlier priority (G1): {csv}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&succeeds(run(&["--format", "json"]))).unwrap();
    let tickets: Vec<&str> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|row| row["ticket"].as_str().unwrap())
        .collect();
    let csv_tickets: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        tickets, csv_tickets,
        "JSON and CSV list the same calls in the same order"
    );
    assert_eq!(json[0]["queue_class"], "walk_in");

    std::fs::write(
        dir.path().join("arrivals.csv"),
        ARRIVALS.replace("W002,walk_in,priority", "W002,walk_in,important"),
    )
    .unwrap();
    let line = fails_with_one_line(run(&[]));
    assert!(line.contains("line 4, column tier"), "{line}");
    let line = fails_with_one_line(run(&["--walkin-share", "1.5"]));
    assert!(line.contains("walkin-share"), "{line}");

    assert_eq!(
        files_in(dir.path()),
        ["arrivals.csv"],
        "simulate opens no database"
    );
}

#[test]
fn demo_fills_a_new_port_once_and_its_days_read_as_reports() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path());
    let filled = succeeds(portqueue(
        dir.path(),
        Some(&url),
        &["demo", "--port", "DEM", "--days", "2", "--per-day", "25"],
        None,
    ));
    assert!(filled.starts_with("port DEM (created): "), "{filled}");
    assert!(filled.contains(" walk-ins, "), "{filled}");

    // Days it already filled are refused, with one line.
    let again = fails_with_one_line(portqueue(
        dir.path(),
        Some(&url),
        &["demo", "--port", "DEM", "--days", "2"],
        None,
    ));
    assert!(again.contains("already has demo activity"), "{again}");
    let bad = fails_with_one_line(portqueue(
        dir.path(),
        Some(&url),
        &["demo", "--port", "DEM2", "--days", "0"],
        None,
    ));
    assert!(bad.contains("days"), "{bad}");

    // Yesterday in the port's time zone reads as a day with arrivals and services.
    let yesterday = (chrono::Utc::now().with_timezone(&chrono_tz::America::Tijuana)
        - chrono::Duration::days(1))
    .date_naive()
    .to_string();
    let json = succeeds(portqueue(
        dir.path(),
        Some(&url),
        &[
            "report", "--port", "DEM", "--date", &yesterday, "--format", "json",
        ],
        None,
    ));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        report["outcomes"]["arrived"].as_u64().unwrap() > 10,
        "{json}"
    );
    assert!(report["outcomes"]["served"].as_u64().unwrap() > 5, "{json}");
}

/// Without `--counter-languages` the replay writes, byte for byte, what it wrote before
/// language matching existed (the expected files were written by the binary before then),
/// also for a file with a `language` column.
#[test]
fn simulate_without_counter_languages_writes_todays_bytes() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures.join("simulate-languages.csv"),
        dir.path().join("in.csv"),
    )
    .unwrap();
    let args = [
        "simulate",
        "--input",
        "in.csv",
        "--counters",
        "2",
        "--timezone",
        "America/Tijuana",
    ];
    let csv = succeeds(portqueue(dir.path(), None, &args, None));
    let today = std::fs::read_to_string(fixtures.join("simulate-languages.today.csv")).unwrap();
    assert_eq!(csv, today);
    let json = succeeds(portqueue(
        dir.path(),
        None,
        &[&args[..], &["--format", "json"]].concat(),
        None,
    ));
    let today = std::fs::read_to_string(fixtures.join("simulate-languages.today.json")).unwrap();
    assert_eq!(json, today);
}

/// A matched replay worked by hand: four walk-ins at 08:00 (Punjabi, Spanish, Punjabi,
/// Spanish), counter 1 covers Spanish, counter 2 Punjabi, ten minutes each. At 08:00
/// counter 1 passes over W001 (counter 2 covers Punjabi) and calls W002; counter 2 calls
/// W001; at 08:10 counter 1 passes over W003 and calls W004, counter 2 calls W003.
#[test]
fn simulate_with_counter_languages_matches_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.csv"),
        "ticket,class,tier,party_size,arrived_at,slot_at,language\n\
         W001,walk_in,standard,1,2026-12-09T08:00:00Z,,pan\n\
         W002,walk_in,standard,1,2026-12-09T08:00:00Z,,spa\n\
         W003,walk_in,standard,1,2026-12-09T08:00:00Z,,pnb\n\
         W004,walk_in,standard,1,2026-12-09T08:00:00Z,,spa\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let args = [
            &["simulate", "--input", "in.csv", "--counters", "2"][..],
            extra,
        ]
        .concat();
        portqueue(dir.path(), None, &args, None)
    };
    let csv = succeeds(run(&["--counter-languages", "1=spa;2=pan,pnb"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].ends_with("estimate_latest,language,language_matched,language_reason"),
        "{}",
        lines[0]
    );
    let summary: Vec<(String, String, String, String)> = lines[1..]
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_owned(),
                f[8].to_owned(),
                f[f.len() - 2].to_owned(),
                f[7].to_owned(),
            )
        })
        .collect();
    let row = |t: &str, c: &str, m: &str, at: &str| {
        (t.to_owned(), c.to_owned(), m.to_owned(), at.to_owned())
    };
    assert_eq!(
        summary,
        [
            row("W002", "1", "true", "2026-12-09T08:00:00Z"),
            row("W001", "2", "true", "2026-12-09T08:00:00Z"),
            row("W004", "1", "true", "2026-12-09T08:10:00Z"),
            row("W003", "2", "true", "2026-12-09T08:10:00Z"),
        ]
    );
    assert!(
        lines[1].ends_with(
            "spa,true,Spanish: this counter covers it; passed over 1 whose language another open counter covers"
        ),
        "{}",
        lines[1]
    );
    // Nobody covers Punjabi: counter 1 never passes W001 over and calls it with an
    // interpreter.
    let csv = succeeds(run(&["--counter-languages", "1=spa;2=spa"]));
    let first = csv.lines().nth(1).unwrap();
    assert!(first.starts_with("W001,"), "{first}");
    assert!(
        first.ends_with("pan,false,no open counter covers Punjabi (Eastern): interpreter needed"),
        "{first}"
    );
    let json: serde_json::Value = serde_json::from_str(&succeeds(run(&[
        "--counter-languages",
        "1=spa;2=spa",
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(json[0]["language_matched"], false);
    assert_eq!(json[0]["language"], "pan");

    let line = fails_with_one_line(run(&["--counter-languages", "3=spa"]));
    assert!(
        line.contains("counter-languages: counter \"3\" must be a number from 1 to 2"),
        "{line}"
    );
    let line = fails_with_one_line(run(&["--counter-languages", "1=klingon"]));
    assert!(line.contains("counter-languages: counter 1:"), "{line}");
    let line = fails_with_one_line(run(&[
        "--counter-languages",
        "1=spa",
        "--language-wait-limit-minutes",
        "100000",
    ]));
    assert!(line.contains("language-wait-limit-minutes"), "{line}");
}
