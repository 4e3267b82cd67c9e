-- Events in the networks (issue 18, part four): when (Europe/London wall
-- clock, and the instants it makes), where (a venue of the directory, or an
-- address placed by its postcode), what it costs, access, who it is for,
-- how it repeats, and the services it names. Past events are kept.
CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks (id),
    author_id TEXT NOT NULL REFERENCES members (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- The first time it happens, as typed (Europe/London).
    local_starts TIMESTAMP NOT NULL,
    local_ends TIMESTAMP NOT NULL,
    repeats TEXT CHECK (repeats IN ('weekly', 'fortnightly', 'monthly')),
    repeat_until DATE,
    -- The first start and the last end, as instants (UTC): for what is on.
    first_starts_at TIMESTAMP NOT NULL,
    last_ends_at TIMESTAMP NOT NULL,
    location_id TEXT REFERENCES locations (id),
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    latitude DOUBLE,
    longitude DOUBLE,
    neighbourhood_id TEXT REFERENCES neighbourhoods (id) ON DELETE SET NULL,
    free BOOLEAN NOT NULL,
    cost TEXT,
    access TEXT,
    who_for TEXT,
    created_at TIMESTAMP NOT NULL,
    hidden_at TIMESTAMP
);
CREATE INDEX events_by_network ON events (network_id, last_ends_at);
CREATE INDEX events_by_neighbourhood ON events (neighbourhood_id, last_ends_at);
CREATE INDEX events_by_time ON events (last_ends_at);

CREATE TABLE event_services (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services (id),
    PRIMARY KEY (event_id, service_id)
);
CREATE INDEX event_services_by_service ON event_services (service_id);
