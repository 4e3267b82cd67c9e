-- Postcode districts with their centres (from a district file, or left to be
-- worked out from their postcodes), and every location's H3 cell.

CREATE TABLE postcode_districts (
    district TEXT PRIMARY KEY NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL
);

-- The H3 cell (resolution 10) of the location's point; filled at start for
-- rows saved before this column existed.
ALTER TABLE locations ADD COLUMN h3_cell BIGINT;
CREATE INDEX locations_h3_cell ON locations (h3_cell);
