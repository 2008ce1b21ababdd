"""Which hermes jobs became unscheduled since the last reconcile (pure).

A hermes job EventBridge cannot express is left out on every reconcile, uploads and hourly
drift repairs alike, for as long as it stays in the store. ``JobUnscheduled`` counts the
jobs that are *new* to that list, so its alarm notifies once per job, not once per
reconcile. The table remembers the list (``LedgerPort.unscheduled``); it is written only
when it changes, so a reconcile that changes nothing still writes nothing::

    remembered {a}    now {a, b}  -> new (b,)   remember {a, b}
    remembered {a, b} now {a, b}  -> new ()     no write
    remembered {a, b} now {}      -> new ()     forget (a job fixed, then broken again, counts again)
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_REMEMBERED = 2000  # ids of up to 128 characters: well inside one 400 KB item


def newly_unscheduled(remembered: frozenset[str], current: Iterable[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The ids in ``current`` that ``remembered`` lacks, and what to remember now.

    Beyond MAX_REMEMBERED jobs only the first ids (sorted) are kept; an id past the last
    one kept is not known either way and is not counted, so nothing is counted twice.
    """
    ids = sorted({i for i in current if i})
    edge = max(remembered) if len(remembered) >= MAX_REMEMBERED else None
    new = tuple(i for i in ids if i not in remembered and (edge is None or i < edge))
    return new, frozenset(ids[:MAX_REMEMBERED])
