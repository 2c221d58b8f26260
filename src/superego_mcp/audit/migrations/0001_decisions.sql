-- The decisions table: one row per decision (see docs/audit.md for each column).
-- {id} is the one dialect-specific piece: an auto-increment primary key.
CREATE TABLE decisions (
    id {id},
    ts DOUBLE PRECISION NOT NULL,
    entry TEXT NOT NULL,
    event TEXT,
    agent_id TEXT,
    session_id TEXT,
    cwd TEXT,
    tool TEXT NOT NULL,
    input TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT,
    review TEXT,
    policy_digest TEXT,
    latency_ms DOUBLE PRECISION,
    node TEXT
);
CREATE INDEX decisions_ts ON decisions (ts);
CREATE INDEX decisions_session ON decisions (session_id, id);
