UPDATE services SET cost = 'paid' WHERE cost = 'unknown';
UPDATE services SET area = 'borough' WHERE area = 'region';
ALTER TABLE services DROP CONSTRAINT services_cost_check,
    ADD CONSTRAINT services_cost_check CHECK (cost IN ('free', 'donation', 'paid'));
ALTER TABLE services DROP CONSTRAINT services_area_check,
    ADD CONSTRAINT services_area_check CHECK (area IN ('local', 'radius', 'neighbourhoods', 'borough', 'national'));
DROP TABLE service_keywords;
DROP TABLE service_phones;
ALTER TABLE services DROP COLUMN area_regions;
ALTER TABLE services DROP COLUMN hours_text;
