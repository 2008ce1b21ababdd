"""The ports reconcile talks through: the scheduler group, the table, the jobs object.

Adapters implement them (``cron_adapter.adapters``); tests pass in-memory fakes that the
contract suite runs against the real adapters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from cron_adapter.reconcile.model import JobMarkers, LedgerEntry, ListedSchedule


@dataclass(frozen=True)
class LockState:
    """The lock item as last read."""

    holder: str | None
    expires_at: float
    generation: int

    def held_by_other(self, holder: str, now: float) -> bool:
        """True when someone else holds an unexpired lease."""
        return self.holder is not None and self.holder != holder and self.expires_at > now


class SchedulerPort(Protocol):
    """What reconcile needs from EventBridge Scheduler (see adapters.scheduler)."""

    def list_schedules(self) -> list[ListedSchedule]: ...
    def last_modified(self, name: str) -> str | None: ...
    def create(self, request: Mapping[str, Any]) -> None: ...
    def update(self, request: Mapping[str, Any]) -> None: ...
    def delete(self, name: str) -> None: ...
    def ensure_group(self) -> None: ...


class LedgerPort(Protocol):
    """What reconcile needs from the table (see adapters.ledger)."""

    def entries(self) -> dict[str, LedgerEntry]: ...
    def markers(self) -> JobMarkers: ...
    def record(self, entry: LedgerEntry) -> None: ...
    def record_many(self, entries: list[LedgerEntry]) -> None: ...
    def forget(self, name: str) -> None: ...
    def peek_lock(self) -> LockState: ...
    def acquire(self, holder: str, now: float, lease_seconds: float, generation: int) -> None: ...
    def release(self, holder: str, applied: bool) -> None: ...
    def put_status(self, key: str, status: dict[str, Any], now: float) -> None: ...
    def get_status(self, key: str) -> dict[str, Any] | None: ...
    def unscheduled(self) -> frozenset[str]: ...
    def put_unscheduled(self, ids: frozenset[str]) -> None: ...


class Fetched(NamedTuple):
    """The jobs file's current version: content, ETag, and the store timezone uploaded with it."""

    data: bytes
    etag: str
    timezone: str | None = None
    version_id: str | None = None  # None on an unversioned bucket


class JobsSource(Protocol):
    """Where the jobs file's current version is read from (see adapters.jobs_object)."""

    def fetch(self) -> Fetched: ...
