//! The two migration folders describe one schema: the same tables, with the same
//! columns in the same order, of the same kind and nullability; and `src/db/schema.rs`, which
//! both backends share, agrees with each of them.
//!
//! Compared: the live SQLite schema after `db::open` (`PRAGMA table_info`), a parse of both
//! folders' `up.sql`, the column lists diesel generates from `schema.rs`, and, when
//! `PORTQUEUE_TEST_DATABASE_URL` is set, the live PostgreSQL schema (`information_schema`).
//! Then one row in every table is written and read back through every model on the backend
//! under test, so a column whose type differs from `schema.rs` fails to load.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use portqueue::db::models::{Appointment, Entry, EventRow, Port, User};
use portqueue::db::schema::{
    access_log, api_tokens, appointments, audit_events, counter_language_changes,
    counter_languages, counter_plans, entries, entry_events, entry_phones, outgoing_messages,
    policy_changes, ports, report_days, sessions, sign_in_throttle, users,
};
use portqueue::db::{self, DbConnection, Location};

use common::{fresh_postgres_database, test_postgres_url};

/// A column as both backends should agree on it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    /// integer, bigint, text, double, bool or timestamp.
    class: &'static str,
    nullable: bool,
}

/// Table name → its columns in order.
type Schema = BTreeMap<String, Vec<Column>>;

/// Diesel's own bookkeeping table is not part of the app's schema.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

fn class_of(declared: &str, primary_key: bool) -> &'static str {
    match declared.trim().to_ascii_uppercase().as_str() {
        // An SQLite `INTEGER PRIMARY KEY` is the 64-bit rowid; PostgreSQL's is `BIGSERIAL`.
        "INTEGER" | "INT4" if primary_key => "bigint",
        "INTEGER" | "INT" | "INT4" => "integer",
        "BIGINT" | "INT8" | "BIGSERIAL" => "bigint",
        "TEXT" => "text",
        "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" | "REAL" => "double",
        "BOOLEAN" | "BOOL" => "bool",
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => "timestamp",
        other => panic!("column type `{other}` has no class here: add it to class_of"),
    }
}

// ---- live SQLite ---------------------------------------------------------------------------

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

fn sqlite_live_schema(conn: &mut DbConnection) -> Schema {
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(conn)
    .expect("list SQLite tables");
    tables
        .into_iter()
        .filter(|t| t.name != MIGRATIONS_TABLE)
        .map(|t| {
            let columns: Vec<SqliteColumn> = diesel::sql_query(
                "SELECT name, type AS declared, \"notnull\" AS not_null, pk FROM pragma_table_info(?) ORDER BY cid",
            )
            .bind::<Text, _>(&t.name)
            .load(conn)
            .expect("PRAGMA table_info");
            let columns = columns
                .into_iter()
                .map(|c| Column {
                    class: class_of(&c.declared, c.pk > 0),
                    nullable: c.not_null == 0 && c.pk == 0,
                    name: c.name,
                })
                .collect();
            (t.name, columns)
        })
        .collect()
}

// ---- live PostgreSQL -----------------------------------------------------------------------

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn postgres_live_schema(conn: &mut DbConnection) -> Schema {
    let columns: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                data_type::text AS data_type, is_nullable::text AS is_nullable \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() \
         ORDER BY table_name, ordinal_position",
    )
    .load(conn)
    .expect("read information_schema.columns");
    let mut schema = Schema::new();
    for c in columns
        .into_iter()
        .filter(|c| c.table_name != MIGRATIONS_TABLE)
    {
        schema.entry(c.table_name).or_default().push(Column {
            class: class_of(&c.data_type, false),
            nullable: c.is_nullable == "YES",
            name: c.column_name,
        });
    }
    schema
}

// ---- the migration files -------------------------------------------------------------------

