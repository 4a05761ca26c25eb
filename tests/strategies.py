"""Hypothesis strategies shared by the hostile-input tests: arbitrary JSON."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def json_scalars(*, max_text: int) -> st.SearchStrategy[Any]:
    return (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=max_text)
    )


def json_values(*, max_text: int, max_leaves: int) -> st.SearchStrategy[Any]:
    return st.recursive(
        json_scalars(max_text=max_text),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=max_leaves,
    )
