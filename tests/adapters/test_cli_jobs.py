"""`cron-adapter jobs ...` on moto: output, exit codes, conflicts and --wait."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest

from cron_adapter import constants as c
from cron_adapter.cli import jobs as jobs_cli
from cron_adapter.cli import main
from cron_adapter.reconcile.triggers import Trigger
from tests.adapters import reconcile_support as support
from tests.adapters.fire_support import INPUT_KEY_NAME, create_input_key
from tests.adapters.jobs_support import KEY, body, lock_moto_s3_puts, make_bucket, reconcile_store, versions
from tests.adapters.reconcile_support import BUCKET, GROUP, TABLE, WIRING, World, jobs_bytes, jobs_doc

aws_env = support.aws_env  # the shared pytest fixture
world = support.world  # the shared pytest fixture


@pytest.fixture
def s3(world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    lock_moto_s3_puts(monkeypatch)
    for key, value in {c.ENV_BUCKET: BUCKET, c.ENV_GROUP: GROUP, c.ENV_TABLE: TABLE}.items():
        monkeypatch.setenv(key, value)
    client = make_bucket()
    client.put_object(Bucket=BUCKET, Key=KEY, Body=jobs_bytes(jobs_doc(3)))
    return client


def out_json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_list_and_show(s3: Any, world: World, capsys: pytest.CaptureFixture[str]):
    assert main(["jobs", "list", "--output", "json"]) == 0
    listed = out_json(capsys)
    assert listed["format"] == "native" and [j["id"] for j in listed["jobs"]] == ["j0", "j1", "j2"]
    assert listed["jobs"][1]["target"]["url"] == "https://app.example.com/run/1"
    assert main(["jobs", "list"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split() == ["ID", "STATE", "SCHEDULE", "TIMEZONE", "TARGET"]
    assert "j2  enabled  every 7m" in text and "3 job(s), native store" in text
    reconcile_store(world, s3)
    assert main(["jobs", "show", "j1", "--live", "--output", "json"]) == 0
    shown = out_json(capsys)
    assert shown["written"] == {"id": "j1", "schedule": "every 6m", "target": {"path": "/run/1"}}
    assert shown["live"] == [{"schedule": "j1", "state": "ENABLED"}]


def test_add_with_flags_then_pause_and_resume(s3: Any, world: World, capsys: pytest.CaptureFixture[str]):
    code = main(
        ["jobs", "add", "nightly", "--schedule", "daily 03:00", "--url", "https://app.example.com/nightly",
         "--method", "get", "--timezone", "Europe/Berlin", "--header", "X-Team=data", "--output", "json"]
    )  # fmt: skip
    assert code == 0 and out_json(capsys)["action"] == "added"
    written = json.loads(body(s3))["jobs"][-1]
    assert written == {
        "id": "nightly",
        "schedule": "daily 03:00",
        "target": {"url": "https://app.example.com/nightly", "method": "GET", "headers": {"X-Team": "data"}},
        "timezone": "Europe/Berlin",
    }
    reconcile_store(world, s3)
    assert main(["jobs", "pause", "nightly"]) == 0
    out = capsys.readouterr().out
    assert "paused job 'nightly'" in out and "schedule nightly: ENABLED -> DISABLED" in out
    assert main(["jobs", "pause", "nightly"]) == 0
    assert "already paused" in capsys.readouterr().out
    assert main(["jobs", "resume", "nightly", "--output", "json"]) == 0
    assert out_json(capsys)["live"] == [{"schedule": "nightly", "before": "DISABLED", "after": "ENABLED"}]


def test_add_from_a_json_snippet_and_flags_beat_it(s3: Any, capsys: pytest.CaptureFixture[str]):
    snippet = '{"id": "sync", "schedule": "every 15m", "target": {"path": "/sync"}, "jitter": 2}'
    assert main(["jobs", "add", "--json", snippet, "--schedule", "every 30m"]) == 0
    assert json.loads(body(s3))["jobs"][-1] == {
        "id": "sync",
        "schedule": "every 30m",
        "target": {"path": "/sync"},
        "jitter": 2,
    }


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["jobs", "pause", "nope"], 8, "job 'nope': no such job"),
        (["jobs", "remove", "nope"], 8, "job 'nope': no such job"),
        (["jobs", "add", "j1", "--schedule", "every 1h", "--path", "/x"], 2, "job 'j1': s3://"),
        (["jobs", "add", "new", "--schedule", "every 0m", "--path", "/x"], 2, "job 'new', field 'schedule'"),
        (["jobs", "add", "new", "--json", '{"schedule": "every 1h", "targt": {}}'], 2, "field 'targt'"),
        (["jobs", "add", "new", "--json", "{not json"], 2, "field '--json': not valid JSON"),
        (["jobs", "add", "--schedule", "every 1h"], 2, "the new job has no id"),
    ],
)
def test_errors_are_one_clear_line_and_change_nothing(
    s3: Any, argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
):
    before = versions(s3)
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert versions(s3) == before


def test_json_errors_name_the_kind(s3: Any, capsys: pytest.CaptureFixture[str]):
    assert main(["jobs", "show", "nope", "--output", "json"]) == 8
    assert out_json(capsys) == {
        "ok": False,
        "exit_code": 8,
        "error": "job 'nope': no such job in s3://cron-adapter-jobs/jobs.json "
        "(fix: `cron-adapter jobs list` shows the ids)",
        "kind": "UnknownJob",
    }


def test_a_hermes_store_is_refused(s3: Any, capsys: pytest.CaptureFixture[str]):
    hermes = {"jobs": [{"id": "h1", "name": "digest", "schedule": {"kind": "interval", "minutes": 5}}]}
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(hermes).encode())
    assert main(["jobs", "pause", "h1", "--base-url", "https://agent.example.com"]) == 10
    assert "managed by hermes: use `hermes cron ...`" in capsys.readouterr().err
    assert main(["jobs", "list", "--base-url", "https://agent.example.com", "--output", "json"]) == 0
    assert out_json(capsys)["jobs"][0]["target"]["url"] == "https://agent.example.com" + c.HERMES_FIRE_PATH


def test_losing_every_race_reports_the_conflict(
    s3: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    rivals = boto3.client("s3")
    count = 0

    def rival_write(params: dict[str, Any], **_: Any) -> None:  # another editor wins each time
        nonlocal count
        if "IfMatch" in params:
            count += 1
            rivals.put_object(Bucket=BUCKET, Key=KEY, Body=jobs_bytes(jobs_doc(3)) + b" " * count)

    s3_client = boto3.client("s3")
    s3_client.meta.events.register("provide-client-params.s3.PutObject", rival_write)
    real = jobs_cli.client

    def client_with_rival(args: Any) -> Any:
        made = real(args)
        made.store._client = s3_client
        return made

    monkeypatch.setattr(jobs_cli, "client", client_with_rival)
    assert main(["jobs", "pause", "j1", "--attempts", "3"]) == 9
    assert "the store changed under each of 3 attempts; nothing was written" in capsys.readouterr().err
    assert count == 3 and "enabled" not in body(s3).decode()


def test_wait_reports_the_reconcile_of_this_edit(
    s3: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from handlers import reconcile

    for key, value in {
        c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn,
        c.ENV_INPUT_KEY_ID: INPUT_KEY_NAME,
    }.items():
        monkeypatch.setenv(key, value)
    create_input_key(boto3.client("secretsmanager"))
    reconcile.app.cache_clear()
    start = versions(s3)

    def lambda_after_upload() -> None:  # stands in for the S3 notification -> reconcile Lambda
        for _ in range(200):
            if versions(s3) > start:
                reconcile.app().run(Trigger("upload"))
                return
            time.sleep(0.05)

    thread = threading.Thread(target=lambda_after_upload)
    thread.start()
    code = main(
        ["jobs", "add", "w1", "--schedule", "every 1h", "--path", "/w", "--wait", "--timeout", "20", "--output", "json"]
    )
    thread.join()
    reconcile.app.cache_clear()
    result = out_json(capsys)
    assert code == 0 and result["reconcile"]["status"] == "applied"
    assert result["reconcile"]["counts"]["created"] == 4  # the three seeded jobs and the new one
