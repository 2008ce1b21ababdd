"""The reconcile service and the job markers, on fakes: finished jobs clean up, paused jobs stay paused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from cron_adapter.errors import MassDeleteRefused
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.reconcile import planner as p
from cron_adapter.reconcile.service import Options, Reconciler, Result
from cron_adapter.reconcile.translate import Wiring, translate_all
from tests.fakes.reconcile import FakeLedger, FakeScheduler

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # both one-shots below have fired
WIRING = Wiring("g", "arn:fire", "arn:role")
UPLOAD = Options(workers=2, from_ledger=True)  # the default guard: at most half the group deleted
DRIFT_REPAIR = Options(workers=2)


def doc(*jobs: dict[str, Any]) -> JobSet:
    return load_bytes(json.dumps({"version": 1, "jobs": list(jobs)}).encode())


def job(job_id: str, schedule: str = "daily 07:00", **extra: Any) -> dict[str, Any]:
    return {"id": job_id, "schedule": schedule, "target": {"url": f"https://a.example.com/{job_id}"}, **extra}


def run(s: FakeScheduler, ledger: FakeLedger, jobs: JobSet, options: Options = UPLOAD, at: datetime = NOW) -> Result:
    return Reconciler(s, ledger, WIRING, clock=lambda: at, options=options).run(lambda: jobs)


def spec_of(jobs: JobSet, job_id: str) -> str:
    return next(r.spec_hash for r in translate_all(jobs, WIRING) if r.job_id == job_id)


def fire_one_shots(s: FakeScheduler, ledger: FakeLedger, jobs: JobSet, *ids: str) -> None:
    """What firing does: the fire path marks the job finished, EventBridge deletes the schedule."""
    for job_id in ids:
        ledger.finish(job_id, spec_of(jobs, job_id))
        s.items.pop(job_id)


SHOTS = (job("s1", "at 2026-11-22T18:00"), job("s2", "at 2026-11-22T19:00"))


def test_an_upload_after_one_shots_fired_is_applied_not_refused_and_forgets_them():
    s, ledger = FakeScheduler(), FakeLedger()
    assert run(s, ledger, doc(job("daily"), *SHOTS)).counts["created"] == 3
    fire_one_shots(s, ledger, doc(job("daily"), *SHOTS), "s1", "s2")
    edited = doc(job("daily", "daily 08:00"), *SHOTS)
    result = run(s, ledger, edited, at=LATER)  # was: MassDeleteRefused "plan deletes 2 of 3 schedules"
    assert result.status == "applied" and (result.counts["updated"], result.counts["deleted"]) == (1, 2)
    assert set(ledger.rows) == {"daily"} and set(s.items) == {"daily"}
    assert run(s, ledger, edited, at=LATER).status == "no-op"
    assert run(s, ledger, edited, DRIFT_REPAIR, at=LATER).status == "no-op"


def test_the_drift_repair_forgets_fired_one_shots_without_a_write():
    s, ledger = FakeScheduler(), FakeLedger()
    run(s, ledger, doc(job("daily"), *SHOTS))
    fire_one_shots(s, ledger, doc(job("daily"), *SHOTS), "s1", "s2")
    s.calls.clear()
    assert run(s, ledger, doc(job("daily"), *SHOTS), DRIFT_REPAIR, at=LATER).status == "applied"
    assert set(ledger.rows) == {"daily"} and s.calls == {"list": 1}


def test_an_upload_that_drops_most_jobs_is_still_refused_beside_fired_one_shots():
    s, ledger = FakeScheduler(), FakeLedger()
    jobs = [job(f"d{i}") for i in range(4)]
    run(s, ledger, doc(*jobs, *SHOTS))
    fire_one_shots(s, ledger, doc(*jobs, *SHOTS), "s1", "s2")
    with pytest.raises(MassDeleteRefused) as info:
        run(s, ledger, doc(jobs[0], *SHOTS), at=LATER)
    assert (info.value.deletes, info.value.total) == (3, 4)
    assert len(s.items) == 4 and len(ledger.rows) == 6  # nothing changed


def pause(s: FakeScheduler, ledger: FakeLedger, jobs: JobSet, job_id: str) -> None:
    """What the audit does: the paused_after_failures marker, then each schedule written back DISABLED."""
    assert ledger.pause(job_id, spec_of(jobs, job_id))
    for name in [n for n in s.items if n == job_id or n.startswith(f"{job_id}-")]:
        s.update({**s.items[name][0], "State": "DISABLED"})


def states(s: FakeScheduler) -> dict[str, str]:
    return {name: request["State"] for name, (request, _) in s.items.items()}


@pytest.mark.parametrize("options", [DRIFT_REPAIR, UPLOAD], ids=["drift-repair", "upload"])
def test_a_job_paused_after_failures_stays_paused_through_reconciles(options: Options):
    s, ledger = FakeScheduler(), FakeLedger()
    jobs = doc(job("flaky"), job("split", "0 9 1 * MON"), job("ok"))
    run(s, ledger, jobs)
    pause(s, ledger, jobs, "flaky")
    pause(s, ledger, jobs, "split")
    entries = dict(ledger.rows)
    s.calls.clear()
    assert run(s, ledger, jobs, options).status == "no-op"  # was: deleted (EXHAUSTED), or re-enabled as drift
    assert states(s) == {n: "ENABLED" if n == "ok" else "DISABLED" for n in s.items} and len(s.items) == 4
    assert ledger.rows == entries and not {"create", "update", "delete"} & set(s.calls)


def test_a_resumed_job_is_enabled_and_the_next_drift_repair_confirms_it():
    s, ledger = FakeScheduler(), FakeLedger()
    jobs = doc(job("flaky"))
    run(s, ledger, jobs)
    pause(s, ledger, jobs, "flaky")
    assert run(s, ledger, jobs, DRIFT_REPAIR).status == "no-op"
    assert ledger.resume("flaky")  # what `resume` does: lift the marker, enable the schedule
    s.update({**s.items["flaky"][0], "State": "ENABLED"})
    result = run(s, ledger, jobs, DRIFT_REPAIR)
    assert [(a.name, a.reason) for a in result.done] == [("flaky", p.DRIFT_CHANGED)]
    assert states(s) == {"flaky": "ENABLED"} and run(s, ledger, jobs, DRIFT_REPAIR).status == "no-op"


@pytest.mark.parametrize("options", [DRIFT_REPAIR, UPLOAD], ids=["drift-repair", "upload"])
def test_editing_a_paused_job_resumes_it(options: Options):
    s, ledger = FakeScheduler(), FakeLedger()
    run(s, ledger, doc(job("flaky")))
    pause(s, ledger, doc(job("flaky")), "flaky")
    result = run(s, ledger, doc(job("flaky", "daily 08:00")), options)
    assert result.counts["updated"] == 1 and states(s) == {"flaky": "ENABLED"}
    # and an edit back to the paused spec is written too (the ledger shows the pause was lifted)
    assert run(s, ledger, doc(job("flaky")), options).counts["updated"] == 1
    assert s.items["flaky"][0]["ScheduleExpression"] == "cron(0 7 * * ? *)"
