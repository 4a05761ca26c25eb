"""Corpora: risky SPL is refused wherever the command hides; SPL that only mentions a risky word is allowed."""

from __future__ import annotations

import inspect

import pytest

from mcp_splunk.policy import SplPolicy
from mcp_splunk.prompts import PROMPTS

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
    "rest spaced method": "| rest /services/server/info method = Put",
    "rest even method=get": "| rest /services/authentication/users method=get",
    "rest upper GET": "| rest /services/server/info METHOD=GET splunk_server=local",
    # rest outside its allowlist, however the path is spelled
    "rest conf alert_actions": "| rest /services/configs/conf-alert_actions | table title auth_password",
    "rest conf authentication": "| rest /servicesNS/-/-/configs/conf-authentication | table bindDNpassword",
    "rest properties": "| rest /services/properties/alert_actions/email",
    "rest passwords": "| rest /servicesNS/nobody/search/storage/passwords | table clear_password",
    "rest passwords upper case": "| rest /services/Storage/Passwords",
    "rest passwords encoded slash": "| rest /services/storage%2Fpasswords",
    "rest passwords double encoded": "| rest /services/storage%252Fpasswords",
    "rest dot-dot": "| rest /services/server/info/../../storage/passwords",
    "rest export runs spl": '| rest /services/search/jobs/export search="| makeresults | outputlookup x.csv"',
    "rest tokens": "| rest /services/authorization/tokens",
    "rest full url": "| rest https://127.0.0.1:8089/services/server/info",
    "rest endpoint from a subsearch": (
        '| rest [| makeresults | eval search="/services/storage/passwords" | return $search]'
    ),
    "rest in a map string": '| makeresults | map search="| rest /services/server/info" maxsearches=1',
    # commands off the read-only list: known writers and app commands nobody vetted
    "fit into": "index=web | fit LinearRegression bytes from status into web_model",
    "deletemodel": "| deletemodel web_model",
    "outputtelemetry": "| makeresults | outputtelemetry input=x type=event component=a",
    "createrss": "index=web | createrss path=feed name=x link=y descr=z count=1",
    "sendresults": "index=web | sendresults to=a@example.com",
    "curl post": '| curl method=post uri="https://example.com/hook" data="x"',
    "unknown app command": "index=web | frobnicate level=11",
    "unknown command in a deep subsearch": "| makeresults | append [| makeresults | join x [| frobnicate | fields x]]",
    "inputcsv reads server files": "| inputcsv ../../../etc/passwd",
    "bare unknown first word in a subsearch": "index=web [curl uri=https://example.com | fields x]",
    "bare word subsearch": "index=web [frobnicate]",
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
    "map unbounded": '| makeresults | map search="search index=web | head 1" maxsearches=0',
    "map beyond the cap": '| makeresults | map search="search index=web | head 1" maxsearches=500',
    "map with macro in string": '| makeresults | map search="search index=x | `cleanup`"',
    # bodies
    "appendpipe body": "index=main | appendpipe [delete]",
    "appendpipe body after stats": "index=main | appendpipe [stats count | collect index=s]",
    "foreach body": "| makeresults | foreach * [sendemail to=a@example.com]",
    "foreach over data-named fields": "index=web | foreach bytes* [eval <<FIELD>>=<<FIELD>>/1024]",
    "foreach over every event field": "index=web | spath | foreach * [eval x=<<MATCHSTR>>]",
    "foreach multivalue items": (
        '| makeresults | eval m=split("a,b", ",") | foreach mode=multivalue m [eval x=<<ITEM>>]'
    ),
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
    # SPL built from data: a subsearch's field names or search/query values come from events
    "renamed searchX (the review's example)": (
        'index=web [| makeresults | eval searchX="status=200 | outputlookup x.csv" | rename *X as * | fields - _time]'
    ),
    "renamed queryX": 'index=web [| makeresults | eval queryX="x | collect index=s" | rename *X as * | fields query]',
    "single-quoted eval target": "index=web [| makeresults | eval 'search'=\"x | delete\" | fields 'search']",
    "upper-case SEARCH field": 'index=web [| makeresults | eval SEARCH="x | delete" | table SEARCH]',
    "spath of a json search key": (
        'index=web [| makeresults | eval _raw="{\\"search\\": \\"x | delete\\"}" | spath | fields search]'
    ),
    "spath output named query": "index=web [search index=main | spath output=query path=a.b | table query]",
    "lookup output named search": (
        "index=web [| inputlookup hosts.csv | lookup notes host OUTPUT note AS search | fields search]"
    ),
    "stats as search": "index=web [search index=main | stats values(message) as search | fields search]",
    "subsearch of raw events": "index=web [search index=main sourcetype=app]",
    "subsearch of a lookup table": "index=web [| inputlookup watchlist.csv]",
    "subsearch ending in spath": "index=web [search index=main | spath]",
    "chart split names columns": "index=web [search index=main | chart count over host by status]",
    "timechart by names columns": "index=web [search index=main | timechart count by host]",
    "xyseries names columns": "index=web [search index=main | xyseries host status count]",
    "eval braces name a field": (
        'index=web [| makeresults | eval name="search" | eval {name}="x | delete" | fields - _time]'
    ),
    "fields wildcard over events": "index=web [search index=main | fields h*]",
    "format over raw events": "index=web [search index=main | format]",
    "rename wildcard over events": "index=web [search index=main | rename * as x_* | fields x_*]",
    "rex named search group": 'index=web [search index=main | rex "(?<query>.+)" | fields query]',
    "rex dynamic key groups": 'index=web [search index=main | rex "(?<_KEY_1>\\w+)=(?<_VAL_1>\\w+)" | fields - _raw]',
    "append adds a search field": (
        'index=web [search index=main | fields host | append [| makeresults | eval search="| delete" | fields search]]'
    ),
    "foreach makes a search field": "index=web [| makeresults | eval searchX=1 | foreach *X [eval <<MATCHSTR>>=1]]",
    "where clause subsearch of events": "| inputlookup hosts.csv where [search index=main | head 1]",
    "subsearch in eval": "| makeresults | eval x=[search index=main | head 1]",
    "five deep": "index=a [search index=b [search index=c [search index=d [search index=e | fields search]] | fields x]"
    " | fields y] | stats count",
    "saved-search dataset in from": "| from savedsearch:nightly_cleanup",
    "bare dataset in union": "| union nightly_cleanup [search index=a]",
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
    "bracket comparing script": "index=web [search script=deploy.sh | fields host]",
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
    "rest users": "| rest /services/authentication/users splunk_server=local | table title roles",
    "rest saved searches in every app": "| rest /servicesNS/-/-/saved/searches count=0 | search is_scheduled=1",
    "rest indexes": "| rest /services/data/indexes | where totalEventCount > 0 | table title totalEventCount",
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
    "foreach over fixed fields": (
        "index=web | stats sum(bytes_in) as bytes_in sum(bytes_out) as bytes_out by host "
        "| foreach bytes_* [eval <<FIELD>>=round(<<FIELD>>/1024, 1)]"
    ),
    "foreach over named fields": "index=web | foreach bytes_in bytes_out [eval <<FIELD>>=<<FIELD>>/1024]",
}

