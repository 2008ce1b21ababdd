"""Counters the reliability suite keeps while it runs; ``bench/scorecard.py`` prints them.

Each test adds what it tried and what held (``add("fuzz.native", tried=1, refused=1)``). When
``CRON_ADAPTER_SCORECARD`` names a file, the session writes the totals there as JSON.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path

ENV_SCORECARD = "CRON_ADAPTER_SCORECARD"
ENV_HEAVY = "CRON_ADAPTER_HEAVY"
_TOTALS: defaultdict[str, Counter[str]] = defaultdict(Counter)


def heavy() -> bool:
    """True in the separate heavy CI step (full fuzz counts, the big load test)."""
    return os.environ.get(ENV_HEAVY, "") == "1"


def examples(light: int, full: int) -> int:
    """How many generated cases a fuzz test tries: few by default, the full count when heavy."""
    return full if heavy() else light


def add(section: str, **counts: int) -> None:
    """Add counts under ``section`` (e.g. ``fault.reconcile``: ``injected=3, survived=3``)."""
    _TOTALS[section].update(counts)


def write() -> None:
    """Write the totals where ``CRON_ADAPTER_SCORECARD`` points (merging with what is there)."""
    target = os.environ.get(ENV_SCORECARD)
    if not target:
        return
    path = Path(target)
    merged: dict[str, dict[str, int]] = json.loads(path.read_text()) if path.exists() else {}
    for section, counts in _TOTALS.items():
        into = Counter(merged.get(section, {}))
        into.update(counts)
        merged[section] = dict(into)
    path.write_text(json.dumps(merged, indent=2, sort_keys=True))
