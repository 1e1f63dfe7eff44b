-- A random name for the port's row in this database, so that a process's in-memory queue of
-- a port can never be taken for another database's port with the same id (see
-- service::live). Keep equivalent to the other backend's migration.
ALTER TABLE ports ADD COLUMN instance TEXT NOT NULL DEFAULT '';
UPDATE ports SET instance = lower(hex(randomblob(16)));
-- How many times the entry's ticket was printed: the queue page's "not printed" mark and
-- the ticket's reprint count read this instead of scanning the port's events.
ALTER TABLE entries ADD COLUMN prints INTEGER NOT NULL DEFAULT 0;
UPDATE entries SET prints = (SELECT count(*) FROM entry_events WHERE entry_events.entry_id = entries.id AND entry_events.kind = 'ticket_printed');
-- The day's finished entries (service times, counters in use) without walking history.
CREATE INDEX entries_port_finished ON entries (port_id, finished_at);
