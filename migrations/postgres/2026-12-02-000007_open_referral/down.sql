DROP TABLE service_keywords;
DROP TABLE service_phones;
ALTER TABLE services DROP COLUMN area_regions;
ALTER TABLE services DROP COLUMN hours_text;
UPDATE services SET cost = 'free' WHERE cost = 'unknown';
