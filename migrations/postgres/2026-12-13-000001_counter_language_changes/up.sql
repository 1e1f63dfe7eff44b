-- Every opening and closing of a counter's languages, with its time, so that a day can be
-- replayed with and without language matching (the daily report's "extra wait that
-- matching cost or saved"). `counter_languages` holds only what is open now. Keep
-- equivalent to the other backend's migration.
CREATE TABLE counter_language_changes (
    id BIGSERIAL PRIMARY KEY,
    port_id BIGINT NOT NULL REFERENCES ports (id),
    counter BIGINT NOT NULL CHECK (counter >= 1 AND counter <= 99),
    -- The languages it was opened with (ISO 639-3, comma separated); NULL: closed.
    languages TEXT,
    changed_by BIGINT REFERENCES users (id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX counter_language_changes_port_at ON counter_language_changes (port_id, at);
