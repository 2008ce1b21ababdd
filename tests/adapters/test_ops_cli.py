"""runs and status against moto: what an operator reads."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.errors import TargetHTTPError
from cron_adapter.fire.input import iso_utc
from tests.adapters import ops_support
from tests.adapters.ops_support import GROUP, TABLE, OpsWorld, job, jobs_doc, minute

ops = ops_support.ops  # the shared pytest fixture

JOBS = [job("nightly"), job("flaky"), job("quiet", enabled=False)]


@pytest.fixture
def env(ops: OpsWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv(c.ENV_TABLE, TABLE)
    monkeypatch.setenv(c.ENV_GROUP, GROUP)
    path = tmp_path / "jobs.json"
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": JOBS}
    path.write_text(json.dumps(doc))
    ops.apply(jobs_doc(*JOBS))
    return path


def test_runs_prints_each_run_newest_first_with_status_http_and_error(
    ops: OpsWorld, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t0 = minute(ops.created) + timedelta(minutes=10)
    ops.caller.script = [TargetHTTPError(503)] * 3
    ops.fire("flaky", t0)
    ops.fire("flaky", t0 + timedelta(minutes=10))
    assert main(["runs", "flaky", "--output", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in rows] == ["succeeded", "failed"]
    assert rows[1]["scheduled_time"] == iso_utc(t0) and rows[1]["attempts"] == 3 and rows[1]["http_status"] == 503
    assert main(["runs", "flaky", "--since", iso_utc(t0 + timedelta(minutes=5))]) == 0
    text = capsys.readouterr().out
    assert "SCHEDULED" in text and "succeeded" in text and "failed" not in text


def test_runs_of_a_job_with_none_says_so_and_where_ids_are_listed(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runs", "nightly-typo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no runs recorded for job 'nightly-typo' (is the id right?") and "status FILE" in out
    assert main(["runs", "nightly-typo", "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_runs_refuses_a_bad_since_with_one_line(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "flaky", "--since", "yesterday-ish"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --since 'yesterday-ish' is not a time") and err.count("\n") == 1


def test_status_shows_streak_paused_and_a_deleted_schedule(
    ops: OpsWorld, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t0 = minute(ops.created) + timedelta(minutes=10)
    ops.caller.script = [TargetHTTPError(500)] * 6
    ops.fire("flaky", t0)
    ops.fire("flaky", t0 + timedelta(minutes=10))
    ops.fire("nightly", t0)
    ops.scheduler.delete_schedule(Name="nightly", GroupName=GROUP)
    assert main(["status", str(env), "--output", "json"]) == 0
    lines = {j["job_id"]: j for j in json.loads(capsys.readouterr().out)["jobs"]}
    assert lines["flaky"]["streak"] == 2 and lines["flaky"]["last_status"] == "failed"
    assert lines["flaky"]["aws"] == "ok" and lines["flaky"]["next_fire"]
    assert lines["nightly"]["aws"] == "missing" and lines["nightly"]["last_status"] == "succeeded"
    assert lines["quiet"]["paused"] == "jobs file" and lines["quiet"]["next_fire"] is None
    assert main(["status", str(env), "--problems"]) == 4
    text = capsys.readouterr().out
    assert "flaky" in text and "nightly" in text and "quiet" not in text


def test_status_pages(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", str(env), "--page-size", "2", "--page", "2", "--output", "json"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert page["pages"] == 2 and [j["job_id"] for j in page["jobs"]] == ["quiet"]
