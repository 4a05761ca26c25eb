"""Corpora: risky SPL is refused wherever the command hides; SPL that only mentions a risky word is allowed."""

from __future__ import annotations

import pytest

from mcp_splunk.policy import SplPolicy

POLICY = SplPolicy()

RISKY: dict[str, str] = {
    # every denied command and alias, top level
    "delete": "index=main | delete",
    "collect": "index=main | stats count by host | collect index=summary",
    "summaryindex alias": "index=main | summaryindex index=summary",
    "mcollect": '| makeresults | eval metric_name="cpu", _value=1 | mcollect index=metrics',
    "meventcollect": "index=main | meventcollect index=metrics",
    "tscollect": "index=main | tscollect namespace=web",
    "outputlookup": "| makeresults | outputlookup users.csv",
    "outputcsv": "index=main | outputcsv results.csv",
    "outputtext": "index=main | outputtext usexml=false",
    "sendemail": 'index=main | sendemail to="soc@example.com" subject="x"',
    "sendalert": "index=main | sendalert notable param.severity=high",
    "script": "| script python cleanup.py",
    "run alias": "| run cleanup.py",
    "runshellscript": "| runshellscript evil.sh 1 2 3 4 5 6 7 8",
    "dump": "index=main | dump basefilename=exported",
    "dbxquery": '| dbxquery connection=prod query="DROP TABLE users"',
    "dbxoutput": "| makeresults | dbxoutput output=audit_table",
    "dbxlookup": "index=main | dbxlookup lookup=geo",
    "rest method=post": "| rest /services/saved/searches/x method=post",
    "rest METHOD quoted DELETE": '| rest /services/saved/searches/x METHOD="DELETE"',
    "rest spaced method": "| rest /services/x method = Put",
    # case, spacing and newlines
    "upper case": "index=main | DELETE",
    "mixed case alias": "index=main | SummaryIndex index=summary",
    "no space after pipe": "index=main |delete",
    "newline and odd case": "index=main |\n  DeLeTe",
    "tabs everywhere": "index=main\t|\tsendemail\tto=x@example.com",
    "raw query starting with a command": "outputlookup users.csv",
    # subsearches
    "append subsearch": "| makeresults | append [| delete]",
    "append implicit search": "| makeresults | append [search index=x | collect index=y]",
    "join subsearch": "index=a | join host [search index=b | outputlookup hosts.csv]",
    "union second subsearch": "| union [search index=a] [search index=b | sendemail to=x@example.com]",
    "appendcols subsearch": "index=a | appendcols [| makeresults | script evil]",
    "multisearch subsearch": "| multisearch [search index=a] [search index=b | delete]",
    "set diff subsearch": "| set diff [search index=a] [search index=b | delete]",
    "search subsearch with rest post": "index=main [| rest /services/x method=post | return x]",
    "three deep": (
        "| makeresults | append [| makeresults | join x [search index=a [| makeresults | collect index=s | fields x]]]"
    ),
    "bracket whose first word is delete": "index=main [delete]",
    "bracket starting with dbxquery": 'index=main [dbxquery connection=db query="select 1" | return host]',
    # map
    "map search string": '| makeresults | map search="| delete"',
    "map search with escaped quotes": (
        '| makeresults | map search="search index=x msg=\\"a | b\\" | collect index=y" maxsearches=5'
    ),
    "map search string first word": '| makeresults | map search="delete"',
    "map in map": '| makeresults | map search="search index=x | map search=\\"| delete\\""',
    "map subsearch": "| makeresults | map [| makeresults | outputlookup x.csv]",
    "map saved search": "| makeresults | map mysavedsearch",
    "map with macro in string": '| makeresults | map search="search index=x | `cleanup`"',
    # bodies
    "appendpipe body": "index=main | appendpipe [delete]",
    "appendpipe body after stats": "index=main | appendpipe [stats count | collect index=s]",
    "foreach body": "| makeresults | foreach * [sendemail to=a@example.com]",
    "appendpipe in subsearch": "index=main [| makeresults | appendpipe [| dump basefilename=x] | return x]",
    # comments
    "command after comment": "index=main ```note``` | delete",
    "comment hiding the previous command": "index=main ``` | stats count ``` | outputlookup x.csv",
    # malformed text is never allowed
    "unbalanced quote hiding a pipe": 'index=main "unbalanced | delete',
    "escaped quote leaves string open": 'index=main | eval x="a\\" | delete',
    "unbalanced bracket": "index=main [search index=x | delete",
    "stray closing bracket": "index=main ] | delete",
    "empty command": "index=main | | stats count",
    "unterminated comment": "index=main ``` | delete",
    # macros need the target's expansion
    "macro as a command": "index=main | `cleanup`",
    "macro in search terms": "index=main `filters` | stats count",
    "macro with arguments": 'index=main | `errors_for(500, "web")`',
    # values that Splunk pastes into SPL at run time
    "map with a field placeholder": '| makeresults | eval host="web-01" | map search="search index=web host=$host$"',
    "map placeholder from data": '| makeresults | eval s="| delete" | map search="$s$"',
    "savedsearch runs unseen SPL": "| savedsearch nightly_cleanup",
    "subsearch returns raw values": 'index=web [| makeresults | eval x="| delete" | return $x]',
    "subsearch makes a search field": 'index=web [| makeresults | eval search="x | delete" | fields search]',
    "subsearch renames to query": "index=web [search index=main | rename message AS query | fields query]",
    "subsearch rex names a search group": 'index=web [search index=main | rex "(?<search>.+)" | table search]',
    "subsearch lists the audit search field": "index=web [search index=_audit | table search]",
}

