"""cron-adapter as hermes-agent 0.19.0's cron provider, against the real package.

hermes's own discovery loads the installed plugin; hermes's own create_job / pause / remove
and its on_jobs_changed notification push the store; our reconcile (on moto) builds the
schedules; our fire service calls hermes's real /api/cron/fire (uvicorn on 127.0.0.1) with a
signed token and hermes runs a no_agent script job.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter import constants as c
from cron_adapter.bootstrap.fire import FireFactory
from cron_adapter.bootstrap.reconcile import build_reconcile_app
from cron_adapter.fire.input import FireInput, parse_input, replace_input
from cron_adapter.fire.inputsig import unseal
from cron_adapter.fire.jwt import Es256Signer
from cron_adapter.hermes import install
from cron_adapter.reconcile.triggers import Trigger
from cron_adapter.reconcile_settings import ReconcileSettings
from cron_adapter.settings import FireSettings
from tests.hermes.conftest import HOME, hermes_web_server

NAME = "cron_adapter"
BUCKET, TABLE, GROUP = "hermes-jobs", "cron-adapter", "cron-adapter"
AUDIENCE, ISSUER = "agent:e2e", "https://cron.example.test"
KEY = "fire-token-key-e2e-" + "x" * 40
TARGET_SECRET = "target-secret-" + "y" * 40


def write_config(public_pem: str) -> None:
    config = install.PluginConfig(NAME, BUCKET, "jobs.json", "us-east-1", AUDIENCE, ISSUER, public_pem)
    (HOME / "config.yaml").write_text("timezone: Europe/Berlin\n" + config.yaml())
    time.sleep(0.05)  # hermes caches config.yaml on (mtime, size)


@pytest.fixture(scope="module")
def aws() -> Iterator[None]:
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        boto3.resource("dynamodb").create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        boto3.client("scheduler").create_schedule_group(Name=GROUP)
        sm = boto3.client("secretsmanager")
        target = sm.create_secret(Name="target", SecretString=TARGET_SECRET)["ARN"]
        key = sm.create_secret(Name="fire-token-key", SecretString=KEY)["ARN"]
        sm.create_secret(Name="input-signing-key", SecretString="hermes-e2e-input-key-" + "h" * 40)
        yield {"target": target, "key": key}  # type: ignore[misc]


@pytest.fixture(scope="module")
def hermes(aws: Any) -> Iterator[Any]:
    install.install_files(HOME, NAME)
    write_config(Es256Signer.from_secret(KEY).public_pem())
    scripts = HOME / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    (scripts / "hello.py").write_text("print('hello from a no_agent job')\n")
    from cron.scheduler_provider import resolve_cron_scheduler

    yield resolve_cron_scheduler


def reconcile() -> dict[str, Any]:
    env = {
        c.ENV_TABLE: TABLE, c.ENV_BUCKET: BUCKET, c.ENV_GROUP: GROUP,
        c.ENV_FIRE_ARN: "arn:aws:lambda:us-east-1:123456789012:function:fire",
        c.ENV_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/scheduler",
        c.ENV_STORE_FORMAT: "hermes", c.ENV_BASE_URL: "http://127.0.0.1:1", c.ENV_SCHEDULER_TPS: "500",
        c.ENV_INPUT_KEY_ID: "input-signing-key",
    }  # fmt: skip
    return build_reconcile_app(ReconcileSettings.from_env(env)).run(Trigger("upload")).as_dict()


def schedules() -> dict[str, dict[str, Any]]:
    client = boto3.client("scheduler")
    names = [s["Name"] for s in client.list_schedules(GroupName=GROUP)["Schedules"]]
    return {n: client.get_schedule(Name=n, GroupName=GROUP) for n in names}


def push_and_wait(provider: Any) -> None:
    from cron.scheduler import _notify_provider_jobs_changed  # what hermes's tool and CLI call

    _notify_provider_jobs_changed()
    deadline = time.time() + 20
    module = sys.modules[f"_hermes_user_cron.{NAME}"]
    while time.time() < deadline and module._PUSHER._worker is not None:
        time.sleep(0.05)


def test_hermes_discovery_finds_the_plugin_and_resolves_it(hermes: Any):
    from plugins.cron_providers import discover_cron_schedulers

    assert (NAME, True) in [(n, available) for n, _, available in discover_cron_schedulers()]
    provider = hermes()
    assert provider.name == NAME and type(provider).__name__ == "CronAdapterScheduler"


def test_created_jobs_are_pushed_and_reconciled_in_hermes_s_timezone(hermes: Any):
    from cron.jobs import create_job

    daily = create_job(prompt=None, schedule="0 9 * * * 0", name="daily", script="hello.py", no_agent=True)
    push_and_wait(hermes)
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key="jobs.json")
    assert head["Metadata"][c.JOBS_TIMEZONE_METADATA] == "Europe/Berlin"
    assert reconcile()["status"] == "applied"
    (got,) = [s for n, s in schedules().items() if daily["id"] in n]
    assert got["ScheduleExpression"] == "cron(0 9 * * ? *)"  # daily 09:00, not minute 9 hourly
    assert got["ScheduleExpressionTimezone"] == "Europe/Berlin" and got["State"] == "ENABLED"


def test_a_paused_job_is_disabled_and_a_removed_one_deleted(hermes: Any):
    from cron.jobs import create_job, pause_job, remove_job

    a = create_job(prompt=None, schedule="every 30m", name="to-pause", script="hello.py", no_agent=True)
    b = create_job(prompt=None, schedule="every 45m", name="to-remove", script="hello.py", no_agent=True)
    push_and_wait(hermes)
    reconcile()
    pause_job(a["id"])
    remove_job(b["id"])
    push_and_wait(hermes)
    reconcile()
    found = schedules()
    assert [s["State"] for n, s in found.items() if a["id"] in n] == ["DISABLED"]
    assert not [n for n in found if b["id"] in n]


@pytest.fixture(scope="module")
def web(hermes: Any) -> Iterator[str]:
    with hermes_web_server("uvicorn.log") as base:
        yield base


def fire_service(aws: Any, key_arn: str) -> Any:
    settings = FireSettings.from_env(
        {
            c.ENV_TABLE: TABLE, c.ENV_SECRET_ID: aws["target"], c.ENV_GROUP: GROUP,
            c.ENV_ALLOW_HTTP_LOOPBACK: "true", c.ENV_JWT_SECRET_ID: key_arn,
            c.ENV_JWT_AUDIENCE: AUDIENCE, c.ENV_JWT_ISSUER: ISSUER,
        }
    )  # fmt: skip
    import logging

    class Metrics:
        def __init__(self) -> None:
            self.names: list[str] = []

        def add_metric(self, name: str, unit: str, value: float) -> None:
            self.names.append(name)

    return FireFactory(settings).service(logging.getLogger("e2e"), Metrics())


def fire_input(job_id: str, base: str, when: str = "2026-12-02T08:00:00Z") -> FireInput:
    (got,) = [s for n, s in schedules().items() if job_id in n]
    raw = got["Target"]["Input"].replace("http://127.0.0.1:1", base)
    raw = raw.replace("<aws.scheduler.scheduled-time>", when).replace("<aws.scheduler.attempt-number>", "1")
    body, _ = unseal(json.loads(raw))  # the fire service is called in-process: no signature to check
    return parse_input(body)


def wait_for_run(job_id: str) -> dict[str, Any] | None:
    from cron.jobs import get_job

    for _ in range(300):
        job = get_job(job_id)
        if job and job.get("last_status"):
            return job
        time.sleep(0.1)
    return None


def test_our_fire_reaches_hermes_which_runs_the_job_once(hermes: Any, web: str, aws: Any):
    from cron.jobs import create_job

    job = create_job(prompt=None, schedule="every 60m", name="fired", script="hello.py", no_agent=True)
    push_and_wait(hermes)
    reconcile()
    service = fire_service(aws, aws["key"])
    fire = fire_input(job["id"], web)
    outcome = service.fire(fire, holder="req-1", deadline=time.time() + 120)
    assert outcome.status == "accepted" and outcome.http_status == 202, outcome  # recorded accepted
    ran = wait_for_run(job["id"])
    assert ran is not None and ran["last_status"] == "ok"
    again = service.fire(fire, holder="req-2", deadline=time.time() + 120)  # a duplicate delivery
    assert again.status == "duplicate"
    runs = subprocess.run(
        [str(Path(sys.executable).with_name("hermes")), "cron", "runs"], capture_output=True, text=True, timeout=120
    ).stdout
    assert f"job={job['id']}" in runs and f"source={NAME}" in runs
    assert runs.count(f"job={job['id']}") == 1  # the duplicate never reached hermes


def test_a_removed_job_is_gone_and_a_wrong_key_is_refused(hermes: Any, web: str, aws: Any):
    from cron.jobs import create_job, remove_job

    job = create_job(prompt=None, schedule="every 90m", name="soon-gone", script="hello.py", no_agent=True)
    push_and_wait(hermes)
    reconcile()
    fire = fire_input(job["id"], web, "2026-12-02T09:00:00Z")
    remove_job(job["id"])
    gone = fire_service(aws, aws["key"]).fire(fire, holder="req-3", deadline=time.time() + 120)
    assert gone.status == "gone" and gone.exhausted == "gone"
    assert not [n for n in schedules() if job["id"] in n]  # the fire path stopped its schedule
    other = boto3.client("secretsmanager").create_secret(Name="other-key", SecretString="o" * 48)["ARN"]
    other_job = create_job(prompt=None, schedule="every 75m", name="wrong-key", script="hello.py", no_agent=True)
    push_and_wait(hermes)
    reconcile()
    wrong = fire_service(aws, other)
    refused = wrong.fire(fire_input(other_job["id"], web), holder="req-4", deadline=time.time() + 60)
    assert refused.status == "failed" and refused.http_status == 401
    assert c.METRIC_TARGET_FAILED in wrong.effects.metrics.names  # the TargetFailed alarm's metric


def test_a_repeat_job_runs_exactly_times_across_pushes(hermes: Any, web: str, aws: Any):
    from datetime import datetime

    from cron.jobs import create_job, get_job

    job = create_job(prompt=None, schedule="every 50m", name="twice", repeat=2, script="hello.py", no_agent=True)
    push_and_wait(hermes)
    reconcile()
    service = fire_service(aws, aws["key"])
    statuses: list[str] = []
    first = fire_input(job["id"], web, "2026-12-02T10:00:00Z")
    for minute in range(3):  # three scheduled times; hermes allows two runs
        when = datetime.fromisoformat(f"2026-12-02T1{minute}:00:00+00:00")
        fire = replace_input(first, scheduled_time=when)
        statuses.append(service.fire(fire, holder=f"rep-{minute}", deadline=time.time() + 120).status)
        for _ in range(300):  # let hermes finish the run before the next fire (its claim)
            now = get_job(job["id"])
            if now is None or (now.get("repeat") or {}).get("completed") == minute + 1:
                break
            time.sleep(0.1)
        push_and_wait(hermes)  # the provider pushes after each change, as fire_due does in hermes
        reconcile()
    # the third never reaches hermes: our own cap (max_runs = times) skips it; hermes removed the job
    assert statuses == ["accepted", "accepted", "skipped"] and get_job(job["id"]) is None
    runs = subprocess.run(
        [str(Path(sys.executable).with_name("hermes")), "cron", "runs"], capture_output=True, text=True, timeout=120
    ).stdout
    assert runs.count(f"job={job['id']}") == 2
    assert not [n for n in schedules() if job["id"] in n]  # the spent job's schedule is gone


def test_0_9_star_star_star_0_fires_daily_at_nine_in_the_configured_zone(hermes: Any):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from cron.jobs import create_job

    from cron_adapter.schedule.engine import next_fires
    from cron_adapter.schedule.grammar import parse_schedule

    job = create_job(prompt=None, schedule="0 9 * * * 0", name="nine", script="hello.py", no_agent=True)
    push_and_wait(hermes)
    reconcile()
    (got,) = [s for n, s in schedules().items() if job["id"] in n]
    expr, zone = got["ScheduleExpression"], got["ScheduleExpressionTimezone"]
    fires = next_fires(parse_schedule(expr, timezone=zone), zone, datetime(2026, 12, 2, tzinfo=UTC), 3)
    local = [f.astimezone(ZoneInfo("Europe/Berlin")) for f in fires]
    assert [(t.hour, t.minute, t.second) for t in local] == [(9, 0, 0)] * 3
    assert [t.day for t in local] == [2, 3, 4]
