DROP INDEX threads_by_link;
ALTER TABLE posts DROP COLUMN html;
ALTER TABLE events DROP COLUMN link;
ALTER TABLE threads DROP COLUMN link;
DROP TABLE source_items;
DROP TABLE network_sources;
