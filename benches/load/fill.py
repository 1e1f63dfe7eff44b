#!/usr/bin/env python3
"""Fills port SYS of a portqueue SQLite database with WAITING entries written directly (a
synthetic queue: walk-ins W-0001.., then appointment check-ins A-0001.. past 9,999), so that
a load run starts from a long queue in seconds. The server reads them when it first needs the
port's queue. Also the bare-commit baseline: single-row INSERT commits on the same disk with
the app's pragmas (WAL, synchronous as given).

Also `trim`: between two slices of a load run, removes the entries registered after the fill
(with their events) and gives the port its walk-in numbers back, so that a fast run never
meets the port's 9,999 walk-in numbers; the port's revision moves, so the server reads the
queue again (its first registration after a trim projects afresh).

Usage: fill.py queue DB WAITING [LANGUAGES=spa] (comma-separated, one entry each in turn)
       | fill.py commits DIR SYNCHRONOUS SECONDS
       | fill.py mark DB (prints the fill's last entry id and next walk-in number)
       | fill.py trim DB LAST_ID NEXT_WALKIN_NUMBER"""
import os, secrets, sqlite3, sys, time
from datetime import datetime, timedelta, timezone


def fill(path, waiting, languages=("spa",)):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    (port_id,) = db.execute("SELECT id FROM ports WHERE code='SYS'").fetchone()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    db.execute("BEGIN")
    walk_ins = min(waiting, 9000)
    for i in range(waiting):
        appointment = i >= walk_ins
        n = (i - walk_ins if appointment else i) + 1
        arrived = now - timedelta(seconds=(waiting - i) * 3)
        slot = (arrived + timedelta(minutes=10)).isoformat(" ") if appointment else None
        db.execute(
            "INSERT INTO entries (port_id, ticket, class, tier, party_size, language, barriers,"
            " arrived_at, slot_at, status, status_token, recalls, prints)"
            " VALUES (?, ?, ?, ?, ?, ?, 'language', ?, ?, 'waiting', ?, 0, 1)",
            (port_id, f"{'A' if appointment else 'W'}-{n:04d}",
             "appointment" if appointment else "walk_in",
             "priority" if i % 9 == 4 else "standard", 1 + i % 4, languages[i % len(languages)],
             arrived.isoformat(" "), slot, secrets.token_hex(32)))
    db.execute(
        "UPDATE ports SET next_walkin_number = ?, next_appointment_number = ?,"
        " revision = revision + 1 WHERE id = ?",
        (walk_ins % 9999 + 1, max(waiting - walk_ins, 0) + 1, port_id))
    db.execute("COMMIT")


def commits(directory, synchronous, seconds):
    path = os.path.join(directory, "bare-commits.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    n, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t (v) VALUES (?)", ("x" * 200,))
        db.execute("COMMIT")
        n += 1
    print(f"{n / (time.monotonic() - start):.1f}")


def mark(path):
    db = sqlite3.connect(path)
    (last,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM entries").fetchone()
    (number,) = db.execute("SELECT next_walkin_number FROM ports WHERE code='SYS'").fetchone()
    print(last, number)


def trim(path, last, number):
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    # The load's registrations carry no phone number and show nobody's data: only their
    # events point at them.
    db.execute("DELETE FROM entry_events WHERE entry_id > ?", (last,))
    db.execute("DELETE FROM entries WHERE id > ?", (last,))
    db.execute("UPDATE ports SET next_walkin_number = ?, revision = revision + 1 WHERE code='SYS'",
               (number,))
    db.execute("COMMIT")


if sys.argv[1] == "queue":
    fill(sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",") if len(sys.argv) > 4 else ("spa",))
elif sys.argv[1] == "mark":
    mark(sys.argv[2])
elif sys.argv[1] == "trim":
    trim(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
else:
    commits(sys.argv[2], sys.argv[3], float(sys.argv[4]))
