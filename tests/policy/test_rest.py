"""``| rest`` confined: GET of allowlisted read endpoints only, however the path is spelled, secret fields dropped."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_splunk.masking import SECRET_KEY_PARTS, is_secret, spl_secret_patterns
from mcp_splunk.policy import DEFAULT_ENDPOINTS, NEVER, SplPolicy
from mcp_splunk.policy.rest import endpoint_path

POLICY = SplPolicy()
SUFFIX = " | fields - " + " ".join(spl_secret_patterns())


def reason(query: str, policy: SplPolicy = POLICY) -> str:
    verdict = policy.check(query)
    assert not verdict.allowed, query
    return verdict.reason


def spellings(path: str) -> list[str]:
    """Ways to write the same endpoint that splunkd (or a lenient proxy) reads as that endpoint."""
    return [
        f"/services/{path}",
        f"/servicesNS/nobody/search/{path}",
        f"/servicesNS/-/-/{path}",
        f"services/{path}",
        path,
        f"/services//{path}",
        f"/services/{path}/",
        f'"/services/{path}"',
        "/services/" + path.replace("/", "%2F"),
        "/services/" + path.replace("/", "%252F"),
        f"/services/{path.upper()}",
        f"/services/server/info/../../{path}",
        f"/services/./{path}",
    ]


@pytest.mark.parametrize("path", sorted(NEVER))
def test_a_never_endpoint_is_refused_however_it_is_spelled_even_if_the_operator_lists_it(path: str) -> None:
    generous = SplPolicy.from_settings(rest_endpoints=[path, "*", "*/*", "*/*/*", "*/*/*/*"])
    for spelling in spellings(path):
        assert not generous.check(f"| rest {spelling} | table *").allowed, spelling
        assert not POLICY.check(f"| rest {spelling}").allowed, spelling


@pytest.mark.parametrize("path", ["configs/conf-alert_actions", "configs/conf-authentication", "properties/server"])
def test_conf_endpoints_are_refused_by_default_and_name_the_setting_that_adds_them(path: str) -> None:
    for spelling in spellings(path):
        assert not POLICY.check(f"| rest {spelling}").allowed, spelling
    assert "MCP_SPLUNK_ALLOWED_REST_ENDPOINTS" in reason(f"| rest /services/{path}")


def test_an_operator_pattern_adds_its_endpoints_with_the_secret_fields_dropped() -> None:
    policy = SplPolicy.from_settings(rest_endpoints=["configs/conf-*"])
    query = "| rest /servicesNS/-/-/configs/conf-alert_actions | table title auth_password"
    verdict = policy.check(query)
    assert verdict.allowed, verdict.reason
    assert (
        verdict.query == "| rest /servicesNS/-/-/configs/conf-alert_actions" + SUFFIX + " | table title auth_password"
    )
    assert not policy.check("| rest /services/configs/conf-alert_actions/email/../../../storage/passwords").allowed


def test_a_star_in_an_operator_pattern_stands_for_one_path_segment() -> None:
    policy = SplPolicy.from_settings(rest_endpoints=["data/inputs/*"])
    assert policy.check("| rest /services/data/inputs/monitor").allowed
    assert not policy.check("| rest /services/data/inputs/monitor/x").allowed
    assert not policy.check("| rest /services/data/inputs").allowed


@pytest.mark.parametrize("bad", ["a b", "conf?x=1", "%zz", "../x", "http://x/services/y", "", "/"])
def test_an_operator_pattern_that_is_no_endpoint_path_is_a_configuration_error(bad: str) -> None:
    with pytest.raises(ValueError, match="MCP_SPLUNK_ALLOWED_REST_ENDPOINTS"):
        SplPolicy.from_settings(rest_endpoints=[bad])


@pytest.mark.parametrize("path", sorted(DEFAULT_ENDPOINTS))
def test_every_default_endpoint_is_allowed_and_gets_its_secret_fields_dropped(path: str) -> None:
    concrete = path.replace("*", "main")
    query = f"| rest /servicesNS/-/-/{concrete} count=0 splunk_server=local | table title"
    verdict = POLICY.check(query)
    assert verdict.allowed, verdict.reason
    assert verdict.query == f"| rest /servicesNS/-/-/{concrete} count=0 splunk_server=local{SUFFIX} | table title"


def test_the_secret_fields_are_dropped_after_every_rest_wherever_it_stands() -> None:
    query = (
        "| rest /services/server/info | append [| rest /services/apps/local | fields title] "
        "| join title [| rest /services/data/indexes]"
    )
    verdict = POLICY.check(query)
    assert verdict.allowed, verdict.reason
    assert verdict.query == (
        f"| rest /services/server/info{SUFFIX} | append [| rest /services/apps/local{SUFFIX} | fields title] "
        f"| join title [| rest /services/data/indexes{SUFFIX}]"
    )


@pytest.mark.parametrize(
    "query",
    [
        "| rest /services/server/info method=get",
        '| rest /services/server/info METHOD="POST"',
        "| rest /services/server/info Method = delete",
        "| rest /services/server/info /services/storage/passwords",
        "| rest",
        "| rest count=5",
        '| rest [| makeresults | eval search="/services/server/info" | return $search]',
        "| rest /services/server/info x=[| makeresults | return 1 x]",
        "| rest /services/server/info?output_mode=json",
        "| rest /services/server/info#frag",
        "| rest /services/server/info;x",
        "| rest \\\\services\\\\server\\\\info",
    ],
)
def test_rest_with_a_method_more_than_one_endpoint_or_arguments_from_data_is_refused(query: str) -> None:
    assert not POLICY.check(query).allowed


def test_a_rest_the_gateway_cannot_edit_is_refused() -> None:
    assert "map search" in reason('| makeresults | map maxsearches=1 search="| rest /services/server/info"')


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_endpoint_path_is_none_or_a_clean_relative_path(uri: str) -> None:
    path = endpoint_path(uri)
    if path is not None:
        segments = path.split("/")
        assert all(segment and segment not in (".", "..") for segment in segments)
        assert path == path.lower()
        assert not any(c in path for c in "?#;%\\ \t\n")


@pytest.mark.parametrize(
    "key", ["auth_password", "bindDNpassword", "sslPassword", "pass4SymmKey", "clientSecret", "accessToken", "api_key"]
)
def test_the_spl_patterns_cover_the_secret_keys_splunk_uses(key: str) -> None:
    assert is_secret(key)
    assert any(_glob(pattern, key) for pattern in spl_secret_patterns()), key


def test_every_secret_part_has_an_spl_pattern_in_lower_capitalised_and_upper_case() -> None:
    patterns = set(spl_secret_patterns())
    for part in SECRET_KEY_PARTS:
        assert {f"*{part}*", f"*{part.capitalize()}*", f"*{part.upper()}*"} <= patterns


def _glob(pattern: str, name: str) -> bool:
    """Splunk's field wildcard: ``*`` is any run of characters, and names match case-sensitively."""
    assert pattern.startswith("*")
    assert pattern.endswith("*")
    assert "*" not in pattern[1:-1]
    return pattern[1:-1] in name
