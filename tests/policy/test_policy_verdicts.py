"""Verdict details: findings, locations, offsets, command lists, operator overrides and the target parser's view."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mcp_splunk.policy import Finding, SplPolicy
from mcp_splunk.sandbox.spl import describe, parse_search
from mcp_splunk.sandbox.spl.context import MacroDefinition
from tests.sandbox.spl.spl_engine_support import FakeContext

POLICY = SplPolicy()
WRITER = (
    "allowed only if the operator lists it in MCP_SPLUNK_ALLOWED_SPL_COMMANDS and sets MCP_SPLUNK_ALLOW_WRITES=true"
)

MACROS = {
    "summarize": "stats count by host | collect index=summary",
    "export_users": "| makeresults | outputlookup users.csv",
    "web_errors": "index=web status>=500",
    "by_host": "stats count by host",
}


def target_parse(query: str) -> dict[str, Any]:
    """What the target's search/parser returns for ``query``, from the sandbox engine that implements it."""
    ctx = FakeContext([], macros={(name, 0): MacroDefinition(name, (), body) for name, body in MACROS.items()})
    return describe(parse_search(query, ctx))


def only_finding(query: str, policy: SplPolicy = POLICY) -> Finding:
    findings = policy.check(query).findings
    assert len(findings) == 1, findings
    return findings[0]


def test_subsearch_finding_names_command_container_and_offset() -> None:
    query = "| makeresults | append [| delete]"
    verdict = POLICY.check(query)
    assert verdict.findings == (
        Finding(
            "delete", "delete", "subsearch in 'append' (command 2)", query.index("delete"), f"deletes events; {WRITER}"
        ),
    )
    assert verdict.reason == f"Refused: 'delete' (deletes events; {WRITER}) in subsearch in 'append' (command 2)."


def test_top_level_finding_is_located_by_position() -> None:
    finding = only_finding("index=main | stats count | outputlookup x.csv")
    assert (finding.command, finding.location, finding.reason) == (
        "outputlookup",
        "top-level pipeline, command 3",
        f"writes a lookup; {WRITER}",
    )


def test_alias_finding_keeps_the_written_name_and_gives_the_canonical_one() -> None:
    query = "index=main | SummaryIndex index=s"
    finding = only_finding(query)
    assert (finding.command, finding.canonical, finding.offset) == ("summaryindex", "collect", query.index("Summary"))
    assert "'summaryindex' (alias of 'collect', writes to an index;" in POLICY.check(query).reason


def test_run_is_refused_as_the_script_command() -> None:
    assert only_finding("| run cleanup.py").canonical == "script"


def test_nested_subsearch_location_names_every_container_from_the_inside_out() -> None:
    query = (
        "| makeresults | append [| makeresults | join x [search index=a [| makeresults | collect index=s | fields x]]]"
    )
    assert only_finding(query).location == (
        "subsearch in 'search' (command 1) in subsearch in 'join' (command 2) in subsearch in 'append' (command 2)"
    )


def test_map_search_string_finding_points_into_the_escaped_string() -> None:
    query = '| makeresults | map search="search msg=\\"a | b\\" | collect index=y"'
    finding = only_finding(query)
    assert finding.location == "search= argument of 'map' (command 2)"
    assert finding.offset == query.index("collect")


def test_body_of_appendpipe_is_named_as_a_body() -> None:
    assert only_finding("index=main | appendpipe [delete]").location == "body of 'appendpipe' (command 2)"


@pytest.mark.parametrize("method", ['method="patch"', "method=", "METHOD=get", "Method = GET"])
def test_rest_with_any_method_argument_is_refused_as_get_only(method: str) -> None:
    finding = only_finding(f"| rest /services/server/info {method}")
    assert finding.reason == "sets method=; the gateway's rest is GET only (drop the method argument)"


