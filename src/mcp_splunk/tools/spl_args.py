"""Tool arguments that end up inside SPL: validated at the argument, then quoted where they are placed.

Validation gives a clear error for values that cannot be names; quoting makes sure that even an accepted
value can only ever be a value: a double-quoted SPL string with backslash-escaped quotes and backslashes
cannot end the string, open a subsearch or start a command.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# Index, sourcetype, source, host and lookup names: printable, no quotes, brackets, pipes or backquotes.
_NAME = r"^[^\s\"'`|\[\]\\]{1,256}$"
_SOURCE = r"^[^\"`|\[\]\x00-\x1f]{1,1024}$"

IndexName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_*][A-Za-z0-9_\-*]{0,79}$")]
FieldValue = Annotated[str, StringConstraints(pattern=_NAME)]
SourceValue = Annotated[str, StringConstraints(pattern=_SOURCE)]
LookupName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")]


def quote(value: str) -> str:
    """``value`` as an SPL double-quoted string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def term(field: str, value: str) -> str:
    """A ``field="value"`` search term."""
    return f"{field}={quote(value)}"


# A search job id as splunkd issues them ("1403963855.10", "admin__nobody__search__RMD5…_at_…_0"); it ends up in
# a URL path, so no slashes and no leading dot.
Sid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,255}$")]
