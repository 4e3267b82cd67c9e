DROP INDEX services_listed_by;
ALTER TABLE services DROP COLUMN listed_by;
DROP TABLE neighbour_feed_copies;
DROP TABLE neighbour_feeds;
DROP TABLE merged_records;
DROP TABLE imports;
