"""Result models: the typed shape of every tool's ``structuredContent``, one model per shape.

Each tool names its model (``BaseTool.Result``) and its MCP ``outputSchema`` is derived from it. Tools build their
results as plain dicts (no per-call validation cost); the catalogue-wide tests check every result against the
published schema.
"""
