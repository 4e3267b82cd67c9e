CREATE INDEX threads_by_network ON threads (network_id, last_posted_at);
DROP INDEX threads_shown_by_network;
