-- regsweep's embedded store, version 1: what the service adds beside the cache files.
-- Times are microseconds since the Unix epoch (UTC); days are YYYY-MM-DD (UTC).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The registry's notifications, each once (key: the registry's event id, or a hash of the event).
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    received_us INTEGER NOT NULL,
    body        TEXT NOT NULL
);

-- What each tag pointed to when: one row per period; until_us is NULL while it still does.
CREATE TABLE tag_history (
    repository TEXT NOT NULL,
    tag        TEXT NOT NULL,
    digest     TEXT NOT NULL,
    since_us   INTEGER NOT NULL,
    until_us   INTEGER,
    began      TEXT NOT NULL,
    ended      TEXT
);
CREATE INDEX tag_history_by_tag ON tag_history (repository, tag, since_us);
CREATE INDEX tag_history_open ON tag_history (repository, digest) WHERE until_us IS NULL;

-- Pulls per manifest and day, as notifications reported them (regsweep's own reads left out).
CREATE TABLE pulls (
    repository TEXT NOT NULL,
    digest     TEXT NOT NULL,
    day        TEXT NOT NULL,
    count      INTEGER NOT NULL,
    last_us    INTEGER NOT NULL,
    PRIMARY KEY (repository, digest, day)
);

-- When each job (a refresh, a scheduled policy) last ran.
CREATE TABLE jobs (
    name    TEXT PRIMARY KEY,
    last_us INTEGER NOT NULL
);
