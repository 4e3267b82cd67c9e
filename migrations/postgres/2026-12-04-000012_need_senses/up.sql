-- A need's senses: groups of its synonyms and phrases that mean nearly the
-- same, one thing within the need ("gym", "fitness suite"), numbered from 1.
CREATE TABLE need_senses (
    need_id TEXT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    sense INTEGER NOT NULL CHECK (sense >= 1),
    term TEXT NOT NULL,
    PRIMARY KEY (need_id, sense, term)
);
