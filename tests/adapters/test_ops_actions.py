"""Catch-up, failure streaks, trigger, backfill and drift on moto: each fires what it should, once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.errors import TargetHTTPError
from cron_adapter.fire.input import iso_utc
from tests.adapters import ops_support
from tests.adapters.fire_support import INPUT_KEY_NAME, create_input_key
from tests.adapters.ops_support import GROUP, TABLE, WIRING, OpsWorld, job, jobs_doc, minute
from tests.adapters.test_ops_audit import ten_minute_marks

ops = ops_support.ops  # the shared pytest fixture


def keys(world: OpsWorld) -> Counter[str]:
    return Counter(r.headers["Idempotency-Key"] for r, _ in world.caller.requests)


# A fixed clock, 3 minutes past a 10-minute mark: an audit a minute after another one finds no
# newly due fire of the */10 job, wherever the real clock stands when the test runs.
CREATED = datetime(2026, 6, 1, 12, 3, tzinfo=UTC)


def vanish(world: OpsWorld, **extra: Any) -> tuple[Any, list[str]]:
    """A job whose schedule was deleted: its due times in the audit window, and the audit time."""
    world.at = CREATED
    world.apply(jobs_doc(job("j", **extra)))
    world.scheduler.delete_schedule(Name="j", GroupName=GROUP)
    now = minute(world.created) + timedelta(hours=2)
    due = ten_minute_marks(now - timedelta(minutes=91), now - timedelta(minutes=10))
    return now, [iso_utc(t) for t in due]


def overlapping_audits(world: OpsWorld, now: Any) -> None:
    threads = [threading.Thread(target=world.audit, args=(now,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)


def test_latest_catches_up_the_most_recent_missed_time_once_despite_overlapping_audits(ops: OpsWorld) -> None:
    now, due = vanish(ops, catch_up="latest")
    overlapping_audits(ops, now)
    ops.audit(now)
    assert keys(ops) == Counter({f"j:{due[-1]}~catch-up": 1})
    assert ops.run_item("j", due[-1] + "~catch-up")["status"] == "succeeded"
    assert ops.run_item("j", due[-1])["status"] == "missed"


def test_all_catches_up_every_missed_time_in_the_window_once(ops: OpsWorld) -> None:
    now, due = vanish(ops, catch_up="all", catch_up_window=45)
    overlapping_audits(ops, now)
    ops.audit(now + timedelta(minutes=1))
    inside = [t for t in due if t >= iso_utc(now - timedelta(minutes=45))]
    assert keys(ops) == Counter({f"j:{t}~catch-up": 1 for t in inside})
    assert 0 < len(inside) < len(due)


def test_spread_fires_one_missed_time_per_slot_not_a_burst(ops: OpsWorld) -> None:
    now, due = vanish(ops, catch_up="spread", catch_up_window=60)
    inside = [t for t in due if t >= iso_utc(now - timedelta(minutes=60))]
    gap = timedelta(minutes=60) / len(inside)
    batch = {f"j:{t}~catch-up" for t in inside}

    def fired() -> Counter[str]:  # later audits find newer misses, which get slots of their own
        return Counter({k: n for k, n in keys(ops).items() if k in batch})

    overlapping_audits(ops, now)
    assert fired() == Counter({f"j:{inside[0]}~catch-up": 1})
    ops.audit(now + gap + timedelta(seconds=1))
    assert fired() == Counter({f"j:{t}~catch-up": 1 for t in inside[:2]})
    ops.audit(now + timedelta(minutes=61))
    assert fired() == Counter({f"j:{t}~catch-up": 1 for t in inside})


def test_none_only_records_and_notifies(ops: OpsWorld) -> None:
    now, due = vanish(ops)
    report = ops.audit(now)
    assert ops.caller.requests == [] and len(report.missed) == len(due) and report.notified == 1


@pytest.fixture
def jobs_file(ops: OpsWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name, value in {
        c.ENV_TABLE: TABLE,
        c.ENV_GROUP: GROUP,
        c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn,
        c.ENV_INPUT_KEY_ID: INPUT_KEY_NAME,
    }.items():
        monkeypatch.setenv(name, value)
    create_input_key(boto3.client("secretsmanager"))
    return tmp_path / "jobs.json"


def write(path: Path, *jobs: dict[str, Any]) -> None:
    path.write_text(
        json.dumps({"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": list(jobs)})
    )


def test_pause_after_failures_pauses_after_n_failures_not_before_and_resume_restarts_the_streak(
    ops: OpsWorld, jobs_file: Path
) -> None:
    spec = job("flaky", pause_after_failures=3, retry={"attempts": 1})
    write(jobs_file, spec)
    ops.apply(jobs_doc(spec))
    now = minute(ops.created) + timedelta(hours=2)
    marks = ten_minute_marks(now - timedelta(minutes=91), now + timedelta(minutes=1))
    for t in marks[:-3]:
        ops.fire("flaky", t)
    ops.caller.script = [TargetHTTPError(500)] * 2
    for t in marks[-3:-1]:
        assert ops.fire("flaky", t) == "failed"
    assert ops.audit(now).paused == []  # two failures: not yet
    ops.caller.script = [TargetHTTPError(500)]
    assert ops.fire("flaky", marks[-1]) == "failed"
    report = ops.audit(now + timedelta(minutes=1))
    assert report.paused == ["flaky"]
    assert ops.scheduler.get_schedule(Name="flaky", GroupName=GROUP)["State"] == "DISABLED"
    assert [m["Subject"] for m in ops.messages()] == ["cron-adapter: paused: flaky"]
    assert ops.metrics.count(c.METRIC_JOB_PAUSED) == 1
    assert ops.audit(now + timedelta(minutes=2)).missed == []  # a paused job expects nothing

    ops.apply(ops.jobs)  # the hourly drift repair: the pause is left alone, not deleted nor re-enabled
    assert ops.scheduler.get_schedule(Name="flaky", GroupName=GROUP)["State"] == "DISABLED"
    assert main(["resume", "flaky", str(jobs_file)]) == 0
    assert ops.scheduler.get_schedule(Name="flaky", GroupName=GROUP)["State"] == "ENABLED"
    ops.apply(ops.jobs)  # and after the resume, the drift repair keeps it enabled
    assert ops.scheduler.get_schedule(Name="flaky", GroupName=GROUP)["State"] == "ENABLED"
    ops.caller.script = [TargetHTTPError(500)]
    assert ops.fire("flaky", marks[-1] + timedelta(minutes=10)) == "failed"
    assert ops.audit(now + timedelta(minutes=11)).paused == []  # the streak started again: 1 of 3
    assert main(["resume", "flaky", str(jobs_file)]) == 3  # not paused


def test_trigger_runs_under_its_own_key_and_never_blocks_a_scheduled_time(
    ops: OpsWorld, jobs_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = job("report")
    write(jobs_file, spec)
    ops.apply(jobs_doc(spec))
    boto3.client("secretsmanager").create_secret(Name="s", SecretString="t" * 40)
    from cron_adapter.adapters import target as target_adapter

    monkeypatch.setattr(
        target_adapter.HttpTargetCaller, "call", lambda self, req, timeout: ops.caller.call(req, timeout)
    )
    assert main(["trigger", "report", str(jobs_file), "--secret-id", "s", "--output", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["trigger", "report", str(jobs_file), "--secret-id", "s", "--output", "json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert first["status"] == second["status"] == "succeeded"
    runs = [k for k in keys(ops)]
    assert len(runs) == 2 and all("~trigger-" in k for k in runs) and runs[0] != runs[1]
    scheduled = runs[0].split(":", 1)[1].split("~")[0]
    assert (
        ops.fire("report", __import__("datetime").datetime.fromisoformat(scheduled.replace("Z", "+00:00")))
        == "succeeded"
    )


def patch_target(ops: OpsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's fire service calls the world's scripted target instead of the network."""
    from cron_adapter.adapters import target as target_adapter

    boto3.client("secretsmanager").create_secret(Name="s", SecretString="t" * 40)
    monkeypatch.setattr(
        target_adapter.HttpTargetCaller, "call", lambda self, req, timeout: ops.caller.call(req, timeout)
    )