# Searches analysts and agents write every day: none may be refused.
EVERYDAY: dict[str, str] = {
    "errors by sourcetype": "index=main level=ERROR | stats count by sourcetype, host | sort - count",
    "timechart by status": "index=web | timechart span=5m count by status limit=10",
    "timechart avg": "index=web | timechart span=1h avg(response_time) as avg_ms p95(response_time) as p95_ms",
    "tstats by sourcetype": "| tstats count where index=* by sourcetype, _time span=1h",
    "tstats from datamodel": "| tstats summariesonly=t count from datamodel=Web where Web.status=500 by Web.src",
    "eval case": 'index=web | eval class=case(status>=500, "error", status>=400, "client", true(), "ok") '
    "| stats count by class",
    "eval if and round": "index=web | eval mb=round(bytes/1024/1024, 2), big=if(mb>10, 1, 0) | where big=1",
    "rex and stats": 'index=main | rex field=_raw "user=(?<user>\\S+) ip=(?<ip>\\S+)" | stats dc(ip) by user',
    "rex sed mode": 'index=main | rex field=message mode=sed "s/\\d{4}/XXXX/g" | table message',
    "lookup output": "index=web | lookup geo_by_ip ip as clientip OUTPUT country, city | stats count by country",
    "inputlookup where": '| inputlookup users.csv where department="security" | table user, email',
    "subsearch returning users": "index=security [search index=web status=401 | stats count by user | fields user]",
    "subsearch with return": "index=web [search index=security action=failure | head 1 | return src]",
    "subsearch with return count": (
        "index=web [search index=security | stats count by src | sort - count | return 5 src]"
    ),
    "subsearch with table": "index=web [| inputlookup bad_ips.csv | table clientip]",
    "subsearch with rename then fields": (
        "index=web [| inputlookup bad_ips.csv | rename ip as clientip | fields clientip]"
    ),
    "subsearch dedup table": "index=web [search index=security action=blocked | dedup src | table src]",
    "subsearch top": "index=web [search index=security | top limit=3 user | fields user]",
    "subsearch format": "index=web [search index=security | stats count by user | fields user | format]",
    "transaction": "index=web | transaction clientip maxspan=30m | where duration > 60 | table clientip, duration",
    "transaction with stats": "index=web | transaction session_id | stats avg(duration) as avg_session",
    "join on subsearch": "index=web | join type=left user [search index=hr | fields user, department]",
    "join max": "index=web | join max=0 host [| inputlookup hosts.csv]",
    "append two stats": "index=web | stats count as web | append [search index=main | stats count as main]",
    "appendcols": "index=web | stats count | appendcols [search index=main | stats count as main_count]",
    "multisearch": "| multisearch [search index=web status=500] [search index=main level=ERROR] | stats count",
    "union of subsearches": "| union [search index=web | head 10] [search index=main | head 10]",
    "eventstats ratio": "index=web | eventstats count as total | stats count, max(total) as total by status",
    "streamstats window": "index=web | streamstats window=5 avg(bytes) as moving_avg by host",
    "top and rare": "index=web | top limit=10 uri | append [search index=web | rare limit=5 uri]",
    "dedup and table": "index=main | dedup host | table host, sourcetype, _time",
    "fillnull and chart": "index=web | fillnull value=0 bytes | chart sum(bytes) over host by status",
    "bin and stats": "index=web | bin _time span=10m | stats count by _time, host",
    "mvexpand": '| makeresults | eval hosts=split("a,b,c", ",") | mvexpand hosts | table hosts',
    "spath on json": "index=main sourcetype=_json | spath path=user.name output=user | stats count by user",
    "where like": 'index=web | where like(uri, "/api/%") AND status!=200 | stats count by uri',
    "search after stats": "index=web | stats count by host | search count > 100",
    "metadata": "| metadata type=sourcetypes index=main | table sourcetype, totalCount, lastTime",
    "eventcount": "| eventcount summarize=false index=* | table index, count",
    "makeresults eval": "| makeresults count=5 | streamstats count as n | eval sq=n*n",
    "convert ctime": "index=web | stats max(_time) as last by host | convert ctime(last)",
    "fieldformat": 'index=web | stats sum(bytes) as bytes by host | fieldformat bytes=tostring(bytes, "commas")',
    "addtotals": "index=web | chart count over host by method | addtotals",
    "iplocation": "index=web | iplocation clientip | geostats count by Country",
    "predict": "index=web | timechart span=1d count | predict count future_timespan=7",
    "xyseries at top level": "index=web | stats count by host, status | xyseries host status count",
    "transpose at top level": "index=web | stats count by status | transpose",
    "fields wildcard at top level": "index=web | fields host, status*, bytes*",
    "rename wildcard at top level": "index=web | rename http_* as *",
    "appendpipe totals": 'index=web | stats count by host | appendpipe [stats sum(count) as count | eval host="ALL"]',
    "map bounded": '| makeresults | eval x=1 | map search="search index=web status=500 | head 3" maxsearches=1',
    "rest server info": "| rest /services/server/info | table version, build, os_name",
    "rest current context": "| rest /services/authentication/current-context | table username, roles",
    "loadjob": '| loadjob savedsearch="admin:search:nightly" | stats count',
    "from datamodel": "| from datamodel:Web.Web | stats count by status",
    "datamodel search": "| datamodel Web Web search | stats count by Web.status",
    "mstats": "| mstats avg(cpu.usage) as cpu where index=metrics by host span=1m",
    "tags and typer": "index=main | typer | tags | stats count by eventtype",
    "regex filter": 'index=web | regex uri="^/api/v\\d+/"',
    "comments": "index=web ```only errors``` status>=500 | stats count ```by host``` by host",
}


