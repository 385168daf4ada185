-- One schema for SQLite and PostgreSQL: only types and statements both
-- read alike (TEXT, BIGINT, ON CONFLICT), times in Unix seconds.

-- One row per report: a code of its own, or every part of a report over
-- several codes (docs/format.md §9), merged.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    signature TEXT NOT NULL,
    title TEXT NOT NULL,
    release TEXT NOT NULL,
    arch TEXT NOT NULL,
    distribution TEXT NOT NULL,
    condition TEXT NOT NULL,
    part_id TEXT,
    part_count BIGINT NOT NULL,
    parts_received BIGINT NOT NULL,
    log TEXT NOT NULL
);
CREATE INDEX reports_by_signature ON reports (signature, received_at);
CREATE INDEX reports_by_time ON reports (received_at);

-- The codes of reports over several codes, as received (canonical URL), so
-- the server merges them itself.
CREATE TABLE report_parts (
    report_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    url TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, idx)
);

-- One row per crash signature; count, first_seen and last_seen describe the
-- stored reports and follow every insert and deletion.
CREATE TABLE signatures (
    signature TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    count BIGINT NOT NULL
);
CREATE INDEX signatures_by_count ON signatures (count);