/// The tables that a backend's `up.sql` files create, in migration order. Understands
/// `CREATE TABLE` and `ALTER TABLE … ADD [COLUMN]` (the column goes last, as both backends
/// put it); any other statement that changes columns stops the test, so that this parse
/// never silently misses a change.
fn parse_migrations(backend: &str) -> Schema {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut folders: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|d| d.expect("migration folder").path())
        .collect();
    folders.sort();
    assert!(!folders.is_empty(), "no migrations in {}", dir.display());
    let mut schema = Schema::new();
    for folder in folders {
        let sql = std::fs::read_to_string(folder.join("up.sql")).expect("read up.sql");
        let sql: String = sql
            .lines()
            .map(|line| line.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let upper = statement.to_ascii_uppercase();
            let words: Vec<&str> = upper.split_whitespace().collect();
            match words.as_slice() {
                ["CREATE", "TABLE", ..] => {
                    let (name, columns) = parse_create_table(statement);
                    schema.insert(name, columns);
                }
                ["ALTER", "TABLE", _, "ADD", ..] => {
                    let (table, column) = parse_add_column(statement);
                    schema
                        .get_mut(&table)
                        .unwrap_or_else(|| {
                            panic!("{}: ALTER TABLE of unknown `{table}`", folder.display())
                        })
                        .push(column);
                }
                ["CREATE", "INDEX" | "UNIQUE", ..] | ["UPDATE", ..] => {}
                _ => panic!(
                    "{}: this test does not understand `{}`; teach parse_migrations",
                    folder.display(),
                    statement.lines().next().unwrap_or_default()
                ),
            }
        }
    }
    schema
}

fn parse_create_table(statement: &str) -> (String, Vec<Column>) {
    let open = statement.find('(').expect("CREATE TABLE name (");
    let close = statement.rfind(')').expect("closing parenthesis");
    let name = statement[..open]
        .split_whitespace()
        .last()
        .expect("table name")
        .to_owned();
    let columns = split_top_level(&statement[open + 1..close])
        .into_iter()
        .filter_map(|definition| parse_column(&definition))
        .collect();
    (name, columns)
}

/// `ALTER TABLE name ADD [COLUMN] definition`: the table and the column added.
fn parse_add_column(statement: &str) -> (String, Column) {
    let words: Vec<&str> = statement.split_whitespace().collect();
    let table = words[2].to_owned();
    let rest = &words[4..];
    let rest = match rest.first() {
        Some(w) if w.eq_ignore_ascii_case("COLUMN") => &rest[1..],
        _ => rest,
    };
    let column = parse_column(&rest.join(" "))
        .unwrap_or_else(|| panic!("ALTER TABLE {table} ADD: no column in `{statement}`"));
    (table, column)
}

/// One column definition (`name TYPE constraints…`), or `None` for a table constraint.
fn parse_column(definition: &str) -> Option<Column> {
    let upper = definition.to_ascii_uppercase();
    let first = upper.split_whitespace().next()?;
    if ["UNIQUE", "PRIMARY", "CHECK", "FOREIGN", "CONSTRAINT"].contains(&first) {
        return None;
    }
    let mut words = definition.split_whitespace();
    let column = words.next()?.to_owned();
    let rest: Vec<String> = words.map(str::to_ascii_uppercase).collect();
    // The type is the words before the first constraint keyword.
    let type_words: Vec<&str> = rest
        .iter()
        .map(String::as_str)
        .take_while(|w| {
            ![
                "NOT",
                "NULL",
                "PRIMARY",
                "UNIQUE",
                "DEFAULT",
                "REFERENCES",
                "CHECK",
            ]
            .contains(w)
        })
        .collect();
    let primary_key = upper.contains("PRIMARY KEY");
    Some(Column {
        name: column,
        class: class_of(&type_words.join(" "), primary_key),
        nullable: !(primary_key || upper.contains("NOT NULL")),
    })
}

/// Splits a column list at the commas that are not inside parentheses or quotes.
fn split_top_level(body: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0, false);
    for c in body.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

// ---- schema.rs -----------------------------------------------------------------------------

/// The column names diesel selects for `table::all_columns`, read from the SQL it generates.
macro_rules! diesel_columns {
    ($($table:ident),* $(,)?) => {{
        let mut tables = BTreeMap::new();
        $(
            let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(
                &$table::table.select($table::all_columns),
            )
            .to_string();
            let list = sql
                .strip_prefix("SELECT ")
                .and_then(|s| s.split(" FROM ").next())
                .expect("SELECT … FROM");
            let names: Vec<String> = list
                .split(", ")
                .map(|c| c.rsplit('.').next().unwrap_or(c).trim_matches('`').to_owned())
                .collect();
            tables.insert(stringify!($table).to_owned(), names);
        )*
        tables
    }};
}

