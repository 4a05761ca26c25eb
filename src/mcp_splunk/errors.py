"""The gateway's errors. Each has a stable ``code`` (asserted by tests, shown to clients) and a message that
says what to do. Lower layers raise these; the tool layer turns them into MCP tool errors, once."""

from __future__ import annotations


class GatewayError(Exception):
    code = "gateway_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(GatewayError):
    """The request does not say which Splunk to use, or says it inconsistently."""

    code = "splunk_not_configured"


class HeaderError(ConfigurationError):
    code = "invalid_header"


class TargetRefused(GatewayError):
    """The operator's policy forbids this Splunk target."""

    code = "target_refused"


class SplunkAuthError(GatewayError):
    code = "login_failed"


class SplunkUnreachable(GatewayError):
    code = "splunk_unreachable"


class SplunkTimeout(GatewayError):
    code = "splunk_timeout"


class TLSVerificationError(GatewayError):
    code = "tls_verification_failed"


class SplunkRequestError(GatewayError):
    """Splunk refused the request (HTTP 4xx other than auth); ``status`` keeps Splunk's status code."""

    code = "splunk_error"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class SearchSyntaxError(SplunkRequestError):
    code = "spl_error"


class SplunkNotFound(SplunkRequestError):
    code = "not_found"


class SplunkPermissionDenied(SplunkRequestError):
    code = "permission_denied"


class SplunkServerError(GatewayError):
    """Splunk failed (5xx) or answered with something that is not splunkd's protocol."""

    code = "splunk_server_error"


class PolicyViolation(GatewayError):
    """The gateway's guardrails refuse this request (risky SPL, too wide a time range, writes disabled)."""

    code = "policy_violation"


class InvalidArgument(GatewayError):
    code = "invalid_argument"


class RateLimited(GatewayError):
    code = "rate_limited"


class StateUnavailable(GatewayError):
    """The shared state (Redis/Valkey) a call needs cannot be reached, and the operator chose to refuse."""

    code = "state_unavailable"


class SearchFailed(GatewayError):
    """The search job ran and failed; the message carries Splunk's own job messages."""

    code = "search_failed"


class OutsideToolsets(GatewayError):
    """The client's ``X-MCP-Toolsets`` header leaves out the toolset of the tool it called."""

    code = "tool_not_in_toolsets"


class NotConfirmed(GatewayError):
    """The user, asked through the client (elicitation), declined or cancelled a destructive change."""

    code = "not_confirmed"
