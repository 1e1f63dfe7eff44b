DROP TABLE audit_events;
DROP TABLE sign_in_throttle;
ALTER TABLE appointments DROP COLUMN erased_at;
ALTER TABLE entries DROP COLUMN erased_at;
ALTER TABLE ports DROP COLUMN retention_days;
