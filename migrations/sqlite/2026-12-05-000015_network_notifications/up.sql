-- Notifications from the networks (issue 18, part three): members follow
-- threads as well as networks, and are emailed about new posts in what they
-- follow, at most once in a while each.

-- The threads each member follows: those they started or replied to, and
-- those they chose.
CREATE TABLE thread_follows (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    followed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, thread_id)
);
CREATE INDEX thread_follows_by_thread ON thread_follows (thread_id);

-- A new post to tell a member about, until the email that tells them is queued.
CREATE TABLE notifications (
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    PRIMARY KEY (member_id, post_id)
);
CREATE INDEX notifications_waiting ON notifications (sent_at, member_id);

-- When a member was last emailed about new posts (at most once in a while),
-- and when they asked for no more such emails.
ALTER TABLE members ADD COLUMN notified_at TIMESTAMP;
ALTER TABLE members ADD COLUMN emails_off_at TIMESTAMP;
