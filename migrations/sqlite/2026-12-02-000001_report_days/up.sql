-- A finished day's report figures, computed once and kept, so that a week, a month or a
-- year of reports reads kept figures instead of the event log. `format` is the version of
-- the computation and of the stored form: a row of another format, or of another time zone
-- than the port's, is computed again. A change written for a kept day (an event, an import,
-- a policy change dated before the day's end) deletes the row (`day_end > that time`).
CREATE TABLE report_days (
    port_id BIGINT NOT NULL REFERENCES ports (id),
    -- the port-local date, YYYY-MM-DD
    date TEXT NOT NULL,
    format INTEGER NOT NULL,
    time_zone TEXT NOT NULL,
    day_end TIMESTAMP NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    -- JSON: the report with the samples behind its medians (portqueue_core::reports::kept)
    figures TEXT NOT NULL,
    PRIMARY KEY (port_id, date)
);
CREATE INDEX report_days_port_end ON report_days (port_id, day_end);
