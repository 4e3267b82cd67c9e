DROP INDEX services_review_order;
DROP INDEX services_by_place_and_check;
ALTER TABLE services DROP COLUMN placed;
ALTER TABLE locations DROP COLUMN opening_hours;
DROP TABLE queue_summaries;
DROP TABLE reminder_services;
DROP TABLE reminders;
DROP TABLE password_links;
ALTER TABLE sessions DROP COLUMN user_agent;
ALTER TABLE users DROP COLUMN disabled_at;
DROP TABLE proposals;
CREATE TABLE changes_kept (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO changes_kept (id, changed_at, user_id, record_kind, record_id, action, field, old_value, new_value, reason)
    SELECT id, changed_at, user_id, record_kind, record_id, action, field, old_value, new_value, reason FROM changes
    WHERE action IN ('create', 'update', 'verify') AND record_kind IN ('service', 'organisation', 'location');
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
DROP INDEX locations_entry_points;
DROP INDEX locations_by_organisation;
ALTER TABLE locations DROP COLUMN archived_at;
ALTER TABLE organisations DROP COLUMN archived_at;
ALTER TABLE services DROP COLUMN archived_at;
ALTER TABLE contacts DROP COLUMN shown;
