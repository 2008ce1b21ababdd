"""Reconcile under injected faults, on moto: every case ends converged, nothing lost, duplicated or orphaned.

Faults are injected deterministically at named points: on the wire (botocore ``before-send``,
so botocore's own retry sees them as it would see AWS's), and inside the run (the applier's
crash points ``after-intent``, ``after-write``, ``before-confirm``).

    wire fault            what AWS would do                        expected
    throttle              429 ThrottlingException                  retried, converges
    5xx                   500 / 503                                retried, converges
    lost-answer           the write is applied, the answer is 500  retry meets ConflictException; converges
    crash-k               the Lambda dies after the k-th write     lease expires; the next run converges
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from moto.core.models import botocore_stubber

from cron_adapter.errors import InjectedCrash, LockHeld
from cron_adapter.reconcile.service import Options
from tests.adapters import reconcile_support as support
from tests.adapters.fire_support import lock_moto_writes
from tests.adapters.reconcile_support import World, jobs_doc, jobset
from tests.faults import tally
from tests.faults.wire import RawBody

N = 6
WRITE_OPS = ("CreateSchedule", "UpdateSchedule", "DeleteSchedule")
aws_env = support.aws_env  # the shared pytest fixtures
world = support.world


def _error(request: Any, status: int, code: str) -> AWSResponse:
    url, request.url = request.url, "https://fault.invalid/"  # keep moto from also answering it
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
    return AWSResponse(url, status, headers, RawBody(b'{"message": "injected"}'))


class WireFaults:
    """Decides, per call, whether the wire fails it: deterministic, counted, thread-safe."""

    def __init__(self, kind: str, every: int = 2, limit: int = 1000) -> None:
        self.kind, self.every, self.limit = kind, every, limit
        self.calls = self.injected = 0
        self._lock = threading.Lock()

    def _hit(self) -> bool:
        with self._lock:
            self.calls += 1
            hit = (self.calls - 1) % self.every == 0 and self.injected < self.limit
            self.injected += hit
            return hit

    def __call__(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        if not self._hit():
            return None
        if self.kind == "throttle":
            return _error(request, 429, "ThrottlingException")
        if self.kind in ("500", "503"):
            return _error(request, int(self.kind), "InternalServerException")
        answer = botocore_stubber(event_name=event_name, request=request)  # moto applies the write...
        assert answer is not None and answer.status_code < 300, "the write itself must succeed"
        return _error(request, 500, "InternalServerException")  # ...and its answer is lost

    def install(self, w: World, ops: tuple[str, ...] = WRITE_OPS) -> None:
        for op in ops:
            w.scheduler.meta.events.register_first(f"before-send.scheduler.{op}", self)


def changed_doc() -> dict[str, Any]:
    """A change with every kind of write: j0 deleted, j1 paused, j2 rescheduled, j6 and j7 new."""
    doc = jobs_doc(N + 2, j1={"enabled": False}, j2={"schedule": "every 1h"})
    doc["jobs"] = doc["jobs"][1:]
    return doc


def converge(w: World, doc: dict[str, Any] | Callable[[], Any], **kwargs: Any) -> Any:
    load = doc if callable(doc) else (lambda: jobset(doc))
    return w.reconciler(**kwargs).run(load)


def assert_converged(w: World, doc: dict[str, Any], clock: Callable[[], datetime] | None = None) -> None:
    """Exactly the file's schedules, each as specified; one more run writes nothing."""
    listed = w.listed()
    assert set(listed) == {j["id"] for j in doc["jobs"]}, "lost or orphaned schedules"
    for job in doc["jobs"]:
        want = "DISABLED" if job.get("enabled") is False else "ENABLED"
        assert listed[job["id"]]["State"] == want, job["id"]
    w.calls.clear()
    extra = {"clock": clock} if clock else {}
    assert converge(w, doc, **extra).status == "no-op" and w.calls.writes() == 0, "not converged"


def _settle(w: World, doc: dict[str, Any], clock: Callable[[], datetime] | None = None, runs: int = 3) -> None:
    """Re-run as the next upload or drift repair would, until a run applies cleanly."""
    extra = {"clock": clock} if clock else {}
    for _ in range(runs):
        if converge(w, doc, **extra).status in ("applied", "no-op"):
            return


