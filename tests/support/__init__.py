"""What several test directories share, imported as ``support.<module>`` (``tests/`` is on
the path through its conftest): ``support.server`` starts real ``superego-mcp serve``
processes on 127.0.0.1, ``support.hook`` builds Claude Code hook inputs and runs the real
``superego-mcp hook``, ``support.trail`` records audit trails through either for the replay
and suggest tests. No test directory reaches into another's files."""
