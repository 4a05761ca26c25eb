"""Random generators derived from the corpus seed, one per purpose."""

from __future__ import annotations

import random


def derived_rng(seed: int, purpose: str) -> random.Random:
    """An independent generator for ``purpose``, so one generator's draws never shift another's.

    ``random.Random`` hashes a string seed with SHA-512, which is stable across processes and Python builds.
    """
    return random.Random(f"{seed}/{purpose}")  # noqa: S311 - sample data, not secrets
