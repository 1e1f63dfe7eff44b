ALTER TABLE ports DROP COLUMN announce_ticket_language;
