"""Shared test fixtures. First of all, the isolation from the user's own Superego set-up
(tests/hermetic.py): before anything imports Superego."""

import hermetic

assert hermetic.TEST_HOME.is_dir()
