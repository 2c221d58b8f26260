"""``python -m superego_mcp`` is the ``superego-mcp`` command."""

from superego_mcp.cli import main

if __name__ == "__main__":
    main()