@pytest.mark.parametrize("query", RISKY.values(), ids=RISKY.keys())
def test_risky_query_is_refused(query: str) -> None:
    verdict = POLICY.check(query)
    assert not verdict.allowed
    assert verdict.reason.startswith("Refused: ")


@pytest.mark.parametrize("query", [*BENIGN.values(), *EVERYDAY.values()], ids=[*BENIGN, *EVERYDAY])
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
    assert len(RISKY) >= 100
    assert len(BENIGN) >= 40
    assert len(EVERYDAY) >= 50


def prompt_searches() -> list[str]:
    """Every example search the prompts tell an agent to run, rendered with sample arguments (one per line)."""
    samples = {"index": "web", "timeframe": "-24h", "sourcetype": "access_combined", "question": "errors by host"}
    found: list[str] = []
    for prompt in PROMPTS:
        arguments = {name: samples[name] for name in inspect.signature(prompt.render).parameters}
        for line in prompt.render(**arguments).splitlines():
            start = line.find("index=")
            if start >= 0 and "|" in line[start:]:
                found.append(line[start:].split("  ")[0].rstrip(")"))
    return found


def test_the_prompts_example_searches_are_allowed() -> None:
    searches = prompt_searches()
    assert len(searches) >= 5
    for search in searches:
        verdict = POLICY.check(f"search {search}")
        assert verdict.allowed, (search, verdict.reason)
