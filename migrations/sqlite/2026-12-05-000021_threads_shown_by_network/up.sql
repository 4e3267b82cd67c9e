-- A network's shown threads, latest first, and how many there are, read
-- from the index alone: a network's page and its neighbourhood's page at
-- 100,000 threads (`doorstep bench networks`).
CREATE INDEX threads_shown_by_network ON threads (network_id, visible, last_posted_at);
DROP INDEX threads_by_network;
