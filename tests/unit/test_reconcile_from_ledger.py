"""Uploads planned against the ledger: calls grow with the changes, crashes leave nothing claimed, runs resume."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cron_adapter.errors import InjectedCrash
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.reconcile import planner as p
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring
from tests.fakes.reconcile import FakeLedger, FakeScheduler, QuotaScheduler, VirtualClock

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WIRING = Wiring("g", "arn:fire", "arn:role")
UPLOAD = Options(workers=2, from_ledger=True, max_delete_share=1.0)
DRIFT_REPAIR = Options(workers=2, max_delete_share=1.0)


def jobs(n: int, **extra: Any) -> JobSet:
    rows = [
        {"id": f"j{i}", "schedule": f"every {i % 50 + 1}h", "target": {"url": f"https://a.example.com/{i}"}}
        for i in range(n)
    ]
    for row in rows:
        row.update(extra.get(row["id"], {}))
    rows = [r for r in rows if not r.get("drop")]
    for r in rows:
        r.pop("drop", None)
    return load_bytes(json.dumps({"version": 1, "jobs": rows}).encode())


def run(s: Any, ledger: FakeLedger, doc: JobSet, options: Options = UPLOAD, **kw: Any) -> Any:
    return Reconciler(s, ledger, WIRING, clock=kw.pop("clock", lambda: NOW), options=options, **kw).run(lambda: doc)


def converged(s: FakeScheduler, ledger: FakeLedger, doc: JobSet) -> None:
    """The group holds exactly the file's schedules, and the ledger vouches for each as written."""
    want = {r.name: r for r in _translated(doc)}
    assert set(s.items) == set(want)
    for name, (request, stamp) in s.items.items():
        assert request["State"] == want[name].request["State"]
        assert ledger.rows[name].spec_hash == want[name].spec_hash and ledger.rows[name].last_modified == stamp


def _translated(doc: JobSet) -> Any:
    from cron_adapter.reconcile.translate import translate_all

    return translate_all(doc, WIRING)


@pytest.mark.parametrize("n", [200, 2000])
def test_an_upload_that_changes_one_job_costs_the_same_calls_at_any_size(n: int):
    s, ledger = FakeScheduler(), FakeLedger()
    run(s, ledger, jobs(n))
    s.calls.clear()
    assert run(s, ledger, jobs(n, j7={"schedule": "every 9m"})).counts["updated"] == 1
    assert s.calls == {"update": 1, "get": 1, "ensure_group": 1}  # no ListSchedules page at all
    s.calls.clear()
    assert run(s, ledger, jobs(n)).status == "applied" and s.calls == {"update": 1, "get": 1, "ensure_group": 1}


def test_an_unchanged_upload_makes_no_scheduler_call_and_no_write():
    s, ledger = FakeScheduler(), FakeLedger()
    run(s, ledger, jobs(30))
    s.calls.clear()
    ledger.writes = 0
    assert run(s, ledger, jobs(30)).status == "no-op"
    assert not s.calls and ledger.writes == 0


def test_pause_resume_and_delete_are_planned_from_the_ledger_state():
    s, ledger = FakeScheduler(), FakeLedger()
    run(s, ledger, jobs(4))
    paused = run(s, ledger, jobs(4, j1={"enabled": False}, j2={"drop": True}))
    assert {(a.name, a.reason) for a in paused.done} == {("j1", p.PAUSED), ("j2", p.ORPHAN)}
    assert ledger.rows["j1"].state == "DISABLED" and "j2" not in ledger.rows
    resumed = run(s, ledger, jobs(4, j2={"drop": True}))
    assert [(a.name, a.reason) for a in resumed.done] == [("j1", p.RESUMED)]
    converged(s, ledger, jobs(4, j2={"drop": True}))


def test_drift_is_left_to_the_drift_repair_which_lists_the_group():
    s, ledger = FakeScheduler(), FakeLedger()
    run(s, ledger, jobs(3))
    request, _ = s.items["j0"]
    s.items["j0"] = ({**request, "State": "DISABLED"}, "t999999999")  # edited in the console
    del s.items["j1"]  # deleted in the console
    assert run(s, ledger, jobs(3)).status == "no-op"
    repaired = run(s, ledger, jobs(3), DRIFT_REPAIR)
    assert repaired.counts["drift_repaired"] == 2 and s.calls["list"] >= 1
    converged(s, ledger, jobs(3))


