"""What happened in a dev session, shared by the clock, the view and the JSON summary.

The clock, the upload router and the local target append entries; the view renders the
latest ones; the summary counts them. One lock keeps it thread-safe; lists are bounded so
a long demo does not grow without limit.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_ENTRIES = 5000


@dataclass(frozen=True)
class DeliveryRecord:
    """One invocation of the fire handler by the local EventBridge."""

    schedule: str
    job_id: str
    scheduled_time: str
    attempt: int
    kind: str  # "fire" | "duplicate" (chaos) | "retry" (chaos)
    delivered_at: datetime  # simulated time
    outcome: str  # the handler's status, or "error"
    detail: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Note:
    """A line for the activity log: reconcile actions, schedule changes, file edits."""

    at: datetime
    kind: str  # "reconcile" | "schedule" | "watch" | "error" | "info" | "env"
    text: str


@dataclass
class Journal:
    """Thread-safe, bounded record of a session."""

    deliveries: deque[DeliveryRecord] = field(default_factory=lambda: deque(maxlen=MAX_ENTRIES))
    notes: deque[Note] = field(default_factory=lambda: deque(maxlen=MAX_ENTRIES))
    counts: Counter[str] = field(default_factory=Counter)
    fires_by_job: Counter[str] = field(default_factory=Counter)  # unbounded, unlike `deliveries`
    reconcile_actions: Counter[str] = field(default_factory=Counter)
    listeners: list[Callable[[Any], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def delivery(self, record: DeliveryRecord) -> None:
        """Record one fire-handler invocation."""
        with self._lock:
            self.deliveries.append(record)
            self.counts[f"deliveries.{record.kind}"] += 1
            self.counts[f"outcome.{record.outcome}"] += 1
            if record.kind == "fire":
                self.fires_by_job[record.job_id] += 1
        self._tell(record)

    def note(self, at: datetime, kind: str, text: str) -> None:
        """Record one activity line."""
        entry = Note(at, kind, text)
        with self._lock:
            self.notes.append(entry)
        self._tell(entry)

    def reconciled(self, actions: Counter[str]) -> None:
        """Add reconcile action counts (create/update/delete/...)."""
        with self._lock:
            self.reconcile_actions.update(actions)

    def recent(self, n: int) -> tuple[list[DeliveryRecord], list[Note]]:
        """The last ``n`` deliveries and notes."""
        with self._lock:
            return list(self.deliveries)[-n:], list(self.notes)[-n:]

    def all_deliveries(self) -> list[DeliveryRecord]:
        """Every delivery kept."""
        with self._lock:
            return list(self.deliveries)

    def _tell(self, entry: Any) -> None:
        for listener in list(self.listeners):
            listener(entry)
