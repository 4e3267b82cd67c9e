-- The numbered log of changes to what the neighbourhood networks say
-- (threads, events, a network renamed or handed on, a venue changed), which
-- every server's second index ("from the neighbourhood network" in search)
-- follows as the services' index follows `search_changes`. A subject is
-- "thread:<id>", "event:<id>", "network:<id>" or "venue:<id>".
CREATE TABLE activity_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