BENIGN: dict[str, str] = {
    # near the raw-value rules, but safe
    "top-level table of the audit search field": "index=_audit action=search | table _time, user, search",
    "top-level stats by search": "index=_audit | stats count by search",
    "subsearch returning ordinary fields": "index=web [search index=main level=ERROR | fields host]",
    "subsearch eval of a query_time field": "index=web [search index=main | eval query_time=1 | fields host]",
    "return of named fields": "index=web [search index=main | head 1 | return host]",
    "map without placeholders": '| makeresults | map search="search index=web status=500 | head 3"',
    # risky words as text
    "phrase with delete": 'index=main "failed to delete file"',
    "search term delete": "index=main delete",
    "search command with term": "| search sendemail",
    "explicit search of a term": "search delete",
    "terms naming commands": "index=web sendemail OR outputlookup OR collect",
    "eval string": 'index=main | eval action="outputlookup"',
    "where comparison": 'index=main | where command="collect"',
    "rex named group": 'index=main | rex "(?<script>\\w+)"',
    "pipe inside string": '| makeresults | eval q="| delete"',
    "escaped quotes in string": '| makeresults | eval msg="you said \\"| sendemail\\"" | table msg',
    "brackets inside string": '| makeresults | eval x="[delete]"',
    "field named script": "sourcetype=script",
    "stats by run": "index=main | stats count by run",
    "rename to script": "index=main | rename run AS script",
    "table of command-named fields": "index=main | table delete, collect",
    "fields minus delete": "index=web | fields - delete",
    "stats renamed as delete": "index=web | stats count as delete by host | where delete > 5",
    "comment mentions delete": "index=main ```| delete``` | stats count",
    "search for a pipe phrase": 'index=web | search "| delete"',
    "like with collect": 'index=main | where like(command, "%collect%")',
    "component name": "index=_internal sourcetype=splunkd component=DeleteIndex",
    "bracket comparing script": "index=web [script=deploy.sh]",
    "spath path": "index=web | spath path=collect.items{}",
    # analyst SPL
    "stats by host": "index=web status>=500 | stats count by host",
    "timechart": "index=web | timechart span=1h count by status",
    "eval and stats": "index=web | eval kb=bytes/1024 | stats avg(kb) by host",
    "rex and top": 'index=web | rex field=_raw "user=(?<user>\\w+)" | top limit=5 user',
    "lookup": "index=web | lookup users.csv user OUTPUT team",
    "inputlookup": '| inputlookup users.csv | where team="sec"',
    "tstats": "| tstats count where index=web by host",
    "metadata": "| metadata type=hosts index=web",
    "rest get": "| rest /services/server/info",
    "rest explicit get": "| rest /services/authentication/users method=get",
    "rest upper GET": "| rest /services/x METHOD=GET splunk_server=local",
    "dedup sort head": "index=web | dedup host | sort - _time | head 10",
    "chart": "index=web | chart count over host by status",
    "eventstats": "index=web | eventstats avg(bytes) as avg_bytes",
    "streamstats with eval run": "| makeresults count=3 | streamstats count as n | eval run=n",
    "subsearch filter": "index=web [search index=security action=failed | fields user]",
    "subsearch return": 'index=web [| makeresults | eval host="web-01" | return host]',
    "append stats": "index=web | append [search index=security | stats count]",
    "join inputlookup": "index=web | join host [| inputlookup hosts.csv]",
    "union": "| union [search index=a] [search index=b]",
    "map safe search": '| makeresults | map search="search index=web host=web-01 | head 5"',
    "map subsearch": "| makeresults | map [search index=web | head 1]",
    "appendpipe stats": "index=web | appendpipe [stats count by host]",
    "foreach eval": "index=web | foreach bytes* [eval <<FIELD>>=<<FIELD>>/1024]",
}


@pytest.mark.parametrize("query", RISKY.values(), ids=RISKY.keys())
def test_risky_query_is_refused(query: str) -> None:
    verdict = POLICY.check(query)
    assert not verdict.allowed
    assert verdict.reason.startswith("Refused: ")


@pytest.mark.parametrize("query", BENIGN.values(), ids=BENIGN.keys())
def test_benign_query_is_allowed(query: str) -> None:
    verdict = POLICY.check(query)
    assert verdict.allowed, verdict.reason
    assert verdict.findings == ()
    assert verdict.reason == "Allowed."


@pytest.mark.parametrize("query", RISKY.values(), ids=RISKY.keys())
def test_every_finding_offset_points_at_the_command_as_written(query: str) -> None:
    for finding in POLICY.check(query).findings:
        assert finding.offset is not None
        assert query[finding.offset :].lower().startswith(finding.command)


def test_corpora_are_large_enough_to_mean_something() -> None:
    assert len(RISKY) >= 40
    assert len(BENIGN) >= 40
