DROP INDEX locations_h3_cell;
ALTER TABLE locations DROP COLUMN h3_cell;
DROP TABLE postcode_districts;
