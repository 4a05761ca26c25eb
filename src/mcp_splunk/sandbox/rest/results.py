"""Search results on the wire: JSON (one line), XML ``<results>`` (as in the recordings), CSV, and export NDJSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from mcp_splunk.sandbox.rest.jsonfmt import dumps
from mcp_splunk.sandbox.rest.replies import BodyReply, SplunkdError
from mcp_splunk.sandbox.spl import render_row

JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "text/xml; charset=UTF-8"
CSV_TYPE = "text/csv; charset=UTF-8"
EXPORT_CHUNK_ROWS = 500


def select_fields(fields: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """Honour ``f``/``field_list``: keep the requested fields, in the requested order."""
    if not wanted:
        return list(fields)
    names = [n.strip() for item in wanted for n in item.split(",") if n.strip()]
    return [n for n in names if n != "*"] or list(fields)


def render_rows(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> list[dict[str, str | list[str]]]:
    keep = set(fields)
    return [{k: v for k, v in render_row(row).items() if k in keep} for row in rows]


def results_reply(
    mode: str,
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    offset: int,
    preview: bool,
    messages: Sequence[tuple[str, str]] = (),
) -> BodyReply:
    rendered = render_rows(rows, fields)
    if mode == "json":
        document = {
            "preview": preview,
            "init_offset": offset,
            "messages": [{"type": kind, "text": text} for kind, text in messages],
            "fields": [{"name": f} for f in fields],
            "results": rendered,
            "highlighted": {},
        }
        return BodyReply(200, dumps(document).encode(), JSON_TYPE)
    if mode == "csv":
        return BodyReply(200, _csv(fields, rendered).encode(), CSV_TYPE)
    if mode in ("xml", "raw"):
        return BodyReply(200, _xml(fields, rendered, offset, preview).encode(), XML_TYPE)
    raise SplunkdError(400, f"Invalid output_mode '{mode}': use json, xml or csv.")


def _csv(fields: Sequence[str], rows: Sequence[dict[str, str | list[str]]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["\n".join(v) if isinstance(v := row.get(f, ""), list) else v for f in fields])
    return buffer.getvalue()


def _xml(fields: Sequence[str], rows: Sequence[dict[str, str | list[str]]], offset: int, preview: bool) -> str:
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        f"<results preview='{int(preview)}'>\n<meta>\n<fieldOrder>\n",
    ]
    out.extend(f"<field>{escape(f)}</field>\n" for f in fields)
    out.append("</fieldOrder>\n</meta>\n")
    for i, row in enumerate(rows):
        out.append(f"\t<result offset='{offset + i}'>\n")
        for name in fields:
            value = row.get(name)
            if value is None:
                continue
            if name == "_raw":
                out.append(f"\t\t<field k='_raw'><v xml:space='preserve' trunc='0'>{escape(str(value))}</v></field>\n")
                continue
            out.append(f"\t\t<field k={quoteattr(name)}>\n")
            for item in value if isinstance(value, list) else [value]:
                out.append(f"\t\t\t<value><text>{escape(item)}</text></value>\n")
            out.append("\t\t</field>\n")
        out.append("\t</result>\n")
    out.append("</results>\n")
    return "".join(out)


def export_stream(
    mode: str,
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    preview_first: bool,
    messages: Sequence[tuple[str, str]] = (),
) -> Iterator[bytes]:
    """NDJSON for ``output_mode=json``: one ``{"preview", "offset", "result"}`` per line, ``lastrow`` on the last.

    Reporting searches first stream their rows as preview, as splunkd does while a report is being computed;
    clients must skip preview rows (splunklib's reader yields both).
    """
    if mode == "json":
        if messages:
            yield (dumps({"messages": [{"type": k, "text": t} for k, t in messages]}) + "\n").encode()
        passes = (True, False) if preview_first else (False,)
        for preview in passes:
            for start in range(0, len(rows), EXPORT_CHUNK_ROWS):
                chunk = render_rows(rows[start : start + EXPORT_CHUNK_ROWS], fields)
                lines = []
                for i, row in enumerate(chunk):
                    doc: dict[str, Any] = {"preview": preview, "offset": start + i}
                    if not preview and start + i == len(rows) - 1:
                        doc["lastrow"] = True
                    doc["result"] = row
                    lines.append(dumps(doc))
                yield ("\n".join(lines) + "\n").encode()
        return
    reply = results_reply(mode, fields, rows, offset=0, preview=False, messages=messages)
    yield reply.body
