-- What listings from other directories carry, given a home: opening times
-- in words that could not be read as a schedule, a service area that is a
-- named region (a county, a combined authority, a list of districts), more
-- than one phone number, and the terms of another taxonomy that map to no
-- need of ours, kept as words search finds. A service's cost may now be
-- "not stated" ('unknown': an import never assumes free) and its area
-- 'region'. SQLite cannot change a CHECK constraint, so the services table
-- is made again (SQLite's own twelve steps: https://sqlite.org/lang_altertable.html).

PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE services_new (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'temporarily_closed', 'inactive', 'defunct')),
    referral_route TEXT NOT NULL CHECK (referral_route IN ('drop_in', 'self', 'professional')),
    eligibility TEXT,
    min_age INTEGER CHECK (min_age BETWEEN 0 AND 120),
    max_age INTEGER CHECK (max_age BETWEEN 0 AND 120),
    cost TEXT NOT NULL CHECK (cost IN ('free', 'donation', 'paid', 'unknown')),
    cost_description TEXT,
    area TEXT NOT NULL CHECK (area IN ('local', 'radius', 'neighbourhoods', 'borough', 'region', 'national')),
    area_radius_km DOUBLE,
    capacity TEXT CHECK (capacity IN ('taking', 'waiting_list', 'full')),
    capacity_said_on DATE,
    email TEXT,
    phone TEXT,
    website TEXT,
    last_verified_at TIMESTAMP,
    last_verified_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    hours_text TEXT,
    area_regions TEXT
);
INSERT INTO services_new (id, organisation_id, name, description, status, referral_route, eligibility, min_age, max_age, cost, cost_description, area, area_radius_km, capacity, capacity_said_on, email, phone, website, last_verified_at, last_verified_by, created_at, updated_at)
    SELECT id, organisation_id, name, description, status, referral_route, eligibility, min_age, max_age, cost, cost_description, area, area_radius_km, capacity, capacity_said_on, email, phone, website, last_verified_at, last_verified_by, created_at, updated_at FROM services;
DROP TABLE services;
ALTER TABLE services_new RENAME TO services;
CREATE INDEX services_organisation ON services (organisation_id);
CREATE INDEX services_last_verified ON services (last_verified_at);

-- Every phone number of a service after its main one (services.phone), in order.
CREATE TABLE service_phones (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    description TEXT,
    PRIMARY KEY (service_id, position)
);

CREATE TABLE service_keywords (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    PRIMARY KEY (service_id, keyword)
);
COMMIT;
PRAGMA foreign_keys = ON;
