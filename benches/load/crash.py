#!/usr/bin/env python3
"""Crash test for group commit: kiosks register walk-ins through the API while the server is
killed (`kill -9`) at random moments, then restarted; after every restart every answered
registration must be in the database with its `registered` event.

Run by hand (it needs a release build; see benches/load/crash):
    crash.py BIN WORKDIR [ROUNDS=20] [CLIENTS=16] [SEED]

Checked after every restart, on the database file and through the restarted server:
- every registration answered 201 (its entry id and ticket) is in `entries` with that ticket
  and has its `registered` event (an answer means "committed");
- every entry has exactly one `registered` event (a change commits with its event or not at
  all);
- no ticket number is held twice among open entries, and the walk-in numbers drawn are
  exactly 1..N (nothing drawn twice, no gap: a rolled-back group gives its numbers back);
- the port's revision moved by exactly one per registration (only registrations run here)
  and `next_walkin_number` is the one after the last drawn;
- the restarted server answers: `/healthz`, a registration, and `GET …/queue` lists exactly
  the waiting entries the database holds.
Exits non-zero at the first broken rule, printing it.
"""

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

BODY = json.dumps({"party_size": 2, "language": "spa", "barriers": ["language"]})


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(bin_, db, *args, stdin=None):
    return subprocess.run(
        [bin_, "--database-url", f"sqlite://{db}", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def request(port, method, path, token, body=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class Server:
    def __init__(self, bin_, db, log):
        self.bin, self.db, self.log = bin_, db, log
        self.proc = None
        self.port = None

    def start(self):
        self.port = free_port()
        env = dict(os.environ, RUST_LOG="warn")
        self.proc = subprocess.Popen(
            [self.bin, "--database-url", f"sqlite://{self.db}", "serve", "--bind", f"127.0.0.1:{self.port}"],
            stdout=self.log,
            stderr=self.log,
            env=env,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"FAIL: the server exited with {self.proc.returncode} on start")
            try:
                status, _ = request(self.port, "GET", "/healthz", "", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit("FAIL: the restarted server does not answer /healthz within 30 s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None


def kiosk(port, code, token, stop, answered, lock, counts):
    conn = None
    while not stop.is_set():
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(
                "POST",
                f"/api/v1/ports/{code}/walk-ins",
                body=BODY,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            resp = conn.getresponse()
            data = resp.read()
            if resp.status == 201:
                entry = json.loads(data)
                with lock:
                    answered[code].append((entry["id"], entry["ticket"]))
                    counts["201"] += 1
            else:
                with lock:
                    counts[str(resp.status)] = counts.get(str(resp.status), 0) + 1
        except (OSError, http.client.HTTPException):
            # The server was killed: the request's outcome is unknown, which is allowed.
            if conn is not None:
                conn.close()
            conn = None
            with lock:
                counts["lost"] += 1
            time.sleep(0.01)
    if conn is not None:
        conn.close()


def check(db, answered, revision0, server, tokens, round_):
    """Checks every port used so far; returns the registrations in the database."""
    total = 0
    for code, port_answered in answered.items():
        total += check_port(db, code, port_answered, revision0[code], server, tokens[code], round_)
    return total


def check_port(db, code, answered, revision0, server, token, round_):
    c = sqlite3.connect(db)
    try:
        (port_id, revision, next_walkin) = c.execute(
            "select id, revision, next_walkin_number from ports where code = ?", (code,)
        ).fetchone()
        entries = {
            row[0]: row[1:]
            for row in c.execute("select id, ticket, status from entries where port_id = ?", (port_id,))
        }
        events = {}
        for entry_id, n in c.execute(
            "select entry_id, count(*) from entry_events where kind = 'registered' and port_id = ? "
            "group by entry_id",
            (port_id,),
        ):
            events[entry_id] = n
    finally:
        c.close()
    where = f"round {round_}, port {code}"
    for entry_id, ticket in answered:
        if entry_id not in entries:
            raise SystemExit(f"FAIL {where}: answered entry {entry_id} ({ticket}) is not in the database")
        if entries[entry_id][0] != ticket:
            raise SystemExit(f"FAIL {where}: entry {entry_id} answered as {ticket}, stored as {entries[entry_id][0]}")
    for entry_id in entries:
        if events.get(entry_id) != 1:
            raise SystemExit(f"FAIL {where}: entry {entry_id} has {events.get(entry_id, 0)} registered events")
    open_tickets = [t for (t, s) in entries.values() if s in ("waiting", "called")]
    if len(open_tickets) != len(set(open_tickets)):
        raise SystemExit(f"FAIL {where}: a ticket is held twice among open entries")
    numbers = sorted(int(t.split("-")[1]) for (t, _) in entries.values())
    if numbers != list(range(1, len(numbers) + 1)):
        raise SystemExit(f"FAIL {where}: walk-in numbers drawn are not 1..{len(numbers)}")
    if revision - revision0 != len(entries):
        raise SystemExit(f"FAIL {where}: revision moved {revision - revision0} for {len(entries)} registrations")
    if next_walkin != len(entries) + 1:
        raise SystemExit(f"FAIL {where}: next_walkin_number {next_walkin} after {len(entries)} drawn")
    # The restarted server answers, and what it keeps is what the database holds.
    status, data = request(server.port, "POST", f"/api/v1/ports/{code}/walk-ins", token, BODY)
    if status != 201:
        raise SystemExit(f"FAIL {where}: a registration after the restart answered {status}: {data[:200]}")
    entry = json.loads(data)
    answered.append((entry["id"], entry["ticket"]))
    status, data = request(server.port, "GET", f"/api/v1/ports/{code}/queue", token)
    if status != 200:
        raise SystemExit(f"FAIL {where}: the queue answered {status}")
    listed = sorted(e["ticket"] for e in json.loads(data)["entries"])
    c = sqlite3.connect(db)
    try:
        waiting = sorted(
            r[0] for r in c.execute("select ticket from entries where status = 'waiting' and port_id = ?", (port_id,))
        )
    finally:
        c.close()
    if listed != waiting:
        raise SystemExit(f"FAIL {where}: the queue lists {len(listed)} entries, the database holds {len(waiting)} waiting")
    return len(entries) + 1


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    bin_, work = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    clients = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed}, {rounds} rounds, {clients} kiosks")
    db = os.path.join(work, "crash.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    # A port per round: a round registers up to a few thousand, and a port has 9,999
    # walk-in numbers.
    codes = [f"C{r:02d}" for r in range(1, rounds + 1)]
    tokens = {}
    for code in codes:
        run(bin_, db, "port", "add", "--code", code, "--name", f"Crash {code}", "--timezone", "America/Tijuana")
        run(bin_, db, "officer", "add", "--username", f"kiosk-{code}", "--role", "officer", "--port", code,
            "--password-stdin", stdin="crash test password")
        tokens[code] = run(bin_, db, "token", "create", "--username", f"kiosk-{code}")
    c = sqlite3.connect(db)
    revision0 = dict(c.execute("select code, revision from ports"))
    c.close()

    log = open(os.path.join(work, "server.log"), "ab")
    server = Server(bin_, db, log)
    answered = {}
    lock = threading.Lock()
    counts = {"201": 0, "lost": 0}
    killed_with_writes = 0
    try:
        server.start()
        for round_, code in enumerate(codes, start=1):
            answered[code] = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=kiosk, args=(server.port, code, tokens[code], stop, answered, lock, counts))
                for _ in range(clients)
            ]
            for t in threads:
                t.start()
            before = counts["201"]
            time.sleep(rng.uniform(0.2, 1.5))
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            if counts["201"] > before:
                killed_with_writes += 1
            server.start()
            total = check(db, answered, revision0, server, tokens, round_)
            n_answered = sum(len(a) for a in answered.values())
            print(f"round {round_}: {n_answered} answered so far, {total} in the database, "
                  f"answers {dict(counts)}", flush=True)
    finally:
        server.kill()
        log.close()
    if killed_with_writes < rounds // 2:
        raise SystemExit(f"FAIL: only {killed_with_writes} of {rounds} kills came while kiosks were registering")
    n_answered = sum(len(a) for a in answered.values())
    print(f"ok: {rounds} kills, every one of {n_answered} answered registrations committed with its event")


if __name__ == "__main__":
    main()
