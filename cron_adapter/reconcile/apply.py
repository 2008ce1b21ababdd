"""Apply a Plan: rate-limited concurrent writes, the ledger after each, one confirm pass.

The caller holds the reconcile lock. Each worker writes one schedule through the
scheduler port (which enforces the rate limit), then records the ledger entry with its
LastModificationDate left unconfirmed; the confirm pass at the end fills that in with
GetSchedule per written schedule when there are few, or one ListSchedules pass when
there are many. Near the deadline, workers stop starting writes ("skipped"), and the
run is ``partial``. Named crash points (``after-write``, ``after-ledger``,
``before-confirm``) let tests crash the run between any two steps.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from cron_adapter.errors import InjectedCrash
from cron_adapter.reconcile.planner import (
    DRIFT_REASONS,
    Action,
    Create,
    Delete,
    LedgerEntry,
    Plan,
    Update,
)
from cron_adapter.reconcile.ports import LedgerPort, SchedulerPort

CrashHook = Callable[[str, int], None]  # (crash point, writes done so far); raise to crash
PAGE_SIZE = 100


@dataclass(frozen=True)
class Options:
    """Knobs of one reconcile."""

    max_delete_share: float = 0.5
    create_grace_seconds: float = 0.0  # a created schedule's first fire waits this long
    allow_mass_delete: bool = False
    workers: int = 8
    lease_seconds: float = 900.0
    reserve_seconds: float = 20.0  # stop submitting writes when less than this remains


@dataclass(frozen=True)
class Result:
    """The outcome: ``no-op``, ``applied`` or ``partial`` (deadline or failed writes)."""

    status: str
    plan: Plan
    done: tuple[Action, ...] = ()
    failed: tuple[tuple[Action, str], ...] = ()
    skipped: int = 0
    counts: dict[str, int] = field(default_factory=dict)


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
        self._abort = threading.Event()

    def apply(self, todo: Plan) -> Result:
        """Apply ``todo`` (caller holds the lock): writes, ledger, confirm pass."""
        if todo.of(Create) or todo.of(Update):
            self.scheduler.ensure_group()
        outcomes: list[tuple[Action, str | None]] = []
        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            for action, outcome in zip(todo.actions, pool.map(self._one, todo.actions), strict=True):
                outcomes.append((action, outcome))
        if self._abort.is_set():
            raise InjectedCrash("injected crash")
        done = [a for a, o in outcomes if o == "done"]
        self._confirm([a for a in done if not isinstance(a, Delete)], todo.total + len(todo.of(Create)))
        for name in todo.forget:
            self.ledger.forget(name)
        failed = tuple((a, o) for a, o in outcomes if o not in ("done", "skipped") and o is not None)
        skipped = sum(o == "skipped" for _, o in outcomes)
        status = "applied" if not failed and not skipped else "partial"
        return Result(status, todo, tuple(done), failed, skipped, counts_of(done))

    def _near_deadline(self) -> bool:
        return self.remaining is not None and self.remaining() < self.options.reserve_seconds

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
        else:
            self.ledger.record(LedgerEntry(action.name, action.job_id, action.spec_hash, None))
        self._hook("after-ledger")

    def _confirm(self, written: Sequence[Action], group_size: int) -> None:
        """Record the LastModificationDate of written schedules: GetSchedule each, or one list pass."""
        if not written:
            return
        self._hook("before-confirm")
        if len(written) <= math.ceil(group_size / PAGE_SIZE):
            seen = {a.name: self.scheduler.last_modified(a.name) for a in written}
            stamps = {n: s for n, s in seen.items() if s}
        else:
            stamps = {s.name: s.last_modified for s in self.scheduler.list_schedules()}
        entries = [
            LedgerEntry(a.name, a.job_id or "", a.spec_hash, stamps[a.name])  # type: ignore[union-attr]
            for a in written
            if a.name in stamps
        ]
        self.ledger.record_many(entries)
