#!/usr/bin/env python3
"""Fills port SYS of a portqueue SQLite database with WAITING entries written directly (a
synthetic queue: walk-ins W-0001.., then appointment check-ins A-0001.. past 9,999), so that
a load run starts from a long queue in seconds. The server reads them when it first needs the
port's queue. Also the bare-commit baseline: single-row INSERT commits on the same disk with
the app's pragmas (WAL, synchronous as given).

Usage: fill.py queue DB WAITING | fill.py commits DIR SYNCHRONOUS SECONDS"""
import os, secrets, sqlite3, sys, time
from datetime import datetime, timedelta, timezone


def fill(path, waiting):
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
            " VALUES (?, ?, ?, ?, ?, 'spa', 'language', ?, ?, 'waiting', ?, 0, 1)",
            (port_id, f"{'A' if appointment else 'W'}-{n:04d}",
             "appointment" if appointment else "walk_in",
             "priority" if i % 9 == 4 else "standard", 1 + i % 4,
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


if sys.argv[1] == "queue":
    fill(sys.argv[2], int(sys.argv[3]))
else:
    commits(sys.argv[2], sys.argv[3], float(sys.argv[4]))