def test_every_occurrence_is_a_finding_of_its_own() -> None:
    findings = POLICY.check("| makeresults | append [| delete] | delete").findings
    assert [(f.command, f.location) for f in findings] == [
        ("delete", "subsearch in 'append' (command 2)"),
        ("delete", "top-level pipeline, command 3"),
    ]


def test_commands_list_nested_ones_right_after_their_container() -> None:
    query = "index=web [search index=sec | fields user] | append [| makeresults | eval x=1] | stats count"
    assert POLICY.check(query).commands == ("search", "search", "fields", "append", "makeresults", "eval", "stats")


def test_commands_include_the_search_inside_map() -> None:
    query = '| makeresults | map search="search index=web host=$host$ | head 5"'
    assert POLICY.check(query).commands == ("makeresults", "map", "search", "head")


def test_a_bracket_whose_first_word_is_a_denied_command_lists_that_command() -> None:
    assert POLICY.check("index=main [delete]").commands == ("search", "delete")


def test_a_macro_standing_for_a_command_is_listed_as_written() -> None:
    assert POLICY.check("index=main | `by_host`").commands == ("search", "`by_host`")


def test_syntax_error_is_the_reason() -> None:
    verdict = POLICY.check('index=main "open | delete')
    assert (verdict.allowed, verdict.findings) == (False, ())
    assert verdict.reason == "Refused: the query cannot be parsed: Unbalanced quotes."


def test_syntax_error_inside_a_map_string_names_the_map() -> None:
    assert POLICY.check('| makeresults | map search="search \\"open"').reason == (
        "Refused: the query cannot be parsed: Unbalanced quotes (in search= argument of 'map' (command 2))."
    )


def test_subsearches_nested_beyond_the_lexers_depth_limit_are_refused() -> None:
    verdict = POLICY.check("index=main " + "[search x " * 400 + "]" * 400)
    assert not verdict.allowed
    assert "nest deeper than" in verdict.reason


def test_verdict_as_dict_is_json_ready() -> None:
    data = POLICY.check("| makeresults | append [| delete]").as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["findings"][0]["location"] == "subsearch in 'append' (command 2)"


# operator overrides


def test_listing_a_writing_command_permits_exactly_it_once_writes_are_on() -> None:
    policy = SplPolicy.from_settings(["outputlookup"], writes=True)
    assert policy.check("| makeresults | outputlookup users.csv").allowed
    assert not policy.check("| makeresults | outputcsv users.csv").allowed
    assert not policy.check("| makeresults | outputlookup users.csv | collect index=s").allowed


def test_listing_a_writing_command_without_writes_on_still_refuses_it_and_says_what_is_missing() -> None:
    finding = only_finding("| makeresults | outputlookup users.csv", SplPolicy.from_settings(["outputlookup"]))
    assert finding.reason == ("writes a lookup; listed by the operator, but it also needs MCP_SPLUNK_ALLOW_WRITES=true")


def test_listing_a_command_covers_its_alias() -> None:
    policy = SplPolicy.from_settings(["collect"], writes=True)
    assert policy.check("index=main | summaryindex index=s").allowed


def test_listing_an_unknown_app_command_permits_it_without_writes() -> None:
    query = "index=main | mycustomcmd field=x"
    finding = only_finding(query)
    assert finding.reason == (
        "not on the gateway's list of read-only commands; the operator can allow it with "
        "MCP_SPLUNK_ALLOWED_SPL_COMMANDS"
    )
    assert SplPolicy.from_settings(["MyCustomCmd"]).check(query).allowed


def test_listing_rest_loosens_none_of_its_rules() -> None:
    policy = SplPolicy.from_settings(["rest"], writes=True)
    assert not policy.check("| rest /services/server/info method=post").allowed
    assert not policy.check("| rest /services/storage/passwords").allowed


def test_from_settings_normalizes_case_and_aliases() -> None:
    policy = SplPolicy.from_settings([" SummaryIndex ", "FIT"])
    assert policy.allowed == frozenset({"collect", "fit"})


