"""The documents users follow stay true to the code: the README's commands and its generated catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

from mcp_splunk import catalog
from mcp_splunk.auth import build_auth
from mcp_splunk.settings import GatewaySettings, SplunkDefaults

ROOT = Path(__file__).resolve().parent.parent


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_the_readme_catalogue_is_exactly_what_the_registry_renders() -> None:
    text = readme()
    block = text[text.index(catalog.START) + len(catalog.START) : text.index(catalog.END)].strip()
    assert block == catalog.render(), "README catalogue is stale: python -m mcp_splunk.catalog"


def test_the_security_policy_tables_are_exactly_what_the_policy_renders() -> None:
    text = (ROOT / "SECURITY.md").read_text()
    block = text[text.index(catalog.POLICY_START) + len(catalog.POLICY_START) : text.index(catalog.POLICY_END)]
    assert block.strip() == catalog.render_policy(), "SECURITY.md is stale: python -m mcp_splunk.catalog --write"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```bash\n(.+?)\n```", readme())
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci_lines[-1] in commands
    assert "pytest" in ci_lines[-1]


def test_the_readme_gives_the_sandbox_run_command() -> None:
    assert "python -m pip install -e . && mcp-splunk serve --sandbox" in readme()


def cited_tests(document: str) -> list[tuple[str, str | None]]:
    """(file, test name) for every test a document cites as `tests/x.py::name`, `tests/x.py` or a bare `test_name`
    that follows a file citation."""
    cited: list[tuple[str, str | None]] = []
    current = ""
    for span in re.findall(r"`([^`]+)`", (ROOT / document).read_text()):
        if match := re.fullmatch(r"(tests/[\w/]+\.py)(?:::(\w+))?", span):
            current = match.group(1)
            cited.append((current, match.group(2)))
        elif re.fullmatch(r"test_\w+", span) and current:
            cited.append((current, span))
    return cited


@pytest.mark.parametrize("document", ["SECURITY.md", "SESSION_MANAGEMENT.md"])
def test_every_test_a_document_cites_exists(document: str) -> None:
    cited = cited_tests(document)
    assert cited, f"{document} cites no tests"
    for path, name in cited:
        source = ROOT / path
        assert source.is_file(), f"{document} cites a missing file {path}"
        if name is not None:
            assert re.search(rf"def {name}\b", source.read_text()), f"{document} cites a missing test {path}::{name}"


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    names = [f"SPLUNK_{n.upper()}" for n in SplunkDefaults.model_fields]
    names += [f"MCP_SPLUNK_{n.upper()}" for n in GatewaySettings.model_fields]
    missing = [name for name in names if not re.search(rf"^#?\s*{name}=", text, flags=re.M)]
    assert not missing, f".env.example does not list {missing}"


def test_a_copy_of_env_example_is_a_valid_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in dotenv_values(ROOT / ".env.example").items():
        monkeypatch.setenv(name, value or "")
    gateway = GatewaySettings()
    splunk = SplunkDefaults()
    assert (splunk.host, gateway.auth, gateway.rate_limit_per_minute) == ("splunk.example.com", "none", None)
    assert build_auth(gateway) is None
