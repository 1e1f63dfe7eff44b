DROP INDEX entries_port_arrived;
DROP TABLE counter_plans;
