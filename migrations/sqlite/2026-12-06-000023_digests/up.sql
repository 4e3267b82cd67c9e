-- Digests (issue 19): a member's weekly or daily email of what happened in
-- the networks they follow. One row for each digest a member was given, by
-- its period ("2026-W49", "2026-12-05"): whichever server adds the row
-- sends it, once.
ALTER TABLE members ADD COLUMN digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily', 'weekly'));
CREATE TABLE digests (
    member_id TEXT NOT NULL REFERENCES members (id),
    period TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, period)
);
CREATE INDEX members_by_digest ON members (digest);
