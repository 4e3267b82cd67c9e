-- What a built neighbourhood is: its figures and shape, kept with it so pages
-- and reports read them without rebuilding anything.
ALTER TABLE neighbourhoods ADD COLUMN name_edited BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE neighbourhoods ADD COLUMN population INTEGER NOT NULL DEFAULT 0;
ALTER TABLE neighbourhoods ADD COLUMN small_area_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE neighbourhoods ADD COLUMN area_km2 DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE neighbourhoods ADD COLUMN latitude DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE neighbourhoods ADD COLUMN longitude DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE neighbourhoods ADD COLUMN compactness DOUBLE PRECISION NOT NULL DEFAULT 0;
-- Why the neighbourhood is outside the population band; NULL when inside.
ALTER TABLE neighbourhoods ADD COLUMN outside_band TEXT;

-- The ward or place a small area is in (from the postcodes in it), which
-- names the neighbourhoods; and the ground it covers.
ALTER TABLE small_areas ADD COLUMN place TEXT;
ALTER TABLE small_areas ADD COLUMN area_km2 DOUBLE PRECISION;

-- The H3 cells (resolution 10, as locations) that make up each small area:
-- a location belongs to the small area, and so the neighbourhood, of its cell.
CREATE TABLE small_area_cells (
    cell BIGINT PRIMARY KEY NOT NULL,
    small_area TEXT NOT NULL REFERENCES small_areas (code) ON DELETE CASCADE
);
CREATE INDEX small_area_cells_small_area ON small_area_cells (small_area);
CREATE INDEX small_areas_neighbourhood ON small_areas (neighbourhood_id);
