-- What several servers over one database need: a numbered log of changes
-- that every server's search index follows (replacing the queue, which one
-- server emptied for all), where each server has got to, and sign-in
-- failures kept where every server sees them.

-- Every change to a service, numbered in the order it was committed. Written
-- in the same transaction as the change; each server indexes the log from
-- where its index has got to (kept in the index's own commits), and entries
-- every live server has passed are pruned.
CREATE TABLE search_changes (
    id BIGSERIAL PRIMARY KEY,
    service_id TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- Whatever was waiting in the old queue is the first of the log.
INSERT INTO search_changes (service_id, changed_at)
    SELECT service_id, queued_at FROM index_queue ORDER BY queued_at;
DROP TABLE index_queue;

-- Each server's index: the last change it has taken in, and when it last
-- said so. A server not heard from for a while no longer holds back pruning;
-- if it comes back to find its place pruned, it rebuilds.
CREATE TABLE search_followers (
    name TEXT PRIMARY KEY NOT NULL,
    last_change BIGINT NOT NULL,
    seen_at TIMESTAMP NOT NULL
);

-- Failed sign-ins, counted by a SHA-256 of what they are counted by (the
-- account and address together, the address, the account), so that no email
-- address or network address is kept here. A run of failures ends after the
-- configured window without one, and its row is then deleted.
CREATE TABLE sign_in_failures (
    key_hash TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failed_at TIMESTAMP NOT NULL,
    -- For an account: its owner has been told of this run.
    reported BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failed_at);
