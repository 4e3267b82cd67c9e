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
-- to staff accounts.
ALTER TABLE changes DROP CONSTRAINT changes_action_check;
ALTER TABLE changes ADD CONSTRAINT changes_action_check CHECK (action IN ('create', 'update', 'verify', 'archive', 'restore', 'merge'));
ALTER TABLE changes DROP CONSTRAINT changes_record_kind_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_kind_check CHECK (record_kind IN ('service', 'organisation', 'location', 'user'));
-- A person's changes, newest first.
CREATE INDEX changes_by_user ON changes (user_id, id);
