"""Load shaping: phase offsets for rate schedules, the grace period for new schedules."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.reconcile.model import Create, LedgerEntry, ListedSchedule, Update
from cron_adapter.reconcile.planner import plan
from cron_adapter.reconcile.translate import Wiring, translate_all
from cron_adapter.schedule import engine, phase
from cron_adapter.schedule.grammar import parse_schedule

NOW = datetime(2027, 3, 1, 10, 30, 17, tzinfo=UTC)
WIRING = Wiring.offline()


def jobs(*items: dict) -> bytes:
    return json.dumps(
        {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": list(items)}
    ).encode()


def requests(*items: dict):
    return translate_all(load_bytes(jobs(*items)), WIRING)


def start_of(action) -> datetime:
    return datetime.fromisoformat(action.request["StartDate"])


def test_a_thousand_every_15m_jobs_spread_across_the_fifteen_minutes() -> None:
    desired = requests(*({"id": f"sync-{i}", "schedule": "every 15m"} for i in range(1000)))
    created = plan(desired, [], {}, NOW).actions
    minutes = Counter(start_of(a).minute % 15 for a in created)
    assert set(minutes) == set(range(15))  # every minute of the period is used
    assert max(minutes.values()) <= 2 * 1000 / 15  # no minute holds more than twice the mean


def test_the_start_date_is_the_next_instant_of_the_grid_and_fires_there() -> None:
    (want,) = requests({"id": "a", "schedule": "every 15m", "phase": "7m"})
    (create,) = plan([want], [], {}, NOW).actions
    assert create.request["StartDate"] == "2027-03-01T10:37:00Z"  # grid :07 :22 :37 :52, first after 10:30:17
    schedule = parse_schedule("every 15m")
    first = engine.next_fires(schedule, "UTC", NOW, 3, anchor=start_of(create), start=start_of(create))
    assert [t.strftime("%H:%M") for t in first] == ["10:37", "10:52", "11:07"]


def test_offsets_and_hashes_do_not_depend_on_when_reconcile_runs() -> None:
    one = requests({"id": "a", "schedule": "every 1h"}, {"id": "b", "schedule": "every 2d"})
    two = requests({"id": "a", "schedule": "every 1h"}, {"id": "b", "schedule": "every 2d"})
    assert [(r.spec_hash, r.phase) for r in one] == [(r.spec_hash, r.phase) for r in two]
    early = plan(one, [], {}, NOW).actions
    later = plan(one, [], {}, NOW + timedelta(hours=5, minutes=3)).actions
    assert early[0].request["StartDate"] != later[0].request["StartDate"]  # 'a' (hourly) moved on 5 grid steps
    for a, b in zip(early, later, strict=True):
        assert a.spec_hash == b.spec_hash
        period = timedelta(seconds=next(r.period for r in one if r.name == a.name))
        assert (start_of(b) - start_of(a)) % period == timedelta(0)  # the same grid


def test_a_planned_schedule_is_not_rewritten_by_the_next_plan() -> None:
    desired = requests({"id": "a", "schedule": "every 15m"})
    (create,) = plan(desired, [], {}, NOW).actions
    listed = [ListedSchedule(create.name, "ENABLED", "2027-03-01T10:30:20Z")]
    ledger = {create.name: LedgerEntry(create.name, "a", create.spec_hash, "2027-03-01T10:30:20Z")}
    assert plan(desired, listed, ledger, NOW + timedelta(hours=1)).empty


def test_an_update_keeps_the_phase() -> None:
    (old,) = requests({"id": "a", "schedule": "every 15m", "phase": "4m", "target": {"path": "/v1"}})
    (new,) = requests({"id": "a", "schedule": "every 15m", "phase": "4m", "target": {"path": "/v2"}})
    listed = [ListedSchedule(old.name, "ENABLED", "t1")]
    (update,) = plan([new], listed, {old.name: LedgerEntry(old.name, "a", old.spec_hash, "t1")}, NOW, grace=300).actions
    assert isinstance(update, Update) and update.request["StartDate"] == "2027-03-01T10:34:00Z"  # no grace on update


def test_phase_zero_counts_from_creation_and_a_changed_phase_is_a_change() -> None:
    (creation,) = requests({"id": "a", "schedule": "every 15m", "phase": 0})
    assert creation.phase is None
    (create,) = plan([creation], [], {}, NOW).actions
    assert "StartDate" not in create.request
    (other,) = requests({"id": "a", "schedule": "every 15m", "phase": "3m"})
    assert other.spec_hash != creation.spec_hash


def test_grace_holds_a_new_schedule_back_unless_it_fires_on_create() -> None:
    desired = requests(
        {"id": "rate", "schedule": "every 1m"},
        {"id": "cron", "schedule": "*/5 * * * *"},
        {"id": "eager", "schedule": "*/5 * * * *", "fire_on_create": True},
        {"id": "once", "schedule": "at 2027-03-01T10:31"},
    )
    by_job = {a.job_id: a for a in plan(desired, [], {}, NOW, grace=120).actions}
    assert all(isinstance(a, Create) for a in by_job.values())
    assert start_of(by_job["rate"]) >= NOW + timedelta(seconds=120)
    assert start_of(by_job["cron"]) == datetime(2027, 3, 1, 10, 33, tzinfo=UTC)  # now + 2 min, to the minute
    assert "StartDate" not in by_job["eager"].request
    assert "StartDate" not in by_job["once"].request  # a one-shot keeps its explicit time
    cron = parse_schedule("*/5 * * * *")
    (first,) = engine.next_fires(cron, "UTC", NOW, 1, start=start_of(by_job["cron"]))
    assert first >= NOW + timedelta(seconds=120)  # the 10:30 slot just after creation is not fired


def test_a_start_at_is_its_own_anchor_even_once_it_has_passed() -> None:
    (want,) = requests({"id": "a", "schedule": "every 1h", "start_at": "2027-02-01T08:20:00"})
    (create,) = plan([want], [], {}, NOW).actions
    assert create.request["StartDate"] == "2027-03-01T11:20:00Z"  # 08:20 + k hours, the first after now


@pytest.mark.parametrize(
    ("job", "text"),
    [
        ({"schedule": "0 9 * * *", "phase": "5m"}, "only to every/rate"),
        ({"schedule": "every 15m", "phase": "15m"}, "not shorter than the schedule's period"),
        ({"schedule": "every 15m", "phase": "soon"}, "not a duration"),
        ({"schedule": "every 15m", "phase": 7}, "not a duration"),
        ({"schedule": "every 15m", "phase": "5m", "start_at": "2027-01-01T00:00:00"}, "start_at"),
        ({"schedule": "every 15m", "fire_on_create": "yes"}, "valid boolean"),
    ],
)
def test_bad_phase_settings_are_refused_naming_the_field(job: dict, text: str) -> None:
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(jobs({"id": "j", **job}))
    (problem,) = info.value.problems
    assert problem.job_id == "j" and problem.field in ("phase", "fire_on_create") and text in str(problem)


def test_parse_phase_reads_durations() -> None:
    assert phase.parse_phase(None) == phase.AUTO
    assert phase.parse_phase(0) == phase.CREATION
    assert phase.parse_phase("7m") == 420 and phase.parse_phase("1h30m") == 5400 and phase.parse_phase("0m") == 0
