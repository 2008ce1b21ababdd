"""The reconcile service with in-memory fakes of its two ports (no AWS, no patching)."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from cron_adapter.errors import LockHeld, LockMoved
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.planner import LedgerEntry, ListedSchedule
from cron_adapter.reconcile.ports import LockState
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WIRING = Wiring("g", "arn:fire", "arn:role")


def jobs(n: int, **extra: Any) -> Any:
    doc = {
        "version": 1,
        "jobs": [
            {
                "id": f"j{i}",
                "schedule": f"every {i + 1}h",
                "target": {"url": f"https://a.example.com/{i}"},
                **extra.get(f"j{i}", {}),
            }
            for i in range(n)
        ],
    }
    import json

    return load_bytes(json.dumps(doc).encode())


class FakeScheduler:
    """Schedules in a dict; LastModificationDate is a counter, as good as a timestamp."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[dict[str, Any], str]] = {}
        self.calls: Counter[str] = Counter()
        self._stamp = itertools.count(1)

    def list_schedules(self) -> list[ListedSchedule]:
        self.calls["list"] += 1
        return [ListedSchedule(n, r.get("State"), s) for n, (r, s) in sorted(self.items.items())]

    def last_modified(self, name: str) -> str | None:
        self.calls["get"] += 1
        return self.items[name][1] if name in self.items else None

    def create(self, request: dict[str, Any]) -> None:
        self.calls["create"] += 1
        self.items[request["Name"]] = (request, f"t{next(self._stamp):06d}")

    def update(self, request: dict[str, Any]) -> None:
        self.calls["update"] += 1
        self.items[request["Name"]] = (request, f"t{next(self._stamp):06d}")

    def delete(self, name: str) -> None:
        self.calls["delete"] += 1
        self.items.pop(name, None)

    def ensure_group(self) -> None:
        self.calls["ensure_group"] += 1


class FakeLedger:
    """The ledger and lock with the same conditional semantics as the DynamoDB adapter."""

    def __init__(self) -> None:
        self.rows: dict[str, LedgerEntry] = {}
        self.lock = LockState(None, 0.0, 0)
        self.writes = 0
        self.moves = 0  # LockMoved to raise before letting acquire through

    def entries(self) -> dict[str, LedgerEntry]:
        return dict(self.rows)

    def exhausted(self) -> dict[str, str]:
        return {}

    def record(self, entry: LedgerEntry) -> None:
        self.writes += 1
        self.rows[entry.name] = entry

    def record_many(self, entries: list[LedgerEntry]) -> None:
        for e in entries:
            self.record(e)

    def forget(self, name: str) -> None:
        self.writes += 1
        self.rows.pop(name, None)

    def peek_lock(self) -> LockState:
        return self.lock

    def acquire(self, holder: str, now: float, lease_seconds: float, generation: int) -> None:
        if self.lock.held_by_other(holder, now):
            raise LockHeld(self.lock.holder or "?", str(self.lock.expires_at))
        if self.moves:
            self.moves -= 1
            raise LockMoved("moved")
        self.writes += 1
        self.lock = LockState(holder, now + lease_seconds, generation)

    def release(self, holder: str, applied: bool) -> None:
        self.writes += 1
        self.lock = LockState(None, 0.0, self.lock.generation + int(applied))


def reconciler(s: FakeScheduler, ledger: FakeLedger, **kw: Any) -> Reconciler:
    return Reconciler(s, ledger, WIRING, clock=lambda: NOW, options=Options(workers=2), **kw)


def test_noop_takes_no_lock_and_writes_nothing():
    s, ledger = FakeScheduler(), FakeLedger()
    reconciler(s, ledger).run(lambda: jobs(3))
    s.calls.clear()
    ledger.writes = 0
    assert reconciler(s, ledger).run(lambda: jobs(3)).status == "no-op"
    assert ledger.writes == 0 and set(s.calls) == {"list"}


def test_few_writes_confirm_with_get_many_with_one_list_pass():
    s, ledger = FakeScheduler(), FakeLedger()
    reconciler(s, ledger).run(lambda: jobs(150))
    assert s.calls["get"] == 0 and s.calls["list"] == 2  # plan + confirm pass
    s.calls.clear()
    reconciler(s, ledger).run(lambda: jobs(150, j7={"schedule": "every 9h"}))
    assert s.calls["update"] == 1 and s.calls["get"] == 1 and s.calls["list"] == 1
    assert all(e.last_modified == s.items[n][1] for n, e in ledger.rows.items())


def test_a_run_that_lost_the_race_plans_again():
    s, ledger = FakeScheduler(), FakeLedger()
    ledger.moves = 1
    result = reconciler(s, ledger).run(lambda: jobs(2))
    assert result.counts["created"] == 2 and s.calls["list"] == 3  # plan, re-plan, confirm


def test_held_lock_refuses_before_planning():
    s, ledger = FakeScheduler(), FakeLedger()
    ledger.lock = LockState("other", NOW.timestamp() + 60, 0)
    with pytest.raises(LockHeld):
        reconciler(s, ledger).run(lambda: jobs(2))
    assert s.calls["create"] == 0 and s.calls["list"] == 0


def test_file_changed_during_apply_gets_another_round():
    s, ledger = FakeScheduler(), FakeLedger()
    versions = iter([jobs(2), jobs(3), jobs(3), jobs(3)])
    result = reconciler(s, ledger).run(lambda: next(versions))
    assert set(s.items) == {"j0", "j1", "j2"} and result.counts["created"] == 3  # 2, then 1 more
