DROP TABLE outgoing_messages;
DROP TABLE entry_phones;
ALTER TABLE ports DROP COLUMN sms_near_ahead;
