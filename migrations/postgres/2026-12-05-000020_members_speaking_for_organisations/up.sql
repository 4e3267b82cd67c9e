-- A member who speaks for an organisation (issue 18): the member asks; the
-- organisation's editor or a connector agrees or refuses. Once agreed, the
-- member's posts say so, until a member of staff ends it (the row goes).
CREATE TABLE speakers (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    asked_at TIMESTAMP NOT NULL,
    agreed_at TIMESTAMP,
    refused_at TIMESTAMP,
    decided_by TEXT REFERENCES users (id)
);
CREATE UNIQUE INDEX speakers_once ON speakers (member_id, organisation_id);
CREATE INDEX speakers_by_organisation ON speakers (organisation_id);
