ALTER TABLE locations DROP COLUMN postal;
