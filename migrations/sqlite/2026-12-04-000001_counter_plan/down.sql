DROP TABLE counter_plans;
