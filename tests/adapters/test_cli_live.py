"""plan / apply / push against moto (the live account path)."""

from __future__ import annotations

import argparse
import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from cron_adapter import constants as c
from cron_adapter.cli import apply as apply_cli
from cron_adapter.cli import plan as plan_cli
from cron_adapter.cli import push as push_cli
from cron_adapter.cli.exitcodes import EXIT_DECLINED
from cron_adapter.reconcile.triggers import Trigger
from tests.adapters import reconcile_support as support
from tests.adapters.fire_support import INPUT_KEY_NAME, create_input_key
from tests.adapters.reconcile_support import BUCKET, GROUP, TABLE, WIRING, World, jobs_bytes, jobs_doc

aws_env = support.aws_env  # the shared pytest fixture
world = support.world  # the shared pytest fixture


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="cron-adapter")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (plan_cli, apply_cli, push_cli):
        module.register(sub)
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def live(world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key, value in {
        c.ENV_TABLE: TABLE,
        c.ENV_GROUP: GROUP,
        c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn,
        c.ENV_SCHEDULER_TPS: "500",
        c.ENV_INPUT_KEY_ID: INPUT_KEY_NAME,
    }.items():
        monkeypatch.setenv(key, value)
    create_input_key(boto3.client("secretsmanager"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a tty
    return tmp_path / "jobs.json"


def write(path: Path, doc: dict[str, Any]) -> str:
    path.write_bytes(jobs_bytes(doc))
    return str(path)


def test_apply_then_plan_shows_no_changes(live: Path, capsys: pytest.CaptureFixture[str]):
    f = write(live, jobs_doc(3))
    assert cli("apply", f, "--yes") == 0
    assert "Apply applied: 3 created" in capsys.readouterr().out
    assert cli("plan", f) == 0
    assert "No changes." in capsys.readouterr().out


def test_live_plan_shows_next_fire_times_before_and_after(live: Path, capsys: pytest.CaptureFixture[str]):
    cli("apply", write(live, jobs_doc(3)), "--yes", "--output", "json")
    capsys.readouterr()
    assert cli("plan", write(live, jobs_doc(3, j1={"schedule": "daily 09:30"}))) == 0
    out = capsys.readouterr().out
    assert "~ update in-place 'j1': spec changed" in out and "fires now" in out and "T09:30:00" in out
    assert cli("plan", str(live), "--output", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    [action] = doc["actions"]
    assert action["request"]["ScheduleExpression"] == "cron(30 9 * * ? *)"
    assert action["next_fires"]["before"] and action["next_fires"]["after"][0].endswith("09:30:00+00:00")


def test_apply_without_yes_on_a_pipe_refuses_with_the_declined_code(
    live: Path, world: World, capsys: pytest.CaptureFixture[str]
):
    assert cli("apply", write(live, jobs_doc(3))) == EXIT_DECLINED  # not 1, which means "partial"
    assert "refusing" in capsys.readouterr().err and world.calls.writes() == 0


def test_apply_refuses_a_mass_delete_unless_allowed(live: Path, capsys: pytest.CaptureFixture[str]):
    cli("apply", write(live, jobs_doc(4)), "--yes")
    assert cli("apply", write(live, jobs_doc(1)), "--yes") == 3
    assert "allow-mass-delete" in capsys.readouterr().err
    assert cli("apply", str(live), "--yes", "--allow-mass-delete", "--output", "json") == 0
    assert json.loads(capsys.readouterr().out)["counts"]["deleted"] == 3


def test_push_validates_uploads_and_waits_for_the_status(
    live: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv(c.ENV_BUCKET, BUCKET)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    bad = write(live.with_name("bad.json"), jobs_doc(1, j0={"schedule": "every 0m"}))
    assert cli("push", bad) == 2
    assert boto3.client("s3").list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0

    thread = support.reconcile_after_upload()
    code = cli("push", write(live, jobs_doc(2)), "--wait", "--timeout", "20", "--output", "json")
    thread.join()
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["reconcile"]["status"] == "applied" and result["etag"]
    assert result["reconcile"]["counts"]["created"] == 2  # a number, not DynamoDB's Decimal as a string
    assert "pk" not in result["reconcile"] and "ttl" not in result["reconcile"]


def _reconcile_each_new_version(stop: threading.Event) -> threading.Thread:
    """Stands in for S3 notification -> reconcile Lambda: one reconcile per new object version."""
    from handlers import reconcile

    def loop() -> None:
        s3, seen = boto3.client("s3"), 0
        for _ in range(600):  # bounded: 30 s
            if stop.is_set():
                return
            versions = s3.list_object_versions(Bucket=BUCKET).get("Versions", [])
            if len(versions) > seen:
                seen = len(versions)
                reconcile.app().run(Trigger("upload"))
            time.sleep(0.05)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def test_push_wait_reports_the_result_of_exactly_this_upload_when_a_b_a(
    live: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """Push A, then B, then A again: the third push must not be matched to the first A's result."""
    monkeypatch.setenv(c.ENV_BUCKET, BUCKET)
    monkeypatch.setenv(c.ENV_MAX_DELETE_SHARE, "1.0")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    from handlers import reconcile

    reconcile.app.cache_clear()
    a = jobs_doc(3)
    b = jobs_doc(1, j0={"schedule": "every 30m"})
    b["jobs"] += [{"id": f"k{i}", "schedule": "every 9m", "target": {"path": f"/k/{i}"}} for i in range(3)]
    stop = threading.Event()
    thread = _reconcile_each_new_version(stop)
    results = []
    try:
        for doc in (a, b, a):
            code = cli("push", write(live, doc), "--wait", "--timeout", "20", "--output", "json")
            results.append((code, json.loads(capsys.readouterr().out)))
    finally:
        stop.set()
        thread.join(timeout=10)
        reconcile.app.cache_clear()
    first, third = results[0][1], results[2][1]
    assert [code for code, _ in results] == [0, 0, 0]
    assert first["etag"] == third["etag"] and first["version_id"] != third["version_id"]
    assert first["reconcile"]["counts"]["created"] == 3
    counts = third["reconcile"]["counts"]
    assert (counts["created"], counts["updated"], counts["deleted"]) == (2, 1, 3)
    assert third["reconcile"]["version_id"] == third["version_id"]


def test_push_sends_the_store_timezone_as_object_metadata(live: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(c.ENV_BUCKET, BUCKET)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    hermes = live.with_name("hermes.json")
    hermes.write_text(json.dumps({"jobs": [{"id": "a", "schedule": {"kind": "cron", "expr": "0 9 * * *"}}]}))
    code = cli("push", str(hermes), "--base-url", "https://agent.example.com", "--timezone", "Asia/Tokyo")
    assert code == 0
    head = boto3.client("s3").head_object(Bucket=BUCKET, Key="jobs.json")
    assert head["Metadata"] == {c.JOBS_TIMEZONE_METADATA: "Asia/Tokyo"}
