-- A contact address: where a service can be written to, not a place people
-- go (a register's charity is known only by it). It places the service
-- roughly for search, and is shown as a contact address, never as a venue.
ALTER TABLE locations ADD COLUMN postal BOOLEAN NOT NULL DEFAULT 0;
