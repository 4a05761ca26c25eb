"""Streaming export: read splunkd's NDJSON export line by line, keeping only what the caller can use.

splunklib's ``JSONResultsReader`` reads the whole stream before yielding anything, so a large export would sit
in memory. Here the body is streamed, preview rows (which reporting searches send before their final rows)
are skipped, every final row is counted, and only rows that fit the caller's budget are kept.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from typing import Any

from splunklib import client

from mcp_splunk.splunk.transport import streaming

JSON = dict[str, Any]


@dataclass(slots=True)
class ExportResult:
    rows: list[JSON] = field(default_factory=list)  # the leading rows that fit the budget
    rows_seen: int = 0  # final rows read from the stream
    complete: bool = False  # the stream was read to its end
    stopped: str | None = None  # why reading stopped early: "max_rows" or "time"
    preview_rows_skipped: int = 0
    messages: list[JSON] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        names: dict[str, None] = {}
        for row in self.rows:
            names.update(dict.fromkeys(row))
        return list(names)


def export_rows(
    service: client.Service, query: str, *, max_rows: int, keep_chars: int, time_budget: float, **params: Any
) -> ExportResult:
    deadline = time.monotonic() + time_budget
    result = ExportResult()
    kept_chars = 0
    with streaming():
        body = service.jobs.export(query, output_mode="json", **params)
    reader = io.BufferedReader(body, buffer_size=64 * 1024)
    try:
        for line in reader:
            document = json.loads(line) if line.strip() else None
            if not isinstance(document, dict):
                continue
            if "result" not in document:
                result.messages.extend(m for m in document.get("messages", []) if isinstance(m, dict))
                continue
            if document.get("preview"):
                result.preview_rows_skipped += 1
                continue
            result.rows_seen += 1
            row = document["result"]
            size = len(json.dumps(row, separators=(",", ":"), ensure_ascii=False))
            if kept_chars + size <= keep_chars and len(result.rows) == result.rows_seen - 1:
                result.rows.append(row)
                kept_chars += size
            if document.get("lastrow"):
                result.complete = True
                break
            if result.rows_seen >= max_rows:
                result.stopped = "max_rows"
                break
            if time.monotonic() > deadline:
                result.stopped = "time"
                break
        else:
            result.complete = True
    finally:
        reader.close()
    return result
