DROP INDEX entries_port_finished;
ALTER TABLE entries DROP COLUMN prints;
ALTER TABLE ports DROP COLUMN instance;
