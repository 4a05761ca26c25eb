"""The MCP layer: FastMCP middleware, one concern per module."""
