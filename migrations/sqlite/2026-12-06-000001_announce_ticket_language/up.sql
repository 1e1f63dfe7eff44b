-- Whether the port's board also announces each call in the called ticket's language (only the
-- number and counter are said; the language is never shown). Off until a supervisor turns it
-- on. Keep equivalent to the other backend's migration.
ALTER TABLE ports ADD COLUMN announce_ticket_language BOOLEAN NOT NULL DEFAULT FALSE;
