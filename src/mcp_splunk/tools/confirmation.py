"""Asking the user before a destructive write, when the client can ask (MCP elicitation).

A client that declared the elicitation capability gets the question, and the user's answer decides: accept goes
ahead, decline or cancel changes nothing. Handshake-era clients are asked with ``elicitation/create`` on the
request's own stream; 2026-07-28 clients have no such stream, so the call answers with an input-required result
(SEP-2322) and the client repeats it with the user's answer. A client that cannot ask keeps the ``confirm: true``
rule: an agent confirming for itself is the only choice left there.
"""

from __future__ import annotations

import hashlib

from fastmcp.server.context import Context
from fastmcp.server.dependencies import get_context
from fastmcp.server.elicitation import AcceptedElicitation, CancelledElicitation, parse_elicit_response_type
from mcp.types import ElicitRequest, ElicitRequestFormParams, ElicitResult, InputRequiredResult
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from mcp_splunk.errors import NotConfirmed

ANSWER_KEY = "confirm"  # the key of our one question in an input-required round
_TITLE = "Go ahead?"
_SCHEMA = parse_elicit_response_type(bool, response_title=_TITLE).schema


class AskUser(Exception):
    """The 2026-07-28 way to ask: the call's answer is this input-required result, not the tool's output."""

    def __init__(self, ask: InputRequiredResult) -> None:
        super().__init__("input required")
        self.ask = ask


def _can_elicit(ctx: Context) -> tuple[bool, bool]:
    """(whether the user can be asked, whether by an input-required result rather than a request)."""
    try:
        session = ctx.session
    except RuntimeError:  # no live request (e.g. a background task's worker)
        return False, False
    capabilities = session.client_capabilities
    if capabilities is None or capabilities.elicitation is None:
        return False, False
    if session.protocol_version in MODERN_PROTOCOL_VERSIONS:
        return True, True
    # A handshake-era client of a stateless server has no stream for a server-to-client request.
    return session.can_send_request, False


def _fingerprint(question: str) -> str:
    # The answer counts only for the question it was given to: if what would change differs on the retry (records
    # added, the search edited meanwhile), the user is asked again.
    return hashlib.sha256(question.encode()).hexdigest()


def _refused(action: str) -> NotConfirmed:
    how = "cancelled the confirmation" if action == "cancel" else "declined"
    return NotConfirmed(f"Nothing was changed: the user {how}. Do not repeat the call unless the user asks for it.")


async def user_confirms(question: str, *, confirm: bool) -> bool:
    """Whether to go ahead with the change ``question`` describes (it is shown to the user as is).

    True when the user accepted, or, for a client that cannot ask, when ``confirm`` is true; False only for a
    client that cannot ask and no ``confirm`` (the tool then says what it would do). Raises ``NotConfirmed`` when
    the user declines or cancels, and ``AskUser`` for a 2026-07-28 client's first round.
    """
    ctx = get_context()
    can_ask, by_result = _can_elicit(ctx)
    if not can_ask:
        return confirm
    if by_result:
        answer = (ctx.input_responses or {}).get(ANSWER_KEY)
        if not isinstance(answer, ElicitResult) or ctx.request_state != _fingerprint(question):
            form = ElicitRequestFormParams(message=question, requested_schema=_SCHEMA)
            raise AskUser(
                InputRequiredResult(
                    input_requests={ANSWER_KEY: ElicitRequest(params=form)}, request_state=_fingerprint(question)
                )
            )
        accepted = answer.action == "accept" and (answer.content or {}).get("value") is True
        action = answer.action
    else:
        result = await ctx.elicit(question, bool, response_title=_TITLE)
        accepted = isinstance(result, AcceptedElicitation) and result.data is True
        action = "cancel" if isinstance(result, CancelledElicitation) else "decline"
    if not accepted:
        raise _refused(action)
    return True
