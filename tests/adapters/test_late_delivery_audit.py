"""Late deliveries against the real audit on moto: what the audit records, and what the delivery then does.

The audit records a run ``missed`` about 10 minutes after its time; the real delivery may
still come (EventBridge retries for an hour, Lambda keeps a throttled event longer). It runs
the job once and the record ends as its outcome, the miss notified once; where the audit
planned a catch-up, the catch-up runs and the late delivery is a duplicate. A takeover that
had no time left gives the run back to the crashed claim, which the next audit delivers again
rather than recording a miss.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cron_adapter import constants as c
from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.errors import ClaimReleased
from cron_adapter.fire.input import iso_utc
from cron_adapter.fire.ports import Claim, RunKey
from cron_adapter.ops.runs import fire_input
from tests.adapters import ops_support
from tests.adapters.ops_support import TABLE, WIRING, OpsWorld, job, jobs_doc, minute
from tests.adapters.test_ops_audit import ten_minute_marks

ops = ops_support.ops  # the shared pytest fixture
STEP = timedelta(minutes=10)


def _setup(ops: OpsWorld, undelivered: int = 1, **extra: object) -> tuple[datetime, datetime]:
    """One ``*/10`` job; every fire in the audit's window delivered but the latest few: (audit time, the latest)."""
    ops.apply(jobs_doc(job("j", **extra)))
    now = minute(ops.created) + timedelta(hours=2)
    due = ten_minute_marks(now - timedelta(minutes=91), now - timedelta(minutes=10))
    late = due[-1]  # ten to twenty minutes ago: still inside EventBridge's retry hour
    for t in due[:-undelivered]:
        assert ops.fire("j", t) == "succeeded"
    ops.caller.requests.clear()
    return now, late


def _deliver(ops: OpsWorld, when: datetime, at: datetime, holder: str, remaining: float = 600.0) -> str:
    """EventBridge's (or Lambda's) delivery of ``when``, arriving at ``at``."""
    ops.clock.t = at.timestamp()
    fire = fire_input(ops.jobs.jobs[0], WIRING, when)
    return ops.fire_service().fire(fire, holder, ops.clock.t + remaining).status


def test_a_run_recorded_missed_is_run_by_its_late_delivery_and_notified_once(ops: OpsWorld) -> None:
    now, late = _setup(ops)
    first = ops.audit(now)
    assert first.missed == [("j", iso_utc(late))] and first.notified == 1
    assert ops.run_item("j", iso_utc(late))["status"] == "missed"  # type: ignore[index]

    assert _deliver(ops, late, now + timedelta(minutes=5), "eventbridge-retry") == "succeeded"
    assert len(ops.caller.requests) == 1
    run = ops.run_item("j", iso_utc(late))
    assert run is not None and (run["status"], run["holder"]) == ("succeeded", "eventbridge-retry")
    assert "error" not in run and run["missed_at"]  # the audit's finding stays on record
    assert _deliver(ops, late, now + timedelta(minutes=6), "lambda-retry") == "duplicate"

    again = ops.audit(now + timedelta(seconds=1))
    assert again.missed == [] and again.notified == 0 and again.caught_up == []
    assert len(ops.messages()) == 1 and ops.metrics.count(c.METRIC_MISSED_RUN) == 1
    assert len(ops.caller.requests) == 1


def test_a_run_the_audit_caught_up_is_not_run_again_by_its_late_delivery(ops: OpsWorld) -> None:
    now, late = _setup(ops, catch_up="latest")
    report = ops.audit(now)
    assert report.missed == [("j", iso_utc(late))] and [s for _, _, s in report.caught_up] == ["succeeded"]
    assert len(ops.caller.requests) == 1  # the catch-up, under <time>~catch-up
    assert _deliver(ops, late, now + timedelta(minutes=5), "eventbridge-retry") == "duplicate"
    assert len(ops.caller.requests) == 1
    assert ops.run_item("j", iso_utc(late))["status"] == "missed"  # type: ignore[index]
    assert ops.run_item("j", iso_utc(late) + "~catch-up")["status"] == "succeeded"  # type: ignore[index]


def _calls_of(ops: OpsWorld, when: datetime) -> int:
    return sum(1 for r, _ in ops.caller.requests if r.headers.get("X-Cron-Scheduled-Time") == iso_utc(when))


@pytest.mark.parametrize("policy", ["all", "spread"])
def test_a_late_delivery_never_runs_a_time_whose_catch_up_is_planned(ops: OpsWorld, policy: str) -> None:
    """Even before the catch-up's moment (``spread`` spaces two misses 30 minutes apart): the catch-up owns it."""
    now, late = _setup(ops, undelivered=2, catch_up=policy, catch_up_window=60)
    ops.audit(now)
    before = _calls_of(ops, late)
    assert before == (1 if policy == "all" else 0)
    assert _deliver(ops, late, now + timedelta(seconds=30), "eventbridge-retry") == "duplicate"
    assert _calls_of(ops, late) == before
    ops.audit(now + timedelta(hours=1))  # every planned catch-up's moment has come
    caught = ops.run_item("j", iso_utc(late) + "~catch-up")
    assert caught is not None and caught["status"] == "succeeded" and _calls_of(ops, late) == 1
    assert ops.run_item("j", iso_utc(late))["status"] == "missed"  # type: ignore[index]


def test_a_takeover_released_for_lack_of_time_is_delivered_again_by_the_audit_not_missed(ops: OpsWorld) -> None:
    now, late = _setup(ops)
    key = RunKey("j", iso_utc(late))
    dead = Claim(key, "dead-lambda", 1, late.timestamp(), late.timestamp() + 60, 0, "skip", None, "x")
    assert DynamoClaimStore(TABLE, ops.ddb).claim(dead) is None  # its Lambda died mid-call
    with pytest.raises(ClaimReleased):  # Lambda's retry takes the claim over with no time left
        _deliver(ops, late, late + timedelta(minutes=5), "lambda-retry", remaining=3.5)
    run = ops.run_item("j", iso_utc(late))
    assert run is not None and (run["status"], run["holder"]) == ("claimed", "dead-lambda")

    report = ops.audit(now)
    assert report.missed == [] and [(t, s) for _, t, s in report.taken_over] == [(iso_utc(late), "succeeded")]
    assert len(ops.caller.requests) == 1 and ops.messages() == []
    assert ops.run_item("j", iso_utc(late))["status"] == "succeeded"  # type: ignore[index]
