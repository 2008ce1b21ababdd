"""The reconcile service with in-memory fakes of its two ports (no AWS, no patching)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cron_adapter.errors import LockHeld
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring
from tests.fakes.reconcile import FakeLedger, FakeScheduler

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

    def another_run_applies() -> None:  # between our peek and our acquire
        ledger.acquire("other", NOW.timestamp(), 60, 0)
        ledger.release("other", applied=True)

    ledger.before_acquire = another_run_applies
    result = reconciler(s, ledger).run(lambda: jobs(2))
    assert result.counts["created"] == 2 and s.calls["list"] == 3  # plan, re-plan, confirm


def test_held_lock_refuses_before_planning():
    s, ledger = FakeScheduler(), FakeLedger()
    ledger.acquire("other", NOW.timestamp(), 60, 0)
    with pytest.raises(LockHeld):
        reconciler(s, ledger).run(lambda: jobs(2))
    assert s.calls["create"] == 0 and s.calls["list"] == 0


def test_file_changed_during_apply_gets_another_round():
    s, ledger = FakeScheduler(), FakeLedger()
    versions = iter([jobs(2), jobs(3), jobs(3), jobs(3)])
    result = reconciler(s, ledger).run(lambda: next(versions))
    assert set(s.items) == {"j0", "j1", "j2"} and result.counts["created"] == 3  # 2, then 1 more
