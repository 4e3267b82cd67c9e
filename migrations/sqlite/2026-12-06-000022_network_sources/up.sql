-- Sources (issue 19): feeds, calendars and Discourse forums a network
-- follows. Each is read by one server at a time (`claimed_until`), with the
-- validators its server gave for a conditional request, and waits longer
-- after each failure. What is read becomes threads and events here, by a
-- member who stands for the source (no address: nobody signs in as it),
-- so that it is shown, found and moderated like a member's; `source_items`
-- says which thread or event each item is, and two sources' copies of one
-- item are the same thread or event.
CREATE TABLE network_sources (
    id TEXT PRIMARY KEY NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks (id),
    kind TEXT NOT NULL CHECK (kind IN ('feed', 'calendar', 'discourse')),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id),
    added_by TEXT NOT NULL REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    next_read_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_read_at TIMESTAMP,
    last_good_at TIMESTAMP,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    items INTEGER NOT NULL DEFAULT 0,
    UNIQUE (network_id, url)
);
CREATE INDEX network_sources_due ON network_sources (next_read_at);

CREATE TABLE source_items (
    source_id TEXT NOT NULL REFERENCES network_sources (id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    thread_id TEXT REFERENCES threads (id),
    event_id TEXT REFERENCES events (id),
    -- A fingerprint of its words and times as last read, to tell when it changes.
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (source_id, item_key)
);
CREATE INDEX source_items_by_thread ON source_items (thread_id);
CREATE INDEX source_items_by_event ON source_items (event_id);

-- Where a thread or event read from a source can be read there.
ALTER TABLE threads ADD COLUMN link TEXT;
ALTER TABLE events ADD COLUMN link TEXT;
CREATE INDEX threads_by_link ON threads (network_id, link);
-- A post read from a source is HTML (made safe when shown), not Markdown.
ALTER TABLE posts ADD COLUMN html BOOLEAN NOT NULL DEFAULT FALSE;
