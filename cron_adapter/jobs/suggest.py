"""'Did you mean ...?' for a mistyped name (a field, a job id, a command)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` when one is close enough to be a typo, else None."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for a likely typo, else an empty string."""
    match = closest(word, choices)
    return f"; did you mean {match!r}?" if match else ""
