"""Resolution of a request's Splunk config: headers, then the stateful session, then the server defaults."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from mcp_splunk.errors import ConfigurationError
from mcp_splunk.secret import Secret
from mcp_splunk.settings import SplunkDefaults
from mcp_splunk.splunk.config import HeaderParams, SplunkConfig, resolve_config

ENV = SplunkDefaults(
    host="splunk.corp",
    port=8089,
    scheme="https",
    username="svc",
    password=SecretStr("env-pw-9f3"),
    token=None,
    session_key=None,
)


def headers(**values: object) -> HeaderParams:
    names = tuple(f"X-Splunk-{k}" for k in values)
    return HeaderParams(names=names, **values)  # type: ignore[arg-type]


def test_no_headers_and_no_session_uses_the_server_defaults() -> None:
    config = resolve_config(None, None, ENV)
    assert (config.host, config.username, config.source) == ("splunk.corp", "svc", "env")
    assert config.password == Secret("env-pw-9f3")


def test_headers_with_their_own_credentials_win_over_the_defaults() -> None:
    config = resolve_config(headers(host="other.corp", username="alice", password=Secret("alice-pw")), None, ENV)
    assert (config.host, config.port, config.scheme, config.username) == ("other.corp", 8089, "https", "alice")
    assert config.source == "headers"


def test_a_header_named_host_without_credentials_never_receives_the_server_credentials() -> None:
    with pytest.raises(ConfigurationError, match="other than the server's default"):
        resolve_config(headers(host="attacker.example"), None, ENV)


def test_a_different_port_on_the_default_host_is_another_target_and_needs_credentials() -> None:
    with pytest.raises(ConfigurationError, match="other than the server's default"):
        resolve_config(headers(port=9999), None, ENV)


def test_a_different_scheme_on_the_default_host_needs_credentials() -> None:
    with pytest.raises(ConfigurationError, match="other than the server's default"):
        resolve_config(headers(scheme="http"), None, ENV)


def test_naming_the_default_target_explicitly_may_use_the_server_credentials() -> None:
    config = resolve_config(headers(host="SPLUNK.corp", port=8089, scheme="https"), None, ENV)
    assert config.username == "svc"
    assert config.source == "headers"


def test_credentials_alone_apply_to_the_default_target() -> None:
    config = resolve_config(headers(token=Secret("tok-123456")), None, ENV)
    assert (config.host, config.auth_kind, config.username) == ("splunk.corp", "token", None)


def test_a_username_without_a_password_is_refused_with_what_to_send() -> None:
    with pytest.raises(ConfigurationError, match="username but no password"):
        resolve_config(headers(username="alice"), None, ENV)


def test_a_stateful_session_config_is_used_when_the_request_has_no_headers() -> None:
    bound = SplunkConfig("bound.corp", 8089, "https", username="bob", password=Secret("bob-pw"), source="session")
    assert resolve_config(None, bound, ENV) is bound


def test_headers_take_precedence_over_the_session_config() -> None:
    bound = SplunkConfig("bound.corp", 8089, "https", username="bob", password=Secret("bob-pw"), source="session")
    config = resolve_config(headers(username="carol", password=Secret("carol-pw")), bound, ENV)
    assert config.username == "carol"


def test_without_headers_or_defaults_the_error_says_what_to_configure() -> None:
    empty = SplunkDefaults(host=None, username=None, password=None, token=None, session_key=None)
    with pytest.raises(ConfigurationError, match="X-Splunk-Host") as raised:
        resolve_config(None, None, empty)
    assert "SPLUNK_HOST" in str(raised.value)


def test_the_config_repr_never_shows_secrets() -> None:
    config = resolve_config(headers(username="alice", password=Secret("s3cr3t-pass"), session_key=None), None, ENV)
    assert "s3cr3t-pass" not in repr(config)
    assert "[secure]" in repr(config)


def test_fingerprints_differ_by_identity_and_agree_for_equal_configs() -> None:
    a = SplunkConfig("h", 8089, "https", username="u", password=Secret("p1"))
    same = SplunkConfig("H", 8089, "https", username="u", password=Secret("p1"), source="headers")
    other = SplunkConfig("h", 8089, "https", username="u", password=Secret("p2"))
    assert a.fingerprint() == same.fingerprint()
    assert a.fingerprint() != other.fingerprint()
    assert "p1" not in a.fingerprint()