def test_cold_ledger_writes_are_batched_two_items_per_schedule():
    s, ledger = FakeScheduler(), FakeLedger()
    run(s, ledger, jobs(1000))
    schedule_rows = 2 * 1000  # an intent, then its confirmation
    assert ledger.writes == schedule_rows + 2  # + the lock's acquire and release
    assert ledger.batches == 1000 // 100 * 4 + 1000 // 25  # intents 100 a chunk, confirms 25 a call


CRASH_POINTS = ["after-intent", "after-write", "before-confirm"]


@pytest.mark.parametrize("point", CRASH_POINTS)
@pytest.mark.parametrize("k", [1, 2, 4])
def test_an_upload_that_crashes_leaves_nothing_claimed_and_the_next_upload_converges(point: str, k: int):
    s, ledger = FakeScheduler(), FakeLedger()
    before = jobs(6)
    run(s, ledger, before)
    after = jobs(7, j0={"drop": True}, j1={"enabled": False}, j2={"schedule": "every 7m"})

    def crash(at: str, writes: int) -> None:
        if at == point and writes >= (k - 1 if at == "after-intent" else k):
            raise RuntimeError("injected crash")

    crashing = Options(workers=1, from_ledger=True, max_delete_share=1.0, intent_batch=1, lease_seconds=1)
    with pytest.raises(InjectedCrash):
        run(s, ledger, after, crashing, crash=crash)
    for name, entry in ledger.rows.items():  # every entry the scheduler does not match is unvouched
        if entry.last_modified is not None:
            assert name in s.items and s.items[name][1] == entry.last_modified
    later = lambda: datetime(2026, 11, 22, 13, 0, tzinfo=UTC)  # noqa: E731 - the lease has expired
    assert run(s, ledger, after, clock=later).status == "applied"
    converged(s, ledger, after)
    s.calls.clear()
    assert run(s, ledger, after, DRIFT_REPAIR, clock=later).status == "no-op" and set(s.calls) == {"list"}


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_crashed_update_then_the_old_file_again_restores_the_old_spec(point: str):
    s, ledger = FakeScheduler(), FakeLedger()
    old, new = jobs(3), jobs(3, j1={"schedule": "every 5m"})
    run(s, ledger, old)

    def crash(at: str, writes: int) -> None:
        if at == point:
            raise RuntimeError("injected crash")

    with pytest.raises(InjectedCrash):
        run(s, ledger, new, Options(workers=1, from_ledger=True, lease_seconds=1), crash=crash)
    later = lambda: datetime(2026, 11, 22, 13, 0, tzinfo=UTC)  # noqa: E731
    run(s, ledger, old, clock=later)  # the user reverts before any other run
    converged(s, ledger, old)
    assert s.items["j1"][0]["ScheduleExpression"] == "rate(2 hours)"


def _lambda_runs(
    s: QuotaScheduler, ledger: FakeLedger, doc: JobSet, clock: VirtualClock, seconds: float, options: Options
) -> list[tuple[str, float, float]]:
    """Invoke reconcile as Lambda retries would, each run with ``seconds`` to live: (status, end, deadline)."""
    out: list[tuple[str, float, float]] = []
    for _ in range(50):
        deadline = clock.now + seconds
        remaining: Callable[[], float] = lambda d=deadline: d - clock.now  # noqa: E731
        result = Reconciler(s, ledger, WIRING, clock=clock.datetime, remaining=remaining, options=options).run(
            lambda: doc
        )
        out.append((result.status, clock.now, deadline))
        if result.status != "partial":
            return out
        clock.now += 1.0  # the retry arrives a moment later
    raise AssertionError("did not converge in 50 runs")


def test_a_cold_import_under_50_tps_completes_across_resumable_runs_with_nothing_lost_or_duplicated():
    clock = VirtualClock()
    s, ledger = QuotaScheduler(clock, tps=50.0), FakeLedger()
    doc = jobs(2000)
    options = Options(workers=8, from_ledger=True, reserve_seconds=2.0, list_page_seconds=0.05)
    runs = _lambda_runs(s, ledger, doc, clock, seconds=12.0, options=options)
    assert len(runs) >= 3 and [r[0] for r in runs[:-1]] == ["partial"] * (len(runs) - 1)
    assert runs[-1][0] == "applied"
    assert all(end <= deadline for _, end, deadline in runs)  # every run stopped before its deadline
    assert s.calls["create"] + s.calls["update"] == 2000  # each schedule written exactly once
    converged(s, ledger, doc)
    s.calls.clear()
    assert run(s, ledger, doc, DRIFT_REPAIR, clock=clock.datetime).status == "no-op"
    assert set(s.calls) == {"list"}
