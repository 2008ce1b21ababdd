"""A new user's review of the CLI, the parts that need AWS (moto): push's mass-delete fix,
resume --output json, and apply/backfill refusing without --yes in JSON."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from cron_adapter import constants as c
from cron_adapter.cli import main
from cron_adapter.cli import push as push_cli
from cron_adapter.cli.exitcodes import EXIT_DECLINED
from cron_adapter.fire.input import iso_utc
from tests.adapters import ops_support
from tests.adapters import reconcile_support as support
from tests.adapters.ops_support import GROUP, TABLE, OpsWorld
from tests.adapters.ops_support import job as ops_job
from tests.adapters.ops_support import jobs_doc as ops_jobs_doc
from tests.adapters.reconcile_support import BUCKET, World, jobs_doc, reconcile_after_upload
from tests.adapters.test_cli_live import cli, live, write
from tests.adapters.test_ops_actions import jobs_file, patch_target
from tests.adapters.test_ops_actions import write as write_jobs
from tests.adapters.test_ops_audit import ten_minute_marks
from tests.adapters.test_ops_resume import paused_by_the_audit

aws_env = support.aws_env  # the shared pytest fixtures
world = support.world
ops = ops_support.ops
__all__ = ["jobs_file", "live"]  # fixtures, used by name


class Terminal(io.StringIO):
    """A stdin that says it is a terminal, with the answer already typed."""

    def isatty(self) -> bool:
        return True


def test_push_wait_refused_mass_delete_gives_a_fix_push_can_use(
    live: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("apply", write(live, jobs_doc(4)), "--yes") == 0
    monkeypatch.setenv(c.ENV_BUCKET, BUCKET)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    capsys.readouterr()
    thread = reconcile_after_upload()
    code = cli("push", write(live, jobs_doc(1)), "--wait", "--timeout", "20", "--output", "json")
    thread.join()
    result = json.loads(capsys.readouterr().out)
    assert code == 3 and result["reconcile"]["status"] == "refused"
    detail = result["reconcile"]["detail"]
    assert detail.startswith("plan deletes 3 of 4 schedules")
    assert f'add "allow_mass_delete": true to {live}' in detail
    assert f"cron-adapter apply {live} --allow-mass-delete" in detail
    assert "on the CLI" not in detail  # push has no --allow-mass-delete
    push_cli.print_status(result["reconcile"])
    assert "allow_mass_delete" in capsys.readouterr().out


def test_apply_json_without_yes_prints_one_document(
    live: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("apply", write(live, jobs_doc(2)), "--output", "json") == EXIT_DECLINED
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["ok"] is False and doc["exit_code"] == EXIT_DECLINED and doc["kind"] == "NotConfirmed"
    assert "pass --yes" in doc["error"] and [a["action"] for a in doc["actions"]] == ["create", "create"]
    assert "refusing to apply without --yes" in captured.err and world.calls.writes() == 0


def test_apply_json_prompts_on_stderr_so_stdout_stays_one_document(
    live: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write(live, jobs_doc(2))
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert cli("apply", f, "--output", "json") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["counts"]["created"] == 2
    assert "Apply 2 action(s)?" in captured.err
    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    assert cli("apply", write(live, jobs_doc(3)), "--output", "json") == EXIT_DECLINED
    assert json.loads(capsys.readouterr().out)["error"] == "apply cancelled; nothing was changed"


def backfill_args(ops: OpsWorld, path: Path) -> list[str]:
    spec = ops_job("b", "*/10 * * * *")
    write_jobs(path, spec)
    ops.apply(ops_jobs_doc(spec))
    marks = ten_minute_marks(ops.created - timedelta(hours=1), ops.created)[-3:]
    start, end = iso_utc(marks[0]), iso_utc(marks[-1] + timedelta(minutes=1))
    return ["backfill", "b", str(path), "--from", start, "--to", end, "--secret-id", "s", "--output", "json"]


def test_backfill_json_without_yes_prints_one_document(
    ops: OpsWorld, jobs_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = backfill_args(ops, jobs_file)
    patch_target(ops, monkeypatch)
    assert main(args) == 3
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["exit_code"] == 3 and doc["kind"] == "NotConfirmed" and len(doc["fire"]) == 3
    assert doc["skipped"] == [] and "refusing to backfill without --yes" in captured.err
    assert ops.caller.requests == []
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert main(args) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)["fired"]) == 3 and "Fire them?" in captured.err


def test_resume_output_json_for_a_paused_job_and_for_one_that_is_not(
    ops: OpsWorld, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    paused_by_the_audit(ops)
    local = tmp_path / "jobs.json"
    local.write_bytes(boto3.client("s3").get_object(Bucket="ops-jobs", Key=c.DEFAULT_JOBS_KEY)["Body"].read())
    args = ["resume", "flaky", str(local), "--table", TABLE, "--group", GROUP, "--output", "json"]
    assert main(args) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["job_id"] == "flaky" and doc["resumed"] is True
    assert doc["live"] == [{"schedule": "flaky", "before": "DISABLED", "after": "ENABLED"}]
    assert main(args) == 3
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc == {
        "ok": False,
        "exit_code": 3,
        "error": "job 'flaky' not resumed: it is not paused",
        "kind": "NotPaused",
        "job_id": "flaky",
    }
    assert captured.err.startswith("error: job 'flaky' not resumed")
