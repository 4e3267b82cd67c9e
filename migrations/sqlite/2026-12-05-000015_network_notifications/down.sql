ALTER TABLE members DROP COLUMN emails_off_at;
ALTER TABLE members DROP COLUMN notified_at;
DROP TABLE notifications;
DROP TABLE thread_follows;
