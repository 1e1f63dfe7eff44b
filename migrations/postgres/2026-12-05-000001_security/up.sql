-- Data protection and sign-in safety. Keep equivalent to the other backend's migration.

-- Days after arrival when an entry's personal data (name, nationality, notes, reasons) is
-- erased; figures, ticket numbers, times and events stay.
ALTER TABLE ports ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 30;
-- When the personal data was erased (NULL: still there).
ALTER TABLE entries ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE appointments ADD COLUMN erased_at TIMESTAMP;

-- Failed sign-ins per account (`account:NAME`) and per client address (`addr:IP`).
CREATE TABLE sign_in_throttle (
    id BIGSERIAL PRIMARY KEY,
    bucket TEXT NOT NULL UNIQUE,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);

-- Security events that concern no entry: sign-in locks and unlocks, purges.
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    port_id BIGINT REFERENCES ports (id),
    subject TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_events_at ON audit_events (at);
