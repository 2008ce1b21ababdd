"""The plugin's uploader (cron_adapter/hermes/plugin/pusher.py), loaded the way hermes loads it:
as a file, without cron_adapter on its import path."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter.adapters.jobs_object import S3JobsObject
from cron_adapter.constants import JOBS_TIMEZONE_METADATA

PUSHER = Path(__file__).resolve().parents[3] / "cron_adapter" / "hermes" / "plugin" / "pusher.py"


def load_pusher() -> Any:
    spec = importlib.util.spec_from_file_location("_hermes_user_cron_test.pusher", PUSHER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as hermes's loader registers each sibling module
    spec.loader.exec_module(module)
    return module


pusher = load_pusher()
TARGET = pusher.Target("jobs-bucket", "jobs.json", "us-east-1")
JOB = {"id": "a1", "name": "digest", "schedule": {"kind": "cron", "expr": "0 9 * * *"}, "enabled": True}


class Uploads:
    """A recording ``put``: what s3_put would send, and its ETag."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[bytes, str]] = []
        self.fail = fail
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def __call__(self, target: Any, body: bytes, timezone: str) -> str:
        self.entered.set()
        self.gate.wait(5)
        if self.fail:
            raise OSError("connection refused")
        self.calls.append((body, timezone))
        return f"etag-{len(self.calls)}"


def snapshot_of(jobs: list[dict[str, Any]], zone: str = "Europe/Berlin") -> Any:
    return lambda: (list(jobs), zone)  # hermes's load_jobs returns a fresh list each time


def test_pusher_imports_nothing_from_cron_adapter():
    text = PUSHER.read_text()
    assert "cron_adapter." not in text.replace("cron_adapter.constants.JOBS_TIMEZONE_METADATA", "")
    assert pusher.TIMEZONE_METADATA == JOBS_TIMEZONE_METADATA


def test_config_without_a_bucket_is_no_target():
    assert pusher.target_from_config(None) is None
    assert pusher.target_from_config({"bucket": "  "}) is None
    assert pusher.target_from_config({"bucket": "b", "region": "eu-west-1"}) == pusher.Target(
        "b", "jobs.json", "eu-west-1"
    )


def test_an_unchanged_store_is_not_uploaded_twice(tmp_path: Path):
    state, put = pusher.StateFile(tmp_path / "state.json"), Uploads()
    assert pusher.push_once(TARGET, snapshot_of([JOB]), state, put) == "pushed"
    # a run changes last_run_at / next_run_at, which reconcile does not read
    ran = {**JOB, "last_run_at": "2026-12-01T09:00:00+00:00", "next_run_at": "2026-12-02T09:00:00+00:00"}
    assert pusher.push_once(TARGET, snapshot_of([ran]), state, put) == "unchanged"
    assert len(put.calls) == 1
    body, zone = put.calls[0]
    assert json.loads(body) == {"jobs": [JOB]} and zone == "Europe/Berlin"


@pytest.mark.parametrize(
    "change",
    [
        {"enabled": False},
        {"state": "paused"},
        {"repeat": {"times": 3, "completed": 1}},
        {"schedule": {"kind": "cron", "expr": "0 10 * * *"}},
    ],
)
def test_a_relevant_change_is_uploaded(tmp_path: Path, change: dict[str, Any]):
    state, put = pusher.StateFile(tmp_path / "state.json"), Uploads()
    pusher.push_once(TARGET, snapshot_of([JOB]), state, put)
    assert pusher.push_once(TARGET, snapshot_of([{**JOB, **change}]), state, put) == "pushed"


def test_a_timezone_change_is_uploaded(tmp_path: Path):
    state, put = pusher.StateFile(tmp_path / "state.json"), Uploads()
    pusher.push_once(TARGET, snapshot_of([JOB]), state, put)
    assert pusher.push_once(TARGET, snapshot_of([JOB], "Asia/Tokyo"), state, put) == "pushed"


def test_a_failed_upload_is_retried_on_the_next_request(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    state = pusher.StateFile(tmp_path / "state.json")
    assert pusher.push_once(TARGET, snapshot_of([JOB]), state, Uploads(fail=True)) == "failed"
    assert "connection refused" in caplog.text and "error" in state.read()
    assert pusher.push_once(TARGET, snapshot_of([JOB]), state, Uploads()) == "pushed"


def test_request_returns_at_once_and_a_burst_folds_into_few_uploads(tmp_path: Path):
    state, put, p = pusher.StateFile(tmp_path / "state.json"), Uploads(), pusher.Pusher()
    put.gate.clear()  # the first upload hangs until released
    jobs = [JOB]
    worker = p.request(TARGET, snapshot_of(jobs), state, put)
    assert put.entered.wait(5)  # the first upload is in flight
    for i in range(10):  # hermes hooks arriving while the upload is in flight
        jobs.append({**JOB, "id": f"b{i}"})
        assert p.request(TARGET, snapshot_of(jobs), state, put) is worker
    assert worker.is_alive() and put.calls == []  # no hook waited for it
    put.gate.set()
    worker.join(5)
    assert p.results == ["pushed", "pushed"]  # the in-flight one, then one for the whole burst
    assert len(json.loads(put.calls[-1][0])["jobs"]) == 11
    assert not worker.daemon  # a short-lived hermes CLI process waits for the upload


def test_s3_put_uploads_the_store_with_its_timezone_as_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The real uploader against moto, read back through reconcile's own S3 adapter."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=TARGET.bucket)
        state = pusher.StateFile(tmp_path / "state.json")
        assert pusher.push_once(TARGET, snapshot_of([JOB], "America/Chicago"), state) == "pushed"
        got = S3JobsObject(TARGET.bucket, TARGET.key, client=boto3.client("s3", region_name="us-east-1")).fetch()
        assert json.loads(got.data) == {"jobs": [JOB]}
        assert got.timezone == "America/Chicago" and state.read()["etag"] == got.etag
