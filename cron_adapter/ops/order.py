"""The order an audit walks the jobs in: the file's order, rotated to a start that moves with time.

An audit that cannot finish (its Lambda's deadline, an AWS error) leaves the jobs after the
point where it stopped. Were every audit to start at the first job, a file too large for one
audit would leave the same tail unaudited forever. Each audit starts instead at a point
derived from its minute, with no state to store: the minute times the golden ratio, modulo 1
(Fibonacci hashing, in 64-bit fixed point so it is exact). Those points fall evenly around the
file however often the audit runs (the three-distance theorem), so successive audits cover
every job: within two or three times the ideal number of audits in practice::

    audit at 12:00  jobs  e f g h | a b c d      (stopped after 4: e..h audited)
    audit at 12:15  jobs  b c d e | f g h a      (a different stretch)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

_GOLDEN_64 = 0x9E3779B97F4A7C15  # 2**64 / golden ratio, the Fibonacci hashing multiplier
_MASK_64 = (1 << 64) - 1


def rotation_start(now: datetime, n: int) -> int:
    """Where in a list of ``n`` jobs the audit at ``now`` starts (0 for an empty list)."""
    minute = int(now.timestamp() // 60)
    return ((minute * _GOLDEN_64) & _MASK_64) * n >> 64


def audit_order(jobs: Sequence[T], now: datetime) -> list[T]:
    """``jobs`` rotated to start at :func:`rotation_start`; the same ``now`` gives the same order."""
    start = rotation_start(now, len(jobs))
    return [*jobs[start:], *jobs[:start]]
