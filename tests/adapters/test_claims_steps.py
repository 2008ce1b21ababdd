"""Races and crashes of the single-item claim writes (overlap ``skip``/``allow``, no ``max_runs``).

The claim and the finish are each two writes for ``skip`` (run row, then slot) and one for
``allow``, so every gap between them is a place to crash. Each case ends with nothing run
twice, nothing lost past a lease, and the slot free again. moto's writes are serialised
(``lock_moto_writes``), since its conditions are not atomic under thread races.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import pytest

from cron_adapter.fire.ports import TargetResponse
from tests.adapters.test_claims_dynamodb import T1, T2, T3, Crash, Moto, at
from tests.unit.fire.fakes import FakeCaller


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch):
    from tests.adapters.fire_support import moto_table

    yield from moto_table(monkeypatch)


def crash_on_state_write(client: Any, nth: int) -> list[int]:
    """Crash the delivery (a BaseException, as a Lambda dying would) at its ``nth`` STATE write."""
    seen: list[int] = []

    def hook(request: Any, **_: Any) -> None:
        if json.loads(request.body)["Key"]["sk"]["S"] == "STATE":
            seen.append(1)
            if len(seen) == nth:
                raise Crash()

    client.meta.events.register("before-send.dynamodb.UpdateItem", hook)
    return seen


@pytest.mark.parametrize("overlap", ["skip", "allow"])
def test_64_duplicates_race_to_exactly_one_call_per_trial(ddb, overlap: str) -> None:
    m = Moto(ddb)
    for trial in range(5):
        when = f"2026-11-23T0{trial}:00:00Z"
        barrier, outcomes = threading.Barrier(64), []

        def deliver(i: int, when: str = when, barrier: threading.Barrier = barrier, out: list = outcomes) -> None:
            barrier.wait()
            out.append(m.fire(at(when, overlap=overlap), holder=f"req-{when}-{i}").status)  # append is atomic

        threads = [threading.Thread(target=deliver, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert Counter(outcomes) == Counter({"succeeded": 1, "duplicate": 63}), (trial, outcomes)
        assert m.run(when)["status"] == "succeeded"  # type: ignore[index]
    assert len(m.caller.requests) == 5
    assert "running" not in m.state()


def test_16_times_racing_for_one_skip_slot_call_once_and_record_the_rest_skipped(ddb) -> None:
    release, done = threading.Event(), []
    m = Moto(ddb, FakeCaller(lambda request, timeout: (release.wait(30), TargetResponse(200))[1]))
    times = [f"2026-11-23T03:{i:02d}:00Z" for i in range(16)]

    def deliver(when: str) -> None:
        done.append(m.fire(at(when, overlap="skip"), holder=f"req-{when}").status)

    threads = [threading.Thread(target=deliver, args=(w,)) for w in times]
    for t in threads:
        t.start()
    for _ in range(600):  # every loser has recorded its skip while the winner is still calling
        if done.count("skipped") == 15:
            break
        threading.Event().wait(0.05)
    release.set()
    for t in threads:
        t.join(60)
    assert Counter(done) == Counter({"succeeded": 1, "skipped": 15}) and len(m.caller.requests) == 1
    assert sorted(m.run(w)["status"] for w in times) == ["skipped"] * 15 + ["succeeded"]  # type: ignore[index]
    assert "running" not in m.state()


@pytest.mark.parametrize("delivery", ["at-least-once", "at-most-once"])
def test_crash_between_the_run_row_and_the_slot(ddb, delivery: str) -> None:
    m = Moto(ddb)
    crash_on_state_write(ddb, 1)
    with pytest.raises(Crash):
        m.fire(at(T1, delivery=delivery))
    assert m.run(T1)["status"] == "claimed" and m.state() == {} and m.caller.requests == []  # type: ignore[index]
    assert m.fire(at(T1, delivery=delivery), holder="req-2").status == "duplicate"  # the lease is live
    m.clock.t = m.run(T1)["lease_until"] + 1  # type: ignore[index]
    late = m.fire(at(T1, delivery=delivery), holder="req-3")
    assert late.status == ("succeeded" if delivery == "at-least-once" else "lost")
    assert len(m.caller.requests) == (1 if delivery == "at-least-once" else 0)
    assert "running" not in m.state()


def test_crash_between_the_outcome_and_the_slot_release(ddb) -> None:
    m = Moto(ddb)
    crash_on_state_write(ddb, 2)  # the claim's slot write passes; the finish's release crashes
    with pytest.raises(Crash):
        m.fire(at(T1))
    assert m.run(T1)["status"] == "succeeded" and m.state()["running"] == T1  # type: ignore[index]
    assert m.fire(at(T1), holder="req-2").status == "duplicate"  # never run twice
    lease = m.run(T1)["lease_until"]  # type: ignore[index]
    m.clock.t = lease - 1
    assert m.fire(at(T2), holder="req-3").status == "skipped"  # the slot is held until the lease ends
    m.clock.t = lease + 1
    assert m.fire(at(T3), holder="req-4").status == "succeeded"
    assert len(m.caller.requests) == 2 and "running" not in m.state()


@pytest.mark.parametrize("overlap", ["skip", "allow"])
def test_crash_between_claim_and_finish_is_taken_over_after_the_lease(ddb, overlap: str) -> None:
    def crash(request: Any, timeout: float) -> TargetResponse:
        raise Crash()

    m = Moto(ddb, FakeCaller(crash))
    with pytest.raises(Crash):
        m.fire(at(T1, overlap=overlap))
    assert m.fire(at(T1, overlap=overlap), holder="req-2").status == "duplicate"
    m.clock.t = m.run(T1)["lease_until"] + 1  # type: ignore[index]
    assert m.fire(at(T1, overlap=overlap), holder="req-3").status == "succeeded"
    run = m.run(T1)
    assert (run["holder"], run["deliveries"], run["status"]) == ("req-3", 2, "succeeded")  # type: ignore[index]
    assert "running" not in m.state()
