"""Two Simple XML dashboards (``data/ui/views``) whose panels search the sample data."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from mcp_splunk.sandbox.data.objects import SHARED, Entity


@dataclass(frozen=True, slots=True)
class _Panel:
    title: str
    element: str  # Simple XML visualization: "single", "chart", "table" or "event"
    query: str
    options: tuple[tuple[str, str], ...] = ()


def _text(value: str) -> str:
    # Quotes need no escaping in element text, and queries read better without.
    return escape(value, quote=False)


def _simple_xml(label: str, description: str, rows: tuple[tuple[_Panel, ...], ...]) -> str:
    lines = ['<dashboard version="1.1">', f"  <label>{_text(label)}</label>"]
    lines.append(f"  <description>{_text(description)}</description>")
    for row in rows:
        lines.append("  <row>")
        for panel in row:
            lines += [
                "    <panel>",
                f"      <title>{_text(panel.title)}</title>",
                f"      <{panel.element}>",
                "        <search>",
                f"          <query>{_text(panel.query)}</query>",
                "          <earliest>-24h@h</earliest>",
                "          <latest>now</latest>",
                "        </search>",
                *(f'        <option name="{escape(name)}">{_text(value)}</option>' for name, value in panel.options),
                f"      </{panel.element}>",
                "    </panel>",
            ]
        lines.append("  </row>")
    lines.append("</dashboard>")
    return "\n".join(lines) + "\n"


def _view(name: str, label: str, description: str, rows: tuple[tuple[_Panel, ...], ...]) -> Entity:
    content = {
        "eai:data": _simple_xml(label, description, rows),
        "label": label,
        "isDashboard": "1",
        "isVisible": "1",
        "rootNode": "dashboard",
        "eai:appName": SHARED.app,
        "eai:userName": SHARED.owner,
    }
    return Entity(name, SHARED, content)


_LINE = (("charting.chart", "line"),)
_COLUMN = (("charting.chart", "column"),)


def default_views() -> tuple[Entity, ...]:
    web = _view(
        "web_overview",
        "Web Overview",
        "Traffic and errors of the shop's web servers (index=web).",
        (
            (
                _Panel("Requests", "single", "index=web | stats count"),
                _Panel("Server errors", "single", "index=web status>=500 | stats count"),
            ),
            (
                _Panel(
                    "Requests by status class",
                    "chart",
                    (
                        'index=web | eval status_class=substr(status, 1, 1) . "xx" '
                        "| timechart span=1h count by status_class"
                    ),
                    _LINE,
                ),
            ),
            (
                _Panel("Server errors by host", "chart", "index=web status>=500 | stats count by host", _COLUMN),
                _Panel("Top URIs", "table", "index=web | top limit=10 uri"),
                _Panel("Busiest clients", "table", "index=web | stats count by clientip | sort -count | head 10"),
            ),
        ),
    )
    security = _view(
        "security_overview",
        "Security Overview",
        "SSH logins and sudo use on the Linux servers (index=security).",
        (
            (
                _Panel(
                    "Failed SSH logins",
                    "single",
                    'index=security sourcetype=linux_secure "Failed password" | stats count',
                ),
                _Panel(
                    "Accepted SSH logins",
                    "single",
                    'index=security sourcetype=linux_secure "Accepted" | stats count',
                ),
            ),
            (
                _Panel(
                    "Failed logins over time",
                    "chart",
                    'index=security "Failed password" | timechart span=1h count by host',
                    _LINE,
                ),
            ),
            (
                _Panel(
                    "Brute-force sources",
                    "table",
                    'index=security "Failed password" | stats count by src | where count > 5 | sort -count',
                ),
                _Panel("Accepted logins by user", "table", 'index=security "Accepted" | stats count by user, src'),
                _Panel("sudo by host", "chart", 'index=security "sudo:" | stats count by host', _COLUMN),
            ),
        ),
    )
    return web, security
