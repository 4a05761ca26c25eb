"""The flags of `mcp-splunk serve` are settings, none is a secret, and what README.md and .env.example say about
them is true: read from `mcp-splunk serve --help`, as a user reads them."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from mcp_splunk.cli import main
from mcp_splunk.settings import GatewaySettings

ROOT = Path(__file__).resolve().parent.parent


def serve_help() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["serve", "--help"])
    return out.getvalue()


FLAGS = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", serve_help())) - {"--help"})


def setting(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def test_serve_has_flags_for_the_settings_operators_change_most() -> None:
    wanted = {"--allow-writes", "--toolsets", "--auth", "--allowed-targets", "--allowed-hosts"}
    assert wanted | {"--rate-limit-per-minute", "--public-url"} <= set(FLAGS)


@pytest.mark.parametrize("flag", FLAGS)
def test_every_flag_sets_the_gateway_setting_of_its_name_and_none_is_a_secret(flag: str) -> None:
    field = GatewaySettings.model_fields.get(setting(flag))
    assert field is not None, f"{flag} names no MCP_SPLUNK_* setting"
    assert SecretStr not in (field.annotation, *getattr(field.annotation, "__args__", ())), f"{flag} is a secret"
    assert setting(flag) not in {"state_url", "auth_tokens"}


def test_the_readme_lists_exactly_the_flags_and_env_example_names_only_real_ones() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("mcp-splunk serve [")
    assert sorted(set(re.findall(r"--[a-z][a-z-]+", readme[start : readme.index("```", start)]))) == FLAGS
    env_example = (ROOT / ".env.example").read_text()
    assert set(re.findall(r"--[a-z][a-z-]+", env_example)) <= {*FLAGS, "--help"}
    for flag in FLAGS:  # and lists each flag's variable, where operators look for settings
        assert re.search(rf"^MCP_SPLUNK_{setting(flag).upper()}=", env_example, flags=re.M), flag


def test_env_example_does_not_claim_a_flag_for_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    unflagged = [name for name in GatewaySettings.model_fields if f"--{name.replace('_', '-')}" not in FLAGS]
    assert unflagged, "every setting has a flag: the claim below may be made again"
    assert "settings operators change most also have a `mcp-splunk serve` flag" in " ".join(text.split())
