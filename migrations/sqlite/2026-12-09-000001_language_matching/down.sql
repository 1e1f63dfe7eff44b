DROP TABLE counter_languages;
ALTER TABLE entries DROP COLUMN interpreter_requested;
ALTER TABLE entries DROP COLUMN interpreter_needed;
ALTER TABLE entries DROP COLUMN language_matched;
ALTER TABLE entries DROP COLUMN language_passed_at;
ALTER TABLE users DROP COLUMN languages;
ALTER TABLE ports DROP COLUMN language_wait_limit_minutes;
ALTER TABLE ports DROP COLUMN default_languages;
