-- The port's counter plan: how many counters a supervisor plans open in each port-local
-- hour of the day (0 to 23), the same every day. An hour without a row has none planned;
-- a port without rows has no plan. `hour` is BIGINT: SQLite reads an INTEGER key column as
-- one. Keep equivalent to the other backend's migration.
CREATE TABLE counter_plans (
    port_id BIGINT NOT NULL REFERENCES ports (id),
    hour BIGINT NOT NULL CHECK (hour >= 0 AND hour <= 23),
    counters INTEGER NOT NULL CHECK (counters >= 0 AND counters <= 99),
    PRIMARY KEY (port_id, hour)
);

-- The usual walk-ins per hour are counted over the last days' arrivals, read once a day
-- into the kept queue: bounded by time, never by the port's whole history.
CREATE INDEX entries_port_arrived ON entries (port_id, arrived_at);
