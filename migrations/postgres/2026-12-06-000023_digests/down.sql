DROP INDEX members_by_digest;
DROP TABLE digests;
ALTER TABLE members DROP COLUMN digest;
