"""data/ui/views writes: create, update and delete a dashboard, with the content splunkd derives from its source.

splunkd takes only ``name`` and ``eai:data`` (the XML) and reports the root element as ``rootNode`` and the
``<label>`` as ``label``; a source that is not well-formed XML is refused with 400, as splunkd does.
"""

from __future__ import annotations

import time
from typing import Any

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

from mcp_splunk.sandbox.rest.endpoints.knowledge import object_entry
from mcp_splunk.sandbox.rest.entries import Feed
from mcp_splunk.sandbox.rest.replies import FeedReply, Reply, SplunkdError
from mcp_splunk.sandbox.rest.request import SplunkdRequest
from mcp_splunk.sandbox.rest.routes import route
from mcp_splunk.sandbox.state import SandboxState

PATH = "data/ui/views"
_TITLE = "views"
_DASHBOARDS = frozenset({"dashboard", "form"})


def _content(req: SplunkdRequest) -> dict[str, Any]:
    unknown = sorted(k for k in req.form(exclude=("output_mode", "name")) if k != "eai:data")
    if unknown:
        raise SplunkdError(400, f'Argument "{unknown[0]}" is not supported by this handler.')
    source = req.get("eai:data") or ""
    if not source.strip():
        raise SplunkdError(400, "In handler 'views': Missing argument: eai:data")
    try:
        root = SafeXml.fromstring(source)
    except (SafeXml.ParseError, DefusedXmlException) as exc:
        raise SplunkdError(400, f"In handler 'views': Error while parsing XML: {exc}") from None
    label = (root.findtext("label") or "").strip()
    return {
        "eai:data": source,
        "label": label,
        "rootNode": root.tag,
        "isDashboard": "1" if root.tag in _DASHBOARDS else "0",
        "isVisible": "1",
    }


def create_view(state: SandboxState, req: SplunkdRequest, _: dict[str, str]) -> Reply:
    content = _content(req)
    name = (req.get("name") or "").strip()
    obj = state.views.create(name, req.require_user(), req.namespace(), content, time.time())
    return FeedReply(Feed(_TITLE, PATH, [object_entry(obj, PATH)]), status=201)


def update_view(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    content = _content(req)
    user, ns = req.require_user(), req.namespace()
    obj = state.views.update(params["name"], user, ns, lambda c: c.update(content), time.time())
    return FeedReply(Feed(_TITLE, PATH, [object_entry(obj, PATH)]))


def delete_view(state: SandboxState, req: SplunkdRequest, params: dict[str, str]) -> Reply:
    state.views.delete(params["name"], req.require_user(), req.namespace())
    return FeedReply(Feed(_TITLE, PATH, []))


ROUTES = [
    *route("POST", PATH, create_view),
    *route("POST", f"{PATH}/{{name}}", update_view),
    *route("DELETE", f"{PATH}/{{name}}", delete_view),
]
