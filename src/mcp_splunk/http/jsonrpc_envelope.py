"""What is wrong with a POSTed JSON-RPC message, in words a client can act on.

The MCP SDK refuses malformed messages itself, but says so with a pydantic dump ("4 validation errors for
union[JSONRPCRequest, ...]"), a bare "Invalid request parameters", or not at all: a request whose ``id`` has
the wrong type is taken for a notification and answered 202, so the client waits for a reply that never
comes. These functions look at the decoded body the SDK refused and name the member to fix. They never echo
values from the body: a message may carry arguments the client would not want repeated in an error.
"""

from __future__ import annotations

import json
from typing import Any

EXAMPLE = '{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}'
_ONE_MESSAGE = f"send one JSON-RPC 2.0 message per POST, a JSON object such as {EXAMPLE}"
_ID = '"id" must be a string or an integer (not null, a fraction, a boolean, an array or an object)'
# Members of a request's params whose type the SDK checks, with what they must be.
_PARAMS: dict[str, tuple[tuple[str, type, bool, str], ...]] = {
    "tools/call": (
        ("name", str, False, "the tool's name as a string"),
        ("arguments", dict, True, 'a JSON object of the tool\'s arguments, such as {"query": "index=main"}'),
    ),
    "prompts/get": (
        ("name", str, False, "the prompt's name as a string"),
        ("arguments", dict, True, "a JSON object of string arguments"),
    ),
    "resources/read": (("uri", str, False, "the resource URI as a string"),),
}


class Unreadable:
    """The body could not be decoded (not JSON, nested too deeply, or too large to look at)."""


UNREADABLE = Unreadable()


def decode(body: bytes) -> Any:
    """The decoded body, or ``UNREADABLE``."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; deep nesting is a RecursionError
        return UNREADABLE


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def valid_id(value: object) -> bool:
    return isinstance(value, str) or _integer(value)


def describe_envelope(document: object) -> str:
    """Why ``document`` is not one JSON-RPC message; always a sentence, generic when nothing specific is found."""
    if isinstance(document, list):
        if not document:
            return f"The body is an empty JSON array; {_ONE_MESSAGE}."
        return "JSON-RPC batches (a JSON array of messages) are not supported; send each message in its own POST."
    if isinstance(document, Unreadable):
        return f"The body is not a valid JSON-RPC message; {_ONE_MESSAGE}."
    if not isinstance(document, dict):
        return f"The body is a JSON {_kind(document)}, not a JSON-RPC message; {_ONE_MESSAGE}."
    problems = _problems(document)
    if not problems:
        return f"The body is not a valid JSON-RPC message; {_ONE_MESSAGE}."
    return "Invalid JSON-RPC message: " + "; ".join(problems) + "."


def misread_request(document: object) -> str | None:
    """Why a request (it has a ``method`` and an ``id``) was answered 202, as a notification or a response, or None
    if it was not."""
    if not isinstance(document, dict) or not isinstance(document.get("method"), str) or "id" not in document:
        return None
    if document["method"].startswith("notifications/"):
        return None  # a notification with a stray id, which is what it was taken for
    if "result" in document or "error" in document:  # the SDK takes it for a response to one of its own requests
        return 'Invalid JSON-RPC request: a request has "method" and must not carry "result" or "error".'
    if valid_id(document["id"]):
        return None  # a request the SDK answers
    return f"Invalid JSON-RPC request: {_ID}. A message without an id is a notification and gets no reply."


def describe_params(document: object) -> tuple[str | int, str] | None:
    """(request id, why its params are invalid) for a request whose params have a member of the wrong type."""
    if not isinstance(document, dict) or not valid_id(document.get("id")):
        return None
    params, rules = document.get("params"), _PARAMS.get(str(document.get("method")))
    if not isinstance(params, dict) or rules is None:
        return None
    problems = [
        f'"params.{name}" must be {what}'
        for name, kind, optional, what in rules
        if not (isinstance(params.get(name), kind) or (optional and params.get(name) is None))
    ]
    if not problems:
        return None
    return document["id"], f"Invalid params for {document['method']}: " + "; ".join(problems) + "."


def _problems(message: dict[str, Any]) -> list[str]:
    problems = []
    if message.get("jsonrpc") != "2.0":
        problems.append('"jsonrpc" must be "2.0"')
    if "method" in message:
        if not isinstance(message["method"], str):
            problems.append('"method" must be a string such as "tools/call"')
        if "id" in message and not valid_id(message["id"]):
            problems.append(_ID)
        if message.get("params") is not None and not isinstance(message["params"], dict):
            problems.append('"params" must be a JSON object')
    elif "result" in message or "error" in message:
        if not valid_id(message.get("id")):
            problems.append(f"a response's {_ID}")
        error = message.get("error")
        if "error" in message and not (
            isinstance(error, dict) and _integer(error.get("code")) and isinstance(error.get("message"), str)
        ):
            problems.append('"error" must be an object with an integer "code" and a string "message"')
    else:
        problems.append('"method" is missing: a request needs "method", and an "id" unless it is a notification')
    return problems


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else type(value).__name__