def test_from_settings_rejects_a_name_that_cannot_be_a_command() -> None:
    with pytest.raises(ValueError, match="MCP_SPLUNK_ALLOWED_SPL_COMMANDS"):
        SplPolicy.from_settings(["out|putlookup"])


# macros and the target parser


def test_macro_without_parser_is_refused_because_expansion_is_needed() -> None:
    verdict = POLICY.check("search `web_errors` | stats count")
    assert not verdict.allowed
    assert verdict.reason == (
        "Refused: contains macro `web_errors`; expansion needed (check it with the target's search parser)."
    )


def test_macro_with_parser_none_is_refused() -> None:
    assert not POLICY.check_with_parser("search `web_errors`", None).allowed


def test_safe_macro_is_allowed_with_the_target_parser_expansion() -> None:
    query = "search `web_errors` | `by_host`"
    verdict = POLICY.check_with_parser(query, target_parse(query))
    assert verdict.allowed, verdict.reason
    assert verdict.commands == ("search", "stats")


def test_macro_expanding_to_collect_is_refused_with_the_parser() -> None:
    query = "search index=main | `summarize`"
    verdict = POLICY.check_with_parser(query, target_parse(query))
    assert verdict.findings == (
        Finding(
            "collect", "collect", "macro expansion (target parser), command 3", None, f"writes to an index; {WRITER}"
        ),
    )
    assert verdict.commands == ("search", "stats", "collect")


def test_macro_expanding_in_a_subsearch_is_refused_with_the_parser() -> None:
    query = "search index=main [`export_users`]"
    finding = POLICY.check_with_parser(query, target_parse(query)).findings[0]
    assert (finding.command, finding.location) == (
        "outputlookup",
        "subsearch in 'search' (command 1) in macro expansion (target parser)",
    )


def test_command_visible_in_the_text_is_reported_once_despite_the_parser_seeing_it_too() -> None:
    query = "search index=main | `by_host` | delete"
    verdict = POLICY.check_with_parser(query, target_parse(query))
    assert [(f.command, f.location) for f in verdict.findings] == [("delete", "top-level pipeline, command 3")]


def test_parser_output_is_judged_even_without_macros() -> None:
    parsed = {"commands": [{"command": "search", "rawargs": "index=main"}, {"command": "delete", "rawargs": ""}]}
    assert not POLICY.check_with_parser("search index=main", parsed).allowed


def test_map_search_in_parser_output_is_walked() -> None:
    parsed = {
        "commands": [{"command": "makeresults", "rawargs": ""}, {"command": "map", "rawargs": 'search="| delete"'}]
    }
    finding = POLICY.check_with_parser("| makeresults | `m`", parsed).findings[0]
    assert finding.location == "search= argument of 'map' (command 2) in macro expansion (target parser)"


def test_macro_inside_a_map_string_is_refused_even_with_the_parser() -> None:
    query = '| makeresults | map search="search index=x | `by_host`"'
    verdict = POLICY.check_with_parser(query, target_parse(query))
    assert not verdict.allowed
    assert "macro `by_host` in search= argument of 'map' (command 2)" in verdict.reason


@pytest.mark.parametrize(
    "parsed",
    [{}, {"commands": []}, {"commands": "search x"}, {"commands": [{"rawargs": "x"}]}, {"commands": [None]}],
    ids=["no commands", "empty commands", "commands not a list", "command without name", "entry not an object"],
)
def test_unusable_parser_response_is_refused(parsed: dict[str, Any]) -> None:
    verdict = POLICY.check_with_parser("search `web_errors`", parsed)
    assert not verdict.allowed
    assert "the target parser's response is unusable" in verdict.reason


def test_parser_rawargs_that_do_not_parse_are_refused() -> None:
    parsed = {"commands": [{"command": "search", "rawargs": 'index=main "open'}]}
    assert "cannot be parsed: Unbalanced quotes" in POLICY.check_with_parser("search `x`", parsed).reason
