-- Moderating the networks (issue 18, part two): reports, hidden and held
-- posts, locked threads, suspended members, and the log of what moderators did.

-- A post hidden by a moderator (shown to nobody but moderators, and its
-- author, who is told), or held for a moderator's approval: a new member's
-- first posts, or their links.
ALTER TABLE posts ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN held BOOLEAN NOT NULL DEFAULT FALSE;
-- Whether a thread is shown to readers: its opening post is neither hidden
-- nor held. Kept with the post, so that lists of threads need not look.
ALTER TABLE threads ADD COLUMN visible BOOLEAN NOT NULL DEFAULT TRUE;
-- A locked thread takes no more replies.
ALTER TABLE threads ADD COLUMN locked_at TIMESTAMP;
CREATE INDEX posts_held ON posts (held);
CREATE INDEX posts_by_time ON posts (author_id, posted_at);

-- Whether a new member's first posts wait for a moderator here.
ALTER TABLE networks ADD COLUMN approve_first_posts BOOLEAN NOT NULL DEFAULT TRUE;
-- When a moderator first approved one of a member's posts: from then on
-- their posts and links go straight up. Staff are trusted from the start.
ALTER TABLE members ADD COLUMN trusted_at TIMESTAMP;
UPDATE members SET trusted_at = joined_at WHERE user_id IS NOT NULL;

-- A post reported by a member, with their reason, until a moderator deals with it.
CREATE TABLE reports (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    reported_by TEXT NOT NULL REFERENCES members (id),
    reason TEXT NOT NULL CHECK (reason IN ('abusive', 'unsafe', 'spam', 'private', 'other')),
    details TEXT NOT NULL,
    reported_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by TEXT REFERENCES users (id)
);
CREATE INDEX reports_open ON reports (resolved_at, reported_at);
CREATE UNIQUE INDEX reports_once ON reports (post_id, reported_by);

-- A member kept from posting in one network, or (no network) everywhere.
CREATE TABLE suspensions (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    network_id TEXT REFERENCES networks (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    suspended_by TEXT NOT NULL REFERENCES users (id),
    suspended_at TIMESTAMP NOT NULL,
    lifted_at TIMESTAMP,
    lifted_by TEXT REFERENCES users (id)
);
CREATE INDEX suspensions_by_member ON suspensions (member_id, lifted_at);

-- Every moderator's action, with why: kept, never changed.
CREATE TABLE moderation_log (
    id TEXT PRIMARY KEY NOT NULL,
    acted_at TIMESTAMP NOT NULL,
    moderator TEXT NOT NULL REFERENCES users (id),
    action TEXT NOT NULL CHECK (action IN ('hide', 'restore', 'approve', 'dismiss', 'lock', 'unlock', 'suspend', 'lift', 'settings')),
    network_id TEXT REFERENCES networks (id) ON DELETE SET NULL,
    thread_id TEXT REFERENCES threads (id) ON DELETE SET NULL,
    post_id TEXT REFERENCES posts (id) ON DELETE SET NULL,
    member_id TEXT REFERENCES members (id) ON DELETE SET NULL,
    reason TEXT NOT NULL
);
CREATE INDEX moderation_log_by_time ON moderation_log (acted_at);
CREATE INDEX moderation_log_by_network ON moderation_log (network_id, acted_at);
