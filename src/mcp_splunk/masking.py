"""The one rule for which Splunk settings are secrets, wherever the gateway shows them.

``get_configuration`` and the saved-search tools mask what it calls secret in Python; the SPL policy drops the
same names from every ``| rest`` it allows, with ``fields -`` patterns derived from the same list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

MASK: Final = "********"
# Case-insensitive substrings of key names whose values are secrets (pass4SymmKey, sslPassword, bindDNpassword,
# auth_password, token, client_secret, sslKeysfilePassword, …). Masking a harmless key is the cheap mistake.
SECRET_KEY_PARTS: Final = (
    "password", "passwd", "pwd", "pass4symmkey", "secret", "token", "key", "credential", "passphrase",
)  # fmt: skip
# splunkd's encrypted-at-rest forms ($1$…, $7$…) are masked whatever the key is called.
_ENCRYPTED: Final = re.compile(r"^\$\d+\$")


def is_secret(key: str, value: object = None) -> bool:
    """Whether the value of setting ``key`` must not be shown."""
    lowered = key.lower()
    return any(part in lowered for part in SECRET_KEY_PARTS) or (
        isinstance(value, str) and _ENCRYPTED.match(value) is not None
    )


def masked(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` with every secret replaced by ``MASK``, and the keys that were masked."""
    shown: dict[str, Any] = {}
    hidden: list[str] = []
    for key, value in values.items():
        if is_secret(key, value):
            shown[key] = MASK
            hidden.append(key)
        else:
            shown[key] = value
    return shown, hidden


def spl_secret_patterns() -> tuple[str, ...]:
    """``fields -`` wildcards for the same names (Splunk matches field names case-sensitively, so the usual
    spellings of each part: lower, Capitalised and UPPER case)."""
    spellings = (variant for part in SECRET_KEY_PARTS for variant in (part, part.capitalize(), part.upper()))
    return tuple(f"*{spelling}*" for spelling in dict.fromkeys(spellings))
