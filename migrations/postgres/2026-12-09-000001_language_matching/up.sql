-- Language-matched counters and interpreters (docs/design/fair-queue.md, "Language
-- matching"). Keep equivalent to the other backend's migration.

-- The languages every counter of the port covers (ISO 639-3, comma separated), and how
-- long an entry may stay passed over.
ALTER TABLE ports ADD COLUMN default_languages TEXT NOT NULL DEFAULT '';
ALTER TABLE ports ADD COLUMN language_wait_limit_minutes INTEGER NOT NULL DEFAULT 20;

-- The languages an officer speaks, pre-filled when they open a counter.
ALTER TABLE users ADD COLUMN languages TEXT NOT NULL DEFAULT '';

-- When a call first passed the entry over for its language (the limit runs from then);
-- whether the counter that called it covered its language (NULL: called without matching);
-- whether it needed an interpreter when called; whether an officer asked for one.
ALTER TABLE entries ADD COLUMN language_passed_at TIMESTAMP;
ALTER TABLE entries ADD COLUMN language_matched BOOLEAN;
ALTER TABLE entries ADD COLUMN interpreter_needed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE entries ADD COLUMN interpreter_requested BOOLEAN NOT NULL DEFAULT FALSE;

-- A counter opened with the languages it covers (its officer's, an interpreter's). A row
-- means open with matching; closing the counter deletes it. A port with no row calls in
-- the plain fair order.
CREATE TABLE counter_languages (
    port_id BIGINT NOT NULL REFERENCES ports (id),
    counter BIGINT NOT NULL CHECK (counter >= 1 AND counter <= 99),
    languages TEXT NOT NULL,
    opened_by BIGINT REFERENCES users (id),
    opened_at TIMESTAMP NOT NULL,
    PRIMARY KEY (port_id, counter)
);
