"""Errors the engine raises; their text is what splunkd would put in a FATAL message."""

from __future__ import annotations


class SplError(Exception):
    """A search splunkd would refuse or fail; ``str(e)`` is splunkd's message text."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnknownCommandError(SplError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Unknown search command '{name}'.")
        self.name = name


class SearchCancelled(Exception):
    """``should_stop`` asked the running search to stop."""


def command_error(command: str, what: str) -> SplError:
    """The usual ``Error in '<cmd>' command: <what>.`` error."""
    return SplError(f"Error in '{command}' command: {what.rstrip('.')}.")
