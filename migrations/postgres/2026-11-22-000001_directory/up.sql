-- The directory (Open Referral shaped), the area's geography, staff accounts and
-- the change history. Ids are UUIDs stored as text; times are UTC. The same
-- tables as migrations/sqlite, in PostgreSQL's words.

CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE needs (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    parent_id TEXT REFERENCES needs (id),
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE need_terms (
    need_id TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('synonym', 'phrase')),
    term TEXT NOT NULL,
    PRIMARY KEY (need_id, kind, term)
);

CREATE TABLE neighbourhoods (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE small_areas (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    population INTEGER NOT NULL CHECK (population >= 0),
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    neighbourhood_id TEXT REFERENCES neighbourhoods (id)
);

CREATE TABLE small_area_adjacency (
    small_area TEXT NOT NULL REFERENCES small_areas (code) ON DELETE CASCADE,
    neighbour TEXT NOT NULL REFERENCES small_areas (code) ON DELETE CASCADE,
    shared_boundary_m DOUBLE PRECISION,
    PRIMARY KEY (small_area, neighbour),
    CHECK (small_area <> neighbour)
);

CREATE TABLE postcodes (
    postcode TEXT PRIMARY KEY NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    small_area_code TEXT,
    terminated BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('charity', 'cic', 'faith_group', 'community_group',
        'social_enterprise', 'public_body', 'mutual_aid')),
    charity_number TEXT,
    company_number TEXT,
    website TEXT,
    email TEXT,
    phone TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_charity_number ON organisations (charity_number);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'connector', 'advisor', 'organisation_editor')),
    organisation_id TEXT REFERENCES organisations (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (role <> 'organisation_editor' OR organisation_id IS NOT NULL)
);

-- One account an address, whatever its capitals.
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE user_neighbourhoods (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    neighbourhood_id TEXT NOT NULL REFERENCES neighbourhoods (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, neighbourhood_id)
);

-- A session cookie carries a random token; only its SHA-256 is kept here.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE services (
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
    area_radius_km DOUBLE PRECISION,
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
CREATE INDEX services_organisation ON services (organisation_id);
CREATE INDEX services_last_verified ON services (last_verified_at);

CREATE TABLE service_needs (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    need_id TEXT NOT NULL REFERENCES needs (id),
    PRIMARY KEY (service_id, need_id)
);
CREATE INDEX service_needs_need ON service_needs (need_id);

CREATE TABLE service_languages (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (service_id, language)
);

CREATE TABLE service_delivery (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('in_person', 'phone', 'online', 'home_visit')),
    PRIMARY KEY (service_id, mode)
);

CREATE TABLE service_area_neighbourhoods (
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    neighbourhood_id TEXT NOT NULL REFERENCES neighbourhoods (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, neighbourhood_id)
);

CREATE TABLE locations (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT REFERENCES organisations (id),
    name TEXT NOT NULL,
    address_1 TEXT NOT NULL,
    address_2 TEXT,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    small_area_code TEXT,
    neighbourhood_id TEXT REFERENCES neighbourhoods (id),
    -- A refuge's address is never published.
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    -- A community hub or library where people can walk in and ask about anything.
    entry_point BOOLEAN NOT NULL DEFAULT FALSE,
    step_free BOOLEAN,
    accessible_toilet BOOLEAN,
    hearing_loop BOOLEAN,
    parking BOOLEAN,
    public_transport TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX locations_neighbourhood ON locations (neighbourhood_id);

CREATE TABLE service_at_locations (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    UNIQUE (service_id, location_id)
);
CREATE INDEX service_at_locations_location ON service_at_locations (location_id);

CREATE TABLE schedules (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT REFERENCES locations (id) ON DELETE CASCADE,
    freq TEXT CHECK (freq IN ('WEEKLY', 'MONTHLY', 'ONCE')),
    "interval" INTEGER NOT NULL DEFAULT 1 CHECK ("interval" >= 1),
    byday TEXT NOT NULL DEFAULT '',
    bymonthday TEXT NOT NULL DEFAULT '',
    dtstart DATE,
    valid_from DATE,
    valid_to DATE,
    opens_at TIME,
    closes_at TIME,
    by_appointment BOOLEAN NOT NULL DEFAULT FALSE,
    -- ISO dates, comma separated: bank holidays and other days it does not meet.
    closed_on TEXT NOT NULL DEFAULT '',
    notes TEXT
);
CREATE INDEX schedules_service ON schedules (service_id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT REFERENCES services (id) ON DELETE CASCADE,
    organisation_id TEXT REFERENCES organisations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT,
    phone TEXT,
    email TEXT,
    CHECK (service_id IS NOT NULL OR organisation_id IS NOT NULL)
);
CREATE INDEX contacts_service ON contacts (service_id);

-- Who changed what, when and why: one row per changed field. Written in the same
-- transaction as the change; never edited or deleted (the triggers refuse it).
CREATE TABLE changes (
    id SERIAL PRIMARY KEY,
    changed_at TIMESTAMP NOT NULL,
    user_id TEXT REFERENCES users (id),
    record_kind TEXT NOT NULL CHECK (record_kind IN ('service', 'organisation', 'location')),
    record_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'verify')),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);
CREATE INDEX changes_record ON changes (record_kind, record_id);

CREATE FUNCTION changes_are_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the change history cannot be %', CASE TG_OP WHEN 'UPDATE' THEN 'edited' ELSE 'deleted' END;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER changes_are_not_edited BEFORE UPDATE ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_are_kept();

CREATE TRIGGER changes_are_not_deleted BEFORE DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_are_kept();
