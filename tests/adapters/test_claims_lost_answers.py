"""A claim-store write whose answer is lost: botocore retries it, and the retry must not
read this delivery's own write as another delivery's.

moto applies the first request, the connection then drops (``lose_answers``), and
botocore's retry meets the write already applied: a ConditionalCheckFailed that names this
very delivery. Without the store's own-write check the delivery called nothing and
reported a duplicate: a run lost.
"""

from __future__ import annotations

from typing import Any

import pytest

from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.fire.input import run_id
from cron_adapter.fire.ports import Claim, Finish, RunKey
from cron_adapter.fire.service import FireConfig, FireService
from cron_adapter.tablekeys import STATE_SK, job_pk, run_sk
from tests.adapters.fire_support import TABLE, get_item, lose_answers, moto_table
from tests.unit.fire.conftest import make_input
from tests.unit.fire.fakes import FakeCaller, FakeClock, FakeMetrics, FakeSchedules, FakeSecrets

JOB, T1 = "nightly-report", "2026-11-23T03:00:00Z"
WRITES = ("TransactWriteItems", "PutItem", "UpdateItem")


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch):
    yield from moto_table(monkeypatch)


def service(client: Any) -> tuple[FireService, FakeCaller, FakeMetrics]:
    caller, metrics = FakeCaller(), FakeMetrics()
    store = DynamoClaimStore(TABLE, client=client)
    svc = FireService(
        store, caller, FakeSecrets(), FakeClock(), FakeSchedules(), metrics, FireConfig(), rand=lambda: 0.5
    )
    return svc, caller, metrics


@pytest.mark.parametrize("overlap", ["skip", "allow", "queue"])
def test_a_lost_claim_answer_still_calls_the_target_once(ddb, overlap: str) -> None:
    svc, caller, metrics = service(ddb)
    lost = [lose_answers(ddb, op) for op in WRITES]  # the first write of each kind: the claim's
    fire = make_input(overlap=overlap)
    outcome = svc.fire(fire, holder="req-1", deadline=FakeClock().now() + 900)
    assert any(lost), "no answer was lost: the test injected nothing"
    assert outcome.status == "succeeded" and len(caller.requests) == 1
    assert get_item(ddb, job_pk(JOB), run_sk(run_id(fire)))["status"] == "succeeded"  # type: ignore[index]
    assert metrics.count("ClaimError") == 0 and metrics.count("DuplicateDelivery") == 0


@pytest.mark.parametrize("max_runs", [None, 1])
def test_a_lost_finish_answer_is_no_takeover(ddb, max_runs: int | None) -> None:
    svc, caller, metrics = service(ddb)
    fire = make_input(max_runs=max_runs)
    store: DynamoClaimStore = svc.store  # type: ignore[assignment]
    real_finish = store.finish

    def finish_losing_its_answer(f: Finish) -> Any:
        for op in WRITES:
            lose_answers(ddb, op)
        return real_finish(f)

    store.finish = finish_losing_its_answer  # type: ignore[method-assign]
    outcome = svc.fire(fire, holder="req-1", deadline=FakeClock().now() + 900)
    assert outcome.status == "succeeded" and len(caller.requests) == 1
    assert metrics.count("ClaimError") == 0
    assert outcome.exhausted == ("max_runs" if max_runs else None)
    state = get_item(ddb, job_pk(JOB), STATE_SK) or {}
    assert "running" not in state


def test_a_lost_enqueue_answer_reports_queued(ddb) -> None:
    store = DynamoClaimStore(TABLE, client=ddb)
    first = Claim(RunKey(JOB, T1), "A", 1, 1000.0, 1300.0, 99, "queue", None, "h")
    assert store.claim(first) is None
    lose_answers(ddb, "TransactWriteItems")
    second = Claim(RunKey(JOB, "2026-11-23T03:05:00Z"), "B", 1, 1010.0, 1310.0, 99, "queue", None, "h")
    assert store.enqueue(second) is None


def test_the_same_holder_with_another_lease_is_still_a_conflict(ddb) -> None:
    """Lambda retries a failed async invocation under the same request id: that is no lost answer."""
    from cron_adapter.errors import ClaimConflict

    store = DynamoClaimStore(TABLE, client=ddb)
    assert store.claim(Claim(RunKey(JOB, T1), "req-1", 1, 1000.0, 1300.0, 99, "skip", None, "h")) is None
    with pytest.raises(ClaimConflict) as err:
        store.claim(Claim(RunKey(JOB, T1), "req-1", 2, 1060.0, 1360.0, 99, "skip", None, "h"))
    assert err.value.holder == "req-1"
