-- Reports of events and notices (issue 18): as of posts (`reports`), a
-- member says what is wrong; a moderator hides the event or notice, or
-- leaves it and closes the reports. Each report is of one or the other.
CREATE TABLE item_reports (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT REFERENCES events (id) ON DELETE CASCADE,
    notice_id TEXT REFERENCES notices (id) ON DELETE CASCADE,
    reported_by TEXT NOT NULL REFERENCES members (id),
    reason TEXT NOT NULL CHECK (reason IN ('abusive', 'unsafe', 'spam', 'private', 'other')),
    details TEXT NOT NULL,
    reported_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by TEXT REFERENCES users (id),
    CHECK ((event_id IS NULL) <> (notice_id IS NULL))
);
CREATE INDEX item_reports_open ON item_reports (resolved_at, reported_at);
CREATE UNIQUE INDEX item_reports_event_once ON item_reports (event_id, reported_by);
CREATE UNIQUE INDEX item_reports_notice_once ON item_reports (notice_id, reported_by);

-- The moderation log says which event or notice a line is about.
ALTER TABLE moderation_log ADD COLUMN event_id TEXT;
ALTER TABLE moderation_log ADD COLUMN notice_id TEXT;
