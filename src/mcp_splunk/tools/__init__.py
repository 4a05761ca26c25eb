"""Capabilities: class-based tools, one module per area, collected in ``registry.TOOLS``."""
