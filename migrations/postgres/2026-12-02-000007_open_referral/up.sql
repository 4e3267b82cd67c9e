-- What listings from other directories carry, given a home: opening times
-- in words that could not be read as a schedule, a service area that is a
-- named region (a county, a combined authority, a list of districts), more
-- than one phone number, and the terms of another taxonomy that map to no
-- need of ours, kept as words search finds. A service's cost may now be
-- "not stated" ('unknown': an import never assumes free) and its area 'region'.

ALTER TABLE services ADD COLUMN hours_text TEXT;
ALTER TABLE services ADD COLUMN area_regions TEXT;

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

ALTER TABLE services DROP CONSTRAINT services_cost_check,
    ADD CONSTRAINT services_cost_check CHECK (cost IN ('free', 'donation', 'paid', 'unknown'));
ALTER TABLE services DROP CONSTRAINT services_area_check,
    ADD CONSTRAINT services_area_check
        CHECK (area IN ('local', 'radius', 'neighbourhoods', 'borough', 'region', 'national'));
