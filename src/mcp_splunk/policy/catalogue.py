"""The one list of SPL commands the gateway runs, and what it knows of the ones it refuses.

Default deny: a command runs only if it is on ``READ_ONLY`` (each entry says why it can neither write, send nor
execute) or the operator lists it in ``MCP_SPLUNK_ALLOWED_SPL_COMMANDS``. Commands in ``REFUSED`` are known to
write, send, execute or run SPL the gateway cannot see; those marked as writing also need
``MCP_SPLUNK_ALLOW_WRITES=true`` when the operator lists them. SECURITY.md is generated from these tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

ALLOW_SETTING: Final = "MCP_SPLUNK_ALLOWED_SPL_COMMANDS"
WRITES_SETTING: Final = "MCP_SPLUNK_ALLOW_WRITES"

_GENERATES = "generates rows from its arguments alone"
_READS = "reads what the caller's Splunk role may read"
_SHAPES = "reshapes the rows already in the pipeline, in memory"
_STATS = "computes statistics over the rows in the pipeline"
_EXTRACTS = "extracts fields from the rows' own text"
_COMBINES = "combines the results of subsearches the gateway also checks"

READ_ONLY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "abstract": _SHAPES,
        "accum": _STATS,
        "addcoltotals": _STATS,
        "addinfo": "adds the search's own time range and sid to each row",
        "addtotals": _STATS,
        "analyzefields": _STATS,
        "anomalies": _STATS,
        "anomalousvalue": _STATS,
        "anomalydetection": _STATS,
        "append": _COMBINES,
        "appendcols": _COMBINES,
        "appendpipe": "runs a body the gateway checks over the rows already in the pipeline",
        "arules": _STATS,
        "associate": _STATS,
        "autoregress": _STATS,
        "bin": _SHAPES,
        "bucketdir": _SHAPES,
        "chart": _STATS,
        "cluster": _STATS,
        "cofilter": _STATS,
        "concurrency": _STATS,
        "contingency": _STATS,
        "convert": _SHAPES,
        "correlate": _STATS,
        "datamodel": "searches a data model's events; " + _READS,
        "dbinspect": "reports bucket metadata; " + _READS,
        "dedup": _SHAPES,
        "delta": _STATS,
        "diff": _SHAPES,
        "erex": _EXTRACTS,
        "eval": "computes fields with eval functions, none of which has a side effect",
        "eventcount": "counts events per index; " + _READS,
        "eventstats": _STATS,
        "extract": _EXTRACTS,
        "fieldformat": _SHAPES,
        "fields": _SHAPES,
        "fieldsummary": _STATS,
        "filldown": _SHAPES,
        "fillnull": _SHAPES,
        "findtypes": _STATS,
        "folderize": _SHAPES,
        "foreach": "runs a body the gateway checks once per field (data-chosen field names are refused)",
        "format": "quotes rows into search terms (a subsearch's own output rule applies)",
        "from": "reads a data model or lookup dataset (saved-search datasets are refused); " + _READS,
        "gauge": _SHAPES,
        "gentimes": _GENERATES,
        "geom": "adds geographic shapes from a lookup; " + _READS,
        "geomfilter": _SHAPES,
        "geostats": _STATS,
        "head": _SHAPES,
        "highlight": _SHAPES,
        "history": "lists the caller's own search history",
        "iconify": _SHAPES,
        "inputlookup": "reads a lookup table; " + _READS,
        "iplocation": "adds locations from the bundled GeoIP database",
        "join": _COMBINES,
        "kmeans": _STATS,
        "kvform": _EXTRACTS,
        "loadjob": "reads the stored results of an existing job; " + _READS,
        "localize": _STATS,
        "localop": "runs the following commands on the search head",
        "lookup": "adds fields from a lookup table; " + _READS,
        "makecontinuous": _SHAPES,
        "makemv": _SHAPES,
        "makeresults": _GENERATES,
        "map": "runs a search the gateway checks once per row (data-substituted $field$ searches are refused)",
        "mcatalog": "lists metric names and dimensions; " + _READS,
        "metadata": "lists hosts, sources or sourcetypes; " + _READS,
        "metasearch": "searches event metadata; " + _READS,
        "mpreview": "previews metric data points; " + _READS,
        "mstats": "computes statistics over metrics; " + _READS,
        "multikv": _EXTRACTS,
        "multisearch": _COMBINES,
        "mvcombine": _SHAPES,
        "mvexpand": _SHAPES,
        "nomv": _SHAPES,
        "outlier": _STATS,
        "predict": _STATS,
        "rangemap": _SHAPES,
        "rare": _STATS,
        "redistribute": "spreads the following statistics over indexers",
        "regex": "filters rows by a regular expression",
        "reltime": _SHAPES,
        "rename": _SHAPES,
        "replace": _SHAPES,
        "require": "fails the search when no rows reach it",
        "rest": "GET of an allowlisted read endpoint only, secret-named fields removed (see the rest rules)",
        "return": "quotes values into search terms (the raw $field form is refused)",
        "reverse": _SHAPES,
        "rex": _EXTRACTS,
        "rtorder": _SHAPES,
        "scrub": _SHAPES,
        "search": "filters events or rows; " + _READS,
        "searchtxn": "finds transactions in events; " + _READS,
        "selfjoin": _SHAPES,
        "set": _COMBINES,
        "setfields": _SHAPES,
        "sichart": _STATS,
        "sirare": _STATS,
        "sistats": _STATS,
        "sitimechart": _STATS,
        "sitop": _STATS,
        "sort": _SHAPES,
        "spath": _EXTRACTS,
        "stats": _STATS,
        "strcat": _SHAPES,
        "streamstats": _STATS,
        "table": _SHAPES,
        "tags": "adds the tags defined for field values; " + _READS,
        "tail": _SHAPES,
        "timechart": _STATS,
        "timewrap": _SHAPES,
        "tojson": _SHAPES,
        "top": _STATS,
        "transaction": _STATS,
        "transpose": _SHAPES,
        "trendline": _STATS,
        "tstats": "computes statistics over indexed fields; " + _READS,
        "typeahead": "suggests search terms; " + _READS,
        "typer": "adds the event types that match; " + _READS,
        "union": _COMBINES + " (saved-search datasets are refused)",
        "uniq": _SHAPES,
        "untable": _SHAPES,
        "walklex": "lists indexed terms; " + _READS,
        "where": "filters rows with an eval expression",
        "x11": _STATS,
        "xmlkv": _EXTRACTS,
        "xmlunescape": _SHAPES,
        "xpath": _EXTRACTS,
        "xyseries": _SHAPES,
    }
)


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # what the command does
    writes: bool  # writes, sends or executes: listing it also needs writes enabled


REFUSED: Final[Mapping[str, Refusal]] = MappingProxyType(
    {
        "collect": Refusal("writes to an index", True),
        "createrss": Refusal("publishes an RSS feed", True),
        "curl": Refusal("sends HTTP requests (app command)", True),
        "dbxlookup": Refusal("queries an external database (DB Connect)", True),
        "dbxoutput": Refusal("writes to an external database (DB Connect)", True),
        "dbxquery": Refusal("runs SQL on an external database (DB Connect)", True),
        "delete": Refusal("deletes events", True),
        "deletemodel": Refusal("deletes a machine-learning model", True),
        "dump": Refusal("writes search results to files on the server", True),
        "fit": Refusal("trains and saves a machine-learning model", True),
        "input": Refusal("adds or removes data inputs", True),
        "inputcsv": Refusal("reads files from the server's disk", False),
        "mcollect": Refusal("writes metrics to an index", True),
        "meventcollect": Refusal("writes metric events to an index", True),
        "outputcsv": Refusal("writes a CSV file on the server", True),
        "outputlookup": Refusal("writes a lookup", True),
        "outputtelemetry": Refusal("sends telemetry to Splunk", True),
        "outputtext": Refusal("renders results for output (an internal output command)", False),
        "runshellscript": Refusal("runs a shell script", True),
        "savedsearch": Refusal("runs a saved search whose SPL cannot be inspected (use run_saved_search)", False),
        "script": Refusal("runs a script", True),
        "sendalert": Refusal("triggers an alert action", True),
        "sendemail": Refusal("sends email", True),
        "sendresults": Refusal("sends email (app command)", True),
        "tscollect": Refusal("writes tsidx files on the server", True),
    }
)

ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "af": "analyzefields",
        "bucket": "bin",
        "counttable": "contingency",
        "ctable": "contingency",
        "kv": "extract",
        "msearch": "mpreview",
        "run": "script",
        "summaryindex": "collect",
    }
)

KNOWN: Final = frozenset(READ_ONLY) | frozenset(REFUSED) | frozenset(ALIASES)
"""Every name the gateway recognises as a command."""


def canonical(name: str) -> str:
    """The canonical command for a name as written (case and surrounding space ignored, aliases resolved)."""
    folded = name.strip().lower()
    return ALIASES.get(folded, folded)


def refusal_text(name: str) -> str:
    """Why ``name`` (canonical, not on the read-only list) is refused, naming what would allow it."""
    known = REFUSED.get(name)
    if known is None:
        return f"not on the gateway's list of read-only commands; the operator can allow it with {ALLOW_SETTING}"
    if known.writes:
        return (
            f"{known.reason}; allowed only if the operator lists it in {ALLOW_SETTING} and sets {WRITES_SETTING}=true"
        )
    return f"{known.reason}; the operator can allow it with {ALLOW_SETTING}"
