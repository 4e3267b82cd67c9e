DROP TABLE sign_in_failures;
DROP TABLE search_followers;
CREATE TABLE index_queue (
    service_id TEXT PRIMARY KEY NOT NULL,
    queued_at TIMESTAMP NOT NULL
);
INSERT INTO index_queue (service_id, queued_at)
    SELECT service_id, MAX(changed_at) FROM search_changes GROUP BY service_id;
DROP TABLE search_changes;
