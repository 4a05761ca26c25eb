"""The documents users follow stay true to the code: the README's commands and its generated catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from mcp_splunk import catalog

ROOT = Path(__file__).resolve().parent.parent


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_the_readme_catalogue_is_exactly_what_the_registry_renders() -> None:
    text = readme()
    block = text[text.index(catalog.START) + len(catalog.START) : text.index(catalog.END)].strip()
    assert block == catalog.render(), "README catalogue is stale: python -m mcp_splunk.catalog"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```bash\n(.+?)\n```", readme())
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci_lines[-1] in commands
    assert "pytest" in ci_lines[-1]


def test_the_readme_gives_the_sandbox_run_command() -> None:
    assert "python -m pip install -e . && mcp-splunk serve --sandbox" in readme()
