"""Apply a Plan: intents first, then rate-limited concurrent writes, then one confirm pass.

The caller holds the reconcile lock. The actions go in chunks; for each chunk, one
BatchWriteItem first records an *intent* per action (the new spec hash and State with no
LastModificationDate, or an empty spec for a delete), then the workers write the
schedules through the scheduler port (which enforces the rate limit). The confirm pass at
the end records each written schedule's LastModificationDate, with GetSchedule per
schedule when there are few, or one ListSchedules pass when there are many, 25 entries
to a BatchWriteItem. A deleted schedule's entry is forgotten right after its delete::

    intent (batched) -> CreateSchedule / UpdateSchedule -> ... -> confirm (batched)
    intent (batched) -> DeleteSchedule -> forget

So the ledger never vouches for a write the scheduler does not have: an unconfirmed entry
vouches for nothing, and the planner re-applies it (update-or-create, or delete when no
longer desired). Near the deadline (less than the reserve plus the confirm pass's
expected time), no more writes start ("skipped"), and the run is ``partial``. Named crash
points (``after-intent``, ``after-write``, ``before-confirm``) let tests crash the run
between any two steps.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from cron_adapter.errors import InjectedCrash
from cron_adapter.reconcile.model import Action, Create, Delete, LedgerEntry, Plan, Update
from cron_adapter.reconcile.planner import DRIFT_REASONS
from cron_adapter.reconcile.ports import LedgerPort, SchedulerPort

CrashHook = Callable[[str, int], None]  # (crash point, writes done so far); raise to crash
PAGE_SIZE = 100


@dataclass(frozen=True)
class Options:
    """Knobs of one reconcile."""

    max_delete_share: float = 0.5
    create_grace_seconds: float = 0.0  # a created schedule's first fire waits this long
    allow_mass_delete: bool = False
    from_ledger: bool = False  # plan against the ledger, no ListSchedules (uploads; drift repair lists)
    workers: int = 8
    lease_seconds: float = 900.0
    reserve_seconds: float = 20.0  # stop submitting writes when less than this (+ the confirm pass) remains
    intent_batch: int = 100  # actions per chunk: their intents go ahead in BatchWriteItem calls
    list_page_seconds: float = 0.2  # a ListSchedules page, for the confirm pass's expected time


@dataclass(frozen=True)
class Result:
    """The outcome: ``no-op``, ``applied`` or ``partial`` (deadline or failed writes)."""

    status: str
    plan: Plan
    done: tuple[Action, ...] = ()
    failed: tuple[tuple[Action, str], ...] = ()
    skipped: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def intent(action: Action) -> LedgerEntry:
    """The ledger entry recorded before ``action`` is written: unconfirmed, so it vouches for nothing."""
    if isinstance(action, Delete):
        return LedgerEntry(action.name, action.job_id or "", "", None)
    return LedgerEntry(action.name, action.job_id, action.spec_hash, None, action.request.get("State"))


def counts_of(done: Sequence[Action]) -> dict[str, int]:
    return {
        "created": sum(isinstance(a, Create) for a in done),
        "updated": sum(isinstance(a, Update) for a in done),
        "deleted": sum(isinstance(a, Delete) for a in done),
        "drift_repaired": sum(a.reason in DRIFT_REASONS for a in done),
    }


class Applier:
    """Applies one plan with the injected ports; one instance per reconcile run."""

    def __init__(
        self,
        scheduler: SchedulerPort,
        ledger: LedgerPort,
        options: Options,
        *,
        remaining: Callable[[], float] | None = None,
        crash: CrashHook | None = None,
        progress: Callable[[Action, bool], None] | None = None,
    ) -> None:
        self.scheduler, self.ledger, self.options = scheduler, ledger, options
        self.remaining, self.crash, self.progress = remaining, crash, progress
        self._lock = threading.Lock()
        self._writes = 0
        self._pages = 1  # ListSchedules pages of the group (set per plan)
        self._abort = threading.Event()

    def apply(self, todo: Plan) -> Result:
        """Apply ``todo`` (caller holds the lock): intents, writes, confirm pass."""
        if todo.of(Create) or todo.of(Update):
            self.scheduler.ensure_group()
        self._pages = math.ceil((todo.total + len(todo.of(Create))) / PAGE_SIZE) or 1
        outcomes: list[tuple[Action, str | None]] = []
        size = max(1, self.options.intent_batch)
        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            for start in range(0, len(todo.actions), size):
                chunk = todo.actions[start : start + size]
                outcomes += zip(chunk, self._chunk(pool, chunk), strict=True)
        if self._abort.is_set():
            raise InjectedCrash("injected crash")
        done = [a for a, o in outcomes if o == "done"]
        self._confirm([a for a in done if not isinstance(a, Delete)])
        for name in todo.forget:
            self.ledger.forget(name)
        failed = tuple((a, o) for a, o in outcomes if o not in ("done", "skipped") and o is not None)
        skipped = sum(o == "skipped" for _, o in outcomes)
        status = "applied" if not failed and not skipped else "partial"
        return Result(status, todo, tuple(done), failed, skipped, counts_of(done))

    def _chunk(self, pool: ThreadPoolExecutor, chunk: Sequence[Action]) -> list[str]:
        """Record the chunk's intents in one go, then write its schedules concurrently."""
        if self._abort.is_set() or self._near_deadline():
            return ["skipped"] * len(chunk)
        self.ledger.record_many([intent(a) for a in chunk])
        self._hook("after-intent")
        return list(pool.map(self._one, chunk))

    def _confirm_reads(self) -> int:
        """Scheduler reads the confirm pass will make: GetSchedule per write, or one list pass."""
        return min(self._writes, self._pages)

    def _near_deadline(self) -> bool:
        if self.remaining is None:
            return False
        reserve = self.options.reserve_seconds + self._confirm_reads() * self.options.list_page_seconds
        return self.remaining() < reserve

    def _hook(self, point: str) -> None:
        if self.crash is None:
            return
        try:
            self.crash(point, self._writes)
        except BaseException as exc:
            self._abort.set()
            raise InjectedCrash(f"injected crash at {point}") from exc

    def _one(self, action: Action) -> str:
        """Apply one action; returns "done", "skipped" or the error text."""
        if self._abort.is_set() or self._near_deadline():
            return "skipped"
        try:
            self._write(action)
        except Exception as exc:  # noqa: BLE001 - one failed write must not stop the others
            if self._abort.is_set():
                return "skipped"
            if self.progress:
                self.progress(action, False)
            return f"{type(exc).__name__}: {exc}"
        if self.progress:
            self.progress(action, True)
        return "done"

    def _write(self, action: Action) -> None:
        if isinstance(action, Delete):
            self.scheduler.delete(action.name)
        elif isinstance(action, Create):
            self.scheduler.create(action.request)
        else:
            self.scheduler.update(action.request)
        with self._lock:
            self._writes += 1
        self._hook("after-write")
        if isinstance(action, Delete):
            self.ledger.forget(action.name)

    def _confirm(self, written: Sequence[Action]) -> None:
        """Record the LastModificationDate of written schedules: GetSchedule each, or one list pass."""
        if not written:
            return
        self._hook("before-confirm")
        if len(written) <= self._pages:
            seen = {a.name: self.scheduler.last_modified(a.name) for a in written}
            stamps = {n: s for n, s in seen.items() if s}
        else:
            stamps = {s.name: s.last_modified for s in self.scheduler.list_schedules()}
        entries = [
            replace(intent(a), last_modified=stamps[a.name])  # what was written, now confirmed
            for a in written
            if a.name in stamps
        ]
        self.ledger.record_many(entries)
