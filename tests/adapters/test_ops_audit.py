"""The missed-run auditor on moto: deleted, disabled and crashed runs are caught, on-time runs are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cron_adapter import constants as c
from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.fire.input import iso_utc
from cron_adapter.fire.ports import Claim, RunKey
from tests.adapters import ops_support
from tests.adapters.ops_support import GROUP, TABLE, OpsWorld, job, jobs_doc, minute

ops = ops_support.ops  # the shared pytest fixture

STEP = timedelta(minutes=10)


def ten_minute_marks(start: datetime, end: datetime) -> list[datetime]:
    t = minute(start).replace(minute=(start.minute // 10) * 10) + STEP
    out = []
    while t < end:
        out.append(t)
        t += STEP
    return out


def test_deleted_disabled_and_crashed_runs_are_missed_within_one_audit(ops: OpsWorld) -> None:
    ops.apply(jobs_doc(job("ok"), job("deleted"), job("disabled"), job("crashed")))
    now = minute(ops.created) + timedelta(hours=2)
    due = ten_minute_marks(now - timedelta(minutes=91), now - timedelta(minutes=10))  # the audit's window
    ops.scheduler.delete_schedule(Name="deleted", GroupName=GROUP)
    got = ops.scheduler.get_schedule(Name="disabled", GroupName=GROUP)
    ops.scheduler.update_schedule(
        Name="disabled",
        GroupName=GROUP,
        ScheduleExpression=got["ScheduleExpression"],
        FlexibleTimeWindow=got["FlexibleTimeWindow"],
        Target=got["Target"],
        State="DISABLED",
    )
    for t in due:
        assert ops.fire("ok", t) == "succeeded"
    crash_at = due[0]  # over an hour ago: too late to deliver again, so lost
    for t in due:
        if t != crash_at:
            ops.fire("crashed", t)
    store = DynamoClaimStore(TABLE, ops.ddb)
    spec = "x"
    store.claim(
        Claim(
            RunKey("crashed", iso_utc(crash_at)),
            "dead-lambda",
            1,
            crash_at.timestamp(),
            crash_at.timestamp() + 60,
            0,
            "skip",
            None,
            spec,
        )
    )

    report = ops.audit(now)

    times = [iso_utc(t) for t in due]
    assert sorted(t for j, t in report.missed if j == "deleted") == times
    assert sorted(t for j, t in report.missed if j == "disabled") == times
    assert [t for j, t in report.missed if j == "crashed"] == [iso_utc(crash_at)]
    assert not [m for m in report.missed if m[0] == "ok"]
    assert ops.run_item("deleted", times[0])["status"] == "missed"
    assert ops.run_item("crashed", iso_utc(crash_at))["status"] == "lost"
    assert ops.metrics.count(c.METRIC_MISSED_RUN) == 1
    assert [v for n, _, v in ops.metrics.points if n == c.METRIC_MISSED_RUN] == [2 * len(times) + 1]
    messages = ops.messages()
    assert sorted(m["Subject"] for m in messages) == [
        "cron-adapter: missed run: crashed",
        "cron-adapter: missed run: deleted",
        "cron-adapter: missed run: disabled",
    ]
    crashed = next(m["Message"] for m in messages if m["Subject"].endswith("crashed"))
    assert "Job 'crashed' missed 1 scheduled run(s)" in crashed and iso_utc(crash_at) in crashed


def test_a_second_audit_records_and_notifies_nothing_new(ops: OpsWorld) -> None:
    ops.apply(jobs_doc(job("gone-quiet")))
    now = minute(ops.created) + timedelta(hours=1)
    first = ops.audit(now)
    assert first.missed and first.notified == 1
    again = ops.audit(now)  # an overlapping audit: same window
    assert again.missed == [] and again.notified == 0
    assert len(ops.messages()) == 1


def test_accepted_runs_and_jittered_late_runs_are_on_time(ops: OpsWorld) -> None:
    ops.apply(jobs_doc(job("async"), job("jittery", jitter=30)))
    now = minute(ops.created) + timedelta(hours=2)
    for t in ten_minute_marks(ops.created, now - timedelta(minutes=10)):
        ops.ddb.put_item(
            TableName=TABLE,
            Item={
                "pk": {"S": "JOB#async"},
                "sk": {"S": f"RUN#{iso_utc(t)}"},
                "status": {"S": "accepted"},
                "job_id": {"S": "async"},
            },
        )
    for t in ten_minute_marks(ops.created, now - timedelta(minutes=40)):
        ops.fire("jittery", t)  # the last 30 minutes are still inside the flexible window
    report = ops.audit(now)
    assert report.missed == []
    assert ops.messages() == []


def test_a_job_not_yet_deployed_is_not_audited(ops: OpsWorld) -> None:
    ops.apply(jobs_doc(job("deployed")))
    ops.jobs = jobs_doc(job("deployed"), job("brand-new"))
    report = ops.audit(minute(ops.created) + timedelta(hours=1))
    assert {j for j, _ in report.missed} == {"deployed"}


def _crash(ops: OpsWorld, job_id: str, when: datetime) -> None:
    """A claim whose Lambda died mid-call (out of memory): its lease ran out a minute later."""
    key = RunKey(job_id, iso_utc(when))
    DynamoClaimStore(TABLE, ops.ddb).claim(
        Claim(key, "dead-lambda", 1, when.timestamp(), when.timestamp() + 60, 0, "skip", None, "x")
    )


def test_a_crashed_at_least_once_run_is_delivered_again_and_called_once(ops: OpsWorld) -> None:
    """Lambda's retry of the crash came while the lease was live (a duplicate): the audit takes over."""
    ops.apply(jobs_doc(job("crashed"), job("careful", delivery="at-most-once")))
    now = minute(ops.created) + timedelta(hours=2)
    due = ten_minute_marks(now - timedelta(minutes=91), now - timedelta(minutes=10))
    crash_at = due[-2]  # half an hour ago
    for job_id in ("crashed", "careful"):
        for t in due:
            if t != crash_at:
                ops.fire(job_id, t)
        _crash(ops, job_id, crash_at)
    calls = len(ops.caller.requests)

    report = ops.audit(now)

    assert report.taken_over == [("crashed", iso_utc(crash_at), "succeeded")]
    assert len(ops.caller.requests) == calls + 1  # the crashed run, called again; the careful one never
    again = ops.run_item("crashed", iso_utc(crash_at))
    assert again["status"] == "succeeded" and again["deliveries"] == 2
    assert ops.run_item("careful", iso_utc(crash_at))["status"] == "lost"
    assert report.missed == [("careful", iso_utc(crash_at))]
    assert [m["Subject"] for m in ops.messages()] == ["cron-adapter: missed run: careful"]
    second = ops.audit(now + timedelta(minutes=15))  # nothing is delivered twice
    assert second.taken_over == [] and len(ops.caller.requests) == calls + 1


