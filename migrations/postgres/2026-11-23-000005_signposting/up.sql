-- Signposting: the record of each contact at the front door, kept without
-- personal data (no name, postcode or email address), its shortlist, the
-- emails waiting to go, and follow-ups the citizen agreed to.

CREATE TABLE signpost_contacts (
    id TEXT PRIMARY KEY NOT NULL,
    advisor_id TEXT NOT NULL REFERENCES users(id),
    started_at TIMESTAMP NOT NULL,
    -- phone, face_to_face or online
    channel TEXT NOT NULL,
    -- Whether the caller has been in touch before, as the advisor knows it: yes, no or not_known.
    been_before TEXT NOT NULL,
    -- The advisor marked immediate risk, and the statutory route was shown.
    escalated BOOLEAN NOT NULL,
    -- Worked out from the postcode, which is not kept.
    neighbourhood_id TEXT REFERENCES neighbourhoods(id) ON DELETE SET NULL,
    finished_at TIMESTAMP
);
CREATE INDEX signpost_contacts_started ON signpost_contacts(started_at);
CREATE INDEX signpost_contacts_advisor ON signpost_contacts(advisor_id, started_at);

-- The needs asked in a contact; unmet when nothing shortlisted meets them.
CREATE TABLE signpost_needs (
    contact_id TEXT NOT NULL REFERENCES signpost_contacts(id) ON DELETE CASCADE,
    need_id TEXT NOT NULL REFERENCES needs(id),
    unmet BOOLEAN NOT NULL,
    PRIMARY KEY (contact_id, need_id)
);

CREATE TABLE shortlist_items (
    contact_id TEXT NOT NULL REFERENCES signpost_contacts(id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services(id),
    position INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contact_id, service_id)
);

-- Every email sent, named by the key its form carried, so that a second
-- submit of the same form finds it. The recipient and the message are kept
-- only until the mail server has taken it, or refused it for good, then
-- emptied.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    contact_id TEXT REFERENCES signpost_contacts(id) ON DELETE SET NULL,
    -- shortlist or follow_up
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message BYTEA NOT NULL,
    queued_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    delivered_at TIMESTAMP,
    -- Refused for good (an address the server does not know), or still not
    -- taken after three days: no more tries.
    gave_up_at TIMESTAMP
);
CREATE INDEX outbox_waiting ON outbox(delivered_at, gave_up_at, next_attempt_at);

-- A follow-up the citizen agreed to: the address is kept until the
-- follow-up has been sent, then deleted; the answer is kept.
CREATE TABLE follow_ups (
    contact_id TEXT PRIMARY KEY NOT NULL REFERENCES signpost_contacts(id) ON DELETE CASCADE,
    address TEXT,
    due_at TIMESTAMP NOT NULL,
    token_hash TEXT UNIQUE,
    sent_at TIMESTAMP,
    -- got_help, could_not_get_through or not_right
    outcome TEXT,
    answered_at TIMESTAMP
);
CREATE INDEX follow_ups_due ON follow_ups(sent_at, due_at);