fn schema_rs_columns() -> BTreeMap<String, Vec<String>> {
    diesel_columns!(
        ports,
        users,
        sessions,
        api_tokens,
        appointments,
        entries,
        entry_events,
        policy_changes,
        access_log,
        report_days,
        sign_in_throttle,
        audit_events,
        counter_plans,
        entry_phones,
        outgoing_messages,
        counter_languages,
        counter_language_changes,
    )
}

fn names(schema: &Schema) -> BTreeMap<String, Vec<String>> {
    schema
        .iter()
        .map(|(t, cols)| (t.clone(), cols.iter().map(|c| c.name.clone()).collect()))
        .collect()
}

/// Asserts table by table, so that a failure names the table and shows both column lists.
fn assert_same(left_name: &str, left: &Schema, right_name: &str, right: &Schema) {
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>(),
        "{left_name} and {right_name} have different tables"
    );
    for (table, columns) in left {
        assert_eq!(
            columns, &right[table],
            "table `{table}` differs between {left_name} (left) and {right_name} (right)"
        );
    }
}

fn fresh_sqlite() -> (tempfile::TempDir, db::DbPool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let location = Location::Sqlite {
        path: dir.path().join("schema.db").to_string_lossy().into_owned(),
        create: true,
    };
    let pool = db::open(&location, 2).expect("open and migrate SQLite");
    (dir, pool)
}

fn fresh_postgres() -> Option<db::DbPool> {
    let url = test_postgres_url()?;
    let location = Location::Postgres(fresh_postgres_database(&url));
    Some(db::open(&location, 2).expect("open and migrate PostgreSQL"))
}

// ---- the tests -----------------------------------------------------------------------------

#[test]
fn both_migration_folders_create_the_same_tables_and_columns() {
    let sqlite = parse_migrations("sqlite");
    let postgres = parse_migrations("postgres");
    assert!(
        sqlite.len() >= 9,
        "parsed too few tables: {:?}",
        sqlite.keys()
    );
    assert_same(
        "migrations/sqlite",
        &sqlite,
        "migrations/postgres",
        &postgres,
    );
}

#[test]
fn live_sqlite_schema_matches_the_postgres_migrations_and_schema_rs() {
    let (_dir, pool) = fresh_sqlite();
    let live = sqlite_live_schema(&mut pool.get().unwrap());
    assert_same(
        "SQLite as migrated",
        &live,
        "migrations/postgres",
        &parse_migrations("postgres"),
    );
    // The parse is checked against what SQLite itself reports, so it cannot drift unseen.
    assert_same(
        "SQLite as migrated",
        &live,
        "migrations/sqlite",
        &parse_migrations("sqlite"),
    );
    assert_eq!(names(&live), schema_rs_columns(), "schema.rs vs SQLite");
}

#[test]
fn live_postgres_schema_matches_live_sqlite_and_schema_rs() {
    let Some(pg) = fresh_postgres() else {
        eprintln!("skipped: set PORTQUEUE_TEST_DATABASE_URL to compare with a live PostgreSQL");
        return;
    };
    let live_pg = postgres_live_schema(&mut pg.get().unwrap());
    let (_dir, sqlite) = fresh_sqlite();
    let live_sqlite = sqlite_live_schema(&mut sqlite.get().unwrap());
    assert_same(
        "PostgreSQL as migrated",
        &live_pg,
        "SQLite as migrated",
        &live_sqlite,
    );
    assert_same(
        "PostgreSQL as migrated",
        &live_pg,
        "migrations/postgres",
        &parse_migrations("postgres"),
    );
    assert_eq!(
        names(&live_pg),
        schema_rs_columns(),
        "schema.rs vs PostgreSQL"
    );
}

/// One row in every table, with every nullable column filled, in SQL both backends accept.
const ONE_ROW_EACH: &str = "
INSERT INTO ports (code, name, timezone, printer_addr, created_at)
    VALUES ('SYS', 'San Ysidro', 'America/Tijuana', '127.0.0.1:9100', '2026-11-25 17:00:00');
