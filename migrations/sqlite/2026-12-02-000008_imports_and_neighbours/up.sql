-- Imports asked for on the staff page (`/staff/imports`), run by the
-- `imports` job on whichever server claims them first: the file sent (or
-- the feed's address), the columns chosen for a spreadsheet, how far it has
-- gone and, once done, its report.
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    -- The file's name or the feed's address, as shown.
    source TEXT NOT NULL,
    -- feed, openreferral (a JSON file), spreadsheet or package (a zip of CSV files)
    kind TEXT NOT NULL CHECK (kind IN ('feed', 'openreferral', 'spreadsheet', 'package')),
    upload BLOB,
    -- A spreadsheet's columns as chosen: a field=Header line for each.
    chosen_columns TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN
        ('columns', 'check', 'checking', 'checked', 'import', 'importing', 'imported', 'not_written', 'failed')),
    skip_rejected BOOLEAN NOT NULL DEFAULT FALSE,
    -- The reported duplicates to merge into the records already here: an id a line.
    merge TEXT NOT NULL DEFAULT '',
    progress TEXT NOT NULL DEFAULT '',
    -- What it would do or did, as JSON.
    report TEXT,
    error TEXT,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    -- Taken by a server until then; a server that dies lets go when it passes.
    claimed_until TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX imports_by_state ON imports (state);

-- A record an import was asked to take as one already here: every later
-- import that names source_id writes into_id.
CREATE TABLE merged_records (
    source_id TEXT PRIMARY KEY NOT NULL,
    into_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('organisation', 'service')),
    merged_at TIMESTAMP NOT NULL
);

-- Another area's Open Referral feed, followed: read again every day, its
-- services shown here as listed by that area and changed only there.
CREATE TABLE neighbour_feeds (
    id TEXT PRIMARY KEY NOT NULL,
    area TEXT NOT NULL,
    url TEXT NOT NULL UNIQUE,
    added_by TEXT NOT NULL REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    next_read_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_read_at TIMESTAMP,
    -- When it was last read whole: what is shown is the copy read then.
    last_good_at TIMESTAMP,
    last_error TEXT,
    services INTEGER NOT NULL DEFAULT 0
);

-- The pages and services of a followed feed as last read whole, with the
-- validators its server gave, so that the next read asks only whether each
-- has changed (If-None-Match, If-Modified-Since).
CREATE TABLE neighbour_feed_copies (
    feed_id TEXT NOT NULL REFERENCES neighbour_feeds (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    body BLOB NOT NULL,
    PRIMARY KEY (feed_id, url)
);

-- The followed feed a service came from (none for the area's own). Indexed
-- with the id, so that a page of the area's own services (listed_by IS NULL,
-- in the order of their ids) and their count are read from the index alone.
ALTER TABLE services ADD COLUMN listed_by TEXT;
CREATE INDEX services_listed_by ON services (listed_by, id);
