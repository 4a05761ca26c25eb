"""The ASGI layer: plain ASGI middleware around the MCP app (header capture, session release, guards)."""
