"""Shared test fixtures."""

import os
import tempfile

# Every decision is audited by default (SQLite in the user's state directory): no test may
# write into the real one. Subprocesses inherit this; tests that want a store of their own
# set SUPEREGO_AUDIT.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="superego-test-state-")
