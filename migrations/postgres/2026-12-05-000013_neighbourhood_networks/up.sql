-- Neighbourhood networks (issue 18, part one): the networks, their members,
-- and the threads and replies members post.

-- A network: one for each neighbourhood (made when the neighbourhoods are
-- built, and kept with the neighbourhood across rebuilds), and place-based
-- ones made by administrators and connectors (the whole area, a theme).
-- Neighbourhoods and place-based networks share one set of slugs.
CREATE TABLE networks (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    about TEXT NOT NULL,
    -- The neighbourhood whose network this is; none for a place-based one.
    neighbourhood_id TEXT UNIQUE REFERENCES neighbourhoods (id) ON DELETE SET NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- Anyone who joined with an email address, under a name they chose. A
-- member of staff is a member too, through their account. A deleted
-- member's row stays (without their address, name or password) so that
-- their posts can say "a former member".
CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    -- Lower case; none once the member has deleted their account, or for a
    -- member of staff (whose address is their account's).
    email TEXT UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    user_id TEXT UNIQUE REFERENCES users (id),
    joined_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    deleted_at TIMESTAMP
);

-- A member's signed-in browsers, kept as the token's hash.
CREATE TABLE member_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX member_sessions_by_member ON member_sessions (member_id);

-- The one-time links emailed to a member: to confirm their address when
-- they join, and to sign in without a password. Kept as the token's hash.
CREATE TABLE member_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'sign_in')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX member_links_by_member ON member_links (member_id, created_at);

-- The networks each member follows.
CREATE TABLE network_follows (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    followed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, network_id)
);
CREATE INDEX network_follows_by_network ON network_follows (network_id);

-- A conversation: its title, and (in posts) its opening post and replies.
CREATE TABLE threads (
    id TEXT PRIMARY KEY NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks (id),
    title TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES members (id),
    started_at TIMESTAMP NOT NULL,
    -- The newest post's time and the number of replies, kept as posts come.
    last_posted_at TIMESTAMP NOT NULL,
    replies INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX threads_by_network ON threads (network_id, last_posted_at);
CREATE INDEX threads_by_time ON threads (last_posted_at);

-- A thread's opening post (number 0) and its replies (numbered from 1, in
-- the order they came), in Markdown as typed: it is made safe each time it
-- is shown.
CREATE TABLE posts (
    id TEXT PRIMARY KEY NOT NULL,
    thread_id TEXT NOT NULL REFERENCES threads (id),
    number INTEGER NOT NULL,
    author_id TEXT NOT NULL REFERENCES members (id),
    body TEXT NOT NULL,
    posted_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP
);
CREATE UNIQUE INDEX posts_by_thread ON posts (thread_id, number);
CREATE INDEX posts_by_author ON posts (author_id);

-- The services, organisations and needs a thread names.
CREATE TABLE thread_services (
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services (id),
    PRIMARY KEY (thread_id, service_id)
);
CREATE INDEX thread_services_by_service ON thread_services (service_id);
CREATE TABLE thread_organisations (
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (thread_id, organisation_id)
);
CREATE INDEX thread_organisations_by_organisation ON thread_organisations (organisation_id);
CREATE TABLE thread_needs (
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    need_id TEXT NOT NULL REFERENCES needs (id),
    PRIMARY KEY (thread_id, need_id)
);