INSERT INTO users (username, password_hash, role, port_id, must_change_password, active, created_at)
    VALUES ('ofelia', 'hash', 'officer', 1, TRUE, TRUE, '2026-11-25 17:00:00');
INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
    VALUES ('s', 1, 'c', '2026-11-25 17:00:00', '2026-11-26 17:00:00');
INSERT INTO api_tokens (token_hash, user_id, created_at, revoked)
    VALUES ('t', 1, '2026-11-25 17:00:00', TRUE);
INSERT INTO appointments (port_id, confirmation, slot_at, party_size, name, nationality, language, imported_at, imported_by)
    VALUES (1, 'AB-1', '2026-11-25 17:30:00', 2, 'Ana', 'Venezuela', 'spa', '2026-11-25 16:00:00', 1);
INSERT INTO entries (port_id, ticket, class, tier, party_size, language, barriers, barrier_note,
                     vulnerabilities, urgent_reason, name, nationality, appointment_id, slot_at,
                     arrived_at, status, counter, called_at, recalls, finished_at, status_token,
                     call_reason, created_by)
    VALUES (1, 'A001', 'appointment', 'urgent', 2, 'spa', 'language', 'note', 'pregnancy',
            'fainted', 'Ana', 'Venezuela', 1, '2026-11-25 17:30:00', '2026-11-25 17:10:00',
            'served', 3, '2026-11-25 17:20:00', 1, '2026-11-25 17:40:00', 'tok', 'urgent', 1);
INSERT INTO entry_events (entry_id, port_id, at, actor_id, kind, from_status, to_status, counter, detail)
    VALUES (1, 1, '2026-11-25 17:20:00', 1, 'called', 'waiting', 'called', 3, '{}');
INSERT INTO policy_changes (port_id, changed_by, changed_at, before_policy, after_policy)
    VALUES (1, 1, '2026-11-25 17:00:00', '{}', '{}');
INSERT INTO access_log (at, user_id, port_id, entry_id, action)
    VALUES ('2026-11-25 17:00:00', 1, 1, 1, 'view');
INSERT INTO report_days (port_id, date, format, time_zone, day_end, computed_at, figures)
    VALUES (1, '2026-11-24', 1, 'America/Tijuana', '2026-11-25 08:00:00', '2026-11-25 09:00:00', '{}');
INSERT INTO counter_plans (port_id, hour, counters) VALUES (1, 8, 4);
INSERT INTO entry_phones (entry_id, port_id, phone, created_at)
    VALUES (1, 1, '+526641234567', '2026-11-25 17:10:00');
INSERT INTO outgoing_messages (port_id, entry_id, kind, body, status, attempts, next_attempt_at, created_at)
    VALUES (1, 1, 'issued', 'Ticket A001', 'queued', 0, '2026-11-25 17:10:00', '2026-11-25 17:10:00');
INSERT INTO counter_languages (port_id, counter, languages, opened_by, opened_at)
    VALUES (1, 2, 'pan,eng', 1, '2026-11-25 17:00:00');
INSERT INTO counter_language_changes (port_id, counter, languages, changed_by, at)
    VALUES (1, 2, 'pan,eng', 1, '2026-11-25 17:00:00'), (1, 2, NULL, 1, '2026-11-25 18:00:00');
";

