"""The server process: FastAPI with FastMCP mounted, every transport, auth, hot reload."""
