-- The search index's outbox: every change to a service queues it here in the
-- same transaction, and the index takes it off once the change is indexed. A
-- crash between the two leaves the row, and the next start finishes the job.
CREATE TABLE index_queue (
    service_id TEXT PRIMARY KEY NOT NULL,
    queued_at TIMESTAMP NOT NULL
);