@pytest.mark.parametrize("kind", ["throttle", "500", "503", "lost-answer"])
@pytest.mark.parametrize("every", [1, 2, 3])
def test_wire_faults_on_every_write_kind_still_converge(world: World, kind: str, every: int) -> None:
    converge(world, jobs_doc(N))
    faults = WireFaults(kind, every=every, limit=12 if every == 1 else 1000)
    faults.install(world)
    doc = changed_doc()
    _settle(world, doc, runs=4)
    faults.limit = faults.injected  # the wire heals; the check below runs fault-free
    assert faults.injected > 0
    assert_converged(world, doc)
    tally.add("fault.reconcile", scenarios=1, injected=faults.injected, survived=1)


@pytest.mark.parametrize("point", ["after-intent", "after-write", "before-confirm"])
@pytest.mark.parametrize("k", range(1, 6))
def test_a_crash_after_the_kth_write_is_repaired_by_the_next_run(world: World, point: str, k: int) -> None:
    converge(world, jobs_doc(N))
    doc = changed_doc()

    def crash(at: str, writes: int) -> None:
        # after-intent: the k-th write's intent is recorded, the write itself not made
        if at == point and writes >= (k - 1 if point == "after-intent" else k):
            raise RuntimeError(f"injected crash at {at} after {writes} writes")

    with pytest.raises(InjectedCrash):
        converge(world, doc, crash=crash, options=Options(workers=1, max_delete_share=1.0, intent_batch=1))
    with pytest.raises(LockHeld):  # the dead run's lease holds until it expires
        converge(world, doc)
    later = datetime.now(UTC) + timedelta(seconds=1000)
    _settle(world, doc, clock=lambda: later)
    assert_converged(world, doc, clock=lambda: later)
    tally.add("fault.reconcile", scenarios=1, injected=1, survived=1)


def test_faults_and_a_crash_together_still_converge(world: World) -> None:
    converge(world, jobs_doc(N))
    faults = WireFaults("lost-answer", every=2)
    faults.install(world)
    doc = changed_doc()

    def crash(at: str, writes: int) -> None:
        if at == "after-write" and writes >= 2:
            raise RuntimeError("injected crash")

    with pytest.raises(InjectedCrash):
        converge(world, doc, crash=crash, options=Options(workers=1, max_delete_share=1.0, intent_batch=1))
    later = datetime.now(UTC) + timedelta(seconds=1000)
    _settle(world, doc, clock=lambda: later)
    faults.limit = faults.injected
    assert_converged(world, doc, clock=lambda: later)
    tally.add("fault.reconcile", scenarios=1, injected=faults.injected + 1, survived=1)


def test_the_jobs_file_replaced_in_the_middle_of_a_reconcile(world: World) -> None:
    converge(world, jobs_doc(N))
    first, second = changed_doc(), jobs_doc(3, j0={"schedule": "every 2h"})
    current = {"doc": first}

    def swap(at: str, writes: int) -> None:
        if at == "after-write" and writes == 2:
            current["doc"] = second  # a new upload lands while this run applies the old one

    result = converge(world, lambda: jobset(current["doc"]), crash=swap, options=Options(workers=1, max_delete_share=1))
    assert result.status == "applied"
    assert_converged(world, second)
    tally.add("fault.reconcile", scenarios=1, injected=1, survived=1)


def test_two_reconciles_at_once_apply_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    lock_moto_writes(monkeypatch)
    converge(world, jobs_doc(N))
    doc, statuses, barrier = changed_doc(), [], threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            statuses.append(converge(world, doc, options=Options(max_delete_share=1.0)).status)
        except LockHeld:
            statuses.append("contended")

    # Daemon threads with a bounded join: a deadlock fails this test instead of hanging the run.
    threads = [threading.Thread(target=run, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a reconcile never finished (deadlock?)"
    assert len(statuses) == 2 and statuses.count("applied") >= 1
    _settle(world, doc)
    assert_converged(world, doc)
    tally.add("fault.reconcile", scenarios=1, injected=1, survived=1)
