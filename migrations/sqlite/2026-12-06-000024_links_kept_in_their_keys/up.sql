-- A service's needs, languages, ways of being reached, neighbourhoods and
-- keywords are links that are nothing but their key. SQLite kept each twice:
-- a row in the table and again in its key's index (at 1,000,000 services,
-- 2.1 million needs took 164 MB of table beside a 191 MB index). Kept in
-- their key alone (WITHOUT ROWID), each is stored once. Nothing refers to
-- these tables, so each is made again in the migration's transaction.
-- PostgreSQL always keeps a table apart from its indexes: its migration of
-- the same name changes nothing.

CREATE TABLE service_needs_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    need_id TEXT NOT NULL REFERENCES needs (id),
    PRIMARY KEY (service_id, need_id)
) WITHOUT ROWID;
INSERT INTO service_needs_new (service_id, need_id) SELECT service_id, need_id FROM service_needs;
DROP TABLE service_needs;
ALTER TABLE service_needs_new RENAME TO service_needs;
CREATE INDEX service_needs_need ON service_needs (need_id);

CREATE TABLE service_languages_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (service_id, language)
) WITHOUT ROWID;
INSERT INTO service_languages_new (service_id, language) SELECT service_id, language FROM service_languages;
DROP TABLE service_languages;
ALTER TABLE service_languages_new RENAME TO service_languages;

CREATE TABLE service_delivery_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('in_person', 'phone', 'online', 'home_visit')),
    PRIMARY KEY (service_id, mode)
) WITHOUT ROWID;
INSERT INTO service_delivery_new (service_id, mode) SELECT service_id, mode FROM service_delivery;
DROP TABLE service_delivery;
ALTER TABLE service_delivery_new RENAME TO service_delivery;

CREATE TABLE service_area_neighbourhoods_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    neighbourhood_id TEXT NOT NULL REFERENCES neighbourhoods (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, neighbourhood_id)
) WITHOUT ROWID;
INSERT INTO service_area_neighbourhoods_new (service_id, neighbourhood_id) SELECT service_id, neighbourhood_id FROM service_area_neighbourhoods;
DROP TABLE service_area_neighbourhoods;
ALTER TABLE service_area_neighbourhoods_new RENAME TO service_area_neighbourhoods;

CREATE TABLE service_keywords_new (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    PRIMARY KEY (service_id, keyword)
) WITHOUT ROWID;
INSERT INTO service_keywords_new (service_id, keyword) SELECT service_id, keyword FROM service_keywords;
DROP TABLE service_keywords;
ALTER TABLE service_keywords_new RENAME TO service_keywords;
