DROP INDEX entry_events_port_counter;
