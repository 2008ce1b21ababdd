"""The reconcile handler on moto and the job markers: fired one-shots do not block an upload, a pause holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.runs import DynamoRunStore
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.adapters.scheduleview import SchedulerView
from cron_adapter.reconcile.planner import KEY_SEPARATOR
from tests.adapters.reconcile_support import GROUP, TABLE, jobs_doc
from tests.adapters.test_reconcile_handler import Context, aws_env, env, event, names, upload

__all__ = ["aws_env", "env"]  # the handler test's fixtures


def ledger() -> Ledger:
    return Ledger(TABLE, GROUP, boto3.client("dynamodb"))


def spec(name: str) -> str:
    """The spec hash reconcile wrote for a schedule (the markers name it, without the key id)."""
    return ledger().entries()[name].spec_hash.partition(KEY_SEPARATOR)[0]


def with_shots(n: int, **overrides: dict[str, Any]) -> dict[str, Any]:
    """``n`` recurring jobs and two one-shots later today."""
    doc = jobs_doc(n, **overrides)
    soon = datetime.now(UTC) + timedelta(hours=2)
    for i in (1, 2):
        at = (soon + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M")
        doc["jobs"].append({"id": f"shot{i}", "schedule": f"at {at}", "target": {"path": f"/shot/{i}"}})
    return doc


def fire_the_shots() -> None:
    """What firing does: the fire path marks each one-shot finished, EventBridge deletes its schedule."""
    store = DynamoClaimStore(TABLE, client=boto3.client("dynamodb"))
    for name in ("shot1", "shot2"):
        store.mark_exhausted(name, spec(name), "one_shot", datetime.now(UTC).timestamp())
        boto3.client("scheduler").delete_schedule(Name=name, GroupName=GROUP)


def test_an_edit_after_one_shots_fired_is_applied_and_forgets_them(env: Any):
    upload(with_shots(1))
    assert env.handler(event("s3-put-jobs.json"), Context())["counts"]["created"] == 3
    fire_the_shots()
    upload(with_shots(1, j0={"schedule": "every 7m"}))
    result = env.handler(event("s3-put-jobs.json"), Context())  # was: refused, "plan deletes 2 of 3 schedules"
    assert result["status"] == "applied" and not result["problems"], result
    assert result["counts"]["updated"] == 1 and result["counts"]["deleted"] == 2  # ResourceNotFound: done
    assert names() == {"j0"} and set(ledger().entries()) == {"j0"}
    assert env.handler(event("s3-put-jobs.json"), Context())["status"] == "no-op"
    assert env.handler(event("drift-repair.json"), Context())["status"] == "no-op"


def test_an_upload_that_drops_most_jobs_is_refused_beside_fired_one_shots(env: Any):
    upload(with_shots(4))
    env.handler(event("s3-put-jobs.json"), Context())
    fire_the_shots()
    upload(with_shots(1))
    result = env.handler(event("s3-put-jobs.json"), Context())
    assert result["status"] == "refused" and "deletes 3 of 4" in result["detail"]
    assert names() == {"j0", "j1", "j2", "j3"}


def pause(job_id: str) -> None:
    """What the audit's pause does: the paused_after_failures marker, then the schedule DISABLED."""
    assert DynamoRunStore(TABLE, boto3.client("dynamodb")).pause(job_id, spec(job_id), "", 1000.0)
    view = SchedulerView(SchedulerAdapter(GROUP, boto3.client("scheduler"), tps=1000), ledger())
    assert view.set_state((job_id,), "DISABLED") == [job_id]


def state(name: str) -> str:
    return boto3.client("scheduler").get_schedule(Name=name, GroupName=GROUP)["State"]


def test_a_job_paused_after_failures_survives_the_drift_repair_and_uploads(env: Any):
    upload(jobs_doc(3))
    env.handler(event("s3-put-jobs.json"), Context())
    pause("j1")
    assert env.handler(event("drift-repair.json"), Context())["status"] == "no-op"  # was: j1 deleted
    assert env.handler(event("s3-put-jobs.json"), Context())["status"] == "no-op"
    assert names() == {"j0", "j1", "j2"} and state("j1") == "DISABLED" and "j1" in ledger().entries()
    upload(jobs_doc(3, j1={"schedule": "every 9m"}))  # editing the job resumes it
    assert env.handler(event("s3-put-jobs.json"), Context())["counts"]["updated"] == 1
    assert state("j1") == "ENABLED"
