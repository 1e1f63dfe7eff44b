-- Opt-in text messages (SMS) through the deployment's HTTP gateway. Keep equivalent to the
-- other backend's migration.

-- How many parties ahead a ticket is when its "you are near" message goes out.
ALTER TABLE ports ADD COLUMN sms_near_ahead INTEGER NOT NULL DEFAULT 10 CHECK (sms_near_ahead BETWEEN 1 AND 200);

-- The phone number (E.164) a person gave for text messages. Personal data kept apart from
-- the entry: the row is deleted a day after the entry closes, and by the retention purge.
CREATE TABLE entry_phones (
    entry_id BIGINT PRIMARY KEY REFERENCES entries (id),
    port_id BIGINT NOT NULL REFERENCES ports (id),
    phone TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX entry_phones_port ON entry_phones (port_id);

-- Every text message, written in the transaction of the change that asks for it and sent
-- later by the gateway worker. One message of each kind per entry (the unique key): a
-- message is never queued twice, and the worker claims it (`sending`) before it sends, so it
-- is never sent twice. `body` holds no phone number; the number is read at sending time.
CREATE TABLE outgoing_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    port_id BIGINT NOT NULL REFERENCES ports (id),
    entry_id BIGINT NOT NULL REFERENCES entries (id),
    kind TEXT NOT NULL CHECK (kind IN ('issued', 'near', 'called')),
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (entry_id, kind)
);
CREATE INDEX outgoing_messages_due ON outgoing_messages (status, next_attempt_at);
CREATE INDEX outgoing_messages_port_created ON outgoing_messages (port_id, created_at);
