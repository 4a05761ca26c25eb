"""`scripts/tools_list_size.py` prints the size of tools/list per toolset and for the default toolsets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "tools_list_size.py"
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SPLUNK_", "MCP_SPLUNK_"))}
# Tools per toolset, counted by hand from the README's catalogue.
COUNTS = {"search": 9, "discovery": 7, "knowledge": 10, "kvstore": 2, "platform": 7, "writes": 13}


def test_the_script_prints_bytes_and_tokens_per_toolset_and_for_the_default() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, env=CLEAN_ENV, check=False
    )
    assert result.returncode == 0, result.stderr
    rows = {
        m.group(1).strip(): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        for m in re.finditer(r"^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)$", result.stdout, flags=re.M)
    }
    for toolset, count in COUNTS.items():
        tools, size, tokens = rows[toolset]
        assert tools == count
        assert tokens == size // 4
    default = rows["default (every read toolset)"]
    assert default[0] == sum(COUNTS.values()) - COUNTS["writes"]
    # One response for all read toolsets is smaller than one per toolset (one envelope, not five).
    assert default[1] < sum(rows[name][1] for name in COUNTS if name != "writes")
