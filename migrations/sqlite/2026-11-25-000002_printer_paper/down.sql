ALTER TABLE ports DROP COLUMN printer_paper_mm;
