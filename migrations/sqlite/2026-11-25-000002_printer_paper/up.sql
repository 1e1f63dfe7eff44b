-- The paper roll the port's ticket printer takes, in millimetres: 80 or 58 (see
-- portqueue_core::tickets::Paper). Keep equivalent to the other backend's migration.
ALTER TABLE ports ADD COLUMN printer_paper_mm INTEGER NOT NULL DEFAULT 80 CHECK (printer_paper_mm IN (58, 80));
