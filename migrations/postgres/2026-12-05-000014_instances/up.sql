-- The anonymous and sign-in rate limits, shared by every instance on this database (issue 18):
-- one token bucket per limit and client address. Unlogged: a bucket is worth nothing after a
-- crash (it refills in a minute anyway), so it costs no WAL and is never shipped to a replica.
-- SQLite has no such table: one process owns the file and keeps its buckets in memory.
CREATE UNLOGGED TABLE rate_buckets (
    scope   text             NOT NULL,
    client  text             NOT NULL,
    tokens  double precision NOT NULL,
    at      timestamptz      NOT NULL,
    granted boolean          NOT NULL,
    PRIMARY KEY (scope, client)
);

-- Read fences for a streaming replica: the WAL position past each user's last write, so their
-- reads go to a replica only once it has replayed that far (store/read_fences.rs).
CREATE TABLE read_fences (
    user_id bigint NOT NULL PRIMARY KEY,
    lsn     bigint NOT NULL
);
