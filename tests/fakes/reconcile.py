"""In-memory fakes of the reconcile ports, with the adapters' semantics.

``tests/contracts`` runs the same scenarios against these and against the real adapters
(``adapters.ledger`` and ``adapters.scheduler`` on moto), so the two cannot drift apart.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cron_adapter.constants import STATUS_TTL_SECONDS
from cron_adapter.errors import LockHeld, LockMoved
from cron_adapter.reconcile.model import JobMarkers, LedgerEntry, ListedSchedule
from cron_adapter.reconcile.ports import LockState
from cron_adapter.tablekeys import LATEST_SK


class FakeScheduler:
    """Schedules in a dict; LastModificationDate is a counter, as good as a timestamp."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[dict[str, Any], str]] = {}
        self.calls: Counter[str] = Counter()
        self.group_exists = False
        self._stamp = itertools.count(1)

    def list_schedules(self) -> list[ListedSchedule]:
        self.calls["list"] += 1
        return [ListedSchedule(n, r.get("State"), s) for n, (r, s) in sorted(self.items.items())]

    def last_modified(self, name: str) -> str | None:
        self.calls["get"] += 1
        return self.items[name][1] if name in self.items else None

    def _put(self, request: Mapping[str, Any]) -> None:
        self.items[request["Name"]] = (request, f"t{next(self._stamp):09d}")

    def create(self, request: Mapping[str, Any]) -> None:
        self.calls["create"] += 1
        self._put(request)  # an existing schedule is replaced, as the adapter does

    def update(self, request: Mapping[str, Any]) -> None:
        self.calls["update"] += 1
        self._put(request)  # a missing schedule is created, as the adapter does

    def delete(self, name: str) -> None:
        self.calls["delete"] += 1
        self.items.pop(name, None)

    def ensure_group(self) -> None:
        self.calls["ensure_group"] += 1
        self.group_exists = True


class VirtualClock:
    """Seconds that pass only when a fake spends them: a quota can be simulated without waiting."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start
        self.lock = threading.Lock()

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


class QuotaScheduler(FakeScheduler):
    """A FakeScheduler that holds every call to ``tps`` per operation, on a virtual clock.

    As EventBridge Scheduler's quotas are per API action, each operation has its own slot
    schedule: a call starts at the later of now and its operation's next free slot, and the
    clock moves there. ListSchedules costs one call per page of 100.
    """

    def __init__(self, clock: VirtualClock, tps: float = 50.0) -> None:
        super().__init__()
        self.clock, self.interval = clock, 1.0 / tps
        self._free: dict[str, float] = {}

    def _wait(self, op: str, calls: int = 1) -> None:
        with self.clock.lock:
            for _ in range(calls):
                start = max(self.clock.now, self._free.get(op, 0.0))
                self._free[op] = start + self.interval
                self.clock.now = start

    def list_schedules(self) -> list[ListedSchedule]:
        pages = max(1, math.ceil(len(self.items) / 100))
        self._wait("list", pages)
        found = super().list_schedules()
        self.calls["list"] += pages - 1
        return found

    def last_modified(self, name: str) -> str | None:
        self._wait("get")
        return super().last_modified(name)

    def create(self, request: Mapping[str, Any]) -> None:
        self._wait("create")
        with self.clock.lock:
            super().create(request)

    def update(self, request: Mapping[str, Any]) -> None:
        self._wait("update")
        with self.clock.lock:
            super().update(request)

    def delete(self, name: str) -> None:
        self._wait("delete")
        with self.clock.lock:
            super().delete(name)

    def ensure_group(self) -> None:
        self._wait("get_group")
        super().ensure_group()


class FakeLedger:
    """The ledger, lock, job markers and status items, with DynamoDB's conditions.

    ``before_acquire`` (optional) runs just before the lock's conditional write: a test
    uses it to let "another reconcile" move the generation between peek and acquire.
    """

    def __init__(self, finished: dict[str, str] | None = None, paused: dict[str, str] | None = None) -> None:
        self.rows: dict[str, LedgerEntry] = {}
        # The EXHAUSTED partition, shared by every group: job id -> spec hash, one marker per job,
        # either the fire path's (finished) or the audit's (paused_after_failures).
        self.finished: dict[str, str] = {} if finished is None else finished
        self.paused: dict[str, str] = {} if paused is None else paused
        self.statuses: dict[str, dict[str, Any]] = {}
        self.unscheduled_ids: frozenset[str] = frozenset()
        self.writes = 0
        self.batches = 0  # BatchWriteItem calls record_many would make (25 items each)
        self.before_acquire: Callable[[], None] | None = None
        self._holder: str | None = None
        self._expires_at = 0.0
        self._generation: int | None = None  # None until the first release, as on DynamoDB

    def entries(self) -> dict[str, LedgerEntry]:
        return dict(self.rows)

    def markers(self) -> JobMarkers:
        return JobMarkers(dict(self.finished), dict(self.paused))

    def finish(self, job_id: str, spec_hash: str) -> None:
        """The fire path's marker (an unconditional put: it replaces a pause)."""
        self.paused.pop(job_id, None)
        self.finished[job_id] = spec_hash

    def pause(self, job_id: str, spec_hash: str) -> bool:
        """The audit's ``paused_after_failures`` marker, written only when the job has none."""
        if job_id in self.finished or job_id in self.paused:
            return False
        self.paused[job_id] = spec_hash
        return True

    def resume(self, job_id: str) -> bool:
        """Delete the marker only if it is a pause."""
        return self.paused.pop(job_id, None) is not None

    def record(self, entry: LedgerEntry) -> None:
        self.writes += 1
        self.rows[entry.name] = entry

    def record_many(self, entries: list[LedgerEntry]) -> None:
        self.writes += len(entries)
        self.batches += math.ceil(len(entries) / 25)
        self.rows.update((e.name, e) for e in entries)

    def forget(self, name: str) -> None:
        self.writes += 1
        self.rows.pop(name, None)

    def peek_lock(self) -> LockState:
        return LockState(self._holder, self._expires_at, self._generation or 0)

    def acquire(self, holder: str, now: float, lease_seconds: float, generation: int) -> None:
        if self.before_acquire is not None:
            hook, self.before_acquire = self.before_acquire, None
            hook()
        free = self._holder is None or self._expires_at < now or self._holder == holder
        if not (free and self._generation in (None, generation)):
            state = self.peek_lock()
            if state.held_by_other(holder, now):
                raise LockHeld(state.holder or "?", str(state.expires_at))
            raise LockMoved(f"generation moved from {generation} to {state.generation}")
        self.writes += 1
        self._holder, self._expires_at = holder, round(now + lease_seconds, 3)

    def release(self, holder: str, applied: bool) -> None:
        if self._holder != holder:
            return  # our lease expired and another run took it; nothing to give back
        self.writes += 1
        self._holder, self._expires_at = None, 0.0
        self._generation = (self._generation or 0) + int(applied)

    def put_status(self, key: str, status: dict[str, Any], now: float) -> None:
        body = {**status, "key": key, "finished_at": round(now, 3), "ttl": int(now) + STATUS_TTL_SECONDS}
        self.writes += 2
        self.statuses[key] = self.statuses[LATEST_SK] = body

    def get_status(self, key: str) -> dict[str, Any] | None:
        found = self.statuses.get(key)
        return dict(found) if found is not None else None

    def unscheduled(self) -> frozenset[str]:
        return self.unscheduled_ids

    def put_unscheduled(self, ids: frozenset[str]) -> None:
        self.writes += 1
        self.unscheduled_ids = frozenset(ids)
