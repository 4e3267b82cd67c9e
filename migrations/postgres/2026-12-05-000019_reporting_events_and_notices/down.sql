ALTER TABLE moderation_log DROP COLUMN notice_id;
ALTER TABLE moderation_log DROP COLUMN event_id;
DROP TABLE item_reports;