/// Every model (and every table without one) loads the row back on this backend: a column
/// missing or of another type than `schema.rs` says fails here.
fn every_model_loads_on(conn: &mut DbConnection) {
    conn.batch_execute(ONE_ROW_EACH)
        .expect("insert one row in every table");
    let port = ports::table
        .select(Port::as_select())
        .first(conn)
        .expect("Port");
    assert_eq!(port.printer_addr.as_deref(), Some("127.0.0.1:9100"));
    assert_eq!(port.printer_paper_mm, 80, "default printer_paper_mm");
    assert!(
        !port.announce_ticket_language,
        "default announce_ticket_language"
    );
    assert!(
        (port.walkin_share - 0.30).abs() < 1e-9,
        "default walkin_share"
    );
    let user = users::table
        .select(User::as_select())
        .first(conn)
        .expect("User");
    assert_eq!(user.port_id, Some(port.id));
    let appointment = appointments::table
        .select(Appointment::as_select())
        .first(conn)
        .expect("Appointment");
    assert_eq!(appointment.imported_by, Some(user.id));
    let entry = entries::table
        .select(Entry::as_select())
        .first(conn)
        .expect("Entry");
    assert_eq!(entry.appointment_id, Some(appointment.id));
    assert!(entry.finished_at.is_some() && entry.called_at.is_some());
    let event = entry_events::table
        .select(EventRow::as_select())
        .first(conn)
        .expect("EventRow");
    assert_eq!(event.counter, Some(3));
    let session: (i64, String, i64, String, NaiveDateTime, NaiveDateTime) = sessions::table
        .select(sessions::all_columns)
        .first(conn)
        .expect("sessions");
    assert_eq!(session.2, user.id);
    let token: (i64, String, i64, NaiveDateTime, bool) = api_tokens::table
        .select(api_tokens::all_columns)
        .first(conn)
        .expect("api_tokens");
    assert!(token.4, "revoked reads back as true");
    let change: (i64, i64, Option<i64>, NaiveDateTime, String, String) = policy_changes::table
        .select(policy_changes::all_columns)
        .first(conn)
        .expect("policy_changes");
    assert_eq!(change.2, Some(user.id));
    let access: (i64, NaiveDateTime, i64, Option<i64>, Option<i64>, String) = access_log::table
        .select(access_log::all_columns)
        .first(conn)
        .expect("access_log");
    assert_eq!(access.4, Some(entry.id));
    let kept: (
        i64,
        String,
        i32,
        String,
        NaiveDateTime,
        NaiveDateTime,
        String,
    ) = report_days::table
        .select(report_days::all_columns)
        .first(conn)
        .expect("report_days");
    assert_eq!(kept.1, "2026-11-24");
    let plan: (i64, i64, i32) = counter_plans::table
        .select(counter_plans::all_columns)
        .first(conn)
        .expect("counter_plans");
    assert_eq!(plan, (port.id, 8, 4));
    let near: i32 = ports::table
        .select(ports::sms_near_ahead)
        .first(conn)
        .expect("sms_near_ahead");
    assert_eq!(near, 10, "default sms_near_ahead");
    let phone: (i64, i64, String, NaiveDateTime) = entry_phones::table
        .select(entry_phones::all_columns)
        .first(conn)
        .expect("entry_phones");
    assert_eq!(phone.0, entry.id);
    type Message = (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        i32,
        NaiveDateTime,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let message: Message = outgoing_messages::table
        .select(outgoing_messages::all_columns)
        .first(conn)
        .expect("outgoing_messages");
    assert_eq!((message.2, message.5.as_str()), (entry.id, "queued"));
    let open: (i64, i64, String, Option<i64>, NaiveDateTime) = counter_languages::table
        .select(counter_languages::all_columns)
        .first(conn)
        .expect("counter_languages");
    assert_eq!(
        (open.1, open.2.as_str(), open.3),
        (2, "pan,eng", Some(user.id))
    );
    type Change = (i64, i64, i64, Option<String>, Option<i64>, NaiveDateTime);
    let changes: Vec<Change> = counter_language_changes::table
        .select(counter_language_changes::all_columns)
        .order(counter_language_changes::id.asc())
        .load(conn)
        .expect("counter_language_changes");
    assert_eq!(
        changes.iter().map(|c| c.3.as_deref()).collect::<Vec<_>>(),
        [Some("pan,eng"), None]
    );
    assert_eq!(port.language_wait_limit_minutes, 20, "default limit");
    assert!(!entry.interpreter_needed && entry.language_matched.is_none());
}

#[test]
fn every_model_reads_its_table_on_sqlite() {
    let (_dir, pool) = fresh_sqlite();
    every_model_loads_on(&mut pool.get().unwrap());
}

#[test]
fn every_model_reads_its_table_on_postgres() {
    let Some(pool) = fresh_postgres() else {
        eprintln!("skipped: set PORTQUEUE_TEST_DATABASE_URL to load every model from PostgreSQL");
        return;
    };
    every_model_loads_on(&mut pool.get().unwrap());
}
