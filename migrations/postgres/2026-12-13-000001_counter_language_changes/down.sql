DROP TABLE counter_language_changes;
