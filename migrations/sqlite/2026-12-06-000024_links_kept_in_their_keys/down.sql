-- The link tables as they were: rows in a table, and their keys in an index.

CREATE TABLE service_needs_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    need_id TEXT NOT NULL REFERENCES needs (id),
    PRIMARY KEY (service_id, need_id)
);
INSERT INTO service_needs_new (service_id, need_id) SELECT service_id, need_id FROM service_needs;
DROP TABLE service_needs;
ALTER TABLE service_needs_new RENAME TO service_needs;
CREATE INDEX service_needs_need ON service_needs (need_id);

CREATE TABLE service_languages_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (service_id, language)
);
INSERT INTO service_languages_new (service_id, language) SELECT service_id, language FROM service_languages;
DROP TABLE service_languages;
ALTER TABLE service_languages_new RENAME TO service_languages;

CREATE TABLE service_delivery_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('in_person', 'phone', 'online', 'home_visit')),
    PRIMARY KEY (service_id, mode)
);
INSERT INTO service_delivery_new (service_id, mode) SELECT service_id, mode FROM service_delivery;
DROP TABLE service_delivery;
ALTER TABLE service_delivery_new RENAME TO service_delivery;

CREATE TABLE service_area_neighbourhoods_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    neighbourhood_id TEXT NOT NULL REFERENCES neighbourhoods (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, neighbourhood_id)
);
INSERT INTO service_area_neighbourhoods_new (service_id, neighbourhood_id) SELECT service_id, neighbourhood_id FROM service_area_neighbourhoods;
DROP TABLE service_area_neighbourhoods;
ALTER TABLE service_area_neighbourhoods_new RENAME TO service_area_neighbourhoods;

CREATE TABLE service_keywords_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    PRIMARY KEY (service_id, keyword)
);
INSERT INTO service_keywords_new (service_id, keyword) SELECT service_id, keyword FROM service_keywords;
DROP TABLE service_keywords;
ALTER TABLE service_keywords_new RENAME TO service_keywords;
