"""The Claude Code hook: adapter (hook JSON <-> decisions), fail-closed runner, installer."""
