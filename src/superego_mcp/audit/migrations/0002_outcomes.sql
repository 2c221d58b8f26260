-- What happened after a decision. An agent's after-tool event (Claude Code's PostToolUse)
-- says the call ran: for an `ask` or `defer`, a person (or the agent's own permission
-- settings) let it through. One row per such event, linked to its decision by the agent's
-- tool_use_id (Claude Code sends it on PreToolUse and PostToolUse), else by session, tool and
-- input (see docs/replay.md, "Approvals").
ALTER TABLE decisions ADD COLUMN tool_use_id TEXT;
CREATE INDEX decisions_tool_use ON decisions (tool_use_id);
CREATE TABLE outcomes (
    id {id},
    ts DOUBLE PRECISION NOT NULL,
    entry TEXT NOT NULL,
    event TEXT NOT NULL,
    agent_id TEXT,
    session_id TEXT,
    tool_use_id TEXT,
    cwd TEXT,
    tool TEXT NOT NULL,
    input TEXT NOT NULL,
    node TEXT
);
CREATE INDEX outcomes_tool_use ON outcomes (tool_use_id);
CREATE INDEX outcomes_session ON outcomes (session_id, ts);
