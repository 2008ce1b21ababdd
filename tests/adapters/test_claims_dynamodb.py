"""The DynamoDB claim store on moto: races, leases, overlap, limits, records, call budget."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.errors import ClaimConflict
from cron_adapter.fire.input import FireInput, input_dict, parse_input
from cron_adapter.fire.ports import RunKey, TargetResponse
from cron_adapter.fire.service import FireConfig, FireService
from cron_adapter.tablekeys import EXHAUSTED_PK, STATE_SK, job_pk, run_sk
from tests.adapters.fire_support import TABLE, Calls, assert_no_secret_logged, get_item, moto_table
from tests.unit.fire.conftest import make_input
from tests.unit.fire.fakes import PREVIOUS, SECRET, FakeCaller, FakeClock, FakeMetrics, FakeSchedules, FakeSecrets


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    yield
    assert_no_secret_logged(caplog, SECRET, PREVIOUS)


T1, T2, T3 = "2026-11-23T03:00:00Z", "2026-11-23T03:05:00Z", "2026-11-23T03:10:00Z"


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch):
    yield from moto_table(monkeypatch)


class Crash(BaseException):
    pass


def crash(request, timeout):
    raise Crash()


def at(when: str, **job: Any) -> FireInput:
    return parse_input({**input_dict(make_input(**job)), "scheduled_time": when})


class Moto:
    def __init__(self, client: Any, caller: FakeCaller | None = None) -> None:
        self.client, self.calls = client, Calls()
        client.meta.events.register("before-call.dynamodb", self.calls.hook)
        self.store = DynamoClaimStore(TABLE, client=client)
        self.caller, self.clock, self.metrics = caller or FakeCaller(), FakeClock(), FakeMetrics()
        self.schedules = FakeSchedules()
        self.service = FireService(
            self.store,
            self.caller,
            FakeSecrets(),
            self.clock,
            self.schedules,
            self.metrics,
            FireConfig(retention_days=7),
            rand=lambda: 0.5,
        )

    def fire(self, fire: FireInput, holder: str = "req-1", remaining: float = 900.0):
        return self.service.fire(fire, holder=holder, deadline=self.clock.now() + remaining)

    def run(self, when: str, job: str = "nightly-report") -> dict[str, Any] | None:
        return get_item(self.client, job_pk(job), run_sk(when))

    def state(self, job: str = "nightly-report") -> dict[str, Any]:
        return get_item(self.client, job_pk(job), STATE_SK) or {}


def test_64_threads_delivering_the_same_fire_give_exactly_one_target_call(ddb) -> None:
    m = Moto(ddb)
    barrier = threading.Barrier(64)
    outcomes: list = []

    def deliver(i: int) -> None:
        barrier.wait()
        outcomes.append(m.fire(make_input(), holder=f"req-{i}").status)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(m.caller.requests) == 1
    assert sorted(outcomes).count("duplicate") == 63 and outcomes.count("succeeded") == 1
    assert m.run(T1)["status"] == "succeeded"


def test_run_record_answers_did_it_run_with_one_get_item(ddb) -> None:
    m = Moto(ddb)
    m.fire(make_input())
    run = m.run(T1)
    assert {
        k: run[k]
        for k in (
            "job_id",
            "scheduled_time",
            "status",
            "attempts",
            "http_status",
            "holder",
            "delivery_attempt",
            "deliveries",
            "spec_hash",
        )
    } == {
        "job_id": "nightly-report",
        "scheduled_time": T1,
        "status": "succeeded",
        "attempts": 1,
        "http_status": 200,
        "holder": "req-1",
        "delivery_attempt": 1,
        "deliveries": 1,
        "spec_hash": "3f9a1c0b7d2e4a61",
    }
    assert run["ttl"] == int(m.clock.now()) + 7 * 86400
    assert run["claimed_at"].endswith("Z") and run["finished_at"].endswith("Z") and "duration_ms" in run
    assert run["lease_until"] > m.clock.now()


@pytest.mark.parametrize(
    ("job", "calls"),
    [
        ({"overlap": "allow"}, {"UpdateItem": 2}),  # run row claimed, run row finished
        ({"overlap": "skip"}, {"UpdateItem": 4}),  # ... and the slot taken and released
        ({"overlap": "queue"}, {"TransactWriteItems": 2}),
        ({"overlap": "skip", "max_runs": 5}, {"TransactWriteItems": 2}),
    ],
)
def test_warm_fire_dynamodb_calls_follow_the_jobs_policy(ddb, job: dict[str, Any], calls: dict[str, int]) -> None:
    m = Moto(ddb)
    assert m.fire(make_input(**job)).status == "succeeded"
    assert dict(m.calls) == calls


def test_duplicate_costs_one_call_and_is_translated(ddb) -> None:
    m = Moto(ddb)
    m.fire(make_input())
    m.calls.clear()
    assert m.fire(make_input("fire-duplicate.json"), holder="req-2").status == "duplicate"
    assert sum(m.calls.values()) == 1


def test_conditional_failure_becomes_claim_conflict_with_holder(ddb) -> None:
    m = Moto(ddb)
    m.fire(make_input())
    with pytest.raises(ClaimConflict) as err:
        m.store.record(RunKey("nightly-report", T1), "skipped", "x", m.clock.now(), 0, "h")
    assert err.value.holder == "req-1" and err.value.status == "succeeded"


def test_crash_after_claim_is_taken_over_after_the_lease(ddb) -> None:
    m = Moto(ddb, FakeCaller(crash))
    with pytest.raises(Crash):
        m.fire(make_input())
    assert m.fire(make_input("fire-duplicate.json"), holder="req-2").status == "duplicate"
    m.clock.t = m.run(T1)["lease_until"] + 1
    assert m.fire(make_input("fire-duplicate.json"), holder="req-3").status == "succeeded"
    run = m.run(T1)
    assert (run["holder"], run["deliveries"], run["status"]) == ("req-3", 2, "succeeded")
    assert "running" not in m.state()


def test_crash_after_claim_at_most_once_is_lost(ddb) -> None:
    m = Moto(ddb, FakeCaller(crash))
    with pytest.raises(Crash):
        m.fire(make_input(delivery="at-most-once"))
    m.clock.t = m.run(T1)["lease_until"] + 1
    assert m.fire(make_input("fire-duplicate.json", delivery="at-most-once"), holder="req-2").status == "lost"
    assert m.run(T1)["status"] == "lost" and m.metrics.count(c.METRIC_LOST) == 1
    assert len(m.caller.requests) == 1 and "running" not in m.state()


def nested(ref: list, outcomes: list, *fires: FireInput):
    def call(request, timeout):
        for f in fires:
            outcomes.append(ref[0].fire(f, holder=f"req-{f.scheduled_time:%M}"))
        return TargetResponse(200)

    return call


@pytest.mark.parametrize(
    ("policy", "expected"), [("skip", ["skipped"]), ("allow", ["succeeded"]), ("queue", ["queued", "skipped"])]
)
def test_overlap_policies_on_dynamodb(ddb, policy: str, expected: list[str]) -> None:
    ref: list = []
    outcomes: list = []
    later = [at(T2, overlap=policy)] + ([at(T3, overlap=policy)] if policy == "queue" else [])
    m = Moto(ddb, FakeCaller(nested(ref, outcomes, *later)))
    ref.append(m)
    first = m.fire(at(T1, overlap=policy))
    assert [o.status for o in outcomes] == expected
    if policy == "queue":
        assert first.next.scheduled_time == T2 and m.run(T2)["status"] == "succeeded"
        assert m.run(T3)["status"] == "skipped" and m.state()["runs"] == 2
        assert "queued" not in m.state() and "running" not in m.state()
    if policy == "skip":
        assert m.run(T2)["status"] == "skipped" and len(m.caller.requests) == 1


def test_max_runs_writes_the_exhausted_marker_in_the_finish(ddb) -> None:
    m = Moto(ddb)
    m.fire(at(T1, max_runs=2))
    m.calls.clear()
    assert m.fire(at(T2, max_runs=2), holder="req-2").exhausted == "max_runs"
    assert m.calls["TransactWriteItems"] == 3  # claim, probe refused on the last run, finish + marker
    assert get_item(m.client, EXHAUSTED_PK, "nightly-report")["spec_hash"] == "3f9a1c0b7d2e4a61"
    assert m.fire(at(T3, max_runs=2), holder="req-3").status == "skipped"
    assert len(m.caller.requests) == 2


def test_gone_is_recorded_and_marks_the_job_exhausted(ddb) -> None:
    m = Moto(ddb, FakeCaller(TargetResponse(200, b'{"status":"gone"}')))
    m.fire(make_input())
    assert m.run(T1)["status"] == "gone"
    assert get_item(m.client, EXHAUSTED_PK, "nightly-report")["reason"] == "gone"
    assert m.schedules.stopped == [("nightly-report", ("nightly-report",))]
