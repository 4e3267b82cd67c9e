-- Listings kept on the web (issue 16, part one).

-- A named contact is shown on the public page, and published, only when
-- they agreed to be. Those read from other directories were published
-- there, so the contacts kept so far stay shown.
ALTER TABLE contacts ADD COLUMN shown BOOLEAN NOT NULL DEFAULT TRUE;

-- Archived: taken off the public site, the search index and the open data,
-- and kept with its history until it is restored.
ALTER TABLE services ADD COLUMN archived_at TIMESTAMP;
ALTER TABLE organisations ADD COLUMN archived_at TIMESTAMP;
ALTER TABLE locations ADD COLUMN archived_at TIMESTAMP;

-- The venues of an organisation, offered on its services' form.
CREATE INDEX locations_by_organisation ON locations (organisation_id);
-- Local entry points, offered on every service's form and listed as places.
CREATE INDEX locations_entry_points ON locations (entry_point);
-- The history also records archiving, restoring and merging, and changes
-- to staff accounts. SQLite changes a CHECK only by making the table again:
-- the rows are copied as they are, and the triggers that keep them made again.
CREATE TABLE changes_kept (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    changed_at TIMESTAMP NOT NULL,
    user_id TEXT REFERENCES users (id),
    record_kind TEXT NOT NULL CHECK (record_kind IN ('service', 'organisation', 'location', 'user')),
    record_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'verify', 'archive', 'restore', 'merge')),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT
);
INSERT INTO changes_kept (id, changed_at, user_id, record_kind, record_id, action, field, old_value, new_value, reason)
    SELECT id, changed_at, user_id, record_kind, record_id, action, field, old_value, new_value, reason FROM changes;
DROP TABLE changes;
ALTER TABLE changes_kept RENAME TO changes;
CREATE INDEX changes_record ON changes (record_kind, record_id);
CREATE TRIGGER changes_are_not_edited BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the change history cannot be edited');
END;
CREATE TRIGGER changes_are_not_deleted BEFORE DELETE ON changes
BEGIN
    SELECT RAISE(ABORT, 'the change history cannot be deleted');
END;
-- A person's changes, newest first.
CREATE INDEX changes_by_user ON changes (user_id, id);

-- Changes and new listings waiting for a connector or an administrator to
-- approve them (an organisation editor's; later the public's), and
-- suggestions in words. Decided once: the first to decide wins.
CREATE TABLE proposals (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('new_service', 'service', 'organisation', 'new_venue', 'venue', 'suggestion')),
    -- The service, organisation or venue it changes (or, once a new one is
    -- accepted, the one made).
    record_id TEXT,
    -- The form as typed, as JSON.
    form TEXT,
    -- A suggestion in words.
    message TEXT,
    proposed_by TEXT REFERENCES users (id),
    -- The address of someone without an account, to hear back.
    email TEXT,
    proposed_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'accepted', 'rejected')),
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    -- Why it was rejected, or a note on what was done.
    outcome TEXT,
    -- A keyed hash of the network address a suggestion came from, to
    -- limit how many one address sends.
    sender_hash TEXT
);
CREATE INDEX proposals_by_state ON proposals (state, proposed_at);
CREATE INDEX proposals_by_record ON proposals (record_id);
CREATE INDEX proposals_by_sender ON proposals (sender_hash, proposed_at);

-- An account disabled: it cannot sign in, and its sessions were ended.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
-- The browser a session began in, so that its owner can tell sessions apart.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
-- One-time links to choose a password: an invitation to a new account, or
-- a reset an administrator sent. Kept as the token's hash.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_links_user ON password_links (user_id);

-- Reminders: when an organisation's listings fall due, its contact gets an
-- email (at most one a week) with a link that works for 30 days without
-- signing in, to say each is still running, say whether it is taking new
-- people, or describe a change. Kept as the token's hash.
CREATE TABLE reminders (
    token_hash TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    sent_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX reminders_by_organisation ON reminders (organisation_id, sent_at);
-- The listings a reminder asks about, and how each was answered, once.
CREATE TABLE reminder_services (
    token_hash TEXT NOT NULL REFERENCES reminders (token_hash) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services (id),
    answer TEXT CHECK (answer IN ('running', 'taking', 'waiting_list', 'full', 'change')),
    answered_at TIMESTAMP,
    PRIMARY KEY (token_hash, service_id)
);
-- The weekly summary of each connector's queue: when each was last sent.
CREATE TABLE queue_summaries (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL
);

-- A venue's own opening times (a local entry point's, shown on its page), as
-- the schedules of the service form, in JSON.
ALTER TABLE locations ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '[]';

-- Whether a service has a venue in some neighbourhood, kept by the store
-- whenever its venues or their places change: a connector's review queue
-- holds the services of their neighbourhoods and those placed in none.
ALTER TABLE services ADD COLUMN placed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE services SET placed = TRUE WHERE id IN (
    SELECT service_at_locations.service_id FROM service_at_locations
    JOIN locations ON locations.id = service_at_locations.location_id
    WHERE locations.neighbourhood_id IS NOT NULL);
CREATE INDEX services_by_place_and_check ON services (placed, last_verified_at);

-- The review queue's order (never checked, then checked longest ago), so
-- that a page of it is read from the front of an index.
CREATE INDEX services_review_order ON services ((last_verified_at IS NOT NULL), last_verified_at, id);