def test_backfill_fires_only_times_that_never_ran_and_never_a_time_twice(
    ops: OpsWorld, jobs_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = job("b", "*/10 * * * *")
    write(jobs_file, spec)
    ops.apply(jobs_doc(spec))
    patch_target(ops, monkeypatch)
    marks = ten_minute_marks(ops.created - timedelta(hours=2), ops.created - timedelta(minutes=1))[-6:]
    ops.fire("b", marks[0])  # ran
    ops.audit_service().store.record_missed("b", iso_utc(marks[1]), 0.0, 0, None)  # the audit found it missed
    start, end = iso_utc(marks[0]), iso_utc(marks[-1] + timedelta(minutes=1))
    ops.caller.requests.clear()
    args = ["backfill", "b", str(jobs_file), "--from", start, "--to", end, "--secret-id", "s"]
    assert main([*args, "--output", "json"]) == 3  # not a tty, no --yes: refused, nothing fired
    assert ops.caller.requests == []
    capsys.readouterr()
    assert main([*args, "--yes", "--output", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [f["time"] for f in out["fired"]] == [iso_utc(t) for t in marks[1:]]
    assert out["skipped"] == [{"time": iso_utc(marks[0]), "ran": "succeeded"}]
    assert keys(ops)[f"b:{iso_utc(marks[1])}~catch-up"] == 1 and len(keys(ops)) == 5
    assert main([*args, "--yes", "--output", "json"]) == 0  # again: everything ran, nothing fires
    assert json.loads(capsys.readouterr().out)["fired"] == [] and len(ops.caller.requests) == 5


def test_drift_lists_changed_deleted_and_orphan_schedules_and_repairs_nothing(
    ops: OpsWorld, jobs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = [job("keep"), job("edited"), job("removed")]
    write(jobs_file, *specs)
    ops.apply(jobs_doc(*specs))
    got = ops.scheduler.get_schedule(Name="edited", GroupName=GROUP)
    ops.scheduler.update_schedule(
        Name="edited", GroupName=GROUP, ScheduleExpression="rate(5 minutes)",
        FlexibleTimeWindow=got["FlexibleTimeWindow"], Target=got["Target"],
    )  # fmt: skip
    ops.scheduler.delete_schedule(Name="removed", GroupName=GROUP)
    ops.scheduler.create_schedule(
        Name="stray", GroupName=GROUP, ScheduleExpression="rate(1 hour)",
        FlexibleTimeWindow={"Mode": "OFF"}, Target=got["Target"],
    )  # fmt: skip
    assert main(["drift", str(jobs_file), "--output", "json"]) == 4
    rows = {r["schedule"]: r["drift"] for r in json.loads(capsys.readouterr().out)}
    assert rows == {
        "edited": "changed outside the adapter",
        "removed": "deleted outside the adapter",
        "stray": "orphan",
    }
    assert ops.scheduler.get_schedule(Name="edited", GroupName=GROUP)["ScheduleExpression"] == "rate(5 minutes)"
