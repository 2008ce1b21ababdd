"""Exhaustion belongs to the job: a split job that finished stays stopped, whichever schedule fired."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cron_adapter.fire.input import FireInput, parse_input
from cron_adapter.fire.ports import TargetResponse
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.model import Create, Delete, LedgerEntry, ListedSchedule
from cron_adapter.reconcile.planner import plan
from cron_adapter.reconcile.translate import Wiring, translate_all
from cron_adapter.tablekeys import EXHAUSTED_PK
from tests.unit.fire.conftest import World
from tests.unit.fire.fakes import FakeCaller

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
T = "2027-02-01T10:00:00+00:00"


def _requests(schedule: str, **job: object):
    body = {
        "version": 1,
        "jobs": [{"id": "split", "schedule": schedule, "target": {"url": "https://a.example/x"}, **job}],
    }
    return translate_all(load_bytes(json.dumps(body).encode()), Wiring.offline())


def _delivery(request, when: str) -> FireInput:
    text = request.request["Target"]["Input"]
    text = text.replace("<aws.scheduler.scheduled-time>", when).replace('"<aws.scheduler.attempt-number>"', "1")
    return parse_input(json.loads(text))


def _reconcile(desired, world: World, listed: set[str]):
    exhausted = {sk: row["spec_hash"] for (pk, sk), row in world.store.rows.items() if pk == EXHAUSTED_PK}
    ledger = {r.name: LedgerEntry(r.name, r.job_id, r.spec_hash, T) for r in desired}
    seen = [ListedSchedule(n, "ENABLED", T) for n in sorted(listed)]
    return plan(desired, seen, ledger, NOW, exhausted=exhausted, group="cron-adapter")


@pytest.mark.parametrize(
    "schedule,job,answer",
    [
        ("0 9 1 * MON", {"max_runs": 1}, TargetResponse(200, b"{}")),
        ("0 9 1 * MON", {}, TargetResponse(200, b'{"status":"gone"}')),
        ("daily 07:00,13:30", {}, TargetResponse(200, b'{"status":"gone"}')),
    ],
)
def test_a_split_job_that_finished_stays_stopped_after_two_more_reconciles(schedule, job, answer) -> None:
    desired = _requests(schedule, **job)
    assert len(desired) == 2
    world = World(FakeCaller(answer))
    first = world.fire(_delivery(desired[1], "2027-02-01T09:00:00Z"))  # the second schedule fires
    if "max_runs" in job:  # the job's last run: the next delivery of the sibling is refused and stops the job
        assert first.status == "succeeded"
        assert world.fire(_delivery(desired[0], "2027-02-02T09:00:00Z"), holder="req-2").exhausted == "max_runs"
    else:
        assert first.exhausted == "gone"
    assert set(world.schedules.stopped[-1][1]) == {r.name for r in desired}  # both schedules were deleted
    for _ in range(2):  # fire deleted both; ledger still lists them: no "drift repaired", nothing recreated
        result = _reconcile(desired, world, listed=set())
        assert not result.of(Create) and not result.actions
    assert len(world.caller.requests) == 1  # the target that said "gone" (or the last run) is called once


def test_a_schedule_the_fire_path_could_not_delete_is_deleted_by_reconcile() -> None:
    desired = _requests("0 9 1 * MON")
    world = World(FakeCaller(TargetResponse(200, b'{"status":"gone"}')))
    world.fire(_delivery(desired[0], "2027-02-01T09:00:00Z"))
    result = _reconcile(desired, world, listed={r.name for r in desired})
    assert sorted(a.name for a in result.of(Delete)) == sorted(r.name for r in desired)


def test_an_edited_job_is_armed_again() -> None:
    world = World(FakeCaller(TargetResponse(200, b'{"status":"gone"}')))
    world.fire(_delivery(_requests("0 9 1 * MON")[0], "2027-02-01T09:00:00Z"))
    edited = _requests("0 10 2 * TUE")
    assert len(_reconcile(edited, world, listed=set()).of(Create)) == 2
