DROP TABLE report_days;