def test_misses_recorded_before_an_aws_error_still_reach_the_alarm(
    ops: OpsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They are never recorded again, so their count must be published by the audit that raised."""
    from botocore.exceptions import ClientError

    from cron_adapter.adapters.runs import DynamoRunStore

    ops.apply(jobs_doc(job("a-quiet"), job("b-throttled")))
    now = minute(ops.created) + timedelta(hours=1)
    read = DynamoRunStore.records

    def throttled(self, job_id: str, since: str, until: str):
        if job_id == "b-throttled":
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "Query")
        return read(self, job_id, since, until)

    monkeypatch.setattr(DynamoRunStore, "records", throttled)
    monkeypatch.setattr("cron_adapter.ops.service.audit_order", lambda jobs, now: list(jobs))  # file order
    with pytest.raises(ClientError):
        ops.audit(now)
    recorded = ops.run_item("a-quiet", iso_utc(ten_minute_marks(now - timedelta(minutes=50), now)[0]))
    assert recorded is not None and recorded["status"] == "missed"
    assert sum(v for n, _, v in ops.metrics.points if n == c.METRIC_MISSED_RUN) >= 1


@pytest.mark.parametrize("reason", ["max_runs", "paused_after_failures"])
def test_a_job_edited_after_it_stopped_is_audited_again(ops: OpsWorld, reason: str) -> None:
    """The edit re-arms it, but the old marker stays in the table: only a marker of its current
    spec means the job stopped on purpose."""
    from cron_adapter.reconcile.translate import translate

    ops.apply(jobs_doc(job("re-armed", max_runs=100)))
    store = DynamoClaimStore(TABLE, ops.ddb)
    store.mark_exhausted("re-armed", "spec-before-the-edit", reason, ops.created.timestamp())
    now = minute(ops.created) + timedelta(hours=1)
    assert [j for j, _ in ops.audit(now).missed].count("re-armed") >= 4

    ops.apply(jobs_doc(job("re-armed", max_runs=100), job("stopped", max_runs=1)))
    (current,) = translate(ops.jobs.jobs[1], ops_support.WIRING)
    store.mark_exhausted("stopped", current.spec_hash, reason, ops.created.timestamp())
    assert [j for j, _ in ops.audit(minute(ops.created) + timedelta(hours=1)).missed if j == "stopped"] == []


def test_misses_are_notified_even_when_their_catch_up_fails(ops: OpsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """They are recorded before the catch-up and never again, so a notice skipped now is lost."""
    from cron_adapter.errors import SecretError
    from cron_adapter.ops.service import AuditService

    ops.apply(jobs_doc(job("unlucky", catch_up="latest")))
    built = ops.audit_service

    def failing_fire() -> AuditService:
        service = built()

        def fire(fi: object) -> str:
            raise SecretError("the target secret cannot be read: AccessDenied")

        service.fire = fire
        return service

    monkeypatch.setattr(ops, "audit_service", failing_fire)
    report = ops.audit(minute(ops.created) + timedelta(hours=1))
    assert report.missed and report.errors and report.notified == 1
    (message,) = ops.messages()
    assert "unlucky" in message["Subject"]


def _eventbridge_fires(ops: OpsWorld, name: str, until: datetime) -> list[datetime]:
    """What EventBridge delivers for the schedule as created: from its StartDate, on its grid."""
    from cron_adapter.schedule import engine
    from cron_adapter.schedule.grammar import parse_schedule

    got = ops.scheduler.get_schedule(Name=name, GroupName=GROUP)
    start = got.get("StartDate") or got["CreationDate"]
    schedule = parse_schedule(got["ScheduleExpression"], timezone="UTC")
    fires = engine.next_fires(schedule, "UTC", start - timedelta(seconds=1), 200, anchor=start, start=start)
    return [f for f in fires if f < until]


@pytest.mark.parametrize("spec", [{"schedule": "* * * * *"}, {"schedule": "every 10m", "phase": 0}])
def test_a_new_schedule_is_judged_from_its_first_fire_after_the_create_grace(ops: OpsWorld, spec: dict) -> None:
    """Reconcile holds a new schedule's first fire back a minute (its StartDate); judged from its
    creation, every new minutely job was missed once, and a rate counted from creation was
    judged on the wrong grid: invented times missed on every audit."""
    from dataclasses import replace as with_

    ops.at = datetime(2027, 2, 3, 18, 39, 30, tzinfo=UTC)
    ops.config = with_(ops.config, create_grace=timedelta(seconds=60))
    ops.apply(jobs_doc(job("new", **spec)), grace=60.0)
    now = datetime(2027, 2, 3, 20, 0, tzinfo=UTC)
    fires = _eventbridge_fires(ops, "new", now)
    assert fires[0] > ops.at + timedelta(seconds=60)  # held back: StartDate
    for t in fires:
        ops.fire("new", t)
    assert ops.audit(now).missed == []
