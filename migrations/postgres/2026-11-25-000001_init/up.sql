-- portqueue schema, PostgreSQL. Keep equivalent to migrations/sqlite (same tables, columns, order).
-- Times are UTC, stored as TIMESTAMP text; days are counted in each port's own time zone.

CREATE TABLE ports (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    walkin_share DOUBLE PRECISION NOT NULL DEFAULT 0.30,
    priority_boost_minutes INTEGER NOT NULL DEFAULT 120,
    early_window_minutes INTEGER NOT NULL DEFAULT 60,
    late_window_minutes INTEGER NOT NULL DEFAULT 60,
    max_recalls INTEGER NOT NULL DEFAULT 2,
    minutes_per_person INTEGER NOT NULL DEFAULT 10,
    -- the engine's weighted-fair-share bookkeeping (JSON of portqueue_core::queue::ShareState)
    share_state TEXT NOT NULL DEFAULT '{}',
    next_walkin_number INTEGER NOT NULL DEFAULT 1,
    next_appointment_number INTEGER NOT NULL DEFAULT 1,
    -- bumped by every queue change: taking it first serialises changes to one port
    revision BIGINT NOT NULL DEFAULT 0,
    printer_addr TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
    port_id BIGINT REFERENCES ports (id),
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE appointments (
    id BIGSERIAL PRIMARY KEY,
    port_id BIGINT NOT NULL REFERENCES ports (id),
    confirmation TEXT NOT NULL,
    slot_at TIMESTAMP NOT NULL,
    party_size INTEGER NOT NULL,
    name TEXT NOT NULL,
    nationality TEXT NOT NULL,
    language TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    imported_by BIGINT REFERENCES users (id),
    UNIQUE (port_id, confirmation)
);
CREATE INDEX appointments_port_slot ON appointments (port_id, slot_at);

CREATE TABLE entries (
    id BIGSERIAL PRIMARY KEY,
    port_id BIGINT NOT NULL REFERENCES ports (id),
    ticket TEXT NOT NULL,
    class TEXT NOT NULL CHECK (class IN ('appointment', 'walk_in')),
    tier TEXT NOT NULL CHECK (tier IN ('urgent', 'priority', 'standard')),
    party_size INTEGER NOT NULL CHECK (party_size BETWEEN 1 AND 20),
    language TEXT NOT NULL,
    barriers TEXT NOT NULL DEFAULT '',
    barrier_note TEXT,
    vulnerabilities TEXT NOT NULL DEFAULT '',
    urgent_reason TEXT,
    name TEXT,
    nationality TEXT,
    appointment_id BIGINT REFERENCES appointments (id),
    slot_at TIMESTAMP,
    arrived_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'served', 'no_show', 'withdrawn')),
    counter INTEGER,
    called_at TIMESTAMP,
    recalls INTEGER NOT NULL DEFAULT 0,
    finished_at TIMESTAMP,
    status_token TEXT NOT NULL UNIQUE,
    call_reason TEXT,
    created_by BIGINT REFERENCES users (id)
);
CREATE INDEX entries_port_status ON entries (port_id, status);
-- A ticket number is never reused while a ticket with it is open.
CREATE UNIQUE INDEX entries_open_ticket ON entries (port_id, ticket) WHERE status IN ('waiting', 'called');
-- One booked appointment is checked in at most once.
CREATE UNIQUE INDEX entries_appointment ON entries (appointment_id);

CREATE TABLE entry_events (
    id BIGSERIAL PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES entries (id),
    port_id BIGINT NOT NULL REFERENCES ports (id),
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    counter INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX entry_events_port_at ON entry_events (port_id, at);
CREATE INDEX entry_events_entry ON entry_events (entry_id);

CREATE TABLE policy_changes (
    id BIGSERIAL PRIMARY KEY,
    port_id BIGINT NOT NULL REFERENCES ports (id),
    changed_by BIGINT REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL,
    before_policy TEXT NOT NULL,
    after_policy TEXT NOT NULL
);

CREATE TABLE access_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    port_id BIGINT REFERENCES ports (id),
    entry_id BIGINT REFERENCES entries (id),
    action TEXT NOT NULL
);
CREATE INDEX access_log_port_at ON access_log (port_id, at);
