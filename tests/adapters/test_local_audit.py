"""dev's auditor: the real audit app on the simulated clock, findings in the journal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3

from cron_adapter import constants as c
from cron_adapter.local.audit import LocalAuditor
from cron_adapter.local.journal import Journal
from cron_adapter.local.simclock import SimClock
from tests.adapters import ops_support
from tests.adapters.ops_support import GROUP, TABLE, WIRING, OpsWorld, job, jobs_doc

ops = ops_support.ops  # the shared pytest fixture


def test_dev_audit_catches_a_deleted_schedule_and_tells_the_journal(ops: OpsWorld) -> None:
    jobs = [job("kept"), job("vanished")]
    boto3.client("s3").create_bucket(Bucket="dev-jobs")
    boto3.client("s3").put_object(
        Bucket="dev-jobs",
        Key="jobs.json",
        Body=json.dumps(
            {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}
        ).encode(),
    )
    boto3.client("secretsmanager").create_secret(Name="s", SecretString="x" * 40)
    ops.apply(jobs_doc(*jobs))
    ops.scheduler.delete_schedule(Name="vanished", GroupName=GROUP)
    env = {
        c.ENV_TABLE: TABLE, c.ENV_BUCKET: "dev-jobs", c.ENV_GROUP: GROUP, c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn, c.ENV_SECRET_ID: "s", c.ENV_INPUT_KEY_ID: "k",
    }  # fmt: skip
    clock, journal = SimClock(60.0, start=datetime.now(UTC) + timedelta(hours=2)), Journal()
    auditor = LocalAuditor(env, clock, journal, {})
    auditor.tick()
    assert not [n for n in journal.notes if n.kind == "audit"]  # not due yet: every 15 simulated minutes
    auditor.next = clock.now()
    auditor.tick()
    texts = [n.text for n in journal.notes if n.kind == "audit"]
    assert any(t.startswith("cron-adapter: missed run: vanished: Job 'vanished' missed") for t in texts), texts
    assert not any("kept" in t for t in texts)
    assert any(t.startswith("audited 2 job(s):") for t in texts)
