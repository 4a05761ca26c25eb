"""The one exception the syntax package raises."""

from __future__ import annotations


class SplSyntaxError(ValueError):
    """Malformed SPL text; ``str(e)`` is the splunkd-style message, ``offset`` where the problem was found."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return self.message


UNBALANCED_QUOTES = "Unbalanced quotes."
