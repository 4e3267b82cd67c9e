PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE service_keywords;
DROP TABLE service_phones;
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
    cost TEXT NOT NULL CHECK (cost IN ('free', 'donation', 'paid')),
    cost_description TEXT,
    area TEXT NOT NULL CHECK (area IN ('local', 'radius', 'neighbourhoods', 'borough', 'national')),
    area_radius_km DOUBLE,
    capacity TEXT CHECK (capacity IN ('taking', 'waiting_list', 'full')),
    capacity_said_on DATE,
    email TEXT,
    phone TEXT,
    website TEXT,
    last_verified_at TIMESTAMP,
    last_verified_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO services_new (id, organisation_id, name, description, status, referral_route, eligibility, min_age, max_age, cost, cost_description, area, area_radius_km, capacity, capacity_said_on, email, phone, website, last_verified_at, last_verified_by, created_at, updated_at)
    SELECT id, organisation_id, name, description, status, referral_route, eligibility, min_age, max_age,
        CASE cost WHEN 'unknown' THEN 'paid' ELSE cost END, cost_description,
        CASE area WHEN 'region' THEN 'borough' ELSE area END, area_radius_km, capacity, capacity_said_on, email,
        phone, website, last_verified_at, last_verified_by, created_at, updated_at
    FROM services;
DROP TABLE services;
ALTER TABLE services_new RENAME TO services;
CREATE INDEX services_organisation ON services (organisation_id);
CREATE INDEX services_last_verified ON services (last_verified_at);
COMMIT;
PRAGMA foreign_keys = ON;
