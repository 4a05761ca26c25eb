from __future__ import annotations

from mcp_splunk.cli import main

raise SystemExit(main())
