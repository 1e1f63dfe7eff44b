-- A counter's latest event (the version its page's forms carry) and its recent events (what
-- its officer may undo) are found by the counter, not by walking every event of the port:
-- without it, a port with a year of history read hundreds of thousands of events for each
-- counter page and each call. Keep equivalent to the other backend's migration.
CREATE INDEX entry_events_port_counter ON entry_events (port_id, counter, id);
