#!/usr/bin/env python3
"""The direct export floor for ``scripts/bench.py``, run in its own process so its peak RSS is its own.

A splunklib ``Service`` on the gateway's keep-alive ``HttpTransport`` in streaming mode calls
``jobs.export(output_mode=json)`` and reads the NDJSON body line by line, parsing each line and counting the final
rows: the least work a client can do to consume the stream with splunklib, without the gateway's MCP layer,
budgets or result shaping. (splunklib's own ``JSONResultsReader`` would read the whole body into memory first.)

It exports ``--warmup-rows`` first (untimed), then ``--rows`` for each ``--repeats``, and prints one JSON line:
rows read, seconds per repeat, and the process's peak RSS, overall and before the first export.

    python scripts/bench_direct_export.py --url http://127.0.0.1:8089 --token bench-00000 --rows 100000
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from splunklib import client

from mcp_splunk.secret import Secret
from mcp_splunk.splunk.config import SplunkConfig
from mcp_splunk.splunk.transport import HttpTransport, streaming

MB = 1024 * 1024


def export_query(rows: int) -> str:
    """SPL yielding exactly ``rows`` rows of a typical width on the sandbox (the gateway run uses it too)."""
    return (
        f"| makeresults count={rows} "
        '| eval host="web-01", status=200, bytes=1400, message="GET /api/items HTTP/1.1 200", t=time()'
    )


def peak_rss() -> int:
    """This process's peak RSS in bytes: Linux's VmHWM (``ru_maxrss`` keeps the parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def export(service: client.Service, rows: int) -> int:
    with streaming():
        body = service.jobs.export(export_query(rows), output_mode="json", earliest_time="-24h", latest_time="now")
    seen = 0
    with io.BufferedReader(body, buffer_size=64 * 1024) as reader:
        for line in reader:
            if not line.strip():
                continue
            document = json.loads(line)
            if "result" in document and not document.get("preview"):
                seen += 1
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the sandbox's URL")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--warmup-rows", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    parts = urlsplit(args.url)
    host, port = parts.hostname or "127.0.0.1", int(parts.port or 8089)
    transport = HttpTransport(connect_timeout=5.0, read_timeout=300.0)
    config = SplunkConfig(host=host, port=port, scheme=parts.scheme, token=Secret(args.token))
    service = client.Service(
        host=host,
        port=port,
        scheme=parts.scheme,
        splunkToken=args.token,
        autologin=False,
        handler=transport.handler_for(config, host),
    )
    rss_before = peak_rss()
    export(service, args.warmup_rows)
    seconds, counts = [], []
    for _ in range(args.repeats):
        began = time.perf_counter()
        counts.append(export(service, args.rows))
        seconds.append(time.perf_counter() - began)
    transport.close()
    report = {
        "rows_seen": counts,
        "seconds": [round(s, 3) for s in seconds],
        "peak_rss_mb": round(peak_rss() / MB, 1),
        "peak_rss_before_export_mb": round(rss_before / MB, 1),
    }
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
