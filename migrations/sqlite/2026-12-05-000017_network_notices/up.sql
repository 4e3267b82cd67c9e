-- Notices about a service (issue 18, part five): short posts from those who
-- keep its listing ("taking new people", "moves to Thursday from 5 March",
-- "cancelled this week"). A capacity said by someone who may edit the
-- listing changes the listing; from anyone else a notice waits in the
-- connectors' queue as a suggestion, and is not shown.
CREATE TABLE notices (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES services (id),
    author_id TEXT NOT NULL REFERENCES members (id),
    body TEXT NOT NULL,
    capacity TEXT CHECK (capacity IN ('taking', 'waiting_list', 'full')),
    posted_at TIMESTAMP NOT NULL,
    hidden_at TIMESTAMP
);
CREATE INDEX notices_by_service ON notices (service_id, posted_at);
